#pragma once
//! FingerprintIndex: the winnowed fingerprints of every platform post (deleted ones included)
//! and every trap record, to find them in a suspect corpus. Built once, then read-only and
//! thread-safe. Matching a document: each of its fingerprint hashes is looked up; a post
//! matches when at least `min_share` of its own fingerprint hashes (and at least
//! `min_hashes` of them, or all of them for a post that has fewer) occur in the document.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice {

struct IndexedText {
  Id id = 0;              // post id, or trap record id
  bool trap = false;
  std::string_view text;  // only read during Build
};

struct TextMatch {
  Id id = 0;
  bool trap = false;
  int found = 0;   // of the post's fingerprint hashes, how many the document holds
  int total = 0;   // the post's fingerprint size
};

struct MatchOptions {
  double min_share = 0.5;
  int min_hashes = 3;
};

class FingerprintIndex {
 public:
  //! Fingerprints every text (Fingerprint() of fingerprint.h) and indexes the hashes.
  static FingerprintIndex Build(std::span<const IndexedText> texts);

  size_t size() const { return entries_; }          // texts indexed
  size_t MemoryBytes() const;

  //! The texts `document` contains, by the rule above. `scratch` is reused between calls
  //! (one per thread) to avoid allocation.
  struct Scratch;
  std::vector<TextMatch> Match(std::string_view document, Scratch& scratch, const MatchOptions& options = {}) const;

 private:
  size_t entries_ = 0;
  // Implementation-defined storage (hash -> postings); see fingerprint_index.cc.
  std::vector<uint64_t> keys_;        // open addressing: fingerprint hash (0 = empty)
  std::vector<uint32_t> first_;       // per slot: first posting index
  std::vector<uint32_t> count_;       // per slot: number of postings
  std::vector<uint32_t> postings_;    // text indices
  std::vector<Id> ids_;               // per text
  std::vector<uint16_t> totals_;      // per text: fingerprint size
  std::vector<uint8_t> traps_;        // per text
};

struct FingerprintIndex::Scratch {
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> hits;    // text indices hit, with repeats
};

//! P(X >= k) for X ~ Hypergeometric(population N, successes K, draws n): the probability
//! that a random set of n posts out of N holds at least k of the K posts an app received.
//! Computed in log space; exact enough for tails down to 1e-300 (returns 0 below). k = 0 (or
//! k at or below the smallest possible overlap) gives 1; k > min(K, n) gives 0; K or n above
//! N are clamped to N. Thread-safe, no allocation; cost grows with the standard deviation of X.
double HypergeometricTail(uint64_t N, uint64_t K, uint64_t n, uint64_t k);

}  // namespace sluice
