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

#if defined(__x86_64__) || defined(__aarch64__)
/* Shifting a CRC past a run of zero bytes, so that three CRCs computed side by side over
   adjacent blocks can be combined (Mark Adler's method, as in zlib's crc32_combine). */
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256
static uint32_t long_shift[4][256], short_shift[4][256];

static uint32_t gf2_times(const uint32_t *matrix, uint32_t vector) {
  uint32_t sum = 0;
  while (vector) {
    if (vector & 1) sum ^= *matrix;
    vector >>= 1;
    matrix++;
  }
  return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *matrix) {
  for (int n = 0; n < 32; n++) square[n] = gf2_times(matrix, matrix[n]);
}

/* The operator that appends `length` zero bytes; `length` is a power of two. */
static void zeros_operator(uint32_t *even, size_t length) {
  uint32_t odd[32], row = 1;
  odd[0] = 0x82F63B78u;
  for (int n = 1; n < 32; n++) { odd[n] = row; row <<= 1; }
  gf2_square(even, odd);
  gf2_square(odd, even);
  do {
    gf2_square(even, odd);
    length >>= 1;
    if (length == 0) return;
    gf2_square(odd, even);
    length >>= 1;
  } while (length);
  memcpy(even, odd, sizeof odd);
}

static void build_shift(uint32_t table[4][256], size_t length) {
  uint32_t op[32];
  zeros_operator(op, length);
  for (uint32_t n = 0; n < 256; n++) {
    table[0][n] = gf2_times(op, n);
    table[1][n] = gf2_times(op, n << 8);
    table[2][n] = gf2_times(op, n << 16);
    table[3][n] = gf2_times(op, n << 24);
  }
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t crc) {
  return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^ table[3][crc >> 24];
}
#endif

#if defined(__x86_64__)
#define CRC_BYTE(c, b) _mm_crc32_u8((uint32_t)(c), (b))
#define CRC_WORD(c, w) _mm_crc32_u64((c), (w))
#define HARDWARE_TARGET __attribute__((target("sse4.2")))
#elif defined(__aarch64__)
#define CRC_BYTE(c, b) __crc32cb((uint32_t)(c), (b))
#define CRC_WORD(c, w) __crc32cd((uint32_t)(c), (w))
#define HARDWARE_TARGET __attribute__((target("crc")))
#endif

#if defined(__x86_64__) || defined(__aarch64__)
static inline uint64_t load64(const uint8_t *p) {
  uint64_t word;
  memcpy(&word, p, 8);
  return word;
}

/* The instruction has a latency of three cycles and a throughput of one per cycle, so long
   buffers run as three independent streams over adjacent blocks, combined by shifting. */
#define THREE_STREAMS(BLOCK, TABLE)                                         \
  while (n >= 3 * (BLOCK)) {                                                \
    uint64_t c1 = 0, c2 = 0;                                                \
    const uint8_t *end = p + (BLOCK);                                       \
    do {                                                                    \
      c0 = CRC_WORD(c0, load64(p));                                         \
      c1 = CRC_WORD(c1, load64(p + (BLOCK)));                               \
      c2 = CRC_WORD(c2, load64(p + 2 * (BLOCK)));                           \
      p += 8;                                                               \
    } while (p < end);                                                      \
    c0 = shift(TABLE, (uint32_t)c0) ^ (uint32_t)c1;                         \
    c0 = shift(TABLE, (uint32_t)c0) ^ (uint32_t)c2;                         \
    p += 2 * (BLOCK);                                                       \
    n -= 3 * (BLOCK);                                                       \
  }

HARDWARE_TARGET
static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c0 = crc;
  while (n && ((uintptr_t)p & 7)) { c0 = CRC_BYTE(c0, *p++); n--; }
  THREE_STREAMS(LONG_BLOCK, long_shift)
  THREE_STREAMS(SHORT_BLOCK, short_shift)
  while (n >= 8) { c0 = CRC_WORD(c0, load64(p)); p += 8; n -= 8; }
  while (n--) c0 = CRC_BYTE(c0, *p++);
  return (uint32_t)c0;
}
#endif

#if defined(__x86_64__)
static int cpu_has_crc(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  return (ecx & bit_SSE4_2) != 0;
}
#elif defined(__aarch64__)
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
#if defined(__x86_64__) || defined(__aarch64__)
  build_shift(long_shift, LONG_BLOCK);
  build_shift(short_shift, SHORT_BLOCK);
#endif
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
