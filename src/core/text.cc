#include "core/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "core/json_writer.h"
#include "core/text_chars.h"

namespace sluice {

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  auto cont = [&](size_t k) { return k < n && (p[k] & 0xC0) == 0x80; };
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    // The second byte's range excludes overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4).
    unsigned char lo = 0x80, hi = 0xBF;
    int len;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + 1 >= n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (int k = 2; k < len; ++k)
      if (!cont(i + k)) return false;
    i += len;
  }
  return true;
}

int64_t CountCodePoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

namespace {

using namespace text_internal;

constexpr char32_t kFullwidthHash = 0xFF03;
constexpr char32_t kFullwidthAt = 0xFF20;

// Top-level domains recognised without a scheme ("example.xyz/x"): IANA's, as twitter-text's.
constexpr std::string_view kTlds[] = {
#include "core/tlds.inc"
};

bool IsTld(std::string_view tld) { return std::binary_search(std::begin(kTlds), std::end(kTlds), tld); }

class Extractor {
 public:
  explicit Extractor(std::string_view text) : text_(text), d_(Decode(text)), n_(d_.cps.size()) {}

  Entities Run() {
    Entities e;
    FindUrls(e.urls);
    FindHashtags(e.hashtags);
    FindMentions(e.mentions);
    FindCashtags(e.cashtags);
    RemoveOverlaps(e);
    return e;
  }

 private:
  char32_t At(size_t i) const { return i < n_ ? d_.cps[i] : 0; }
  char32_t Before(size_t i) const { return i > 0 ? d_.cps[i - 1] : 0; }
  std::string Slice(size_t a, size_t b) const {
    return std::string(text_.substr(d_.offsets[a], d_.offsets[b] - d_.offsets[a]));
  }
  static Span MakeSpan(size_t a, size_t b) { return Span{int32_t(a), int32_t(b)}; }
  bool HasAt(size_t i, std::string_view ascii) const {
    for (size_t k = 0; k < ascii.size(); ++k) {
      char32_t c = At(i + k);
      if (c >= 0x80 || std::tolower(int(c)) != ascii[k]) return false;
    }
    return true;
  }

  // ---- urls ----
  static bool IsHostChar(char32_t c) { return IsAsciiAlnum(c) || c == '-' || c == '.' || (c >= 0x80 && IsLetter(c)); }
  static bool IsPathChar(char32_t c) {
    if (c < 0x80) return c > ' ' && c != 0x7F && !std::strchr("\"<>\\^`{}", char(c));
    return IsLetter(c) || IsDigit(c);
  }
  static bool BlocksUrl(char32_t p) {
    return IsWordChar(p) || p == '@' || p == '$' || p == '#' || p == kFullwidthAt || p == kFullwidthHash ||
           (p >= 0x202A && p <= 0x202E);
  }

  // Labels separated by dots, none empty or edged with '-', two at least; the last all
  // letters (or punycode). With `bare`, the last must also be a known TLD.
  bool ValidHost(size_t a, size_t b, bool bare) const {
    size_t label = a, labels = 0;
    for (size_t i = a; i <= b; ++i) {
      if (i < b && d_.cps[i] != '.') continue;
      if (i == label || d_.cps[label] == '-' || d_.cps[i - 1] == '-') return false;
      ++labels;
      if (i == b) break;
      label = i + 1;
    }
    if (labels < 2) return false;
    std::string tld;
    for (size_t i = label; i < b; ++i) tld += char(IsAsciiAlpha(d_.cps[i]) ? (d_.cps[i] | 0x20) : '?');
    if (bare) return IsTld(tld);
    if (tld.rfind("xn--", 0) == 0) return true;
    if (b - label < 2) return false;
    for (size_t i = label; i < b; ++i)
      if (!IsLetter(d_.cps[i])) return false;
    return true;
  }

  // From the end of the host: optional port, then a path/query/fragment up to a character
  // a url cannot hold; then trailing punctuation and an unbalanced ')' are given back.
  size_t FinishUrl(size_t start, size_t j) const {
    if (At(j) == ':' && IsAsciiDigit(At(j + 1))) {
      ++j;
      while (IsAsciiDigit(At(j))) ++j;
    }
    if (At(j) == '/' || At(j) == '?' || At(j) == '#')
      while (j < n_ && IsPathChar(d_.cps[j])) ++j;
    int opens = 0, closes = 0;
    for (size_t i = start; i < j; ++i) {
      opens += d_.cps[i] == '(';
      closes += d_.cps[i] == ')';
    }
    while (j > start) {
      char32_t c = d_.cps[j - 1];
      if (c < 0x80 && std::strchr(".,;:!?'\"", char(c)) && c != 0) {
        --j;
      } else if (c == ')' && closes > opens) {
        --closes;
        --j;
      } else {
        break;
      }
    }
    return j;
  }

  size_t TrySchemeUrl(size_t i) const {
    size_t j;
    if (HasAt(i, "https://")) j = i + 8;
    else if (HasAt(i, "http://")) j = i + 7;
    else return 0;
    size_t host = j;
    while (j < n_ && IsHostChar(d_.cps[j])) ++j;
    size_t host_end = j;
    while (host_end > host && d_.cps[host_end - 1] == '.') --host_end;
    if (!ValidHost(host, host_end, false)) return 0;
    return FinishUrl(i, j);
  }

  // "name.fr": one label and a two-letter country code. Without a scheme X links it only with a
  // path after it ("name.fr/x"), or when the code is co or tv (t.co); "www.name.fr" is linked.
  bool ShortCountryDomain(size_t a, size_t b) const {
    size_t dots = 0, last = a;
    for (size_t i = a; i < b; ++i)
      if (d_.cps[i] == '.') ++dots, last = i;
    if (dots != 1 || b - last != 3) return false;
    std::string cc{char(d_.cps[last + 1] | 0x20), char(d_.cps[last + 2] | 0x20)};
    return cc != "co" && cc != "tv";
  }

  size_t TryBareUrl(size_t i) const {
    size_t j = i;
    while (j < n_ && (IsAsciiAlnum(d_.cps[j]) || d_.cps[j] == '-' || d_.cps[j] == '.')) ++j;
    size_t host_end = j;
    while (host_end > i && d_.cps[host_end - 1] == '.') --host_end;
    if (!ValidHost(i, host_end, true)) return 0;
    char32_t next = At(j);
    if (next == '@' || next == kFullwidthAt || next == '_' || (next >= 0x80 && IsLetter(next))) return 0;
    if (ShortCountryDomain(i, host_end) && (host_end < j || next != '/')) return 0;
    if (host_end < j) return host_end;  // "see example.com." ends at the host
    return FinishUrl(i, j);
  }

  void FindUrls(std::vector<UrlEntity>& out) const {
    for (size_t i = 0; i < n_;) {
      char32_t p = Before(i);
      size_t end = 0;
      if (!BlocksUrl(p)) {
        if ((d_.cps[i] | 0x20) == 'h') end = TrySchemeUrl(i);
        bool bare_ok = p != '-' && p != '.' && p != '/';
        if (!end && bare_ok && IsAsciiAlnum(d_.cps[i])) {
          end = TryBareUrl(i);
          if (end) {
            UrlEntity u{MakeSpan(i, end), Slice(i, end), "", ""};
            u.expanded_url = "https://" + u.url;
            out.push_back(std::move(u));
            i = end;
            continue;
          }
        }
      }
      if (!end) {
        ++i;
        continue;
      }
      UrlEntity u{MakeSpan(i, end), Slice(i, end), "", ""};
      u.expanded_url = u.url;
      out.push_back(std::move(u));
      i = end;
    }
    for (auto& u : out) u.display_url = DisplayUrl(u.expanded_url);
  }

  static std::string DisplayUrl(std::string_view expanded) {
    auto strip = [&](std::string_view prefix) {
      if (expanded.size() < prefix.size()) return false;
      for (size_t k = 0; k < prefix.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(expanded[k])) != prefix[k]) return false;
      expanded.remove_prefix(prefix.size());
      return true;
    };
    if (!strip("https://")) strip("http://");
    strip("www.");
    constexpr int64_t kMax = 25;
    if (CountCodePoints(expanded) <= kMax) return std::string(expanded);
    size_t bytes = 0;
    for (int64_t cps = 0; bytes < expanded.size(); ++bytes) {
      if ((static_cast<unsigned char>(expanded[bytes]) & 0xC0) == 0x80) continue;
      if (cps == kMax) break;
      ++cps;
    }
    return std::string(expanded.substr(0, bytes)) + "\u2026";
  }

  // ---- hashtags, mentions, cashtags ----
  static bool IsHashtagChar(char32_t c) { return IsWordChar(c) || c == 0xB7; }

  void FindHashtags(std::vector<HashtagEntity>& out) const {
    for (size_t i = 0; i < n_; ++i) {
      if (d_.cps[i] != '#' && d_.cps[i] != kFullwidthHash) continue;
      char32_t p = Before(i);
      if (IsWordChar(p) || p == '&') continue;
      if (At(i + 1) == 0xFE0F || At(i + 1) == 0x20E3) continue;  // keycap emoji #️⃣
      size_t j = i + 1;
      bool has_letter = false;
      while (j < n_ && IsHashtagChar(d_.cps[j])) has_letter |= IsLetter(d_.cps[j++]);
      if (!has_letter) continue;
      if (At(j) == '#' || At(j) == kFullwidthHash || (At(j) == ':' && At(j + 1) == '/' && At(j + 2) == '/')) continue;
      out.push_back({MakeSpan(i, j), Slice(i + 1, j)});
      i = j - 1;
    }
  }

  void FindMentions(std::vector<MentionEntity>& out) const {
    for (size_t i = 0; i < n_; ++i) {
      if (d_.cps[i] != '@' && d_.cps[i] != kFullwidthAt) continue;
      char32_t p = Before(i);
      if (IsWordChar(p) || (p < 0x80 && p != 0 && std::strchr("!#$%&*@", char(p))) || p == kFullwidthAt) continue;
      size_t j = i + 1;
      while (j < n_ && (IsAsciiAlnum(d_.cps[j]) || d_.cps[j] == '_')) ++j;
      size_t len = j - i - 1;
      if (len < 1 || len > 15) continue;
      char32_t next = At(j);
      if (next == '@' || next == kFullwidthAt || IsLatinAccent(next)) continue;
      if (next == ':' && At(j + 1) == '/' && At(j + 2) == '/') continue;
      out.push_back({MakeSpan(i, j), Slice(i + 1, j), std::nullopt});
      i = j - 1;
    }
  }

  bool EndsCashtag(size_t k) const { return k >= n_ || (!IsWordChar(d_.cps[k]) && d_.cps[k] != '$'); }

  void FindCashtags(std::vector<CashtagEntity>& out) const {
    auto alpha_run = [&](size_t k) {
      size_t j = k;
      while (j < n_ && IsAsciiAlpha(d_.cps[j])) ++j;
      return j;
    };
    for (size_t i = 0; i < n_; ++i) {
      if (d_.cps[i] != '$' || IsWordChar(Before(i)) || Before(i) == '$') continue;
      size_t letters_end = alpha_run(i + 1);
      size_t len = letters_end - i - 1;
      if (len < 1 || len > 6) continue;
      size_t end = 0;
      if (At(letters_end) == '.' || At(letters_end) == '_') {
        size_t suffix_end = alpha_run(letters_end + 1);
        size_t slen = suffix_end - letters_end - 1;
        if (slen >= 1 && slen <= 2 && EndsCashtag(suffix_end)) end = suffix_end;
      }
      if (!end && EndsCashtag(letters_end)) end = letters_end;
      if (!end) continue;
      out.push_back({MakeSpan(i, end), Slice(i + 1, end)});
      i = end - 1;
    }
  }

  // Entities that overlap an earlier one (a #fragment inside a url) are dropped, as
  // twitter-text does: the one starting first wins.
  static void RemoveOverlaps(Entities& e) {
    struct Item {
      Span span;
      int kind;
      size_t index;
    };
    std::vector<Item> all;
    for (size_t k = 0; k < e.urls.size(); ++k) all.push_back({e.urls[k].span, 0, k});
    for (size_t k = 0; k < e.hashtags.size(); ++k) all.push_back({e.hashtags[k].span, 1, k});
    for (size_t k = 0; k < e.mentions.size(); ++k) all.push_back({e.mentions[k].span, 2, k});
    for (size_t k = 0; k < e.cashtags.size(); ++k) all.push_back({e.cashtags[k].span, 3, k});
    std::sort(all.begin(), all.end(), [](const Item& a, const Item& b) {
      return a.span.start != b.span.start ? a.span.start < b.span.start : a.kind < b.kind;
    });
    std::array<std::vector<bool>, 4> keep = {std::vector<bool>(e.urls.size()), std::vector<bool>(e.hashtags.size()),
                                             std::vector<bool>(e.mentions.size()),
                                             std::vector<bool>(e.cashtags.size())};
    int32_t last_end = -1;
    for (const auto& it : all) {
      if (it.span.start < last_end) continue;
      keep[it.kind][it.index] = true;
      last_end = it.span.end;
    }
    Filter(e.urls, keep[0]);
    Filter(e.hashtags, keep[1]);
    Filter(e.mentions, keep[2]);
    Filter(e.cashtags, keep[3]);
  }

  template <typename T>
  static void Filter(std::vector<T>& v, const std::vector<bool>& keep) {
    size_t w = 0;
    for (size_t r = 0; r < v.size(); ++r)
      if (keep[r]) {
        if (w != r) v[w] = std::move(v[r]);
        ++w;
      }
    v.resize(w);
  }

  std::string_view text_;
  Decoded d_;
  size_t n_;
};

}  // namespace

Entities ExtractEntities(std::string_view text) { return Extractor(text).Run(); }

namespace {

void SpanMembers(JsonWriter& w, const Span& s) {
  w.MemberInt("start", s.start);
  w.MemberInt("end", s.end);
}

}  // namespace

std::string EntitiesJson(const Entities& e) {
  if (e.empty()) return {};
  JsonWriter w;
  w.BeginObject();
  if (!e.hashtags.empty()) {
    w.Key("hashtags");
    w.BeginArray();
    for (const auto& h : e.hashtags) {
      w.BeginObject();
      SpanMembers(w, h.span);
      w.Member("tag", h.tag);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!e.cashtags.empty()) {
    w.Key("cashtags");
    w.BeginArray();
    for (const auto& c : e.cashtags) {
      w.BeginObject();
      SpanMembers(w, c.span);
      w.Member("tag", c.tag);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!e.mentions.empty()) {
    w.Key("mentions");
    w.BeginArray();
    for (const auto& m : e.mentions) {
      w.BeginObject();
      SpanMembers(w, m.span);
      w.Member("username", m.username);
      if (m.id) w.MemberId("id", *m.id);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!e.urls.empty()) {
    w.Key("urls");
    w.BeginArray();
    for (const auto& u : e.urls) {
      w.BeginObject();
      SpanMembers(w, u.span);
      w.Member("url", u.url);
      w.Member("expanded_url", u.expanded_url);
      w.Member("display_url", u.display_url);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace sluice
