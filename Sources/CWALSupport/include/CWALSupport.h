#ifndef CWALSUPPORT_H
#define CWALSUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32C (Castagnoli) over `length` bytes. `crc` is the running,
/// not yet inverted value: start with 0xFFFFFFFF and invert the final result.
uint32_t walkit_crc32c_update(uint32_t crc, const void *bytes, size_t length);

/// Which CRC-32C implementation the running CPU selected: "sse4.2", "armv8-crc" or "table".
const char *walkit_crc32c_implementation(void);

/// The portable slicing-by-8 implementation, whatever the CPU offers (for tests).
uint32_t walkit_crc32c_update_portable(uint32_t crc, const void *bytes, size_t length);

/// Outcome of `walkit_gunzip`.
typedef enum {
  WALKIT_GUNZIP_OK = 0,          ///< the whole input was one or more complete gzip members
  WALKIT_GUNZIP_OUTPUT_FULL = 1, ///< `capacity` bytes were produced and more would follow
  WALKIT_GUNZIP_TRUNCATED = 2,   ///< the input ended inside a gzip member
  WALKIT_GUNZIP_CORRUPT = 3,     ///< the stream is not valid gzip (see `message`)
  WALKIT_GUNZIP_NO_MEMORY = 4,
} walkit_gunzip_status;

/// Inflates gzip data (concatenated members allowed) into `output`, writing at most `capacity`
/// bytes. `*produced` receives the bytes written; `message` (may be NULL) receives zlib's
/// message for a corrupt stream, NUL-terminated within `message_capacity`.
walkit_gunzip_status walkit_gunzip(const uint8_t *input, size_t input_length,
                                   uint8_t *output, size_t capacity, size_t *produced,
                                   char *message, size_t message_capacity);



/// Decompresses an LZ4 block (no frame) of `input_length` bytes into exactly `output_length`
/// bytes; returns the bytes produced, or a negative number for corrupt input.
int walkit_lz4_decompress(const void *input, int input_length, void *output, int output_length);

/// Decompresses one zstd frame into `output`; returns the bytes produced, or -1 on error.
long walkit_zstd_decompress(const void *input, size_t input_length, void *output, size_t output_capacity);
#endif
