#pragma once
//! A search query (query.h) evaluated against one post in memory, with the semantics of the
//! store's search (store/sqlite/search_sql.h): keywords and phrases over the tokens FTS5's
//! unicode61 remove_diacritics 2 makes of the text (core/search_tokens.h), url: over the
//! links' expanded urls, tags over the entities ExtractEntities finds (ASCII-lowercased, as
//! the store writes post_tags), has: over the same entities. Used for posts the store does not
//! search, such as trap records (api/trap_injector.h), which must match their page's query.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "core/types.h"
#include "store/search/query.h"

namespace sluice {

//! What a post offers a query besides its text. The author and conversation facts are known for
//! a real post (a streamed one: stream/rule_index.h) and left empty for a trap record: an id of
//! 0 and an empty username name nobody, so such a post matches `-from:x` and never `from:x`.
//! Data the store holds none of (media, geo, places, context, entity, list) matches nothing.
struct SearchFacts {
  std::string_view text;  // the whole text (a long post's note text)
  std::string_view lang;
  bool reply = false, retweet = false, quote = false, verified = false, nullcast = false;
  // from: (id or username, compared ASCII-case-insensitively), bio: (the author's description).
  Id author_id = 0;
  std::string_view author_username;
  std::string_view author_description;
  // to: the author of the post replied to (0: not a reply).
  Id in_reply_to_user_id = 0;
  std::string_view in_reply_to_username;
  // retweets_of: the author of the post reposted (0: not a repost).
  Id retweeted_user_id = 0;
  std::string_view retweeted_username;
  Id conversation_id = 0;      // conversation_id:
  Id replied_to_id = 0;        // in_reply_to_tweet_id:
  Id quoted_id = 0;            // quotes_of_tweet_id:
};

//! A post prepared once (its tokens, url tokens and entities) for evaluating many queries
//! against it: what the stream's rule index does per post. Holds `facts` by reference: the
//! strings it names must outlive it. Evaluating is thread-safe (const).
class SearchSubject {
 public:
  explicit SearchSubject(const SearchFacts& facts);
  SearchSubject(const SearchSubject&) = delete;  // its token sets view its own tokens
  SearchSubject& operator=(const SearchSubject&) = delete;
  bool Matches(const SearchNode& root) const;
  const SearchFacts& facts() const { return facts_; }
  //! The text's tokens (core/search_tokens.h), in text order, repeats kept.
  const std::vector<std::string>& tokens() const { return tokens_; }
  //! The expanded urls' tokens, as url: matches them.
  const std::vector<std::string>& url_tokens() const { return url_tokens_; }
  const Entities& entities() const { return entities_; }

 private:
  //! What keyword, phrase and url tests look in, made once, at the first of them.
  struct Lookup {
    std::vector<std::string_view> token_set, url_token_set;  // sorted, unique: one token's test
    std::string words, urls;  // the tokens joined, padded with spaces: " a b "
  };
  bool Eval(const SearchNode& n) const;
  const Lookup& lookup() const;

  const SearchFacts& facts_;
  std::vector<std::string> tokens_, url_tokens_;
  Entities entities_;
  mutable std::once_flag lookup_once_;
  mutable Lookup lookup_;  // written once, under lookup_once_
};

//! SearchSubject(post).Matches(root).
bool MatchesSearch(const SearchNode& root, const SearchFacts& post);

}  // namespace sluice
