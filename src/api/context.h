#pragma once
//! The plain types the API handlers take and return: no sockets, no Beast. http/ converts
//! to and from the wire; tests call handlers directly.

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "core/snowflake.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

class Ledger;
class LookupCache;
class Metrics;
class Plans;
class RateLimiter;
class RevocationGeneration;
class UsageMeter;
class TrapInjector;

struct ApiRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // "/2/tweets/123", still percent-encoded
  std::string_view query;   // after '?', still percent-encoded; empty when none
  std::string_view authorization;
  std::string_view content_type;
  std::string_view accept;
  std::string_view body;
  std::string_view request_id;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Names are string literals (static storage): Sluice sends only headers it names itself,
  // and a literal costs no allocation per response (most of them are past the 15 characters
  // a std::string holds without one).
  std::vector<std::pair<std::string_view, std::string>> headers;
  // For the ledger: the posts and users this response delivers (data, then includes), or the
  // post it created or deleted, in response order.
  std::vector<Id> delivered_posts;
  std::vector<Id> delivered_users;
  std::vector<Id> delivered_traps;  // trap records in the page: ledgered, never counted or billed
  // The post whose creation or deletion the handler noted (Store::NotePendingPost,
  // NoteDeletion) and the router applies once its record is durable (write_intents.h); 0: none.
  Id write_intent = 0;

  static ApiResponse Json(int status, std::string body);
};

//! Everything a handler needs, one per worker thread (the Store is that worker's connection).
struct ApiContext {
  Store& store;
  const Clock& clock;
  SnowflakeGenerator& ids;
  const Config& config;
  Ledger* ledger = nullptr;  // shared by all workers (thread-safe); null: nothing is recorded
  Metrics* metrics = nullptr;  // shared (thread-safe); null: nothing is counted
  const Plans* plans = nullptr;  // null: no metering (every app may call everything)
  RateLimiter* limiter = nullptr;  // shared (thread-safe); null: no rate limits
  UsageMeter* meter = nullptr;     // shared (thread-safe); null: no caps or credits
  TrapInjector* traps = nullptr;   // shared (thread-safe); null: no trap records

  //! This worker's copy of what the cap stage reads about projects (cycle day, credits
  //! added), refreshed after kProjectCacheMs so that `sluice credits add` shows within a second.
  struct CachedProject {
    TimeMs loaded_at = 0;
    int cap_reset_day = 1;
    int64_t credits_added = 0;  // micro-dollars
  };
  static constexpr TimeMs kProjectCacheMs = 1000;
  std::unordered_map<Id, CachedProject> project_cache = {};

  //! This worker's copy of the apps it authenticated, by token hash (AuthenticateCached):
  //! emptied when `revocations` moves (a token was revoked or rotated: refused from the next
  //! request on), and each entry re-read from the store after kAppCacheMs regardless.
  struct CachedApp {
    TimeMs loaded_at = 0;
    App app;
  };
  static constexpr TimeMs kAppCacheMs = 1000;
  static constexpr size_t kAppCacheSize = 4096;
  std::unordered_map<std::string, CachedApp> app_cache = {};
  //! Shared (DATA/auth.generation, access/revocations.h); null: revocations show within
  //! kAppCacheMs only.
  const RevocationGeneration* revocations = nullptr;
  //! revocations->Load() as read before app_cache's entries were read from the store.
  uint64_t app_cache_generation = 0;

  //! This worker's rendered post lookups (lookup_cache.h); null: none kept.
  LookupCache* lookup_cache = nullptr;
  //! StoreWriteGeneration() as the router read it before this request's first store read
  //! (what a response rendered now may be cached under). 0 when no router set it, which is
  //! never later than the true value: at worst a response is not kept.
  uint64_t write_generation = 0;
  //! The request's time: `clock` as Dispatch read it when the request began, the only reading
  //! for the request. Every stage decides by it (the app cache's age, the rate-limit window,
  //! the cap's day and cycle, the lookup cache's poll, the ledger record's time), so they agree
  //! on when the request happened; and a clock read costs about as much as a rate-limit
  //! decision. Code that runs a stage outside Dispatch (tests) sets it first.
  TimeMs now = 0;
};

}  // namespace sluice
