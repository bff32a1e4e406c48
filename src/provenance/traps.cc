#include "provenance/traps.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <functional>
#include <string_view>

#include "core/search_tokens.h"
#include "core/text.h"
#include "provenance/fingerprint.h"
#include "provenance/trap_model.h"

namespace sluice {

namespace {

constexpr std::string_view kDomainLabel = "sluice-trap-v2";
constexpr int kUsernameAttempts = 32;

// xoshiro256** (Blackman & Vigna): small, fast, and fully specified, so the same seed gives
// the same draws everywhere (unlike std:: distributions, whose algorithms are unspecified).
class Xoshiro256 {
 public:
  explicit Xoshiro256(const std::array<uint64_t, 4>& seed) : s_(seed) {
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the all-zero state is a fixed point
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n), n > 0, without modulo bias: reject the 2^64 mod n lowest values.
  uint64_t Below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      const uint64_t x = Next();
      if (x >= threshold) return x % n;
    }
  }

  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) { return items[Below(N)]; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

void PutBigEndian(uint64_t v, unsigned char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

bool TrapSeed(std::string_view secret, Id app, uint64_t counter, std::array<uint64_t, 4>& seed) {
  std::array<unsigned char, 16 + kDomainLabel.size()> message{};
  PutBigEndian(static_cast<uint64_t>(app), message.data());
  PutBigEndian(counter, message.data() + 8);
  std::copy(kDomainLabel.begin(), kDomainLabel.end(), message.begin() + 16);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(), mac,
           &mac_len) == nullptr ||
      mac_len != 32) {
    return false;
  }
  for (int w = 0; w < 4; ++w) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v = (v << 8) | mac[w * 8 + b];
    seed[w] = v;
  }
  return true;
}

constexpr std::string_view kFirstNamesEn[] = {"Jordan", "Alex",  "Sam",     "Taylor", "Morgan", "Jamie",
                                              "Casey",  "Riley", "Robin",   "Charlie", "Avery", "Quinn"};
constexpr std::string_view kFirstNamesFr[] = {"Camille", "Dominique", "Claude", "Sacha", "Alix", "Charlie",
                                              "Maxime",  "Morgane",   "Lou",    "Noa",   "Eden", "Andréa"};
constexpr std::string_view kInitials = "ABCDEFGHJLMNPRSTV";

constexpr std::string_view kUserSyllables[] = {"ba", "ko", "ri", "ne", "lu", "ma", "to", "vi", "sa", "de",
                                               "jo", "ra", "li", "mo", "pe", "ta", "ze", "no", "ka", "fi"};

// A username of the documented shape [a-z]{4,9}[0-9]{2,4} (at most 13 characters).
std::string DrawUsername(Xoshiro256& rng) {
  const size_t letters = 4 + rng.Below(6);
  std::string name;
  while (name.size() < letters) name += rng.Pick(kUserSyllables);
  name.resize(letters);
  const int digits = 2 + static_cast<int>(rng.Below(3));
  for (int i = 0; i < digits; ++i) name += static_cast<char>('0' + rng.Below(10));
  return name;
}

using Impl = TrapTextModel::Impl;
constexpr int kMaxWalkTokens = 80;

template <typename V>
const typename V::value_type& PickFrom(Xoshiro256& rng, const V& v) {
  return v[rng.Below(v.size())];
}

// Walks the chain from state (a, b), appending token ids, towards `target` tokens in all
// (out's size): before it, the walk goes on past a post's end where the chain allows; from it
// on, it stops at the first end the chain offers. So lengths follow the drawn targets, which
// follow the sample's lengths, instead of the chain's own (longer, run-on) ones.
void Walk(const Impl::Chain& c, Xoshiro256& rng, uint32_t a, uint32_t b, size_t target, std::vector<uint32_t>& out) {
  for (int n = 0; n < kMaxWalkTokens; ++n) {
    auto [lo, hi] = c.Next(a, b);
    if (lo == hi) return;
    const bool can_end = std::find(lo, hi, Impl::kEnd) != hi;
    if (out.size() >= target && can_end) return;
    uint32_t t = lo[rng.Below(uint64_t(hi - lo))];
    for (int retry = 0; retry < 8 && t == Impl::kEnd && out.size() < target; ++retry) t = lo[rng.Below(uint64_t(hi - lo))];
    if (t == Impl::kEnd) {
      if (out.size() >= target) return;
      a = b = Impl::kEnd;  // short of the target: another sentence, as a post's next one
      continue;
    }
    out.push_back(t);
    a = b;
    b = t;
  }
}

// A link shaped like one of the sample's: its last run of digits redrawn (same length).
std::string DrawLink(Xoshiro256& rng, std::string link) {
  const size_t end = link.find_last_of("0123456789");
  if (end == std::string::npos || end < 8) return link;
  size_t begin = end;
  while (begin > 0 && link[begin - 1] >= '0' && link[begin - 1] <= '9') --begin;
  for (size_t i = begin; i <= end; ++i) link[i] = char((i == begin ? '1' : '0') + rng.Below(i == begin ? 9 : 10));
  return link;
}

// Whether `haystack` (space-separated search tokens) holds `needle` as whole tokens.
bool HoldsTokens(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return false;
  return (" " + haystack + " ").find(" " + needle + " ") != std::string::npos;
}

// The sample links that satisfy every url: value.
std::vector<const std::string*> LinksFor(const Impl& m, const TrapRequirements& req) {
  std::vector<const std::string*> out;
  if (req.url_values.empty()) return out;
  for (const auto& link : m.links) {
    const std::string tokens = SearchTokensJoined(link);
    bool all = true;
    for (const auto& v : req.url_values) all = all && HoldsTokens(tokens, SearchTokensJoined(v));
    if (all) out.push_back(&link);
  }
  return out;
}

bool Feasible(const Impl& m, const TrapRequirements& req) {
  if (!req.lang.empty() && !m.ChainOf(req.lang)) return false;
  if (!req.url_values.empty() && LinksFor(m, req).empty()) return false;
  if ((req.link || !req.url_values.empty()) && m.links.empty()) return false;
  if (req.hashtag || req.mention || req.cashtag) {
    // Some language the alternative allows must have the tags it asks for.
    bool any = false;
    for (const auto& c : m.chains) {
      if (!req.lang.empty() && c.lang != req.lang) continue;
      any = any || ((!req.hashtag || !c.hashtags.empty() || !req.hashtags.empty()) &&
                    (!req.mention || !c.mentions.empty() || !req.mentions.empty()) &&
                    (!req.cashtag || !c.cashtags.empty() || !req.cashtags.empty()));
    }
    if (!any) return false;
  }
  return true;
}

// One candidate text for `req` in `c` of the given shape, or empty: when the chain cannot
// write one, or its length strays from the shape's by more than a twentieth (an eighth, at
// least two tokens, with the query's words written in): rejecting, rather than cutting, keeps
// the lengths those of real posts. `insert`: write the query's words, phrases and emoji in
// (else the walk must hold them by itself, which keeps its length that of the shape: tried
// first).
std::string WriteText(const Impl& m, const Impl::Chain& c, const TrapRequirements& req,
                      const std::vector<const std::string*>& url_links, const Impl::Chain::Shape& shape, bool insert,
                      Xoshiro256& rng) {
  std::vector<std::string> words;
  const size_t target = shape.tokens;
  // Room for the fragments that will write the query's words in (about 3 tokens each).
  const size_t inserts = insert ? req.terms.size() + req.phrases.size() + req.literals.size() : 0;
  const size_t base_target = target > 3 * inserts ? target - 3 * inserts : 1;
  auto append_ids = [&](const std::vector<uint32_t>& ids, std::vector<std::string>& out) {
    for (uint32_t id : ids) out.push_back(id == Impl::kLink ? std::string("\x01") : c.tokens[id]);
  };
  {
    std::vector<uint32_t> ids;
    Walk(c, rng, Impl::kEnd, Impl::kEnd, base_target, ids);
    append_ids(ids, words);
  }
  {
    const size_t tolerance = base_target / 20;
    if (inserts == 0 && (words.size() + tolerance < base_target || words.size() > base_target + tolerance)) return {};
    // The drawn shape's tags and links: extra ones dropped (the last first), missing ones
    // added at the end, where posts carry them.
    auto fit = [&](auto is_kind, size_t want, const std::function<std::string()>& make) {
      size_t have = size_t(std::count_if(words.begin(), words.end(), is_kind));
      for (size_t i = words.size(); i-- > 0 && have > want;)
        if (is_kind(words[i])) {
          words.erase(words.begin() + std::ptrdiff_t(i));
          --have;
        }
      for (; have < want; ++have) words.push_back(make());
    };
    auto sigil = [](char s) { return [s](const std::string& w) { return w.size() > 1 && w[0] == s; }; };
    auto from = [&](const std::vector<uint32_t>& pool) {
      return [&] { return pool.empty() ? std::string("\x01") : c.tokens[PickFrom(rng, pool)]; };
    };
    if ((shape.hashtags && c.hashtags.empty()) || (shape.mentions && c.mentions.empty()) ||
        (shape.cashtags && c.cashtags.empty()))
      return {};
    fit(sigil('#'), shape.hashtags, from(c.hashtags));
    fit(sigil('@'), shape.mentions, from(c.mentions));
    fit(sigil('$'), shape.cashtags, from(c.cashtags));
    fit([](const std::string& w) { return w == "\x01"; }, shape.links, [] { return std::string("\x01"); });
  }
  auto joined_tokens = [&] {
    std::string text;
    for (const auto& w : words) (text += w) += ' ';
    return SearchTokensJoined(text);
  };
  // A fragment before or after what is written so far.
  auto add_fragment = [&](std::vector<std::string> fragment) {
    if (rng.Below(2) == 0)
      words.insert(words.begin(), fragment.begin(), fragment.end());
    else
      words.insert(words.end(), fragment.begin(), fragment.end());
  };
  for (const auto& term : req.terms) {
    if (HoldsTokens(joined_tokens(), SearchTokensJoined(term))) continue;
    if (!insert) return {};
    auto found = c.by_search_token.find(SearchTokensJoined(term));
    if (found == c.by_search_token.end()) {  // no sample post has it: the word alone, somewhere
      words.insert(words.begin() + std::ptrdiff_t(rng.Below(words.size() + 1)), term);
      continue;
    }
    // A fragment of the chain through the word: from a state that ends with it.
    const uint32_t tok = PickFrom(rng, found->second);
    std::vector<size_t> states;
    for (size_t s = 0; s < c.states.size(); ++s)
      if (uint32_t(c.states[s]) == tok) states.push_back(s);
    std::vector<uint32_t> ids;
    uint32_t a = Impl::kEnd;
    if (!states.empty()) a = uint32_t(c.states[PickFrom(rng, states)] >> 32);
    if (a != Impl::kEnd) ids.push_back(a);
    ids.push_back(tok);
    Walk(c, rng, a, tok, ids.size() + rng.Below(6), ids);
    std::vector<std::string> fragment;
    append_ids(ids, fragment);
    add_fragment(std::move(fragment));
  }
  for (const auto& phrase : req.phrases) {
    if (HoldsTokens(joined_tokens(), SearchTokensJoined(phrase))) continue;
    if (!insert) return {};
    std::vector<std::string> fragment{phrase};
    // Continue the chain from the phrase's last two words when the sample has them.
    std::vector<std::string> pw;
    for (size_t i = 0; i < phrase.size();) {
      size_t j = phrase.find(' ', i);
      if (j == std::string::npos) j = phrase.size();
      if (j > i) pw.push_back(phrase.substr(i, j - i));
      i = j + 1;
    }
    if (pw.size() >= 2) {
      auto x = c.ids.find(pw[pw.size() - 2]), y = c.ids.find(pw.back());
      if (x != c.ids.end() && y != c.ids.end()) {
        std::vector<uint32_t> ids;
        Walk(c, rng, x->second, y->second, rng.Below(6), ids);
        append_ids(ids, fragment);
      }
    }
    add_fragment(std::move(fragment));
  }
  if (!insert && !req.literals.empty()) return {};
  for (const auto& literal : req.literals)
    words.insert(words.begin() + std::ptrdiff_t(rng.Below(words.size() + 1)), literal);
  if (inserts > 0) {  // the whole text near the shape's length
    const size_t tolerance = std::max<size_t>(2, target / 8);
    if (words.size() + tolerance < target || words.size() > target + tolerance) return {};
  }
  auto has_prefix = [&](char sigil) {
    for (const auto& w : words)
      if (w.size() > 1 && w[0] == sigil) return true;
    return false;
  };
  auto require_tags = [&](char sigil, const std::vector<std::string>& values, bool any,
                          const std::vector<uint32_t>& pool) {
    for (const auto& v : values) words.push_back(std::string(1, sigil) + v);
    if (any && !has_prefix(sigil)) {
      if (pool.empty()) return false;
      words.push_back(c.tokens[PickFrom(rng, pool)]);
    }
    return true;
  };
  if (!require_tags('#', req.hashtags, req.hashtag, c.hashtags) ||
      !require_tags('@', req.mentions, req.mention, c.mentions) ||
      !require_tags('$', req.cashtags, req.cashtag, c.cashtags))
    return {};
  const bool has_slot = std::find(words.begin(), words.end(), "\x01") != words.end();
  if (!req.url_values.empty()) {
    // The asked link replaces the first slot, or ends the post.
    std::string link = DrawLink(rng, *PickFrom(rng, url_links));
    if (has_slot)
      *std::find(words.begin(), words.end(), "\x01") = std::move(link);
    else
      words.push_back(std::move(link));
  } else if (req.link && !has_slot) {
    words.push_back("\x01");
  }
  std::string text;
  for (auto& w : words) {
    if (w == "\x01") w = m.links.empty() ? std::string() : DrawLink(rng, PickFrom(rng, m.links));
    if (w.empty()) continue;
    if (!text.empty()) text += ' ';
    text += w;
  }
  return text;
}

// Whether enough of the fingerprint hashes of `text` are held by no sample post:
// kTrapMinOwnHashes, or half the fingerprint of a short text (at least one).
bool OwnEnough(const Impl& m, std::string_view text) {
  const auto fp = Fingerprint(text);
  size_t own = 0;
  for (uint64_t h : fp) own += m.HasShingle(h) ? 0 : 1;
  return own >= std::min<size_t>(kTrapMinOwnHashes, std::max<size_t>(1, fp.size() / 2));
}
}  // namespace

TrapRecord MakeTrap(std::string_view secret, Id app, uint64_t counter, const TrapTextModel& model,
                    std::span<const TrapRequirements> alternatives, const TrapTextAccepted& accepted,
                    const UsernameTaken& username_taken, const TrapPageHint& hint) {
  TrapRecord record;
  record.app_id = app;
  record.counter = counter;
  std::array<uint64_t, 4> seed{};
  if (secret.size() < kMinTrapSecretBytes || model.empty() || !TrapSeed(secret, app, counter, seed)) return record;
  const Impl& m = model.impl();
  Xoshiro256 rng(seed);

  // The language, by the sample's share of each (drawn even when the query fixes it, so the
  // draws that follow do not depend on the query's language).
  size_t total = 0;
  for (const auto& c : m.chains) total += c.posts;
  uint64_t pick = rng.Below(total);
  const Impl::Chain* chain = &m.chains.front();
  for (const auto& c : m.chains) {
    if (pick < c.posts) {
      chain = &c;
      break;
    }
    pick -= c.posts;
  }
  if (const Impl::Chain* wanted = m.ChainOf(hint.lang)) chain = wanted;
  static const TrapRequirements kNone;
  std::vector<const TrapRequirements*> feasible;
  for (const auto& alt : alternatives)
    if (Feasible(m, alt)) feasible.push_back(&alt);
  if (alternatives.empty()) feasible.push_back(&kNone);
  if (feasible.empty()) return record;
  const TrapRequirements& req = *feasible[rng.Below(feasible.size())];
  if (!req.lang.empty()) chain = m.ChainOf(req.lang);
  const auto url_links = LinksFor(m, req);

  // The shape (length, tags, links) of a sample post, drawn once: every attempt aims at it, so
  // shapes easier to write are not favoured.
  Impl::Chain::Shape shape = chain->shapes.empty() ? Impl::Chain::Shape{12} : PickFrom(rng, chain->shapes);
  if (!hint.text.empty()) shape = Impl::Chain::ShapeOf(hint.text);
  std::string text;
  for (int attempt = 0; attempt < kTrapTextAttempts && text.empty(); ++attempt) {
    // The first half of the attempts take the query's words only where the chain writes them.
    // With the query's own matcher, any text it takes will do (not just one holding the drawn
    // alternative's words): the query's words then come as often, and in the same places, as
    // in the real posts it matches (an inserted "a" or "le" shortens the mean word).
    const bool insert = attempt >= kTrapTextAttempts / 2;
    const TrapRequirements& want = accepted && !insert ? kNone : req;
    std::string candidate = WriteText(m, *chain, want, url_links, shape, insert, rng);
    if (candidate.empty() || !IsValidUtf8(candidate) || CountCodePoints(candidate) > kTrapMaxCodePoints) continue;
    if (!OwnEnough(m, candidate)) continue;
    if (accepted && !accepted(candidate, chain->lang)) continue;
    text = std::move(candidate);
  }
  if (text.empty()) return record;

  const bool french = chain->lang == "fr";
  std::string author_name(french ? rng.Pick(kFirstNamesFr) : rng.Pick(kFirstNamesEn));
  author_name += ' ';
  author_name += kInitials[rng.Below(kInitials.size())];
  author_name += '.';

  std::string username;
  for (int attempt = 0; attempt < kUsernameAttempts; ++attempt) {
    std::string candidate = DrawUsername(rng);
    if (!username_taken || !username_taken(candidate)) {
      username = std::move(candidate);
      break;
    }
  }
  if (username.empty()) return record;

  record.text = std::move(text);
  record.lang = chain->lang;
  record.author_username = std::move(username);
  record.author_name = std::move(author_name);
  return record;
}

}  // namespace sluice
