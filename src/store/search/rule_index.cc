#include "store/search/rule_index.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>

#include "core/mix.h"
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

// The operators whose value is a key as it stands: a post satisfies one exactly when it holds
// the key (ForEachKey gives each as match.cc compares it).
std::optional<RuleKeyKind> ValueKeyKind(Kind kind) {
  switch (kind) {
    case Kind::kHashtag: return RuleKeyKind::kHashtag;
    case Kind::kCashtag: return RuleKeyKind::kCashtag;
    case Kind::kMention: return RuleKeyKind::kMention;
    case Kind::kFrom: return RuleKeyKind::kFrom;
    case Kind::kTo: return RuleKeyKind::kTo;
    case Kind::kRetweetsOf: return RuleKeyKind::kRetweetsOf;
    case Kind::kConversationId: return RuleKeyKind::kConversation;
    case Kind::kInReplyToTweetId: return RuleKeyKind::kRepliedTo;
    case Kind::kQuotesOfTweetId: return RuleKeyKind::kQuoted;
    case Kind::kLang: return RuleKeyKind::kLang;
    default: return std::nullopt;
  }
}

bool IsDigits(std::string_view v) { return !v.empty() && v.find_first_not_of("0123456789") == std::string_view::npos; }

// Every key `post` holds, in the form match.cc compares: tokens as they are, tags and usernames
// ASCII-lowercased, ids in decimal. A username of digits only is left out: an operator's value
// of digits names an id (match.cc IsUser), so no rule matches that username. Repeats are given
// as often as the post holds them. `visit` sees a view valid during the call only.
template <typename Visit>
void VisitKeys(const SearchSubject& post, Visit&& visit) {
  for (const std::string& t : post.tokens()) visit(RuleKeyKind::kWord, std::string_view(t));
  for (const std::string& t : post.url_tokens()) visit(RuleKeyKind::kUrlWord, std::string_view(t));
  std::string lower;
  auto lowered = [&](RuleKeyKind kind, std::string_view s) {
    lower.assign(s);
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    visit(kind, std::string_view(lower));
  };
  const Entities& e = post.entities();
  for (const auto& h : e.hashtags) lowered(RuleKeyKind::kHashtag, h.tag);
  for (const auto& c : e.cashtags) lowered(RuleKeyKind::kCashtag, c.tag);
  for (const auto& m : e.mentions) lowered(RuleKeyKind::kMention, m.username);
  char digits[24];
  auto id = [&](RuleKeyKind kind, Id value) {
    if (value == 0) return;
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    visit(kind, std::string_view(digits, size_t(end - digits)));
  };
  auto user = [&](RuleKeyKind kind, Id value, std::string_view username) {
    if (value == 0) return;
    id(kind, value);
    if (!username.empty() && !IsDigits(username)) lowered(kind, username);
  };
  const SearchFacts& f = post.facts();
  user(RuleKeyKind::kFrom, f.author_id, f.author_username);
  user(RuleKeyKind::kTo, f.in_reply_to_user_id, f.in_reply_to_username);
  user(RuleKeyKind::kRetweetsOf, f.retweeted_user_id, f.retweeted_username);
  id(RuleKeyKind::kConversation, f.conversation_id);
  id(RuleKeyKind::kRepliedTo, f.replied_to_id);
  id(RuleKeyKind::kQuoted, f.quoted_id);
  visit(RuleKeyKind::kLang, f.lang);
}

// A key's hash: its kind and length, then its bytes eight at a time, each step mixed.
uint64_t KeyHash(RuleKeyKind kind, std::string_view key) {
  uint64_t h = Mix64((uint64_t(kind) << 32) ^ key.size() ^ 0x9E3779B97F4A7C15ULL);
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h = Mix64(h ^ word);
  }
  if (i < key.size()) {
    uint64_t word = 0;
    std::memcpy(&word, key.data() + i, key.size() - i);
    h = Mix64(h ^ word);
  }
  return h;
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
    case Kind::kHashtag:
    case Kind::kCashtag:
    case Kind::kMention:
    case Kind::kFrom:
    case Kind::kTo:
    case Kind::kRetweetsOf:
    case Kind::kConversationId:
    case Kind::kInReplyToTweetId:
    case Kind::kQuotesOfTweetId:
    case Kind::kLang: return One(*ValueKeyKind(n.kind), n.value);
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

// The key a leaf holds exactly when the post holds it (VisitKeys gives keys as match.cc
// compares them): a tag, a user, an id, a language, one token. None for the other leaves.
std::optional<Key> LeafKey(const SearchNode& n) {
  if (n.value.empty()) return std::nullopt;
  if (n.kind == Kind::kTerm || n.kind == Kind::kPhrase || n.kind == Kind::kUrl) {
    if (!n.tokens_joined || n.value.find(' ') != std::string::npos) return std::nullopt;
    return Key(n.kind == Kind::kUrl ? RuleKeyKind::kUrlWord : RuleKeyKind::kWord, n.value);
  }
  if (auto kind = ValueKeyKind(n.kind)) return Key(*kind, n.value);
  return std::nullopt;
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

// The post's flags (is:, has:) as bits of one word, as match.cc reads them.
enum Flag : uint32_t {
  kRetweet, kReply, kQuote, kVerified, kNullcast, kLinks, kMentions, kHashtags, kCashtags,
  kNeverSet = 31,  // has:media and the other data no post here holds
};

std::optional<uint32_t> FlagOf(const SearchNode& n) {
  if (n.kind == Kind::kIs) {
    return n.value == "retweet"    ? kRetweet
           : n.value == "reply"    ? kReply
           : n.value == "quote"    ? kQuote
           : n.value == "verified" ? kVerified
           : n.value == "nullcast" ? kNullcast
                                   : kNeverSet;
  }
  if (n.kind == Kind::kHas) {
    return n.value == "links"      ? kLinks
           : n.value == "mentions" ? kMentions
           : n.value == "hashtags" ? kHashtags
           : n.value == "cashtags" ? kCashtags
                                   : kNeverSet;
  }
  return std::nullopt;
}

uint32_t FlagsOf(const SearchSubject& post) {
  const SearchFacts& f = post.facts();
  const Entities& e = post.entities();
  auto bit = [](bool on, Flag flag) { return on ? 1u << flag : 0u; };
  return bit(f.retweet, kRetweet) | bit(f.reply, kReply) | bit(f.quote, kQuote) | bit(f.verified, kVerified) |
         bit(f.nullcast, kNullcast) | bit(!e.urls.empty(), kLinks) | bit(!e.mentions.empty(), kMentions) |
         bit(!e.hashtags.empty(), kHashtags) | bit(!e.cashtags.empty(), kCashtags);
}

// A keyword, phrase or url of several tokens (joined): the post holds it where its tokens
// follow each other.
bool IsPhrase(const SearchNode& n) {
  return (n.kind == Kind::kTerm || n.kind == Kind::kPhrase || n.kind == Kind::kUrl) && n.tokens_joined &&
         n.value.find(' ') != std::string::npos && n.value.front() != ' ' && n.value.back() != ' ' &&
         n.value.find("  ") == std::string::npos;
}

// `phrase` found in `tokens` (both keys, in order).
bool HoldsSequence(const std::vector<uint32_t>& tokens, const uint32_t* phrase, size_t size) {
  if (size == 0 || tokens.size() < size) return false;
  for (size_t i = 0; i + size <= tokens.size(); ++i)
    if (std::equal(phrase, phrase + size, tokens.begin() + ptrdiff_t(i))) return true;
  return false;
}

// What Build keeps while it builds: keys by value, and each key's postings until they are laid
// out in one array.
struct RuleIndex::Builder {
  RuleIndex& index;
  std::map<Key, uint32_t> key_of;
  std::vector<std::vector<Posting>> postings;

  uint32_t AddKey(const Key& key) {
    auto [it, fresh] = key_of.emplace(key, uint32_t(index.keys_.size()));
    if (fresh) {
      index.keys_.push_back(KeyInfo{KeyHash(key.first, key.second), uint32_t(index.key_bytes_.size()),
                                    uint32_t(key.second.size()), 0, 0, key.first});
      index.key_bytes_ += key.second;
      postings.emplace_back();
    }
    return it->second;
  }

  // `n` in prefix order: the position of its op.
  uint32_t Compile(const SearchNode& n) {
    const uint32_t at = uint32_t(index.ops_.size());
    index.ops_.push_back(Op{0, 0, Op::kLeaf});
    if (n.kind == Kind::kAnd || n.kind == Kind::kOr || n.kind == Kind::kNot) {
      index.ops_[at].code = n.kind == Kind::kAnd ? Op::kAnd : n.kind == Kind::kOr ? Op::kOr : Op::kNot;
      for (const auto& c : n.children) Compile(c);
    } else if (std::optional<Key> key = LeafKey(n)) {
      index.ops_[at].code = Op::kHolds;
      index.ops_[at].arg = AddKey(*key);
    } else if (std::optional<uint32_t> flag = FlagOf(n)) {
      index.ops_[at].code = Op::kFlag;
      index.ops_[at].arg = *flag;
    } else if (IsPhrase(n)) {
      // Its tokens as keys, in order: the post's tokens are looked up anyway.
      const RuleKeyKind kind = n.kind == Kind::kUrl ? RuleKeyKind::kUrlWord : RuleKeyKind::kWord;
      index.ops_[at].code = n.kind == Kind::kUrl ? Op::kUrlPhrase : Op::kPhrase;
      index.ops_[at].arg = uint32_t(index.phrases_.size());
      const uint32_t begin = uint32_t(index.phrase_keys_.size());
      std::string_view rest = n.value;
      for (size_t space; !rest.empty(); rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1)) {
        space = rest.find(' ');
        index.phrase_keys_.push_back(AddKey(Key(kind, std::string(rest.substr(0, space)))));
      }
      index.phrases_.push_back(Phrase{begin, uint32_t(index.phrase_keys_.size())});
    } else {
      index.ops_[at].arg = uint32_t(index.leaves_.size());
      index.leaves_.push_back(&n);
    }
    index.ops_[at].end = uint32_t(index.ops_.size());
    return at;
  }

  // The postings in one array, and the table that finds a key.
  void Finish() {
    for (uint32_t k = 0; k < index.keys_.size(); ++k) {
      index.keys_[k].postings_begin = uint32_t(index.postings_.size());
      index.postings_.insert(index.postings_.end(), postings[k].begin(), postings[k].end());
      index.keys_[k].postings_end = uint32_t(index.postings_.size());
    }
    size_t size = 16;
    while (size < 2 * index.keys_.size()) size *= 2;
    index.table_.assign(size, Slot{0, 0});
    const size_t mask = size - 1;
    for (uint32_t k = 0; k < index.keys_.size(); ++k) {
      const uint64_t hash = index.keys_[k].hash;
      size_t i = size_t(hash) & mask;
      while (index.table_[i].key != 0) i = (i + 1) & mask;
      index.table_[i] = Slot{k + 1, uint32_t(hash >> 32)};
    }
  }
};

std::shared_ptr<const RuleIndex> RuleIndex::Build(std::vector<IndexedRule> rules, const KeyFrequencies* frequencies) {
  auto index = std::make_shared<RuleIndex>();
  std::sort(rules.begin(), rules.end(), [](const IndexedRule& a, const IndexedRule& b) {
    return a.app_id != b.app_id ? a.app_id < b.app_id : a.rule_id < b.rule_id;
  });
  index->rules_ = std::move(rules);
  Builder builder{*index, {}, {}};
  std::unordered_map<std::string, uint32_t> group_of;
  std::vector<std::vector<uint32_t>> group_rules;
  std::string key;
  for (uint32_t i = 0; i < index->rules_.size(); ++i) {
    SearchNode& query = index->rules_[i].query;
    RequiredKeys required = RequiredKeysOf(query, frequencies);
    JoinTokens(query);
    key.clear();
    Canonical(query, key);
    auto [it, fresh] = group_of.emplace(key, uint32_t(index->groups_.size()));
    if (!fresh) {
      group_rules[it->second].push_back(i);
      continue;
    }
    const uint32_t g = it->second;
    index->groups_.push_back(Group{builder.Compile(query), 0, 0});
    group_rules.push_back({i});
    if (required.always) {
      index->always_.push_back(g);
      continue;
    }
    auto entry = [&](RequiredKeys keys, const SearchNode& n) {
      uint32_t need = 1;
      if (std::vector<Key> all = ConjunctiveKeys(n, frequencies); all.size() >= 2) {
        need = uint32_t(all.size());
        keys.keys = std::move(all);
      }
      const uint32_t e = uint32_t(index->entries_.size());
      index->entries_.push_back(Entry{g});
      for (const Key& k : keys.keys) builder.postings[builder.AddKey(k)].push_back(Posting(e << 2 | need));
    };
    if (query.kind == Kind::kOr) {
      for (const auto& clause : query.children) entry(RequiredKeysOf(clause, frequencies), clause);
    } else {
      entry(std::move(required), query);
    }
  }
  for (uint32_t g = 0; g < index->groups_.size(); ++g) {
    index->groups_[g].rules_begin = uint32_t(index->group_rules_.size());
    index->group_rules_.insert(index->group_rules_.end(), group_rules[g].begin(), group_rules[g].end());
    index->groups_[g].rules_end = uint32_t(index->group_rules_.size());
  }
  builder.Finish();
  return index;
}

std::vector<const IndexedRule*> RuleIndex::Match(const SearchFacts& post) const {
  if (rules_.empty()) return {};
  return Match(SearchSubject(post));
}

void ForEachKey(const SearchSubject& post, const std::function<void(RuleKeyKind, std::string_view)>& visit) {
  VisitKeys(post, visit);
}

void KeyFrequencies::Add(const SearchSubject& post) {
  ++posts_;
  std::vector<std::pair<RuleKeyKind, std::string>> seen;
  VisitKeys(post, [&](RuleKeyKind kind, std::string_view key) { seen.emplace_back(kind, std::string(key)); });
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

uint32_t RuleIndex::FindKey(RuleKeyKind kind, std::string_view key) const {
  const uint64_t hash = KeyHash(kind, key);
  const uint32_t tag = uint32_t(hash >> 32);
  const size_t mask = table_.size() - 1;
  for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
    const Slot slot = table_[i];
    if (slot.key == 0) return kNoKey;
    if (slot.tag != tag) continue;
    const KeyInfo& k = keys_[slot.key - 1];
    if (k.kind == kind && k.bytes_size == key.size() &&
        std::memcmp(key_bytes_.data() + k.bytes_begin, key.data(), key.size()) == 0)
      return slot.key - 1;
  }
}

// Per thread, reused by every Match of every index: marks stamped with the number of the Match
// call (its epoch), so that nothing is cleared between posts.
namespace {
uint16_t CountStamp(uint32_t epoch) { return uint16_t(epoch & 0x3FFF); }
}  // namespace

struct RuleIndex::Scratch {
  uint32_t epoch = 0;
  std::vector<uint32_t> held;    // per key: the epoch of the last post holding it
  std::vector<uint16_t> counts;  // per entry: the epoch's low 14 bits << 2 | the entry's keys the post holds
  std::vector<uint32_t> seen;    // per group: the epoch of the last post it was a candidate of
  std::vector<uint32_t> candidates, hits;
  std::vector<uint64_t> bits;  // per rule, cleared after use
  std::vector<uint32_t> words, urls;  // the key of each of the post's tokens, in order (kNoKey: none)
  uint32_t flags = 0;                 // FlagsOf

  void Begin(size_t keys, size_t entries, size_t groups) {
    if (++epoch == 0) {  // start over
      std::fill(held.begin(), held.end(), 0);
      std::fill(counts.begin(), counts.end(), 0);
      std::fill(seen.begin(), seen.end(), 0);
      epoch = 1;
    }
    // A count reads as 0 keys of this post when its stamp is another epoch's, or when it is 0
    // with the stamp 0: cleared each time the stamp comes round to 0.
    if (CountStamp(epoch) == 0) std::fill(counts.begin(), counts.end(), 0);
    if (held.size() < keys) held.resize(keys, 0);
    if (counts.size() < entries) counts.resize(entries, 0);
    if (seen.size() < groups) seen.resize(groups, 0);
    candidates.clear();
    hits.clear();
    words.clear();
    urls.clear();
  }
};
static_assert(kMaxNeed <= 3, "an entry's need and count take two bits (Posting, Scratch::counts)");

bool RuleIndex::Run(uint32_t at, const Scratch& scratch, const SearchSubject& post) const {
  const Op& op = ops_[at];
  switch (op.code) {
    case Op::kHolds: return scratch.held[op.arg] == scratch.epoch;
    case Op::kLeaf: return post.Matches(*leaves_[op.arg]);
    case Op::kFlag: return (scratch.flags >> op.arg) & 1;
    case Op::kPhrase:
    case Op::kUrlPhrase: {
      const Phrase& p = phrases_[op.arg];
      return HoldsSequence(op.code == Op::kPhrase ? scratch.words : scratch.urls, phrase_keys_.data() + p.begin,
                           p.end - p.begin);
    }
    case Op::kAnd:
      for (uint32_t c = at + 1; c < op.end; c = ops_[c].end)
        if (!Run(c, scratch, post)) return false;
      return true;
    case Op::kOr:
      for (uint32_t c = at + 1; c < op.end; c = ops_[c].end)
        if (Run(c, scratch, post)) return true;
      return false;
    case Op::kNot: return op.end == at + 1 || !Run(at + 1, scratch, post);
  }
  return false;
}

std::vector<const IndexedRule*> RuleIndex::Match(const SearchSubject& post) const {
  std::vector<const IndexedRule*> matched;
  if (rules_.empty()) return matched;
  thread_local Scratch scratch;
  scratch.Begin(keys_.size(), entries_.size(), groups_.size());
  const uint32_t epoch = scratch.epoch;
  const uint32_t stamp = CountStamp(epoch);
  scratch.flags = FlagsOf(post);
  for (uint32_t g : always_) {
    scratch.seen[g] = epoch;
    scratch.candidates.push_back(g);
  }
  // Each key the post holds, once (a word said twice is one key): marked held, for the
  // programs' key tests, and its entries counted: an entry is a candidate when the post holds
  // as many of its keys as it needs.
  VisitKeys(post, [&](RuleKeyKind kind, std::string_view key) {
    const uint32_t k = FindKey(kind, key);
    if (kind == RuleKeyKind::kWord) scratch.words.push_back(k);
    if (kind == RuleKeyKind::kUrlWord) scratch.urls.push_back(k);
    if (k == kNoKey || scratch.held[k] == epoch) return;
    scratch.held[k] = epoch;
    const Posting* end = postings_.data() + keys_[k].postings_end;
    for (const Posting* p = postings_.data() + keys_[k].postings_begin; p != end; ++p) {
      const uint32_t entry = *p >> 2, need = *p & 3;
      uint16_t& count = scratch.counts[entry];
      const uint32_t held = (count >> 2) == stamp ? (count & 3u) + 1 : 1;
      if (held > need) continue;  // a candidate already
      count = uint16_t(stamp << 2 | held);
      if (held < need) continue;
      const uint32_t g = entries_[entry].group;
      if (scratch.seen[g] == epoch) continue;  // found through another of its entries
      scratch.seen[g] = epoch;
      scratch.candidates.push_back(g);
    }
  });
  // The candidates are in no order: their groups and programs fetched ahead of their turn.
  const std::vector<uint32_t>& candidates = scratch.candidates;
  constexpr size_t kAhead = 4;
  for (size_t i = 0; i < candidates.size() && i < kAhead; ++i) __builtin_prefetch(&ops_[groups_[candidates[i]].op]);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i + 2 * kAhead < candidates.size()) __builtin_prefetch(&groups_[candidates[i + 2 * kAhead]]);
    if (i + kAhead < candidates.size()) __builtin_prefetch(&ops_[groups_[candidates[i + kAhead]].op]);
    const Group& group = groups_[candidates[i]];
    if (Run(group.op, scratch, post))
      scratch.hits.insert(scratch.hits.end(), group_rules_.begin() + group.rules_begin,
                          group_rules_.begin() + group.rules_end);
  }
  // Rules in position order: a few sorted, many through a bitmap of all rules (a scan of
  // size() / 64 words costs less than sorting hundreds).
  std::vector<uint32_t>& hits = scratch.hits;
  matched.reserve(hits.size());
  if (hits.size() <= 64) {
    std::sort(hits.begin(), hits.end());
    for (uint32_t i : hits) matched.push_back(&rules_[i]);
    return matched;
  }
  std::vector<uint64_t>& bits = scratch.bits;
  if (bits.size() < (rules_.size() + 63) / 64) bits.resize((rules_.size() + 63) / 64, 0);
  for (uint32_t i : hits) bits[i / 64] |= uint64_t(1) << (i % 64);
  for (size_t w = 0; w < (rules_.size() + 63) / 64; ++w) {
    for (uint64_t word = bits[w]; word != 0; word &= word - 1)
      matched.push_back(&rules_[w * 64 + size_t(__builtin_ctzll(word))]);
    bits[w] = 0;
  }
  return matched;
}

}  // namespace sluice
