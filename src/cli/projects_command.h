#pragma once
//! `sluice projects console-key --data DIR --project ID`: a new console key for a project (the
//! developer portal's sign-in, docs/admin-api.md), printed once as JSON; the old key and every
//! portal session made with it are refused from then on.

#include <memory>

#include "cli/common.h"

namespace sluice::cli {

struct ProjectsCommand {
  CLI::App *projects = nullptr, *console_key = nullptr;
  Id project_id = 0;
  bool chosen() const { return bool(*console_key); }
};

std::unique_ptr<ProjectsCommand> AddProjectsCommand(CLI::App& app, Common& common);
int RunProjectsCommand(ProjectsCommand& c, Store& store);

}  // namespace sluice::cli
