#include "CWALSupport.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <cpuid.h>
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#endif
#include <string.h>

static uint32_t table[8][256];

static void build_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[0][n] = c;
  }
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = table[0][n];
    for (int k = 1; k < 8; k++) {
      c = table[0][c & 0xFF] ^ (c >> 8);
      table[k][n] = c;
    }
  }
}

/// Slicing-by-8, for CPUs without a CRC-32C instruction.
static uint32_t crc32c_table(uint32_t crc, const uint8_t *p, size_t n) {
  while (n && ((uintptr_t)p & 7)) { crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8); n--; }
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    word ^= crc;
    crc = table[7][word & 0xFF] ^ table[6][(word >> 8) & 0xFF] ^ table[5][(word >> 16) & 0xFF] ^
          table[4][(word >> 24) & 0xFF] ^ table[3][(word >> 32) & 0xFF] ^
          table[2][(word >> 40) & 0xFF] ^ table[1][(word >> 48) & 0xFF] ^ table[0][word >> 56];
    p += 8; n -= 8;
  }
  while (n--) crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c = crc;
  while (n && ((uintptr_t)p & 7)) { c = _mm_crc32_u8((uint32_t)c, *p++); n--; }
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8; n -= 8;
  }
  while (n--) c = _mm_crc32_u8((uint32_t)c, *p++);
  return (uint32_t)c;
}

static int cpu_has_crc(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  return (ecx & bit_SSE4_2) != 0;
}
#elif defined(__aarch64__)
__attribute__((target("crc")))
static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) {
  while (n && ((uintptr_t)p & 7)) { crc = __crc32cb(crc, *p++); n--; }
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    crc = __crc32cd(crc, word);
    p += 8; n -= 8;
  }
  while (n--) crc = __crc32cb(crc, *p++);
  return crc;
}

static int cpu_has_crc(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#else
static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) { return crc32c_table(crc, p, n); }
static int cpu_has_crc(void) { return 0; }
#endif

typedef uint32_t (*crc_function)(uint32_t, const uint8_t *, size_t);
static crc_function selected;
static const char *selected_name;

__attribute__((constructor))
static void select_implementation(void) {
  build_table();
  if (cpu_has_crc()) {
    selected = crc32c_hardware;
#if defined(__x86_64__)
    selected_name = "sse4.2";
#else
    selected_name = "armv8-crc";
#endif
  } else {
    selected = crc32c_table;
    selected_name = "table";
  }
}

uint32_t walkit_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
  return selected(crc, (const uint8_t *)bytes, length);
}

const char *walkit_crc32c_implementation(void) { return selected_name; }

/// For tests: the portable implementation, whatever the CPU offers.
uint32_t walkit_crc32c_update_portable(uint32_t crc, const void *bytes, size_t length) {
  return crc32c_table(crc, (const uint8_t *)bytes, length);
}
