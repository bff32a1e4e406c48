#include "ingest/seed.h"

#include <string>

#include "core/snowflake.h"
#include "ingest/seed_internal.h"

namespace sluice {

namespace {

Status CheckOptions(const SeedOptions& o) {
  using seed_internal::kDayMs;
  if (o.users < 0) return CommandError("seed: --users must not be negative");
  if (o.posts < 0) return CommandError("seed: --posts must not be negative");
  if (o.posts > 0 && o.users == 0) return CommandError("seed: posts need at least one user (--users)");
  if (o.batch_size < 1) return CommandError("seed: batch size must be at least 1");
  if (o.node_id < 0 || o.node_id > kMaxNodeId)
    return CommandError("seed: node id must be in 0.." + std::to_string(kMaxNodeId));
  // Users are created up to 12 years back, posts over the last 30 days: both need snowflake time.
  if (o.now < kSnowflakeEpochMs + 400 * kDayMs) return CommandError("seed: the current time is unset or before 2012");
  return Status::Ok();
}

}  // namespace

Status GenerateSeed(const SeedOptions& o, const std::function<Status(WriteBatch&&)>& sink,
                    const std::function<void(int64_t, int64_t)>& progress) {
  if (Status s = CheckOptions(o); !s.ok()) return s;
  const int64_t total = o.users + o.posts;
  int64_t done = 0;
  seed_internal::Emit emit = [&](WriteBatch&& batch, int64_t count) -> Status {
    if (Status s = sink(std::move(batch)); !s.ok()) return s;
    done += count;
    if (progress && count > 0) progress(done, total);
    return Status::Ok();
  };
  // Independent streams: tuning the user generator does not reshuffle every post.
  Rng user_rng(o.seed);
  Rng post_rng(o.seed ^ 0xD1B54A32D192ED03ULL);
  seed_internal::SeedUsers users;
  if (Status s = seed_internal::GenerateUsers(o, user_rng, users, emit); !s.ok()) return s;
  if (Status s = seed_internal::GenerateFollows(o, users, emit); !s.ok()) return s;
  return seed_internal::GeneratePosts(o, post_rng, users, emit);
}

}  // namespace sluice
