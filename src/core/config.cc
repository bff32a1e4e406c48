#include "core/config.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <thread>
#include <type_traits>
#include <fmt/format.h>

#include "core/listen_address.h"
#include "core/strict_toml.h"

namespace sluice {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Each known key maps to a setter that reads the TOML node, checks its type and, for an
// integer, its range (on the 64-bit value, before an int field narrows it).
using Setter = std::function<Status(const StrictToml&, const std::string& key, const toml::node&, Config&)>;

template <typename Field>
Setter String(Field field) {
  return [field](const StrictToml& toml, const std::string& key, const toml::node& n, Config& c) -> Status {
    auto v = toml.String(key, n);
    if (!v.ok()) return v.status();
    field(c) = std::move(*v);
    return Status::Ok();
  };
}

template <typename Field>
Setter Bool(Field field) {
  return [field](const StrictToml& toml, const std::string& key, const toml::node& n, Config& c) -> Status {
    auto v = toml.Bool(key, n);
    if (!v.ok()) return v.status();
    field(c) = *v;
    return Status::Ok();
  };
}

template <typename Field>
Setter Int(int64_t min, int64_t max, Field field) {
  return [=](const StrictToml& toml, const std::string& key, const toml::node& n, Config& c) -> Status {
    auto v = toml.Integer(key, n, min, max);
    if (!v.ok()) return v.status();
    using T = std::remove_reference_t<decltype(field(c))>;
    field(c) = T(*v);  // in range, so fits T
    return Status::Ok();
  };
}

const std::map<std::string, Setter>& Keys() {
  static const std::map<std::string, Setter> keys = {
      {"server.listen", String([](Config& c) -> auto& { return c.server.listen; })},
      {"server.workers", Int(0, 256, [](Config& c) -> auto& { return c.server.workers; })},
      {"server.header_limit_bytes", Int(1024, kMax, [](Config& c) -> auto& { return c.server.header_limit_bytes; })},
      {"server.body_limit_bytes", Int(1024, kMax, [](Config& c) -> auto& { return c.server.body_limit_bytes; })},
      {"server.header_timeout_ms", Int(1, 3'600'000, [](Config& c) -> auto& { return c.server.header_timeout_ms; })},
      {"server.body_timeout_ms", Int(1, 3'600'000, [](Config& c) -> auto& { return c.server.body_timeout_ms; })},
      {"server.send_timeout_ms", Int(1, 3'600'000, [](Config& c) -> auto& { return c.server.send_timeout_ms; })},
      {"server.max_connections", Int(0, 10'000'000, [](Config& c) -> auto& { return c.server.max_connections; })},
      {"server.idle_timeout_ms", Int(1, 3'600'000, [](Config& c) -> auto& { return c.server.idle_timeout_ms; })},
      {"server.drain_timeout_ms", Int(0, kMax, [](Config& c) -> auto& { return c.server.drain_timeout_ms; })},
      {"server.lookup_cache_entries", Int(0, 10'000'000, [](Config& c) -> auto& { return c.server.lookup_cache_entries; })},
      {"server.stream_buffer_bytes", Int(1024, int64_t(1) << 30, [](Config& c) -> auto& { return c.server.stream_buffer_bytes; })},
      {"server.stream_keepalive_ms", Int(1, 3'600'000, [](Config& c) -> auto& { return c.server.stream_keepalive_ms; })},
      {"server.stream_slot_lease_ms", Int(300, 3'600'000, [](Config& c) -> auto& { return c.server.stream_slot_lease_ms; })},
      {"server.tls_cert", String([](Config& c) -> auto& { return c.server.tls_cert; })},
      {"server.tls_key", String([](Config& c) -> auto& { return c.server.tls_key; })},
      {"server.node_id", Int(0, 1023, [](Config& c) -> auto& { return c.node_id; })},
      {"posts.max_chars", Int(1, 100'000, [](Config& c) -> auto& { return c.posts.max_chars; })},
      {"ledger.sync", String([](Config& c) -> auto& { return c.ledger.sync; })},
      {"ledger.sync_interval_ms", Int(1, 10'000, [](Config& c) -> auto& { return c.ledger.sync_interval_ms; })},
      {"ledger.segment_bytes", Int(1 << 20, kMax, [](Config& c) -> auto& { return c.ledger.segment_bytes; })},
      {"ledger.origin", String([](Config& c) -> auto& { return c.ledger.origin; })},
      {"ledger.checkpoint_every_records", Int(1, kMax, [](Config& c) -> auto& { return c.ledger.checkpoint_every_records; })},
      {"ledger.checkpoint_every_ms", Int(100, kMax, [](Config& c) -> auto& { return c.ledger.checkpoint_every_ms; })},
      {"ledger.checkpoint_keep_all_hours", Int(1, 8760, [](Config& c) -> auto& { return c.ledger.checkpoint_keep_all_hours; })},
      {"ledger.usage_snapshot_every_ms", Int(0, kMax, [](Config& c) -> auto& { return c.ledger.usage_snapshot_every_ms; })},
      {"ledger.checkpoint_keep_hourly_days", Int(0, 3650, [](Config& c) -> auto& { return c.ledger.checkpoint_keep_hourly_days; })},
      {"traps.enabled", Bool([](Config& c) -> auto& { return c.traps.enabled; })},
      {"traps.every_posts", Int(1, kMax, [](Config& c) -> auto& { return c.traps.every_posts; })},
      {"metering.enabled", Bool([](Config& c) -> auto& { return c.metering.enabled; })},
      {"fault.delay_ms", Int(0, 600'000, [](Config& c) -> auto& { return c.fault.delay_ms; })},
      {"limits.url", String([](Config& c) -> auto& { return c.limits.url; })},
      {"limits.on_backend_failure", String([](Config& c) -> auto& { return c.limits.on_backend_failure; })},
      {"limits.nodes", Int(1, 1024, [](Config& c) -> auto& { return c.limits.nodes; })},
      {"limits.timeout_ms", Int(1, 10'000, [](Config& c) -> auto& { return c.limits.timeout_ms; })},
      {"limits.probe_interval_ms", Int(10, 600'000, [](Config& c) -> auto& { return c.limits.probe_interval_ms; })},
      {"limits.connections", Int(1, 64, [](Config& c) -> auto& { return c.limits.connections; })},
      {"limits.mode", String([](Config& c) -> auto& { return c.limits.mode; })},
      {"limits.lease_percent", Int(1, 100, [](Config& c) -> auto& { return c.limits.lease_percent; })},
      {"oauth.app_tokens_write", Bool([](Config& c) -> auto& { return c.oauth.app_tokens_write; })},
      {"oauth.session_key_file", String([](Config& c) -> auto& { return c.oauth.session_key_file; })},
      {"oauth.assertion_key_file", String([](Config& c) -> auto& { return c.oauth.assertion_key_file; })},
      {"compliance.public_url", String([](Config& c) -> auto& { return c.compliance.public_url; })},
      {"compliance.upload_max_bytes", Int(1024, 1LL << 30, [](Config& c) -> auto& { return c.compliance.upload_max_bytes; })},
      {"compliance.upload_expiry_ms", Int(1000, kMax, [](Config& c) -> auto& { return c.compliance.upload_expiry_ms; })},
      {"compliance.download_expiry_ms", Int(1000, kMax, [](Config& c) -> auto& { return c.compliance.download_expiry_ms; })},
      {"compliance.check_lease_ms", Int(100, 3'600'000, [](Config& c) -> auto& { return c.compliance.check_lease_ms; })},
      {"admin.token_file", String([](Config& c) -> auto& { return c.admin.token_file; })},
      {"admin.listen", String([](Config& c) -> auto& { return c.admin.listen; })},
      {"traces.upload_max_bytes", Int(1024, 1LL << 36, [](Config& c) -> auto& { return c.traces.upload_max_bytes; })},
      {"traces.threads", Int(1, 256, [](Config& c) -> auto& { return c.traces.threads; })},
      {"portal.dir", String([](Config& c) -> auto& { return c.portal.dir; })},
      {"log.level", String([](Config& c) -> auto& { return c.log.level; })},
      {"log.access_log", Bool([](Config& c) -> auto& { return c.log.access_log; })},
      {"plans.file", String([](Config& c) -> auto& { return c.plans_file; })},
      {"store.url", String([](Config& c) -> auto& { return c.store_url; })},
      {"store.pool_size", Int(0, 1024, [](Config& c) -> auto& { return c.store_pool_size; })},
  };
  return keys;
}

Status Walk(const toml::table& table, const std::string& prefix, const StrictToml& toml, Config& config) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      bool known_section = false;
      for (const auto& [known, _] : Keys())
        if (known.rfind(key + ".", 0) == 0) known_section = true;
      if (!known_section) return toml.Unknown(key, node);
      if (Status s = Walk(*sub, key, toml, config); !s.ok()) return s;
      continue;
    }
    auto it = Keys().find(key);
    if (it == Keys().end()) return toml.Unknown(key, node);
    if (Status s = it->second(toml, key, node, config); !s.ok()) return s;
  }
  return Status::Ok();
}

// Rules that are not one integer's range (those are checked as each key is read).
Status Validate(const Config& c, const StrictToml& toml) {
  if (auto listen = ParseListenAddress(c.server.listen); !listen.ok())
    return toml.Bad("server.listen", "is \"" + c.server.listen + "\": " + listen.status().message());
  if (!c.admin.listen.empty()) {
    if (auto listen = ParseListenAddress(c.admin.listen); !listen.ok())
      return toml.Bad("admin.listen", "is \"" + c.admin.listen + "\": " + listen.status().message());
    if (c.admin.listen == c.server.listen && !c.admin.listen.ends_with(":0"))
      return toml.Bad("admin.listen", "is server.listen's address: give the admin API another port, or \"\" to serve it there");
  }
  if (const std::string& u = c.compliance.public_url; !u.empty()) {
    // Scheme and authority only: the job's URLs append /compliance/upload/<token> to it.
    const size_t scheme = u.rfind("http://", 0) == 0 ? 7 : u.rfind("https://", 0) == 0 ? 8 : 0;
    if (scheme == 0 || u.size() == scheme || u.find_first_of("/?# ", scheme) != std::string::npos)
      return toml.Bad("compliance.public_url",
                      "is \"" + u + "\": give a scheme and a host, e.g. \"https://api.example.com\" (no path)");
  }
  if (c.server.tls_cert.empty() != c.server.tls_key.empty())
    return toml.Bad("server.tls_cert", "and server.tls_key must be set together");
  if (c.ledger.sync != "interval" && c.ledger.sync != "always") return toml.Bad("ledger.sync", "must be interval or always");
  if (c.ledger.origin.empty() || c.ledger.origin.find_first_of(" \n+") != std::string::npos)
    return toml.Bad("ledger.origin", "must be a non-empty name without spaces, newlines or '+'");
  if (!c.limits.url.empty() && c.limits.url.rfind("redis://", 0) != 0)
    return toml.Bad("limits.url", "must be empty (this node only) or redis://HOST:PORT");
  if (c.limits.on_backend_failure != "closed" && c.limits.on_backend_failure != "open")
    return toml.Bad("limits.on_backend_failure", "must be closed or open");
  if (c.limits.mode != "strict" && c.limits.mode != "fast") return toml.Bad("limits.mode", "must be strict or fast");
  // A start uses a usage snapshot only with its checkpoint, and retention keeps every
  // checkpoint of the last hours: the one before the newest snapshot must still be there.
  if (c.ledger.usage_snapshot_every_ms >= c.ledger.checkpoint_keep_all_hours * 3'600'000)
    return toml.Bad("ledger.usage_snapshot_every_ms", "must be less than ledger.checkpoint_keep_all_hours (usage snapshots are bound to checkpoints kept)");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.log.level) == std::end(kLevels))
    return toml.Bad("log.level", "must be one of trace, debug, info, warn, error, off");
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text, const std::string& name) {
  auto table = ParseToml(toml_text, name);
  if (!table.ok()) return table.status();
  const StrictToml toml(name);
  Config config;
  if (Status s = Walk(*table, "", toml, config); !s.ok()) return s;
  if (Status s = Validate(config, toml); !s.ok()) return s;
  return config;
}

Status TomlSyntaxError(const std::string& name, int64_t line, std::string_view description) {
  return OneLineError(CommandError(name + ":" + std::to_string(line) + ": " + std::string(description)));
}

Status OneLineError(Status error) {
  std::string detail;
  for (char c : error.message()) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '\n') detail += "\\n";
    else if (c == '\r') detail += "\\r";
    else if (c == '\t') detail += "\\t";
    else if (b < 0x20 || b == 0x7f) detail += fmt::format("\\x{:02X}", b);
    else detail += c;
  }
  return error.WithMessage(std::move(detail));
}

Result<Config> LoadConfig(const std::string& path) {
  auto text = ReadTomlFile(path, "config file");
  if (!text.ok()) return text.status();
  return ParseConfig(*text, path);
}

int WorkerCount(const Config& config) {
  return config.server.workers > 0 ? int(config.server.workers) : int(std::max(1u, std::thread::hardware_concurrency()));
}

int StorePoolSize(const Config& config) {
  return config.store_pool_size > 0 ? int(config.store_pool_size) : std::max(8, WorkerCount(config) + 4);
}

}  // namespace sluice
