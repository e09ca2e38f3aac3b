// Facts about the processor that choices of how to read are made by.
#include "CWALSupport.h"
#include "cpu.h"

#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <pthread.h>

static walkit_cpuid_leaves leaves;
static pthread_once_t leaves_read = PTHREAD_ONCE_INIT;

static void read_leaves(void) {
  unsigned eax, ebx, ecx, edx;
  __cpuid(0, eax, ebx, ecx, edx);
  leaves.max_leaf = eax;
  memcpy(leaves.vendor, &ebx, 4);
  memcpy(leaves.vendor + 4, &edx, 4);
  memcpy(leaves.vendor + 8, &ecx, 4);
  if (leaves.max_leaf >= 1) {
    __cpuid(1, eax, ebx, ecx, edx);
    leaves.leaf1_ecx = ecx;
  }
  if (leaves.max_leaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    leaves.leaf7_ebx = ebx;
    leaves.leaf7_ecx = ecx;
  }
}

const walkit_cpuid_leaves *walkit_cpuid(void) {
  pthread_once(&leaves_read, read_leaves);
  return &leaves;
}
#endif

int walkit_cpu_is_intel(void) {
#if defined(__x86_64__)
  return memcmp(walkit_cpuid()->vendor, "GenuineIntel", 12) == 0;
#else
  return 0;
#endif
}
