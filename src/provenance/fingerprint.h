#pragma once
//! Fingerprints of text for finding our posts in a leaked corpus. Text is normalised
//! (Unicode NFKC, case folded, URLs and @mentions removed, punctuation dropped, whitespace
//! folded) into words; every run of kShingleWords consecutive words (a shingle) is hashed to
//! 64 bits; winnowing keeps, in every window of kWinnowWindow consecutive shingle hashes, the
//! smallest, so two texts that share a passage of at least kShingleWords + kWinnowWindow - 1
//! words share at least one kept hash, whatever surrounds it. Light edits (case, punctuation,
//! re-spacing, URL removal, truncation) leave most shingles intact.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

inline constexpr int kShingleWords = 4;
inline constexpr int kWinnowWindow = 4;

//! The normalised words of `text` (valid or invalid UTF-8; invalid bytes are dropped, not
//! treated as separators), joined by single spaces, UTF-8:
//!   "Bonjour, MONDE!  https://x.co @bob  l'été" -> "bonjour monde l été"
//! Accents are kept: Unicode NFKC_Casefold only ("ＡＢＣ" -> "abc", "ﬁ" -> "fi", "ß" -> "ss").
//! URLs (http://, https:// or www., case-insensitive, up to the next whitespace) and @mentions
//! ('@' + [A-Za-z0-9_]+, not preceded by an ASCII letter or digit) are removed. A URL starts
//! only after an ASCII separator, the start of the text, or any byte >= 0x80 (an invalid one
//! too: "a\xFFhttp://x b" -> "a b"); so "caféhttps://x.co" -> "café", "xhttps://x.co" ->
//! "xhttps x co". A word is a maximal run of letters, digits and combining marks; everything
//! else (punctuation, symbols, emoji, whitespace) separates words. Text is normalised between
//! ASCII separators, so a combining mark after one does not compose with it ("=\u0338" stays
//! two characters, not "≠"; U+0338 after '<', '=', '>' is the only such case in Unicode 15).
//! Thread-safe; no shared state.
std::string NormalizeText(std::string_view text);

//! 64-bit hashes of every shingle (kShingleWords consecutive words joined by one space) of
//! the normalised text, in order: words - kShingleWords + 1 hashes. Fewer than kShingleWords
//! words: one hash of all of them (so a very short post still has one); no words: none.
//! The hash is defined on bytes only (little-endian 8-byte words, see fingerprint.cc), so it
//! is the same on every platform and release: an index built today matches a scan tomorrow.
std::vector<uint64_t> ShingleHashes(std::string_view normalized);

//! The winnowed fingerprint of the shingle hashes (Schleimer et al. 2003): the minimum of
//! every window of kWinnowWindow consecutive hashes, in position order, a minimum equal to the
//! previous window's not repeated. Fewer than kWinnowWindow hashes: one window, its minimum.
//! As a set of values this is exactly what robust winnowing records (every window's minimum);
//! matching uses fingerprints as sets, so the positions winnowing would keep are not needed.
std::vector<uint64_t> Winnow(const std::vector<uint64_t>& shingles);

//! NormalizeText, ShingleHashes, Winnow. Thread-safe (per-thread scratch buffers are reused
//! between calls, so the scan of a corpus allocates only the result).
std::vector<uint64_t> Fingerprint(std::string_view text);

//! Fingerprint(text), written into `out` (cleared first; its capacity is reused, so a scan
//! that passes the same vector for every document allocates nothing once it has grown).
void FingerprintInto(std::string_view text, std::vector<uint64_t>& out);

//! Fingerprint(text) appended to `out`; returns how many hashes were appended.
size_t AppendFingerprint(std::string_view text, std::vector<uint64_t>& out);

//! AppendFingerprint of each document, in order; `ends` gets, per document, the end of its
//! hashes in `hashes`. The documents must lie one after the other in memory, each followed by
//! '\n' (else std::invalid_argument): '\n' ends every word, URL and mention, so the documents
//! are scanned as one text, and the scanner's loops run across many of them instead of
//! restarting at each (whose varying lengths cost branch mispredictions).
void AppendFingerprints(std::span<const std::string_view> documents, std::vector<uint64_t>& hashes,
                        std::vector<uint32_t>& ends);

}  // namespace sluice
