// Pooled buffers marked untouchable while they wait in the pool, under AddressSanitizer.
//
// A buffer given back to a pool stays mapped, so AddressSanitizer cannot see a read through a
// pointer kept past the buffer's return: the bytes are still there, or another reader's. Marked
// poisoned while pooled, such a read is reported where it happens.
#include "CWALSupport.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WALKIT_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WALKIT_ADDRESS_SANITIZER 1
#endif

#ifdef WALKIT_ADDRESS_SANITIZER
#include <sanitizer/asan_interface.h>

void walkit_poison(const void *base, size_t length) { __asan_poison_memory_region(base, length); }
void walkit_unpoison(const void *base, size_t length) { __asan_unpoison_memory_region(base, length); }
#else
void walkit_poison(const void *base, size_t length) {
  (void)base;
  (void)length;
}
void walkit_unpoison(const void *base, size_t length) {
  (void)base;
  (void)length;
}
#endif
