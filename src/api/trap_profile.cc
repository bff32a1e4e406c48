#include "api/trap_profile.h"

#include <algorithm>
#include <cmath>

#include "core/mix.h"

namespace sluice {

namespace {

// Draw `k` of `seed`: a fraction in [0, 0.1).
double Toward(uint64_t seed, uint64_t k) { return 0.1 * double(Mix64(seed ^ Mix64(k + 1)) >> 11) / double(1ULL << 53); }

// `a` moved the fraction t of the way to `b` on a log scale (counts are heavy-tailed: a
// linear step towards a star's followers would make one of anybody), rounded; a zero stays
// (a count of 0 is common and exact).
int64_t Blend(int64_t a, int64_t b, double t) {
  if (a <= 0 || b <= 0) return std::max<int64_t>(a, 0);
  return int64_t(std::llround(std::exp(std::log(double(a)) + t * (std::log(double(b)) - std::log(double(a))))));
}

}  // namespace

PostMetrics TrapMetrics(const PostMetrics& a, const PostMetrics& b, uint64_t seed) {
  // One fraction for all six: the linear ties between a post's counts hold for the blend.
  const double t = Toward(seed, 0);
  return {Blend(a.retweet_count, b.retweet_count, t), Blend(a.reply_count, b.reply_count, t),
          Blend(a.like_count, b.like_count, t),       Blend(a.quote_count, b.quote_count, t),
          Blend(a.bookmark_count, b.bookmark_count, t), Blend(a.impression_count, b.impression_count, t)};
}

User TrapAuthorProfile(const User& model, const User& other, Id id, std::string username, std::string name,
                       TimeMs first_post, int64_t min_posts, uint64_t seed) {
  User u;
  u.id = id;
  u.username = std::move(username);
  u.name = std::move(name);
  u.synthetic = true;
  const bool organisation = model.verified_type == VerifiedType::kBusiness ||
                            model.verified_type == VerifiedType::kGovernment || !model.labels.empty();
  if (!organisation) {
    u.description = model.description;
    u.verified_type = model.verified_type;
  }
  u.location = model.location;
  const UserMetrics& a = model.metrics;
  const UserMetrics& b = other.metrics;
  const double audience = Toward(seed, 1);  // followers and lists move together
  u.metrics.followers_count = Blend(a.followers_count, b.followers_count, audience);
  u.metrics.listed_count = Blend(a.listed_count, b.listed_count, audience);
  u.metrics.following_count = Blend(a.following_count, b.following_count, Toward(seed, 2));
  u.metrics.tweet_count = std::max(Blend(a.tweet_count, b.tweet_count, Toward(seed, 3)), min_posts);
  u.metrics.like_count = Blend(a.like_count, b.like_count, Toward(seed, 4));
  constexpr TimeMs kDay = 86'400'000;
  // Account ages (before the trap) blend like counts.
  const TimeMs age = Blend(first_post - model.created_at, first_post - other.created_at, Toward(seed, 5));
  u.created_at = first_post - std::max(age, kDay);
  return u;
}

}  // namespace sluice
