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
};

struct TraceAppFinding {
  Id app_id = 0;
  std::string app_name;
  Id project_id = 0;
  uint64_t received = 0;          // distinct posts the app received
  uint64_t matched_received = 0;  // of the corpus' matched posts, how many it received
  double share = 0;               // matched_received / posts matched in the corpus
  double p_value = 1;             // P(overlap >= matched_received) by chance
  std::vector<Id> deleted_received;  // matched posts deleted since, that the app had received
  std::vector<Id> trap_hits;         // its trap records found in the corpus: each alone names it
  bool named = false;
  std::vector<std::string> evidence;  // `sluice ledger prove` JSON, one per sampled post
};

struct TraceReport {
  CorpusStats corpus;
  double seconds = 0;
  uint64_t indexed_posts = 0;
  uint64_t posts_matched = 0;  // distinct platform posts found in the corpus
  uint64_t deleted_matched = 0;
  uint64_t trap_hits = 0;      // trap records found
  std::vector<TraceAppFinding> apps;  // apps with any overlap, most significant first
};

using TraceProgress = std::function<void(uint64_t bytes, uint64_t total_bytes, double seconds)>;

Result<TraceReport> RunTrace(Store& store, const std::string& ledger_dir, const TraceOptions& options,
                             const TraceProgress& progress);

std::string TraceReportJson(const TraceReport& report);
std::string TraceReportMarkdown(const TraceReport& report);

}  // namespace sluice
