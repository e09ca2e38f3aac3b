#ifndef CWALSUPPORT_H
#define CWALSUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32C (Castagnoli) over `length` bytes. `crc` is the running,
/// not yet inverted value: start with 0xFFFFFFFF and invert the final result.
uint32_t walkit_crc32c_update(uint32_t crc, const void *bytes, size_t length);
/// The size of a WAL record's fixed header (`XLogRecord`).
#define WALKIT_RECORD_HEADER_SIZE 24
/// The finished CRC a whole WAL record of `length` bytes (at least the header's) stores: over
/// its body, then over the first `covered_header` bytes of its header.
uint32_t walkit_crc32c_record(const void *record, size_t length, size_t covered_header);

/// Which CRC-32C implementation the running CPU selected: "avx512-vpclmulqdq", "sse4.2",
/// "armv8-crc" or "table".
const char *walkit_crc32c_implementation(void);

/// How the implementation was chosen, when there was a choice (the speeds measured at
/// start-up, or "set by WALKIT_CRC32C"); empty otherwise.
const char *walkit_crc32c_selection(void);

/// The portable slicing-by-8 implementation, whatever the CPU offers (for tests).
uint32_t walkit_crc32c_update_portable(uint32_t crc, const void *bytes, size_t length);
/// The CRC instruction's path (three streams combined by the shift tables) whatever path was
/// selected, or the portable one on a CPU without the instruction (for tests).
uint32_t walkit_crc32c_update_instruction(uint32_t crc, const void *bytes, size_t length);

/// 1 when the processor is Intel's (cpuid's vendor "GenuineIntel"), else 0.
int walkit_cpu_is_intel(void);

/// Unix time `seconds` in the local time zone (`TZ`, read by `tzset`): `%Y-%m-%d %H:%M:%S`
/// into `date` (at least 32 bytes) and the zone's abbreviation (`%Z`) into `zone` (at least
/// 16), both NUL-terminated; 0 when the C library cannot convert it. The last second
/// converted is remembered on each thread.
int walkit_local_time(int64_t seconds, char *date, size_t date_capacity, char *zone, size_t zone_capacity);

/// A compressed file format walkit reads.
typedef enum {
  WALKIT_GZIP = 1,
  WALKIT_ZSTD = 2,
  WALKIT_LZ4 = 3,    ///< the LZ4 frame format (`lz4` tool, WAL-G, pgBackRest)
  WALKIT_BZIP2 = 4,
  WALKIT_XZ = 5,
  WALKIT_LZMA = 6,   ///< the legacy `.lzma` ("LZMA alone") format
  WALKIT_BROTLI = 7,
  WALKIT_SNAPPY = 8,  ///< the Snappy framing format (python-snappy's streams, Barman cloud's `--snappy`)
} walkit_compression;

/// Outcome of `walkit_decompress`.
typedef enum {
  WALKIT_DECOMPRESS_OK = 0,          ///< the whole input was one or more complete streams
  WALKIT_DECOMPRESS_OUTPUT_FULL = 1, ///< `capacity` bytes were produced and more may follow
  WALKIT_DECOMPRESS_TRUNCATED = 2,   ///< the input ended inside a stream
  WALKIT_DECOMPRESS_CORRUPT = 3,     ///< the input is not valid data of that format (see `message`)
  WALKIT_DECOMPRESS_NO_MEMORY = 4,
  WALKIT_DECOMPRESS_UNAVAILABLE = 5, ///< the format's library is not installed (see `walkit_codec_available`)
} walkit_decompress_status;

/// Decompresses `input` (concatenated streams allowed where the format has them) into
/// `output`, writing at most `capacity` bytes. `*produced` receives the bytes written;
/// `message` (may be NULL) receives the library's reason for a corrupt stream,
/// NUL-terminated within `message_capacity`.
walkit_decompress_status walkit_decompress(walkit_compression format, const uint8_t *input, size_t input_length,
                                           uint8_t *output, size_t capacity, size_t *produced,
                                           char *message, size_t message_capacity);

/// An optional library walkit loads at run time (`dlopen` of its versioned file name) when a
/// file first needs it. zlib, for gzip, is linked and always there.
typedef enum {
  WALKIT_CODEC_LZ4 = 0,     ///< liblz4.so.1
  WALKIT_CODEC_ZSTD,        ///< libzstd.so.1
  WALKIT_CODEC_BZIP2,       ///< libbz2.so.1.0
  WALKIT_CODEC_XZ,          ///< liblzma.so.5: xz and lzma
  WALKIT_CODEC_BROTLI,      ///< libbrotlidec.so.1
  WALKIT_CODEC_LIBDEFLATE,  ///< libdeflate.so.0: gzip's fast path (zlib otherwise)
  WALKIT_CODEC_SHA1,        ///< libcrypto.so.3: SHA-1 of pgBackRest's checksums
  WALKIT_CODEC_COUNT
} walkit_codec;

/// Whether `codec`'s library was found with every function walkit calls. Loads it on the first
/// call for that codec, once, thread-safely. The environment variable WALKIT_DISABLE_CODECS,
/// a comma-separated list of codec names (lz4, zstd, bzip2, xz, brotli, libdeflate, sha1), makes
/// the named ones unavailable: a test hook.
int walkit_codec_available(walkit_codec codec);

/// The library's file name, as loaded or as first looked for: "liblz4.so.1".
const char *walkit_codec_library(walkit_codec codec);

/// The Debian package that provides the library: "liblz4-1".
const char *walkit_codec_package(walkit_codec codec);

/// Why the codec is unavailable ("not found", "disabled by WALKIT_DISABLE_CODECS", "… lacks
/// LZ4F_decompress"); empty when it is available.
const char *walkit_codec_problem(walkit_codec codec);

/// The library's own version text where it has one ("1.9.4"); else empty.
const char *walkit_codec_version(walkit_codec codec);

/// zlib's version ("1.2.13").
const char *walkit_zlib_version(void);

/// The SHA-1 digest of `length` bytes, through OpenSSL's libcrypto; returns 1 on success, 0 on
/// failure, -1 when libcrypto is not available.
int walkit_sha1(const void *bytes, size_t length, uint8_t digest[20]);

/// Decompresses an LZ4 block (no frame) of `input_length` bytes into exactly `output_length`
/// bytes; returns the bytes produced, a negative number for corrupt input, or INT_MIN when
/// liblz4 is not available.
int walkit_lz4_decompress(const void *input, int input_length, void *output, int output_length);

/// Decompresses one zstd frame into `output`; returns the bytes produced, -1 on error, or -2
/// when libzstd is not available.
long walkit_zstd_decompress(const void *input, size_t input_length, void *output, size_t output_capacity);

/// Maps `length` bytes of the file open as `fd` read-only and watches the mapping: a page that
/// vanishes because another process truncates the file reads as zeros instead of raising
/// SIGBUS, and `walkit_mapping_cut_short` then says so. Returns NULL when the file cannot be
/// mapped or too many mappings are watched (read it instead); `*slot` names the mapping.
const void *walkit_map_file(int fd, size_t length, int *slot);

/// Whether the file lost any of the mapped bytes since the mapping was made: a page vanished
/// (read as zeros), or the file is now shorter than the mapping.
int walkit_mapping_cut_short(int slot);

/// Unmaps a mapping made by `walkit_map_file`.
void walkit_unmap_file(const void *base, size_t length, int slot);

/// A zero-filled, writable buffer of `length` bytes aligned to 2 MiB, which the kernel is asked
/// to back with transparent huge pages (one fault per 2 MiB instead of per 4 kB); NULL when
/// memory cannot be had. Release it with `walkit_large_buffer_release` and the same length.
void *walkit_large_buffer_allocate(size_t length);

/// Releases a buffer from `walkit_large_buffer_allocate`.
void walkit_large_buffer_release(void *base, size_t length);

/// Marks `length` bytes at `base` as not to be touched (a buffer given back to a pool) or as
/// usable again, in a build with AddressSanitizer, which then reports any read or write of
/// them in between as it reports one of freed memory; nothing otherwise.
void walkit_poison(const void *base, size_t length);
void walkit_unpoison(const void *base, size_t length);

/// One HTTP request through libcurl (see http.c).
typedef struct {
  const char *url;
  const char *const *headers;   ///< "Name: value" lines
  int header_count;
  const char *user_password;    ///< "ACCESS_KEY:SECRET" for signing, or NULL
  const char *aws_sigv4;        ///< "aws:amz:REGION:s3" to sign with AWS Signature V4, or NULL
  const char *ca_file;          ///< a CA bundle other than the system's, or NULL
  int head_only;
  long connect_timeout_ms;
  long stall_seconds;
} walkit_http_request;

/// What came back. The body goes to `body`: a caller's buffer of `capacity` bytes, or, when
/// `body_is_allocated`, one that grows (free it with `walkit_http_body_free`); never beyond
/// `limit` bytes, past which the transfer stops and `overflow` is set.
typedef struct {
  long status;
  unsigned char *body;
  size_t length;
  size_t capacity;
  size_t limit;
  int body_is_allocated;
  int overflow;
  char etag[128];
  char content_length[32];
  char content_range[96];
  char bucket_region[64];
  char error[256];
} walkit_http_response;

/// Whether libcurl could be loaded; `walkit_http_problem` says why not.
int walkit_http_available(void);
const char *walkit_http_problem(void);
/// libcurl's version line ("libcurl/7.88.1 OpenSSL/3.0 …"), or NULL.
const char *walkit_http_library_version(void);
/// A connection handle for one thread at a time; NULL without libcurl.
void *walkit_http_handle_new(void);
void walkit_http_handle_free(void *handle);
/// Performs `request`; returns libcurl's result code (0: a response came, whatever its
/// status), -1 without libcurl. `response->error` describes a failure.
int walkit_http_perform(void *handle, const walkit_http_request *request, walkit_http_response *response);
void walkit_http_body_free(walkit_http_response *response);
#endif
