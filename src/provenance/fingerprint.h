#pragma once
//! Fingerprints of text for finding our posts in a leaked corpus. Text is normalised
//! (Unicode NFKC, case folded, URLs and @mentions removed, punctuation dropped, whitespace
//! folded) into words; every run of kShingleWords consecutive words (a shingle) is hashed to
//! 64 bits; winnowing keeps, in every window of kWinnowWindow consecutive shingle hashes, the
//! smallest, so two texts that share a passage of at least kShingleWords + kWinnowWindow - 1
//! words share at least one kept hash, whatever surrounds it. Light edits (case, punctuation,
//! re-spacing, URL removal, truncation) leave most shingles intact.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

inline constexpr int kShingleWords = 4;
inline constexpr int kWinnowWindow = 4;

//! The normalised words of `text` (valid or invalid UTF-8; invalid bytes are dropped),
//! joined by single spaces: "Bonjour, MONDE!  https://x.co @bob  l'été" -> "bonjour monde l ete"?
//! (Accents are kept: NFKC + case fold only; "l'été" -> "l été".)
std::string NormalizeText(std::string_view text);

//! 64-bit hashes of every shingle of the normalised text, in order. Fewer than
//! kShingleWords words: one hash of all of them (so a very short post still has one).
std::vector<uint64_t> ShingleHashes(std::string_view normalized);

//! The winnowed fingerprint of the shingle hashes (robust winnowing: in each window the
//! rightmost minimum; consecutive windows keeping the same position record it once).
std::vector<uint64_t> Winnow(const std::vector<uint64_t>& shingles);

//! NormalizeText, ShingleHashes, Winnow.
std::vector<uint64_t> Fingerprint(std::string_view text);

}  // namespace sluice
