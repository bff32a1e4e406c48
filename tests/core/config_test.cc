#include "core/config.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/strict_toml.h"

namespace sluice {
namespace {

TEST(Config, DefaultsWhenEmpty) {
  auto c = ParseConfig("", "empty.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->posts.max_chars, 280);
  EXPECT_EQ(c->server.header_limit_bytes, 8192);
  EXPECT_EQ(c->server.body_limit_bytes, 65536);
}

TEST(Config, ReadsKnownKeys) {
  auto c = ParseConfig("[server]\nlisten = \"0.0.0.0:9000\"\nworkers = 3\n[posts]\nmax_chars = 500\n", "a.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->server.workers, 3);
  EXPECT_EQ(c->posts.max_chars, 500);
}

// One fixture per kind of config error; each names the file and the key.
TEST(Config, RejectsUnknownKey) {
  auto c = ParseConfig("[server]\nlissen = \"x\"\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: unknown key 'server.lissen'");
}

TEST(Config, RejectsUnknownSection) {
  auto c = ParseConfig("[ratelimit]\nx = 1\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: unknown section 'ratelimit'");
}

TEST(Config, RejectsWrongType) {
  auto c = ParseConfig("[posts]\nmax_chars = \"many\"\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: key 'posts.max_chars' has the wrong type (string)");
}

TEST(Config, RejectsOutOfRange) {
  auto c = ParseConfig("[posts]\nmax_chars = 0\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: key 'posts.max_chars' must be 1..100000");
}

TEST(Config, StorePoolSizeDefaultsToTheWorkersAndIsBounded) {
  auto c = ParseConfig("[server]\nworkers = 12\n", "sluice.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(StorePoolSize(*c), 16);  // a connection per worker, four beside them
  c = ParseConfig("[server]\nworkers = 1\n", "sluice.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(StorePoolSize(*c), 8);
  c = ParseConfig("[store]\npool_size = 3\n", "sluice.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(StorePoolSize(*c), 3);
  c = ParseConfig("[store]\npool_size = 5000\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: key 'store.pool_size' must be 0..1024");
}

TEST(Config, ExampleFileIsValidAndHoldsTheDefaults) {
  auto c = LoadConfig(SLUICE_SOURCE_DIR "/config/sluice.example.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  Config defaults;
  EXPECT_EQ(c->server.listen, defaults.server.listen);
  EXPECT_EQ(c->ledger.sync, defaults.ledger.sync);
  EXPECT_EQ(c->ledger.segment_bytes, defaults.ledger.segment_bytes);
  EXPECT_EQ(c->posts.max_chars, defaults.posts.max_chars);
  EXPECT_EQ(c->server.header_timeout_ms, defaults.server.header_timeout_ms);
  EXPECT_EQ(c->server.body_timeout_ms, defaults.server.body_timeout_ms);
  EXPECT_EQ(c->server.send_timeout_ms, defaults.server.send_timeout_ms);
  EXPECT_EQ(c->server.idle_timeout_ms, defaults.server.idle_timeout_ms);
  EXPECT_EQ(c->server.max_connections, defaults.server.max_connections);
  EXPECT_EQ(c->server.stream_buffer_bytes, defaults.server.stream_buffer_bytes);
  EXPECT_EQ(c->server.stream_keepalive_ms, defaults.server.stream_keepalive_ms);
  EXPECT_EQ(c->ledger.checkpoint_keep_all_hours, defaults.ledger.checkpoint_keep_all_hours);
  EXPECT_EQ(c->ledger.checkpoint_keep_hourly_days, defaults.ledger.checkpoint_keep_hourly_days);
}

// Every key path set in a TOML file ("server.listen", ...).
std::set<std::string> KeysOf(const std::string& path) {
  std::set<std::string> keys;
  auto text = ReadTomlFile(path, "config file");
  EXPECT_TRUE(text.ok()) << text.status().message();
  if (!text.ok()) return keys;
  auto root = ParseToml(*text, path);
  EXPECT_TRUE(root.ok()) << root.status().message();
  if (!root.ok()) return keys;
  for (auto&& [section, value] : *root) {
    if (const toml::table* t = value.as_table())
      for (auto&& [key, v] : *t) keys.insert(std::string(section.str()) + "." + std::string(key.str()));
    else
      keys.insert(std::string(section.str()));
  }
  return keys;
}

// /etc/sluice/sluice.toml of the Debian package: the installed binary must accept it, and it
// sets every key the example sets (a setting added to one is added to the other).
TEST(Config, PackagedFileIsValidAndSetsEveryKeyOfTheExample) {
  auto c = LoadConfig(SLUICE_SOURCE_DIR "/packaging/deb/sluice.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(KeysOf(SLUICE_SOURCE_DIR "/packaging/deb/sluice.toml"),
            KeysOf(SLUICE_SOURCE_DIR "/config/sluice.example.toml"));
}

TEST(Config, ReadsAndChecksTheCheckpointRetention) {
  auto c = ParseConfig("[ledger]\ncheckpoint_keep_all_hours = 2\ncheckpoint_keep_hourly_days = 0\n", "a.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->ledger.checkpoint_keep_all_hours, 2);
  EXPECT_EQ(c->ledger.checkpoint_keep_hourly_days, 0);
  EXPECT_EQ(ParseConfig("[ledger]\nusage_snapshot_every_ms = 0\n", "a.toml")->ledger.usage_snapshot_every_ms, 0);
  EXPECT_EQ(ParseConfig("[ledger]\nusage_snapshot_every_ms = -1\n", "a.toml").status().code(), StatusCode::kUsage);
  Config defaults;
  EXPECT_EQ(defaults.ledger.checkpoint_keep_all_hours, 1);
  EXPECT_EQ(defaults.ledger.checkpoint_keep_hourly_days, 30);
  c = ParseConfig("[ledger]\ncheckpoint_keep_all_hours = 0\n", "a.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "a.toml: key 'ledger.checkpoint_keep_all_hours' must be 1..8760");
  c = ParseConfig("[ledger]\ncheckpoint_keep_hourly_days = -1\n", "a.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "a.toml: key 'ledger.checkpoint_keep_hourly_days' must be 0..3650");
}

TEST(Config, ReadsTheSlowClientLimits) {
  auto c = ParseConfig("[server]\nheader_timeout_ms = 1500\nbody_timeout_ms = 2500\nsend_timeout_ms = 3500\n"
                       "idle_timeout_ms = 4500\nmax_connections = 8\n", "a.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->server.header_timeout_ms, 1500);
  EXPECT_EQ(c->server.body_timeout_ms, 2500);
  EXPECT_EQ(c->server.send_timeout_ms, 3500);
  EXPECT_EQ(c->server.idle_timeout_ms, 4500);
  EXPECT_EQ(c->server.max_connections, 8);
  Config defaults;
  EXPECT_EQ(defaults.server.header_timeout_ms, 10000);
  EXPECT_EQ(defaults.server.body_timeout_ms, 10000);
  EXPECT_EQ(defaults.server.max_connections, 0);  // from the file limit
}

TEST(Config, ReadsAndChecksTheStreamLimits) {
  auto c = ParseConfig("[server]\nstream_buffer_bytes = 65536\nstream_keepalive_ms = 50\n", "a.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->server.stream_buffer_bytes, 65536);
  EXPECT_EQ(c->server.stream_keepalive_ms, 50);
  Config defaults;
  EXPECT_EQ(defaults.server.stream_buffer_bytes, 1 << 20);
  EXPECT_EQ(defaults.server.stream_keepalive_ms, 20000);  // X's keep-alive
  EXPECT_EQ(ParseConfig("[server]\nstream_buffer_bytes = 0\n", "a.toml").status().message(),
            "a.toml: key 'server.stream_buffer_bytes' must be 1024..1073741824");
  EXPECT_EQ(ParseConfig("[server]\nstream_keepalive_ms = 0\n", "a.toml").status().message(),
            "a.toml: key 'server.stream_keepalive_ms' must be 1..3600000");
}

TEST(Config, RejectsBadSlowClientLimits) {
  auto detail = [](const std::string& toml) {
    auto c = ParseConfig(toml, "sluice.toml");
    return c.ok() ? std::string("(accepted)") : c.status().message();
  };
  EXPECT_EQ(detail("[server]\nheader_timeout_ms = 0\n"), "sluice.toml: key 'server.header_timeout_ms' must be 1..3600000");
  EXPECT_EQ(detail("[server]\nbody_timeout_ms = -5\n"), "sluice.toml: key 'server.body_timeout_ms' must be 1..3600000");
  EXPECT_EQ(detail("[server]\nsend_timeout_ms = 3600001\n"), "sluice.toml: key 'server.send_timeout_ms' must be 1..3600000");
  EXPECT_EQ(detail("[server]\nidle_timeout_ms = 0\n"), "sluice.toml: key 'server.idle_timeout_ms' must be 1..3600000");
  EXPECT_EQ(detail("[server]\nmax_connections = -1\n"), "sluice.toml: key 'server.max_connections' must be 0..10000000");
  EXPECT_EQ(detail("[server]\nheader_timeout_ms = \"10s\"\n"),
            "sluice.toml: key 'server.header_timeout_ms' has the wrong type (string)");
  // The key these replace is gone, not silently ignored.
  EXPECT_EQ(detail("[server]\nread_timeout_ms = 10000\n"), "sluice.toml: unknown key 'server.read_timeout_ms'");
}

TEST(Config, ReadsAndChecksTheAdminListener) {
  auto c = ParseConfig("[admin]\nlisten = \"127.0.0.1:8081\"\n", "sluice.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->admin.listen, "127.0.0.1:8081");
  EXPECT_EQ(ParseConfig("", "sluice.toml")->admin.listen, "");  // the main listener
  EXPECT_EQ(ParseConfig("[admin]\nlisten = \"localhost\"\n", "sluice.toml").status().message(),
            "sluice.toml: key 'admin.listen' is \"localhost\": expected IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(ParseConfig("[admin]\nlisten = \"127.0.0.1:8080\"\n", "sluice.toml").status().message(),
            "sluice.toml: key 'admin.listen' is server.listen's address: give the admin API another port, or \"\" to "
            "serve it there");
  // Two ports picked at start never collide.
  EXPECT_TRUE(ParseConfig("[server]\nlisten = \"127.0.0.1:0\"\n[admin]\nlisten = \"127.0.0.1:0\"\n", "s.toml").ok());
}

TEST(Config, RejectsBadLedgerSync) {
  auto c = ParseConfig("[ledger]\nsync = \"sometimes\"\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: key 'ledger.sync' must be interval or always");
}

TEST(Config, LimitsKeys) {
  auto c = ParseConfig("[limits]\nurl = \"redis://10.0.0.5:6379\"\non_backend_failure = \"open\"\nnodes = 3\n"
                       "timeout_ms = 40\nprobe_interval_ms = 100\nconnections = 4\nmode = \"fast\"\nlease_percent = 2\n",
                       "sluice.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->limits.mode, "fast");
  EXPECT_EQ(c->limits.lease_percent, 2);
  EXPECT_EQ(ParseConfig("", "sluice.toml")->limits.mode, "strict");
  EXPECT_EQ(ParseConfig("", "sluice.toml")->limits.lease_percent, 1);
  EXPECT_EQ(c->limits.url, "redis://10.0.0.5:6379");
  EXPECT_EQ(c->limits.on_backend_failure, "open");
  EXPECT_EQ(c->limits.nodes, 3);
  EXPECT_EQ(c->limits.timeout_ms, 40);
  EXPECT_EQ(c->limits.probe_interval_ms, 100);
  EXPECT_EQ(c->limits.connections, 4);
  auto detail = [](const std::string& toml) {
    auto r = ParseConfig(toml, "sluice.toml");
    return r.ok() ? std::string("(accepted)") : r.status().message();
  };
  EXPECT_EQ(detail("[limits]\nurl = \"memcached://x\"\n"),
            "sluice.toml: key 'limits.url' must be empty (this node only) or redis://HOST:PORT");
  EXPECT_EQ(detail("[limits]\non_backend_failure = \"maybe\"\n"),
            "sluice.toml: key 'limits.on_backend_failure' must be closed or open");
  EXPECT_EQ(detail("[limits]\nnodes = 0\n"), "sluice.toml: key 'limits.nodes' must be 1..1024");
  EXPECT_EQ(detail("[limits]\ntimeout_ms = 0\n"), "sluice.toml: key 'limits.timeout_ms' must be 1..10000");
  EXPECT_EQ(detail("[limits]\nconnections = 65\n"), "sluice.toml: key 'limits.connections' must be 1..64");
  EXPECT_EQ(detail("[limits]\nmode = \"lax\"\n"), "sluice.toml: key 'limits.mode' must be strict or fast");
  EXPECT_EQ(detail("[limits]\nlease_percent = 0\n"), "sluice.toml: key 'limits.lease_percent' must be 1..100");
  EXPECT_EQ(detail("[limits]\nlease_percent = 101\n"), "sluice.toml: key 'limits.lease_percent' must be 1..100");
}

TEST(Config, RejectsUsageSnapshotsRarerThanTheCheckpointsKept) {
  auto c = ParseConfig("[ledger]\nusage_snapshot_every_ms = 3600000\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "sluice.toml: key 'ledger.usage_snapshot_every_ms' must be less than ledger.checkpoint_keep_all_hours "
            "(usage snapshots are bound to checkpoints kept)");
  EXPECT_TRUE(ParseConfig("[ledger]\nusage_snapshot_every_ms = 3600000\ncheckpoint_keep_all_hours = 2\n", "sluice.toml").ok());
}

TEST(Config, RejectsSyntaxErrorWithLine) {
  auto c = ParseConfig("[server]\nlisten = \n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind("sluice.toml:2: ", 0), 0u) << c.status().message();
}

// toml++ quotes what it saw, a line break included; sluice prints one line per error
// (found by config_fuzz).
// A quoted key may hold any character: the error quotes it escaped, on one line (config_fuzz).
TEST(Config, AKeyWithALineBreakIsQuotedOnOneLine) {
  auto c = ParseConfig("[server]\n\"work\\ners\" = 2\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml: unknown key 'server.work\\ners'");
}

TEST(Config, SyntaxErrorIsOneLine) {
  auto c = ParseConfig("[traps]\nenabled = tru\n", "sluice.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "sluice.toml:2: Error while parsing boolean: expected 'true', saw 'tru\\n'");
}

// The range is checked on the 64-bit value from the file, before the int field narrows it:
// 4294967297 workers is refused, not 1 (2^32 + 1 wraps to 1 in an int).
TEST(Config, ChecksTheRangeBeforeNarrowing) {
  auto detail = [](const std::string& toml) {
    auto c = ParseConfig(toml, "sluice.toml");
    return c.ok() ? std::string("(accepted)") : c.status().message();
  };
  EXPECT_EQ(detail("[server]\nworkers = 4294967297\n"), "sluice.toml: key 'server.workers' must be 0..256");
  EXPECT_EQ(detail("[server]\nnode_id = 4294967296\n"), "sluice.toml: key 'server.node_id' must be 0..1023");
  EXPECT_EQ(detail("[server]\nworkers = -9223372036854775808\n"), "sluice.toml: key 'server.workers' must be 0..256");
  EXPECT_EQ(detail("[server]\nheader_limit_bytes = 1023\n"), "sluice.toml: key 'server.header_limit_bytes' must be at least 1024");
  EXPECT_EQ(detail("[server]\ndrain_timeout_ms = -1\n"), "sluice.toml: key 'server.drain_timeout_ms' must not be negative");
  EXPECT_EQ(detail("[traps]\nevery_posts = 0\n"), "sluice.toml: key 'traps.every_posts' must be positive");
  auto c = ParseConfig("[server]\nworkers = 256\nnode_id = 1023\n", "sluice.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->server.workers, 256);
  EXPECT_EQ(c->node_id, 1023);
}

// server.listen is checked when the config loads, not first when the server binds.
TEST(Config, ChecksTheListenAddress) {
  auto detail = [](const std::string& toml) {
    auto c = ParseConfig(toml, "sluice.toml");
    return c.ok() ? std::string("(accepted)") : c.status().message();
  };
  EXPECT_EQ(detail("[server]\nlisten = \"127.0.0.1:abc\"\n"),
            "sluice.toml: key 'server.listen' is \"127.0.0.1:abc\": the port 'abc' is not an integer");
  EXPECT_EQ(detail("[server]\nlisten = \"127.0.0.1:70000\"\n"),
            "sluice.toml: key 'server.listen' is \"127.0.0.1:70000\": the port must be 0..65535");
  EXPECT_EQ(detail("[server]\nlisten = \":80\"\n"),
            "sluice.toml: key 'server.listen' is \":80\": expected IPv4:PORT or [IPv6]:PORT (no host)");
  EXPECT_EQ(detail("[server]\nlisten = \"[::1]:8080\"\n"), "(accepted)");
  // The value is quoted on one line whatever it holds.
  EXPECT_EQ(detail("[server]\nlisten = \"a\\nb:1\"\n"),
            "sluice.toml: key 'server.listen' is \"a\\nb:1\": 'a\\nb' is not an IP address (IPv4, or IPv6 in "
            "brackets; host names are not accepted)");
}

TEST(Config, CompliancePublicUrlIsASchemeAndAHostOnly) {
  auto c = ParseConfig("[compliance]\npublic_url = \"https://api.example.com:8443\"\nupload_max_bytes = 4096\n", "a.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->compliance.public_url, "https://api.example.com:8443");
  EXPECT_EQ(c->compliance.upload_max_bytes, 4096);
  EXPECT_EQ(ParseConfig("", "a.toml")->compliance.upload_expiry_ms, 15 * 60 * 1000);  // X's
  for (const char* bad : {"api.example.com", "https://", "https://api.example.com/x", "ftp://a", "http://a?b"}) {
    auto r = ParseConfig(std::string("[compliance]\npublic_url = \"") + bad + "\"\n", "a.toml");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("a.toml: key 'compliance.public_url' is \"") + bad +
                                        "\": give a scheme and a host, e.g. \"https://api.example.com\" (no path)");
  }
  EXPECT_EQ(ParseConfig("", "a.toml")->compliance.check_lease_ms, 30000);
  auto lease = ParseConfig("[compliance]\ncheck_lease_ms = 50\n", "a.toml");
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().message(), "a.toml: key 'compliance.check_lease_ms' must be 100..3600000");
  auto small = ParseConfig("[compliance]\nupload_max_bytes = 10\n", "a.toml");
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().message(), "a.toml: key 'compliance.upload_max_bytes' must be 1024..1073741824");
}

}  // namespace
}  // namespace sluice
