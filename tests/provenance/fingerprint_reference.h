#pragma once
//! A slow, plainly written reference of the text fingerprint (src/provenance/fingerprint.h),
//! for differential tests and fuzzing only. It follows the same specification as the optimised
//! code in fingerprint.cc but shares none of its code: bytes are walked one at a time, UTF-8 is
//! decoded with ICU's U8_NEXT, every chunk goes through ICU (no ASCII fast path), and words are
//! classified by general category alone. Nothing here is meant to be fast.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::reference {

//! The normalised words of `text`, joined by single spaces (what NormalizeText returns):
//!  1. Raw bytes, left to right. An ASCII byte that is not a letter or digit is a separator.
//!     '@' + [A-Za-z0-9_]+ is dropped when the byte before the '@' is not an ASCII letter or
//!     digit. A URL (http://, https://, www., ASCII case-insensitive) is dropped up to the next
//!     White_Space code point (invalid bytes belong to the URL); it is recognised only where a
//!     chunk may start: at the start, after a separator, a dropped mention or URL, or right after
//!     any byte >= 0x80.
//!  2. What is left forms chunks: maximal runs of ASCII letters, digits and bytes >= 0x80, cut
//!     before a URL. Each chunk is decoded (ill-formed UTF-8 dropped), NFKC_Casefolded by ICU on
//!     its own, and split into words: maximal runs of code points of general category L, N or M.
std::string ReferenceNormalizeText(std::string_view text);

//! The hash of one word's bytes (fingerprint.cc, "Hashes, fixed forever").
uint64_t ReferenceWordHash(std::string_view word);
//! The hash of one shingle, from the hashes of its words, in order.
uint64_t ReferenceShingleHash(const std::vector<uint64_t>& word_hashes);

//! One hash per run of kShingleWords consecutive words of `normalized` (split at ' '); fewer
//! words: one hash of all of them; none: empty.
std::vector<uint64_t> ReferenceShingleHashes(std::string_view normalized);

//! Winnowing window by window: each window's minimum, repeats of the previous window's dropped.
std::vector<uint64_t> ReferenceWinnow(const std::vector<uint64_t>& hashes);

//! ReferenceWinnow(ReferenceShingleHashes(ReferenceNormalizeText(text))).
std::vector<uint64_t> ReferenceFingerprint(std::string_view text);

//! `normalized` split at single spaces (empty pieces skipped).
std::vector<std::string> SplitWords(std::string_view normalized);

}  // namespace sluice::reference
