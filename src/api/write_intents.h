#pragma once
//! A write of the API (POST /2/tweets, DELETE /2/tweets/:id) takes effect only with its
//! ledger record (docs/ledger.md, "Writes and crashes"): the handler notes it in the store
//! (a pending post no read sees, or a deletion to come) with the ledger's size; the router
//! appends the record and waits until it is durable; then ApplyWrite publishes the post or
//! deletes it. A crash anywhere leaves at most intents, which ReconcileWrites settles at
//! start by the ledger: a record present applies the write, none drops it. The actions on
//! behalf of an account (likes, follows, hidden replies: Store::NoteAction) follow the same
//! rule; a repost is a post intent, an unrepost a deletion intent.

#include <cstdint>
#include <string>

#include "api/context.h"

namespace sluice {

//! The apply-write stage (stages.h), after the record stage, once the record of the write noted for `post_id` is durable (or
//! there is no ledger): publishes the post or deletes it. A write whose record failed is not
//! applied: its intent is left for the next start to settle, as after a crash (the record
//! may yet be on disk). An error (the store failed after the record was durable) leaves the
//! intent too: the next start applies it.
Status ApplyWrite(Store& store, Id post_id);

struct ReconcileReport {
  uint64_t applied = 0;  // intents whose record the ledger holds: posts published, deleted
  uint64_t dropped = 0;  // intents without a record: never acknowledged, now gone
};

//! At start, after the ledger in `ledger_dir` is open (its torn tail cut) and before any
//! request: settles every intent left in `store`, reading only the records from the oldest
//! intent's ledger size on. A record is the intent's when it has the intent's kind (201 of
//! "POST /2/tweets", 200 of "DELETE /2/tweets/:id"), its post id, and a seq at or past the
//! intent's ledger size. A record of POST or DELETE /2/users/:id/retweets settles post
//! intents as POST /2/tweets (201) and DELETE /2/tweets/:id do. Action intents are settled
//! per (user, target), by the last 200 record of the pair's endpoints (likes: user_ids[0] and
//! post_ids[0]; follows: user_ids[0] and [1]; hidden: user_ids[0] and post_ids[0]) at or past
//! an intent's ledger size: one intent of that record's kind is applied, the others dropped,
//! so the last word the ledger holds is the state kept. A ledger that cannot be read is an
//! error and changes nothing.
Result<ReconcileReport> ReconcileWrites(const std::string& ledger_dir, Store& store);

}  // namespace sluice
