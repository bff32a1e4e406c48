#include "cli/trace_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/ledgers.h"
#include "ledger/tools.h"
#include "provenance/trace.h"

namespace sluice::cli {

std::unique_ptr<TraceCommand> AddTraceCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<TraceCommand>();
  TraceCommand& c = *owned;
  c.cmd = app.add_subcommand("trace", "which of our posts a dataset holds, and which apps received them (with evidence)");
  AddCommon(c.cmd, common);
  c.cmd->add_option("files", c.files, "corpus files: .jsonl, .csv or text, optionally .gz or .zst")->required()->check(CLI::ExistingFile);
  c.cmd->add_flag("--json", c.json, "print the report as one JSON object (default: Markdown)");
  c.cmd->add_flag("--quiet", c.quiet, "no progress on stderr");
  c.cmd->add_flag("--whole-files", c.whole_files, "plain text: each file is one document (default: each line)");
  AddLedgersOption(c.cmd, c.ledgers);
  c.cmd->add_option("--threads", c.threads, "threads for the scan (default: one per core; 1: read and match on one thread)")
      ->check(IntIn(0, 256));
  return owned;
}

namespace {

// A named app's evidence is a proof up to a signed checkpoint, so the records it needs must
// be covered by one. When no server holds the ledger, opening it signs a checkpoint of every
// record (after recovering a crash's torn tail, as the next start would) and closing it
// another. Returns what to tell the reader when that could not be done.
std::string SignCheckpointIfFree(const Common& common, const Config& config, const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return {};
  auto ledger = OpenLedgerAt(config, dir);
  Status s = ledger.ok() ? (*ledger)->Close() : ledger.status();
  if (s.ok()) return {};
  if (LedgerInUse(dir))
    return "The ledger is in use by a running server, so this trace could not sign a checkpoint: posts delivered "
           "since its latest one have no proof yet. The server signs one every ledger.checkpoint_every_ms while "
           "records arrive, and as it stops: run the trace again after either (or stop the server and run "
           "`sluice ledger checkpoint --data " + common.data + "`).";
  return "No checkpoint could be signed before this trace (" + s.message() + "): run `sluice ledger verify --data " +
         common.data + "` and `sluice ledger checkpoint --data " + common.data + "`.";
}

}  // namespace

int RunTraceCommand(TraceCommand& c, Common& common, const Config& config) {
  auto ledgers = ResolveLedgers(c.ledgers, common.data);
  if (!ledgers.ok()) return Fail(ledgers.status());
  std::string ledger_note;
  for (const std::string& dir : *ledgers)
    if (std::string note = SignCheckpointIfFree(common, config, dir); !note.empty() && ledger_note.empty())
      ledger_note = ledgers->size() > 1 ? dir + ": " + note : note;
  auto store = Open(common, config);
  if (!store.ok()) return Fail(store.status());
  TraceOptions options;
  options.files = c.files;
  options.corpus.whole_files = c.whole_files;
  options.threads = c.threads > 0 ? c.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool show = !c.quiet && isatty(2);
  auto progress = [show](uint64_t bytes, uint64_t total, double seconds) {
    if (!show || seconds <= 0) return;
    double rate = bytes / seconds;
    double eta = rate > 0 && total > bytes ? (total - bytes) / rate : 0;
    std::fprintf(stderr, "\rtrace: %.0f of %.0f MB, %.0f MB/s, %.0f s left   ", bytes / 1e6, total / 1e6, rate / 1e6, eta);
  };
  auto report = RunTrace(**store, *ledgers, options, progress);
  if (show) std::fprintf(stderr, "\n");
  if (!report.ok()) return Fail(report.status());
  for (const auto& f : report->apps)
    if (!f.evidence_missing.empty()) report->evidence_note = ledger_note;
  std::string out = c.json ? TraceReportJson(*report) + "\n" : TraceReportMarkdown(*report);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace sluice::cli
