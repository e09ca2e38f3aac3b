#include "CWALSupport.h"
#include "cpu.h"

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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The tables and folding constants below: constants, not built at start-up (scripts/crc32c-tables). */
#include "crc32c_tables.h"

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
   adjacent blocks can be combined (Mark Adler's method, as in zlib's crc32_combine): the tables
   apply the operator that appends LONG_BLOCK or SHORT_BLOCK zero bytes. */
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

static inline uint32_t shift(const uint32_t table[4][256], uint32_t crc) {
  return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^ table[3][crc >> 24];
}
#endif

#if defined(__x86_64__)
#define CRC_BYTE(c, b) _mm_crc32_u8((uint32_t)(c), (b))
#define CRC_HALF(c, h) _mm_crc32_u16((uint32_t)(c), (h))
#define CRC_QUAD(c, q) _mm_crc32_u32((uint32_t)(c), (q))
#define CRC_WORD(c, w) _mm_crc32_u64((c), (w))
#define HARDWARE_TARGET __attribute__((target("sse4.2")))
#elif defined(__aarch64__)
#define CRC_BYTE(c, b) __crc32cb((uint32_t)(c), (b))
#define CRC_HALF(c, h) __crc32ch((uint32_t)(c), (h))
#define CRC_QUAD(c, q) __crc32cw((uint32_t)(c), (q))
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

/* Most records are short: their tail is taken in at most three steps, not byte by byte. */
HARDWARE_TARGET
static inline uint64_t crc32c_serial(uint64_t c0, const uint8_t *p, size_t n) {
  while (n >= 8) { c0 = CRC_WORD(c0, load64(p)); p += 8; n -= 8; }
  if (n & 4) {
    uint32_t quad;
    memcpy(&quad, p, 4);
    c0 = CRC_QUAD(c0, quad);
    p += 4;
  }
  if (n & 2) {
    uint16_t half;
    memcpy(&half, p, 2);
    c0 = CRC_HALF(c0, half);
    p += 2;
  }
  if (n & 1) c0 = CRC_BYTE(c0, *p);
  return c0;
}

/* A short record whole, body then header, in one call, finished (so that the dispatcher's
   call to it is a jump). */
HARDWARE_TARGET
static uint32_t crc32c_short_record(const uint8_t *record, size_t length, size_t covered) {
  uint64_t crc = crc32c_serial(0xFFFFFFFFu, record + WALKIT_RECORD_HEADER_SIZE, length - WALKIT_RECORD_HEADER_SIZE);
  if (covered == 20) {
    /* Every record's: xl_tot_len to xl_rmid and the padding, the CRC field left out. */
    uint32_t last;
    memcpy(&last, record + 16, 4);
    return (uint32_t)CRC_QUAD(CRC_WORD(CRC_WORD(crc, load64(record)), load64(record + 8)), last) ^ 0xFFFFFFFFu;
  }
  return (uint32_t)crc32c_serial(crc, record, covered) ^ 0xFFFFFFFFu;
}

HARDWARE_TARGET
static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c0 = crc;
  THREE_STREAMS(LONG_BLOCK, long_shift)
  THREE_STREAMS(SHORT_BLOCK, short_shift)
  while (n >= 32) {
    c0 = CRC_WORD(c0, load64(p));
    c0 = CRC_WORD(c0, load64(p + 8));
    c0 = CRC_WORD(c0, load64(p + 16));
    c0 = CRC_WORD(c0, load64(p + 24));
    p += 32;
    n -= 32;
  }
  return (uint32_t)crc32c_serial(c0, p, n);
}
#endif

#if defined(__x86_64__)
#include <immintrin.h>

/* Carry-less multiplication folding (Intel's "Fast CRC Computation for Generic Polynomials
   Using PCLMULQDQ"): 128-bit lanes of the data are multiplied forward over a distance of N
   bits by x^(N+32) and x^(N-32) modulo the polynomial (bit-reflected, one bit up) and added
   to the data there; what is left, 16 bytes, is reduced by the CRC instruction. The constants
   per distance, fold_2048 to fold_128, are in crc32c_tables.h. */

#define AVX512_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))

AVX512_TARGET
static inline __m512i fold512(__m512i lanes, __m512i constants, __m512i onto) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(lanes, constants, 0x00),
                                   _mm512_clmulepi64_epi128(lanes, constants, 0x11), onto, 0x96);
}

AVX512_TARGET
static inline __m128i fold128(__m128i lane, const uint64_t constants[2]) {
  __m128i k = _mm_set_epi64x((long long)constants[1], (long long)constants[0]);
  return _mm_xor_si128(_mm_clmulepi64_si128(lane, k, 0x00), _mm_clmulepi64_si128(lane, k, 0x11));
}

/* The hardware's prefetchers stop at each 4 kB page, and on some machines (an Intel Xeon's
   virtual cores, docs/benchmarks.md) one core then waits on memory at the start of every page
   of a mapped segment: asking a page ahead for the lines to come took the CRC of the bench's
   1.04 GB from 113 to 99 ms there. A prefetch of an address past the end of the bytes or of a
   mapping is dropped, never faults; the address is computed as an integer, not a pointer past
   the object. */
#define PREFETCH_DISTANCE 4096

static inline void prefetch_ahead(const uint8_t *p) {
  uintptr_t ahead = (uintptr_t)p + PREFETCH_DISTANCE;
  for (uintptr_t line = 0; line < 256; line += 64) _mm_prefetch((const char *)(ahead + line), _MM_HINT_T0);
}

/* The shortest input worth folding: below it the CRC instruction's chain is as quick. */
#define SHORTEST_FOLDED 128

/* 256 bytes per round in four 512-bit accumulators, then 64 bytes per round in one; inputs
   shorter than SHORTEST_FOLDED and the last 63 bytes or fewer go to the CRC instruction. */
AVX512_TARGET
static uint32_t crc32c_avx512(uint32_t crc, const uint8_t *p, size_t n) {
  if (n < SHORTEST_FOLDED) return crc32c_hardware(crc, p, n);
  __m512i k512 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)fold_512[1], (long long)fold_512[0]));
  __m512i first = _mm512_xor_si512(_mm512_loadu_si512(p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
  __m512i a3;
  if (n >= 256) {
    __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)fold_2048[1], (long long)fold_2048[0]));
    __m512i a0 = first, a1 = _mm512_loadu_si512(p + 64), a2 = _mm512_loadu_si512(p + 128);
    a3 = _mm512_loadu_si512(p + 192);
    p += 256;
    n -= 256;
    while (n >= 256) {
      prefetch_ahead(p);
      a0 = fold512(a0, k2048, _mm512_loadu_si512(p));
      a1 = fold512(a1, k2048, _mm512_loadu_si512(p + 64));
      a2 = fold512(a2, k2048, _mm512_loadu_si512(p + 128));
      a3 = fold512(a3, k2048, _mm512_loadu_si512(p + 192));
      p += 256;
      n -= 256;
    }
    a1 = fold512(a0, k512, a1);
    a2 = fold512(a1, k512, a2);
    a3 = fold512(a2, k512, a3);
  } else {
    a3 = first;
    p += 64;
    n -= 64;
  }
  for (; n >= 64; p += 64, n -= 64) a3 = fold512(a3, k512, _mm512_loadu_si512(p));
  __m128i last = _mm512_extracti32x4_epi32(a3, 3);
  last = _mm_xor_si128(last, fold128(_mm512_extracti32x4_epi32(a3, 0), fold_384));
  last = _mm_xor_si128(last, fold128(_mm512_extracti32x4_epi32(a3, 1), fold_256));
  last = _mm_xor_si128(last, fold128(_mm512_extracti32x4_epi32(a3, 2), fold_128));
  uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(last));
  c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(last, 1));
  return crc32c_hardware((uint32_t)c, p, n);
}

static int cpu_has_avx512_clmul(void) {
  const walkit_cpuid_leaves *leaves = walkit_cpuid();
  unsigned ebx = leaves->leaf7_ebx, ecx = leaves->leaf7_ecx;
  int avx512 = (ebx & bit_AVX512F) && (ebx & bit_AVX512VL) && (ecx & bit_VPCLMULQDQ);
  if (!avx512 || !(leaves->leaf1_ecx & bit_OSXSAVE)) return 0;
  /* The operating system saves the ZMM state (XCR0: SSE, AVX, opmask, ZMM halves). */
  unsigned lo, hi;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (lo & 0xE6) == 0xE6;
}

static int cpu_has_crc(void) { return (walkit_cpuid()->leaf1_ecx & bit_SSE4_2) != 0; }
#elif defined(__aarch64__)
static int cpu_has_crc(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#else
static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) { return crc32c_table(crc, p, n); }
static int cpu_has_crc(void) { return 0; }
#endif

typedef uint32_t (*crc_function)(uint32_t, const uint8_t *, size_t);
static crc_function selected;
static const char *selected_name;
static int has_crc_instruction;
/* Record bodies shorter than this go straight to the CRC instruction's serial chain. */
static size_t serial_record_limit = 512;
static char selection_note[160];

#if defined(__x86_64__)
/* Bytes read by the measurement: constant, so they lie in the executable's file, whose pages
   the kernel maps sixteen at a fault, rather than in fresh zeroed memory (a dozen faults of
   several microseconds each on a virtual machine, at every start). The speed does not depend
   on the values. */
static const uint8_t measurement_sample[64 * 1024] = {1, 2, 3, 5, 8, 13, 21, 34};

/* Bytes per second of `update` over 64 kB (about two full-page images and the records between
   them), the best of five tries: the first 512-bit instructions may run slowly while the core
   changes its frequency licence. */
static double measured_speed(crc_function update) {
  const uint8_t *sample = measurement_sample;
  double best = 0;
  for (int attempt = 0; attempt < 5; attempt++) {
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile uint32_t sink = update(0xFFFFFFFFu, sample, sizeof measurement_sample);
    (void)sink;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) * 1e-9;
    if (seconds > 0 && sizeof measurement_sample / seconds > best) best = sizeof measurement_sample / seconds;
  }
  return best;
}

/* The AVX-512 folding is not faster on every CPU that has it (frequency licences, how wide the
   units really are): when both paths exist, the faster one here and now is used.
   WALKIT_CRC32C=sse4.2 or avx512-vpclmulqdq names one instead (for benchmarks). */
static void choose_wide_path(void) {
  const char *forced = getenv("WALKIT_CRC32C");
  if (forced && strcmp(forced, "sse4.2") == 0) {
    snprintf(selection_note, sizeof selection_note, "set by WALKIT_CRC32C");
    return;
  }
  if (forced && strcmp(forced, "avx512-vpclmulqdq") == 0) {
    selected = crc32c_avx512;
    selected_name = "avx512-vpclmulqdq";
    serial_record_limit = SHORTEST_FOLDED;
    snprintf(selection_note, sizeof selection_note, "set by WALKIT_CRC32C");
    return;
  }
  double wide = measured_speed(crc32c_avx512), narrow = measured_speed(crc32c_hardware);
  if (wide > narrow) {
    selected = crc32c_avx512;
    selected_name = "avx512-vpclmulqdq";
    serial_record_limit = SHORTEST_FOLDED;
  }
  snprintf(selection_note, sizeof selection_note, "the faster measured at start-up: avx512-vpclmulqdq %.1f GB/s, sse4.2 %.1f GB/s",
           wide / 1e9, narrow / 1e9);
}
#endif

__attribute__((constructor))
static void select_implementation(void) {
  if (cpu_has_crc()) {
    has_crc_instruction = 1;
    selected = crc32c_hardware;
#if defined(__x86_64__)
    selected_name = "sse4.2";
    if (cpu_has_avx512_clmul()) choose_wide_path();
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

uint32_t walkit_crc32c_record(const void *record, size_t length, size_t covered_header) {
  const uint8_t *bytes = (const uint8_t *)record;
  size_t body = length - WALKIT_RECORD_HEADER_SIZE;
  /* Most records are short: straight to the CRC instruction, past the wide paths' dispatch. */
#if defined(__x86_64__) || defined(__aarch64__)
  if (has_crc_instruction && body < serial_record_limit) return crc32c_short_record(bytes, length, covered_header);
#endif
  crc_function update = selected;
  uint32_t crc = update(0xFFFFFFFFu, bytes + WALKIT_RECORD_HEADER_SIZE, body);
  return update(crc, bytes, covered_header) ^ 0xFFFFFFFFu;
}

const char *walkit_crc32c_implementation(void) { return selected_name; }

const char *walkit_crc32c_selection(void) { return selection_note; }

/// For tests: the CRC instruction's path, whatever path was selected.
uint32_t walkit_crc32c_update_instruction(uint32_t crc, const void *bytes, size_t length) {
  if (!has_crc_instruction) return crc32c_table(crc, (const uint8_t *)bytes, length);
  return crc32c_hardware(crc, (const uint8_t *)bytes, length);
}

/// For tests: the portable implementation, whatever the CPU offers.
uint32_t walkit_crc32c_update_portable(uint32_t crc, const void *bytes, size_t length) {
  return crc32c_table(crc, (const uint8_t *)bytes, length);
}
