#include "provenance/fingerprint_index.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <thread>

#include "provenance/fingerprint.h"

namespace sluice {
namespace {

long double LogChoose(uint64_t a, uint64_t b) {
  return std::lgamma(static_cast<long double>(a) + 1) - std::lgamma(static_cast<long double>(b) + 1) -
         std::lgamma(static_cast<long double>(a - b) + 1);
}

// log P(X = i) for X ~ Hypergeometric(N, K, n), lo <= i <= hi.
long double LogPmf(uint64_t N, uint64_t K, uint64_t n, uint64_t i) {
  return LogChoose(K, i) + LogChoose(N - K, n - i) - LogChoose(N, n);
}

// Terms below e^-60 of the running sum change it by less than 1e-26 relative: stop there.
constexpr long double kNegligible = 60;

}  // namespace

// Only the first term comes from lgamma; the others follow by the pmf's ratio recurrence
//   P(i+1) / P(i) = (K-i)(n-i) / ((i+1)(N-K-n+i+1)),
// summed in log space (log-sum-exp) from the starting term outwards. The pmf is unimodal, so
// summing away from the mode the terms only shrink and the loop stops once they are
// negligible. When k is at or below the mode the tail is large and is computed as
// 1 - P(X <= k-1), whose terms shrink going down from k-1: both directions stay short.
double HypergeometricTail(uint64_t N, uint64_t K, uint64_t n, uint64_t k) {
  K = std::min(K, N);
  n = std::min(n, N);
  const uint64_t lo = n > N - K ? n - (N - K) : 0;  // smallest possible X
  const uint64_t hi = std::min(K, n);                // largest possible X
  if (k <= lo) return 1.0;
  if (k > hi) return 0.0;
  const long double NK = static_cast<long double>(N - K);
  const uint64_t mode = static_cast<uint64_t>(
      (static_cast<long double>(n) + 1) * (static_cast<long double>(K) + 1) / (static_cast<long double>(N) + 2));

  long double log_sum;
  if (k > mode) {  // upper tail, terms decreasing from k upwards
    long double term = LogPmf(N, K, n, k);
    log_sum = term;
    for (uint64_t i = k; i < hi; ++i) {
      const long double id = static_cast<long double>(i);
      term += std::log((static_cast<long double>(K) - id) * (static_cast<long double>(n) - id)) -
              std::log((id + 1) * (NK - static_cast<long double>(n) + id + 1));
      if (term < log_sum - kNegligible) break;
      log_sum += std::log1p(std::exp(term - log_sum));
    }
    const double p = static_cast<double>(std::exp(log_sum));
    return p < 1e-300 ? 0.0 : std::min(p, 1.0);
  }
  // lower part P(X <= k-1), terms decreasing from k-1 downwards.
  long double term = LogPmf(N, K, n, k - 1);
  log_sum = term;
  for (uint64_t i = k - 1; i > lo; --i) {
    const long double id = static_cast<long double>(i);
    // P(i-1) / P(i) = i (N-K-n+i) / ((K-i+1)(n-i+1))
    term += std::log(id * (NK - static_cast<long double>(n) + id)) -
            std::log((static_cast<long double>(K) - id + 1) * (static_cast<long double>(n) - id + 1));
    if (term < log_sum - kNegligible) break;
    log_sum += std::log1p(std::exp(term - log_sum));
  }
  const long double p = 1.0L - std::exp(log_sum);
  return static_cast<double>(std::clamp(p, 0.0L, 1.0L));
}

namespace {

// Fingerprint hashes are already well mixed 64-bit values. 0 marks an empty slot, so a hash
// of 0 is stored and looked up as 1 (a collision with a real 1 costs nothing but a spurious
// posting, 2^-64 of the time).
uint64_t Key(uint64_t hash) { return hash == 0 ? 1 : hash; }

// Capacity for `keys` keys at load <= 0.6 (any size, not a power of two: see Home()).
size_t Capacity(size_t keys) { return std::max<size_t>(16, keys + keys * 2 / 3 + 1); }

}  // namespace

// Winnowing keeps the smallest hash of each window, so kept hashes are skewed towards small
// values (the minimum of four uniforms): their high bits alone would crowd the front of the
// table into one long probe run. A 64-bit finaliser (murmur3's fmix64) spreads them again,
// then multiply-shift maps onto [0, capacity) ("fastrange") with no modulo.
uint64_t FingerprintIndex::Spread(uint64_t hash) {
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return hash;
}

size_t FingerprintIndex::Slot(uint64_t spread) const {
  return static_cast<size_t>((static_cast<unsigned __int128>(spread) * keys_.size()) >> 64);
}

size_t FingerprintIndex::Find(uint64_t hash) const {
  const size_t cap = keys_.size();
  for (size_t s = Home(hash);; s = s + 1 == cap ? 0 : s + 1) {
    if (keys_[s] == hash) return s;
    if (keys_[s] == 0) return kNoSlot;
  }
}

uint32_t FingerprintIndex::Holders(uint64_t hash) const {
  if (keys_.empty()) return 0;
  const size_t s = Find(Key(hash));
  if (s == kNoSlot) return 0;
  const uint32_t n = first_[s + 1] - first_[s];
  return n == 0 ? kMaxPostings + 1 : n;  // a key without postings was dropped
}

// Two passes over the fingerprints, so every key's postings are contiguous and the index is
// four arrays with no per-key allocation: pass 1 inserts the keys and counts postings per
// slot, a prefix sum turns counts into offsets (first_), pass 2 writes the text indices.
FingerprintIndex FingerprintIndex::Build(std::span<const IndexedText> texts, int threads) {
  FingerprintIndex index;
  index.entries_ = texts.size();
  index.ids_.reserve(texts.size());
  index.traps_.reserve(texts.size());
  index.totals_.assign(texts.size(), 0);
  for (const IndexedText& t : texts) {
    index.ids_.push_back(t.id);
    index.traps_.push_back(t.trap ? 1 : 0);
  }

  // Each text's distinct hashes, concatenated; offsets[t] is where text t's begin. With
  // threads, each fingerprints a contiguous share of the texts, and the shares are joined.
  struct Share {
    std::vector<uint64_t> hashes;
    std::vector<size_t> ends;  // per text of the share, the end of its hashes
  };
  auto fingerprint = [&texts](size_t from, size_t to, Share& share) {
    share.hashes.reserve((to - from) * 16);  // a post of 280 characters has about 20 hashes
    share.ends.reserve(to - from);
    std::vector<uint64_t> fp;
    for (size_t t = from; t < to; ++t) {
      FingerprintInto(texts[t].text, fp);
      for (uint64_t& h : fp) h = Key(h);
      std::sort(fp.begin(), fp.end());
      fp.erase(std::unique(fp.begin(), fp.end()), fp.end());
      share.hashes.insert(share.hashes.end(), fp.begin(), fp.end());
      share.ends.push_back(share.hashes.size());
    }
  };
  const size_t shares = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1, texts.size() / 10'000 + 1);
  std::vector<Share> share(shares);
  {
    std::vector<std::thread> workers;
    for (size_t k = 1; k < shares; ++k)
      workers.emplace_back(fingerprint, texts.size() * k / shares, texts.size() * (k + 1) / shares, std::ref(share[k]));
    fingerprint(0, texts.size() / shares, share[0]);
    for (auto& w : workers) w.join();
  }
  std::vector<uint64_t> all = std::move(share[0].hashes);
  std::vector<size_t> offsets{0};
  offsets.reserve(texts.size() + 1);
  offsets.insert(offsets.end(), share[0].ends.begin(), share[0].ends.end());
  for (size_t k = 1; k < shares; ++k) {
    const size_t base = all.size();
    all.insert(all.end(), share[k].hashes.begin(), share[k].hashes.end());
    for (size_t e : share[k].ends) offsets.push_back(base + e);
    share[k] = {};
  }

  // Pass 1: keys and counts, in a table sized for the worst case (all hashes distinct) ...
  std::vector<uint32_t> counts;
  auto insert_all = [&](size_t capacity, auto&& each_key) {
    index.keys_.assign(capacity, 0);
    counts.assign(capacity, 0);
    each_key([&](uint64_t h, uint32_t add) {
      const size_t cap = index.keys_.size();
      size_t s = index.Home(h);
      while (index.keys_[s] != 0 && index.keys_[s] != h) s = s + 1 == cap ? 0 : s + 1;
      index.keys_[s] = h;
      counts[s] += add;
    });
  };
  // Slots are random in a table of hundreds of MB: each home slot is prefetched a few
  // hashes ahead, so the cache misses overlap instead of queueing.
  constexpr size_t kAhead = 16;
  insert_all(Capacity(all.size()), [&](auto&& put) {
    for (size_t j = 0; j < all.size(); ++j) {
      if (j + kAhead < all.size()) {
        const size_t home = index.Home(all[j + kAhead]);
        __builtin_prefetch(&index.keys_[home], 1);
        __builtin_prefetch(&counts[home], 1);
      }
      put(all[j], 1);
    }
  });
  // ... then, when shared hashes left it mostly empty, rehashed into one sized for the keys.
  size_t distinct = 0;
  for (uint64_t k : index.keys_) distinct += k != 0;
  if (Capacity(distinct) < index.keys_.size() * 3 / 4) {
    std::vector<uint64_t> old_keys = std::move(index.keys_);
    std::vector<uint32_t> old_counts = std::move(counts);
    insert_all(Capacity(distinct), [&](auto&& put) {
      for (size_t s = 0; s < old_keys.size(); ++s)
        if (old_keys[s] != 0) put(old_keys[s], old_counts[s]);
    });
  }

  // Offsets; keys held by too many texts keep their slot but get no postings.
  const size_t cap = index.keys_.size();
  index.first_.assign(cap + 1, 0);
  uint64_t next = 0;
  for (size_t s = 0; s < cap; ++s) {
    index.first_[s] = static_cast<uint32_t>(next);
    if (counts[s] <= kMaxPostings) next += counts[s];
  }
  index.first_[cap] = static_cast<uint32_t>(next);
  if (next > UINT32_MAX) throw std::length_error("FingerprintIndex: more than 2^32 - 1 postings");

  // Pass 2: postings, and totals without the dropped keys. counts becomes a fill cursor.
  index.postings_.resize(next);
  std::fill(counts.begin(), counts.end(), 0);
  for (size_t t = 0; t < texts.size(); ++t) {
    uint32_t total = 0;
    for (size_t j = offsets[t]; j < offsets[t + 1]; ++j) {
      if (j + kAhead < all.size()) {
        const size_t home = index.Home(all[j + kAhead]);
        __builtin_prefetch(&index.keys_[home]);
        __builtin_prefetch(&index.first_[home]);
        __builtin_prefetch(&counts[home]);
      }
      const size_t s = index.Find(all[j]);
      const uint32_t begin = index.first_[s];
      if (index.first_[s + 1] == begin) continue;  // dropped
      index.postings_[begin + counts[s]++] = static_cast<uint32_t>(t);
      ++total;
    }
    index.totals_[t] = static_cast<uint16_t>(std::min<uint32_t>(total, UINT16_MAX));
    if (total >= 1 && total < uint32_t(kWholeTextBelow))
      index.whole_texts_[texts[t].id] = " " + NormalizeText(texts[t].text) + " ";
  }

  // The filter: about 8-16 bits per key with postings (the rest can never produce a hit).
  size_t with_postings = 0;
  for (size_t s = 0; s < cap; ++s) with_postings += index.first_[s + 1] != index.first_[s];
  // At least 64 words, so the shift stays below 64.
  const size_t words = std::bit_ceil(std::max<size_t>(64, with_postings / 8));
  index.filter_.assign(words, 0);
  index.filter_shift_ = 64 - std::countr_zero(words);
  for (size_t s = 0; s < cap; ++s) {
    if (index.first_[s + 1] == index.first_[s]) continue;
    const uint64_t spread = Spread(index.keys_[s]);
    index.filter_[index.FilterWord(spread)] |= FilterBits(spread);
  }
  return index;
}

size_t FingerprintIndex::MemoryBytes() const {
  return sizeof(*this) + keys_.capacity() * sizeof(uint64_t) + first_.capacity() * sizeof(uint32_t) +
         postings_.capacity() * sizeof(uint32_t) + ids_.capacity() * sizeof(Id) +
         totals_.capacity() * sizeof(uint16_t) + traps_.capacity() * sizeof(uint8_t) +
         filter_.capacity() * sizeof(uint64_t) + whole_texts_.size() * (sizeof(Id) + sizeof(std::string) + 48);
}

bool FingerprintIndex::WholeTextIn(const TextMatch& match, std::string_view padded) const {
  auto it = whole_texts_.find(match.id);
  return it != whole_texts_.end() && padded.find(it->second) != std::string_view::npos;
}

std::vector<TextMatch> FingerprintIndex::Match(std::string_view document, Scratch& scratch,
                                                const MatchOptions& options) const {
  std::vector<TextMatch> out;
  MatchBatch(std::span<const std::string_view>(&document, 1), scratch, options,
             [&out](size_t, std::vector<TextMatch>& matches) { out = std::move(matches); });
  return out;
}

// Most of a suspect document's hashes are in no post, and each lookup in keys_ is a cache
// miss in a table of tens of MB. So every hash is first tested against the filter, and only
// the hashes it passes probe keys_. Each level of the chain filter -> keys_ -> first_ ->
// postings_ -> counts is walked over the whole batch before the next, prefetching a few
// entries ahead, so the cache misses of many documents overlap: one document alone has too
// few hashes to hide them.
void FingerprintIndex::BatchFingerprints::Compute(std::span<const std::string_view> documents) {
  hashes.clear();
  doc_end.clear();
  for (std::string_view document : documents) {
    AppendFingerprint(document, hashes);
    doc_end.push_back(static_cast<uint32_t>(hashes.size()));
  }
}

void FingerprintIndex::BatchFingerprints::ComputeJoined(std::span<const std::string_view> documents) {
  hashes.clear();
  doc_end.clear();
  AppendFingerprints(documents, hashes, doc_end);
}

void FingerprintIndex::MatchBatch(std::span<const std::string_view> documents, Scratch& scratch,
                                  const MatchOptions& options,
                                  const std::function<void(size_t, std::vector<TextMatch>&)>& on_match) const {
  if (entries_ == 0 || keys_.empty() || documents.empty()) return;
  scratch.batch.Compute(documents);
  MatchFingerprints(scratch.batch, scratch, options, [&](size_t d, std::vector<TextMatch>& matches) {
    std::string padded;
    size_t kept = 0;
    for (TextMatch& m : matches) {
      if (m.needs_whole_text) {
        if (padded.empty()) padded = " " + NormalizeText(documents[d]) + " ";
        if (!WholeTextIn(m, padded)) continue;
        m.needs_whole_text = false;
      }
      matches[kept++] = m;
    }
    matches.resize(kept);
    if (!matches.empty()) on_match(d, matches);
  });
}

void FingerprintIndex::MatchFingerprints(const BatchFingerprints& batch, Scratch& scratch, const MatchOptions& options,
                                         const std::function<void(size_t, std::vector<TextMatch>&)>& on_match) const {
  if (entries_ == 0 || keys_.empty() || batch.doc_end.empty()) return;
  constexpr size_t kAhead = 16;
  const std::vector<uint64_t>& hashes = batch.hashes;
  const std::vector<uint32_t>& doc_end = batch.doc_end;
  const size_t total = hashes.size();
  // The filter: most hashes stop here. Its words are prefetched far ahead (an L3 or memory
  // latency is hundreds of instructions of this loop), and the loop keeps everything in
  // locals: a store to `candidates` could otherwise alias the filter's pointer.
  constexpr size_t kFilterAhead = 64;
  const uint64_t* filter = filter_.data();
  const int shift = filter_shift_;
  std::vector<uint64_t>& spread = scratch.spread;
  spread.resize(total);
  for (size_t i = 0; i < total; ++i) spread[i] = Spread(Key(hashes[i]));
  for (size_t i = 0; i < std::min(total, kFilterAhead); ++i) __builtin_prefetch(&filter[spread[i] >> shift]);
  // Candidates (the hashes the filter passes) as document << 32 | index into hashes, so that
  // sorting groups them by document; duplicates within a document go after the sort.
  std::vector<uint64_t>& candidates = scratch.candidates;
  candidates.resize(total);
  uint64_t* candidate = candidates.data();
  size_t passed = 0;
  for (size_t i = 0, d = 0; i < total; ++i) {
    if (i + kFilterAhead < total) __builtin_prefetch(&filter[spread[i + kFilterAhead] >> shift]);
    while (i >= doc_end[d]) ++d;
    const uint64_t bits = FilterBits(spread[i]);
    candidate[passed] = uint64_t{d} << 32 | i;
    passed += (filter[spread[i] >> shift] & bits) == bits;
  }
  candidates.resize(passed);
  if (candidates.empty()) return;
  std::vector<uint64_t>& keys = scratch.keys;      // candidate hash, per candidate
  std::vector<uint32_t>& cand_doc = scratch.cand_doc;
  keys.clear();
  cand_doc.clear();
  for (size_t a = 0; a < candidates.size();) {  // per document: its distinct candidate hashes
    const uint32_t d = static_cast<uint32_t>(candidates[a] >> 32);
    const size_t from = keys.size();
    for (; a < candidates.size() && (candidates[a] >> 32) == d; ++a) keys.push_back(Key(hashes[candidates[a] & UINT32_MAX]));
    std::sort(keys.begin() + from, keys.end());
    keys.erase(std::unique(keys.begin() + from, keys.end()), keys.end());
    cand_doc.resize(keys.size(), d);
  }
  const size_t n = keys.size();
  // keys_: the slot of each candidate, or none.
  std::vector<size_t>& slots = scratch.slots;
  slots.resize(n);
  for (size_t i = 0; i < n; ++i) slots[i] = Home(keys[i]);
  const size_t cap = keys_.size();
  size_t found = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(&keys_[slots[i + kAhead]]);
    for (size_t s = slots[i];; s = s + 1 == cap ? 0 : s + 1) {
      const uint64_t k = keys_[s];
      if (k == 0) break;
      if (k == keys[i]) {
        slots[found] = s;
        cand_doc[found] = cand_doc[i];
        ++found;
        break;
      }
    }
  }
  // first_: each found key's posting range, reusing keys as begin << 32 | end.
  for (size_t i = 0; i < std::min(found, kAhead); ++i) __builtin_prefetch(&first_[slots[i]]);
  for (size_t i = 0; i < found; ++i) {
    if (i + kAhead < found) __builtin_prefetch(&first_[slots[i + kAhead]]);
    const size_t s = slots[i];
    keys[i] = uint64_t{first_[s]} << 32 | first_[s + 1];
  }
  // postings_ and counts, document by document (ranges of one document are contiguous).
  std::vector<uint16_t>& counts = scratch.counts;
  std::vector<uint32_t>& touched = scratch.touched;
  std::vector<uint32_t>& texts = scratch.texts;
  std::vector<uint64_t>& matched = scratch.matched;  // text index << 32 | hits
  if (counts.size() < entries_) counts.resize(entries_, 0);
  for (size_t i = 0; i < std::min(found, kAhead); ++i) __builtin_prefetch(&postings_[keys[i] >> 32]);
  std::vector<TextMatch> out;
  for (size_t a = 0; a < found;) {
    const uint32_t d = cand_doc[a];
    texts.clear();
    for (; a < found && cand_doc[a] == d; ++a) {
      if (a + kAhead < found) __builtin_prefetch(&postings_[keys[a + kAhead] >> 32]);
      const uint32_t begin = static_cast<uint32_t>(keys[a] >> 32), end = static_cast<uint32_t>(keys[a]);
      for (uint32_t q = begin; q < end; ++q) {
        __builtin_prefetch(&counts[postings_[q]]);
        texts.push_back(postings_[q]);
      }
    }
    touched.clear();
    for (const uint32_t t : texts) {
      uint16_t& c = counts[t];
      if (c == 0) {
        touched.push_back(t);
        __builtin_prefetch(&totals_[t]);
      }
      if (c != UINT16_MAX) ++c;
    }
    // A document's hashes are distinct, so a text's count is at most its total. Texts are
    // reported in increasing index order; counts are reset as they are read.
    matched.clear();
    for (const uint32_t t : touched) {
      const int hits = counts[t];
      counts[t] = 0;
      const int total_hashes = totals_[t];
      if (total_hashes < options.min_total) {
        // A short text: all of its hashes, then its whole text (the caller's check).
        if (total_hashes >= 1 && total_hashes < kWholeTextBelow && hits >= total_hashes)
          matched.push_back(uint64_t{t} << 32 | static_cast<uint32_t>(hits));
        continue;
      }
      const int need = total_hashes < options.min_hashes
                           ? total_hashes
                           : std::max(options.min_hashes, static_cast<int>(std::ceil(options.min_share * total_hashes)));
      if (hits >= need) matched.push_back(uint64_t{t} << 32 | static_cast<uint32_t>(hits));
    }
    if (matched.empty()) continue;
    std::sort(matched.begin(), matched.end());
    out.clear();
    for (const uint64_t m : matched) {
      const uint32_t t = static_cast<uint32_t>(m >> 32);
      out.push_back(TextMatch{ids_[t], traps_[t] != 0, static_cast<int>(m & UINT32_MAX), totals_[t],
                              totals_[t] < options.min_total});
    }
    on_match(d, out);
  }
}

}  // namespace sluice
