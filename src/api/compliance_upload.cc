// The upload URL of a batch compliance job (compliance.h): one PUT of the whole file, or, for a
// job created with "resumable": true, Google Cloud Storage's resumable upload protocol, which
// X's resumable upload URLs speak (docs/api.md "Compliance"):
//   POST <upload_url>, x-goog-resumable: start      -> 201, Location: <upload_url>?upload_id=S
//   PUT <session>, Content-Range: bytes A-B/*        -> 308, Range: bytes=0-B (the bytes kept)
//   PUT <session>, Content-Range: bytes A-B/TOTAL    -> 200 once B + 1 = TOTAL: the job starts
//   PUT <session>, Content-Range: bytes */TOTAL      -> 200 when TOTAL bytes are kept, else 308
//   PUT <session>, Content-Range: bytes */*          -> 308 (a status query)
// The bytes received so far are kept in the store with the job (Store::AppendComplianceUpload),
// so a session goes on across requests, workers and nodes.
#include "access/tokens.h"
#include "api/action_body.h"
#include "api/compliance.h"
#include "api/exchange.h"
#include "api/params.h"
#include "core/time_format.h"

namespace sluice {

namespace {

ApiResponse Empty(int status) {
  ApiResponse r = ApiResponse::Json(status, "");
  r.content_type = "text/plain; charset=utf-8";
  return r;
}

// GCS's answer to an upload not yet complete: 308 with the bytes kept as Range, no Range when
// none are.
ApiResponse Incomplete(int64_t kept) {
  ApiResponse r = Empty(308);
  if (kept > 0) r.headers.emplace_back("Range", "bytes=0-" + std::to_string(kept - 1));
  return r;
}

// X's file is text/plain; a client that sends none, or octet-stream (curl --data-binary
// with -T), is taken too.
Status CheckContentType(const ApiRequest& req) {
  if (req.content_type.empty() || IsMediaType(req.content_type, "text/plain") ||
      IsMediaType(req.content_type, "application/octet-stream"))
    return Status::Ok();
  return UnsupportedMediaType("The upload is a text file of ids: Content-Type: text/plain");
}

// The job takes an upload: it is still created and its upload URL has not expired.
Status CheckUploadable(const ComplianceJob& job, TimeMs now) {
  if (job.status != "created")
    return Conflict("The ids of this compliance job were uploaded already (status " + job.status + ").");
  if (now >= job.upload_expires_at)
    return Forbidden("compliance_job", "upload_url", std::to_string(job.id),
                     "The upload URL of this compliance job expired at " + FormatTime(job.upload_expires_at) +
                         ": create a new job.");
  return Status::Ok();
}

Status TooLarge(int64_t bytes, int64_t max) {
  return PayloadTooLarge("The upload would hold " + std::to_string(bytes) + " bytes, more than the " +
                         std::to_string(max) + " bytes a compliance upload may hold");
}

// A chunk holds only what a file of ids holds (digits and line ends), checked as it comes, so
// that the bytes kept are text in either store; `offset` is the chunk's first byte.
Status CheckChunkBytes(std::string_view chunk, int64_t offset) {
  for (size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if ((c < '0' || c > '9') && c != '\n' && c != '\r')
      return InvalidRequest("ids", "", "byte " + std::to_string(offset + int64_t(i)) +
                                           " of the upload is not a digit or a line end: the upload is a text file of ids, one per line");
  }
  return Status::Ok();
}

// The job's ids are in: it moves to in_progress and its check starts, as after a single PUT.
ApiResponse Take(const Services& services, WorkerState& worker, const ComplianceJob& job, std::vector<Id> ids,
                 TimeMs now) {
  auto started = worker.store.StartComplianceJob(job.id, ComplianceIdsText(ids),
                                                 now + services.config.compliance.check_lease_ms);
  if (!started.ok()) return services.error_response(started.status());
  if (!*started) return services.error_response(Conflict("The ids of this compliance job were uploaded already."));
  CheckComplianceJob(services, worker, job, std::move(ids));
  return Empty(200);
}

ApiResponse TakeFile(const Services& services, WorkerState& worker, const ComplianceJob& job, std::string_view file,
                     TimeMs now) {
  auto ids = ParseComplianceIds(file);
  if (!ids.ok()) return services.error_response(ids.status());
  return Take(services, worker, job, std::move(*ids), now);
}

// POST <upload_url> with x-goog-resumable: start: a new session (an earlier one's bytes are
// dropped, as a new GCS session starts empty).
ApiResponse StartSession(const Services& services, WorkerState& worker, const ApiRequest& req,
                         const ComplianceJob& job, TimeMs now) {
  auto error = [&](const Status& s) { return services.error_response(s); };
  if (req.goog_resumable != "start")
    return error(InvalidRequest("x-goog-resumable", std::string(req.goog_resumable.substr(0, 40)),
                                "A POST to an upload URL starts a resumable upload: it takes the header "
                                "x-goog-resumable: start"));
  if (!job.resumable)
    return error(InvalidRequest("x-goog-resumable", "start",
                                "This compliance job was created with resumable false: its upload URL takes one PUT "
                                "of the whole file (create the job with \"resumable\": true to upload in chunks)"));
  if (!req.body.empty())
    return error(InvalidRequest("body", "", "The request that starts a resumable upload has an empty body"));
  if (Status s = CheckUploadable(job, now); !s.ok()) return error(s);
  if (Status s = CheckContentType(req); !s.ok()) return error(s);
  const std::string session = GenerateToken();
  auto begun = worker.store.BeginComplianceUpload(job.id, session);
  if (!begun.ok()) return error(begun.status());
  if (!*begun) return error(Conflict("The ids of this compliance job were uploaded already."));
  ApiResponse r = Empty(201);
  r.headers.emplace_back("Location", services.public_url + "/compliance/upload/" + job.upload_token +
                                         "?upload_id=" + session);
  return r;
}

// The answer to a chunk the store did not append (another request moved the session on, or
// ended it): what the session holds now.
ApiResponse Reread(const Services& services, WorkerState& worker, const ComplianceJob& job) {
  auto now_job = worker.store.GetComplianceJob(job.id);
  if (!now_job.ok()) return services.error_response(now_job.status());
  if (!now_job->has_value() || (*now_job)->upload_session != job.upload_session)
    return services.error_response(NotFound("compliance_job", "upload_id", job.upload_session,
                                            "This resumable upload was replaced by a newer one of the same job."));
  if ((*now_job)->status != "created") return Empty(200);  // ended by another request
  return Incomplete(int64_t((*now_job)->ids.size()));
}

// PUT <session URI>: a chunk, the end of the upload, or a status query.
ApiResponse SessionPut(const Services& services, WorkerState& worker, const ApiRequest& req, const ComplianceJob& job,
                       std::string_view upload_id, TimeMs now) {
  auto error = [&](const Status& s) { return services.error_response(s); };
  if (job.upload_session.empty() || upload_id != job.upload_session)
    return error(NotFound("compliance_job", "upload_id", std::string(upload_id.substr(0, 60)),
                          "No resumable upload of this compliance job has this upload_id: start one with a POST to "
                          "the upload URL (x-goog-resumable: start)"));
  // A session that ended answers as GCS's does for a finished upload (the client may have
  // lost the final answer and asks again).
  if (job.status != "created") return Empty(200);
  if (Status s = CheckUploadable(job, now); !s.ok()) return error(s);
  if (!req.body.empty())
    if (Status s = CheckContentType(req); !s.ok()) return error(s);
  // No Content-Range: the whole file in one request (what a session kept is replaced).
  if (!req.content_range) return TakeFile(services, worker, job, req.body, now);
  auto range = ParseContentRange(*req.content_range);
  if (!range.ok()) return error(range.status());
  const int64_t max = services.config.compliance.upload_max_bytes;
  const int64_t kept = int64_t(job.ids.size());
  if (range->total > max) return error(TooLarge(range->total, max));

  if (!range->has_bytes) {  // bytes */TOTAL or bytes */*: no body
    if (!req.body.empty())
      return error(InvalidRequest("Content-Range", std::string(req.content_range->substr(0, 40)),
                                  "Content-Range: bytes */... names no bytes, but the request has a body of " +
                                      std::to_string(req.body.size()) + " bytes"));
    if (range->total < 0 || range->total > kept) return Incomplete(kept);
    if (range->total < kept)
      return error(InvalidRequest("Content-Range", std::string(req.content_range->substr(0, 40)),
                                  "Content-Range: the total of " + std::to_string(range->total) +
                                      " bytes is less than the " + std::to_string(kept) + " bytes this upload holds"));
    return TakeFile(services, worker, job, job.ids, now);
  }

  const int64_t size = range->last - range->first + 1;
  if (int64_t(req.body.size()) != size)
    return error(InvalidRequest("Content-Range", std::string(req.content_range->substr(0, 40)),
                                "Content-Range names " + std::to_string(size) + " bytes, but the request has " +
                                    std::to_string(req.body.size())));
  const int64_t end = range->last + 1;
  if (end > max) return error(TooLarge(end, max));
  if (Status s = CheckChunkBytes(req.body, range->first); !s.ok()) return error(s);
  // Not where the kept bytes end (a chunk sent again, or one past a gap): GCS's answer, the
  // bytes kept, from which the client sends again.
  if (range->first != kept) return Incomplete(kept);
  if (range->total != end) {
    auto appended = worker.store.AppendComplianceUpload(job.id, job.upload_session, range->first, req.body);
    if (!appended.ok()) return error(appended.status());
    return *appended ? Incomplete(end) : Reread(services, worker, job);
  }
  // The last chunk: the whole file is checked before anything is kept, so a bad file leaves
  // the session as it was.
  std::string file = job.ids;
  file += req.body;
  auto ids = ParseComplianceIds(file);
  if (!ids.ok()) return error(ids.status());
  auto appended = worker.store.AppendComplianceUpload(job.id, job.upload_session, range->first, req.body);
  if (!appended.ok()) return error(appended.status());
  if (!*appended) return Reread(services, worker, job);
  return Take(services, worker, job, std::move(*ids), now);
}

}  // namespace

ApiResponse ServeComplianceUpload(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                                  const ComplianceJob& job) {
  const TimeMs now = services.clock.NowMs();
  auto error = [&](const Status& s) { return services.error_response(s); };
  auto params = Params::Parse(req.query);
  if (!params.ok()) return error(params.status());
  if (Status s = params->CheckAllowed({"upload_id"}); !s.ok()) return error(s);
  auto upload_id = params->Get("upload_id");
  if (route == RouteId::kStartComplianceUpload) {
    if (upload_id)
      return error(InvalidRequest("upload_id", std::string(upload_id->substr(0, 60)),
                                  "A resumable upload starts with a POST to the upload URL itself, without upload_id"));
    return StartSession(services, worker, req, job, now);
  }
  if (upload_id) return SessionPut(services, worker, req, job, *upload_id, now);
  // The upload URL itself: one PUT of the whole file, resumable job or not.
  if (req.content_range)
    return error(InvalidRequest("Content-Range", std::string(req.content_range->substr(0, 40)),
                                "The upload URL takes the whole file in one PUT; chunks go to the session URI of a "
                                "resumable upload (POST to the upload URL with x-goog-resumable: start)"));
  if (Status s = CheckUploadable(job, now); !s.ok()) return error(s);
  if (Status s = CheckContentType(req); !s.ok()) return error(s);
  return TakeFile(services, worker, job, req.body, now);
}

}  // namespace sluice
