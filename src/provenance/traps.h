#pragma once
//! Trap records: per app, deterministic synthetic posts that identify the app that received
//! them, like a map maker's trap street. Record i of app A is derived from HMAC-SHA256(secret,
//! app id, i): plausible French or English text built from the platform's own vocabulary,
//! carrying a combination of rare words ("marker") that, found once in a corpus, names the
//! app. Authors are synthetic accounts made for the purpose (never a real user). Traps are
//! stored apart from real posts, never counted or billed, and ledgered as trap deliveries.
//!
//! Derivation (stable across machines and releases; changing any of it orphans every trap
//! already delivered): seed = HMAC-SHA256(key = secret, message = app id as 8 bytes big-endian
//! ‖ counter as 8 bytes big-endian ‖ "sluice-trap-v1"). The seed's four big-endian 64-bit
//! words are the state of a xoshiro256** generator (traps.cc) whose draws pick, in order: the
//! language, the template, the two common words, the marker, the optional closing sentence,
//! the author's name, then the username (redrawn while taken).
//!
//! Marker collisions: the marker is 3 distinct words of `rare` (R words) in list order, i.e.
//! one of C(R,3) combinations, uniform. For R = 2,000, C(R,3) = 1,331,334,000; among N traps the
//! expected number of colliding pairs is N(N-1)/2 / C(R,3): 0.0376 for N = 10,000 (P(any) ~ 3.7%),
//! ~3.8 for N = 100,000. Only collisions between *different* apps matter, and `sluice trace`
//! should ask for several distinct trap hits before naming an app; grow R (5,000 words gives
//! C = 2.08e10) if many apps hold many traps each.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

inline constexpr size_t kMinTrapSecretBytes = 32;
inline constexpr int kTrapMarkerWords = 3;
inline constexpr int kTrapMaxCodePoints = 280;

struct TrapRecord {
  Id app_id = 0;
  uint64_t counter = 0;
  std::string text;        // ≤ 280 code points; empty when MakeTrap failed (see MakeTrap)
  std::string lang;        // "fr" or "en"
  std::string marker;      // the rare words, space-separated, that identify the app
  std::string author_username;  // synthetic: "[a-z]{4,9}[0-9]{2,4}", flagged synthetic in storage
  std::string author_name;      // "Camille R.": a first name and an initial

  bool ok() const { return !text.empty(); }
};

//! The words a trap text is made of, and the rare ones its markers are drawn from (e.g. the
//! platform corpus' words with document frequency 0 < df ≤ a few).
//! common_*: noun phrases or words that read naturally after "about" / "sur" (a trap names two
//! of them as topics). rare: lowercase words, letters only, that NormalizeText leaves as they
//! are (one word each); order matters (it fixes the marker's word order).
struct TrapVocabulary {
  std::vector<std::string> common_en, common_fr;
  std::vector<std::string> rare;
};

//! Asked whether a username already belongs to a real (or other) account. Empty: none is.
using UsernameTaken = std::function<bool(std::string_view username)>;

//! Trap record `counter` of `app` under `secret` (at least 32 bytes). Deterministic: the same
//! inputs (and the same answers of `username_taken`) give the same record on every machine.
//! The marker appears once in the text as a contiguous phrase, so it lies inside a shingle of
//! NormalizeText(text). A language whose common list is empty is never chosen.
//! Never throws. Failure is a record with empty `text` (check `ok()`): secret shorter than
//! kMinTrapSecretBytes; fewer than 3 distinct rare words or no common words in either
//! language; a rare or common word so long the text would pass 280 code points or not valid
//! UTF-8; 32 consecutive usernames taken. Thread-safe if `username_taken` is.
TrapRecord MakeTrap(std::string_view secret, Id app, uint64_t counter, const TrapVocabulary& vocabulary,
                    const UsernameTaken& username_taken = {});

//! Built from the seed vocabulary (src/ingest/vocabulary.h): common = the English and French
//! noun phrases; rare = 2,000 pronounceable pseudo-words (5-12 ASCII letters) generated from
//! syllables with a fixed seed, distinct, none a word of the seed vocabulary. A platform's
//! corpus may have no truly rare words; these are rare by construction. Same list every call.
TrapVocabulary DefaultTrapVocabulary();

//! From real texts: each text's words (NormalizeText, then letters only, 4-14 code points,
//! counted once per text). rare = words with document frequency 1 or 2, sorted. common_en /
//! common_fr = the (up to 200) words of df ≥ 3 in texts guessed English / French by stopword
//! counts, most frequent first, function words left out. Deterministic.
//! Caution: df-1 words of a real corpus can be private (a surname, a typo of a handle); filter
//! the corpus or the result before using it for traps shown to other apps.
TrapVocabulary BuildTrapVocabulary(const std::vector<std::string>& corpus_texts);

}  // namespace sluice
