#pragma once
//! RuleIndex: the filtered stream's rules of every app, indexed so that a post is checked only
//! against the rules it could match (issue 16). Each rule gets a "required-term set": keys
//! (words, tags, mentions, url words, authors, reply targets, ids, languages) of which any
//! post matching the rule holds at least one. A post's keys are looked up once (hashed, in one
//! flat table); each rule found is then verified with its query compiled into a flat program
//! whose leaves test the keys the post holds, with the semantics of the query evaluator
//! (match.h), which evaluates the few leaves no key answers (bio:, emoji). The index decides
//! nothing on its own: it only leaves out rules that cannot match. A rule with no such set (a
//! negation alone, or only is:/has:/bio:/emoji clauses) is checked against every post.
//!
//! Rules with the same query (several apps following one hashtag) are verified once per post.
//! An AND with several keys each required (its clauses' words, tags, users) is indexed under up
//! to three of the rarest, and is a candidate only for a post holding all of them; an OR at the
//! root, each of its clauses so.
//!
//! Immutable once built: Match is const and safe to call from any number of threads at once
//! (its counters are per thread, reused from post to post without clearing). A change of rules
//! is a new index (Build), swapped in by its owner.

#include <cstdint>
#include <functional>
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

class SearchSubject;

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

//! How often posts hold each key, counted over a sample of posts (the stream hub's recent
//! ones): what lets an AND be indexed under its rarest child. Not thread-safe while adding;
//! const use is.
class KeyFrequencies {
 public:
  void Add(const SearchSubject& post);
  //! The share of the sampled posts holding the key, never 0 (an unseen key counts half a post).
  double Share(RuleKeyKind kind, std::string_view key) const;
  int64_t posts() const { return posts_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  int64_t posts_ = 0;
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> counts_[size_t(RuleKeyKind::kCount)];
};

//! The required-term set of `query` (exposed for tests). AND takes its cheapest child's set,
//! OR the union of its children's (always if one of them is), NOT is always. A set's cost is
//! the sum of its keys' shares in `frequencies` when given, else a fixed guess (a language is
//! common, a word of two letters or less more common than a longer one).
RequiredKeys RequiredKeysOf(const SearchNode& query, const KeyFrequencies* frequencies = nullptr);

//! Calls `visit(kind, key)` for every key `post` holds, as RuleIndex::Match looks them up (a
//! username of digits only is none: an operator's value of digits names an id).
void ForEachKey(const SearchSubject& post, const std::function<void(RuleKeyKind, std::string_view)>& visit);

struct StreamRule;

//! The stored rules (Store::AllStreamRules) as the index takes them: each value parsed as a
//! query (at the longest length a plan may set). A value that no longer parses (stored by
//! another version of the parser) is left out and its id added to `unparsed` when given: a
//! rule that matches nothing rather than an index that cannot be built.
std::vector<IndexedRule> ToIndexedRules(const std::vector<StreamRule>& stored, std::vector<Id>* unparsed = nullptr);

class RuleIndex {
 public:
  RuleIndex() = default;
  RuleIndex(const RuleIndex&) = delete;  // its groups point into its rules
  RuleIndex& operator=(const RuleIndex&) = delete;

  //! Builds the index over `rules` (any order; ids unique). Never fails. Each query's keyword,
  //! phrase and url values are rewritten as their tokens (SearchNode::tokens_joined): they
  //! match the same posts, without tokenizing the rule again at each post.
  static std::shared_ptr<const RuleIndex> Build(std::vector<IndexedRule> rules,
                                                const KeyFrequencies* frequencies = nullptr);

  //! The rules `post` matches, ordered by (app_id, rule_id). Pointers into this index: valid
  //! while it lives. Thread-safe. Its counters are per thread, as large as the largest index
  //! the thread matched against.
  std::vector<const IndexedRule*> Match(const SearchFacts& post) const;
  //! As Match, for a post already prepared (several indexes, or a caller that keeps it).
  std::vector<const IndexedRule*> Match(const SearchSubject& post) const;

  size_t size() const { return rules_.size(); }
  //! How many distinct queries the rules hold (each verified at most once per post).
  size_t distinct_queries() const { return groups_.size(); }
  //! How many distinct queries are checked against every post (no required-term set).
  size_t always_checked() const { return always_.size(); }
  const std::vector<IndexedRule>& rules() const { return rules_; }

 private:
  struct Scratch;
  //! A key any rule names (a required key, or a leaf compiled to a key test): its bytes in
  //! `key_bytes_`, its postings in `postings_` (none for a key only a leaf tests).
  struct KeyInfo {
    uint64_t hash;
    uint32_t bytes_begin, bytes_size;
    uint32_t postings_begin, postings_end;
    RuleKeyKind kind;
  };
  //! A posting: entry << 2 | its need (1 to 3), beside it so that counting touches no other
  //! array. At most 2^30 entries.
  using Posting = uint32_t;
  //! A group's query compiled in prefix order: a node, then its children's subtrees; `end` is
  //! the position past its subtree. A leaf that holds exactly when the post holds a key is a
  //! key test; is: and has: test a bit of the post's flags; a keyword, phrase or url of several
  //! tokens is a sequence of keys; the others (bio:, emoji...) are evaluated by the
  //! SearchSubject.
  struct Op {
    enum Code : uint8_t { kAnd, kOr, kNot, kHolds, kFlag, kPhrase, kUrlPhrase, kLeaf };
    uint32_t end;
    uint32_t arg;  // kHolds: a key (keys_); kFlag: a bit; k*Phrase: phrases_; kLeaf: leaves_
    Code code;
  };
  struct Phrase {
    uint32_t begin, end;  // in phrase_keys_
  };
  //! Rules with one query: verified once, then every rule of it matches.
  struct Group {
    uint32_t op;                      // its program's first op
    uint32_t rules_begin, rules_end;  // positions in group_rules_
  };
  //! One way a group may match: a post holding `need` of the entry's keys is a candidate. A
  //! query has one entry, an OR at its root one per clause.
  struct Entry {
    uint32_t group;
  };

  struct Slot {
    uint32_t key;  // in keys_, plus one; 0: free
    uint32_t tag;  // the key's hash, high half
  };
  struct Builder;

  static constexpr uint32_t kNoKey = UINT32_MAX;
  uint32_t FindKey(RuleKeyKind kind, std::string_view key) const;
  bool Run(uint32_t op, const Scratch& scratch, const SearchSubject& post) const;

  std::vector<IndexedRule> rules_;  // sorted by (app_id, rule_id): a rule is a position
  std::vector<Group> groups_;
  std::vector<uint32_t> group_rules_;
  std::vector<Entry> entries_;
  std::vector<KeyInfo> keys_;
  std::string key_bytes_;
  std::vector<Slot> table_;  // open addressing over keys_ by hash, a power of two, at most half full
  std::vector<Posting> postings_;
  std::vector<Op> ops_;
  std::vector<Phrase> phrases_;
  std::vector<uint32_t> phrase_keys_;
  std::vector<const SearchNode*> leaves_;  // into rules_
  std::vector<uint32_t> always_;           // groups
};

}  // namespace sluice
