#pragma once
//! Config: every setting of a running Sluice, loaded once from TOML and then immutable
//! (shared read-only by all workers). Loading rejects unknown keys and wrong types, naming
//! the file and the key. config/sluice.example.toml documents each setting and its default.

#include <cstdint>
#include <string>

#include "core/result.h"

namespace sluice {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  int workers = 0;                      // 0: one per core
  int64_t header_limit_bytes = 8 * 1024;
  int64_t body_limit_bytes = 64 * 1024;
  int64_t header_timeout_ms = 10'000;   // a request's header, whole: from accept or its first byte
  int64_t body_timeout_ms = 10'000;     // a request's body, whole: from the end of its header
  int64_t send_timeout_ms = 10'000;     // a response, whole, taken by the client
  int64_t idle_timeout_ms = 60'000;     // keep-alive connection between requests
  int64_t max_connections = 0;          // open connections; 0: from RLIMIT_NOFILE (DefaultMaxConnections)
  int64_t drain_timeout_ms = 10'000;    // SIGTERM: how long in-flight requests may take
  int64_t lookup_cache_entries = 10'000;  // per worker, rendered GET /2/tweets/:id responses; 0: none
  // A stream (api/stream_sink.h): bytes queued for a reader that does not take them, past
  // which it is disconnected as too slow (X's SlowReader); and the keep-alive "\r\n" after
  // this long with nothing sent (X: 20 s).
  int64_t stream_buffer_bytes = 1 << 20;
  int64_t stream_keepalive_ms = 20'000;
  // Several nodes (a shared store): how long a stream's connection slot outlives its node's
  // last renewal (api/stream_slots.h); a stopped node's streams count this long.
  int64_t stream_slot_lease_ms = 30'000;
  std::string tls_cert;                 // PEM files; both set = HTTPS
  std::string tls_key;
};

struct PostsConfig {
  int64_t max_chars = 280;  // weighted length as X counts it (WeightedLength)
};

struct LedgerConfig {
  std::string sync = "interval";            // interval (group commit) or always (fdatasync per append)
  int64_t sync_interval_ms = 10;
  int64_t segment_bytes = 64LL << 20;        // a new segment file past this size
  std::string origin = "sluice.local/ledger";  // the log's name in signed checkpoints
  int64_t checkpoint_every_records = 100000;
  int64_t checkpoint_every_ms = 1000;
  // Checkpoint retention (docs/ledger.md): every checkpoint of the last hours, the newest of
  // each hour for these days, the newest of each day before.
  int64_t checkpoint_keep_all_hours = 1;
  int64_t checkpoint_keep_hourly_days = 30;
  // A usage snapshot (api/usage_snapshot.h) with a checkpoint at most this often, and at stop.
  int64_t usage_snapshot_every_ms = 10'000;
};

struct TrapsConfig {
  bool enabled = true;
  int64_t every_posts = 5000;  // one trap record per this many posts delivered to an app
};

// Off only for benchmarks and tests (bench/http_bench.sh): no rate limits (nor their
// x-rate-limit-* headers), no caps, no credits, no usage counting. Authentication, the plan
// and licence checks, the handlers and the ledger record of every delivery stay on.
struct MeteringConfig {
  bool enabled = true;
};

// Envoy's fault injection, delay only (docs/testing.md): every API request waits this long
// on its worker's timer before it is authenticated, without blocking the worker. For testing
// clients' timeouts and the server's concurrency; 0 (the default): the stage is not in the list.
struct FaultConfig {
  int64_t delay_ms = 0;
};

// Where the admission counters live (docs/limits.md, "Several nodes"): this node only (url
// empty), or Redis shared by every node. When Redis cannot be reached: "closed" answers 503
// with Retry-After; "open" lets each of `nodes` nodes enforce limit / nodes locally. No request
// waits more than timeout_ms on Redis; once it failed, a breaker answers at once and probes it
// every probe_interval_ms.
struct LimitsConfig {
  std::string url;                            // "" or redis://HOST:PORT
  std::string on_backend_failure = "closed";  // closed | open
  int64_t nodes = 1;
  int64_t timeout_ms = 50;
  int64_t probe_interval_ms = 250;
  int64_t connections = 2;                    // to Redis, one I/O thread each
  // "strict": one Redis script per rate-limit decision. "fast": each node leases batches of
  // max(1, limit * lease_percent / 100 / nodes) admissions of a window (docs/limits.md).
  std::string mode = "strict";                // strict | fast
  int64_t lease_percent = 1;
};

//! OAuth 2.0 user context (docs/oauth.md).
struct OAuthConfig {
  //! App bearer tokens write as the app's own account on X's write endpoints (POST and DELETE
  //! /2/tweets, likes, reposts, follows, hidden replies), as Sluice did before user context. X
  //! refuses them there (403 Unsupported Authentication), and so does Sluice by default.
  bool app_tokens_write = false;
  //! The key that signs sign-in sessions and CSRF tokens: 32 random bytes in a file, made at
  //! first start when missing. "" = DATA/oauth-session.key. Nodes that share a store must share it.
  std::string session_key_file;
  //! An Ed25519 public key (64 hex digits) in a file: sign-in by an assertion the operator's own
  //! identity system signs with the private key. "" = off.
  std::string assertion_key_file;
};

//! Batch compliance jobs (docs/api.md, "Compliance"). The upload and download URLs of a job
//! are on Sluice itself: `public_url` (scheme and authority, no path) when set, else the
//! address the server listens on (http or https, the bound port).
struct ComplianceConfig {
  std::string public_url;                        // "" = http(s)://<listen>
  int64_t upload_max_bytes = 16LL << 20;         // one upload's body (X takes files of ids)
  int64_t upload_expiry_ms = 15 * 60 * 1000;     // X: the upload URL lasts 15 minutes
  int64_t download_expiry_ms = 7LL * 24 * 3600 * 1000;  // X: the download URL lasts a week
  //! A job's checker renews its lease while it checks; a job whose lease is past (its server
  //! stopped) is taken over by the next GET /2/compliance/jobs/:id on any node.
  int64_t check_lease_ms = 30'000;
};

//! The admin API and the portal's sign-in (docs/admin-api.md).
struct AdminConfig {
  //! The admin token: "sluice_admin_" and 43 base64url characters on one line, made (mode
  //! 0600) at first start when missing. "" = DATA/admin.token. Nodes that share a store and
  //! should accept one token share the file.
  std::string token_file;
  //! HOST:PORT of a listener of its own for the admin API and the portal (port 0 picks one).
  //! Set, they are served there only: the main listener answers their paths 404, and this one
  //! answers only them and the server's own routes (health, metrics). "" = the main listener.
  std::string listen;
};

//! Trace runs of the admin API (POST /admin/v1/traces; docs/admin-api.md).
struct TracesConfig {
  //! One uploaded dataset's body (held in memory while it arrives, then kept on disk under
  //! DATA/traces/<id>/): past it, 413. Larger datasets: {"path"} to a file on the server.
  int64_t upload_max_bytes = 256LL << 20;
  int64_t threads = 1;  // of each run's scan (`sluice trace --threads`)
};

//! The developer portal and operator console (docs/portal.md): the built web files served at
//! /portal/ (api/portal_files.h).
struct PortalConfig {
  //! "" = the first of /usr/share/sluice/web and the source tree's web/dist that holds index.html.
  std::string dir;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, off
  bool access_log = true;      // one JSON line per request on stderr
};

struct Config {
  ServerConfig server;
  PostsConfig posts;
  LedgerConfig ledger;
  TrapsConfig traps;
  MeteringConfig metering;
  FaultConfig fault;
  LimitsConfig limits;
  OAuthConfig oauth;
  ComplianceConfig compliance;
  AdminConfig admin;
  TracesConfig traces;
  PortalConfig portal;
  LogConfig log;
  std::string store_url = "sqlite";
  int64_t store_pool_size = 0;  // [store] pool_size: PostgreSQL connections a server keeps (0: workers + 4, at least 8)
  std::string plans_file;  // "" = the shipped plans (config/plans.toml, compiled in)
  int node_id = 0;
};

//! Reads `path`. Errors are CommandError (kUsage) such as
//! "config.toml: unknown key 'server.lissen'".
Result<Config> LoadConfig(const std::string& path);

//! The server's worker threads: server.workers, or one per core when it is 0.
int WorkerCount(const Config& config);
//! The PostgreSQL connections a server keeps: store.pool_size, or when it is 0 one per worker
//! and four for the threads beside them (usage snapshots, start-up), at least 8.
int StorePoolSize(const Config& config);
//! Parses TOML text; `name` is used in error messages.
Result<Config> ParseConfig(std::string_view toml_text, const std::string& name);

//! A TOML syntax error (config or plans file) as the one line sluice prints:
//! "NAME:LINE: description", control characters in the description (toml++ quotes what it
//! saw, a line break included) written as \n, \r, \t or \xNN.
Status TomlSyntaxError(const std::string& name, int64_t line, std::string_view description);

//! `error` with the control characters of its detail written as above: a config or plans
//! error quotes keys from the file as they are, and a quoted TOML key may hold a line break.
Status OneLineError(Status error);

}  // namespace sluice
