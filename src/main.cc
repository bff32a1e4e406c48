// The `sluice` command: wires each subcommand (src/cli/) to CLI11 and runs the one chosen.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/apps_command.h"
#include "cli/billing_command.h"
#include "cli/common.h"
#include "cli/demo_command.h"
#include "cli/import_command.h"
#include "cli/keys_command.h"
#include "cli/ledger_command.h"
#include "cli/projects_command.h"
#include "cli/seed_command.h"
#include "cli/serve_command.h"
#include "cli/trace_command.h"
#include "cli/users_command.h"
#include "cli/compliance_command.h"

int main(int argc, char** argv) {
  using namespace sluice;
  using namespace sluice::cli;
  CLI::App app{"sluice: an X API v2-compatible server that meters, licenses and records every post it delivers"};
  app.require_subcommand(1);
  spdlog::set_default_logger(spdlog::stderr_color_mt("sluice"));
  spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})", spdlog::pattern_time_type::utc);

  Common common;
  auto serve = AddServeCommand(app, common);
  auto demo = AddDemoCommand(app, common);
  auto seed = AddSeedCommand(app, common);
  auto import = AddImportCommand(app, common);
  auto apps = AddAppsCommand(app, common);
  auto billing = AddBillingCommands(app, common);
  auto ledger = AddLedgerCommand(app, common);
  auto trace = AddTraceCommand(app, common);
  auto keys = AddKeysCommand(app, common);
  auto projects = AddProjectsCommand(app, common);
  auto users = AddUsersCommand(app, common);
  auto compliance = AddComplianceCommands(app, *users->users, common);

  CLI11_PARSE(app, argc, argv);

  if (*ledger->cmd) return RunLedgerCommand(*ledger, common);

  auto config = LoadSettings(common);
  if (!config.ok()) return Fail(config.status());
  spdlog::set_level(spdlog::level::from_str(config->log.level));

  if (*trace->cmd) return RunTraceCommand(*trace, common, *config);
  if (*serve->cmd) return RunServeCommand(*serve, common, std::move(*config));
  if (*demo->cmd) return RunDemoCommand(*demo, common, std::move(*config));

  auto store = Open(common, *config);
  if (!store.ok()) return Fail(store.status());
  if (*seed->cmd) return RunSeedCommand(*seed, common, *config, **store);
  if (*import->cmd) return RunImportCommand(*import, **store);
  if (keys->chosen()) return RunKeysCommand(*keys, common, **store);
  if (projects->chosen()) return RunProjectsCommand(*projects, **store);
  if (billing->chosen()) return RunBillingCommand(*billing, common, *config, **store);
  if (apps->chosen()) return RunAppsCommand(*apps, common, *config, **store);
  if (compliance->chosen()) return RunComplianceCommand(*compliance, **store);
  if (users->chosen()) return RunUsersCommand(*users, **store);
  return 0;
}
