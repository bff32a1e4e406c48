#pragma once
//! `sluice trace`: which of our posts a suspect corpus holds, and whose keys they came from.
//! Builds the fingerprint index of every platform post (deleted ones included), the served
//! index of every app (from the ledger), scans the corpus files, and for each app weighs the
//! overlap between what it received and what the corpus holds against chance
//! (hypergeometric tail). Apps whose overlap is too unlikely by chance are named, with
//! evidence: ledger records, inclusion proofs and the signed checkpoint.

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "provenance/corpus_reader.h"
#include "provenance/fingerprint_index.h"
#include "store/store.h"

namespace sluice {

struct TraceOptions {
  std::vector<std::string> files;
  CorpusOptions corpus;
  MatchOptions match;
  double name_below_p = 1e-6;  // an app is named when its overlap is less likely than this
  int evidence_per_app = 3;    // matched posts per named app with a proof bundle
  //! Threads for the scan. With more than one, threads - 1 of them fingerprint and look up
  //! batches of documents while the calling thread reads and parses the corpus (and matches
  //! a batch itself when they are all busy). The report does not depend on it.
  int threads = 1;
  //! Asked between documents: once it returns true the scan stops and RunTrace returns a
  //! kUnavailable error ("the trace was stopped"). Null: never.
  std::function<bool()> stop;
};

//! A compliance notice that told an app a post needs action (a ledger record with a channel,
//! record.h version 4): the first one, per app and post.
struct TraceNotice {
  Id post_id = 0;
  TimeMs noticed_at = 0;
  std::string channel;  // "job:<id>", "stream:..."
};

struct TraceAppFinding {
  Id app_id = 0;
  std::string app_name;
  Id project_id = 0;
  uint64_t received = 0;          // distinct posts the app received
  uint64_t matched_received = 0;  // of the corpus' matched posts, how many it received
  double share = 0;               // matched_received / posts matched in the corpus
  double p_value = 1;             // P(overlap >= matched_received) by chance
  std::vector<Id> matched_posts;     // the corpus' matched posts it received, in id order (not in the JSON)
  std::vector<Id> deleted_received;  // matched posts deleted since, that the app had received
  //! Of deleted_received, those the app was told of (a compliance notice), in the same order:
  //! it kept them after it was told.
  std::vector<TraceNotice> deleted_notified;
  std::vector<Id> trap_hits;         // its trap records found in the corpus: each alone names it
  bool named = false;
  std::vector<std::string> evidence;  // `sluice ledger prove` JSON, one per sampled post
  //! Named: the proofs of the notices (ProveNotice JSON) of the first evidence_per_app of
  //! deleted_notified; their deliveries' proofs are in `evidence` (deleted posts come first).
  std::vector<std::string> notice_evidence;
  std::string evidence_missing;       // named, and a sampled post had no proof: why (the first reason)
};

//! Wall-clock seconds of each phase of RunTrace, in the order they run; together they make
//! up TraceReport::seconds (up to clock reads). With more than one thread the indexes are
//! built while the scan starts (`overlapped`): scan_seconds then covers the index and served
//! phases too.
struct TraceTiming {
  bool overlapped = false;
  double store_read_seconds = 0;  // reading every post and trap from the store (part of index)
  double index_seconds = 0;       // the fingerprint index: store read + fingerprinting + Build
  double served_seconds = 0;      // the served index, from the ledger
  double scan_seconds = 0;        // reading and matching the corpus files
  double attribution_seconds = 0; // per-app overlap, p-values and evidence bundles
  //! Uncompressed corpus MB (10^6 bytes) per second of the scan phase alone; 0 when the scan
  //! took no measurable time.
  double ScanMegabytesPerSecond(uint64_t uncompressed_bytes) const {
    return scan_seconds > 0 ? double(uncompressed_bytes) / 1e6 / scan_seconds : 0;
  }
};

struct TraceReport {
  CorpusStats corpus;
  double seconds = 0;  // the whole of RunTrace
  TraceTiming timing;
  uint64_t indexed_posts = 0;
  uint64_t posts_matched = 0;  // distinct platform posts found in the corpus
  uint64_t deleted_matched = 0;
  uint64_t trap_hits = 0;      // trap records found
  std::vector<TraceAppFinding> apps;  // apps with any overlap, most significant first
  //! Set by the caller before the report is printed, when a named app lacks evidence and the
  //! reason is the ledger's state (e.g. a running server holds it): what to do about it.
  std::string evidence_note;
};

using TraceProgress = std::function<void(uint64_t bytes, uint64_t total_bytes, double seconds)>;

Result<TraceReport> RunTrace(Store& store, const std::string& ledger_dir, const TraceOptions& options,
                             const TraceProgress& progress);
//! The same over the ledgers of several nodes, one body of evidence: an app received what any
//! of them records; each proof comes from the ledger that holds the delivery (its own
//! checkpoint and key: check it with that ledger's verifier key).
Result<TraceReport> RunTrace(Store& store, const std::vector<std::string>& ledger_dirs, const TraceOptions& options,
                             const TraceProgress& progress);

std::string TraceReportJson(const TraceReport& report);
std::string TraceReportMarkdown(const TraceReport& report);

}  // namespace sluice
