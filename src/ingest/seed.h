#pragma once
//! Deterministic synthetic data for `sluice seed`: French and English users and posts that
//! look like X's (heavy-tailed popularity and metrics, replies in chains, quotes, retweets,
//! hashtags, mentions, cashtags, links), generated in a stream so memory stays bounded by
//! the user count and one batch, whatever the post count.

#include <cstdint>
#include <functional>

#include "core/result.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

struct SeedOptions {
  int64_t users = 5000;
  int64_t posts = 200000;
  uint64_t seed = 1;
  TimeMs now = 0;  // required: posts fall in [now - 30 days, now); users are created before that
  int node_id = 0;
  int64_t batch_size = 5000;
};

//! Generates users then posts (in increasing id/time order) and hands them to `sink` in batches;
//! `progress(done, total)` after each batch. Same options => byte-identical output. Stops at the first sink error.
//!
//! Users come first (all user batches before any post batch); a batch holds only users or
//! only posts, at most batch_size of them. Ids are snowflakes of (created_at, node_id, seq),
//! unique and increasing in generation order. Posts reference only earlier posts and existing
//! users; mention ids are filled. Texts are valid UTF-8 of at most 280 code points.
//! The social graph: batches of follows only (at most batch_size) come between the users and
//! the posts, and each post batch holds the likes of its posts too; follows and likes are not
//! counted by progress (nor towards a post batch's size); reposts are retweets among the posts. Stored edges never exceed the public metrics they stand for: a
//! user's follows its following_count, its followers its followers_count, its likes its
//! like_count; a post's likes its like_count, its reposts its retweet_count.
//! `progress` may be empty. Returns a CommandError for unusable options (negative counts,
//! posts without users, batch_size < 1, node_id outside 0..1023, `now` unset or before 2012),
//! or the sink's first error, unchanged.
Status GenerateSeed(const SeedOptions& o, const std::function<Status(WriteBatch&&)>& sink,
                    const std::function<void(int64_t, int64_t)>& progress);

}  // namespace sluice
