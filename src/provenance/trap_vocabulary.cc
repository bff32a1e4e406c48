// DefaultTrapVocabulary and BuildTrapVocabulary (declared in traps.h): where trap words come from.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/mix.h"
#include "ingest/vocabulary.h"
#include "provenance/fingerprint.h"
#include "provenance/traps.h"

namespace sluice {

namespace {

constexpr size_t kDefaultRareWords = 2000;
constexpr size_t kMaxCommonWords = 200;
constexpr int kMinCommonDf = 3;
constexpr int kMaxRareDf = 2;

// Pseudo-word parts: pronounceable in English and French, no accents, so NormalizeText keeps
// them as one unchanged word.
constexpr std::string_view kOnsets[] = {"b",  "c",  "d",  "f",  "g",  "j",  "k",  "l",  "m",  "n",
                                        "p",  "r",  "s",  "t",  "v",  "z",  "br", "cr", "dr", "fl",
                                        "gr", "pl", "tr", "st", "ch", "vr", "sk", "th"};
// Plain vowels weighted three to one over diphthongs, so words stay readable.
constexpr std::string_view kVowels[] = {"a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "ou", "ai", "au"};
constexpr std::string_view kCodas[] = {"", "", "n", "r", "l", "s", "m", "nd", "x"};  // last syllable only

template <size_t N>
std::string_view PickPart(uint64_t& state, const std::string_view (&parts)[N]) {
  state += 0x9e3779b97f4a7c15ULL;  // splitmix64: a Weyl step, then the Mix64 finaliser
  return parts[Mix64(state) % N];  // bias ≤ N / 2^64: irrelevant here
}

void AddWordsOf(std::string_view phrase, std::set<std::string>& out) {
  std::string word;
  for (char c : phrase) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word += static_cast<char>(c | 0x20);
    } else if (!word.empty()) {
      out.insert(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.insert(std::move(word));
}

std::set<std::string> SeedWords() {
  std::set<std::string> words;
  for (const vocab::Language* lang : {&vocab::English(), &vocab::French()}) {
    for (auto list : {lang->noun_phrases, lang->complements, lang->openers, lang->closers, lang->hashtags,
                      lang->bio_fragments}) {
      for (std::string_view p : list) AddWordsOf(p, words);
    }
    for (const vocab::Verb& v : lang->verbs) AddWordsOf(v.plural, words);
  }
  for (auto list : {vocab::FirstNames(), vocab::LastNames(), vocab::Cities(), vocab::SlugWords()}) {
    for (std::string_view p : list) AddWordsOf(p, words);
  }
  return words;
}

// True if `word` (UTF-8) is letters only and 4-14 code points long.
bool IsCandidateWord(std::string_view word) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(word.size());
  int count = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(word.data(), i, n, c);
    if (c < 0 || !u_isalpha(c)) return false;
    ++count;
  }
  return count >= 4 && count <= 14;
}

constexpr std::string_view kStopEn[] = {"the", "and", "is", "of", "to", "for", "in", "that", "with", "this",
                                        "are", "was", "it", "on", "my", "you"};
constexpr std::string_view kStopFr[] = {"le",  "la", "les", "de", "des", "et",  "est", "une", "pour", "dans",
                                        "que", "pas", "du", "sur", "avec", "je", "un", "au"};
// Function words of 4+ letters: frequent, but no topic.
constexpr std::string_view kFunctionWords[] = {
    "this", "that", "with", "from", "have", "just", "about", "what", "when", "they", "their", "there",
    "were", "will", "been", "would", "could", "your", "more", "some", "than", "then", "them", "into",
    "only", "also", "very", "like", "after", "before", "over", "here", "which", "where", "pour",
    "dans", "avec", "mais", "plus", "sont", "cette", "tout", "tous", "comme", "nous", "vous", "elle",
    "leur", "même", "encore", "très", "aussi", "avant", "après", "depuis", "chez", "sans", "entre",
    "quand", "alors", "bien", "fait", "être", "avoir"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view w) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

std::vector<std::string> TopCommon(const std::map<std::string, int>& df) {
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [word, count] : df) {
    if (count >= kMinCommonDf && !In(kFunctionWords, word)) ranked.emplace_back(-count, word);
  }
  std::sort(ranked.begin(), ranked.end());  // most frequent first, then alphabetical
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && i < kMaxCommonWords; ++i) out.push_back(std::move(ranked[i].second));
  return out;
}

}  // namespace

TrapVocabulary DefaultTrapVocabulary() {
  TrapVocabulary v;
  for (std::string_view p : vocab::English().noun_phrases) v.common_en.emplace_back(p);
  for (std::string_view p : vocab::French().noun_phrases) v.common_fr.emplace_back(p);

  const std::set<std::string> taken = SeedWords();
  std::set<std::string> seen;
  uint64_t state = 0x736c756963652d74ULL;  // "sluice-t": fixed, so the list never changes
  while (v.rare.size() < kDefaultRareWords) {
    std::string word;
    const int syllables = 2 + static_cast<int>(Mix64(state ^ 0x5bd1e995) % 3);  // 2-4
    state += 1;
    for (int s = 0; s < syllables; ++s) {
      word += PickPart(state, kOnsets);
      word += PickPart(state, kVowels);
    }
    word += PickPart(state, kCodas);
    if (word.size() < 5 || word.size() > 12 || taken.count(word) || !seen.insert(word).second) continue;
    v.rare.push_back(std::move(word));
  }
  return v;
}

TrapVocabulary BuildTrapVocabulary(const std::vector<std::string>& corpus_texts) {
  std::map<std::string, int> df_all, df_en, df_fr;
  for (const std::string& text : corpus_texts) {
    const std::string normalized = NormalizeText(text);
    std::set<std::string> words;
    int en = 0, fr = 0;
    size_t start = 0;
    while (start < normalized.size()) {
      size_t end = normalized.find(' ', start);
      if (end == std::string::npos) end = normalized.size();
      const std::string_view w(normalized.data() + start, end - start);
      en += In(kStopEn, w);
      fr += In(kStopFr, w);
      if (IsCandidateWord(w)) words.emplace(w);
      start = end + 1;
    }
    for (const std::string& w : words) {
      ++df_all[w];
      if (en > fr) ++df_en[w];
      if (fr > en) ++df_fr[w];
    }
  }
  TrapVocabulary v;
  for (const auto& [word, count] : df_all) {
    if (count <= kMaxRareDf) v.rare.push_back(word);  // std::map: already sorted
  }
  v.common_en = TopCommon(df_en);
  v.common_fr = TopCommon(df_fr);
  return v;
}

}  // namespace sluice
