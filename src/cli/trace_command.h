#pragma once
//! `sluice trace --data DIR [--json] [--quiet] [--whole-files] FILE...`

#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"

namespace sluice::cli {

struct TraceCommand {
  CLI::App* cmd = nullptr;
  std::vector<std::string> files;
  bool json = false;
  bool quiet = false;
  bool whole_files = false;
  int threads = 0;  // 0: one per core
  std::vector<std::string> ledgers;  // --ledger: several nodes' ledgers
};

std::unique_ptr<TraceCommand> AddTraceCommand(CLI::App& app, Common& common);
int RunTraceCommand(TraceCommand& c, Common& common, const Config& config);

}  // namespace sluice::cli
