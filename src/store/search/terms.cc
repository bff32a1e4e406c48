#include "store/search/terms.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/parse.h"

namespace sluice {

namespace {

using Kind = SearchNode::Kind;

struct OperatorSpec {
  std::string_view name;
  Kind kind;
};

constexpr OperatorSpec kOperators[] = {
    {"from", Kind::kFrom},
    {"to", Kind::kTo},
    {"conversation_id", Kind::kConversationId},
    {"in_reply_to_tweet_id", Kind::kInReplyToTweetId},
    {"quotes_of_tweet_id", Kind::kQuotesOfTweetId},
    {"url", Kind::kUrl},
    {"lang", Kind::kLang},
    {"is", Kind::kIs},
    {"has", Kind::kHas},
    {"retweets_of", Kind::kRetweetsOf},
    {"bio", Kind::kBio},
    {"place_country", Kind::kPlaceCountry},
    {"point_radius", Kind::kPointRadius},
    {"context", Kind::kContext},
    {"entity", Kind::kEntity},
    {"list", Kind::kList},
};

constexpr std::string_view kIsValues[] = {"retweet", "reply", "quote", "verified", "nullcast"};
constexpr std::string_view kHasValues[] = {"links",  "mentions", "hashtags",   "cashtags", "media",
                                           "images", "videos",   "video_link", "geo"};
constexpr size_t kMaxUsernameLength = 15;
constexpr size_t kMaxIdDigits = 19;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsAsciiLetter(c) || IsDigit(c) || c == '_'; }

// ASCII only: FTS5 folds the case of other scripts itself, and usernames, cashtags,
// operator names and values are ASCII.
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

int CodePoints(std::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IsUsername(std::string_view s) {
  return !s.empty() && s.size() <= kMaxUsernameLength && AllOf(s, IsWordChar);
}

// 1 to 19 digits that fit a signed 64-bit id. Leading zeros are dropped.
bool ParseId(std::string_view s, std::string& out) {
  if (s.empty() || s.size() > kMaxIdDigits || !AllOf(s, IsDigit)) return false;
  const auto id = ParseInt<int64_t>(s, 0);
  if (!id.ok()) return false;
  out = std::to_string(id.value);
  return true;
}

// [a-z]{2,3}(-[a-z0-9]+)?, after lowercasing.
bool IsLanguageTag(std::string_view s) {
  const size_t dash = s.find('-');
  const std::string_view primary = s.substr(0, dash);
  if (primary.size() < 2 || primary.size() > 3 || !AllOf(primary, IsAsciiLetter)) return false;
  if (dash == std::string_view::npos) return true;
  const std::string_view rest = s.substr(dash + 1);
  return !rest.empty() && AllOf(rest, [](char c) { return IsAsciiLetter(c) || IsDigit(c); });
}

// A decimal number: optional '-', digits, optional '.' and digits.
bool ParseDecimal(std::string_view s, double& out) {
  size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  const size_t digits = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == digits) return false;
  if (i < s.size() && s[i] == '.') {
    const size_t fraction = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == fraction) return false;
  }
  if (i != s.size()) return false;
  out = std::strtod(std::string(s).c_str(), nullptr);
  return true;
}

// X's [longitude latitude radius]: longitude -180..180, latitude -90..90, a radius in mi or km
// above 0 and at most 25 miles (40 km).
bool IsPointRadius(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  std::vector<std::string_view> parts;
  std::string_view rest = s.substr(1, s.size() - 2);
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    if (space != 0) parts.push_back(rest.substr(0, space));
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  if (parts.size() != 3 || parts[2].size() < 3) return false;
  double lon = 0, lat = 0, radius = 0;
  const std::string_view unit = parts[2].substr(parts[2].size() - 2);
  if (!ParseDecimal(parts[0], lon) || !ParseDecimal(parts[1], lat) ||
      !ParseDecimal(parts[2].substr(0, parts[2].size() - 2), radius))
    return false;
  const double max_radius = unit == "mi" ? 25 : unit == "km" ? 40 : 0;
  return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 && radius > 0 && radius <= max_radius;
}

// domain_id.entity_id or domain_id.*, as X's context annotations are written.
bool IsContext(std::string_view s) {
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || !AllOf(s.substr(0, dot), IsDigit)) return false;
  const std::string_view entity = s.substr(dot + 1);
  return entity == "*" || (!entity.empty() && entity.size() <= kMaxIdDigits && AllOf(entity, IsDigit));
}

template <size_t N>
bool OneOf(std::string_view s, const std::string_view (&values)[N]) {
  for (std::string_view v : values)
    if (s == v) return true;
  return false;
}

SearchError InvalidValue(int position, std::string_view op, std::string_view value, std::string_view expected) {
  return {position, "Invalid value '" + std::string(value) + "' for operator '" + std::string(op) +
                        ":': expected " + std::string(expected)};
}

std::optional<SearchError> BuildOperator(std::string_view name, std::string_view value, int position,
                                         int value_position, SearchNode& node) {
  const OperatorSpec* spec = nullptr;
  const std::string lower_name = Lower(name);
  for (const auto& s : kOperators)
    if (s.name == lower_name) spec = &s;
  if (spec == nullptr)
    return SearchError{position, "Reference to invalid operator '" + std::string(name) +
                                     "'. Operator is not available in current product or isn't recognized."};
  if (value.empty()) return SearchError{position, "Operator '" + lower_name + ":' has no value"};
  node.kind = spec->kind;
  switch (spec->kind) {
    case Kind::kFrom:
    case Kind::kTo:
    case Kind::kRetweetsOf:
      // All digits: a user id (X reads from:12345 the same way); else a username.
      if (AllOf(value, IsDigit) ? ParseId(value, node.value) : IsUsername(value)) {
        if (node.value.empty()) node.value = Lower(value);
        return std::nullopt;
      }
      return InvalidValue(value_position, lower_name, value,
                          "a username (1 to 15 letters, digits or '_') or a user id");
    case Kind::kConversationId:
    case Kind::kInReplyToTweetId:
    case Kind::kQuotesOfTweetId:
    case Kind::kList:
      if (ParseId(value, node.value)) return std::nullopt;
      return InvalidValue(value_position, lower_name, value, "an id of 1 to 19 digits");
    case Kind::kUrl:
    case Kind::kEntity:
      node.value = std::string(value);
      return std::nullopt;
    case Kind::kPointRadius:
      node.value = std::string(value);
      if (IsPointRadius(value)) return std::nullopt;
      return InvalidValue(value_position, lower_name, value,
                          "[longitude latitude radius], longitude -180 to 180, latitude -90 to 90, radius up to "
                          "25mi or 40km such as [2.35 48.85 10km]");
    case Kind::kBio:
      node.value = Lower(value);
      return std::nullopt;
    case Kind::kPlaceCountry:
      if (value.size() == 2 && AllOf(value, IsAsciiLetter)) {
        node.value = std::string(value);
        for (char& c : node.value)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        return std::nullopt;
      }
      return InvalidValue(value_position, lower_name, value, "an ISO 3166-1 alpha-2 country code such as US");
    case Kind::kContext:
      node.value = std::string(value);
      if (IsContext(value)) return std::nullopt;
      return InvalidValue(value_position, lower_name, value, "domain_id.entity_id or domain_id.*");
    case Kind::kLang:
      node.value = Lower(value);
      if (IsLanguageTag(node.value)) return std::nullopt;
      return InvalidValue(value_position, lower_name, value, "a language code such as en or pt-br");
    case Kind::kIs:
      node.value = Lower(value);
      if (OneOf(node.value, kIsValues)) return std::nullopt;
      return InvalidValue(value_position, lower_name, value, "retweet, reply, quote, verified or nullcast");
    case Kind::kHas:
      node.value = Lower(value);
      if (OneOf(node.value, kHasValues)) return std::nullopt;
      return InvalidValue(value_position, lower_name, value, "links, mentions, hashtags, cashtags, media, images, videos, video_link or geo");
    default:
      break;
  }
  return SearchError{position, "Unsupported operator '" + lower_name + ":'"};
}

// #hashtag, $cashtag, @mention: the sigil and at least one character of the right kind.
std::optional<SearchError> BuildTag(std::string_view word, int position, SearchNode& node) {
  const std::string_view body = word.substr(1);
  bool valid = !body.empty();
  std::string_view what;
  switch (word[0]) {
    case '#':
      node.kind = Kind::kHashtag;
      what = "hashtag: a hashtag holds letters, digits and '_'";
      // Any non-ASCII byte: hashtags may be written in any script.
      valid = valid && AllOf(body, [](char c) { return IsWordChar(c) || static_cast<unsigned char>(c) >= 0x80; });
      break;
    case '$':
      node.kind = Kind::kCashtag;
      what = "cashtag: a cashtag holds letters";
      valid = valid && AllOf(body, IsAsciiLetter);
      break;
    default:
      node.kind = Kind::kMention;
      what = "mention: a username holds 1 to 15 letters, digits or '_'";
      valid = valid && IsUsername(body);
      break;
  }
  if (body.empty()) return SearchError{position, std::string(1, '\'') + word[0] + "' must be followed by a name"};
  if (!valid) return SearchError{position, "Invalid " + std::string(what) + ", got '" + std::string(word) + "'"};
  node.value = Lower(body);
  return std::nullopt;
}

}  // namespace

std::optional<SearchError> BuildSearchTerm(const SearchToken& token, SearchNode& node) {
  node.position = token.position;
  const std::string& word = token.text;
  if (token.kind == SearchToken::Kind::kPhrase) {
    if (word.find_first_not_of(" \t\n\v\f\r") == std::string::npos)
      return SearchError{token.position, "Empty exact phrase"};
    node.kind = Kind::kPhrase;
    node.value = word;
    return std::nullopt;
  }
  if (token.emoji) {
    node.kind = Kind::kEmoji;
    node.value = word;
    return std::nullopt;
  }
  if (token.has_quoted_value)
    return BuildOperator(std::string_view(word).substr(0, word.size() - 1), token.quoted_value, token.position,
                         token.value_position, node);
  if (word[0] == '#' || word[0] == '$' || word[0] == '@') return BuildTag(word, token.position, node);
  if (const size_t colon = word.find(':'); colon != std::string::npos) {
    const std::string_view name = std::string_view(word).substr(0, colon);
    return BuildOperator(name, std::string_view(word).substr(colon + 1), token.position,
                         token.position + CodePoints(name) + 1, node);
  }
  node.kind = Kind::kTerm;
  node.value = Lower(word);
  return std::nullopt;
}

bool NeedsConjunction(SearchNode::Kind kind) {
  return kind == Kind::kIs || kind == Kind::kHas || kind == Kind::kLang;
}

std::string DescribeSearchTerm(const SearchNode& node) {
  for (const auto& s : kOperators)
    if (s.kind == node.kind) return std::string(s.name) + ":" + node.value;
  switch (node.kind) {
    case Kind::kPhrase: return "\"" + node.value + "\"";
    case Kind::kHashtag: return "#" + node.value;
    case Kind::kCashtag: return "$" + node.value;
    case Kind::kMention: return "@" + node.value;
    default: return node.value;
  }
}

}  // namespace sluice
