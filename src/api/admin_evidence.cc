#include "api/admin_evidence.h"

#include <pthread.h>

#include <boost/json.hpp>
#include <chrono>

#include <spdlog/spdlog.h>

#include "api/admin_call.h"
#include "api/params.h"
#include "core/json_writer.h"
#include "core/parse.h"
#include "core/time_format.h"
#include "ledger/ledger.h"
#include "ledger/proof_bundle.h"
#include "ledger/tools.h"
#include "provenance/trace_runs.h"

namespace sluice {

namespace json = boost::json;

namespace {

// {"data": <json>}
ApiResponse Data(int status, std::string_view json) {
  std::string body = "{\"data\":";
  body += json;
  body += '}';
  ApiResponse r = ApiResponse::Json(status, std::move(body));
  r.headers.emplace_back("Cache-Control", "no-store");  // as every admin answer (admin.h)
  return r;
}

ApiResponse Error(const Services& services, const Status& s) { return services.error_response(s); }

// {"tree_size","root","signed_at": the object is left open for more members.
void CheckpointJson(JsonWriter& w, const Checkpoint& cp, std::optional<TimeMs> signed_at) {
  w.BeginObject();
  w.MemberInt("tree_size", int64_t(cp.size));
  w.Member("root", HashToHex(cp.root));
  w.Key("signed_at");
  if (signed_at) w.String(FormatTime(*signed_at));
  else w.Null();
}

// A route's id segment: 1 to 19 digits (X's id pattern), else kInvalidRequest naming it.
Result<Id> SegmentId(std::string_view name, std::string_view value) {
  const auto id = ParseInt<Id>(value, 1);
  if (value.empty() || value.size() > 19 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }) || !id.ok())
    return InvalidRequest(std::string(name), std::string(value),
                          "The `" + std::string(name) + "` path segment must be a decimal id, not [" +
                              std::string(value) + "]");
  return id.value;
}

bool IsJson(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type == "application/json";
}

}  // namespace

AdminEvidence::AdminEvidence(const Clock& clock, Options options) : clock_(clock), options_(std::move(options)) {
  tasks_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "admin-evidence");
    TaskLoop();
  });
  verifier_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ledger-verify");
    VerifyLoop();
  });
}

AdminEvidence::~AdminEvidence() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  tasks_.join();  // after the jobs queued: the server drained first, so none waits on a worker gone
  verifier_.join();
}

bool AdminEvidence::Serves(RouteId route) {
  // The admin routes AdminRouteOf gives a rule but no handler of its own are this class's.
  return RouteOf(route).kind == RouteKind::kAdmin && AdminRouteOf(route).handler == nullptr;
}

void AdminEvidence::Later(const Services& services, WorkerState& worker, std::function<ApiResponse()> work,
                          std::function<void(ApiResponse)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && jobs_.size() < options_.max_queued) {
      // An exception is the job's answer (a 500), not the end of the task thread.
      auto guarded = [&services, work = std::move(work)]() -> ApiResponse {
        try {
          return work();
        } catch (...) {
          Status s = CurrentExceptionStatus();
          spdlog::error("admin evidence: {}", s.message());
          return services.error_response(s);
        }
      };
      jobs_.push_back(Job{std::move(guarded), &worker.executor, std::move(done), worker.executor.KeepRunning()});
      cv_.notify_all();
      return;
    }
  }
  done(Error(services, ServiceUnavailable("The server is busy with other admin requests; try again", 1)));
}

void AdminEvidence::TaskLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    ApiResponse r = job.work();
    job.executor->Post([done = std::move(job.done), r = std::move(r), keep = std::move(job.keep)]() mutable {
      done(std::move(r));
    });
  }
}

void AdminEvidence::Verify(const Services& services, WorkerState& worker, std::function<void(ApiResponse)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      verify_waiters_.push_back(Job{nullptr, &worker.executor, std::move(done), worker.executor.KeepRunning()});
      cv_.notify_all();
      return;
    }
  }
  done(Error(services, ServiceUnavailable("The server is stopping", 1)));
}

void AdminEvidence::VerifyLoop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !verify_waiters_.empty(); });
      if (stopping_) return;
    }
    std::string result = VerifyNow();
    std::vector<Job> waiters;
    {
      std::lock_guard lock(mu_);
      last_verify_ = result;
      waiters.swap(verify_waiters_);  // also those who asked while it ran: this verify answers them
    }
    for (Job& w : waiters)
      w.executor->Post([done = std::move(w.done), result, keep = std::move(w.keep)] { done(Data(200, result)); });
  }
}

std::string AdminEvidence::VerifyNow() {
  // The size first: every record below it is durable, and the checkpoints and tree hashes
  // read next cover no more than the server has made durable by then.
  const uint64_t durable = options_.ledger->DurableSize();
  const auto started = std::chrono::steady_clock::now();
  auto report = VerifyLedgerPrefix(options_.ledger_dir, durable, nullptr);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  JsonWriter w;
  w.BeginObject();
  w.MemberBool("ok", report.ok());
  w.MemberInt("records", int64_t(durable));
  w.MemberInt("checkpoints", report.ok() ? int64_t(report->checkpoints) : 0);
  w.Member("checked_at", FormatTime(clock_.NowMs()));
  if (report.ok()) w.Member("root", HashToHex(report->root));
  w.Key("problems");
  w.BeginArray();
  if (!report.ok()) w.String(report.status().message());
  w.EndArray();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  w.Key("seconds");
  w.Raw(buf);
  w.EndObject();
  if (!report.ok()) spdlog::error("ledger verify: {}", report.status().message());
  else spdlog::info("ledger verify: {} records, {} checkpoints OK in {:.3f} s", durable, report->checkpoints, seconds);
  return w.Take();
}

ApiResponse AdminEvidence::LedgerStatus(const Services& services) {
  auto key = LedgerPublicKey(options_.ledger_dir);
  if (!key.ok()) return Error(services, key.status());
  auto latest = LatestCheckpoint(options_.ledger_dir);
  if (!latest.ok()) return Error(services, latest.status());
  JsonWriter w;
  w.BeginObject();
  w.Member("origin", latest->has_value() ? (*latest)->checkpoint.origin : options_.origin);
  w.MemberInt("size_bytes", int64_t(LedgerSegmentBytes(options_.ledger_dir)));
  w.MemberInt("records", int64_t(options_.ledger->DurableSize()));
  w.Key("latest_checkpoint");
  if (latest->has_value()) {
    CheckpointJson(w, (*latest)->checkpoint, (*latest)->signed_at);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("last_verify");
  {
    std::lock_guard lock(mu_);
    if (last_verify_) w.Raw(*last_verify_);
    else w.Null();
  }
  w.Member("public_key", *key);
  w.EndObject();
  return Data(200, w.str());
}

ApiResponse AdminEvidence::SignCheckpoint(const Services& services) {
  auto note = options_.ledger->Checkpoint();  // waits for the ledger's sync thread
  if (!note.ok()) return Error(services, note.status());
  auto key = LedgerPublicKey(options_.ledger_dir);
  if (!key.ok()) return Error(services, key.status());
  auto cp = VerifyCheckpoint(*note, *key);
  if (!cp.ok()) return Error(services, InternalError("the checkpoint just signed does not verify: " + cp.status().message()));
  // Its signing time is its file's (no record since the last one: that one, signed earlier).
  std::optional<TimeMs> signed_at;
  if (auto latest = LatestCheckpoint(options_.ledger_dir); latest.ok() && latest->has_value() &&
                                                           (*latest)->checkpoint.size == cp->size)
    signed_at = (*latest)->signed_at;
  JsonWriter w;
  CheckpointJson(w, *cp, signed_at ? signed_at : std::optional<TimeMs>(clock_.NowMs()));
  w.Member("checkpoint", *note);
  w.EndObject();
  return Data(201, w.str());
}

void AdminEvidence::Handle(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                           std::string_view capture, std::string_view capture2, std::function<void(ApiResponse)> done) {
  try {
    switch (route) {
      case RouteId::kAdminLedger:
        return Later(services, worker, [this, &services] { return LedgerStatus(services); }, std::move(done));
      case RouteId::kAdminVerifyLedger:
        return Verify(services, worker, std::move(done));
      case RouteId::kAdminSignCheckpoint:
        return Later(services, worker, [this, &services] { return SignCheckpoint(services); }, std::move(done));
      case RouteId::kAdminCreateTrace: {
        TraceRuns* traces = options_.traces;
        if (IsJson(req.content_type)) {
          // {"path": "/abs/file"}: a file on the server, read in place.
          boost::system::error_code ec;
          json::value body = json::parse(req.body, ec);
          if (ec || !body.is_object())
            return done(Error(services, InvalidRequest("body", "", "The body must be a JSON object: {\"path\": \"/absolute/file\"}")));
          for (const auto& kv : body.as_object())
            if (kv.key() != "path")
              return done(Error(services, InvalidRequest(std::string(kv.key()), "", "Unknown member [" + std::string(kv.key()) +
                                                                                      "]: the body is {\"path\": ...}")));
          const json::value* path = body.as_object().if_contains("path");
          if (!path || !path->is_string())
            return done(Error(services, InvalidRequest("path", "", "The body needs a string member `path`: an absolute file name on the server")));
          return Later(services, worker, [traces, &services, p = std::string(path->as_string())]() -> ApiResponse {
            auto run = traces->SubmitPath(p);
            if (!run.ok()) return Error(services, run.status());
            return Data(202, TraceRuns::RunJson(*run, std::nullopt));
          }, std::move(done));
        }
        auto params = Params::Parse(req.query);
        if (!params.ok()) return done(Error(services, params.status()));
        if (Status s = params->CheckAllowed({"name"}); !s.ok()) return done(Error(services, s));
        if (int64_t(req.body.size()) > options_.upload_max_bytes)
          return done(Error(services, PayloadTooLarge("The dataset is larger than traces.upload_max_bytes (" +
                                                      std::to_string(options_.upload_max_bytes) +
                                                      " bytes): give the path of a file on the server instead")));
        // req.body stays valid until the response is sent: the task thread reads it in place.
        return Later(services, worker, [traces, &services, name = std::string(params->Get("name").value_or("")),
                                        body = req.body]() -> ApiResponse {
          auto run = traces->SubmitUpload(name, body);
          if (!run.ok()) return Error(services, run.status());
          return Data(202, TraceRuns::RunJson(*run, std::nullopt));
        }, std::move(done));
      }
      case RouteId::kAdminGetTraces: {
        // From memory: no report (null) in the list; GET /admin/v1/traces/:id has it.
        std::string list = "[";
        for (const TraceRunInfo& run : options_.traces->List()) {
          if (list.size() > 1) list += ',';
          list += TraceRuns::RunJson(run, std::nullopt);
        }
        list += ']';
        return done(Data(200, list));
      }
      case RouteId::kAdminGetTrace: {
        auto id = SegmentId("id", capture);
        if (!id.ok()) return done(Error(services, id.status()));
        TraceRuns* traces = options_.traces;
        return Later(services, worker, [traces, &services, id = *id]() -> ApiResponse {
          auto run = traces->Find(id);
          if (!run)
            return Error(services, NotFound("trace", "id", std::to_string(id), "No trace run with id " + std::to_string(id)));
          auto report = traces->Report(id);
          if (!report.ok()) return Error(services, report.status());
          return Data(200, TraceRuns::RunJson(*run, *report));
        }, std::move(done));
      }
      case RouteId::kAdminGetTraceEvidence: {
        auto id = SegmentId("id", capture);
        if (!id.ok()) return done(Error(services, id.status()));
        auto app = SegmentId("app_id", capture2);
        if (!app.ok()) return done(Error(services, app.status()));
        TraceRuns* traces = options_.traces;
        return Later(services, worker, [traces, &services, id = *id, app = *app]() -> ApiResponse {
          auto bundle = traces->Evidence(id, app);
          if (!bundle.ok()) return Error(services, bundle.status());
          ApiResponse r = ApiResponse::Json(200, std::move(*bundle));
          r.headers.emplace_back("Cache-Control", "no-store");
          r.headers.emplace_back("Content-Disposition", "attachment; filename=\"sluice-evidence-" + std::to_string(id) +
                                                            "-app-" + std::to_string(app) + ".json\"");
          return r;
        }, std::move(done));
      }
      default:
        return done(Error(services, InternalError("not an evidence route")));
    }
  } catch (...) {
    Status s = CurrentExceptionStatus();
    spdlog::error("admin evidence: {}", s.message());
    done(Error(services, s));
  }
}

}  // namespace sluice
