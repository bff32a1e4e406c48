#include "provenance/fingerprint_index.h"

#include <algorithm>
#include <cmath>

namespace sluice {
namespace {

long double LogChoose(uint64_t a, uint64_t b) {
  return std::lgamma(static_cast<long double>(a) + 1) - std::lgamma(static_cast<long double>(b) + 1) -
         std::lgamma(static_cast<long double>(a - b) + 1);
}

// log P(X = i) for X ~ Hypergeometric(N, K, n), lo <= i <= hi.
long double LogPmf(uint64_t N, uint64_t K, uint64_t n, uint64_t i) {
  return LogChoose(K, i) + LogChoose(N - K, n - i) - LogChoose(N, n);
}

// Terms below e^-60 of the running sum change it by less than 1e-26 relative: stop there.
constexpr long double kNegligible = 60;

}  // namespace

// Only the first term comes from lgamma; the others follow by the pmf's ratio recurrence
//   P(i+1) / P(i) = (K-i)(n-i) / ((i+1)(N-K-n+i+1)),
// summed in log space (log-sum-exp) from the starting term outwards. The pmf is unimodal, so
// summing away from the mode the terms only shrink and the loop stops once they are
// negligible. When k is at or below the mode the tail is large and is computed as
// 1 - P(X <= k-1), whose terms shrink going down from k-1: both directions stay short.
double HypergeometricTail(uint64_t N, uint64_t K, uint64_t n, uint64_t k) {
  K = std::min(K, N);
  n = std::min(n, N);
  const uint64_t lo = n > N - K ? n - (N - K) : 0;  // smallest possible X
  const uint64_t hi = std::min(K, n);                // largest possible X
  if (k <= lo) return 1.0;
  if (k > hi) return 0.0;
  const long double NK = static_cast<long double>(N - K);
  const uint64_t mode = static_cast<uint64_t>(
      (static_cast<long double>(n) + 1) * (static_cast<long double>(K) + 1) / (static_cast<long double>(N) + 2));

  long double log_sum;
  if (k > mode) {  // upper tail, terms decreasing from k upwards
    long double term = LogPmf(N, K, n, k);
    log_sum = term;
    for (uint64_t i = k; i < hi; ++i) {
      const long double id = static_cast<long double>(i);
      term += std::log((static_cast<long double>(K) - id) * (static_cast<long double>(n) - id)) -
              std::log((id + 1) * (NK - static_cast<long double>(n) + id + 1));
      if (term < log_sum - kNegligible) break;
      log_sum += std::log1p(std::exp(term - log_sum));
    }
    const double p = static_cast<double>(std::exp(log_sum));
    return p < 1e-300 ? 0.0 : std::min(p, 1.0);
  }
  // lower part P(X <= k-1), terms decreasing from k-1 downwards.
  long double term = LogPmf(N, K, n, k - 1);
  log_sum = term;
  for (uint64_t i = k - 1; i > lo; --i) {
    const long double id = static_cast<long double>(i);
    // P(i-1) / P(i) = i (N-K-n+i) / ((K-i+1)(n-i+1))
    term += std::log(id * (NK - static_cast<long double>(n) + id)) -
            std::log((static_cast<long double>(K) - id + 1) * (static_cast<long double>(n) - id + 1));
    if (term < log_sum - kNegligible) break;
    log_sum += std::log1p(std::exp(term - log_sum));
  }
  const long double p = 1.0L - std::exp(log_sum);
  return static_cast<double>(std::clamp(p, 0.0L, 1.0L));
}

}  // namespace sluice
