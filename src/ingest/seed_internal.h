#pragma once
//! Internal to the seed generator: the state shared by its user and post halves.

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/snowflake.h"
#include "ingest/random.h"
#include "ingest/seed.h"
#include "ingest/vocabulary.h"

namespace sluice::seed_internal {

inline constexpr TimeMs kHourMs = 3'600'000;
inline constexpr TimeMs kDayMs = 24 * kHourMs;

//! Snowflake ids for events handed over in non-decreasing time order. `t` is moved
//! forward when it would go back, or when its millisecond has used all 4096 sequences;
//! the caller keeps the moved time as the event's time, so SnowflakeTime(id) == t.
class IdMaker {
 public:
  explicit IdMaker(int node) : node_(node) {}
  Id Make(TimeMs& t) {
    if (t < last_) t = last_;
    if (t == last_) {
      if (++seq_ >= (1 << kSnowflakeSequenceBits)) {
        t = last_ + 1;
        seq_ = 0;
      }
    } else {
      seq_ = 0;
    }
    last_ = t;
    return MakeSnowflake(t, node_, seq_);
  }

 private:
  int node_;
  TimeMs last_ = -1;
  int seq_ = 0;
};

//! What posts need to know about a generated user.
struct SeedUser {
  Id id = 0;
  std::string username;
  const vocab::Language* lang = nullptr;
  bool is_protected = false;
  int64_t followers = 0;  // public_metrics: the stored edges never exceed them
  int64_t following = 0;
  int64_t likes = 0;
};

struct SeedUsers {
  std::vector<SeedUser> users;                           // in creation (id) order
  std::vector<int64_t> by_rank;                          // popularity rank -> index in users
  std::unordered_map<std::string, int64_t> by_username;  // lowercased username -> index
  ZipfSampler popularity{0};                             // draws a rank
  //! A user index drawn by popularity.
  int64_t Popular(Rng& rng) const { return by_rank[size_t(popularity.Sample(rng))]; }
};

//! Hands a finished batch of `count` items to the sink and reports progress.
using Emit = std::function<Status(WriteBatch&& batch, int64_t count)>;

Status GenerateUsers(const SeedOptions& o, Rng& rng, SeedUsers& out, const Emit& emit);
//! Every user's follows (seed_graph.cc), drawn by popularity from their own stream of o.seed,
//! in batches of at most o.batch_size follows (emitted with a count of 0: they are not among
//! the users and posts progress counts). Each user follows at most following_count users and
//! is followed by at most followers_count, so the stored edges never exceed the metrics.
Status GenerateFollows(const SeedOptions& o, const SeedUsers& users, const Emit& emit);
Status GeneratePosts(const SeedOptions& o, Rng& rng, const SeedUsers& users, const Emit& emit);

std::string Lowercase(std::string_view s);

}  // namespace sluice::seed_internal
