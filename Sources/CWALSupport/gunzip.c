#include "CWALSupport.h"

#include <string.h>
#include <zlib.h>

static void copy_message(char *message, size_t capacity, const char *text) {
  if (!message || capacity == 0) return;
  strncpy(message, text ? text : "unknown zlib error", capacity - 1);
  message[capacity - 1] = 0;
}

/* zlib counts in uInt: feed and drain at most 1 GiB per call. */
static uInt clamp(size_t n) { return n > (1u << 30) ? (1u << 30) : (uInt)n; }

walkit_gunzip_status walkit_gunzip(const uint8_t *input, size_t input_length,
                                   uint8_t *output, size_t capacity, size_t *produced,
                                   char *message, size_t message_capacity) {
  z_stream stream;
  memset(&stream, 0, sizeof stream);
  *produced = 0;
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return WALKIT_GUNZIP_NO_MEMORY;

  size_t consumed = 0;
  walkit_gunzip_status status;
  for (;;) {
    uInt in_chunk = clamp(input_length - consumed);
    uInt out_chunk = clamp(capacity - *produced);
    stream.next_in = (Bytef *)(input + consumed);
    stream.avail_in = in_chunk;
    stream.next_out = output + *produced;
    stream.avail_out = out_chunk;

    int rc = inflate(&stream, Z_NO_FLUSH);
    consumed += in_chunk - stream.avail_in;
    *produced += out_chunk - stream.avail_out;

    if (rc == Z_STREAM_END) {
      if (consumed == input_length) { status = WALKIT_GUNZIP_OK; break; }
      /* Another gzip member follows (as `cat a.gz b.gz` makes). */
      if (inflateReset(&stream) != Z_OK) { status = WALKIT_GUNZIP_CORRUPT; break; }
      continue;
    }
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR) {
      copy_message(message, message_capacity, stream.msg);
      status = WALKIT_GUNZIP_CORRUPT;
      break;
    }
    if (rc == Z_MEM_ERROR) { status = WALKIT_GUNZIP_NO_MEMORY; break; }
    if (*produced == capacity) { status = WALKIT_GUNZIP_OUTPUT_FULL; break; }
    if (consumed == input_length) { status = WALKIT_GUNZIP_TRUNCATED; break; }
  }
  inflateEnd(&stream);
  return status;
}
