// POST /2/compliance/jobs, GET /2/compliance/jobs and GET /2/compliance/jobs/:id (X's batch
// compliance, app-only): the jobs themselves. Their files go through compliance_files.cc.
#include <boost/json/parse.hpp>

#include "access/tokens.h"
#include "api/action_body.h"
#include "api/compliance.h"
#include "api/exchange.h"
#include "api/handlers.h"
#include "api/params.h"
#include "core/json_writer.h"

namespace sluice {

namespace {

namespace json = boost::json;

constexpr size_t kMaxNameChars = 64;  // X: CreateComplianceJobsRequest.name maxLength

bool IsJobType(std::string_view t) { return t == "tweets" || t == "users"; }

// compliance_job.fields: X's enum, checked; every field is always returned (docs/api.md).
Status CheckJobFields(const Params& p) {
  auto fields = p.Get("compliance_job.fields");
  if (!fields) return Status::Ok();
  static constexpr std::string_view kFields[] = {"created_at", "download_expires_at", "download_url", "id", "name",
                                                 "resumable", "status", "type", "upload_expires_at", "upload_url"};
  std::string_view rest = *fields;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view f = rest.substr(0, comma);
    if (std::find(std::begin(kFields), std::end(kFields), f) == std::end(kFields))
      return InvalidRequest("compliance_job.fields", std::string(f),
                            "The `compliance_job.fields` query parameter value [" + std::string(f) +
                                "] is not one of [created_at,download_expires_at,download_url,id,name,resumable,status,type,upload_expires_at,upload_url]");
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

struct CreateBody {
  std::string type;
  std::string name;
  bool resumable = false;
};

// X's CreateComplianceJobsRequest: type (required), name (at most 64 characters), resumable;
// no other member.
Result<CreateBody> ParseCreateBody(std::string_view body) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return InvalidRequest("body", "", "The request body must be a JSON object (" + ec.message() + ")");
  const auto* obj = doc.if_object();
  if (!obj) return InvalidRequest("body", "", "The request body must be a JSON object (got another JSON value)");
  CreateBody out;
  for (const auto& [key, value] : *obj) {
    if (key == "type") {
      if (!value.is_string() || !IsJobType(value.as_string()))
        return InvalidRequest("type", value.is_string() ? std::string(value.as_string()) : "",
                              "`type` must be one of [tweets, users]");
      out.type = std::string(value.as_string());
    } else if (key == "name") {
      if (!value.is_string()) return InvalidRequest("name", "", "`name` must be a string");
      std::string_view name = value.as_string();
      size_t chars = 0;
      for (unsigned char c : name) chars += (c & 0xC0) != 0x80;
      if (chars > kMaxNameChars)
        return InvalidRequest("name", std::string(name.substr(0, 80)), "`name` has at most 64 characters");
      out.name = std::string(name);
    } else if (key == "resumable") {
      if (!value.is_bool()) return InvalidRequest("resumable", "", "`resumable` must be true or false");
      out.resumable = value.as_bool();
    } else {
      return InvalidRequest(std::string(key), "", "`" + std::string(key) +
                                                      "` is not a member of the request body (allowed: type, name, resumable)");
    }
  }
  if (out.type.empty()) return InvalidRequest("type", "", "`type` is required: tweets or users");
  return out;
}

Status JobNotFound(std::string_view id) {
  return NotFound("compliance_job", "id", std::string(id), "Could not find compliance job with id: [" + std::string(id) + "].");
}

// A job in progress whose checker's lease is past (its server stopped mid-check) is checked
// again from its stored ids, on this worker: clients poll this endpoint, so a stopped job
// resumes at the next poll, on whichever node takes it.
Status ResumeIfAbandoned(ApiContext& ctx, const ComplianceJob& job) {
  if (job.status != "in_progress" || job.checking_until > ctx.now) return Status::Ok();
  auto taken = ctx.store.ResumeComplianceJob(job.id, ctx.now, ctx.now + ctx.config.compliance.check_lease_ms);
  if (!taken.ok()) return taken.status();
  if (!*taken) return Status::Ok();  // another poll took it first
  auto ids = ParseComplianceIds(job.ids);
  if (!ids.ok()) {
    // Written by StartComplianceJob from parsed ids: anything else is damage, said as such.
    auto failed = ctx.store.FinishComplianceJob(job.id, "failed", "The stored ids of the job are unreadable.", 0);
    return failed.ok() ? Status::Ok() : failed.status();
  }
  CheckComplianceJob(ctx.services, ctx.worker, job, std::move(*ids));
  return Status::Ok();
}

}  // namespace

Result<ApiResponse> CreateComplianceJob(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"compliance_job.fields"}); !s.ok()) return s;
  if (Status s = CheckJobFields(*params); !s.ok()) return s;
  if (Status s = RequireJsonContentType(req.content_type); !s.ok())
    return UnsupportedMediaType("POST /2/compliance/jobs takes Content-Type: application/json");
  auto body = ParseCreateBody(req.body);
  if (!body.ok()) return body.status();
  ComplianceJob job;
  job.id = ctx.ids.Next();
  job.app_id = app.id;
  job.project_id = app.project_id;
  job.type = body->type;
  job.name = body->name;
  job.resumable = body->resumable;
  job.status = "created";
  job.upload_token = GenerateToken();
  job.download_token = GenerateToken();
  job.created_at = ctx.now;
  job.upload_expires_at = ctx.now + ctx.config.compliance.upload_expiry_ms;
  job.download_expires_at = ctx.now + ctx.config.compliance.download_expiry_ms;
  if (Status s = ctx.store.InsertComplianceJob(job); !s.ok()) return s;
  return ApiResponse::Json(200, R"({"data":)" + ComplianceJobJson(job, ctx.services.public_url, ctx.now) + "}");
}

Result<ApiResponse> GetComplianceJobs(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"type", "status", "compliance_job.fields"}); !s.ok()) return s;
  if (Status s = CheckJobFields(*params); !s.ok()) return s;
  auto type = params->Get("type");
  if (!type) return InvalidRequest("type", "", "The `type` query parameter is required: tweets or users");
  if (!IsJobType(*type))
    return InvalidRequest("type", std::string(*type), "The `type` query parameter value [" + std::string(*type) +
                                                          "] is not one of [tweets,users]");
  auto status = params->Get("status");
  if (status && *status != "created" && *status != "in_progress" && *status != "failed" && *status != "complete")
    return InvalidRequest("status", std::string(*status), "The `status` query parameter value [" + std::string(*status) +
                                                              "] is not one of [created,in_progress,failed,complete]");
  auto jobs = ctx.store.ListComplianceJobs(app.id, *type);
  if (!jobs.ok()) return jobs.status();
  std::string data;
  int64_t count = 0;
  for (const ComplianceJob& job : *jobs) {
    if (status && ComplianceJobStatus(job, ctx.now) != *status) continue;
    data += (count++ ? "," : "") + ComplianceJobJson(job, ctx.services.public_url, ctx.now);
  }
  std::string body = "{";
  if (count > 0) body += R"("data":[)" + data + "],";
  body += R"("meta":{"result_count":)" + std::to_string(count) + "}}";
  return ApiResponse::Json(200, std::move(body));
}

Result<ApiResponse> GetComplianceJob(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_text) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"compliance_job.fields"}); !s.ok()) return s;
  if (Status s = CheckJobFields(*params); !s.ok()) return s;
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.status();
  auto job = ctx.store.GetComplianceJob(*id);
  if (!job.ok()) return job.status();
  // Another app's job is not found, as X answers: its existence is not this app's business.
  if (!job->has_value() || (*job)->app_id != app.id) return JobNotFound(id_text);
  if (Status s = ResumeIfAbandoned(ctx, **job); !s.ok()) return s;
  return ApiResponse::Json(200, R"({"data":)" + ComplianceJobJson(**job, ctx.services.public_url, ctx.now) + "}");
}

}  // namespace sluice
