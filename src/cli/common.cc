#include "cli/common.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/listen_address.h"
#include "core/snowflake.h"
#include "ledger/ledger_files.h"

namespace sluice::cli {

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--data", c.data, "data directory")->capture_default_str();
  cmd->add_option("--store", c.store_url, "store URL: sqlite (default, in --data), sqlite:///path/file.db or postgres://user@host:port/db");
  cmd->add_option("--config", c.config_file, "TOML config file (see config/sluice.example.toml): plans, ledger, ...");
}

int Fail(const Status& s) {
  std::fprintf(stderr, "sluice: %s\n", s.message().c_str());
  return 1;
}

Result<Config> LoadSettings(const Common& c) {
  Config config;
  if (!c.config_file.empty()) {
    auto loaded = LoadConfig(c.config_file);
    if (!loaded.ok()) return loaded.status();
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
  if (!c.client_id.empty()) {  // a new app: its OAuth 2.0 client (a rotated bearer token leaves it be)
    w.Member("client_id", c.client_id);
    if (c.public_client)
      w.Member("client_type", "public");  // no secret: RFC 6749 2.1
    else
      w.Member("client_secret", c.client_secret);
    w.Key("redirect_uris");
    w.BeginArray();
    for (const auto& u : c.redirect_uris) w.String(u);
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

Result<Plans> LoadPlans(const Config& config) {
  if (config.plans_file.empty()) return Plans::Defaults();
  return Plans::Load(config.plans_file);
}

int CommandNodeId(const Common& c) { return c.node_id >= 0 ? c.node_id : kMaxNodeId; }

Status ApplyListen(std::string_view flag, const std::string& listen, std::string& setting) {
  if (listen.empty()) return Status::Ok();
  if (auto where = ParseListenAddress(listen); !where.ok())
    return CommandError(std::string(flag) + " " + listen + ": " + where.status().message());
  setting = listen;
  return Status::Ok();
}

std::string LedgerDir(const Common& c) { return (std::filesystem::path(c.data) / "ledger").string(); }

Result<std::string> LedgerOrigin(const Config& config, const std::string& dir, bool serving) {
  const std::string node = config.ledger.origin + "/node-" + std::to_string(config.node_id);
  std::ifstream in(VerifierKeyPath(dir));
  std::string vkey;
  if (!in || !std::getline(in, vkey) || vkey.find('+') == std::string::npos) return node;  // a new ledger
  const std::string name = vkey.substr(0, vkey.find('+'));
  if (name == node || name == config.ledger.origin || !serving) return name;
  return CommandError(fmt::format("ledger {} is the ledger of '{}', not of node {} ('{}'): each node keeps its own "
                                  "data directory (start it with that ledger's --node-id, or another --data)",
                                  dir, name, config.node_id, node));
}

Result<std::unique_ptr<Ledger>> OpenLedger(const Config& config, const Common& c, bool repair,
                                           std::function<void(const Checkpoint&)> on_checkpoint, bool serving) {
  auto origin = LedgerOrigin(config, LedgerDir(c), serving);
  if (!origin.ok()) return origin.status();
  LedgerOptions o;
  o.on_checkpoint = std::move(on_checkpoint);
  o.repair = repair;
  o.dir = LedgerDir(c);
  o.sync = config.ledger.sync == "always" ? LedgerSync::kAlways : LedgerSync::kInterval;
  o.sync_interval_ms = config.ledger.sync_interval_ms;
  o.segment_bytes = uint64_t(config.ledger.segment_bytes);
  o.origin = *origin;
  o.checkpoint_every_records = uint64_t(config.ledger.checkpoint_every_records);
  o.checkpoint_every_ms = config.ledger.checkpoint_every_ms;
  o.checkpoint_retention.keep_all_ms = config.ledger.checkpoint_keep_all_hours * 3'600'000;
  o.checkpoint_retention.keep_hourly_ms = config.ledger.checkpoint_keep_hourly_days * 86'400'000;
  return Ledger::Open(o);
}

Result<std::unique_ptr<Ledger>> OpenLedgerAt(const Config& config, const std::string& dir, bool repair) {
  Common c;
  c.data = std::filesystem::path(dir).parent_path().string();
  if (c.data.empty()) c.data = ".";
  if (std::filesystem::path(dir).filename() == "ledger") return OpenLedger(config, c, repair);
  return CommandError("ledger " + dir + ": a ledger directory is named ledger (DATA/ledger)");
}

void ScanProgress(uint64_t done, uint64_t total) {
  static const bool tty = isatty(2);
  if (!tty || total == 0) return;
  std::fprintf(stderr, "\rscanning the ledger: %3d%% (%llu of %llu MB)", int(100 * done / total),
               (unsigned long long)(done >> 20), (unsigned long long)(total >> 20));
  if (done >= total) std::fprintf(stderr, "\n");
}

}  // namespace sluice::cli
