#include "ingest/seed_text.h"

#include <cctype>

#include "core/text.h"

namespace sluice::seed_internal {

namespace {

// WeightedLength(piece), without its NFC pass and entity scan for the common piece: ASCII
// with no '.' before a letter or digit holds no url and no emoji, so each byte weighs 1.
int64_t PieceWeight(std::string_view piece) {
  for (size_t i = 0; i < piece.size(); ++i) {
    auto c = static_cast<unsigned char>(piece[i]);
    if (c >= 0x80) return WeightedLength(piece);
    if (c == '.' && i + 1 < piece.size() && std::isalnum(static_cast<unsigned char>(piece[i + 1])))
      return WeightedLength(piece);
  }
  return int64_t(piece.size());
}

}  // namespace

bool TextBuilder::Append(std::string_view piece, bool glue) {
  if (piece.empty()) return true;
  bool space = !glue && !text_.empty();
  if (!space && !text_.empty()) {
    // Glued: a url or an emoji sequence may now span the join, so the whole text is weighed.
    std::string joined = text_ + std::string(piece);
    int64_t weight = WeightedLength(joined);
    if (weight > limit_) return false;
    text_ = std::move(joined);
    weight_ = weight;
    return true;
  }
  int64_t add = PieceWeight(piece) + (space ? 1 : 0);
  if (weight_ + add > limit_) return false;
  if (space) text_ += ' ';
  text_ += piece;
  weight_ += add;
  return true;
}

int CountWords(std::string_view s) {
  int words = 0;
  bool in_word = false;
  for (char c : s) {
    if (c == ' ') {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

namespace {

bool IsPlural(const vocab::Language& lang, std::string_view np) {
  for (std::string_view article : lang.plural_articles)
    if (np.substr(0, article.size()) == article) return true;
  return lang.plural_ends_in_s && !np.empty() && np.back() == 's';
}

void AppendCapitalized(std::string& out, std::string_view s) {
  size_t at = out.size();
  out += s;
  if (at < out.size() && out[at] >= 'a' && out[at] <= 'z') out[at] = char(out[at] - 'a' + 'A');
}

}  // namespace

std::string Sentence(Rng& rng, const vocab::Language& lang) {
  std::string s;
  bool capitalize = true;
  if (rng.Chance(0.15)) {
    std::string_view opener = rng.Pick(lang.openers);
    s += opener;
    s += ' ';
    capitalize = opener.back() == '!';
  }
  std::string_view subject = rng.Pick(lang.noun_phrases);
  const vocab::Verb& verb = rng.Pick(lang.verbs);
  std::string_view object = rng.Pick(lang.noun_phrases);
  if (object == subject) object = rng.Pick(lang.noun_phrases);
  if (capitalize) AppendCapitalized(s, subject);
  else s += subject;
  s += ' ';
  s += IsPlural(lang, subject) ? verb.plural : verb.singular;
  s += ' ';
  s += object;
  if (rng.Chance(0.6)) {
    s += ' ';
    s += rng.Pick(lang.complements);
  }
  double end = rng.Unit();
  bool french = lang.code == "fr";  // French typography: a space before '!' and '?'
  if (end < 0.85) s += '.';
  else if (end < 0.93) s += french ? " !" : "!";
  else s += french ? " ?" : "?";
  return s;
}

void AppendBody(Rng& rng, const vocab::Language& lang, int min_words, int max_words, TextBuilder& out) {
  int target = int(rng.Between(min_words, max_words));
  int words = 0;
  for (int k = 0; k < 4 && words < target; ++k) {
    std::string s = Sentence(rng, lang);
    int w = CountWords(s);
    if (words > 0 && words + w > max_words) break;
    if (!out.Append(s)) break;
    words += w;
  }
  while (words < min_words) {
    std::string_view closer = rng.Pick(lang.closers);
    if (!out.Append(closer)) break;
    words += CountWords(closer);
  }
}

std::string Bio(Rng& rng, const vocab::Language& lang) {
  if (rng.Chance(0.15)) return "";
  std::string bio;
  int fragments = int(rng.Between(1, 3));
  std::string_view last;
  for (int k = 0; k < fragments; ++k) {
    std::string_view f = rng.Pick(lang.bio_fragments);
    if (f == last) continue;
    if (!bio.empty()) bio += ' ';
    bio += f;
    last = f;
  }
  if (rng.Chance(0.15)) {
    bio += ' ';
    bio += rng.Pick(vocab::Emojis());
  }
  return bio;
}

std::string NewsUrl(Rng& rng) {
  std::string url = "https://";
  url += rng.Pick(vocab::NewsDomains());
  url += '/';
  url += rng.Pick(vocab::UrlSections());
  url += '/';
  if (rng.Chance(0.3)) url += std::to_string(rng.Between(2019, 2025)) + "/";
  int words = int(rng.Between(2, 4));
  for (int k = 0; k < words; ++k) {
    url += rng.Pick(vocab::SlugWords());
    url += '-';
  }
  url += std::to_string(rng.Between(1000, 99999));
  double tail = rng.Unit();
  if (tail < 0.15) url += "?utm_source=x&utm_medium=social";
  else if (tail < 0.2) url += "#comments";
  return url;
}

std::string BareUrl(Rng& rng) {
  std::string url(rng.Pick(vocab::BareDomains()));
  if (rng.Chance(0.7)) {
    url += '/';
    url += rng.Chance(0.5) ? rng.Pick(vocab::UrlSections()) : rng.Pick(vocab::SlugWords());
  }
  return url;
}

std::string AsciiHandle(std::string_view s) {
  // U+00C0..U+00FF folded to ASCII; '?' drops the character.
  constexpr std::string_view kLatin1 = "AAAAAAACEEEEIIIIDNOOOOO?OUUUUY?saaaaaaaceeeeiiiidnooooo?ouuuuy?y";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_') out += char(b);
      ++i;
      continue;
    }
    int len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (len == 2 && i + 1 < s.size()) {
      char32_t c = char32_t(((b & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F));
      if (c >= 0xC0 && c <= 0xFF && kLatin1[c - 0xC0] != '?') out += kLatin1[c - 0xC0];
      else if (c == 0x152 || c == 0x153) out += c == 0x152 ? "Oe" : "oe";
    }
    i += len;
  }
  return out;
}

std::string TruncateWords(std::string_view s, int64_t max) {
  if (WeightedLength(s) <= max) return std::string(s);
  constexpr std::string_view kEllipsis = "\u2026";  // U+2026 is outside X's weight-1 ranges: 2
  size_t cut = CutToWeight(s, max - WeightedLength(kEllipsis)).value_or(0);
  return std::string(s.substr(0, cut)).append(kEllipsis);
}

}  // namespace sluice::seed_internal
