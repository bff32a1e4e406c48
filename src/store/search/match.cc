#include "store/search/match.h"

#include <string>

#include "core/search_tokens.h"
#include "core/text.h"

namespace sluice {

namespace {

using Kind = SearchNode::Kind;

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The post, prepared once: padded token strings, so " a b " finds a phrase as whole tokens.
struct Prepared {
  const SearchFacts& facts;
  std::string words, urls;
  Entities entities;

  explicit Prepared(const SearchFacts& f) : facts(f), entities(ExtractEntities(f.text)) {
    words = " " + SearchTokensJoined(f.text) + " ";
    std::string expanded;
    for (const auto& u : entities.urls) (expanded += u.expanded_url) += ' ';
    urls = " " + SearchTokensJoined(expanded) + " ";
  }
};

// FTS5: a string with no token matches nothing.
bool HoldsTokens(const std::string& padded, std::string_view value) {
  const std::string tokens = SearchTokensJoined(value);
  return !tokens.empty() && padded.find(" " + tokens + " ") != std::string::npos;
}

template <typename List, typename Get>
bool AnyTag(const List& list, const std::string& value, Get get) {
  for (const auto& e : list)
    if (AsciiLower(get(e)) == value) return true;
  return false;
}

bool Eval(const SearchNode& n, const Prepared& p) {
  const Entities& e = p.entities;
  switch (n.kind) {
    case Kind::kAnd:
      for (const auto& c : n.children)
        if (!Eval(c, p)) return false;
      return true;
    case Kind::kOr:
      for (const auto& c : n.children)
        if (Eval(c, p)) return true;
      return false;
    case Kind::kNot:
      return n.children.empty() || !Eval(n.children.front(), p);
    case Kind::kTerm:
    case Kind::kPhrase:
      return HoldsTokens(p.words, n.value);
    case Kind::kUrl:
      return HoldsTokens(p.urls, n.value);
    case Kind::kHashtag:
      return AnyTag(e.hashtags, n.value, [](const auto& h) { return h.tag; });
    case Kind::kCashtag:
      return AnyTag(e.cashtags, n.value, [](const auto& c) { return c.tag; });
    case Kind::kMention:
      return AnyTag(e.mentions, n.value, [](const auto& m) { return m.username; });
    case Kind::kLang:
      return p.facts.lang == n.value;
    case Kind::kEmoji:
      return p.facts.text.find(n.value) != std::string_view::npos;
    case Kind::kIs:
      return n.value == "retweet"    ? p.facts.retweet
             : n.value == "reply"    ? p.facts.reply
             : n.value == "quote"    ? p.facts.quote
             : n.value == "verified" ? p.facts.verified
             : n.value == "nullcast" ? p.facts.nullcast
                                     : false;
    case Kind::kHas:
      return n.value == "links"      ? !e.urls.empty()
             : n.value == "mentions" ? !e.mentions.empty()
             : n.value == "hashtags" ? !e.hashtags.empty()
             : n.value == "cashtags" ? !e.cashtags.empty()
                                     : false;
    default:  // author, conversation and data the store does not hold
      return false;
  }
}

}  // namespace

bool MatchesSearch(const SearchNode& root, const SearchFacts& post) {
  const Prepared prepared(post);
  return Eval(root, prepared);
}

}  // namespace sluice
