/* The few functions walkit calls in each optional library, declared here so that building needs
   none of their headers, and resolved at run time by codecs.c. Types and constants are copied
   from the libraries' stable ABIs (lz4frame.h 1.8+, zstd.h 1.4+, bzlib.h 1.0, lzma.h 5.x,
   brotli/decode.h 1.0, libdeflate.h, openssl/evp.h 1.1 and 3). */
#ifndef WALKIT_CODECS_H
#define WALKIT_CODECS_H

#include "CWALSupport.h"

/* snappy.c: the Snappy framing format, which needs no library. */
walkit_decompress_status walkit_unsnappy(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                         size_t *produced, char *message, size_t message_capacity);

/* liblz4.so.1 */
typedef struct LZ4F_dctx_s LZ4F_dctx;
typedef struct {
  unsigned stableDst;
  unsigned skipChecksums;
  unsigned reserved1;
  unsigned reserved0;
} LZ4F_decompressOptions_t;
#define LZ4F_VERSION 100
struct walkit_lz4 {
  size_t (*createDecompressionContext)(LZ4F_dctx **context, unsigned version);
  size_t (*decompress)(LZ4F_dctx *context, void *dst, size_t *dstSize, const void *src, size_t *srcSize,
                       const LZ4F_decompressOptions_t *options);
  unsigned (*isError)(size_t code);
  const char *(*getErrorName)(size_t code);
  int (*decompressSafe)(const char *src, char *dst, int compressedSize, int dstCapacity);
  void (*resetDecompressionContext)(LZ4F_dctx *context);
};

/* libzstd.so.1 */
typedef struct ZSTD_DCtx_s ZSTD_DStream;
typedef struct { const void *src; size_t size; size_t pos; } ZSTD_inBuffer;
typedef struct { void *dst; size_t size; size_t pos; } ZSTD_outBuffer;
#define ZSTD_d_windowLogMax 100
struct walkit_zstd {
  ZSTD_DStream *(*createDStream)(void);
  size_t (*setParameter)(ZSTD_DStream *stream, int parameter, int value);
  size_t (*decompressStream)(ZSTD_DStream *stream, ZSTD_outBuffer *output, ZSTD_inBuffer *input);
  unsigned (*isError)(size_t code);
  const char *(*getErrorName)(size_t code);
  size_t (*decompress)(void *dst, size_t dstCapacity, const void *src, size_t compressedSize);
  size_t (*reset)(ZSTD_DStream *stream, int directive);
};
#define ZSTD_reset_session_only 1

/* libbz2.so.1.0 */
typedef struct {
  char *next_in;
  unsigned int avail_in;
  unsigned int total_in_lo32;
  unsigned int total_in_hi32;
  char *next_out;
  unsigned int avail_out;
  unsigned int total_out_lo32;
  unsigned int total_out_hi32;
  void *state;
  void *(*bzalloc)(void *, int, int);
  void (*bzfree)(void *, void *);
  void *opaque;
} bz_stream;
enum { BZ_OK = 0, BZ_STREAM_END = 4, BZ_MEM_ERROR = -3, BZ_DATA_ERROR_MAGIC = -5 };
struct walkit_bzip2 {
  int (*decompressInit)(bz_stream *stream, int verbosity, int small);
  int (*decompress)(bz_stream *stream);
  int (*decompressEnd)(bz_stream *stream);
};

/* liblzma.so.5 */
typedef enum {
  LZMA_OK = 0,
  LZMA_STREAM_END = 1,
  LZMA_MEM_ERROR = 5,
  LZMA_MEMLIMIT_ERROR = 6,
  LZMA_FORMAT_ERROR = 7,
  LZMA_OPTIONS_ERROR = 8,
  LZMA_DATA_ERROR = 9,
  LZMA_BUF_ERROR = 10,
} lzma_ret;
typedef struct {
  const uint8_t *next_in;
  size_t avail_in;
  uint64_t total_in;
  uint8_t *next_out;
  size_t avail_out;
  uint64_t total_out;
  const void *allocator;
  void *internal;
  void *reserved_ptr1, *reserved_ptr2, *reserved_ptr3, *reserved_ptr4;
  uint64_t reserved_int1, reserved_int2;
  size_t reserved_int3, reserved_int4;
  int reserved_enum1, reserved_enum2;
} lzma_stream;
#define LZMA_FINISH 3
#define LZMA_CONCATENATED 0x08
struct walkit_xz {
  lzma_ret (*streamDecoder)(lzma_stream *stream, uint64_t memlimit, uint32_t flags);
  lzma_ret (*aloneDecoder)(lzma_stream *stream, uint64_t memlimit);
  lzma_ret (*code)(lzma_stream *stream, int action);
};

/* libbrotlidec.so.1 */
typedef struct BrotliDecoderStateStruct BrotliDecoderState;
typedef enum {
  BROTLI_DECODER_RESULT_ERROR = 0,
  BROTLI_DECODER_RESULT_SUCCESS = 1,
  BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT = 2,
  BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT = 3,
} BrotliDecoderResult;
struct walkit_brotli {
  BrotliDecoderState *(*createInstance)(void *alloc, void *free, void *opaque);
  BrotliDecoderResult (*decompressStream)(BrotliDecoderState *state, size_t *available_in, const uint8_t **next_in,
                                          size_t *available_out, uint8_t **next_out, size_t *total_out);
  void (*destroyInstance)(BrotliDecoderState *state);
  int (*getErrorCode)(const BrotliDecoderState *state);
  const char *(*errorString)(int code);
};

/* libdeflate.so.0 */
struct libdeflate_decompressor;
#define LIBDEFLATE_SUCCESS 0
struct walkit_libdeflate {
  struct libdeflate_decompressor *(*allocDecompressor)(void);
  int (*gzipDecompressEx)(struct libdeflate_decompressor *decompressor, const void *in, size_t in_nbytes, void *out,
                          size_t out_nbytes_avail, size_t *actual_in_nbytes_ret, size_t *actual_out_nbytes_ret);
};

/* libcrypto.so.3 (or .1.1) */
typedef struct evp_md_st EVP_MD;
struct walkit_sha1_api {
  int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, void *engine);
  const EVP_MD *(*sha1)(void);
};

/* Each library's functions, or NULL when the library is not available (loaded on first call,
   once, thread-safely). */
const struct walkit_lz4 *walkit_lz4_api(void);
const struct walkit_zstd *walkit_zstd_api(void);
const struct walkit_bzip2 *walkit_bzip2_api(void);
const struct walkit_xz *walkit_xz_api(void);
const struct walkit_brotli *walkit_brotli_api(void);
const struct walkit_libdeflate *walkit_libdeflate_api(void);
const struct walkit_sha1_api *walkit_crypto_api(void);

#endif
