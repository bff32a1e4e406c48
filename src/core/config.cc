#include "core/config.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <fmt/format.h>
#include <toml++/toml.h>

namespace sluice {

namespace {

// Each known key maps to a setter that takes the TOML node and reports a type error.
using Setter = std::function<bool(const toml::node&, Config&)>;

template <typename T, typename Field>
Setter Set(Field field) {
  return [field](const toml::node& n, Config& c) {
    auto v = n.value<T>();
    if (!n.is<T>() || !v) return false;
    field(c) = *v;
    return true;
  };
}

const std::map<std::string, Setter>& Keys() {
  static const std::map<std::string, Setter> keys = {
      {"server.listen", Set<std::string>([](Config& c) -> auto& { return c.server.listen; })},
      {"server.workers", Set<int64_t>([](Config& c) -> auto& { return c.server.workers; })},
      {"server.header_limit_bytes", Set<int64_t>([](Config& c) -> auto& { return c.server.header_limit_bytes; })},
      {"server.body_limit_bytes", Set<int64_t>([](Config& c) -> auto& { return c.server.body_limit_bytes; })},
      {"server.header_timeout_ms", Set<int64_t>([](Config& c) -> auto& { return c.server.header_timeout_ms; })},
      {"server.body_timeout_ms", Set<int64_t>([](Config& c) -> auto& { return c.server.body_timeout_ms; })},
      {"server.send_timeout_ms", Set<int64_t>([](Config& c) -> auto& { return c.server.send_timeout_ms; })},
      {"server.max_connections", Set<int64_t>([](Config& c) -> auto& { return c.server.max_connections; })},
      {"server.idle_timeout_ms", Set<int64_t>([](Config& c) -> auto& { return c.server.idle_timeout_ms; })},
      {"server.drain_timeout_ms", Set<int64_t>([](Config& c) -> auto& { return c.server.drain_timeout_ms; })},
      {"server.lookup_cache_entries", Set<int64_t>([](Config& c) -> auto& { return c.server.lookup_cache_entries; })},
      {"server.tls_cert", Set<std::string>([](Config& c) -> auto& { return c.server.tls_cert; })},
      {"server.tls_key", Set<std::string>([](Config& c) -> auto& { return c.server.tls_key; })},
      {"server.node_id", Set<int64_t>([](Config& c) -> auto& { return c.node_id; })},
      {"posts.max_chars", Set<int64_t>([](Config& c) -> auto& { return c.posts.max_chars; })},
      {"ledger.sync", Set<std::string>([](Config& c) -> auto& { return c.ledger.sync; })},
      {"ledger.sync_interval_ms", Set<int64_t>([](Config& c) -> auto& { return c.ledger.sync_interval_ms; })},
      {"ledger.segment_bytes", Set<int64_t>([](Config& c) -> auto& { return c.ledger.segment_bytes; })},
      {"ledger.origin", Set<std::string>([](Config& c) -> auto& { return c.ledger.origin; })},
      {"ledger.checkpoint_every_records", Set<int64_t>([](Config& c) -> auto& { return c.ledger.checkpoint_every_records; })},
      {"ledger.checkpoint_every_ms", Set<int64_t>([](Config& c) -> auto& { return c.ledger.checkpoint_every_ms; })},
      {"ledger.checkpoint_keep_all_hours", Set<int64_t>([](Config& c) -> auto& { return c.ledger.checkpoint_keep_all_hours; })},
      {"ledger.checkpoint_keep_hourly_days", Set<int64_t>([](Config& c) -> auto& { return c.ledger.checkpoint_keep_hourly_days; })},
      {"traps.enabled", Set<bool>([](Config& c) -> auto& { return c.traps.enabled; })},
      {"traps.every_posts", Set<int64_t>([](Config& c) -> auto& { return c.traps.every_posts; })},
      {"metering.enabled", Set<bool>([](Config& c) -> auto& { return c.metering.enabled; })},
      {"log.level", Set<std::string>([](Config& c) -> auto& { return c.log.level; })},
      {"log.access_log", Set<bool>([](Config& c) -> auto& { return c.log.access_log; })},
      {"plans.file", Set<std::string>([](Config& c) -> auto& { return c.plans_file; })},
      {"store.url", Set<std::string>([](Config& c) -> auto& { return c.store_url; })},
  };
  return keys;
}

std::string TypeName(const toml::node& n) {
  std::ostringstream s;
  s << n.type();
  return s.str();
}

Status Walk(const toml::table& table, const std::string& prefix, const std::string& name, Config& config) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      bool known_section = false;
      for (const auto& [known, _] : Keys())
        if (known.rfind(key + ".", 0) == 0) known_section = true;
      if (!known_section) return CommandError(name + ": unknown section '" + key + "'");
      if (Status s = Walk(*sub, key, name, config); !s.ok()) return s;
      continue;
    }
    auto it = Keys().find(key);
    if (it == Keys().end()) return CommandError(name + ": unknown key '" + key + "'");
    if (!it->second(node, config))
      return CommandError(name + ": key '" + key + "' has the wrong type (" + TypeName(node) + ")");
  }
  return Status::Ok();
}

Status Validate(const Config& c, const std::string& name) {
  auto bad = [&](std::string_view key, std::string_view why) {
    return CommandError(name + ": key '" + std::string(key) + "' " + std::string(why));
  };
  if (c.server.workers < 0 || c.server.workers > 256) return bad("server.workers", "must be 0..256");
  if (c.server.header_limit_bytes < 1024) return bad("server.header_limit_bytes", "must be at least 1024");
  if (c.server.body_limit_bytes < 1024) return bad("server.body_limit_bytes", "must be at least 1024");
  for (auto [key, ms] : {std::pair{"server.header_timeout_ms", c.server.header_timeout_ms},
                         std::pair{"server.body_timeout_ms", c.server.body_timeout_ms},
                         std::pair{"server.send_timeout_ms", c.server.send_timeout_ms},
                         std::pair{"server.idle_timeout_ms", c.server.idle_timeout_ms}})
    if (ms < 1 || ms > 3'600'000) return bad(key, "must be 1..3600000");
  if (c.server.max_connections < 0 || c.server.max_connections > 10'000'000)
    return bad("server.max_connections", "must be 0..10000000");
  if (c.server.drain_timeout_ms < 0) return bad("server.drain_timeout_ms", "must not be negative");
  if (c.server.lookup_cache_entries < 0 || c.server.lookup_cache_entries > 10'000'000)
    return bad("server.lookup_cache_entries", "must be 0..10000000");
  if (c.server.tls_cert.empty() != c.server.tls_key.empty())
    return bad("server.tls_cert", "and server.tls_key must be set together");
  if (c.node_id < 0 || c.node_id > 1023) return bad("server.node_id", "must be 0..1023");
  if (c.posts.max_chars < 1 || c.posts.max_chars > 100000) return bad("posts.max_chars", "must be 1..100000");
  if (c.ledger.sync != "interval" && c.ledger.sync != "always") return bad("ledger.sync", "must be interval or always");
  if (c.ledger.sync_interval_ms < 1 || c.ledger.sync_interval_ms > 10000) return bad("ledger.sync_interval_ms", "must be 1..10000");
  if (c.ledger.segment_bytes < (1 << 20)) return bad("ledger.segment_bytes", "must be at least 1048576");
  if (c.ledger.origin.empty() || c.ledger.origin.find_first_of(" \n+") != std::string::npos)
    return bad("ledger.origin", "must be a non-empty name without spaces, newlines or '+'");
  if (c.ledger.checkpoint_every_records < 1) return bad("ledger.checkpoint_every_records", "must be positive");
  if (c.ledger.checkpoint_every_ms < 100) return bad("ledger.checkpoint_every_ms", "must be at least 100");
  if (c.ledger.checkpoint_keep_all_hours < 1 || c.ledger.checkpoint_keep_all_hours > 8760)
    return bad("ledger.checkpoint_keep_all_hours", "must be 1..8760");
  if (c.ledger.checkpoint_keep_hourly_days < 0 || c.ledger.checkpoint_keep_hourly_days > 3650)
    return bad("ledger.checkpoint_keep_hourly_days", "must be 0..3650");
  if (c.traps.every_posts < 1) return bad("traps.every_posts", "must be positive");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.log.level) == std::end(kLevels))
    return bad("log.level", "must be one of trace, debug, info, warn, error, off");
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text, const std::string& name) {
  toml::table table;
  try {  // toml++ reports syntax errors by exception; config load is the one place we allow them
    table = toml::parse(toml_text, name);
  } catch (const toml::parse_error& err) {
    return TomlSyntaxError(name, err.source().begin.line, err.description());
  }
  Config config;
  if (Status s = Walk(table, "", name, config); !s.ok()) return OneLineError(s);
  if (Status s = Validate(config, name); !s.ok()) return OneLineError(s);
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return CommandError(path + ": cannot read config file");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfig(buf.str(), path);
}

}  // namespace sluice
