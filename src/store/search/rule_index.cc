#include "store/search/rule_index.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "core/search_tokens.h"
#include "store/store.h"

namespace sluice {

namespace {

using Kind = SearchNode::Kind;
using Key = std::pair<RuleKeyKind, std::string>;

RequiredKeys Always() { return RequiredKeys{.always = true, .keys = {}}; }
RequiredKeys Impossible() { return RequiredKeys{}; }
RequiredKeys One(RuleKeyKind kind, std::string value) {
  RequiredKeys r;
  r.keys.emplace_back(kind, std::move(value));
  return r;
}

// A keyword or phrase needs all its tokens, so any one of them is required: the longest, as
// the one likely rarest. No token: FTS5 matches nothing (match.cc HoldsTokens).
RequiredKeys Words(RuleKeyKind kind, std::string_view value) {
  std::vector<std::string> tokens = SearchTokens(value);
  if (tokens.empty()) return Impossible();
  auto longest = std::max_element(tokens.begin(), tokens.end(),
                                  [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  return One(kind, std::move(*longest));
}

// How many posts a key is likely to bring in, relatively: what AND chooses its child by.
// Without counts: a language is shared by a large part of all posts; a short word is common.
double KeyCost(const Key& key, const KeyFrequencies* f) {
  if (f) return f->Share(key.first, key.second);
  if (key.first == RuleKeyKind::kLang) return 64;
  if (key.first == RuleKeyKind::kWord && key.second.size() <= 2) return 4;
  return 1;
}

double Cost(const RequiredKeys& r, const KeyFrequencies* f) {
  double cost = 0;
  for (const Key& k : r.keys) cost += KeyCost(k, f);
  return cost;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

RequiredKeys RequiredKeysOf(const SearchNode& n, const KeyFrequencies* f) {
  switch (n.kind) {
    case Kind::kAnd: {
      // Every child must match: any child's set is required; the cheapest is kept.
      std::optional<RequiredKeys> best;
      for (const auto& c : n.children) {
        RequiredKeys r = RequiredKeysOf(c, f);
        if (r.always) continue;
        if (!best || Cost(r, f) < Cost(*best, f)) best = std::move(r);
      }
      return best ? std::move(*best) : Always();
    }
    case Kind::kOr: {
      // Some child matches: the union of theirs, unless one can match without any key.
      RequiredKeys all;
      for (const auto& c : n.children) {
        RequiredKeys r = RequiredKeysOf(c, f);
        if (r.always) return Always();
        for (auto& k : r.keys) all.keys.push_back(std::move(k));
      }
      std::sort(all.keys.begin(), all.keys.end());
      all.keys.erase(std::unique(all.keys.begin(), all.keys.end()), all.keys.end());
      return all;
    }
    case Kind::kTerm:
    case Kind::kPhrase: return Words(RuleKeyKind::kWord, n.value);
    case Kind::kUrl: return Words(RuleKeyKind::kUrlWord, n.value);
    case Kind::kHashtag: return One(RuleKeyKind::kHashtag, n.value);
    case Kind::kCashtag: return One(RuleKeyKind::kCashtag, n.value);
    case Kind::kMention: return One(RuleKeyKind::kMention, n.value);
    case Kind::kFrom: return One(RuleKeyKind::kFrom, n.value);
    case Kind::kTo: return One(RuleKeyKind::kTo, n.value);
    case Kind::kRetweetsOf: return One(RuleKeyKind::kRetweetsOf, n.value);
    case Kind::kConversationId: return One(RuleKeyKind::kConversation, n.value);
    case Kind::kInReplyToTweetId: return One(RuleKeyKind::kRepliedTo, n.value);
    case Kind::kQuotesOfTweetId: return One(RuleKeyKind::kQuoted, n.value);
    case Kind::kLang: return One(RuleKeyKind::kLang, n.value);
    // Data no post here holds (match.cc): these match nothing.
    case Kind::kPlaceCountry:
    case Kind::kPointRadius:
    case Kind::kContext:
    case Kind::kEntity:
    case Kind::kList: return Impossible();
    // Negation, flags, the author's bio and emoji (not a token): no key says a post may match.
    case Kind::kNot:
    case Kind::kIs:
    case Kind::kHas:
    case Kind::kBio:
    case Kind::kEmoji: return Always();
  }
  return Always();
}

namespace {

// Keyword, phrase and url values as their tokens, as match.cc compares them.
void JoinTokens(SearchNode& n) {
  if (n.kind == Kind::kTerm || n.kind == Kind::kPhrase || n.kind == Kind::kUrl) {
    n.value = SearchTokensJoined(n.value);
    n.tokens_joined = true;
  }
  for (auto& c : n.children) JoinTokens(c);
}

// A query as a string that two queries share exactly when they match the same posts the same
// way (positions left out).
void Canonical(const SearchNode& n, std::string& out) {
  out += char('A' + int(n.kind));
  out += std::to_string(n.value.size());
  out += ':';
  out += n.value;
  if (n.children.empty()) return;
  out += '(';
  for (const auto& c : n.children) Canonical(c, out);
  out += ')';
}

// A query of one leaf that a post matches exactly when it holds the leaf's key (Match looks
// keys up as match.cc compares them): a tag, a language, an id, one token.
bool Exact(const SearchNode& n) {
  switch (n.kind) {
    case Kind::kHashtag:
    case Kind::kCashtag:
    case Kind::kMention:
    case Kind::kLang:
    case Kind::kConversationId:
    case Kind::kInReplyToTweetId:
    case Kind::kQuotesOfTweetId: return true;
    case Kind::kTerm:
    case Kind::kPhrase:
    case Kind::kUrl: return n.tokens_joined && !n.value.empty() && n.value.find(' ') == std::string::npos;
    default: return false;
  }
}

// Keys every post matching `n` holds, each of them (not one of a set): an AND's clauses',
// every token of a keyword or phrase, a tag, a user, an id, a language. None under OR or NOT.
void AllRequired(const SearchNode& n, std::vector<Key>& out) {
  switch (n.kind) {
    case Kind::kAnd:
      for (const auto& c : n.children) AllRequired(c, out);
      return;
    case Kind::kTerm:
    case Kind::kPhrase:
    case Kind::kUrl:
      for (std::string& t : SearchTokens(n.value))
        out.emplace_back(n.kind == Kind::kUrl ? RuleKeyKind::kUrlWord : RuleKeyKind::kWord, std::move(t));
      return;
    case Kind::kOr:
    case Kind::kNot:
      return;
    default: {
      RequiredKeys r = RequiredKeysOf(n);
      if (!r.always && r.keys.size() == 1) out.push_back(std::move(r.keys[0]));
      return;
    }
  }
}

// An AND with several required keys is indexed under up to kMaxNeed of the rarest, and is a
// candidate only for a post holding all of them: keys common to a large part of posts (a
// language) are left out, as they would bring the rule to most posts for nothing.
constexpr size_t kMaxNeed = 3;
std::vector<Key> ConjunctiveKeys(const SearchNode& n, const KeyFrequencies* f) {
  std::vector<Key> keys;
  AllRequired(n, keys);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::erase_if(keys, [&](const Key& k) { return k.first == RuleKeyKind::kLang || (f && KeyCost(k, f) > 0.25); });
  std::stable_sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) { return KeyCost(a, f) < KeyCost(b, f); });
  if (keys.size() > kMaxNeed) keys.resize(kMaxNeed);
  return keys;
}

}  // namespace

std::vector<IndexedRule> ToIndexedRules(const std::vector<StreamRule>& stored, std::vector<Id>* unparsed) {
  constexpr size_t kLongestRule = 4096;  // plans.cc: stream_rule_length is at most this
  std::vector<IndexedRule> out;
  out.reserve(stored.size());
  for (const StreamRule& r : stored) {
    auto q = ParseSearchQuery(r.value, kLongestRule);
    if (!q.ok()) {
      if (unparsed) unparsed->push_back(r.id);
      continue;
    }
    out.push_back(IndexedRule{r.id, r.app_id, r.tag, std::move(q->root)});
  }
  return out;
}

std::shared_ptr<const RuleIndex> RuleIndex::Build(std::vector<IndexedRule> rules, const KeyFrequencies* frequencies) {
  auto index = std::make_shared<RuleIndex>();
  std::sort(rules.begin(), rules.end(), [](const IndexedRule& a, const IndexedRule& b) {
    return a.app_id != b.app_id ? a.app_id < b.app_id : a.rule_id < b.rule_id;
  });
  index->rules_ = std::move(rules);
  std::unordered_map<std::string, uint32_t> group_of;
  std::string key;
  for (uint32_t i = 0; i < index->rules_.size(); ++i) {
    SearchNode& query = index->rules_[i].query;
    RequiredKeys required = RequiredKeysOf(query, frequencies);
    JoinTokens(query);
    key.clear();
    Canonical(query, key);
    auto [it, fresh] = group_of.emplace(key, uint32_t(index->groups_.size()));
    if (!fresh) {
      index->groups_[it->second].rules.push_back(i);
      continue;
    }
    index->groups_.push_back(Group{&query, {i}, !required.always && Exact(query)});
    const uint32_t g = it->second;
    if (required.always) {
      index->always_.push_back(g);
      continue;
    }
    auto entry = [&](RequiredKeys keys, const SearchNode& n) {
      uint16_t need = 1;
      if (std::vector<Key> all = ConjunctiveKeys(n, frequencies); all.size() >= 2) {
        need = uint16_t(all.size());
        keys.keys = std::move(all);
      }
      const uint32_t e = uint32_t(index->entries_.size());
      index->entries_.push_back(Entry{g, need});
      for (auto& [kind, value] : keys.keys) index->postings_[size_t(kind)][std::move(value)].push_back(Posting{e, need});
    };
    if (query.kind == Kind::kOr) {
      for (const auto& clause : query.children) entry(RequiredKeysOf(clause, frequencies), clause);
    } else {
      entry(std::move(required), query);
    }
  }
  return index;
}

std::vector<const IndexedRule*> RuleIndex::Match(const SearchFacts& post) const {
  if (rules_.empty()) return {};
  return Match(SearchSubject(post));
}

void ForEachKey(const SearchSubject& post, const std::function<void(RuleKeyKind, std::string_view)>& visit) {
  for (const std::string& t : post.tokens()) visit(RuleKeyKind::kWord, t);
  for (const std::string& t : post.url_tokens()) visit(RuleKeyKind::kUrlWord, t);
  const Entities& e = post.entities();
  for (const auto& h : e.hashtags) visit(RuleKeyKind::kHashtag, AsciiLower(h.tag));
  for (const auto& c : e.cashtags) visit(RuleKeyKind::kCashtag, AsciiLower(c.tag));
  for (const auto& m : e.mentions) visit(RuleKeyKind::kMention, AsciiLower(m.username));
  const SearchFacts& f = post.facts();
  auto user = [&](RuleKeyKind kind, Id id, std::string_view username) {
    if (id == 0) return;
    visit(kind, std::to_string(id));
    if (!username.empty()) visit(kind, AsciiLower(username));
  };
  user(RuleKeyKind::kFrom, f.author_id, f.author_username);
  user(RuleKeyKind::kTo, f.in_reply_to_user_id, f.in_reply_to_username);
  user(RuleKeyKind::kRetweetsOf, f.retweeted_user_id, f.retweeted_username);
  auto id = [&](RuleKeyKind kind, Id value) {
    if (value != 0) visit(kind, std::to_string(value));
  };
  id(RuleKeyKind::kConversation, f.conversation_id);
  id(RuleKeyKind::kRepliedTo, f.replied_to_id);
  id(RuleKeyKind::kQuoted, f.quoted_id);
  visit(RuleKeyKind::kLang, f.lang);
}

void KeyFrequencies::Add(const SearchSubject& post) {
  ++posts_;
  std::vector<std::pair<RuleKeyKind, std::string>> seen;
  ForEachKey(post, [&](RuleKeyKind kind, std::string_view key) { seen.emplace_back(kind, std::string(key)); });
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());  // posts holding it, not occurrences
  for (auto& [kind, key] : seen) ++counts_[size_t(kind)][std::move(key)];
}

double KeyFrequencies::Share(RuleKeyKind kind, std::string_view key) const {
  const auto& counts = counts_[size_t(kind)];
  auto it = counts.find(key);
  const double held = it == counts.end() ? 0.5 : double(it->second);
  return held / double(posts_ > 0 ? posts_ : 1);
}

std::vector<const IndexedRule*> RuleIndex::Match(const SearchSubject& post) const {
  std::vector<const IndexedRule*> matched;
  if (rules_.empty()) return matched;
  // Each key the post holds once (a word said twice is one key), so that a group's hits count
  // the distinct keys of it the post holds.
  std::vector<std::pair<RuleKeyKind, std::string>> keys;
  keys.reserve(64);
  ForEachKey(post, [&](RuleKeyKind kind, std::string_view key) { keys.emplace_back(kind, key); });
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // Hits per group, counted in a per-thread array (reset before returning): a group is a
  // candidate when the post holds as many of its keys as it needs.
  thread_local std::vector<uint16_t> counts;  // a rule of 4,096 characters has fewer keys
  if (counts.size() < entries_.size()) counts.resize(entries_.size());
  std::vector<uint32_t> touched, candidates = always_;
  touched.reserve(256);
  for (const auto& [kind, key] : keys) {
    const Postings& p = postings_[size_t(kind)];
    if (p.empty()) continue;
    auto it = p.find(key);
    if (it == p.end()) continue;
    for (const Posting& posting : it->second) {
      const uint32_t e = posting.entry;
      if (counts[e] == 0) touched.push_back(e);
      if (++counts[e] == posting.need) candidates.push_back(entries_[e].group);
    }
  }
  for (uint32_t e : touched) counts[e] = 0;
  std::sort(candidates.begin(), candidates.end());  // a group found through two of its entries
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<uint32_t> hits;
  for (uint32_t g : candidates) {
    const Group& group = groups_[g];
    if (group.exact || post.Matches(*group.query)) hits.insert(hits.end(), group.rules.begin(), group.rules.end());
  }
  std::sort(hits.begin(), hits.end());
  matched.reserve(hits.size());
  for (uint32_t i : hits) matched.push_back(&rules_[i]);
  return matched;
}

}  // namespace sluice
