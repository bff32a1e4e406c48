#pragma once
//! RuleIndex: the filtered stream's rules of every app, indexed so that a post is checked only
//! against the rules it could match (issue 16). Each rule gets a "required-term set": keys
//! (words, tags, mentions, url words, authors, reply targets, ids, languages) of which any
//! post matching the rule holds at least one. A post's keys are looked up once; each rule
//! found is then verified with the query evaluator (match.h), so the index decides nothing on
//! its own: it only leaves out rules that cannot match. A rule with no such set (a negation
//! alone, or only is:/has:/bio:/emoji clauses) is checked against every post.
//!
//! Immutable once built: Match is const and safe to call from any number of threads at once.
//! A change of rules is a new index (Build), swapped in by its owner.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"
#include "store/search/match.h"
#include "store/search/query.h"

namespace sluice {

//! One rule as the index holds it.
struct IndexedRule {
  Id rule_id = 0;
  Id app_id = 0;
  std::string tag;   // "" when none
  SearchNode query;  // the parsed rule value (ParseSearchQuery)
};

//! The keys of the index. A post offers, per kind, the values MatchesSearch compares.
enum class RuleKeyKind : uint8_t {
  kWord,          // a token of the text (core/search_tokens.h)
  kUrlWord,       // a token of an expanded url
  kHashtag,       // ASCII-lowercased tag, as the entities give it
  kCashtag,
  kMention,
  kFrom,          // author: decimal id, and ASCII-lowercased username
  kTo,            // the user replied to: id and username
  kRetweetsOf,    // the author of the post reposted: id and username
  kConversation,  // decimal ids
  kRepliedTo,
  kQuoted,
  kLang,
  kCount
};

//! A required-term set: nullopt-like `always` when the rule has none (check it on every post);
//! otherwise the keys, any one of which a matching post holds. No keys and not `always`: the
//! rule can match no post (a phrase with no token, place_country:, ...).
struct RequiredKeys {
  bool always = false;
  std::vector<std::pair<RuleKeyKind, std::string>> keys;
};

//! The required-term set of `query` (exposed for tests). AND takes its cheapest child's set,
//! OR the union of its children's (always if one of them is), NOT is always.
RequiredKeys RequiredKeysOf(const SearchNode& query);

class RuleIndex {
 public:
  //! Builds the index over `rules` (any order; ids unique). Never fails.
  static std::shared_ptr<const RuleIndex> Build(std::vector<IndexedRule> rules);

  //! The rules `post` matches, ordered by (app_id, rule_id). Pointers into this index: valid
  //! while it lives. Thread-safe.
  std::vector<const IndexedRule*> Match(const SearchFacts& post) const;
  //! As Match, for a post already prepared (several indexes, or a caller that keeps it).
  std::vector<const IndexedRule*> Match(const SearchSubject& post) const;

  size_t size() const { return rules_.size(); }
  //! How many rules are checked against every post (no required-term set).
  size_t always_checked() const { return always_.size(); }
  const std::vector<IndexedRule>& rules() const { return rules_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using Postings = std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>>;

  void Look(RuleKeyKind kind, std::string_view key, std::vector<uint32_t>& out) const;

  std::vector<IndexedRule> rules_;  // sorted by (app_id, rule_id): an index is a position
  Postings postings_[size_t(RuleKeyKind::kCount)];
  std::vector<uint32_t> always_;
};

}  // namespace sluice
