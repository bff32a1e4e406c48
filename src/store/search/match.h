#pragma once
//! A search query (query.h) evaluated against one post in memory, with the semantics of the
//! store's search (store/sqlite/search_sql.h): keywords and phrases over the tokens FTS5's
//! unicode61 remove_diacritics 2 makes of the text (core/search_tokens.h), url: over the
//! links' expanded urls, tags over the entities ExtractEntities finds (ASCII-lowercased, as
//! the store writes post_tags), has: over the same entities. Used for posts the store does not
//! search, such as trap records (api/trap_injector.h), which must match their page's query.

#include <string_view>

#include "store/search/query.h"

namespace sluice {

//! What a post offers a query besides its text. Operators about its author or its
//! conversation (from:, to:, retweets_of:, bio:, conversation_id:, in_reply_to_tweet_id:,
//! quotes_of_tweet_id:) and the data the store holds none of (media, geo, places, context,
//! entity, list) match nothing here: so a post evaluated with these facts matches `-from:x`
//! and never `from:x`.
struct SearchFacts {
  std::string_view text;  // the whole text (a long post's note text)
  std::string_view lang;
  bool reply = false, retweet = false, quote = false, verified = false, nullcast = false;
};

bool MatchesSearch(const SearchNode& root, const SearchFacts& post);

}  // namespace sluice
