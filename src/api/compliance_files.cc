// The upload and download URLs of batch compliance jobs (RouteKind::kCapability): the token
// in the path names the job and is the only authority, as X's signed storage URLs are. The
// upload (compliance_upload.cc) starts the check, in slices on the worker's executor; each
// download of the result is a compliance notice, recorded in the ledger before the file is sent.
#include <spdlog/spdlog.h>

#include "api/compliance.h"
#include "api/exchange.h"
#include "core/time_format.h"
#include "ledger/ledger.h"

namespace sluice {

namespace {

// The token of a route is the segment as sent; tokens are base64url, so a token that needs
// decoding is not one.
Status UnknownUrl(RouteId route) {
  return NotFound("compliance_job", route == RouteId::kDownloadComplianceResult ? "download_url" : "upload_url", "",
                  "No compliance job has this URL.");
}

// A job's check, one slice of ids per task on the worker that holds its lease.
struct Check {
  const Services* services;
  WorkerState* worker;
  Id job_id;
  std::string type;
  std::vector<Id> ids;
  size_t next = 0;
  std::string result;
  TimeMs renewed_at = 0;
};

void Finish(const std::shared_ptr<Check>& c, std::string_view status, std::string_view result) {
  auto done = c->worker->store.FinishComplianceJob(c->job_id, status, result, int64_t(c->ids.size()));
  if (!done.ok()) spdlog::error("compliance job {}: could not store its result: {}", c->job_id, done.status().message());
}

void RunSlice(const std::shared_ptr<Check>& c) {
  const TimeMs now = c->services->clock.NowMs();
  const TimeMs lease = c->services->config.compliance.check_lease_ms;
  if (now - c->renewed_at >= lease / 3) {
    // A store error keeps the lease running out: another taker checks the job again.
    auto renewed = c->worker->store.RenewComplianceJob(c->job_id, now + lease);
    if (!renewed.ok() || !*renewed) return;
    c->renewed_at = now;
  }
  const size_t n = std::min(kComplianceSlice, c->ids.size() - c->next);
  auto lines = CheckComplianceIds(c->worker->store, c->type, std::span<const Id>(c->ids).subspan(c->next, n), now);
  if (!lines.ok()) {
    spdlog::error("compliance job {} failed: {}", c->job_id, lines.status().message());
    return Finish(c, "failed", "The store could not be read: " + lines.status().message());
  }
  c->result += *lines;
  c->next += n;
  if (c->next == c->ids.size()) return Finish(c, "complete", c->result);
  c->worker->executor.Post([c] { RunSlice(c); });
}

}  // namespace

std::string ComplianceIdsText(const std::vector<Id>& ids) {
  std::string out;
  out.reserve(ids.size() * 20);
  for (Id id : ids) (out += std::to_string(id)) += '\n';
  return out;
}

void CheckComplianceJob(const Services& services, WorkerState& worker, const ComplianceJob& job, std::vector<Id> ids) {
  // The lease was just taken (upload, or a takeover), so the first slice need not renew it.
  auto check = std::make_shared<Check>(
      Check{&services, &worker, job.id, job.type, std::move(ids), 0, {}, services.clock.NowMs()});
  worker.executor.Post([check] { RunSlice(check); });
}

void ServeComplianceFile(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                         std::string_view token, std::function<void(ApiResponse)> done) {
  const TimeMs now = services.clock.NowMs();
  auto job = worker.store.FindComplianceJobByToken(token);
  if (!job.ok()) return done(services.error_response(job.status()));
  const bool upload = route != RouteId::kDownloadComplianceResult;
  // The other URL's token names the job too, but not this URL: not found, as any wrong token.
  if (!job->has_value() || (upload ? (*job)->upload_token : (*job)->download_token) != token)
    return done(services.error_response(UnknownUrl(route)));
  if (upload) return done(ServeComplianceUpload(services, route, worker, req, **job));

  const ComplianceJob& j = **job;
  if (j.status != "complete")
    return done(services.error_response(
        Conflict("The result of this compliance job is not ready: its status is " + std::string(ComplianceJobStatus(j, now)) +
                 (j.status == "failed" ? " (" + j.result + ")" : "") + ".")));
  if (now >= j.download_expires_at)
    return done(services.error_response(Forbidden("compliance_job", "download_url", std::to_string(j.id),
                                                  "The download URL of this compliance job expired at " +
                                                      FormatTime(j.download_expires_at) + ".")));
  ApiResponse r = ApiResponse::Json(200, j.result);
  r.content_type = "application/x-ndjson";
  if (!services.ledger) return done(std::move(r));
  // The notice: the ids the file tells the app about, recorded (durably) before it is sent.
  std::vector<Id> ids;
  for (size_t at = 0; at < j.result.size();) {
    size_t end = j.result.find('\n', at);
    if (end == std::string::npos) end = j.result.size();
    if (Id id = ComplianceResultLineId(std::string_view(j.result).substr(at, end - at))) ids.push_back(id);
    at = end + 1;
  }
  const bool posts = j.type == "tweets";
  LedgerRecord record = ComplianceNoticeRecord(services.config, now, j.app_id, j.project_id, EndpointName(route),
                                               "job:" + std::to_string(j.id), posts ? ids : std::vector<Id>{},
                                               posts ? std::vector<Id>{} : ids, req.request_id, r.body.size());
  auto seq = services.ledger->Append(std::move(record));
  if (!seq.ok()) return done(services.error_response(seq.status()));
  auto keep = worker.executor.KeepRunning();
  auto response = std::make_shared<ApiResponse>(std::move(r));
  services.ledger->WhenDurable(*seq, [&services, &worker, response, keep, done = std::move(done)](Status s) mutable {
    // On the ledger's sync thread (or here): hand the answer back to the worker.
    worker.executor.Post([&services, response, s, keep, done = std::move(done)] {
      done(s.ok() ? std::move(*response) : services.error_response(s));
    });
  });
}

}  // namespace sluice
