// `sluice ledger verify`: the records, the tree hashes and the checkpoints must tell one
// story. A crash can leave records past the tree hashes and a torn tail after them (the
// tree follows the synced records), never fewer records than the tree hashes cover.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/parse.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger_files.h"
#include "ledger/tools.h"
#include "ledger/tools_internal.h"

namespace sluice {

using namespace ledger_internal;  // NOLINT: the tools' shared helpers

bool LedgerInUse(const std::string& dir) {
  int fd = ::open(LockPath(dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

namespace {

// The record count the clean-close marker states; nullopt when there is no marker.
Result<std::optional<uint64_t>> ClosedMarker(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(ClosedMarkerPath(dir), ec)) return std::optional<uint64_t>();
  auto text = ReadFile(ClosedMarkerPath(dir));
  if (!text.ok()) return text.status();
  // Exactly "records N\n", N without sign or leading zeros (the format compare rejects those).
  const std::string_view body(*text);
  const auto n = body.starts_with("records ") && body.ends_with('\n')
                     ? ParseInt<uint64_t>(body.substr(8, body.size() - 9))
                     : ParsedInt<uint64_t>{0, IntError::kNotAnInteger};
  if (!n.ok() || *text != fmt::format("records {}\n", n.value))
    return CommandError(ClosedMarkerPath(dir) + ": not a clean-close marker (\"records N\")");
  return std::optional<uint64_t>(n.value);
}

}  // namespace

namespace {

// VerifyLedger, or with `prefix` VerifyLedgerPrefix: only records [0, *prefix).
Result<VerifyReport> Verify(const std::string& dir, const LedgerProgress& progress, std::optional<uint64_t> prefix) {
  auto vkey = LedgerPublicKey(dir);
  if (!vkey.ok()) return vkey.status();
  VerifyReport report;
  report.in_use = LedgerInUse(dir);
  auto marker = ClosedMarker(dir);
  if (!marker.ok()) return marker.status();
  report.closed_cleanly = marker->has_value() && !report.in_use && !prefix;
  // The tree hashes and the checkpoints are read before the records: a server running now
  // only adds to them after the records they cover, so what is read here is all covered by
  // the records read next.
  auto stored = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!stored.ok()) return stored.status();
  // The notes' texts are read now too: a running server thins older checkpoints while the
  // records are scanned (checkpoint_retention.h). One gone between listing and reading was
  // thinned; the newest never is.
  std::vector<std::pair<std::filesystem::path, std::string>> notes;
  for (const auto& file : CheckpointFiles(dir)) {
    auto text = ReadFile(file.string());
    if (text.ok()) {
      notes.emplace_back(file, std::move(*text));
      continue;
    }
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && !ec) continue;
    return text.status();
  }

  auto tree = TreeHashes::InMemory();
  std::string last_segment;
  auto scan = ForEachRecord(
      dir, progress,
      [&](const LedgerPosition& pos, const LedgerRecord& r, std::string_view payload) {
        if (pos.segment != last_segment) {
          ++report.segments;
          last_segment = pos.segment;
        }
        if (r.app_id == 0 && r.status >= 300) {
          report.refused_requests += r.count;
          ++report.refused_records;
        }
        return tree->Append(LeafHash(payload));
      },
      /*tail_ok=*/!report.closed_cleanly, prefix.value_or(UINT64_MAX));
  if (!scan.ok()) return scan.status();
  report.records = scan->records;
  // The server made `prefix` records durable before this scan began: fewer is records lost.
  if (prefix && report.records < *prefix)
    return CommandError(fmt::format("{}: the server made {} records durable, the segments hold only {}{}", dir, *prefix,
                                    report.records,
                                    report.torn ? fmt::format(" whole records before {}", report.torn_at.ToString()) : ""));
  report.torn = scan->torn;
  report.torn_at = scan->torn_at;
  report.torn_bytes = scan->torn_bytes;
  if (progress) progress(SegmentBytes(dir), SegmentBytes(dir));

  // The tree hashes are extended only after their records are synced: records they cover
  // cannot be lost to a crash. Fewer records than they cover is records removed.
  // A prefix: the tree hashes may have grown past it since (the server goes on appending).
  report.tree_records = prefix ? std::min((*stored)->Size(), report.records) : (*stored)->Size();
  if (report.tree_records > report.records)
    return CommandError(fmt::format(
        "{}: the tree hashes cover {} records, the segments hold only {}{}: records were removed or cut", TreeDir(dir),
        report.tree_records, report.records,
        report.torn ? fmt::format(" whole records before {}", report.torn_at.ToString()) : ""));
  report.past_tree = report.records - report.tree_records;
  if (report.closed_cleanly) {
    if (**marker != report.records)
      return CommandError(fmt::format("{}: closed cleanly with {} records, the segments hold {}", ClosedMarkerPath(dir),
                                      **marker, report.records));
    if (report.past_tree > 0 || (*stored)->Level0Bytes() != report.records * 32)
      return CommandError(fmt::format("{}: closed cleanly, but the tree hashes cover {} records and the segments hold {}",
                                      TreeDir(dir), report.tree_records, report.records));
  }
  // Every stored hash must be the recomputed one. Closed cleanly, every level is complete;
  // otherwise a level may lag the one below (recovery recomputes what is missing).
  for (int level = 0; (uint64_t(1) << level) <= report.tree_records; ++level) {
    uint64_t want = report.tree_records >> level;
    uint64_t present = std::min<uint64_t>((*stored)->Entries(level), want);
    if (report.closed_cleanly && (*stored)->Entries(level) != want)
      return CommandError(fmt::format("{}: {} hashes, the {} records need {}", TreeLevelPath(TreeDir(dir), level),
                                      (*stored)->Entries(level), report.tree_records, want));
    for (uint64_t i = 0; i < present; ++i) {
      auto expected = tree->Perfect(level, i);
      auto got = (*stored)->Perfect(level, i);
      if (!expected.ok()) return expected.status();
      if (!got.ok() || *got != *expected)
        return CommandError(TreeLevelPath(TreeDir(dir), level) + ": hash " + std::to_string(i) +
                            " differs from the one recomputed from the records");
    }
  }

  uint64_t previous = 0, last = 0;
  for (const auto& [file, note] : notes) {
    auto cp = VerifyCheckpoint(note, *vkey);
    if (!cp.ok()) return CommandError(file.string() + ": " + cp.status().message());
    if (file.filename().string() != fmt::format("{:020}.note", cp->size))
      return CommandError(fmt::format("{}: the note is signed over {} records, not what its name says", file.string(),
                                      cp->size));
    if (prefix && cp->size > report.records) continue;  // signed after the prefix: checked next time
    if (cp->size > report.records)
      return CommandError(file.string() + ": checkpoint of " + std::to_string(cp->size) +
                          " records, but the segments hold only " + std::to_string(report.records) +
                          ": records were removed or cut");
    if (cp->size < previous) return CommandError(file.string() + ": checkpoint sizes go backwards");
    auto root = tree->Root(cp->size);
    if (!root.ok()) return root.status();
    if (*root != cp->root)
      return CommandError(file.string() + ": signed root of tree size " + std::to_string(cp->size) +
                          " does not match the records (they were altered after it was signed)");
    previous = last = cp->size;
    ++report.checkpoints;
  }
  if (report.checkpoints == 0 && (report.records > 0 || report.segments > 0))
    return CommandError(fmt::format("{}: no signed checkpoint, but {} records: checkpoints were deleted (every start "
                                    "signs one)",
                                    CheckpointDir(dir), report.records));
  if (report.closed_cleanly && last != report.records)
    return CommandError(fmt::format("{}: closed cleanly with {} records, but the newest checkpoint is of {} (every "
                                    "stop signs one): checkpoints were deleted",
                                    CheckpointDir(dir), report.records, last));
  auto root = tree->Root(report.records);
  if (!root.ok()) return root.status();
  report.root = *root;
  return report;
}

}  // namespace

Result<VerifyReport> VerifyLedger(const std::string& dir, const LedgerProgress& progress) {
  return Verify(dir, progress, std::nullopt);
}

Result<VerifyReport> VerifyLedgerPrefix(const std::string& dir, uint64_t records, const LedgerProgress& progress) {
  return Verify(dir, progress, records);
}

std::string DescribeVerifyReport(const VerifyReport& r) {
  std::string text = fmt::format("ledger OK: {} records in {} segments, {} signed checkpoints verified", r.records,
                                 r.segments, r.checkpoints);
  if (r.refused_requests > 0)
    text += fmt::format("; {} refusals without a known app in {} records", r.refused_requests, r.refused_records);
  if (r.closed_cleanly) return text + "; closed cleanly\n";
  text += r.in_use ? "; in use by a running server (records past the tree hashes are still being written)\n"
                   : "; not closed cleanly (kill -9, a crash or a power loss)\n";
  if (r.past_tree == 0 && !r.torn) return text;
  text += r.in_use ? "as things stand, a recovery would: " : "the next start's recovery will: ";
  std::string steps;
  if (r.past_tree > 0) steps += fmt::format("add the {} records past the tree hashes to them", r.past_tree);
  if (r.torn)
    steps += fmt::format("{}cut {} bytes of torn tail at {}", steps.empty() ? "" : "; ", r.torn_bytes,
                         r.torn_at.ToString());
  return text + steps + "\n";
}

}  // namespace sluice
