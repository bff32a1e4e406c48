#pragma once
//! Trap records: per app, deterministic synthetic posts that identify the app that received
//! them, like a map maker's trap street. Record i of app A is derived from HMAC-SHA256(secret,
//! app id, i): plausible French or English text built from the platform's own vocabulary,
//! carrying a combination of rare words ("marker") that, found once in a corpus, names the
//! app. Authors are synthetic accounts made for the purpose (never a real user). Traps are
//! stored apart from real posts, never counted or billed, and ledgered as trap deliveries.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

struct TrapRecord {
  Id app_id = 0;
  uint64_t counter = 0;
  std::string text;        // ≤ 280 code points
  std::string lang;        // "fr" or "en"
  std::string marker;      // the rare words, space-separated, that identify the app
  std::string author_username;  // synthetic: "[a-z]+[0-9]{2,4}", flagged synthetic in storage
  std::string author_name;
};

//! The words a trap text is made of, and the rare ones its markers are drawn from (e.g. the
//! platform corpus' words with document frequency 0 < df ≤ a few).
struct TrapVocabulary {
  std::vector<std::string> common_en, common_fr;
  std::vector<std::string> rare;
};

//! Trap record `counter` of `app` under `secret` (at least 32 bytes). Deterministic: the same
//! inputs give the same record on every machine.
TrapRecord MakeTrap(std::string_view secret, Id app, uint64_t counter, const TrapVocabulary& vocabulary);

}  // namespace sluice
