#pragma once
//! Rng: the seed generator's only source of randomness. xoshiro256** seeded by splitmix64,
//! with every derived draw (bounded integers, unit doubles) written here, so one seed gives
//! the same data with any compiler or standard library. Not thread-safe; not for secrets.

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace sluice {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) s = SplitMix64(x);
  }

  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  //! Uniform in [0, n); 0 when n == 0. Multiply-shift: the bias is below 2^-40 for our n.
  uint64_t Below(uint64_t n) { return uint64_t((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  //! Uniform in [lo, hi], inclusive.
  int64_t Between(int64_t lo, int64_t hi) { return lo + int64_t(Below(uint64_t(hi - lo) + 1)); }
  //! Uniform in [0, 1), 53 random bits.
  double Unit() { return double(Next() >> 11) * 0x1.0p-53; }
  //! Uniform in (0, 1]: safe to divide by.
  double UnitNonZero() { return double((Next() >> 11) + 1) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  uint64_t s_[4];
};

//! Ranks 1..n drawn with probability proportional to 1 / k^1.125 (Zipf, s = 9/8, close to
//! X's s ~ 1.1). The exponent is built from sqrt only, which IEEE rounds exactly, so the
//! table is identical on every platform. Returns a 0-based rank.
class ZipfSampler {
 public:
  explicit ZipfSampler(int64_t n) : cdf_(size_t(n > 0 ? n : 0)) {
    double sum = 0;
    for (int64_t k = 1; k <= n; ++k) {
      double x = double(k);
      sum += 1.0 / (x * std::sqrt(std::sqrt(std::sqrt(x))));
      cdf_[size_t(k - 1)] = sum;
    }
  }
  //! Requires n > 0.
  int64_t Sample(Rng& rng) const {
    double target = rng.Unit() * cdf_.back();
    size_t lo = 0, hi = cdf_.size() - 1;  // first index with cdf > target
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (cdf_[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return int64_t(lo);
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace sluice
