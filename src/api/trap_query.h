#pragma once
//! What a page's search query asks of a trap record injected into it (TrapInjector): the
//! alternatives a trap can satisfy, and the check that a written trap matches the query with
//! the store's semantics (store/search/match.h).

#include <string_view>
#include <vector>

#include "provenance/traps.h"
#include "store/search/query.h"

namespace sluice {

//! The query as a disjunction of what a post needs (each AND of OR's branches, at most
//! kMaxTrapAlternatives), leaving out the branches a trap cannot plausibly satisfy: from:, to:,
//! retweets_of:, conversation_id:, in_reply_to_tweet_id:, quotes_of_tweet_id:, is: (a trap is
//! an original, unverified post), has:media and the other data the store does not hold, and
//! anything with bio: (the trap author's description is not the generator's to choose).
//! Negations add no requirement: the written text is checked against the whole query.
//! Empty: no trap can be in this page.
inline constexpr size_t kMaxTrapAlternatives = 16;
std::vector<TrapRequirements> TrapAlternatives(const SearchNode& root);

//! Whether a trap with `text` and `lang` matches `root` as the store's search would match it.
bool TrapMatches(const SearchNode& root, std::string_view text, std::string_view lang);

}  // namespace sluice
