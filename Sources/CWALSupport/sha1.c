#include "codecs.h"

int walkit_sha1(const void *bytes, size_t length, uint8_t digest[20]) {
  const struct walkit_sha1_api *crypto = walkit_crypto_api();
  if (!crypto) return -1;
  unsigned int size = 0;
  return crypto->digest(bytes, length, digest, &size, crypto->sha1(), NULL) == 1 && size == 20;
}
