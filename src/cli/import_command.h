#pragma once
//! `sluice import FILE`: posts and users saved by an X API v2 client (JSONL), all or nothing.

#include <memory>
#include <string>

#include "cli/common.h"

namespace sluice::cli {

struct ImportCommand {
  CLI::App* cmd = nullptr;
  std::string file;
};

std::unique_ptr<ImportCommand> AddImportCommand(CLI::App& app, Common& common);
int RunImportCommand(ImportCommand& c, Store& store);

}  // namespace sluice::cli
