/* The Snappy framing format (python-snappy's stream format, Barman cloud's `--snappy`): chunks of
   raw Snappy blocks of at most 64 kB each, with the masked CRC-32C of their uncompressed bytes.
   Snappy needs no library; every length and offset is checked against the buffers. */
#include "codecs.h"

#include <string.h>

#define CHUNK_MAX (1u << 16)

static walkit_decompress_status fail(char *message, size_t capacity, const char *text) {
  if (message && capacity) {
    strncpy(message, text, capacity - 1);
    message[capacity - 1] = 0;
  }
  return WALKIT_DECOMPRESS_CORRUPT;
}

static uint32_t load_le(const uint8_t *p, unsigned bytes) {
  uint32_t value = 0;
  for (unsigned i = 0; i < bytes; i++) value |= (uint32_t)p[i] << (8 * i);
  return value;
}

/* Decodes one raw Snappy block into out[0..capacity); returns its length, or -1 when corrupt. */
static long raw_block(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
  size_t pos = 0, written = 0;
  uint32_t expected = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (pos == length || shift > 28) return -1;
    uint8_t byte = in[pos++];
    if (shift == 28 && byte > 0x0F) return -1;
    expected |= (uint32_t)(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
  }
  if (expected > capacity) return -1;
  while (pos < length) {
    uint8_t tag = in[pos++];
    size_t run, offset;
    switch (tag & 3) {
    case 0:
      run = tag >> 2;
      if (run >= 60) {
        unsigned bytes = (unsigned)run - 59;
        if (length - pos < bytes) return -1;
        run = load_le(in + pos, bytes);
        pos += bytes;
      }
      run += 1;
      if (length - pos < run || expected - written < run) return -1;
      memcpy(out + written, in + pos, run);
      pos += run;
      written += run;
      continue;
    case 1:
      if (pos == length) return -1;
      run = ((tag >> 2) & 7) + 4;
      offset = ((size_t)(tag >> 5) << 8) | in[pos++];
      break;
    case 2:
      if (length - pos < 2) return -1;
      run = (tag >> 2) + 1;
      offset = load_le(in + pos, 2);
      pos += 2;
      break;
    default:
      if (length - pos < 4) return -1;
      run = (tag >> 2) + 1;
      offset = load_le(in + pos, 4);
      pos += 4;
      break;
    }
    if (offset == 0 || offset > written || expected - written < run) return -1;
    for (size_t i = 0; i < run; i++, written++) out[written] = out[written - offset];
  }
  return written == expected ? (long)written : -1;
}

static uint32_t masked_crc(const uint8_t *bytes, size_t length) {
  uint32_t crc = ~walkit_crc32c_update(0xFFFFFFFFu, bytes, length);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

walkit_decompress_status walkit_unsnappy(const uint8_t *input, size_t length, uint8_t *output, size_t capacity,
                                         size_t *produced, char *message, size_t message_capacity) {
  static const uint8_t identifier[6] = {'s', 'N', 'a', 'P', 'p', 'Y'};
  uint8_t chunk[CHUNK_MAX];
  size_t pos = 0;
  int identified = 0;
  *produced = 0;
  while (pos < length) {
    if (length - pos < 4) return WALKIT_DECOMPRESS_TRUNCATED;
    uint8_t type = input[pos];
    if (!identified && type != 0xFF) return fail(message, message_capacity, "no stream identifier");
    size_t size = load_le(input + pos + 1, 3);
    pos += 4;
    if (length - pos < size) return WALKIT_DECOMPRESS_TRUNCATED;
    const uint8_t *body = input + pos;
    pos += size;
    if (type == 0xFF) {
      if (size != 6 || memcmp(body, identifier, 6) != 0) return fail(message, message_capacity, "bad stream identifier");
      identified = 1;
      continue;
    }
    if (type == 0x00 || type == 0x01) {
      if (size < 4) return fail(message, message_capacity, "chunk shorter than its checksum");
      const uint8_t *data = body + 4;
      size_t data_length = size - 4;
      long decoded;
      if (type == 0x00) {
        decoded = raw_block(data, data_length, chunk, CHUNK_MAX);
        if (decoded < 0) return fail(message, message_capacity, "corrupt compressed chunk");
        data = chunk;
      } else {
        if (data_length > CHUNK_MAX) return fail(message, message_capacity, "uncompressed chunk over 64 kB");
        decoded = (long)data_length;
      }
      if (masked_crc(data, (size_t)decoded) != load_le(body, 4)) return fail(message, message_capacity, "chunk checksum mismatch");
      size_t room = capacity - *produced;
      size_t take = (size_t)decoded < room ? (size_t)decoded : room;
      memcpy(output + *produced, data, take);
      *produced += take;
      if (take < (size_t)decoded) return WALKIT_DECOMPRESS_OUTPUT_FULL;
      continue;
    }
    if (type >= 0x02 && type <= 0x7F) return fail(message, message_capacity, "reserved unskippable chunk");
    /* Padding (0xFE) and reserved skippable chunks (0x80-0xFD). */
  }
  if (!identified) return WALKIT_DECOMPRESS_TRUNCATED;
  return *produced == capacity ? WALKIT_DECOMPRESS_OUTPUT_FULL : WALKIT_DECOMPRESS_OK;
}
