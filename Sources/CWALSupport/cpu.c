// Facts about the processor that choices of how to read are made by.
#include "CWALSupport.h"

#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

int walkit_cpu_is_intel(void) {
#if defined(__x86_64__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
  char vendor[12];
  memcpy(vendor, &ebx, 4);
  memcpy(vendor + 4, &edx, 4);
  memcpy(vendor + 8, &ecx, 4);
  return memcmp(vendor, "GenuineIntel", 12) == 0;
#else
  return 0;
#endif
}
