// The admin API's apps and their keys (docs/admin-api.md): the same code as `sluice apps
// create` and `sluice keys rotate|revoke` (access/apps.h, access/keys.h).
#include "access/apps.h"
#include "access/keys.h"
#include "api/action_body.h"
#include "api/admin_body.h"
#include "api/admin_call.h"
#include "core/json_writer.h"
#include "core/status.h"

namespace sluice {

namespace {

// The app as the store has it now (after a change).
Result<ProjectApp> Reread(AdminCall& call, Id app_id) {
  auto app = call.store().GetProjectApp(app_id);
  if (!app.ok()) return app.status();
  if (!*app) return InternalError("app " + std::to_string(app_id) + " vanished");
  return std::move(**app);
}

// CreateApp's and RotateKey's refusals are command errors (their message is the whole story):
// a request that cannot be done as asked.
Status AsConflict(const Status& s) { return s.code() == StatusCode::kUsage ? Conflict(s.message()) : s; }

ApiResponse AppWithToken(int status, const ProjectApp& app, const std::string& token, const std::string& client_secret) {
  JsonWriter w;
  WriteApp(w, app, /*close=*/false);
  w.Member("bearer_token", token);
  if (!client_secret.empty()) w.Member("client_secret", client_secret);
  w.EndObject();
  return AdminData(status, w.Take());
}

RevocationGeneration* Revocations(AdminCall& call) { return call.api.options().revocations; }

}  // namespace

Result<ApiResponse> AdminGetApps(AdminCall& call) {
  auto apps = call.store().ListProjectApps(call.project->id);
  if (!apps.ok()) return apps.status();
  JsonWriter w;
  w.BeginArray();
  for (const auto& a : *apps) WriteApp(w, a);
  w.EndArray();
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminCreateApp(AdminCall& call) {
  if (Status s = RequireJsonContentType(call.request.content_type); !s.ok()) return s;
  auto body = ParseAppBody(call.request.body);
  if (!body.ok()) return body.status();
  if (call.project->plan.empty())
    return Conflict("project " + std::to_string(call.project->id) + " has no plan: make it with POST /admin/v1/projects");
  NewApp request;
  request.name = body->name;
  request.plan = call.project->plan;
  request.project_id = call.project->id;
  request.uses = body->uses;
  auto created = CreateApp(call.store(), call.services.ids, call.services.clock, call.services.plans, request);
  if (!created.ok()) {
    const Status& s = created.status();
    // Bad names and uses are the body's fault; a full project (max_apps) is a conflict.
    if (s.code() == StatusCode::kUsage && s.message().find("already has") == std::string::npos)
      return InvalidRequest("body", "", s.message());
    return AsConflict(s);
  }
  auto app = Reread(call, created->app.id);
  if (!app.ok()) return app.status();
  return AppWithToken(201, *app, created->bearer_token, created->client_secret);
}

Result<ApiResponse> AdminRotateApp(AdminCall& call) {
  if (!Revocations(call)) return InternalError("the admin API has no revocation generation");
  auto token = RotateKey(call.store(), *Revocations(call), call.app->app.id);
  if (!token.ok()) return AsConflict(token.status());
  auto app = Reread(call, call.app->app.id);
  if (!app.ok()) return app.status();
  return AppWithToken(200, *app, *token, "");
}

Result<ApiResponse> AdminRevokeApp(AdminCall& call) {
  if (!Revocations(call)) return InternalError("the admin API has no revocation generation");
  if (Status s = RevokeKey(call.store(), *Revocations(call), call.services.clock, call.app->app.id); !s.ok())
    return AsConflict(s);
  auto app = Reread(call, call.app->app.id);
  if (!app.ok()) return app.status();
  JsonWriter w;
  WriteApp(w, *app);
  return AdminData(200, w.Take());
}

}  // namespace sluice
