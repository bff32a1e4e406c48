// The `sluice` command: serve the API, seed and import data, manage apps.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>

#include "cli/billing_command.h"
#include "cli/common.h"
#include "cli/keys_command.h"
#include "cli/ledger_command.h"
#include "cli/serve.h"
#include "cli/trace_command.h"
#include "core/snowflake.h"
#include "ingest/import.h"

int main(int argc, char** argv) {
  using namespace sluice;
  using namespace sluice::cli;
  CLI::App app{"sluice: an X API v2-compatible server that meters, licenses and records every post it delivers"};
  app.require_subcommand(1);
  spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(spdlog::stderr_color_mt("sluice"));
  spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})", spdlog::pattern_time_type::utc);

  Common common;
  std::string listen, tls_cert, tls_key;

  // serve
  auto* serve = app.add_subcommand("serve", "serve the API");
  AddCommon(serve, common);
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)");
  serve->add_option("--tls-cert", tls_cert, "PEM certificate chain: serve HTTPS");
  serve->add_option("--tls-key", tls_key, "PEM private key");
  serve->add_option("--node-id", common.node_id, "snowflake node id, 0-1023")->check(CLI::Range(0, 1023));

  // demo
  auto* demo = app.add_subcommand("demo", "seed an empty data dir, create a demo app, serve, print a token and curl lines");
  AddCommon(demo, common);
  demo->add_option("--listen", listen, "HOST:PORT to listen on");

  // seed
  int64_t seed_users = 5000, seed_posts = 200000;
  uint64_t seed_value = 1;
  auto* seed = app.add_subcommand("seed", "add deterministic synthetic users and posts");
  AddCommon(seed, common);
  seed->add_option("--users", seed_users, "number of users")->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(10'000'000)));
  seed->add_option("--posts", seed_posts, "number of posts")->capture_default_str()->check(CLI::Range(int64_t(0), int64_t(100'000'000)));
  seed->add_option("--seed", seed_value, "random seed: the same seed gives the same data")->capture_default_str();

  // import
  std::string import_file;
  auto* import = app.add_subcommand("import", "import posts and users saved by an X API v2 client (JSONL); all or nothing");
  AddCommon(import, common);
  import->add_option("file", import_file, "JSONL file")->required();

  // apps create
  auto* apps = app.add_subcommand("apps", "manage API clients");
  apps->require_subcommand(1);
  auto* create = apps->add_subcommand("create", "create an app and print its bearer token (shown once) as JSON");
  AddCommon(create, common);
  NewApp new_app;
  std::string uses, project;
  create->add_option("--name", new_app.name, "app name")->required();
  create->add_option("--plan", new_app.plan, "plan: free, basic, pro, payg, enterprise, ... (docs/plans.md)")->capture_default_str();
  create->add_option("--project", project, "existing project id (default: a new project)");
  create->add_option("--use", uses, "declared uses, comma-separated: search,display,analytics,ai-input,ai-train (default: the plan's uses except ai-input, ai-train)");

  auto billing = AddBillingCommands(app, common);
  auto ledger = AddLedgerCommand(app, common);
  auto trace = AddTraceCommand(app, common);
  auto keys = AddKeysCommand(app, common);

  CLI11_PARSE(app, argc, argv);

  if (*ledger->cmd) return RunLedgerCommand(*ledger, common);

  auto config = LoadSettings(common);
  if (!config.ok()) return Fail(config.status());
  if (!listen.empty()) config->server.listen = listen;
  if (!tls_cert.empty() || !tls_key.empty()) {
    if (tls_cert.empty() || tls_key.empty()) return Fail(CommandError("--tls-cert and --tls-key go together"));
    config->server.tls_cert = tls_cert;
    config->server.tls_key = tls_key;
  }
  spdlog::set_level(spdlog::level::from_str(config->log.level));

  if (*trace->cmd) return RunTraceCommand(*trace, common, *config);
  if (*serve) {
    auto store = Open(common, *config);  // creates and migrates once, before workers open theirs
    if (!store.ok()) return Fail(store.status());
    store->reset();
    return Serve(*config, common, false, {});
  }

  auto store = Open(common, *config);
  if (!store.ok()) return Fail(store.status());
  // Commands other than the server make ids as the last node id, so that an `apps create`
  // next to a running server (node 0 by default) can never make the same id in the same ms.
  SnowflakeGenerator ids(SystemClock::Instance(), common.node_id >= 0 ? common.node_id : kMaxNodeId);

  if (*demo) {
    auto posts = (*store)->CountPosts();
    if (!posts.ok()) return Fail(posts.status());
    if (*posts == 0) {
      std::fprintf(stderr, "seeding a demo data set in %s (5,000 users, 200,000 posts)...\n", common.data.c_str());
      if (Status s = Seed(**store, 5000, 200000, 1, config->node_id); !s.ok()) return Fail(s);
    }
    NewApp a;
    a.name = "sluice demo";
    a.plan = "pro";
    auto plans = LoadPlans(*config);
    if (!plans.ok()) return Fail(plans.status());
    auto created = CreateApp(**store, ids, SystemClock::Instance(), *plans, a);
    if (!created.ok()) return Fail(created.status());
    auto sample = PickDemoSample(**store, created->bearer_token);
    if (!sample.ok()) return Fail(sample.status());
    store->reset();
    return Serve(*config, common, true, *sample);
  }
  if (*seed) {
    if (Status s = Seed(**store, seed_users, seed_posts, seed_value, config->node_id); !s.ok()) return Fail(s);
    std::printf("seeded %lld users and %lld posts into %s\n", (long long)seed_users, (long long)seed_posts, common.data.c_str());
    return 0;
  }
  if (*import) {
    std::ifstream in(import_file, std::ios::binary);
    if (!in) return Fail(CommandError(import_file + ": cannot read file"));
    auto batch = ImportJsonl(in, import_file);
    if (!batch.ok()) return Fail(batch.status());
    if (Status s = (*store)->Apply(*batch); !s.ok()) return Fail(CommandError(import_file + ": " + s.message()));
    std::printf("imported %zu users and %zu posts from %s\n", batch->users.size(), batch->posts.size(), import_file.c_str());
    return 0;
  }
  if (keys->chosen()) return RunKeysCommand(*keys, common, **store);
  if (billing->chosen()) return RunBillingCommand(*billing, common, *config, **store);
  if (*create) {
    if (!uses.empty()) new_app.uses = SplitList(uses);
    if (!project.empty()) {
      char* end = nullptr;
      long long id = std::strtoll(project.c_str(), &end, 10);
      if (*end || id <= 0) return Fail(CommandError("--project " + project + ": not a project id"));
      new_app.project_id = id;
    }
    auto plans = LoadPlans(*config);
    if (!plans.ok()) return Fail(plans.status());
    auto created = CreateApp(**store, ids, SystemClock::Instance(), *plans, new_app);
    if (!created.ok()) return Fail(created.status());
    std::printf("%s\n", AppJson(*created).c_str());
    return 0;
  }
  return 0;
}
