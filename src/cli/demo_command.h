#pragma once
//! `sluice demo`: seed an empty data directory, create a demo app on the pro plan, serve, and
//! print its token with curl lines to try (serve.h).

#include <memory>
#include <string>

#include "cli/common.h"

namespace sluice::cli {

struct DemoCommand {
  CLI::App* cmd = nullptr;
  std::string listen;
};

std::unique_ptr<DemoCommand> AddDemoCommand(CLI::App& app, Common& common);
int RunDemoCommand(DemoCommand& c, const Common& common, Config config);

}  // namespace sluice::cli
