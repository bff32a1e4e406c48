#include "store/search/rule_index.h"

#include <algorithm>
#include <optional>

#include "core/search_tokens.h"

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
// A language is shared by a large part of all posts; a short word is common.
int64_t KeyCost(const Key& key) {
  if (key.first == RuleKeyKind::kLang) return 64;
  if (key.first == RuleKeyKind::kWord && key.second.size() <= 2) return 4;
  return 1;
}

int64_t Cost(const RequiredKeys& r) {
  int64_t cost = 0;
  for (const Key& k : r.keys) cost += KeyCost(k);
  return cost;
}

}  // namespace

RequiredKeys RequiredKeysOf(const SearchNode& n) {
  switch (n.kind) {
    case Kind::kAnd: {
      // Every child must match: any child's set is required; the cheapest is kept.
      std::optional<RequiredKeys> best;
      for (const auto& c : n.children) {
        RequiredKeys r = RequiredKeysOf(c);
        if (r.always) continue;
        if (!best || Cost(r) < Cost(*best)) best = std::move(r);
      }
      return best ? std::move(*best) : Always();
    }
    case Kind::kOr: {
      // Some child matches: the union of theirs, unless one can match without any key.
      RequiredKeys all;
      for (const auto& c : n.children) {
        RequiredKeys r = RequiredKeysOf(c);
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

std::shared_ptr<const RuleIndex> RuleIndex::Build(std::vector<IndexedRule> rules) {
  auto index = std::make_shared<RuleIndex>();
  std::sort(rules.begin(), rules.end(), [](const IndexedRule& a, const IndexedRule& b) {
    return a.app_id != b.app_id ? a.app_id < b.app_id : a.rule_id < b.rule_id;
  });
  index->rules_ = std::move(rules);
  for (uint32_t i = 0; i < index->rules_.size(); ++i) {
    RequiredKeys required = RequiredKeysOf(index->rules_[i].query);
    if (required.always) {
      index->always_.push_back(i);
      continue;
    }
    for (auto& [kind, value] : required.keys) index->postings_[size_t(kind)][std::move(value)].push_back(i);
  }
  return index;
}

void RuleIndex::Look(RuleKeyKind kind, std::string_view key, std::vector<uint32_t>& out) const {
  const Postings& p = postings_[size_t(kind)];
  if (p.empty()) return;
  auto it = p.find(key);
  if (it != p.end()) out.insert(out.end(), it->second.begin(), it->second.end());
}

std::vector<const IndexedRule*> RuleIndex::Match(const SearchFacts& post) const {
  if (rules_.empty()) return {};
  return Match(SearchSubject(post));
}

namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::vector<const IndexedRule*> RuleIndex::Match(const SearchSubject& post) const {
  std::vector<const IndexedRule*> matched;
  if (rules_.empty()) return matched;
  std::vector<uint32_t> candidates = always_;
  for (const std::string& t : post.tokens()) Look(RuleKeyKind::kWord, t, candidates);
  for (const std::string& t : post.url_tokens()) Look(RuleKeyKind::kUrlWord, t, candidates);
  const Entities& e = post.entities();
  for (const auto& h : e.hashtags) Look(RuleKeyKind::kHashtag, AsciiLower(h.tag), candidates);
  for (const auto& c : e.cashtags) Look(RuleKeyKind::kCashtag, AsciiLower(c.tag), candidates);
  for (const auto& m : e.mentions) Look(RuleKeyKind::kMention, AsciiLower(m.username), candidates);
  const SearchFacts& f = post.facts();
  auto user = [&](RuleKeyKind kind, Id id, std::string_view username) {
    if (id == 0) return;
    Look(kind, std::to_string(id), candidates);
    if (!username.empty()) Look(kind, AsciiLower(username), candidates);
  };
  user(RuleKeyKind::kFrom, f.author_id, f.author_username);
  user(RuleKeyKind::kTo, f.in_reply_to_user_id, f.in_reply_to_username);
  user(RuleKeyKind::kRetweetsOf, f.retweeted_user_id, f.retweeted_username);
  auto id = [&](RuleKeyKind kind, Id value) {
    if (value != 0) Look(kind, std::to_string(value), candidates);
  };
  id(RuleKeyKind::kConversation, f.conversation_id);
  id(RuleKeyKind::kRepliedTo, f.replied_to_id);
  id(RuleKeyKind::kQuoted, f.quoted_id);
  Look(RuleKeyKind::kLang, f.lang, candidates);

  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (uint32_t i : candidates)
    if (post.Matches(rules_[i].query)) matched.push_back(&rules_[i]);
  return matched;
}

}  // namespace sluice
