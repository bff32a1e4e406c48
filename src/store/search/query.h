#pragma once
//! The recent-search query language, as X defines it: keywords, "exact phrases", #hashtags,
//! @mentions, $cashtags, emoji (each a keyword of its own), operators (from:, to:,
//! conversation_id:, in_reply_to_tweet_id:, quotes_of_tweet_id:, url:, retweets_of:, bio:,
//! place_country:, point_radius:[lon lat radius], context:, entity:, list:, lang:, is:, has:),
//! `-` negation, OR, parentheses. Adjacency
//! is AND and binds tighter than OR. Conjunction-required operators (is:, has:, lang:) need
//! at least one standalone operator in the query. Parsing is backend-neutral: it yields an
//! AST that each store compiles (store/sqlite/search_sql.h).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sluice {

struct SearchNode {
  enum class Kind {
    kAnd, kOr, kNot,  // children: kAnd/kOr two or more, kNot exactly one
    kTerm,            // value: the keyword, lowercased
    kPhrase,          // value: the phrase as written between the quotes
    kHashtag,         // value: tag without '#', lowercased
    kCashtag,         // value: tag without '$', lowercased
    kMention,         // value: username without '@', lowercased
    kFrom, kTo,       // value: username (lowercased) or numeric user id
    kConversationId, kInReplyToTweetId, kQuotesOfTweetId,  // value: decimal id
    kUrl,             // value: the url text to match (tokenized match)
    kLang,            // value: language tag, lowercased
    kIs,              // value: retweet | reply | quote | verified | nullcast
    kHas,             // value: links | mentions | hashtags | cashtags | media | images | videos
                      //        | video_link | geo
    kRetweetsOf,      // value: username (lowercased) or numeric user id
    kBio,             // value: keyword or phrase, ASCII-lowercased
    kPlaceCountry,    // value: ISO 3166-1 alpha-2 code, uppercased
    kPointRadius,     // value: "[lon lat radius]" as written (checked: ranges, mi/km, <= 25mi)
    kContext,         // value: domain_id.entity_id or domain_id.*
    kEntity,          // value: the entity name as written
    kList,            // value: decimal list id
    kEmoji,           // value: one emoji (with its modifiers, ZWJ sequence or flag pair)
  };
  Kind kind = Kind::kTerm;
  std::string value;
  std::vector<SearchNode> children;
  int position = 1;  // 1-based character position in the query, as X reports it
  //! kTerm, kPhrase, kUrl: `value` is already SearchTokensJoined(value), so a matcher need not
  //! tokenize it again (set by RuleIndex::Build for the rules it keeps; never by the parser).
  bool tokens_joined = false;
};

struct SearchQuery {
  std::string text;  // the query as given
  SearchNode root;
};

inline constexpr size_t kMaxSearchQueryLength = 512;          // recent search and counts
inline constexpr size_t kMaxArchiveSearchQueryLength = 1024;  // full-archive search and counts

//! Parses `query`. On error returns kInvalidRequest with a parameter error for `query`,
//! whose message names the 1-based position and the reason, e.g.
//! "There were errors processing your request: Unbalanced parentheses (at position 7)".
//! `max_length` is in code points (kMaxSearchQueryLength or kMaxArchiveSearchQueryLength).
Result<SearchQuery> ParseSearchQuery(std::string_view query, size_t max_length = kMaxSearchQueryLength);

//! A leaf the stores' full-text index answers: a keyword, a phrase or a url:.
bool IsFullTextLeaf(const SearchNode& node);
//! True if the whole subtree can be one full-text expression (FTS5's MATCH, PostgreSQL's
//! tsquery, compiled alike by both stores): its leaves are full-text leaves, and as FTS5's NOT
//! is binary (a NOT b), an AND qualifies only with at least one positive child.
bool IsFullText(const SearchNode& node);

}  // namespace sluice
