#pragma once
//! TrapInjector: puts trap records (src/provenance/traps.h) into search and timeline pages,
//! one per `every_posts` posts delivered to an app, so that a leak of the app's data carries
//! records that name it. A trap takes an id between two neighbouring posts of the page, so ids
//! stay descending, pagination tokens (made from the real posts at the page's ends) are
//! unchanged, and result_count counts it like any post. Thread-safe; shared by the workers.

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

  //! Maybe inserts one trap into `rows` (descending ids, already trimmed to the page) for
  //! `app`; the trap is stored first. Returns its id, or 0 when none was added (also on any
  //! storage error: a page is never refused for a trap). A page refused afterwards (cap,
  //! credits) keeps its trap stored: it was sent to no one and is in no record, so it can be
  //! in no leak and is never counted; deleting it would only let its counter be handed out
  //! twice.
  //! `query`: the page's search query (null for a timeline): the trap then matches it
  //! (api/trap_query.h); a page whose query no trap can match gets none, and the next page
  //! of the app is tried instead.
  Id MaybeInject(ApiContext& ctx, const App& app, std::vector<StoredPost>& rows, const SearchNode* query = nullptr);

  //! The stored trap as a post, for rendering (and for its owner's lookups).
  static StoredPost AsPost(const StoredTrap& trap);

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
  const int64_t every_posts_;
  const TrapTextModel model_;
  std::mutex mu_;
  std::unordered_map<Id, int64_t> delivered_;  // guarded by mu_: posts delivered per app since start
  std::unordered_set<Id> due_;                 // guarded by mu_: apps owed a trap
};

}  // namespace sluice
