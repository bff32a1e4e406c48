#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "provenance/fingerprint_index.h"

namespace sluice {
namespace {

// Pascal's triangle: exact binomials up to 60 (C(60,30) ~ 1.2e17 fits in 64 bits).
std::vector<std::vector<uint64_t>> Pascal(int rows) {
  std::vector<std::vector<uint64_t>> c(rows + 1);
  for (int a = 0; a <= rows; ++a) {
    c[a].assign(a + 1, 1);
    for (int b = 1; b < a; ++b) c[a][b] = c[a - 1][b - 1] + c[a - 1][b];
  }
  return c;
}

TEST(HypergeometricTail, MatchesExactSumsForSmallPopulations) {
  constexpr int kMax = 60;
  const auto c = Pascal(kMax);
  double worst = 0;
  for (int N = 0; N <= kMax; ++N) {
    for (int K = 0; K <= N; ++K) {
      for (int n = 0; n <= N; ++n) {
        // Exact tail numerators: sum_{i>=k} C(K,i) C(N-K,n-i), each term <= C(N,n).
        const int hi = std::min(K, n);
        unsigned __int128 tail = 0;
        std::vector<unsigned __int128> tails(hi + 2, 0);
        for (int i = hi; i >= 0; --i) {
          if (n - i <= N - K) tail += static_cast<unsigned __int128>(c[K][i]) * c[N - K][n - i];
          tails[i] = tail;
        }
        const long double total = static_cast<long double>(c[N][n]);
        for (int k = 0; k <= hi + 1; ++k) {
          const long double expect = static_cast<long double>(tails[k]) / total;
          const double got = HypergeometricTail(N, K, n, k);
          const double rel = expect == 0 ? std::fabs(got) : std::fabs(got - expect) / expect;
          worst = std::max(worst, rel);
          ASSERT_LE(rel, 1e-9) << "N=" << N << " K=" << K << " n=" << n << " k=" << k << " got " << got
                               << " expect " << static_cast<double>(expect);
        }
      }
    }
  }
  RecordProperty("worst_relative_error", std::to_string(worst));
}

TEST(HypergeometricTail, EdgeCases) {
  EXPECT_EQ(HypergeometricTail(100, 10, 20, 0), 1.0);
  EXPECT_EQ(HypergeometricTail(100, 10, 20, 11), 0.0);   // k > K
  EXPECT_EQ(HypergeometricTail(100, 30, 5, 6), 0.0);     // k > n
  EXPECT_EQ(HypergeometricTail(0, 0, 0, 0), 1.0);
  EXPECT_EQ(HypergeometricTail(10, 8, 5, 3), 1.0);       // at least 3 of 5 draws hit 8 of 10
  // n or K past N are clamped to N: every draw is a success.
  EXPECT_EQ(HypergeometricTail(10, 20, 5, 5), 1.0);
  EXPECT_EQ(HypergeometricTail(10, 4, 50, 4), 1.0);
  EXPECT_EQ(HypergeometricTail(10, 4, 50, 5), 0.0);
}

// Large populations: one exact closed form (k = K = n: 1 / C(N, n)) and the shape of the tail.
TEST(HypergeometricTail, LargePopulations) {
  const uint64_t N = 1'000'000'000;
  // P(X >= 2) with K = n = 2: 1 / C(N, 2).
  const double expect = 2.0 / (static_cast<double>(N) * static_cast<double>(N - 1));
  EXPECT_NEAR(HypergeometricTail(N, 2, 2, 2) / expect, 1.0, 1e-6);

  // An app received K = 1e6 of N = 1e9 posts; a corpus holds n = 1e5 of them. Expected
  // overlap 100; the tail falls monotonically through [0, 1].
  const uint64_t K = 1'000'000, n = 100'000;
  double prev = 1.0;
  for (uint64_t k = 0; k <= 1000; k += 10) {
    const double p = HypergeometricTail(N, K, n, k);
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
    EXPECT_LE(p, prev) << k;
    prev = p;
  }
  EXPECT_GT(HypergeometricTail(N, K, n, 90), 0.8);
  EXPECT_LT(HypergeometricTail(N, K, n, 110), 0.2);
  EXPECT_LT(HypergeometricTail(N, K, n, 200), 1e-15);
  EXPECT_GT(HypergeometricTail(N, K, n, 200), 0.0);
  EXPECT_EQ(HypergeometricTail(N, K, n, 5000), 0.0);  // far below 1e-300
  // Near the mean: P(X >= mean) is about one half (Poisson-like, slightly above).
  EXPECT_NEAR(HypergeometricTail(N, K, n, 100), 0.51, 0.03);
}

}  // namespace
}  // namespace sluice
