#include "provenance/byte_classes.h"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::fingerprint_detail {
namespace {

#if defined(__SSE2__)
inline BlockBits ClassifyBlockSse2(const unsigned char* src, char* low) {
  BlockBits b;
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16 * q));
    auto in = [](__m128i x, char lo, int len) {
      return _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(static_cast<char>(128 - lo))),
                            _mm_set1_epi8(static_cast<char>(-128 + len)));
    };
    const __m128i letter = in(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
    const __m128i upper = in(v, 'A', 26);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(low + 16 * q), _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    const int shift = 16 * q;
    b.high |= uint64_t(uint32_t(_mm_movemask_epi8(v))) << shift;
    b.alnum |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_or_si128(letter, in(v, '0', 10))))) << shift;
    b.at |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@'))))) << shift;
  }
  return b;
}
#endif

#if defined(__x86_64__)
// The same with AVX2, 32 bytes at a time, where the CPU has it (checked once at run time).
__attribute__((target("avx2"))) BlockBits ClassifyBlockAvx2(const unsigned char* src, char* low) {
  BlockBits b;
  for (int q = 0; q < 2; ++q) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * q));
    auto in = [](__m256i x, char lo, int len) __attribute__((target("avx2"))) {
      return _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(-128 + len)),
                               _mm256_add_epi8(x, _mm256_set1_epi8(static_cast<char>(128 - lo))));
    };
    const __m256i letter = in(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), 'a', 26);
    const __m256i upper = in(v, 'A', 26);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(low + 32 * q),
                        _mm256_or_si256(v, _mm256_and_si256(upper, _mm256_set1_epi8(0x20))));
    const int shift = 32 * q;
    b.high |= uint64_t(uint32_t(_mm256_movemask_epi8(v))) << shift;
    b.alnum |= uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_or_si256(letter, in(v, '0', 10))))) << shift;
    b.at |= uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('@'))))) << shift;
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


}  // namespace sluice::fingerprint_detail
