#pragma once
//! Trap records: per app, deterministic synthetic posts that identify the app that received
//! them, like a map maker's trap street. Record i of app A is derived from HMAC-SHA256(secret,
//! app id, i): a post written by a word-level model of the platform's own posts (TrapTextModel:
//! an order-2 Markov chain per language), so it has no word that occurs in no real post, the
//! length, hashtags, mentions and links of real posts, and, when injected into a search page,
//! the words, tags, links and language the page's query asks for. A trap is found in a leak by
//! its fingerprint (the shingles of its whole text that no real post and no other trap holds:
//! docs/trace.md), not by marker words. Authors are synthetic accounts made for the purpose
//! (never a real user). Traps are stored apart from real posts and ledgered as trap deliveries.
//!
//! Derivation: seed = HMAC-SHA256(key = secret, message = app id as 8 bytes big-endian ‖
//! counter as 8 bytes big-endian ‖ "sluice-trap-v2"). The seed's four big-endian 64-bit words
//! are the state of a xoshiro256** generator (traps.cc) whose draws pick, in order: the
//! language, the query alternative, then per attempt the text (chain walk, insertions, link),
//! then the author's name, then the username (redrawn while taken). The text also depends on
//! the model (the store's posts at server start), so the same record is not regenerated later:
//! the stored trap keeps its text, and tracing reads the stored text. Version 1 traps
//! ("sluice-trap-v1", templates with three invented marker words) keep their stored text and
//! are traced by the same fingerprint rule.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

inline constexpr size_t kMinTrapSecretBytes = 32;
inline constexpr int kTrapMaxCodePoints = 280;
//! A trap text has this many winnowed fingerprint hashes that no post of the model's sample
//! holds, or half its fingerprint when shorter (so that trace can tell it from real posts,
//! whose phrases it reuses).
inline constexpr int kTrapMinOwnHashes = 2;

struct TrapRecord {
  Id app_id = 0;
  uint64_t counter = 0;
  std::string text;        // ≤ 280 code points; empty when MakeTrap failed (see MakeTrap)
  std::string lang;        // a language of the model ("en", "fr", ...)
  std::string author_username;  // synthetic: "[a-z]{4,9}[0-9]{2,4}", flagged synthetic in storage
  std::string author_name;      // "Camille R.": a first name and an initial

  bool ok() const { return !text.empty(); }
};

//! What one alternative of a page's query asks of a post (store/search/query.h leaves, as
//! the injector reads them): values as the parser gives them (lowercased tags, phrases as
//! written). Empty: anything goes (a timeline).
struct TrapRequirements {
  std::string lang;                        // "" = any language of the model
  std::vector<std::string> terms;          // keywords (a post token must fold to each)
  std::vector<std::string> phrases;        // exact phrases, written into the text as given
  std::vector<std::string> literals;       // emoji: written as given
  std::vector<std::string> hashtags, mentions, cashtags;  // without the sigil
  std::vector<std::string> url_values;     // url: values: the link must hold each
  bool link = false, hashtag = false, mention = false, cashtag = false;  // has:
};

//! An order-2 word Markov chain per language over real posts, with the links, hashtags and
//! mentions they use. Tokens are the posts' whitespace-separated pieces (punctuation and case
//! kept, so the style is the platform's); links are replaced by a slot filled with a link
//! made from the sample's links. Only tokens that occur in at least kMinTokenPosts posts of the
//! sample are used (a post holding a rarer one is left out), so a trap never carries a word
//! (or a private handle) found in one real post only. Immutable after Build; thread-safe.
class TrapTextModel {
 public:
  struct Sample {
    std::string_view text;
    std::string_view lang;  // e.g. "en", "fr"; posts of other languages may be given
  };
  static constexpr int kMinTokenPosts = 2;

  TrapTextModel();
  ~TrapTextModel();
  TrapTextModel(TrapTextModel&&) noexcept;
  TrapTextModel& operator=(TrapTextModel&&) noexcept;

  //! Builds from `samples` (in order: the model depends on it), leaving out reposts ("RT @x:")
  //! and texts that start with a mention (replies): traps are original posts. Languages with fewer than
  //! kMinLanguagePosts usable posts are left out.
  static constexpr size_t kMinLanguagePosts = 20;
  static TrapTextModel Build(std::span<const Sample> samples);

  bool empty() const;
  std::vector<std::string> Languages() const;
  size_t Posts(std::string_view lang) const;  // usable sample posts of `lang`
  size_t MemoryBytes() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

//! Asked whether a username already belongs to a real (or other) account. Empty: none is.
using UsernameTaken = std::function<bool(std::string_view username)>;
//! Asked whether a candidate text (in language `lang`) is acceptable, e.g. matches the page's
//! query by the store's semantics. Empty: every candidate is.
using TrapTextAccepted = std::function<bool(std::string_view text, std::string_view lang)>;

//! Trap record `counter` of `app` under `secret` (at least 32 bytes), written by `model` to
//! satisfy one of `alternatives` (chosen by the seed among those the model can satisfy; none
//! given: no requirement). Up to kTrapTextAttempts candidates are written (traps.cc: the shape,
//! then the query's words); the first of at most 280 code points, with kTrapMinOwnHashes
//! fingerprint hashes no sample post holds (half the fingerprint of a short text, at least
//! one), that `accepted` takes, is the text. Deterministic: the same inputs (and answers of the
//! callbacks) give the same record on every machine.
//! Never throws. Failure is a record with empty `text` (check `ok()`): secret too short, an
//! empty model, no alternative the model can write (a language it lacks, a url: no sample link
//! holds, has:cashtags with no cashtag in the sample), no candidate accepted, or 32
//! consecutive usernames taken. Thread-safe if the callbacks are.
inline constexpr int kTrapTextAttempts = 1024;
//! A real post of the page the trap goes into, drawn at random by the caller: the trap takes
//! its language (when the model has it and the alternative sets none) and its shape (tokens,
//! hashtags, mentions, cashtags, links), so a page's traps follow the page's languages and
//! lengths (a query's matches are longer than the average post). Empty: both are drawn from
//! the model's sample.
struct TrapPageHint {
  std::string_view lang;
  std::string_view text;
};
TrapRecord MakeTrap(std::string_view secret, Id app, uint64_t counter, const TrapTextModel& model,
                    std::span<const TrapRequirements> alternatives = {}, const TrapTextAccepted& accepted = {},
                    const UsernameTaken& username_taken = {}, const TrapPageHint& hint = {});

}  // namespace sluice
