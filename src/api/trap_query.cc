#include "api/trap_query.h"

#include <optional>

#include "store/search/match.h"

namespace sluice {

namespace {

using Kind = SearchNode::Kind;
using Alternatives = std::vector<TrapRequirements>;

bool HasBio(const SearchNode& n) {
  if (n.kind == Kind::kBio) return true;
  for (const auto& c : n.children)
    if (HasBio(c)) return true;
  return false;
}

template <typename T>
void Append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// Both requirements at once; nullopt when they conflict (two languages).
std::optional<TrapRequirements> Merge(TrapRequirements a, const TrapRequirements& b) {
  if (!a.lang.empty() && !b.lang.empty() && a.lang != b.lang) return std::nullopt;
  if (a.lang.empty()) a.lang = b.lang;
  Append(a.terms, b.terms);
  Append(a.phrases, b.phrases);
  Append(a.literals, b.literals);
  Append(a.hashtags, b.hashtags);
  Append(a.mentions, b.mentions);
  Append(a.cashtags, b.cashtags);
  Append(a.url_values, b.url_values);
  a.link = a.link || b.link;
  a.hashtag = a.hashtag || b.hashtag;
  a.mention = a.mention || b.mention;
  a.cashtag = a.cashtag || b.cashtag;
  return a;
}

Alternatives Leaf(const SearchNode& n) {
  TrapRequirements r;
  switch (n.kind) {
    case Kind::kTerm: r.terms.push_back(n.value); break;
    case Kind::kPhrase: r.phrases.push_back(n.value); break;
    case Kind::kEmoji: r.literals.push_back(n.value); break;
    case Kind::kHashtag: r.hashtags.push_back(n.value); break;
    case Kind::kMention: r.mentions.push_back(n.value); break;
    case Kind::kCashtag: r.cashtags.push_back(n.value); break;
    case Kind::kUrl: r.url_values.push_back(n.value); break;
    case Kind::kLang: r.lang = n.value; break;
    case Kind::kHas:
      if (n.value == "links") r.link = true;
      else if (n.value == "hashtags") r.hashtag = true;
      else if (n.value == "mentions") r.mention = true;
      else if (n.value == "cashtags") r.cashtag = true;
      else return {};  // media, images, videos, video_link, geo: the store holds none
      break;
    default:  // from:, to:, is:, conversation ids, places, lists...: not a trap's to have
      return {};
  }
  return {r};
}

Alternatives Expand(const SearchNode& n) {
  switch (n.kind) {
    case Kind::kNot:
      return {TrapRequirements{}};
    case Kind::kOr: {
      Alternatives out;
      for (const auto& c : n.children) {
        for (auto& alt : Expand(c)) {
          if (out.size() == kMaxTrapAlternatives) return out;
          out.push_back(std::move(alt));
        }
      }
      return out;
    }
    case Kind::kAnd: {
      Alternatives out{TrapRequirements{}};
      for (const auto& c : n.children) {
        const Alternatives branch = Expand(c);
        Alternatives next;
        for (const auto& a : out)
          for (const auto& b : branch)
            if (next.size() < kMaxTrapAlternatives)
              if (auto merged = Merge(a, b)) next.push_back(std::move(*merged));
        out = std::move(next);
        if (out.empty()) return out;
      }
      return out;
    }
    default:
      return Leaf(n);
  }
}

}  // namespace

std::vector<TrapRequirements> TrapAlternatives(const SearchNode& root) {
  if (HasBio(root)) return {};
  return Expand(root);
}

bool TrapMatches(const SearchNode& root, std::string_view text, std::string_view lang) {
  SearchFacts facts;
  facts.text = text;
  facts.lang = lang;
  return MatchesSearch(root, facts);
}

}  // namespace sluice
