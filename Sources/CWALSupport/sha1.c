#include "CWALSupport.h"

#include <openssl/evp.h>

int walkit_sha1(const void *bytes, size_t length, uint8_t digest[20]) {
  unsigned int size = 0;
  return EVP_Digest(bytes, length, digest, &size, EVP_sha1(), NULL) == 1 && size == 20;
}
