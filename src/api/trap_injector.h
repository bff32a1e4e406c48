#pragma once
//! TrapInjector: puts trap records (src/provenance/traps.h), written from the platform's own
//! posts to match the page's query, into search pages, about one per
//! `every_posts` posts delivered to an app, so that a leak of the app's data carries records
//! that name it. Whether a page gets one is drawn from the app and the page's ends, keyed by
//! the secret (probability rows / every_posts), so a page asked again gets the same answer.
//! A trap takes an id between two neighbouring posts of the page, so ids stay descending and
//! its time lies between theirs; the page keeps its limit (paging.h, RenderPage) and
//! result_count counts the trap like any post. Once delivered, a trap is one of its app's
//! posts: its searches, counts and its author's timeline hold it (Store::FindTraps).
//! Thread-safe; shared by the workers.

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/context.h"
#include "provenance/traps.h"
#include "store/search/query.h"

namespace sluice {

class TrapInjector {
 public:
  //! `secret`: at least 32 bytes (kept in DATA/traps.secret).
  TrapInjector(std::string secret, int64_t every_posts, TrapTextModel model);

  //! The model traps are written with: of up to `max_posts` live posts of `store`, sampled by
  //! a hash of their id (the same store gives the same sample), the original ones (no
  //! reference, not a reply, latest version, a language other than "und"), with their `lang`.
  static constexpr size_t kModelPosts = 50'000;
  static Result<TrapTextModel> ModelFromStore(Store& store, size_t max_posts = kModelPosts);

  //! Maybe inserts one trap into `rows` (a page: descending ids, at most its limit) for
  //! `app`, between two neighbours (never at either end); the trap is stored first. `full`:
  //! the caller then cuts the page back to its limit by dropping its far end (the last row, or
  //! the first when `newer`), so the trap is never put next to that row. `query`: the page's
  //! search query (null for a page without one): the trap then matches it (api/trap_query.h),
  //! and a page whose query no trap can match gets none. Returns its id, or 0 when none was
  //! added (also on any storage error: a page is never refused for a trap). A page refused
  //! afterwards (cap, credits) keeps its trap stored: it was sent to no one and is in no
  //! record, so it can be in no leak and is never counted; deleting it would only let its
  //! counter be handed out twice. `fresh`: how many of `rows` this call delivers (0: all); a
  //! stream passes the post it is about to send and, as its neighbour only, the one it sent
  //! before (fresh 1), so a stream gets traps at the rate a page does.
  Id MaybeInject(ApiContext& ctx, const App& app, std::vector<StoredPost>& rows, bool full, bool newer,
                 const SearchNode* query = nullptr, size_t fresh = 0);

  //! The stored trap as a post, for rendering (and for its owner's lookups).
  static StoredPost AsPost(const StoredTrap& trap);

  //! The newest trap by synthetic author `author` that `app` was delivered, if any: whether
  //! `app` may see that author (to every other app it does not exist), and its
  //! most_recent_tweet_id.
  static Result<std::optional<Id>> NewestTrapBy(Store& store, Id app, Id author);

  //! Whether `id` is a trap delivered to `app` (to every other app it does not exist).
  static Result<bool> TrapOf(Store& store, Id app, Id id);

  //! Moves `trap` from the response's delivered posts to its delivered traps: ledgered, but
  //! never counted against caps or billed.
  static void MarkTrapDelivered(ApiResponse& response, Id trap);

  //! The id of a trap between neighbours `hi` > `lo` + 1 (`draw`: a deterministic random
  //! number): strictly between them, a snowflake of a time between theirs with `lo`'s node
  //! and sequence when a millisecond lies between them.
  static Id TrapId(Id hi, Id lo, uint64_t draw);

  //! Loads DATA/traps.secret, creating it (32 random bytes, mode 0600) if absent.
  static Result<std::string> LoadOrCreateSecret(const std::string& path);

 private:
  const std::string secret_;
  const uint64_t key_;  // from secret_: keys the draw of which pages get a trap
  const int64_t every_posts_;
  const TrapTextModel model_;

  //! Whether `app` may get traps yet: once it has been delivered every_posts posts since the
  //! server started (counting `rows` now), or already holds a trap (stored, so it survives a
  //! restart). Before that no page gets one: a client, or a test, that reads less never meets
  //! a trap, as with the per-app counter this draw replaced.
  bool Eligible(ApiContext& ctx, Id app, size_t rows);
  std::mutex mu_;
  std::unordered_map<Id, int64_t> delivered_;  // guarded by mu_: posts delivered per app since start
  std::unordered_set<Id> open_;                // guarded by mu_: apps past the gate
  std::unordered_set<Id> asked_;               // guarded by mu_: apps whose stored traps were counted
};

}  // namespace sluice
