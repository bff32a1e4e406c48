// The `sluice` command: serve the API, seed and import data, manage apps.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "access/apps.h"
#include "core/config.h"
#include "core/json_writer.h"
#include "core/snowflake.h"
#include "http/server.h"
#include "ingest/import.h"
#include "ingest/seed.h"
#include "store/store.h"

namespace sluice {
namespace {

struct Common {
  std::string data = "./sluice-data";
  std::string store_url;
  std::string config_file;
  int node_id = -1;
};

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--data", c.data, "data directory")->capture_default_str();
  cmd->add_option("--store", c.store_url, "store URL: sqlite (default, in --data) or sqlite:///path/file.db");
}

int Fail(const Problem& p) {
  std::fprintf(stderr, "sluice: %s\n", p.detail.c_str());
  return 1;
}

Result<Config> LoadSettings(const Common& c) {
  Config config;
  if (!c.config_file.empty()) {
    auto loaded = LoadConfig(c.config_file);
    if (!loaded.ok()) return loaded.problem();
    config = std::move(*loaded);
  }
  if (!c.store_url.empty()) config.store_url = c.store_url;
  if (c.node_id >= 0) config.node_id = c.node_id;
  return config;
}

Result<std::unique_ptr<Store>> Open(const Common& c, const Config& config) {
  return OpenStore({config.store_url, c.data, true});
}

// A progress bar on a terminal; nothing when stderr is a pipe.
void Progress(const char* what, int64_t done, int64_t total) {
  static const bool tty = isatty(2);
  if (!tty || total <= 0) return;
  int width = 40, filled = int(width * done / total);
  std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld", what, filled, "########################################", width - filled,
               "", (long long)done, (long long)total);
  if (done >= total) std::fprintf(stderr, "\n");
}

Status Seed(Store& store, int64_t users, int64_t posts, uint64_t seed, int node_id) {
  SeedOptions o;
  o.users = users;
  o.posts = posts;
  o.seed = seed;
  o.now = SystemClock::Instance().NowMs();
  o.node_id = node_id;
  return GenerateSeed(
      o, [&](WriteBatch&& batch) { return store.Apply(batch); },
      [](int64_t done, int64_t total) { Progress("seeding", done, total); });
}

std::string AppJson(const CreatedApp& c) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("app_id", c.app.id);
  w.MemberId("project_id", c.app.project_id);
  w.Member("plan", c.app.plan);
  w.Key("uses");
  w.BeginArray();
  for (const auto& u : c.app.uses) w.String(u);
  w.EndArray();
  w.Member("bearer_token", c.bearer_token);
  w.EndObject();
  return w.Take();
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    std::string item = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!item.empty()) out.push_back(item);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

// What `sluice demo` shows in its curl lines: its token, a recent post and its author.
struct DemoSample {
  std::string token;
  Id post_id = 0;
  Id author_id = 0;
};

Result<DemoSample> PickDemoSample(Store& store, std::string token) {
  auto query = ParseSearchQuery("the OR le OR la");
  if (!query.ok()) return query.problem();
  PageRequest page;
  page.limit = 1;
  auto posts = store.Search(*query, page);
  if (!posts.ok()) return posts.problem();
  if (posts->empty()) return CommandError("the demo data set has no posts to show");
  return DemoSample{std::move(token), posts->front().post.id, posts->front().post.author_id};
}

int Serve(Config config, const Common& c, bool demo_banner, const DemoSample& demo) {
  Server server(config, [&] { return OpenStore({config.store_url, c.data, false}); });
  auto port = server.Start();
  if (!port.ok()) return Fail(port.problem());
  std::string scheme = config.server.tls_cert.empty() ? "http" : "https";
  std::string host = config.server.listen.substr(0, config.server.listen.rfind(':'));
  std::string base = scheme + "://" + host + ":" + std::to_string(*port);
  // Tests read this line to find the port.
  std::printf("sluice listening on %s\n", base.c_str());
  if (demo_banner) {
    const DemoSample& d = demo;
    std::printf("\nBearer token of the demo app (plan pro): %s\n\nTry:\n", d.token.c_str());
    std::printf("  curl -s -H 'Authorization: Bearer %s' '%s/2/tweets/%lld?tweet.fields=created_at,author_id,entities&expansions=author_id'\n",
                d.token.c_str(), base.c_str(), (long long)d.post_id);
    std::printf("  curl -s -H 'Authorization: Bearer %s' '%s/2/tweets/search/recent?query=%%23ia%%20OR%%20%%23ai%%20-is:retweet&max_results=10&expansions=author_id'\n",
                d.token.c_str(), base.c_str());
    std::printf("  curl -s -H 'Authorization: Bearer %s' '%s/2/users/%lld/tweets?max_results=5&tweet.fields=created_at,public_metrics'\n",
                d.token.c_str(), base.c_str(), (long long)d.author_id);
    std::printf("\nCtrl-C stops the server.\n");
  }
  std::fflush(stdout);
  server.Run(true);
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
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
  serve->add_option("--config", common.config_file, "TOML config file (see config/sluice.example.toml)");
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
  create->add_option("--plan", new_app.plan, "plan: free, basic, pro, enterprise, ...")->capture_default_str();
  create->add_option("--project", project, "existing project id (default: a new project)");
  create->add_option("--use", uses, "declared uses, comma-separated: search,display,analytics,ai-input,ai-train");

  CLI11_PARSE(app, argc, argv);

  auto config = LoadSettings(common);
  if (!config.ok()) return Fail(config.problem());
  if (!listen.empty()) config->server.listen = listen;
  if (!tls_cert.empty() || !tls_key.empty()) {
    if (tls_cert.empty() || tls_key.empty()) return Fail(CommandError("--tls-cert and --tls-key go together"));
    config->server.tls_cert = tls_cert;
    config->server.tls_key = tls_key;
  }
  spdlog::set_level(spdlog::level::from_str(config->log.level));

  if (*serve) {
    auto store = Open(common, *config);  // creates and migrates once, before workers open theirs
    if (!store.ok()) return Fail(store.problem());
    store->reset();
    return Serve(*config, common, false, {});
  }

  auto store = Open(common, *config);
  if (!store.ok()) return Fail(store.problem());
  // Commands other than the server make ids as the last node id, so that an `apps create`
  // next to a running server (node 0 by default) can never make the same id in the same ms.
  SnowflakeGenerator ids(SystemClock::Instance(), common.node_id >= 0 ? common.node_id : kMaxNodeId);

  if (*demo) {
    auto posts = (*store)->CountPosts();
    if (!posts.ok()) return Fail(posts.problem());
    if (*posts == 0) {
      std::fprintf(stderr, "seeding a demo data set in %s (5,000 users, 200,000 posts)...\n", common.data.c_str());
      if (Status s = Seed(**store, 5000, 200000, 1, config->node_id); !s.ok()) return Fail(s.problem());
    }
    NewApp a;
    a.name = "sluice demo";
    a.plan = "pro";
    auto created = CreateApp(**store, ids, SystemClock::Instance(), a);
    if (!created.ok()) return Fail(created.problem());
    auto sample = PickDemoSample(**store, created->bearer_token);
    if (!sample.ok()) return Fail(sample.problem());
    store->reset();
    return Serve(*config, common, true, *sample);
  }
  if (*seed) {
    if (Status s = Seed(**store, seed_users, seed_posts, seed_value, config->node_id); !s.ok()) return Fail(s.problem());
    std::printf("seeded %lld users and %lld posts into %s\n", (long long)seed_users, (long long)seed_posts, common.data.c_str());
    return 0;
  }
  if (*import) {
    std::ifstream in(import_file, std::ios::binary);
    if (!in) return Fail(CommandError(import_file + ": cannot read file"));
    auto batch = ImportJsonl(in, import_file);
    if (!batch.ok()) return Fail(batch.problem());
    if (Status s = (*store)->Apply(*batch); !s.ok()) return Fail(CommandError(import_file + ": " + s.message()));
    std::printf("imported %zu users and %zu posts from %s\n", batch->users.size(), batch->posts.size(), import_file.c_str());
    return 0;
  }
  if (*create) {
    if (!uses.empty()) new_app.uses = SplitList(uses);
    if (!project.empty()) {
      char* end = nullptr;
      long long id = std::strtoll(project.c_str(), &end, 10);
      if (*end || id <= 0) return Fail(CommandError("--project " + project + ": not a project id"));
      new_app.project_id = id;
    }
    auto created = CreateApp(**store, ids, SystemClock::Instance(), new_app);
    if (!created.ok()) return Fail(created.problem());
    std::printf("%s\n", AppJson(*created).c_str());
    return 0;
  }
  return 0;
}
