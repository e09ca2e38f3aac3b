#include "CWALSupport.h"

#include <lz4.h>
#include <zstd.h>

int walkit_lz4_decompress(const void *input, int input_length, void *output, int output_length) {
  return LZ4_decompress_safe((const char *)input, (char *)output, input_length, output_length);
}

long walkit_zstd_decompress(const void *input, size_t input_length, void *output, size_t output_capacity) {
  size_t produced = ZSTD_decompress(output, output_capacity, input, input_length);
  return ZSTD_isError(produced) ? -1 : (long)produced;
}
