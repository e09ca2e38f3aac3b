// Large buffers backed by transparent huge pages where the kernel allows them.
//
// A segment-sized buffer is written once by `pread` in a run that reads a single segment: with
// 4 kB pages that first write takes 4,096 page faults, each allocating, zeroing and accounting
// one page, which costs more than reading and checking the segment. Aligned to 2 MiB and marked
// MADV_HUGEPAGE, the same 16 MiB fault in as eight pages. Where transparent huge pages are off
// the advice is ignored and the buffer is an ordinary anonymous mapping.
#define _GNU_SOURCE
#include "CWALSupport.h"

#include <stdint.h>
#include <sys/mman.h>

enum { HUGE_PAGE = 2 << 20 };

void *walkit_large_buffer_allocate(size_t length) {
  if (length == 0 || length > SIZE_MAX - 2 * (size_t)HUGE_PAGE) return NULL;
  size_t rounded = (length + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
  size_t reserved = rounded + HUGE_PAGE;
  char *start = mmap(NULL, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (start == MAP_FAILED) return NULL;
  char *aligned = (char *)(((uintptr_t)start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  if (aligned > start) munmap(start, (size_t)(aligned - start));
  char *end = aligned + rounded;
  if (start + reserved > end) munmap(end, (size_t)(start + reserved - end));
#ifdef MADV_HUGEPAGE
  madvise(aligned, rounded, MADV_HUGEPAGE);
#endif
  return aligned;
}

void walkit_large_buffer_release(void *base, size_t length) {
  if (base == NULL || length == 0) return;
  size_t rounded = (length + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
  munmap(base, rounded);
}
