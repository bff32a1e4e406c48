#pragma once
//! `sluice apps create`: create an app (in a new project or --project) and print its bearer
//! token and OAuth 2.0 client secret (none for --public-client), shown once, as JSON. `sluice apps redirect-uris --app ID
//! [--add URI]... [--remove URI]...`: change an app's redirect URIs and print them as JSON.

#include <memory>
#include <string>

#include "access/apps.h"
#include "cli/common.h"

namespace sluice::cli {

struct AppsCommand {
  CLI::App *apps = nullptr, *create = nullptr, *redirect_uris = nullptr;
  NewApp app;
  std::string uses, project;
  Id app_id = 0;  // redirect-uris
  std::vector<std::string> add, remove;
  bool chosen() const { return *create || *redirect_uris; }
};

std::unique_ptr<AppsCommand> AddAppsCommand(CLI::App& app, Common& common);
int RunAppsCommand(AppsCommand& c, const Common& common, const Config& config, Store& store);

}  // namespace sluice::cli
