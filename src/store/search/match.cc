#include "store/search/match.h"

#include <algorithm>
#include <string>

#include "core/search_tokens.h"

namespace sluice {

namespace {

using Kind = SearchNode::Kind;

bool AsciiEqualLower(std::string_view mixed, std::string_view lower) {
  if (mixed.size() != lower.size()) return false;
  for (size_t i = 0; i < mixed.size(); ++i) {
    char c = mixed[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

std::string Padded(const std::vector<std::string>& tokens) {
  std::string out = " ";
  for (const auto& t : tokens) (out += t) += ' ';
  return out;
}

// FTS5: a string with no token matches nothing.
bool HoldsJoined(const std::string& padded, std::string_view tokens) {
  if (tokens.empty()) return false;
  // " " + tokens + " " found in padded, without building the needle.
  for (size_t at = padded.find(tokens); at != std::string::npos; at = padded.find(tokens, at + 1))
    if (padded[at - 1] == ' ' && at + tokens.size() < padded.size() && padded[at + tokens.size()] == ' ') return true;
  return false;
}

// Joined tokens in a post: one token is looked up in the post's sorted tokens, several (a
// phrase) searched for in its padded text.
bool HoldsTokens(const std::string& padded, const std::vector<std::string_view>& set, const SearchNode& n) {
  if (!n.tokens_joined) return HoldsJoined(padded, SearchTokensJoined(n.value));
  if (n.value.find(' ') != std::string::npos) return HoldsJoined(padded, n.value);
  return !n.value.empty() && std::binary_search(set.begin(), set.end(), std::string_view(n.value));
}

std::vector<std::string_view> SortedSet(const std::vector<std::string>& tokens) {
  std::vector<std::string_view> out(tokens.begin(), tokens.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

template <typename List, typename Get>
bool AnyTag(const List& list, const std::string& value, Get get) {
  for (const auto& e : list)
    if (AsciiEqualLower(get(e), value)) return true;
  return false;
}

bool IsDigits(std::string_view v) { return !v.empty() && v.find_first_not_of("0123456789") == std::string_view::npos; }

// A user operator's value (a numeric id, or a lowercased username) against a user of the post;
// id 0 is no user. A numeric value names an id, as the stores read it (sql_predicate.h).
bool IsUser(const std::string& value, Id id, std::string_view username) {
  if (id == 0) return false;
  if (IsDigits(value)) return std::to_string(id) == value;
  return AsciiEqualLower(username, value);
}

bool IsId(const std::string& value, Id id) { return id != 0 && std::to_string(id) == value; }

bool IsWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// bio: as the stores match it (search_sql.cc Bio): the value in the ASCII-lowercased
// description padded with spaces, between characters that are not [a-z0-9_].
bool BioHolds(std::string_view description, const std::string& value) {
  if (value.empty()) return false;
  std::string padded = " ";
  for (char c : description) padded += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  padded += ' ';
  for (size_t at = padded.find(value); at != std::string::npos; at = padded.find(value, at + 1))
    if (at > 0 && !IsWordChar(padded[at - 1]) && at + value.size() < padded.size() &&
        !IsWordChar(padded[at + value.size()]))
      return true;
  return false;
}

}  // namespace

SearchSubject::SearchSubject(const SearchFacts& f)
    : facts_(f), tokens_(SearchTokens(f.text)), entities_(ExtractEntities(f.text)) {
  std::string expanded;
  for (const auto& u : entities_.urls) (expanded += u.expanded_url) += ' ';
  url_tokens_ = SearchTokens(expanded);
}

// Made at the first keyword, phrase or url: a caller that tests those otherwise (the rule
// index, through the tokens) never pays for them.
const SearchSubject::Lookup& SearchSubject::lookup() const {
  std::call_once(lookup_once_, [this] {
    lookup_.words = Padded(tokens_);
    lookup_.urls = Padded(url_tokens_);
    lookup_.token_set = SortedSet(tokens_);
    lookup_.url_token_set = SortedSet(url_tokens_);
  });
  return lookup_;
}

bool SearchSubject::Matches(const SearchNode& root) const { return Eval(root); }

bool SearchSubject::Eval(const SearchNode& n) const {
  const Entities& e = entities_;
  const SearchFacts& f = facts_;
  switch (n.kind) {
    case Kind::kAnd:
      for (const auto& c : n.children)
        if (!Eval(c)) return false;
      return true;
    case Kind::kOr:
      for (const auto& c : n.children)
        if (Eval(c)) return true;
      return false;
    case Kind::kNot:
      return n.children.empty() || !Eval(n.children.front());
    case Kind::kTerm:
    case Kind::kPhrase:
      return HoldsTokens(lookup().words, lookup().token_set, n);
    case Kind::kUrl:
      return HoldsTokens(lookup().urls, lookup().url_token_set, n);
    case Kind::kHashtag:
      return AnyTag(e.hashtags, n.value, [](const auto& h) -> std::string_view { return h.tag; });
    case Kind::kCashtag:
      return AnyTag(e.cashtags, n.value, [](const auto& c) -> std::string_view { return c.tag; });
    case Kind::kMention:
      return AnyTag(e.mentions, n.value, [](const auto& m) -> std::string_view { return m.username; });
    case Kind::kLang:
      return f.lang == n.value;
    case Kind::kEmoji:
      return f.text.find(n.value) != std::string_view::npos;
    case Kind::kFrom:
      return IsUser(n.value, f.author_id, f.author_username);
    case Kind::kTo:
      return IsUser(n.value, f.in_reply_to_user_id, f.in_reply_to_username);
    case Kind::kRetweetsOf:
      return IsUser(n.value, f.retweeted_user_id, f.retweeted_username);
    case Kind::kConversationId:
      return IsId(n.value, f.conversation_id);
    case Kind::kInReplyToTweetId:
      return IsId(n.value, f.replied_to_id);
    case Kind::kQuotesOfTweetId:
      return IsId(n.value, f.quoted_id);
    case Kind::kBio:
      return f.author_id != 0 && BioHolds(f.author_description, n.value);
    case Kind::kIs:
      return n.value == "retweet"    ? f.retweet
             : n.value == "reply"    ? f.reply
             : n.value == "quote"    ? f.quote
             : n.value == "verified" ? f.verified
             : n.value == "nullcast" ? f.nullcast
                                     : false;
    case Kind::kHas:
      return n.value == "links"      ? !e.urls.empty()
             : n.value == "mentions" ? !e.mentions.empty()
             : n.value == "hashtags" ? !e.hashtags.empty()
             : n.value == "cashtags" ? !e.cashtags.empty()
                                     : false;
    default:  // place_country:, point_radius:, context:, entity:, list:: no such data is held
      return false;
  }
}

bool MatchesSearch(const SearchNode& root, const SearchFacts& post) {
  return SearchSubject(post).Matches(root);
}

}  // namespace sluice
