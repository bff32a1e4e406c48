// The `sluice` command: serve the API, seed and import data, manage apps.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "access/apps.h"
#include "core/config.h"
#include "core/json_writer.h"
#include "core/snowflake.h"
#include "core/time_format.h"
#include "http/server.h"
#include "ingest/import.h"
#include "ingest/seed.h"
#include "ledger/ledger.h"
#include "ledger/tools.h"
#include "api/usage.h"
#include "billing/invoice.h"
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
  cmd->add_option("--config", c.config_file, "TOML config file (see config/sluice.example.toml): plans, ledger, ...");
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

Result<Plans> LoadPlans(const Config& config) {
  if (config.plans_file.empty()) return Plans::Defaults();
  return Plans::Load(config.plans_file);
}

std::string LedgerDir(const Common& c) { return (std::filesystem::path(c.data) / "ledger").string(); }

Result<std::unique_ptr<Ledger>> OpenLedger(const Config& config, const Common& c) {
  LedgerOptions o;
  o.dir = LedgerDir(c);
  o.sync = config.ledger.sync == "always" ? LedgerSync::kAlways : LedgerSync::kInterval;
  o.sync_interval_ms = config.ledger.sync_interval_ms;
  o.segment_bytes = uint64_t(config.ledger.segment_bytes);
  o.origin = config.ledger.origin;
  o.checkpoint_every_records = uint64_t(config.ledger.checkpoint_every_records);
  o.checkpoint_every_ms = config.ledger.checkpoint_every_ms;
  return Ledger::Open(o);
}

void ScanProgress(uint64_t done, uint64_t total) {
  static const bool tty = isatty(2);
  if (!tty || total == 0) return;
  std::fprintf(stderr, "\rscanning the ledger: %3d%% (%llu of %llu MB)", int(100 * done / total),
               (unsigned long long)(done >> 20), (unsigned long long)(total >> 20));
  if (done >= total) std::fprintf(stderr, "\n");
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
  // Before any thread exists (the ledger's among them): SIGINT/SIGTERM wait, pending, until
  // the server's handler takes them, so a signal right after start drains instead of killing.
  BlockStopSignals();
  auto plans = LoadPlans(config);
  if (!plans.ok()) return Fail(plans.problem());
  auto ledger = OpenLedger(config, c);
  if (!ledger.ok()) return Fail(ledger.problem());
  // Caps and credits are the ledger's summary: rebuilt from it, so they survive a crash.
  UsageMeter meter(SystemClock::Instance());
  {
    auto store = OpenStore({config.store_url, c.data, false});
    if (!store.ok()) return Fail(store.problem());
    if (Status s = RebuildUsage(LedgerDir(c), **store, *plans, meter, nullptr); !s.ok()) return Fail(s.problem());
  }
  Server server(config, [&] { return OpenStore({config.store_url, c.data, false}); }, {ledger->get(), &*plans, &meter});
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
  if (Status s = (*ledger)->Close(); !s.ok()) return Fail(s.problem());
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

  // credits, usage, invoice
  std::string usd, month, format = "json";
  Id billing_project = 0;
  auto* credits = app.add_subcommand("credits", "prepaid pay-per-use credits");
  credits->require_subcommand(1);
  auto* credits_add = credits->add_subcommand("add", "add prepaid credits to a project");
  AddCommon(credits_add, common);
  credits_add->add_option("--project", billing_project, "project id")->required();
  credits_add->add_option("--usd", usd, "amount in US dollars, e.g. 25 or 12.50")->required();
  auto* usage = app.add_subcommand("usage", "a project's usage: posts read and written per day, from the ledger");
  AddCommon(usage, common);
  usage->add_option("--project", billing_project, "project id")->required();
  usage->add_option("--month", month, "YYYY-MM (default: the current month)");
  auto* invoice = app.add_subcommand("invoice", "a project's invoice for a month, from the ledger");
  AddCommon(invoice, common);
  invoice->add_option("--project", billing_project, "project id")->required();
  invoice->add_option("--month", month, "YYYY-MM")->required();
  invoice->add_option("--format", format, "json or csv")->check(CLI::IsMember({"json", "csv"}))->capture_default_str();

  // ledger
  auto* ledger_cmd = app.add_subcommand("ledger", "the evidence ledger: verify, prove and export deliveries");
  ledger_cmd->require_subcommand(1);
  std::string ledger_data = "./sluice-data", proof_file, pubkey_text, from_time, to_time;
  Id ledger_app = 0, ledger_post = 0;
  uint64_t from_size = 0, to_size = 0;
  auto ledger_data_option = [&](CLI::App* c) { c->add_option("--data", ledger_data, "data directory")->capture_default_str(); };
  auto* verify = ledger_cmd->add_subcommand("verify", "recompute every hash and CRC, check every signed checkpoint");
  ledger_data_option(verify);
  auto* checkpoint = ledger_cmd->add_subcommand("checkpoint", "sign a checkpoint of the ledger now (server stopped)");
  ledger_data_option(checkpoint);
  checkpoint->add_option("--config", common.config_file, "TOML config file (ledger.origin)");
  auto* prove = ledger_cmd->add_subcommand("prove", "JSON: every record in which an app received a post, with proofs");
  ledger_data_option(prove);
  prove->add_option("--app", ledger_app, "app id")->required();
  prove->add_option("--post", ledger_post, "post id")->required();
  auto* consistency = ledger_cmd->add_subcommand("consistency", "JSON: the consistency proof between two tree sizes");
  ledger_data_option(consistency);
  consistency->add_option("--from", from_size, "older tree size")->required();
  consistency->add_option("--to", to_size, "newer tree size")->required();
  auto* pubkey = ledger_cmd->add_subcommand("pubkey", "print the verifier key of the ledger's checkpoints");
  ledger_data_option(pubkey);
  auto* exporter = ledger_cmd->add_subcommand("export", "the records of an app as JSON lines");
  ledger_data_option(exporter);
  exporter->add_option("--app", ledger_app, "app id (0: every app)")->required();
  exporter->add_option("--from", from_time, "from this time (RFC 3339), inclusive");
  exporter->add_option("--to", to_time, "to this time (RFC 3339), exclusive");
  auto* check = ledger_cmd->add_subcommand("check-proof", "check a `ledger prove` file with only the verifier key");
  check->add_option("file", proof_file, "the JSON written by `sluice ledger prove`")->required();
  check->add_option("--pubkey", pubkey_text, "the verifier key (`sluice ledger pubkey`)")->required();

  CLI11_PARSE(app, argc, argv);

  if (*ledger_cmd) {
    common.data = ledger_data;
    std::string dir = LedgerDir(common);
    if (*verify) {
      auto report = VerifyLedger(dir, ScanProgress);
      if (!report.ok()) return Fail(report.problem());
      std::printf("ledger OK: %llu records in %llu segments, %llu signed checkpoints verified\n",
                  (unsigned long long)report->records, (unsigned long long)report->segments,
                  (unsigned long long)report->checkpoints);
      return 0;
    }
    if (*check) {
      auto summary = CheckProofFile(proof_file, pubkey_text);
      if (!summary.ok()) return Fail(summary.problem());
      std::printf("%s\n", summary->c_str());
      return 0;
    }
    if (*pubkey) {
      auto key = LedgerPublicKey(dir);
      if (!key.ok()) return Fail(key.problem());
      std::printf("%s\n", key->c_str());
      return 0;
    }
    if (*prove) {
      auto json = ProveDelivery(dir, ledger_app, ledger_post, ScanProgress);
      if (!json.ok()) return Fail(json.problem());
      std::printf("%s\n", json->c_str());
      return 0;
    }
    if (*consistency) {
      auto json = ConsistencyJson(dir, from_size, to_size);
      if (!json.ok()) return Fail(json.problem());
      std::printf("%s\n", json->c_str());
      return 0;
    }
    if (*exporter) {
      std::optional<TimeMs> from, to;
      if (!from_time.empty() && !(from = ParseTime(from_time))) return Fail(CommandError("--from " + from_time + ": not an RFC 3339 time"));
      if (!to_time.empty() && !(to = ParseTime(to_time))) return Fail(CommandError("--to " + to_time + ": not an RFC 3339 time"));
      Status s = ExportRecords(dir, ledger_app, from, to, std::cout, ScanProgress);
      std::cout.flush();
      return s.ok() ? 0 : Fail(s.problem());
    }
    if (*checkpoint) {
      auto config = LoadSettings(common);
      if (!config.ok()) return Fail(config.problem());
      auto ledger = OpenLedger(*config, common);
      if (!ledger.ok()) return Fail(ledger.problem());
      auto note = (*ledger)->Checkpoint();
      if (!note.ok()) return Fail(note.problem());
      if (Status s = (*ledger)->Close(); !s.ok()) return Fail(s.problem());
      std::fputs(note->c_str(), stdout);
      return 0;
    }
  }

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
    auto plans = LoadPlans(*config);
    if (!plans.ok()) return Fail(plans.problem());
    auto created = CreateApp(**store, ids, SystemClock::Instance(), *plans, a);
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
  if (*credits_add) {
    auto micro = ParseUsd(usd);
    if (!micro || *micro <= 0) return Fail(CommandError("--usd " + usd + ": a positive amount like 25 or 12.50 (at most 6 decimals)"));
    auto project = (*store)->GetProject(billing_project);
    if (!project.ok()) return Fail(project.problem());
    if (!project->has_value()) return Fail(CommandError("project " + std::to_string(billing_project) + " does not exist"));
    if (Status s = (*store)->AddCredits(billing_project, *micro, SystemClock::Instance().NowMs()); !s.ok()) return Fail(s.problem());
    auto all = (*store)->Credits(billing_project);
    MicroUsd added = 0;
    for (const auto& c : *all) added += c.micro_usd;
    std::printf("{\"project_id\":\"%lld\",\"added_usd\":\"%s\",\"credits_added_total_micro_usd\":%lld}\n",
                (long long)billing_project, usd.c_str(), (long long)added);
    return 0;
  }
  if (*usage || *invoice) {
    auto project = (*store)->GetProject(billing_project);
    if (!project.ok()) return Fail(project.problem());
    if (!project->has_value()) return Fail(CommandError("project " + std::to_string(billing_project) + " does not exist"));
    auto plans = LoadPlans(*config);
    if (!plans.ok()) return Fail(plans.problem());
    const Plan* plan = plans->Find((*project)->plan);
    if (!plan) return Fail(CommandError("project " + std::to_string(billing_project) + " has no app, so no plan"));
    if (month.empty()) month = FormatDate(SystemClock::Instance().NowMs()).substr(0, 7);
    auto range = MonthRange(month);
    if (!range.ok()) return Fail(range.problem());
    UsageMeter meter(SystemClock::Instance());
    if (Status s = RebuildUsage(LedgerDir(common), **store, *plans, meter, ScanProgress); !s.ok()) return Fail(s.problem());
    auto days = meter.Days(billing_project, range->first, range->second);
    if (*usage) {
      JsonWriter w;
      w.BeginObject();
      w.MemberId("project_id", billing_project);
      w.Member("month", month);
      w.Member("plan", plan->name);
      w.MemberInt("cap_reset_day", (*project)->cap_reset_day);
      int64_t read = 0, written = 0;
      w.Key("days");
      w.BeginArray();
      for (const auto& d : days) {
        w.BeginObject();
        w.Member("date", FormatDate(d.day));
        w.MemberInt("posts_read", d.posts_read);
        w.MemberInt("users_read", d.users_read);
        w.MemberInt("posts_written", d.posts_written);
        w.MemberInt("spent_micro_usd", d.spent);
        w.EndObject();
        read += d.posts_read;
        written += d.posts_written;
      }
      w.EndArray();
      w.MemberInt("posts_read", read);
      w.MemberInt("posts_written", written);
      w.EndObject();
      std::printf("%s\n", w.str().c_str());
      return 0;
    }
    // Credits that could pay this month: added before its end, minus what earlier months spent.
    auto entries = (*store)->Credits(billing_project);
    if (!entries.ok()) return Fail(entries.problem());
    MicroUsd available = 0;
    for (const auto& c : *entries)
      if (c.added_at < range->second) available += c.micro_usd;
    for (const auto& d : meter.Days(billing_project, 0, range->first)) available -= d.spent;
    Invoice inv = BuildInvoice(billing_project, month, *plan, days, available);
    std::fputs((format == "csv" ? InvoiceCsv(inv) : InvoiceJson(inv) + "\n").c_str(), stdout);
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
    auto plans = LoadPlans(*config);
    if (!plans.ok()) return Fail(plans.problem());
    auto created = CreateApp(**store, ids, SystemClock::Instance(), *plans, new_app);
    if (!created.ok()) return Fail(created.problem());
    std::printf("%s\n", AppJson(*created).c_str());
    return 0;
  }
  return 0;
}
