#pragma once
//! Internal to seed.cc: the text pieces of synthetic users and posts. Every function draws
//! from the Rng it is given, in a fixed order, so the same Rng state gives the same text.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/long_post.h"
#include "core/weighted_length.h"
#include "ingest/random.h"
#include "ingest/vocabulary.h"

namespace sluice::seed_internal {

//! A post text that never weighs more than `limit` as X weighs it (WeightedLength: a url 23,
//! an emoji 2, ...): a piece that would not fit is refused whole. The default is X's limit,
//! so a seeded post is never a long post.
class TextBuilder {
 public:
  explicit TextBuilder(int64_t limit = kMaxPostWeight) : limit_(limit) {}
  //! Appends `piece` (NFC), preceded by a space unless the text is empty or `glue` is set.
  //! With a space between, the weights add up: no url or emoji sequence spans it.
  bool Append(std::string_view piece, bool glue = false);
  const std::string& text() const { return text_; }
  std::string Take() { return std::move(text_); }
  int64_t weight() const { return weight_; }

 private:
  int64_t limit_;
  std::string text_;
  int64_t weight_ = 0;
};

//! Words separated by spaces.
int CountWords(std::string_view s);

//! One sentence: [opener] subject verb object [complement], ending in '.', '!' or '?'.
std::string Sentence(Rng& rng, const vocab::Language& lang);

//! Appends sentences totalling about min_words..max_words words (at least min_words,
//! unless the builder is full).
void AppendBody(Rng& rng, const vocab::Language& lang, int min_words, int max_words, TextBuilder& out);

//! A user description of one to three fragments, or "" sometimes.
std::string Bio(Rng& rng, const vocab::Language& lang);

//! A news-like link: https://host/section/slug-123, sometimes with a query.
std::string NewsUrl(Rng& rng);
//! A link written without scheme, on a TLD ExtractEntities knows ("example.com/promo").
std::string BareUrl(Rng& rng);

//! `s` with Latin accents folded and anything outside [A-Za-z0-9_] dropped ("Hélène" -> "Helene").
std::string AsciiHandle(std::string_view s);

//! `s` when it weighs at most `max` (WeightedLength), else cut as X cuts (CutToWeight) so that
//! with "…" (which weighs 2) appended it weighs at most `max`.
std::string TruncateWords(std::string_view s, int64_t max);

}  // namespace sluice::seed_internal
