#include "codecs.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* The most memory an xz or lzma stream may ask for: xz -9 needs 65 MiB. */
#define LZMA_MEMORY_LIMIT (128u << 20)

/* The libraries count some lengths in 32 bits: feed and drain at most 1 GiB per call. */
static unsigned clamp(size_t n) { return n > (1u << 30) ? (1u << 30) : (unsigned)n; }

static void set_message(char *message, size_t capacity, const char *text) {
  if (!message || capacity == 0) return;
  strncpy(message, text ? text : "invalid data", capacity - 1);
  message[capacity - 1] = 0;
}

/* Classifies the end of a loop: output filled, input used up, or neither. */
static walkit_decompress_status ran_out(size_t produced, size_t capacity) {
  return produced == capacity ? WALKIT_DECOMPRESS_OUTPUT_FULL : WALKIT_DECOMPRESS_TRUNCATED;
}

/* libdeflate inflates a whole buffer about twice as fast as zlib, but only all or nothing:
   a stream it cannot take whole (too long for the buffer, truncated, corrupt) goes to zlib,
   which says how far it got and why. Concatenated members are taken one after the other. */
static int gunzip_whole(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, size_t *produced) {
  const struct walkit_libdeflate *libdeflate = walkit_libdeflate_api();
  if (!libdeflate) return 0;
  static _Thread_local struct libdeflate_decompressor *decompressor;
  if (!decompressor && !(decompressor = libdeflate->allocDecompressor())) return 0;
  size_t consumed = 0, written = 0;
  while (consumed < length) {
    size_t in = 0, out = 0;
    if (libdeflate->gzipDecompressEx(decompressor, input + consumed, length - consumed, output + written,
                                      capacity - written, &in, &out) != LIBDEFLATE_SUCCESS)
      return 0;
    consumed += in;
    written += out;
  }
  *produced = written;
  return written < capacity;
}

static walkit_decompress_status gunzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                       size_t *produced, char *message, size_t message_capacity) {
  if (gunzip_whole(input, length, output, capacity, produced)) return WALKIT_DECOMPRESS_OK;
  *produced = 0;
  z_stream stream;
  memset(&stream, 0, sizeof stream);
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return WALKIT_DECOMPRESS_NO_MEMORY;
  size_t consumed = 0;
  walkit_decompress_status status;
  for (;;) {
    uInt in_chunk = clamp(length - consumed), out_chunk = clamp(capacity - *produced);
    stream.next_in = (Bytef *)(input + consumed);
    stream.avail_in = in_chunk;
    stream.next_out = output + *produced;
    stream.avail_out = out_chunk;
    int rc = inflate(&stream, Z_NO_FLUSH);
    consumed += in_chunk - stream.avail_in;
    *produced += out_chunk - stream.avail_out;
    if (rc == Z_STREAM_END) {
      if (consumed == length) { status = WALKIT_DECOMPRESS_OK; break; }
      /* Another gzip member follows (as `cat a.gz b.gz` makes). */
      if (inflateReset(&stream) != Z_OK) { status = WALKIT_DECOMPRESS_CORRUPT; break; }
      continue;
    }
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR) {
      set_message(message, message_capacity, stream.msg);
      status = WALKIT_DECOMPRESS_CORRUPT;
      break;
    }
    if (rc == Z_MEM_ERROR) { status = WALKIT_DECOMPRESS_NO_MEMORY; break; }
    if (*produced == capacity || consumed == length) { status = ran_out(*produced, capacity); break; }
  }
  inflateEnd(&stream);
  return status;
}

static walkit_decompress_status unzstd(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                       size_t *produced, char *message, size_t message_capacity) {
  const struct walkit_zstd *zstd = walkit_zstd_api();
  if (!zstd) return WALKIT_DECOMPRESS_UNAVAILABLE;
  /* One stream per thread, kept for the next file with its window buffer: a new one per file
     allocated and faulted in that memory anew every time. */
  static _Thread_local ZSTD_DStream *stream;
  if (!stream) {
    if (!(stream = zstd->createDStream())) return WALKIT_DECOMPRESS_NO_MEMORY;
    /* A frame may declare a window up to 2 GiB; a segment never needs more than 1 GiB. */
    zstd->setParameter(stream, ZSTD_d_windowLogMax, 30);
  } else {
    zstd->reset(stream, ZSTD_reset_session_only);
  }
  ZSTD_inBuffer in = {input, length, 0};
  ZSTD_outBuffer out = {output, capacity, 0};
  walkit_decompress_status status;
  for (;;) {
    size_t before_in = in.pos, before_out = out.pos;
    size_t rc = zstd->decompressStream(stream, &out, &in);
    *produced = out.pos;
    if (zstd->isError(rc)) {
      set_message(message, message_capacity, zstd->getErrorName(rc));
      status = WALKIT_DECOMPRESS_CORRUPT;
      break;
    }
    if (rc == 0 && in.pos == length) { status = out.pos == capacity ? WALKIT_DECOMPRESS_OUTPUT_FULL : WALKIT_DECOMPRESS_OK; break; }
    if (out.pos == capacity || in.pos == length || (in.pos == before_in && out.pos == before_out)) {
      status = ran_out(out.pos, capacity);
      break;
    }
  }
  return status;
}

static walkit_decompress_status unlz4(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                      size_t *produced, char *message, size_t message_capacity) {
  const struct walkit_lz4 *lz4 = walkit_lz4_api();
  if (!lz4) return WALKIT_DECOMPRESS_UNAVAILABLE;
  /* One context per thread, kept for the next file with its block buffers (a prefix of a
     file with 4 MiB blocks decodes a whole block into them). */
  static _Thread_local LZ4F_dctx *context;
  if (!context) {
    if (lz4->isError(lz4->createDecompressionContext(&context, LZ4F_VERSION))) {
      context = NULL;
      return WALKIT_DECOMPRESS_NO_MEMORY;
    }
  } else {
    lz4->resetDecompressionContext(context);
  }
  /* The output buffer stays put between calls: blocks decode straight into it. */
  LZ4F_decompressOptions_t options = {.stableDst = 1};
  size_t consumed = 0;
  walkit_decompress_status status;
  for (;;) {
    size_t in_chunk = length - consumed, out_chunk = capacity - *produced;
    size_t hint = lz4->decompress(context, output + *produced, &out_chunk, input + consumed, &in_chunk, &options);
    consumed += in_chunk;
    *produced += out_chunk;
    if (lz4->isError(hint)) {
      set_message(message, message_capacity, lz4->getErrorName(hint));
      status = WALKIT_DECOMPRESS_CORRUPT;
      break;
    }
    if (hint == 0 && consumed == length) { status = *produced == capacity ? WALKIT_DECOMPRESS_OUTPUT_FULL : WALKIT_DECOMPRESS_OK; break; }
    if (*produced == capacity || consumed == length || (in_chunk == 0 && out_chunk == 0)) {
      status = ran_out(*produced, capacity);
      break;
    }
  }
  return status;
}

static walkit_decompress_status bunzip2(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                        size_t *produced, char *message, size_t message_capacity) {
  const struct walkit_bzip2 *bzip2 = walkit_bzip2_api();
  if (!bzip2) return WALKIT_DECOMPRESS_UNAVAILABLE;
  bz_stream stream;
  memset(&stream, 0, sizeof stream);
  if (bzip2->decompressInit(&stream, 0, 0) != BZ_OK) return WALKIT_DECOMPRESS_NO_MEMORY;
  size_t consumed = 0;
  walkit_decompress_status status;
  for (;;) {
    unsigned in_chunk = clamp(length - consumed), out_chunk = clamp(capacity - *produced);
    stream.next_in = (char *)(input + consumed);
    stream.avail_in = in_chunk;
    stream.next_out = (char *)(output + *produced);
    stream.avail_out = out_chunk;
    int rc = bzip2->decompress(&stream);
    consumed += in_chunk - stream.avail_in;
    *produced += out_chunk - stream.avail_out;
    if (rc == BZ_STREAM_END) {
      if (consumed == length) { status = WALKIT_DECOMPRESS_OK; break; }
      /* Another bzip2 stream follows (as pbzip2 and `cat` make). */
      bzip2->decompressEnd(&stream);
      memset(&stream, 0, sizeof stream);
      if (bzip2->decompressInit(&stream, 0, 0) != BZ_OK) return WALKIT_DECOMPRESS_NO_MEMORY;
      continue;
    }
    if (rc == BZ_MEM_ERROR) { status = WALKIT_DECOMPRESS_NO_MEMORY; break; }
    if (rc != BZ_OK) {
      set_message(message, message_capacity, rc == BZ_DATA_ERROR_MAGIC ? "not a bzip2 stream" : "invalid bzip2 data");
      status = WALKIT_DECOMPRESS_CORRUPT;
      break;
    }
    if (*produced == capacity || consumed == length) { status = ran_out(*produced, capacity); break; }
  }
  bzip2->decompressEnd(&stream);
  return status;
}

static const char *lzma_text(lzma_ret rc) {
  switch (rc) {
  case LZMA_FORMAT_ERROR: return "not an xz/lzma stream";
  case LZMA_OPTIONS_ERROR: return "unsupported xz/lzma options";
  case LZMA_DATA_ERROR: return "invalid xz/lzma data";
  case LZMA_MEMLIMIT_ERROR: return "the stream needs more than 128 MiB of memory to decode";
  default: return "invalid xz/lzma data";
  }
}

/* The output handed to liblzma at a time: the integrity check (CRC-64 by default) it computes
   over each call's output then reads bytes still in the nearest caches (given the whole 16 MiB
   at once, one-core verify of 16 xz segments took 530 ms on an Intel Xeon; in windows, 494). */
#define XZ_OUTPUT_WINDOW ((size_t)256 << 10)

static walkit_decompress_status unxz(int alone, const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                     size_t *produced, char *message, size_t message_capacity) {
  const struct walkit_xz *xz = walkit_xz_api();
  if (!xz) return WALKIT_DECOMPRESS_UNAVAILABLE;
  /* One stream per format and thread, kept for the next file: initialised again, it keeps its
     dictionary (8 MiB at xz's default level), which a new stream per file allocated and faulted
     in anew every time (a seventh of a file's time went to the kernel zeroing pages). */
  static _Thread_local lzma_stream streams[2];
  lzma_stream *stream = &streams[alone ? 1 : 0];
  lzma_ret rc = alone ? xz->aloneDecoder(stream, LZMA_MEMORY_LIMIT)
                      : xz->streamDecoder(stream, LZMA_MEMORY_LIMIT, LZMA_CONCATENATED);
  if (rc != LZMA_OK) return WALKIT_DECOMPRESS_NO_MEMORY;
  stream->next_in = input;
  stream->avail_in = length;
  stream->next_out = output;
  stream->avail_out = capacity < XZ_OUTPUT_WINDOW ? capacity : XZ_OUTPUT_WINDOW;
  for (;;) {
    rc = xz->code(stream, LZMA_FINISH);
    *produced = (size_t)(stream->next_out - output);
    if (rc == LZMA_OK && stream->avail_out == 0 && *produced < capacity) {
      size_t left = capacity - *produced;
      stream->avail_out = left < XZ_OUTPUT_WINDOW ? left : XZ_OUTPUT_WINDOW;
      continue;
    }
    if (rc == LZMA_STREAM_END) {
      if (stream->avail_in == 0) return WALKIT_DECOMPRESS_OK;
      set_message(message, message_capacity, "data after the end of the stream");
      return WALKIT_DECOMPRESS_CORRUPT;
    }
    if (rc == LZMA_OK) continue;
    if (rc == LZMA_BUF_ERROR) return ran_out(*produced, capacity);
    if (rc == LZMA_MEM_ERROR) return WALKIT_DECOMPRESS_NO_MEMORY;
    set_message(message, message_capacity, lzma_text(rc));
    return WALKIT_DECOMPRESS_CORRUPT;
  }
}

static walkit_decompress_status unbrotli(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                         size_t *produced, char *message, size_t message_capacity) {
  const struct walkit_brotli *brotli = walkit_brotli_api();
  if (!brotli) return WALKIT_DECOMPRESS_UNAVAILABLE;
  BrotliDecoderState *state = brotli->createInstance(NULL, NULL, NULL);
  if (!state) return WALKIT_DECOMPRESS_NO_MEMORY;
  size_t available_in = length, available_out = capacity;
  const uint8_t *next_in = input;
  uint8_t *next_out = output;
  BrotliDecoderResult rc =
      brotli->decompressStream(state, &available_in, &next_in, &available_out, &next_out, NULL);
  *produced = capacity - available_out;
  walkit_decompress_status status;
  switch (rc) {
  case BROTLI_DECODER_RESULT_SUCCESS:
    if (available_in == 0) {
      status = WALKIT_DECOMPRESS_OK;
    } else {
      set_message(message, message_capacity, "data after the end of the stream");
      status = WALKIT_DECOMPRESS_CORRUPT;
    }
    break;
  case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: status = WALKIT_DECOMPRESS_OUTPUT_FULL; break;
  case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: status = WALKIT_DECOMPRESS_TRUNCATED; break;
  default:
    set_message(message, message_capacity, brotli->errorString(brotli->getErrorCode(state)));
    status = WALKIT_DECOMPRESS_CORRUPT;
  }
  brotli->destroyInstance(state);
  return status;
}

const char *walkit_zlib_version(void) { return zlibVersion(); }

walkit_decompress_status walkit_decompress(walkit_compression format, const uint8_t *input, size_t input_length,
                                           uint8_t *output, size_t capacity, size_t *produced,
                                           char *message, size_t message_capacity) {
  *produced = 0;
  if (message && message_capacity) message[0] = 0;
  switch (format) {
  case WALKIT_GZIP: return gunzip(input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_ZSTD: return unzstd(input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_LZ4: return unlz4(input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_BZIP2: return bunzip2(input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_XZ: return unxz(0, input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_LZMA: return unxz(1, input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_BROTLI: return unbrotli(input, input_length, output, capacity, produced, message, message_capacity);
  case WALKIT_SNAPPY: return walkit_unsnappy(input, input_length, output, capacity, produced, message, message_capacity);
  }
  set_message(message, message_capacity, "unknown compression");
  return WALKIT_DECOMPRESS_CORRUPT;
}
