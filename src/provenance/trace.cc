#include "provenance/trace.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "ledger/record.h"
#include "ledger/segment.h"
#include "ledger/tools.h"
#include "provenance/fingerprint.h"
#include "provenance/served_index.h"

namespace sluice {

namespace {

// Per app, the first compliance notice that named each post (trace.h, TraceNotice).
using NoticeIndex = std::unordered_map<Id, std::unordered_map<Id, TraceNotice>>;

// Per app, the distinct ids of the posts it received (from the ledgers' GET records), and
// into `notices` the compliance notices (records with a channel: not deliveries).
Result<ServedIndex> BuildServedIndex(const std::vector<std::string>& ledger_dirs, NoticeIndex& notices) {
  ServedIndex served;
  for (const std::string& ledger_dir : ledger_dirs) {
    std::error_code ec;
    if (!std::filesystem::exists(ledger_dir, ec)) continue;
    auto scan = ScanSegments(ledger_dir, /*tail_ok=*/true, [&](const LedgerPosition&, std::string_view payload) -> Status {
      auto r = DecodeRecord(payload);
      if (!r.ok()) return r.status();
      if (!r->channel.empty()) {
        auto& told = notices[r->app_id];
        for (Id post : r->post_ids) {
          auto [it, added] = told.try_emplace(post, TraceNotice{post, r->time, r->channel});
          // Several ledgers are read one after another: keep the earliest telling.
          if (!added && r->time < it->second.noticed_at) it->second = TraceNotice{post, r->time, r->channel};
        }
        return Status::Ok();
      }
      if (r->status < 300 && r->app_id != 0 && r->endpoint.rfind("GET ", 0) == 0)
        for (Id post : r->post_ids) served.Add(r->app_id, post);
      return Status::Ok();
    });
    if (!scan.ok()) return scan.status();
  }
  served.Seal();
  return served;
}

// The proof of `app` receiving `post` (or, `notice`, of its being told the post needs
// action) from the first ledger that records it.
Result<std::string> ProveFromAny(const std::vector<std::string>& ledger_dirs, Id app, Id post, bool notice = false) {
  Status first_error;
  for (const std::string& dir : ledger_dirs) {
    auto proof = notice ? ProveNotice(dir, app, post, nullptr) : ProveDelivery(dir, app, post, nullptr);
    if (proof.ok()) return proof;
    if (first_error.ok()) first_error = proof.status();
  }
  if (first_error.ok()) return CommandError("no ledger to prove it from");
  return first_error;
}

// Append-only storage for the texts the index is built from: one allocation per block of
// kBlock bytes rather than one per text (a million posts are a million small allocations
// and page faults otherwise). Texts never move, so the views Add returns stay valid until the
// arena is destroyed.
class TextArena {
 public:
  std::string_view Add(std::string_view text) {
    if (text.size() > kBlock / 4) return Place(Allocate(text.size()), text);  // a long text alone
    if (text.size() > left_) {
      next_ = Allocate(kBlock);
      left_ = kBlock;
    }
    std::string_view placed = Place(next_, text);
    next_ += text.size();
    left_ -= text.size();
    return placed;
  }

 private:
  static constexpr size_t kBlock = size_t{4} << 20;
  char* Allocate(size_t bytes) {
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(bytes));
    return blocks_.back().get();
  }
  static std::string_view Place(char* at, std::string_view text) {
    if (!text.empty()) std::memcpy(at, text.data(), text.size());
    return {at, text.size()};
  }
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// Documents copied out of the reader's buffer, each followed by '\n' (so that they are
// fingerprinted as one text: AppendFingerprints), matched together (MatchFingerprints
// overlaps the index lookups of many documents).
struct DocumentBatch {
  static constexpr size_t kBytes = 256 << 10;
  std::string text;
  std::vector<std::pair<size_t, size_t>> spans;  // offset, length in text
  std::vector<std::string_view> views;
  FingerprintIndex::BatchFingerprints fingerprints;
  bool fingerprinted = false;  // fingerprints are those of this batch's documents

  void Add(std::string_view document) {
    spans.emplace_back(text.size(), document.size());
    text.append(document);
    text.push_back('\n');
  }
  bool Full() const { return text.size() >= kBytes; }
  void Fingerprint() {
    views.clear();
    for (const auto& [offset, length] : spans) views.emplace_back(text.data() + offset, length);
    fingerprints.ComputeJoined(views);
    fingerprinted = true;
  }
  void Clear() {
    text.clear();
    spans.clear();
    fingerprinted = false;
  }
};

// What the scan matches against and attribution reads, built from the store and the ledger.
struct TraceIndexes {
  FingerprintIndex index;
  std::unordered_set<Id> deleted;
  std::unordered_map<Id, Id> trap_app;
  //! Per trap: its own fingerprint hashes, those no other indexed text (post or trap) holds.
  std::unordered_map<Id, std::vector<uint64_t>> trap_own;
  ServedIndex served;
  NoticeIndex notices;
};

// Sets timing's store read, index and served seconds. `threads` fingerprint the posts.
Result<TraceIndexes> BuildIndexes(Store& store, const std::vector<std::string>& ledger_dir, int threads, TraceTiming& timing) {
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  TraceIndexes out;
  // Every platform post, deleted ones included: deletion does not erase what was delivered.
  auto texts = std::make_unique<TextArena>();
  std::vector<IndexedText> indexed;
  if (Status s = store.ForEachPost([&](Id id, std::string_view text, bool is_deleted) {
        indexed.push_back({id, false, texts->Add(text)});
        if (is_deleted) out.deleted.insert(id);
        return true;
      });
      !s.ok())
    return s;
  // Trap records: found once, they name the app they were delivered to.
  if (Status s = store.ForEachTrap([&](const StoredTrap& t) {
        indexed.push_back({t.id, true, texts->Add(t.text)});
        out.trap_app[t.id] = t.app_id;
        return true;
      });
      !s.ok())
    return s;
  timing.store_read_seconds = seconds();
  out.index = FingerprintIndex::Build(indexed, threads);
  for (const IndexedText& t : indexed) {
    if (!t.trap) continue;
    std::vector<uint64_t>& own = out.trap_own[t.id];
    for (uint64_t h : Fingerprint(t.text))
      if (out.index.Holders(h) == 1) own.push_back(h);
  }
  texts.reset();  // the index keeps no text
  indexed = {};
  timing.index_seconds = seconds();
  auto served = BuildServedIndex(ledger_dir, out.notices);
  if (!served.ok()) return served.status();
  out.served = std::move(*served);
  timing.served_seconds = seconds() - timing.index_seconds;
  return out;
}

// Own hashes a document must hold to hit a trap (all of them when the trap has fewer), and
// three quarters of them: two traps written from the same phrases may share a new sentence.
constexpr size_t kTraceTrapOwnHashes = 3;

// What matching found: one per matcher, merged at the end.
struct ScanFindings {
  std::unordered_set<Id> matched, traps_found;
};

// Matches one batch. Reads only immutable state (the index, the traps' own hashes), so
// matchers run in parallel, each with its own scratch and findings.
void MatchDocuments(const FingerprintIndex& index, const MatchOptions& options,
                    const std::unordered_map<Id, std::vector<uint64_t>>& trap_own, DocumentBatch& batch,
                    FingerprintIndex::Scratch& scratch, ScanFindings& found) {
  if (!batch.fingerprinted) batch.Fingerprint();
  index.MatchFingerprints(batch.fingerprints, scratch, options, [&](size_t d, std::vector<TextMatch>& matches) {
    std::string normalized;
    auto padded = [&]() -> const std::string& {
      if (normalized.empty()) {  // spaces at both ends, so texts are found as whole words
        normalized = ' ';
        normalized += NormalizeText(batch.views[d]);
        normalized += ' ';
      }
      return normalized;
    };
    for (const auto& m : matches) {
      if (m.needs_whole_text && !index.WholeTextIn(m, padded())) continue;  // a short post
      if (!m.trap) {
        found.matched.insert(m.id);
        continue;
      }
      // A trap is written from the platform's own phrases, so it shares shingles with real
      // posts and other traps: a hit counts only when the document holds enough of the
      // shingles no other text holds (docs/trace.md: false hits measured).
      const std::vector<uint64_t>& own = trap_own.at(m.id);
      if (own.empty()) continue;
      const auto& fp = batch.fingerprints;
      const auto begin = fp.hashes.begin() + (d == 0 ? 0 : fp.doc_end[d - 1]), end = fp.hashes.begin() + fp.doc_end[d];
      size_t held = 0;
      for (uint64_t h : own) held += std::find(begin, end, h) != end ? 1 : 0;
      if (held >= std::min(own.size(), kTraceTrapOwnHashes) && held * 4 >= own.size() * 3)
        found.traps_found.insert(m.id);
    }
  });
  batch.Clear();
}

// Full batches from the reader to the matchers, and empty ones back: at most `depth` batches
// exist, so a slow matcher holds the reader back instead of filling memory.
class BatchPipe {
 public:
  explicit BatchPipe(size_t depth) : depth_(depth) {}

  std::unique_ptr<DocumentBatch> TakeEmpty() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !empty_.empty() || made_ < depth_; });
    if (empty_.empty()) {
      ++made_;
      return std::make_unique<DocumentBatch>();
    }
    auto batch = std::move(empty_.front());
    empty_.pop_front();
    return batch;
  }
  void Send(std::unique_ptr<DocumentBatch> batch) {
    std::lock_guard lock(mu_);
    full_.push_back(std::move(batch));
    changed_.notify_all();
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  //! Full batches sent and not yet received.
  size_t Waiting() {
    std::lock_guard lock(mu_);
    return full_.size();
  }
  //! The next full batch; null once closed and drained.
  std::unique_ptr<DocumentBatch> Receive() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) return nullptr;
    auto batch = std::move(full_.front());
    full_.pop_front();
    return batch;
  }
  void Return(std::unique_ptr<DocumentBatch> batch) {
    std::lock_guard lock(mu_);
    empty_.push_back(std::move(batch));
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<DocumentBatch>> full_, empty_;
  size_t made_ = 0;
  const size_t depth_;
  bool closed_ = false;
};

uint64_t FileBytes(const std::vector<std::string>& files) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& f : files) total += std::filesystem::file_size(f, ec);
  return total;
}

}  // namespace

Result<TraceReport> RunTrace(Store& store, const std::string& ledger_dir, const TraceOptions& options,
                             const TraceProgress& progress) {
  return RunTrace(store, std::vector<std::string>{ledger_dir}, options, progress);
}

Result<TraceReport> RunTrace(Store& store, const std::vector<std::string>& ledger_dir, const TraceOptions& options,
                             const TraceProgress& progress) {
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  TraceReport report;
  double phase_start = 0;
  // Seconds since the previous call (or since the start): the length of the phase just ended.
  auto phase = [&] {
    double now = elapsed(), d = now - phase_start;
    phase_start = now;
    return d;
  };

  // The indexes. With one thread they are built first. With more, they are built on a thread
  // of their own while this one starts the scan: it fingerprints batches (which needs no
  // index) and keeps up to kBacklogBytes of them until the index is ready.
  const int threads = std::max(1, options.threads);
  std::future<Result<TraceIndexes>> building;
  std::optional<TraceIndexes> built;
  Status scanned;
  if (threads == 1) {
    auto r = BuildIndexes(store, ledger_dir, 1, report.timing);
    if (!r.ok()) return r.status();
    built.emplace(std::move(*r));
  } else {
    report.timing.overlapped = true;
    building = std::async(std::launch::async, BuildIndexes, std::ref(store), std::cref(ledger_dir), threads,
                          std::ref(report.timing));
  }
  phase_start = elapsed();

  // Scan the corpus. With one thread, this thread reads and matches. With n > 1, n - 1 matcher
  // threads take batches from a pipe, and this thread reads and parses, and matches a batch
  // itself whenever the matchers already have two waiting each (one would run out while it
  // matches): no core idles while the reader waits, and no core is shared by two busy threads.
  const int matcher_threads = threads - 1;
  std::vector<ScanFindings> findings(threads);  // the last one is this thread's
  BatchPipe pipe(2 * static_cast<size_t>(threads) + 1);
  std::vector<std::thread> matchers;
  FingerprintIndex::Scratch scratch;  // this thread's
  std::vector<std::unique_ptr<DocumentBatch>> backlog;  // fingerprinted before the index was ready
  size_t backlog_bytes = 0;
  constexpr size_t kBacklogBytes = size_t{64} << 20;
  // Once the indexes are built: starts the matchers and matches the backlog. False when the
  // build failed (scanned holds why).
  auto indexes_ready = [&] {
    if (built) return true;
    auto r = building.get();
    if (!r.ok()) {
      scanned = r.status();
      return false;
    }
    built.emplace(std::move(*r));
    for (int t = 0; t < matcher_threads; ++t) {
      matchers.emplace_back([&, t] {
        FingerprintIndex::Scratch matcher_scratch;
        while (auto batch = pipe.Receive()) {
          MatchDocuments(built->index, options.match, built->trap_own, *batch, matcher_scratch, findings[t]);
          pipe.Return(std::move(batch));
        }
      });
    }
    for (auto& b : backlog) MatchDocuments(built->index, options.match, built->trap_own, *b, scratch, findings.back());
    backlog.clear();
    return true;
  };
  std::unique_ptr<DocumentBatch> batch = std::make_unique<DocumentBatch>();
  // Hands on a full batch; false when the scan must stop.
  auto flush = [&] {
    if (batch->spans.empty()) return true;
    if (!built && building.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
        backlog_bytes < kBacklogBytes) {
      batch->Fingerprint();
      backlog_bytes += batch->text.size();
      backlog.push_back(std::move(batch));
      batch = std::make_unique<DocumentBatch>();
      return true;
    }
    if (!indexes_ready()) return false;
    if (matcher_threads == 0 || pipe.Waiting() >= 2 * static_cast<size_t>(matcher_threads)) {
      MatchDocuments(built->index, options.match, built->trap_own, *batch, scratch, findings.back());
    } else {
      pipe.Send(std::move(batch));
      batch = pipe.TakeEmpty();
    }
    return true;
  };
  bool stopped = false;
  uint64_t total = FileBytes(options.files), before = 0;
  for (const auto& file : options.files) {
    uint64_t base = report.corpus.bytes;
    Status read = ReadCorpus(
        file, options.corpus,
        [&](const CorpusDocument& doc) {
          if (options.stop && options.stop()) {
            scanned = ServiceUnavailable("the trace was stopped", 1);
            stopped = true;
            return false;
          }
          batch->Add(doc.text);
          if (batch->Full() && !flush()) {
            stopped = true;
            return false;
          }
          return true;
        },
        report.corpus, [&](uint64_t bytes) {
          if (progress) progress(before + bytes, total, elapsed());
        });
    if (!stopped && !flush()) stopped = true;
    if (stopped) break;
    if (!read.ok()) {
      scanned = read;
      break;
    }
    before += report.corpus.bytes - base;
  }
  if (!stopped) indexes_ready();  // the build's error, if any, lands in scanned
  pipe.Close();
  for (auto& m : matchers) m.join();
  if (building.valid()) (void)building.get();  // an error ended the scan before the build did
  if (!scanned.ok()) return scanned;
  const TraceIndexes& ix = *built;
  report.indexed_posts = ix.index.size() - ix.trap_app.size();
  std::unordered_set<Id> matched, traps_found;
  for (auto& f : findings) {
    matched.merge(f.matched);
    traps_found.merge(f.traps_found);
  }
  report.timing.scan_seconds = phase();
  report.posts_matched = matched.size();
  report.trap_hits = traps_found.size();
  std::unordered_map<Id, std::vector<Id>> traps_by_app;
  for (Id t : traps_found) traps_by_app[ix.trap_app.at(t)].push_back(t);
  for (Id id : matched) report.deleted_matched += ix.deleted.count(id);

  // Per app: the overlap, and how likely it is by chance.
  auto apps = store.ListApps();
  if (!apps.ok()) return apps.status();
  uint64_t N = report.indexed_posts, n = matched.size();
  for (const auto& app : *apps) {
    auto traps_it = traps_by_app.find(app.id);
    TraceAppFinding f;
    f.app_id = app.id;
    f.app_name = app.name;
    f.project_id = app.project_id;
    if (traps_it != traps_by_app.end()) f.trap_hits = traps_it->second;
    std::sort(f.trap_hits.begin(), f.trap_hits.end());
    std::vector<Id> overlap;
    f.received = ix.served.Count(app.id);
    if (f.received > 0)
      for (Id id : matched)
        if (ix.served.Contains(app.id, id)) overlap.push_back(id);
    if (overlap.empty() && f.trap_hits.empty()) continue;
    std::sort(overlap.begin(), overlap.end());
    f.matched_received = overlap.size();
    f.share = n ? double(overlap.size()) / double(n) : 0;
    f.p_value = overlap.empty() ? 1 : HypergeometricTail(N, f.received, n, f.matched_received);
    for (Id id : overlap)
      if (ix.deleted.count(id)) f.deleted_received.push_back(id);
    if (auto told = ix.notices.find(app.id); told != ix.notices.end())
      for (Id id : f.deleted_received)
        if (auto n = told->second.find(id); n != told->second.end()) f.deleted_notified.push_back(n->second);
    f.named = f.p_value < options.name_below_p || !f.trap_hits.empty();
    if (f.named) {
      // Evidence: trap records first, then deleted posts (a client honouring deletions would
      // have purged them), then any matched post.
      std::vector<Id> sample = f.trap_hits;
      // Deleted posts it was told of first: their delivery and their notice prove it together.
      for (const TraceNotice& n : f.deleted_notified) sample.push_back(n.post_id);
      for (Id id : f.deleted_received)
        if (std::find(sample.begin(), sample.end(), id) == sample.end()) sample.push_back(id);
      for (Id id : overlap)
        if (!ix.deleted.count(id)) sample.push_back(id);
      sample.resize(std::min<size_t>(sample.size(), size_t(options.evidence_per_app)));
      for (Id post : sample) {
        auto proof = ProveFromAny(ledger_dir, app.id, post);
        if (proof.ok()) f.evidence.push_back(std::move(*proof));
        else if (f.evidence_missing.empty()) f.evidence_missing = proof.status().message();
      }
      // The notices of deleted posts it kept: the proof that it was told (issue 16).
      for (size_t i = 0; i < f.deleted_notified.size() && i < size_t(options.evidence_per_app); ++i) {
        auto proof = ProveFromAny(ledger_dir, app.id, f.deleted_notified[i].post_id, /*notice=*/true);
        if (proof.ok()) f.notice_evidence.push_back(std::move(*proof));
        else if (f.evidence_missing.empty()) f.evidence_missing = proof.status().message();
      }
    }
    f.matched_posts = std::move(overlap);
    report.apps.push_back(std::move(f));
  }
  std::sort(report.apps.begin(), report.apps.end(), [](const auto& a, const auto& b) {
    return a.trap_hits.size() != b.trap_hits.size() ? a.trap_hits.size() > b.trap_hits.size() : a.p_value < b.p_value;
  });
  report.timing.attribution_seconds = phase();
  report.seconds = elapsed();
  return report;
}

std::string TraceReportJson(const TraceReport& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("corpus");
  w.BeginObject();
  w.MemberInt("documents", int64_t(r.corpus.documents));
  w.MemberInt("malformed", int64_t(r.corpus.malformed));
  if (!r.corpus.first_malformed.empty()) w.Member("first_malformed", r.corpus.first_malformed);
  w.MemberInt("bytes", int64_t(r.corpus.bytes));
  w.MemberInt("uncompressed_bytes", int64_t(r.corpus.uncompressed_bytes));
  w.EndObject();
  w.MemberInt("indexed_posts", int64_t(r.indexed_posts));
  w.MemberInt("posts_matched", int64_t(r.posts_matched));
  w.MemberInt("deleted_posts_matched", int64_t(r.deleted_matched));
  w.MemberInt("trap_hits", int64_t(r.trap_hits));
  w.Key("apps");
  w.BeginArray();
  for (const auto& f : r.apps) {
    w.BeginObject();
    w.MemberId("app_id", f.app_id);
    w.Member("app_name", f.app_name);
    w.MemberId("project_id", f.project_id);
    w.MemberInt("posts_received", int64_t(f.received));
    w.MemberInt("matched_posts_received", int64_t(f.matched_received));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", f.share);
    w.Key("share");
    w.Raw(buf);
    std::snprintf(buf, sizeof buf, "%.3e", f.p_value);
    w.Member("p_value", buf);
    w.MemberBool("named", f.named);
    w.MemberIdArray("trap_hits", f.trap_hits);
    w.MemberIdArray("deleted_posts_received", f.deleted_received);
    w.Key("deleted_posts_notified");
    w.BeginArray();
    for (const TraceNotice& n : f.deleted_notified) {
      w.BeginObject();
      w.MemberId("post_id", n.post_id);
      w.Member("noticed_at", FormatTime(n.noticed_at));
      w.Member("channel", n.channel);
      w.EndObject();
    }
    w.EndArray();
    w.Key("notice_evidence");
    w.BeginArray();
    for (const auto& e : f.notice_evidence) w.Raw(e);
    w.EndArray();
    w.Key("evidence");
    w.BeginArray();
    for (const auto& e : f.evidence) w.Raw(e);
    w.EndArray();
    if (!f.evidence_missing.empty()) w.Member("evidence_missing", f.evidence_missing);
    w.EndObject();
  }
  w.EndArray();
  if (!r.evidence_note.empty()) w.Member("evidence_note", r.evidence_note);
  char num[32];
  auto fixed = [&](const char* key, const char* format, double v) {
    std::snprintf(num, sizeof num, format, v);
    w.Key(key);
    w.Raw(num);
  };
  fixed("seconds", "%.3f", r.seconds);
  w.Key("timing");
  w.BeginObject();
  w.MemberBool("indexes_built_during_scan", r.timing.overlapped);
  fixed("store_read_seconds", "%.3f", r.timing.store_read_seconds);
  fixed("index_seconds", "%.3f", r.timing.index_seconds);
  fixed("served_seconds", "%.3f", r.timing.served_seconds);
  fixed("scan_seconds", "%.3f", r.timing.scan_seconds);
  fixed("attribution_seconds", "%.3f", r.timing.attribution_seconds);
  fixed("scan_mb_per_s", "%.1f", r.timing.ScanMegabytesPerSecond(r.corpus.uncompressed_bytes));
  w.EndObject();
  w.EndObject();
  return w.Take();
}

std::string TraceReportMarkdown(const TraceReport& r) {
  std::string md = "# Trace report\n\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "%llu documents scanned (%llu malformed), %.1f MB in %.1f s. %llu of our %llu posts found "
                "(%llu since deleted on the platform).\n\n",
                (unsigned long long)r.corpus.documents, (unsigned long long)r.corpus.malformed,
                r.corpus.uncompressed_bytes / 1e6, r.seconds, (unsigned long long)r.posts_matched,
                (unsigned long long)r.indexed_posts, (unsigned long long)r.deleted_matched);
  md += line;
  const TraceTiming& t = r.timing;
  std::snprintf(line, sizeof line,
                "Timing: index %.2f s (store read %.2f s), served index %.2f s, scan %.2f s (%.1f MB/s), "
                "attribution %.2f s%s.\n\n",
                t.index_seconds, t.store_read_seconds, t.served_seconds, t.scan_seconds,
                t.ScanMegabytesPerSecond(r.corpus.uncompressed_bytes), t.attribution_seconds,
                t.overlapped ? " (the indexes were built during the scan)" : "");
  md += line;
  if (r.apps.empty()) return md + "No app received any of the posts found.\n";
  md += "| app | received | of the posts found | share | p (by chance) | deleted since | told of deletion | trap records | named |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& f : r.apps) {
    std::snprintf(line, sizeof line, "| %s (%lld) | %llu | %llu | %.1f%% | %.2e | %zu | %zu | %zu | %s |\n",
                  f.app_name.c_str(), (long long)f.app_id, (unsigned long long)f.received,
                  (unsigned long long)f.matched_received, 100 * f.share, f.p_value, f.deleted_received.size(),
                  f.deleted_notified.size(), f.trap_hits.size(), f.named ? "**yes**" : "no");
    md += line;
  }
  md += "\nAn app is named when one of its trap records is found, or when the overlap between what it received and what the corpus holds is less likely "
        "than 1e-6 by chance (hypergeometric tail over all platform posts). Evidence bundles (ledger record, "
        "inclusion proof, signed checkpoint) are in the JSON report; check each with `sluice ledger check-proof`.\n";
  for (const auto& f : r.apps) {
    if (f.deleted_notified.empty()) continue;
    md += "\n**" + f.app_name + "** kept posts it had been told were deleted:\n\n";
    for (const TraceNotice& n : f.deleted_notified)
      md += "- post " + std::to_string(n.post_id) + ": told " + FormatTime(n.noticed_at) + " through " + n.channel + "\n";
  }
  for (const auto& f : r.apps)
    if (!f.evidence_missing.empty()) md += "\n**Evidence missing for " + f.app_name + "**: " + f.evidence_missing + "\n";
  if (!r.evidence_note.empty()) md += "\n" + r.evidence_note + "\n";
  return md;
}

}  // namespace sluice
