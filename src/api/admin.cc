#include "api/admin.h"

#include <spdlog/spdlog.h>

#include "access/portal_sessions.h"
#include "access/tokens.h"
#include "api/admin_body.h"
#include "api/admin_call.h"
#include "api/action_body.h"
#include "api/params.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "core/time_format.h"

namespace sluice {

AdminRoute AdminRouteOf(RouteId route) {
  using A = AdminAccess;
  switch (route) {
    case RouteId::kAdminCreateSession: return {A::kAnyone, AdminCreateSession};
    case RouteId::kAdminGetSession: return {A::kSession, AdminGetSession};
    case RouteId::kAdminDeleteSession: return {A::kSession, AdminDeleteSession};
    case RouteId::kAdminGetPlans: return {A::kAnyCaller, AdminGetPlans};
    case RouteId::kAdminGetProjects: return {A::kAdmin, AdminGetProjects};
    case RouteId::kAdminGetProject: return {A::kProject, AdminGetProject};
    case RouteId::kAdminCreateProject: return {A::kAdmin, AdminCreateProject};
    case RouteId::kAdminRotateConsoleKey: return {A::kAdminProject, AdminRotateConsoleKey};
    case RouteId::kAdminGetApps: return {A::kProject, AdminGetApps};
    case RouteId::kAdminCreateApp: return {A::kProject, AdminCreateApp};
    case RouteId::kAdminRotateApp: return {A::kApp, AdminRotateApp};
    case RouteId::kAdminRevokeApp: return {A::kApp, AdminRevokeApp};
    case RouteId::kAdminGetUsage: return {A::kProject, AdminGetUsage};
    case RouteId::kAdminGetLimits: return {A::kProject, AdminGetLimits};
    case RouteId::kAdminGetCredits: return {A::kProject, AdminGetCredits};
    case RouteId::kAdminAddCredits: return {A::kAdminProject, AdminAddCredits};
    case RouteId::kAdminGetInvoices: return {A::kProject, AdminGetInvoices};
    case RouteId::kAdminGetInvoice: return {A::kProject, AdminGetInvoice};
    // The ledger and trace runs: checked here (Authorize), served later by api/admin_evidence.h.
    case RouteId::kAdminLedger:
    case RouteId::kAdminVerifyLedger:
    case RouteId::kAdminSignCheckpoint:
    case RouteId::kAdminCreateTrace:
    case RouteId::kAdminGetTraces:
    case RouteId::kAdminGetTrace:
    case RouteId::kAdminGetTraceEvidence: return {A::kAdmin, nullptr};
    default: return {A::kAdmin, nullptr};
  }
}

namespace {

constexpr std::string_view kNoStore = "no-store";

bool Safe(std::string_view method) { return method == "GET" || method == "HEAD"; }

// "Not found" for a project or app id, whether it does not exist or is another project's: the
// caller learns nothing of other projects.
Status NoSuch(std::string_view type, std::string_view id) {
  return NotFound(std::string(type), "id", std::string(id.substr(0, 40)),
                  "Could not find " + std::string(type) + " with id: [" + std::string(id.substr(0, 40)) + "].");
}

std::optional<Id> ParseRouteId(std::string_view text) {
  auto id = ParseIdValue("id", text);
  if (!id.ok() || *id <= 0) return std::nullopt;
  return *id;
}

// Step 2 of admin.h: who is calling. nullopt with an ok status: no credentials at all.
Result<std::optional<AdminCaller>> Authenticate(const AdminApi& api, Store& store, const ApiRequest& req, TimeMs now) {
  if (!req.authorization.empty()) {
    auto token = ParseBearer(req.authorization);
    if (!token || !SecretMatches(api.options().admin_token, *token))
      return UnauthorizedBecause("The admin API takes the admin token (Authorization: Bearer sluice_admin_...) or a portal session");
    return std::optional<AdminCaller>(AdminCaller{});
  }
  auto cookie = CookieValue(req.cookie, kPortalCookie);
  if (!cookie || cookie->empty()) return std::optional<AdminCaller>();
  auto session = DecodePortalSession(api.options().session_key, *cookie, now);
  if (!session) return UnauthorizedBecause("The portal session is not valid or has expired: sign in again");
  if (session->project_id) {
    // A rotated console key ends the sessions made with the old one.
    auto hash = store.ConsoleKeyHash(*session->project_id);
    if (!hash.ok()) return hash.status();
    if (!*hash || (*hash)->empty() || ConsoleKeyTag(**hash) != session->key_tag)
      return UnauthorizedBecause("The portal session's console key has been replaced: sign in again");
  }
  return std::optional<AdminCaller>(AdminCaller{session->project_id, true, std::string(*cookie), session->expires_at});
}

// Step 4 of admin.h: the route's rule, and the project or app it names.
Status Allow(AdminCall& call, AdminAccess access) {
  const std::optional<AdminCaller>& who = call.caller;
  if (access == AdminAccess::kAnyone) return Status::Ok();
  if (!who) return UnauthorizedBecause("Sign in: the admin token (Authorization: Bearer sluice_admin_...) or a portal session");
  switch (access) {
    case AdminAccess::kAnyone:
    case AdminAccess::kAnyCaller: return Status::Ok();
    case AdminAccess::kSession:
      if (!who->by_session) return UnauthorizedBecause("No portal session: POST /admin/v1/session signs in");
      return Status::Ok();
    case AdminAccess::kAdmin:
      if (!who->admin()) return ClientForbidden("admin-only", "Only the operator may call " + std::string(EndpointName(call.route)));
      return Status::Ok();
    case AdminAccess::kAdminProject:
      if (!who->admin()) return ClientForbidden("admin-only", "Only the operator may call " + std::string(EndpointName(call.route)));
      [[fallthrough]];
    case AdminAccess::kProject: {
      auto id = ParseRouteId(call.capture);
      if (!id || (!who->admin() && *id != *who->project_id)) return NoSuch("project", call.capture);
      auto project = call.store().GetProject(*id);
      if (!project.ok()) return project.status();
      if (!*project) return NoSuch("project", call.capture);
      call.project = std::move(**project);
      return Status::Ok();
    }
    case AdminAccess::kApp: {
      auto id = ParseRouteId(call.capture);
      if (!id) return NoSuch("app", call.capture);
      auto found = call.store().GetProjectApp(*id);
      if (!found.ok()) return found.status();
      if (!*found || (!who->admin() && (*found)->app.project_id != *who->project_id)) return NoSuch("app", call.capture);
      auto project = call.store().GetProject((*found)->app.project_id);
      if (!project.ok()) return project.status();
      if (!*project) return NoSuch("app", call.capture);
      call.project = std::move(**project);
      call.app = std::move(**found);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// Steps 1 to 4 of admin.h for `call`, whose route's rule is `rule`.
Status Check(const AdminApi& api, AdminCall& call, const AdminRoute& rule) {
  const ApiRequest& req = call.request;
  // 1. A page of another site may not drive the admin API from the operator's browser.
  if (!req.origin.empty()) {
    std::string own = std::string(api.options().secure_cookies ? "https://" : "http://") + std::string(req.host);
    if (req.host.empty() || req.origin != own)
      return ClientForbidden("origin", "The Origin header (" + std::string(req.origin.substr(0, 100)) +
                                           ") is not this server's: the admin API takes requests from its own pages only");
  }
  // 2. Credentials; a kAnyone route (signing in) ignores a portal cookie, good or bad.
  if (rule.access != AdminAccess::kAnyone || !req.authorization.empty()) {
    auto caller = Authenticate(api, call.store(), req, call.now);
    if (!caller.ok()) return caller.status();
    call.caller = std::move(*caller);
  }
  // 3. CSRF: a change made with a session names the session's token.
  if (call.caller && call.caller->by_session && !Safe(req.method) &&
      !PortalCsrfMatches(api.options().session_key, call.caller->cookie, req.csrf_token))
    return ClientForbidden("csrf", "A change made with a portal session needs its X-CSRF-Token header (GET /admin/v1/session gives it)");
  // 4. The route's rule.
  return Allow(call, rule.access);
}

Result<ApiResponse> Run(const AdminApi& api, AdminCall& call) {
  const AdminRoute rule = AdminRouteOf(call.route);
  if (!rule.handler) return NotFound("The admin route " + std::string(EndpointName(call.route)) + " has no handler");
  if (Status s = Check(api, call, rule); !s.ok()) return s;
  return rule.handler(call);
}

// The session object of POST and GET /admin/v1/session.
std::string SessionData(const AdminApi& api, const AdminCaller& who) {
  JsonWriter w;
  w.BeginObject();
  w.Member("role", who.admin() ? "admin" : "project");
  if (who.project_id) w.MemberId("project_id", *who.project_id);
  w.Member("csrf_token", PortalCsrfToken(api.options().session_key, who.cookie));
  w.Key("expires_at");
  w.String(FormatTime(who.expires_at));
  w.EndObject();
  return w.Take();
}

}  // namespace

ApiResponse AdminData(int status, std::string data_json) {
  ApiResponse r = ApiResponse::Json(status, "{\"data\":" + data_json + "}");
  r.headers.emplace_back("Cache-Control", std::string(kNoStore));
  return r;
}

std::string UsdString(int64_t micro_usd) {
  const bool negative = micro_usd < 0;
  const uint64_t m = negative ? uint64_t(0) - uint64_t(micro_usd) : uint64_t(micro_usd);
  std::string frac = std::to_string(m % 1'000'000);
  frac.insert(0, 6 - frac.size(), '0');
  while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
  return (negative ? "-" : "") + std::to_string(m / 1'000'000) + "." + frac;
}

Result<ApiResponse> AdminCreateSession(AdminCall& call) {
  if (Status s = RequireJsonContentType(call.request.content_type); !s.ok()) return s;
  auto body = ParseSessionBody(call.request.body);
  if (!body.ok()) return body.status();
  const AdminApi::Options& o = call.api.options();
  PortalSession session;
  session.expires_at = call.now + kPortalSessionLifetimeMs;
  if (body->admin) {
    if (!SecretMatches(o.admin_token, body->secret)) return UnauthorizedBecause("The admin token is not this server's");
  } else {
    const std::string hash = HashToken(body->secret);
    auto project = call.store().FindProjectByConsoleKey(hash);
    if (!project.ok()) return project.status();
    if (!*project) return UnauthorizedBecause("No project has this console key");
    session.project_id = **project;
    session.key_tag = ConsoleKeyTag(hash);
  }
  AdminCaller who{session.project_id, true, EncodePortalSession(o.session_key, session), session.expires_at};
  ApiResponse r = AdminData(200, SessionData(call.api, who));
  r.headers.emplace_back("Set-Cookie", PortalCookieHeader(who.cookie, kPortalSessionLifetimeMs, o.secure_cookies));
  return r;
}

Result<ApiResponse> AdminGetSession(AdminCall& call) { return AdminData(200, SessionData(call.api, *call.caller)); }

Result<ApiResponse> AdminDeleteSession(AdminCall& call) {
  // Sessions are stateless: signing out clears the cookie (a copy of it stays valid until it
  // expires, or until a project's console key is rotated).
  ApiResponse r = AdminData(200, "{\"signed_out\":true}");
  r.headers.emplace_back("Set-Cookie", PortalCookieHeader("", 0, call.api.options().secure_cookies));
  return r;
}

Status AdminApi::Authorize(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                           std::string_view capture, std::string_view capture2) const {
  AdminCall call{*this, services, worker, req, route, capture, capture2, services.clock.NowMs()};
  try {
    return Check(*this, call, AdminRouteOf(route));
  } catch (const std::exception& e) {
    spdlog::error("admin request {} failed: {}", req.request_id, e.what());
    return InternalError("The server failed to handle this request.");
  }
}

ApiResponse AdminApi::Handle(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                             std::string_view capture, std::string_view capture2) const {
  AdminCall call{*this, services, worker, req, route, capture, capture2, services.clock.NowMs()};
  try {
    auto r = Run(*this, call);
    if (r.ok()) return std::move(*r);
    return services.error_response(r.status());
  } catch (const std::exception& e) {
    spdlog::error("admin request {} failed: {}", req.request_id, e.what());
    return services.error_response(InternalError("The server failed to handle this request."));
  }
}

}  // namespace sluice
