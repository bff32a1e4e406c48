#include "core/language.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "core/text_chars.h"

namespace sluice {

namespace {

using text_internal::Decode;

// Scripts that name a language on their own. Counted per letter.
enum Script { kLatin, kKana, kHangul, kHan, kThai, kGreek, kCyrillic, kArabic, kHebrew, kDevanagari, kGeorgian, kArmenian, kOther, kScripts };

Script ScriptOf(char32_t c) {
  UErrorCode err = U_ZERO_ERROR;
  switch (uscript_getScript(UChar32(c), &err)) {
    case USCRIPT_LATIN: return kLatin;
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA: return kKana;
    case USCRIPT_HANGUL: return kHangul;
    case USCRIPT_HAN: return kHan;
    case USCRIPT_THAI: return kThai;
    case USCRIPT_GREEK: return kGreek;
    case USCRIPT_CYRILLIC: return kCyrillic;
    case USCRIPT_ARABIC: return kArabic;
    case USCRIPT_HEBREW: return kHebrew;
    case USCRIPT_DEVANAGARI: return kDevanagari;
    case USCRIPT_GEORGIAN: return kGeorgian;
    case USCRIPT_ARMENIAN: return kArmenian;
    default: return kOther;
  }
}

// Ukrainian letters Russian lacks: і ї є ґ.
bool IsUkrainianLetter(char32_t c) {
  return c == 0x0456 || c == 0x0406 || c == 0x0457 || c == 0x0407 || c == 0x0454 || c == 0x0404 || c == 0x0491 ||
         c == 0x0490;
}

// Letters Persian writes in the Arabic script and Arabic does not: پ چ ژ گ ی.
bool IsPersianLetter(char32_t c) { return c == 0x067E || c == 0x0686 || c == 0x0698 || c == 0x06AF || c == 0x06CC; }

// Function words: frequent in any text of the language, rare in the others'. Lower case;
// each language's list sorted for binary search. Shared words count for each language
// that has them.
struct FunctionWords {
  std::string_view code;
  std::vector<std::string_view> words;
};

const std::array<FunctionWords, 7>& Languages() {
  static const auto* const kLanguages = [] {
    auto* l = new std::array<FunctionWords, 7>{{
        {"en", {"the", "and", "is", "are", "was", "were", "of", "to", "in", "that", "it", "for", "with", "this",
                "you", "have", "has", "not", "on", "be", "at", "what", "we", "they", "will", "my", "your", "just",
                "about", "from", "but", "our", "been", "would", "there", "their", "how", "why", "who", "can"}},
        {"fr", {"le", "la", "les", "des", "est", "et", "un", "une", "du", "pour", "pas", "que", "qui", "dans", "sur",
                "avec", "ce", "cette", "sont", "mais", "nous", "vous", "je", "au", "aux", "très", "ont", "été",
                "être", "il", "elle", "ils", "leur", "ça", "plus", "où", "comme", "aussi", "déjà", "encore"}},
        {"es", {"el", "los", "las", "es", "y", "un", "una", "del", "por", "para", "que", "con", "en", "pero", "muy",
                "está", "están", "son", "como", "más", "lo", "se", "su", "sus", "este", "esta", "hoy", "también",
                "ya", "hay", "yo", "mi", "nosotros", "cuando", "porque", "todo", "fue"}},
        {"de", {"der", "die", "das", "und", "ist", "nicht", "ein", "eine", "mit", "auf", "für", "den", "dem", "von",
                "zu", "ich", "sie", "wir", "auch", "es", "sind", "war", "aber", "noch", "heute", "sehr", "wie",
                "wird", "haben", "hat", "nach", "bei", "aus", "schon", "dass", "oder", "mehr"}},
        {"it", {"il", "lo", "gli", "della", "che", "è", "e", "di", "per", "non", "una", "con", "sono", "nel",
                "del", "anche", "questo", "questa", "ma", "più", "molto", "alla", "delle", "dei", "oggi", "ho",
                "perché", "come", "siamo", "stato", "tutti", "sempre"}},
        {"pt", {"o", "os", "as", "que", "não", "uma", "um", "com", "para", "por", "do", "da", "dos", "das", "em",
                "são", "mas", "mais", "muito", "é", "está", "isso", "este", "esta", "hoje", "também", "nós",
                "você", "eu", "foi", "quando", "porque", "tudo", "ainda", "já", "no", "na"}},
        {"nl", {"de", "het", "een", "en", "is", "van", "niet", "met", "op", "voor", "dat", "die", "zijn", "ook",
                "maar", "wij", "ik", "naar", "nog", "wel", "heb", "hebben", "vandaag", "deze", "dit", "wat",
                "bij", "er", "om", "uit"}},
    }};
    for (auto& lang : *l) std::sort(lang.words.begin(), lang.words.end());
    return l;
  }();
  return *kLanguages;
}

}  // namespace

std::string_view DetectLanguage(std::string_view text, const Entities& entities) {
  text_internal::Decoded d = Decode(text);
  std::vector<bool> masked(d.cps.size(), false);
  auto mask = [&](Span s) {
    for (int32_t i = std::max(0, s.start); i < s.end && size_t(i) < masked.size(); ++i) masked[size_t(i)] = true;
  };
  for (const auto& e : entities.urls) mask(e.span);
  for (const auto& e : entities.mentions) mask(e.span);
  for (const auto& e : entities.hashtags) mask(e.span);
  for (const auto& e : entities.cashtags) mask(e.span);

  std::array<int, kScripts> letters{};
  bool ukrainian = false, persian = false;
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i <= d.cps.size(); ++i) {
    char32_t c = i < d.cps.size() && !masked[i] ? d.cps[i] : U' ';
    if (!u_isalpha(UChar32(c))) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    Script s = ScriptOf(c);
    ++letters[s];
    ukrainian |= IsUkrainianLetter(c);
    persian |= IsPersianLetter(c);
    if (s == kLatin) {
      char bytes[U8_MAX_LENGTH];
      int32_t n = 0;
      U8_APPEND_UNSAFE(bytes, n, u_tolower(UChar32(c)));
      word.append(bytes, size_t(n));
    }
  }
  int total = 0;
  for (int n : letters) total += n;
  if (total == 0) return "und";

  // Japanese mixes kana with Han: any kana makes it Japanese.
  if (letters[kKana] * 10 >= total) return "ja";
  auto dominant = std::max_element(letters.begin(), letters.end()) - letters.begin();
  if (letters[size_t(dominant)] * 2 < total) return "und";
  switch (Script(dominant)) {
    case kHangul: return "ko";
    case kHan: return "zh";
    case kThai: return "th";
    case kGreek: return "el";
    case kCyrillic: return ukrainian ? "uk" : "ru";
    case kArabic: return persian ? "fa" : "ar";
    case kHebrew: return "iw";  // X's tag for Hebrew is the older ISO 639-1 code
    case kDevanagari: return "hi";
    case kGeorgian: return "ka";
    case kArmenian: return "hy";
    case kLatin: break;
    default: return "und";
  }

  std::string_view best = "und";
  int best_hits = 0, second_hits = 0;
  for (const FunctionWords& lang : Languages()) {
    int hits = 0;
    for (const std::string& w : words)
      hits += std::binary_search(lang.words.begin(), lang.words.end(), std::string_view(w));
    if (hits > best_hits) {
      second_hits = best_hits;
      best_hits = hits;
      best = lang.code;
    } else if (hits > second_hits) {
      second_hits = hits;
    }
  }
  return best_hits >= 2 && best_hits > second_hits ? best : "und";
}

}  // namespace sluice
