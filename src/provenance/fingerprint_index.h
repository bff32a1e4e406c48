#pragma once
//! FingerprintIndex: the winnowed fingerprints of every platform post (deleted ones included)
//! and every trap record, to find them in a suspect corpus. Built once, then read-only and
//! thread-safe. Matching a document: each of its fingerprint hashes is looked up; a post
//! matches when at least `min_share` of its own fingerprint hashes (and at least
//! `min_hashes` of them, or all of them for a post that has fewer) occur in the document.
//! A post with fewer than `min_total` hashes (a short one) matches only when the document
//! holds its whole normalised text, word for word: its one hash is too common to tell alone.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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
  //! A short text whose hashes the document holds: a candidate until WholeTextIn confirms
  //! it (MatchFingerprints only; Match and MatchBatch confirm it themselves).
  bool needs_whole_text = false;
};

struct MatchOptions {
  double min_share = 0.5;
  int min_hashes = 3;
  //! Texts with fewer fingerprint hashes match only by their whole text: a post of about
  //! seven words or less has one hash, a single 4-word phrase, which random text of common
  //! words holds by chance (fingerprint_index_test: RandomDocumentsNeverMatch finds such
  //! matches with 1, none with 2). At most kWholeTextBelow (the index keeps the texts below it).
  int min_total = 2;
};

class FingerprintIndex {
 public:
  //! Fingerprints every text (Fingerprint() of fingerprint.h) and indexes the hashes.
  //! Hashes held by more than kMaxPostings texts (boilerplate such as "follow us for more")
  //! are dropped: they identify nothing, and a text's total counts only its other hashes (a
  //! text made of nothing else has total 0 and never matches). At most 2^32 - 1 postings;
  //! totals saturate at 65535. Texts keep their order: index i of `texts` is text i.
  static constexpr uint32_t kMaxPostings = 10'000;
  //! Texts with fewer hashes than this (but one at least) keep their normalised text, to be
  //! matched whole.
  static constexpr int kWholeTextBelow = 2;
  //! With threads > 1, that many threads fingerprint the texts (at least 10,000 texts each);
  //! the index is the same.
  static FingerprintIndex Build(std::span<const IndexedText> texts, int threads = 1);

  size_t size() const { return entries_; }          // texts indexed
  //! How many indexed texts hold `hash` in their fingerprint: 0 if none; kMaxPostings + 1 for
  //! a hash dropped as too common. (A trap's "own" hashes are those only it holds.)
  uint32_t Holders(uint64_t hash) const;
  size_t MemoryBytes() const;

  //! The texts `document` contains, by the rule above. `scratch` is reused between calls
  //! (one per thread) to avoid allocation.
  struct Scratch;
  std::vector<TextMatch> Match(std::string_view document, Scratch& scratch, const MatchOptions& options = {}) const;

  //! Match() of each document, faster for many: the index lookups of the whole batch overlap.
  //! Calls on_match(i, matches of documents[i]) for each document with a match, in order (the
  //! vector may be moved from). A few hundred KB of text per batch is enough.
  void MatchBatch(std::span<const std::string_view> documents, Scratch& scratch, const MatchOptions& options,
                  const std::function<void(size_t, std::vector<TextMatch>&)>& on_match) const;

  //! MatchBatch in two steps: the fingerprints need no index, so a batch can be fingerprinted
  //! while the index is still being built, and matched once it is.
  struct BatchFingerprints {
    std::vector<uint64_t> hashes;   // every document's fingerprint, concatenated
    std::vector<uint32_t> doc_end;  // per document: the end of its hashes
    void Compute(std::span<const std::string_view> documents);
    //! Compute for documents laid out as AppendFingerprints (fingerprint.h) wants them, one
    //! after the other, each followed by '\n': faster.
    void ComputeJoined(std::span<const std::string_view> documents);
  };
  void MatchFingerprints(const BatchFingerprints& batch, Scratch& scratch, const MatchOptions& options,
                         const std::function<void(size_t, std::vector<TextMatch>&)>& on_match) const;

  //! For a match with needs_whole_text: whether `padded` (" " + NormalizeText(document) + " ")
  //! holds the text's whole normalised text as whole words.
  bool WholeTextIn(const TextMatch& match, std::string_view padded) const;

 private:
  size_t entries_ = 0;
  // Implementation-defined storage; see fingerprint_index.cc. An open-addressing table of
  // the distinct fingerprint hashes (linear probing, load <= 0.6); the postings of the key in
  // slot s are postings_[first_[s] .. first_[s + 1]), text indices in increasing order.
  static constexpr size_t kNoSlot = ~size_t{0};
  size_t Find(uint64_t hash) const;   // slot of `hash`, or kNoSlot
  size_t Home(uint64_t hash) const { return Slot(Spread(hash)); }  // first slot probed for `hash`
  static uint64_t Spread(uint64_t hash);  // a 64-bit finaliser of `hash`, for slot and filter
  size_t Slot(uint64_t spread) const;     // the home slot of a spread hash
  static uint64_t FilterBits(uint64_t spread) {  // three bits of one filter word
    return (uint64_t{1} << (spread & 63)) | (uint64_t{1} << ((spread >> 6) & 63)) |
           (uint64_t{1} << ((spread >> 12) & 63));
  }
  size_t FilterWord(uint64_t spread) const { return static_cast<size_t>(spread >> filter_shift_); }
  std::vector<uint64_t> keys_;        // per slot: fingerprint hash (0 = empty; hash 0 is stored as 1)
  std::vector<uint32_t> first_;       // per slot, plus one: first posting index
  std::vector<uint32_t> postings_;    // text indices
  std::vector<Id> ids_;               // per text
  std::vector<uint16_t> totals_;      // per text: distinct fingerprint hashes, common ones excluded
  std::vector<uint8_t> traps_;        // per text
  std::unordered_map<Id, std::string> whole_texts_;  // " normalised text " of the short texts
  // A Bloom filter of the keys that have postings, in front of keys_: a power-of-two number
  // of 64-bit words (about 8-16 bits per key, a few MB for a million posts, so it stays in
  // cache), each key setting three bits of one word. A miss costs one cached read instead of
  // a read of keys_; a false positive (a few percent) just probes keys_.
  std::vector<uint64_t> filter_;
  int filter_shift_ = 64;             // word index = spread hash >> filter_shift_
};

struct FingerprintIndex::Scratch {
  BatchFingerprints batch;          // MatchBatch's
  std::vector<uint64_t> keys;       // distinct candidate hashes per document, then posting ranges
  std::vector<uint32_t> cand_doc;   // per key: its document
  // Hits per text index, all zero between calls (sized to the index's texts on first use);
  // `touched` lists the texts with a nonzero count, so only those are reset. Counts saturate
  // at 65535 (a text has at most that many hashes counted in its total).
  std::vector<uint16_t> counts;
  std::vector<uint32_t> touched;
  std::vector<uint32_t> texts;    // text indices hit, with repeats, in posting order
  std::vector<uint64_t> matched;  // texts that pass (index << 32 | hits), sorted before output
  std::vector<uint64_t> spread;  // Spread() per hash (its filter word prefetched first)
  std::vector<uint64_t> candidates;  // hashes the filter passes, as document << 32 | index
  std::vector<size_t> slots;     // home slot per key, then the slot found
};

//! P(X >= k) for X ~ Hypergeometric(population N, successes K, draws n): the probability
//! that a random set of n posts out of N holds at least k of the K posts an app received.
//! Computed in log space; exact enough for tails down to 1e-300 (returns 0 below). k = 0 (or
//! k at or below the smallest possible overlap) gives 1; k > min(K, n) gives 0; K or n above
//! N are clamped to N. Thread-safe, no allocation; cost grows with the standard deviation of X.
double HypergeometricTail(uint64_t N, uint64_t K, uint64_t n, uint64_t k);

}  // namespace sluice
