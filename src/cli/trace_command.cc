#include "cli/trace_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

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
  c.cmd->add_option("--threads", c.threads, "threads for the scan (default: one per core; 1: read and match on one thread)")
      ->check(IntIn(0, 256));
  return owned;
}

int RunTraceCommand(TraceCommand& c, Common& common, const Config& config) {
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
  auto report = RunTrace(**store, LedgerDir(common), options, progress);
  if (show) std::fprintf(stderr, "\n");
  if (!report.ok()) return Fail(report.status());
  std::string out = c.json ? TraceReportJson(*report) + "\n" : TraceReportMarkdown(*report);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace sluice::cli
