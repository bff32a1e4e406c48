#pragma once
//! `sluice apps create`: create an app (in a new project or --project) and print its bearer
//! token, shown once, as JSON.

#include <memory>
#include <string>

#include "access/apps.h"
#include "cli/common.h"

namespace sluice::cli {

struct AppsCommand {
  CLI::App *apps = nullptr, *create = nullptr;
  NewApp app;
  std::string uses, project;
  bool chosen() const { return static_cast<bool>(*create); }
};

std::unique_ptr<AppsCommand> AddAppsCommand(CLI::App& app, Common& common);
int RunAppsCommand(AppsCommand& c, const Common& common, const Config& config, Store& store);

}  // namespace sluice::cli
