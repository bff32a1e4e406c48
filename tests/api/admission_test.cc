// The rate-limit headers a decision puts on a response (what X sends, in X's order).
#include "api/admission.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using Headers = std::vector<std::pair<std::string_view, std::string>>;

TEST(AddRateLimitHeaders, FifteenMinuteWindow) {
  ApiResponse r;
  r.headers.emplace_back("Allow", "GET");  // the response's own come first
  AddRateLimitHeaders(LimitDecision{true, 900, 899, 1'700'000'000'001}, /*daily=*/false, r);
  EXPECT_EQ(r.headers, (Headers{{"Allow", "GET"},
                                {"x-rate-limit-limit", "900"},
                                {"x-rate-limit-remaining", "899"},
                                {"x-rate-limit-reset", "1700000001"}}));  // rounded up
}

TEST(AddRateLimitHeaders, TwentyFourHourWindowAlsoSendsTheAppLimitHeaders) {
  ApiResponse r;
  AddRateLimitHeaders(LimitDecision{false, 1'000'000'000'000'000'000, 0, 1'700'000'000'000}, /*daily=*/true, r);
  EXPECT_EQ(r.headers, (Headers{{"x-rate-limit-limit", "1000000000000000000"},
                                {"x-rate-limit-remaining", "0"},
                                {"x-rate-limit-reset", "1700000000"},
                                {"x-app-limit-24hour-limit", "1000000000000000000"},
                                {"x-app-limit-24hour-remaining", "0"},
                                {"x-app-limit-24hour-reset", "1700000000"}}));
}

}  // namespace
}  // namespace sluice
