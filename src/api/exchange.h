#pragma once
//! The request path as a list of stages (the model is Envoy's HTTP filter chain). Three kinds
//! of state, kept apart:
//!   Services     shared by every worker, thread-safe (store factory aside, everything a stage
//!                or handler may call); they outlive the server.
//!   WorkerState  one worker thread's: its store connection, its caches, its executor.
//!   Exchange     one request's: what the stages learnt and decided, and the response.
//! The list of stages is fixed when the server starts (RequestStages, stages.h): a stage that
//! is off is not in the list. A stage returns a Verdict: continue, answer now (a refusal,
//! with its reason), or wait: it has started something that completes later and calls the
//! Resume it took from Exchange::Suspend, and the chain goes on, on the same worker, without
//! having blocked it.

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "access/admission_counters.h"
#include "access/oauth_tokens.h"
#include "access/plans.h"
#include "access/rate_limiter.h"
#include "access/usage_meter.h"
#include "api/context.h"
#include "api/lookup_cache.h"
#include "api/refusal.h"
#include "core/routes.h"

namespace sluice {

class AdminApi;
class AdminEvidence;
class Chain;
class Ledger;
class Metrics;
class OAuthServer;
class RevocationGeneration;
class StreamHub;
class PortalFiles;
class TrapInjector;

//! Runs work later on one worker's thread. Post may be called from any thread; PostAfter only
//! on the worker's own.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void Post(std::function<void()> fn) = 0;
  virtual void PostAfter(TimeMs delay_ms, std::function<void()> fn) = 0;
  //! While the returned token lives, the worker's loop keeps running though it has nothing
  //! else to do (a request waits on another thread: the ledger's). Null where not needed.
  virtual std::shared_ptr<void> KeepRunning() { return nullptr; }
};

//! What every worker shares. The optional services decide which stages are in the list (an
//! absent one's stage is not) and what handlers may use; none is ever switched off per request.
struct Services {
  const Clock& clock;
  SnowflakeGenerator& ids;
  const Config& config;
  const Plans& plans;
  Metrics& metrics;
  Ledger* ledger = nullptr;         // absent: nothing is recorded (no record stage)
  RateLimiter* limiter = nullptr;   // absent: no rate-limit stage
  UsageMeter* meter = nullptr;      // absent: no write-check or cap stage (metering.enabled = false)
  TrapInjector* traps = nullptr;    // absent: pages carry no trap records
  const RevocationGeneration* revocations = nullptr;  // absent: a revocation shows within kAppCacheMs
  //! Shared counters (Redis, `--limits`): present, the rate-limit, write-check and cap stages
  //! decide through them and wait for their answer (limiter and meter stay for the usage
  //! endpoint and the budget); absent, the stages use the limiter and meter directly.
  AdmissionCounters* counters = nullptr;
  //! The authorization server's pages and endpoints (RouteKind::kOAuth); absent: they answer 404.
  OAuthServer* oauth = nullptr;
  //! The admin API (RouteKind::kAdmin, api/admin.h); absent: its routes answer 404.
  const AdminApi* admin = nullptr;
  //! The streams open on this node (api/stream_hub.h); absent: the stream endpoints answer 503.
  StreamHub* streams = nullptr;
  //! The admin API's ledger and trace-run routes (api/admin_evidence.h); absent: they answer 404.
  AdminEvidence* evidence = nullptr;
  //! The portal's files (api/portal_files.h), served at / and /portal/; absent: those answer 404.
  const PortalFiles* portal = nullptr;
  //! How an error becomes a response: src/http's ProblemResponse (the one place where a Status
  //! becomes X's problem), set by the Router that runs the stages.
  ApiResponse (*error_response)(const Status&) = nullptr;
  //! Where clients reach this server (compliance.public_url, else http(s)://<bound address>):
  //! the base of the upload and download URLs of compliance jobs.
  std::string public_url;
};

//! One worker's state: used by its thread only.
struct WorkerState {
  WorkerState(Store& s, Executor& e) : store(s), executor(e) {}

  Store& store;
  Executor& executor;

  //! The tokens this worker authenticated, by token hash (AuthenticateCached): an app's, or a
  //! user access token's (`user` set, its app in `app`). Emptied when the revocation generation
  //! moves, and each entry re-read from the store after kAppCacheMs.
  struct CachedApp {
    TimeMs loaded_at = 0;
    App app;
    std::optional<UserAccess> user;
  };
  static constexpr TimeMs kAppCacheMs = 1000;
  static constexpr size_t kAppCacheSize = 4096;
  std::unordered_map<std::string, CachedApp> app_cache;
  uint64_t app_cache_generation = 0;  // the revocation generation read before app_cache's entries were

  //! What the cap stage reads about projects (cycle day, credits added), re-read after
  //! kProjectCacheMs so that `sluice credits add` shows within a second.
  struct CachedProject {
    TimeMs loaded_at = 0;
    int cap_reset_day = 1;
    int64_t credits_added = 0;  // micro-dollars
  };
  static constexpr TimeMs kProjectCacheMs = 1000;
  std::unordered_map<Id, CachedProject> project_cache;

  //! Rendered post lookups (lookup_cache.h); nullopt when server.lookup_cache_entries = 0.
  std::optional<LookupCache> lookup_cache;
};

struct Verdict {
  enum class Kind : uint8_t { kContinue, kAnswer, kWait };
  Kind kind = Kind::kContinue;
  static constexpr Verdict Continue() { return {Kind::kContinue}; }
  static constexpr Verdict Answer() { return {Kind::kAnswer}; }
  static constexpr Verdict Wait() { return {Kind::kWait}; }
};

//! One request on its way through the stages.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(const Services& s, WorkerState& w, const ApiRequest& r, RouteId id, std::string_view c,
           std::string_view c2 = {})
      : services(s), worker(w), request(r), route(id), capture(c), capture2(c2) {}

  const Services& services;
  WorkerState& worker;
  const ApiRequest request;  // views into the connection's buffers, alive until the response is sent
  const RouteId route;
  const std::string_view capture;  // the route's ":x" segment
  const std::string_view capture2; // its second, for a route with two (RouteMatch::capture2)
  TimeMs now = 0;                  // the request's one clock reading: every stage decides by it
  uint64_t write_generation = 0;   // StoreWriteGeneration() before this request's store reads

  // What the stages found out, in the order they run.
  std::optional<App> app;          // authenticate
  std::optional<UserAccess> user;  // authenticate: present for a user access token (its app is `app`)
  const Plan* plan = nullptr;      // plan and licence
  // Rate limit. A decision's `allowed` says it holds a place in its window (false once given back).
  std::optional<LimitDecision> limit;  // the app's window: the decision, when one was made
  uint64_t limit_key = 0;
  TimeMs limit_window_ms = 0;
  bool limit_daily = false;
  std::optional<LimitDecision> user_limit;  // user context: the user's window (app, user, route), when decided
  uint64_t user_limit_key = 0;
  TimeMs user_limit_window_ms = 0;
  std::optional<UsageCharge> charge;  // write check (POST) or cap (GET): kept, or refunded
  bool succeeded = false;          // the response was a success once the stages before the headers were done
  bool record_failed = false;      // the record stage could not append (or make durable) its record
  bool streamed = false;           // a post on an open stream (StreamConnection), not a request of its own

  ApiResponse response;
  Refusal refusal = Refusal::kNone;

  //! Sets the response to `error`'s and says why: return its value from Stage::Run.
  Verdict Refuse(Refusal reason, const Status& error);
  //! Sets the response to `error`'s (a failure, not a refusal).
  void Fail(const Status& error) { response = services.error_response(error); }

  //! For a stage about to return Verdict::Wait: the function to call (once, from any thread)
  //! when what it waits for is done. The chain then goes on with the next stage on this
  //! exchange's worker. Holds the exchange alive until called.
  std::function<void()> Suspend();
  //! For a waiting stage whose answer came: call before the Suspend function, with the
  //! response (Refuse, Fail) set, and the chain takes it as that stage's Verdict::Answer.
  void AnswerOnResume() { answer_on_resume_ = true; }

  //! Whether what the request reserved and did stays: it succeeded and its record (if it
  //! needed one) was written, a write's made durable. A write whose store update failed after
  //! its record stays: the next start applies it (write_intents.h).
  bool kept() const { return succeeded && !record_failed; }

  //! The handler's view of this request.
  ApiContext Context();

 private:
  friend class Chain;
  const Chain* chain_ = nullptr;
  size_t next_ = 0;         // the next stage to run
  size_t ran_ = 0;          // stages whose Run was called: [0, ran_)
  bool answered_ = false;   // a stage answered: only stages that run after an answer are left
  bool released_ = false;   // Release has run for every stage that ran
  bool reads_open_ = false;
  bool answer_on_resume_ = false;  // set before resuming (the executor's queue orders it)
  std::function<void(ApiResponse)> done_;
};

class Stage {
 public:
  virtual ~Stage() = default;
  //! A short name for logs: "authenticate", "rate-limit", ...
  virtual std::string_view name() const = 0;
  //! Runs on the request. May throw: the chain answers 500 and logs it.
  virtual Verdict Run(Exchange& ex) = 0;
  //! Gives back what Run reserved (a rate-limit admission, a charge), for a request refused
  //! by a later stage or not recorded: a refused request leaves nothing behind. Called at most
  //! once per exchange, for every stage that ran, last stage first.
  virtual void Release(Exchange& ex) {}
  //! True for the stages that shape and record every response (headers, the ledger, applying
  //! a write): they run after an earlier stage answered, too. They read no store snapshot.
  virtual bool runs_after_answer() const { return false; }
};

//! A fixed list of stages, run in order for each exchange.
class Chain {
 public:
  explicit Chain(std::vector<std::unique_ptr<Stage>> stages) : stages_(std::move(stages)) {}

  //! Runs `ex` through the stages; calls `done` with the response once the last has run: at
  //! once, or later on ex's worker when a stage waited. Never throws.
  void Start(std::shared_ptr<Exchange> ex, std::function<void(ApiResponse)> done) const;

  const std::vector<std::unique_ptr<Stage>>& stages() const { return stages_; }

 private:
  friend class Exchange;  // Suspend's resume goes on with Advance
  void Advance(const std::shared_ptr<Exchange>& ex) const;
  void Answered(Exchange& ex) const;
  void ReleaseAll(Exchange& ex) const;
  void OpenReads(Exchange& ex) const;
  void CloseReads(Exchange& ex) const;

  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace sluice
