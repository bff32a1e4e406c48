// The admin API's plans and projects (docs/admin-api.md).
#include "access/keys.h"
#include "access/plans.h"
#include "access/portal_sessions.h"
#include "access/tokens.h"
#include "api/action_body.h"
#include "api/admin_body.h"
#include "api/admin_call.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "core/time_format.h"

namespace sluice {

void WriteProject(JsonWriter& w, const ProjectInfo& p, bool close) {
  w.BeginObject();
  w.MemberId("id", p.id);
  w.Member("name", p.name);
  if (p.plan.empty()) {
    w.Key("plan");
    w.Null();
  } else {
    w.Member("plan", p.plan);
  }
  w.Member("created_at", FormatTime(p.created_at));
  w.MemberInt("cap_reset_day", p.cap_reset_day);
  if (close) w.EndObject();
}

void WriteApp(JsonWriter& w, const ProjectApp& a, bool close) {
  w.BeginObject();
  w.MemberId("id", a.app.id);
  w.MemberId("project_id", a.app.project_id);
  w.Member("name", a.app.name);
  w.Member("plan", a.app.plan);
  w.Key("uses");
  w.BeginArray();
  for (const auto& u : a.app.uses) w.String(u);
  w.EndArray();
  w.Member("created_at", FormatTime(a.app.created_at));
  if (a.revoked_at) w.Member("revoked_at", FormatTime(*a.revoked_at));
  if (!a.client_id.empty()) w.Member("client_id", a.client_id);
  if (close) w.EndObject();
}

Result<ApiResponse> AdminGetPlans(AdminCall& call) {
  JsonWriter w;
  w.BeginArray();
  for (const Plan& p : call.services.plans.all()) {
    w.BeginObject();
    w.Member("name", p.name);
    w.Member("title", p.title);
    w.Key("monthly_post_cap");
    p.read_cap ? w.Int(*p.read_cap) : w.Null();
    w.Key("monthly_write_cap");
    p.write_cap ? w.Int(*p.write_cap) : w.Null();
    w.Key("price_usd_month");
    p.pay_per_use ? w.Null() : w.String(UsdString(p.monthly_price));
    w.MemberBool("pay_per_use", p.pay_per_use);
    w.Key("price_per_post_micro_usd");
    p.pay_per_use ? w.Int(p.post_read_price) : w.Null();
    w.MemberInt("max_apps", p.max_apps);
    w.Key("uses");
    w.BeginArray();
    for (const auto& u : p.uses) w.String(u);
    w.EndArray();
    w.Key("limits");
    w.BeginArray();
    for (const EndpointLimit& l : p.limits) {
      w.BeginObject();
      w.Member("endpoint", l.endpoint);
      w.MemberInt("limit", l.requests);
      w.MemberInt("window_s", WindowMs(l.window) / 1000);
      w.EndObject();
    }
    w.EndArray();
    w.Member("license_url", "/2/license/" + p.name);
    w.EndObject();
  }
  w.EndArray();
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminGetProjects(AdminCall& call) {
  auto projects = call.store().ListProjects();
  if (!projects.ok()) return projects.status();
  JsonWriter w;
  w.BeginArray();
  for (const auto& p : *projects) WriteProject(w, p);
  w.EndArray();
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminGetProject(AdminCall& call) {
  JsonWriter w;
  WriteProject(w, *call.project);
  return AdminData(200, w.Take());
}

}  // namespace sluice

namespace sluice {

Result<ApiResponse> AdminCreateProject(AdminCall& call) {
  if (Status s = RequireJsonContentType(call.request.content_type); !s.ok()) return s;
  auto body = ParseProjectBody(call.request.body);
  if (!body.ok()) return body.status();
  if (!call.services.plans.Find(body->plan))
    return InvalidRequest("plan", body->plan.substr(0, 40), "No plan named '" + body->plan.substr(0, 40) + "' (GET /admin/v1/plans)");
  const std::string key = NewConsoleKey();
  auto id = call.store().CreateProjectWithKey(body->name, body->plan, HashToken(key), call.now);
  if (!id.ok()) return id.status();
  auto project = call.store().GetProject(*id);
  if (!project.ok()) return project.status();
  if (!*project) return InternalError("project " + std::to_string(*id) + " vanished as it was made");
  JsonWriter w;
  WriteProject(w, **project, /*close=*/false);
  w.Member("console_key", key);
  w.EndObject();
  return AdminData(201, w.Take());
}

Result<ApiResponse> AdminRotateConsoleKey(AdminCall& call) {
  auto key = RotateConsoleKey(call.store(), call.project->id);
  if (!key.ok()) return NotFound(key.status().message());
  JsonWriter w;
  w.BeginObject();
  w.MemberId("project_id", call.project->id);
  w.Member("console_key", *key);
  w.EndObject();
  return AdminData(200, w.Take());
}

}  // namespace sluice
