#include "provenance/byte_classes.h"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::fingerprint_detail {
namespace {

#if defined(__SSE2__)
// c in [lo, lo + len), for each byte (see BlockBits).
inline __m128i InRange(__m128i v, int lo, int len) {
  return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - lo))),
                        _mm_set1_epi8(static_cast<char>(-128 + len)));
}
inline __m128i Eq(__m128i v, int c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(c))); }
inline uint64_t Mask(__m128i m, int shift) { return uint64_t(uint32_t(_mm_movemask_epi8(m))) << shift; }

inline BlockBits ClassifyBlockSse2(const unsigned char* src, char* low) {
  BlockBits b;
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16 * q));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i upper = InRange(v, 'A', 26);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(low + 16 * q), _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    const int shift = 16 * q;
    b.high |= Mask(v, shift);
    b.alnum |= Mask(_mm_or_si128(InRange(folded, 'a', 26), InRange(v, '0', 10)), shift);
    b.at |= Mask(Eq(v, '@'), shift);
  }
  return b;
}

inline Latin1Bits ClassifyLatin1Sse2(const unsigned char* src) {
  Latin1Bits b;
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16 * q));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i tail = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(Eq(v, 0x97), Eq(v, 0x9F)), Eq(v, 0xB7)), InRange(v, 0x80, 0x40));
    const int shift = 16 * q;
    b.c3 |= Mask(Eq(v, 0xC3), shift);
    b.tail |= Mask(tail, shift);
    b.capital_tail |= Mask(_mm_and_si128(tail, InRange(v, 0x80, 0x1F)), shift);
    b.h_or_w |= Mask(_mm_or_si128(Eq(folded, 'h'), Eq(folded, 'w')), shift);
  }
  return b;
}
#endif

#if defined(__x86_64__)
// The same with AVX2, 32 bytes at a time, where the CPU has it (checked once at run time).
#define SLUICE_AVX2 __attribute__((target("avx2"), always_inline)) inline
SLUICE_AVX2 __m256i InRange(__m256i v, int lo, int len) {
  return _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(-128 + len)),
                           _mm256_add_epi8(v, _mm256_set1_epi8(static_cast<char>(128 - lo))));
}
SLUICE_AVX2 __m256i Eq(__m256i v, int c) { return _mm256_cmpeq_epi8(v, _mm256_set1_epi8(static_cast<char>(c))); }
SLUICE_AVX2 uint64_t Mask(__m256i m, int shift) { return uint64_t(uint32_t(_mm256_movemask_epi8(m))) << shift; }
#undef SLUICE_AVX2

__attribute__((target("avx2"))) BlockBits ClassifyBlockAvx2(const unsigned char* src, char* low) {
  BlockBits b;
  for (int q = 0; q < 2; ++q) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * q));
    const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    const __m256i upper = InRange(v, 'A', 26);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(low + 32 * q), _mm256_or_si256(v, _mm256_and_si256(upper, _mm256_set1_epi8(0x20))));
    const int shift = 32 * q;
    b.high |= Mask(v, shift);
    b.alnum |= Mask(_mm256_or_si256(InRange(folded, 'a', 26), InRange(v, '0', 10)), shift);
    b.at |= Mask(Eq(v, '@'), shift);
  }
  return b;
}

__attribute__((target("avx2"))) Latin1Bits ClassifyLatin1Avx2(const unsigned char* src) {
  Latin1Bits b;
  for (int q = 0; q < 2; ++q) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * q));
    const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    const __m256i tail =
        _mm256_andnot_si256(_mm256_or_si256(_mm256_or_si256(Eq(v, 0x97), Eq(v, 0x9F)), Eq(v, 0xB7)), InRange(v, 0x80, 0x40));
    const int shift = 32 * q;
    b.c3 |= Mask(Eq(v, 0xC3), shift);
    b.tail |= Mask(tail, shift);
    b.capital_tail |= Mask(_mm256_and_si256(tail, InRange(v, 0x80, 0x1F)), shift);
    b.h_or_w |= Mask(_mm256_or_si256(Eq(folded, 'h'), Eq(folded, 'w')), shift);
  }
  return b;
}
#if defined(SLUICE_NO_AVX2)  // tests build the SSE2 path this way too
const bool kHasAvx2 = false;
#else
// __builtin_cpu_init first: this initialiser may run before libgcc's own.
const bool kHasAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();
#endif
#endif

}  // namespace

BlockBits ClassifyBlock(const unsigned char* src, char* low) {
#if defined(__x86_64__)
  if (kHasAvx2) return ClassifyBlockAvx2(src, low);
#endif
#if defined(__SSE2__)
  return ClassifyBlockSse2(src, low);
#else
  BlockBits b;
  for (int k = 0; k < 64; ++k) {
    const unsigned char c = src[k];
    low[k] = kT.lower[c];
    b.high |= uint64_t(c >= 0x80) << k;
    b.alnum |= uint64_t(Cls(c) == kAlnum) << k;
    b.at |= uint64_t(c == '@') << k;
  }
  return b;
#endif
}

Latin1Bits ClassifyLatin1(const unsigned char* src) {
#if defined(__x86_64__)
  if (kHasAvx2) return ClassifyLatin1Avx2(src);
#endif
#if defined(__SSE2__)
  return ClassifyLatin1Sse2(src);
#else
  Latin1Bits b;
  for (int k = 0; k < 64; ++k) {
    const unsigned char c = src[k];
    b.c3 |= uint64_t(c == 0xC3) << k;
    b.tail |= uint64_t(IsLatin1Tail(c)) << k;
    b.capital_tail |= uint64_t(IsLatin1Tail(c) && c <= 0x9E) << k;
    b.h_or_w |= uint64_t(IsHOrW(c)) << k;
  }
  return b;
#endif
}


}  // namespace sluice::fingerprint_detail
