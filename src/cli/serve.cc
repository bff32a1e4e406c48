#include "cli/serve.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <chrono>
#include <filesystem>

#include "access/account_sessions.h"
#include "access/portal_sessions.h"
#include "access/redis_counters.h"
#include "access/revocations.h"
#include "access/usage_meter.h"
#include "api/admin.h"
#include "api/admin_evidence.h"
#include "api/oauth_server.h"
#include "api/portal_files.h"
#include "api/compliance_feed.h"
#include "api/stream_hub.h"
#include "api/stream_slots.h"
#include "api/trap_injector.h"
#include "api/usage.h"
#include "api/usage_snapshot.h"
#include "api/write_intents.h"
#include "http/server.h"
#include "ingest/seed.h"
#include "provenance/trace_runs.h"

namespace sluice::cli {

Status Seed(Store& store, int64_t users, int64_t posts, uint64_t seed, int node_id) {
  SeedOptions o;
  o.users = users;
  o.posts = posts;
  o.seed = seed;
  o.now = SystemClock::Instance().NowMs();
  o.node_id = node_id;
  if (Status s = GenerateSeed(
          o, [&](WriteBatch&& batch) { return store.Apply(batch); },
          [](int64_t done, int64_t total) { Progress("seeding", done, total); });
      !s.ok())
    return s;
  return store.AfterBulkLoad();
}

Result<DemoSample> PickDemoSample(Store& store, std::string token) {
  auto query = ParseSearchQuery("the OR le OR la");
  if (!query.ok()) return query.status();
  PageRequest page;
  page.limit = 1;
  auto posts = store.Search(*query, page);
  if (!posts.ok()) return posts.status();
  if (posts->empty()) return CommandError("the demo data set has no posts to show");
  return DemoSample{std::move(token), posts->front().post.id, posts->front().post.author_id};
}

std::string AdminTokenPath(const Config& config, const Common& c) {
  return config.admin.token_file.empty() ? (std::filesystem::path(c.data) / "admin.token").string() : config.admin.token_file;
}

namespace {

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int Serve(Config config, const Common& c, bool demo_banner, const DemoSample& demo) {
  // Before any thread exists (the ledger's among them): SIGINT/SIGTERM wait, pending, until
  // the server's handler takes them, so a signal right after start drains instead of killing.
  BlockStopSignals();
  const int pool_size = StorePoolSize(config);
  auto plans = LoadPlans(config);
  if (!plans.ok()) return Fail(plans.status());
  // Usage snapshots are written with the ledger's checkpoints (from its Open on), from a meter
  // of their own; they are what makes start-up read only the records after the last one.
  auto origin = LedgerOrigin(config, LedgerDir(c), /*serving=*/true);
  if (!origin.ok()) return Fail(origin.status());
  std::unique_ptr<UsageSnapshots> snapshots;
  if (config.metering.enabled)
    snapshots = std::make_unique<UsageSnapshots>(
        UsageSnapshots::Options{LedgerDir(c), *origin, config.ledger.usage_snapshot_every_ms});
  std::function<void(const Checkpoint&)> on_checkpoint;
  if (snapshots) on_checkpoint = [s = snapshots.get()](const Checkpoint& cp) { s->CheckpointWritten(cp); };
  const auto opening = std::chrono::steady_clock::now();
  auto ledger = OpenLedger(config, c, false, std::move(on_checkpoint), /*serving=*/true);
  if (!ledger.ok()) return Fail(ledger.status());
  spdlog::info("ledger opened: {} records in {:.2f} s", (*ledger)->DurableSize(), SecondsSince(opening));
  // Writes noted but not applied when the last run stopped (kill -9) are settled by the
  // ledger, now that its torn tail is cut: a write takes effect only with its record.
  {
    // create: also brings a store made by an older sluice up to the current schema (its
    // write_intents table), before any worker opens its own connection.
    auto store = OpenStore({config.store_url, c.data, true, pool_size});
    if (!store.ok()) return Fail(store.status());
    auto settled = ReconcileWrites(LedgerDir(c), **store);
    if (!settled.ok()) return Fail(settled.status());
    if (settled->applied + settled->dropped > 0)
      spdlog::warn("writes left by the last run: {} applied (their ledger record is durable), {} dropped (no record: never acknowledged)",
                   settled->applied, settled->dropped);
  }
  // Caps and credits are the ledger's summary: rebuilt from it, so they survive a crash.
  UsageMeter meter(SystemClock::Instance());
  if (!config.metering.enabled) {
    spdlog::warn("metering.enabled = false: no rate limits, caps or credits (for benchmarks); the ledger still records");
  } else {
    auto store = OpenStore({config.store_url, c.data, false, pool_size});
    if (!store.ok()) return Fail(store.status());
    const auto restoring = std::chrono::steady_clock::now();
    auto restored = snapshots->Start(std::move(*store), *plans, meter);
    if (!restored.ok()) return Fail(restored.status());
    if (restored->snapshot_size > 0)
      spdlog::info("usage restored in {:.2f} s: the snapshot of {} records, then {} records after it",
                   SecondsSince(restoring), restored->snapshot_size, restored->replayed);
    else
      spdlog::info("usage rebuilt in {:.2f} s from {} records (no usage snapshot)", SecondsSince(restoring),
                   restored->replayed);
  }
  std::unique_ptr<TrapInjector> traps;
  if (config.traps.enabled) {
    auto secret = TrapInjector::LoadOrCreateSecret((std::filesystem::path(c.data) / "traps.secret").string());
    if (!secret.ok()) return Fail(secret.status());
    auto store = OpenStore({config.store_url, c.data, false, pool_size});
    if (!store.ok()) return Fail(store.status());
    const auto started = std::chrono::steady_clock::now();
    auto model = TrapInjector::ModelFromStore(**store);
    if (!model.ok()) return Fail(model.status());
    std::string langs;
    for (const auto& lang : model->Languages()) langs += fmt::format(" {} {}", lang, model->Posts(lang));
    spdlog::info("trap text model:{} posts, {:.1f} MB, built in {:.2f} s", langs, model->MemoryBytes() / 1e6,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (model->empty()) spdlog::warn("no language has enough original posts for trap texts: pages carry no trap");
    traps = std::make_unique<TrapInjector>(std::move(*secret), config.traps.every_posts, std::move(*model));
  }
  auto revocations = RevocationGeneration::Open(c.data);
  if (!revocations.ok()) return Fail(revocations.status());
  // Shared counters: every node's admissions in one Redis; this node's limiter is the
  // fallback of on_backend_failure = "open" and its meter mirrors what Redis admits.
  RateLimiter fallback_limiter(SystemClock::Instance());
  std::unique_ptr<RedisCounters> shared;
  if (!config.limits.url.empty() && config.metering.enabled) {
    RedisCountersOptions o;
    if (Status s = ParseRedisUrl(config.limits.url, o.redis); !s.ok()) return Fail(s);
    o.redis.connections = int(config.limits.connections);
    o.redis.timeout_ms = config.limits.timeout_ms;
    o.redis.probe_interval_ms = config.limits.probe_interval_ms;
    o.fail_open = config.limits.on_backend_failure == "open";
    o.nodes = int(config.limits.nodes);
    o.node_id = config.node_id;
    o.fast = config.limits.mode == "fast";
    o.lease_percent = int(config.limits.lease_percent);
    shared = std::make_unique<RedisCounters>(std::move(o), fallback_limiter, meter);
    spdlog::info("limits: shared in {} (on backend failure: {}, {} node(s), {} mode)", config.limits.url,
                 config.limits.on_backend_failure, config.limits.nodes, config.limits.mode);
  }
  if (!shared && config.limits.mode == "fast")
    spdlog::warn("limits.mode = \"fast\" applies to limits shared in Redis (limits.url or --limits): this node counts alone");
  // The authorization server (docs/oauth.md): its session key, and the operator's assertion key.
  std::string session_key_path = config.oauth.session_key_file.empty()
                                     ? (std::filesystem::path(c.data) / "oauth-session.key").string()
                                     : config.oauth.session_key_file;
  auto session_key = SessionKey::LoadOrCreate(session_key_path);
  if (!session_key.ok()) return Fail(session_key.status());
  std::optional<AssertionKey> assertions;
  if (!config.oauth.assertion_key_file.empty()) {
    auto key = AssertionKey::Load(config.oauth.assertion_key_file);
    if (!key.ok()) return Fail(key.status());
    assertions = *key;
  }
  OAuthServer oauth(SystemClock::Instance(), {*session_key, assertions, revocations->get(), !config.server.tls_cert.empty()});
  // The admin API (docs/admin-api.md): its token, and portal sessions signed with the same key.
  auto admin_token = LoadOrCreateAdminToken(AdminTokenPath(config, c));
  if (!admin_token.ok()) return Fail(admin_token.status());
  AdminApi admin({*admin_token, *session_key, revocations->get(), !config.server.tls_cert.empty(), LedgerDir(c)});
  // Streams: on a store shared by nodes, every node's hub learns of posts from the store's
  // change feed (on its own connection and store); on SQLite, from this server's writes.
  StreamHub streams;
  std::unique_ptr<Store> feed_store;
  std::unique_ptr<ChangeFeed> feed;
  {
    auto probe = OpenStore({config.store_url, c.data, false, pool_size});
    if (!probe.ok()) return Fail(probe.status());
    if (Status s = streams.RefreshRules(**probe); !s.ok()) return Fail(s);
    if ((*probe)->SharedByNodes()) {
      feed_store = std::move(*probe);
      auto listening = feed_store->ListenForPostChanges(
          [&streams, store = feed_store.get()](const PostChange& change) { streams.Announce(*store, change); });
      if (!listening.ok()) return Fail(listening.status());
      feed = std::move(*listening);
    }
  }
  // Several nodes: the plan's stream connections count across them, through slots in the store.
  std::unique_ptr<StreamSlots> slots;
  if (feed_store) {
    auto store = OpenStore({config.store_url, c.data, false, pool_size});
    if (!store.ok()) return Fail(store.status());
    auto started = StreamSlots::Start(std::move(*store), SystemClock::Instance(),
                                      {int(config.node_id), config.server.stream_slot_lease_ms});
    if (!started.ok()) return Fail(started.status());
    slots = std::move(*started);
    streams.UseSlots(slots.get());
  }
  // Compliance events an operator notes (`sluice users suspend`, ...), from any process or node.
  std::unique_ptr<ComplianceFeed> compliance_feed;
  {
    auto store = OpenStore({config.store_url, c.data, false, pool_size});
    if (!store.ok()) return Fail(store.status());
    auto started = ComplianceFeed::Start(std::move(*store), streams);
    if (!started.ok()) return Fail(started.status());
    compliance_feed = std::move(*started);
  }
  // The admin API's ledger and trace runs (api/admin_evidence.h): trace runs kept in DATA/traces.
  SnowflakeGenerator trace_ids(SystemClock::Instance(), config.node_id);
  auto traces = TraceRuns::Open({(std::filesystem::path(c.data) / "traces").string(), LedgerDir(c), ledger->get(),
                                 [&] { return OpenStore({config.store_url, c.data, false, pool_size}); },
                                 &SystemClock::Instance(), &trace_ids, int(config.traces.threads)});
  if (!traces.ok()) return Fail(traces.status());
  auto evidence = std::make_unique<AdminEvidence>(
      SystemClock::Instance(),
      AdminEvidence::Options{LedgerDir(c), *origin, ledger->get(), traces->get(), config.traces.upload_max_bytes});
  // The portal's files (docs/portal.md), read once now: [portal] dir, else the installed or the
  // source tree's web/dist. A set dir that cannot be read stops the start; none found by
  // default leaves / and /portal/ answering 404.
  std::optional<PortalFiles> portal;
  {
    std::string dir = config.portal.dir.empty() ? DefaultPortalDir() : config.portal.dir;
    if (!dir.empty()) {
      auto loaded = PortalFiles::Load(dir);
      if (!loaded.ok() && !config.portal.dir.empty()) return Fail(loaded.status());
      if (loaded.ok()) {
        portal = std::move(*loaded);
        spdlog::info("portal: {} files from {}", portal->size(), dir);
      } else {
        spdlog::warn("portal: {}", loaded.status().message());
      }
    } else {
      spdlog::warn("portal: no web files found (set [portal] dir): / and /portal/ answer 404");
    }
  }
  Server server(config, [&] { return OpenStore({config.store_url, c.data, false, pool_size}); },
                {ledger->get(), &*plans, &meter, traps.get(), revocations->get(), shared.get(), &oauth, &streams, &admin,
                 evidence.get(),
                 portal ? &*portal : nullptr});
  auto port = server.Start();
  if (!port.ok()) return Fail(port.status());
  std::string scheme = config.server.tls_cert.empty() ? "http" : "https";
  auto url = [&](const std::string& listen, int bound) {
    return scheme + "://" + listen.substr(0, listen.rfind(':')) + ":" + std::to_string(bound);
  };
  std::string base = url(config.server.listen, *port);
  // Where the admin API and the portal are: their own listener when [admin] listen is set.
  std::string admin_base = server.AdminPort() ? url(config.admin.listen, *server.AdminPort()) : base;
  // Tests read these lines to find the ports: the admin one first, the last is "sluice listening on".
  if (server.AdminPort()) std::printf("sluice admin API and portal listening on %s\n", admin_base.c_str());
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
    std::printf("\nPortal: %s/portal/\n", admin_base.c_str());
    std::printf("  console key of the demo project (project %lld): %s\n", (long long)d.project_id, d.console_key.c_str());
    std::printf("  admin token (the operator; also in %s): %s\n", AdminTokenPath(config, c).c_str(), admin_token->c_str());
    std::printf("  curl -s -H 'Authorization: Bearer %s' '%s/admin/v1/projects'\n", admin_token->c_str(), admin_base.c_str());
    std::printf("\nCtrl-C stops the server.\n");
  }
  std::fflush(stdout);
  server.Run(true);
  evidence.reset();  // before the ledger closes: a checkpoint or a trace run may use it
  traces->reset();
  if (Status s = (*ledger)->Close(); !s.ok()) return Fail(s);
  if (snapshots) snapshots->Stop();  // after Close: the snapshot of its checkpoint of every record
  spdlog::info("stopped");
  return 0;
}

}  // namespace sluice::cli
