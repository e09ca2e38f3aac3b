#include "codecs.h"

#include <limits.h>

int walkit_lz4_decompress(const void *input, int input_length, void *output, int output_length) {
  const struct walkit_lz4 *lz4 = walkit_lz4_api();
  if (!lz4) return INT_MIN;
  return lz4->decompressSafe((const char *)input, (char *)output, input_length, output_length);
}

long walkit_zstd_decompress(const void *input, size_t input_length, void *output, size_t output_capacity) {
  const struct walkit_zstd *zstd = walkit_zstd_api();
  if (!zstd) return -2;
  size_t produced = zstd->decompress(output, output_capacity, input, input_length);
  return zstd->isError(produced) ? -1 : (long)produced;
}
