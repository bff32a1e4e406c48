#pragma once
//! What an admin API handler sees (api/admin.h): the call, already authenticated and allowed by
//! its route's rule, and the one table that names each route's rule and handler. A new admin
//! route is a RouteId (core/routes.h, RouteKind::kAdmin), one case in AdminRouteOf (admin.cc)
//! and its handler, declared below.

#include <optional>
#include <string>
#include <string_view>

#include "api/admin.h"
#include "core/types.h"

namespace sluice {

//! Who may call a route.
enum class AdminAccess : uint8_t {
  kAnyone,     // no credentials (POST /admin/v1/session: signing in)
  kSession,    // a portal session (the cookie); the bearer token is no session
  kAnyCaller,  // the operator or any project's session
  kAdmin,      // the operator only (admin token or admin session): a project's session gets 403
  kAdminProject,  // the operator only, on the project `:id` names (AdminCall::project)
  kProject,    // the operator, or the session of the project `:id` names (AdminCall::project)
  kApp,        // the operator, or the session of the project owning the app `:id` names (AdminCall::app)
};

//! The authenticated caller.
struct AdminCaller {
  std::optional<Id> project_id;  // nullopt: the operator
  bool by_session = false;       // a portal session (cookie); false: the admin token
  std::string cookie;            // by_session: the cookie value (its CSRF token is PortalCsrfToken of it)
  TimeMs expires_at = 0;         // by_session: the session's expiry
  bool admin() const { return !project_id; }
};

struct AdminCall {
  const AdminApi& api;
  const Services& services;
  WorkerState& worker;
  const ApiRequest& request;
  RouteId route;
  std::string_view capture;   // the route's ":x" segment, still percent-encoded
  std::string_view capture2;  // its second
  TimeMs now = 0;             // the request's one clock reading
  std::optional<AdminCaller> caller;  // nullopt only on kAnyone routes called without credentials
  std::optional<ProjectInfo> project;  // kProject: the project `:id` names; kApp: the app's project
  std::optional<ProjectApp> app;       // kApp: the app `:id` names
  Store& store() const { return worker.store; }
};

using AdminHandler = Result<ApiResponse> (*)(AdminCall&);

struct AdminRoute {
  AdminAccess access = AdminAccess::kAdmin;
  AdminHandler handler = nullptr;
};
//! The rule and handler of an admin route (the one place both are stated); {kAdmin, nullptr}
//! for a route that is not the admin API's.
AdminRoute AdminRouteOf(RouteId route);

// ---- helpers for handlers ----
//! 200/201 `{"data": <data_json>}`, no-store.
ApiResponse AdminData(int status, std::string data_json);
//! Micro-dollars as a decimal string: "12.50" (cents), or up to 6 decimals ("0.005").
std::string UsdString(int64_t micro_usd);
//! `ProjectInfo` as the admin API's Project object (appended to `w`).
class JsonWriter;
void WriteProject(JsonWriter& w, const ProjectInfo& p, bool close = true);
//! A ProjectApp as the admin API's App object; `close` false leaves the object open for more members.
void WriteApp(JsonWriter& w, const ProjectApp& a, bool close = true);

// ---- handlers ----
// admin.cc: the portal session
Result<ApiResponse> AdminCreateSession(AdminCall&);
Result<ApiResponse> AdminGetSession(AdminCall&);
Result<ApiResponse> AdminDeleteSession(AdminCall&);
// admin_projects.cc: plans, projects
Result<ApiResponse> AdminGetPlans(AdminCall&);
Result<ApiResponse> AdminGetProjects(AdminCall&);
Result<ApiResponse> AdminGetProject(AdminCall&);
Result<ApiResponse> AdminCreateProject(AdminCall&);
Result<ApiResponse> AdminRotateConsoleKey(AdminCall&);
// admin_apps.cc: apps and their keys
Result<ApiResponse> AdminGetApps(AdminCall&);
Result<ApiResponse> AdminCreateApp(AdminCall&);
Result<ApiResponse> AdminRotateApp(AdminCall&);
Result<ApiResponse> AdminRevokeApp(AdminCall&);
// admin_usage.cc: usage, limits, credits, invoices
Result<ApiResponse> AdminGetUsage(AdminCall&);
Result<ApiResponse> AdminGetLimits(AdminCall&);
Result<ApiResponse> AdminGetCredits(AdminCall&);
Result<ApiResponse> AdminAddCredits(AdminCall&);
Result<ApiResponse> AdminGetInvoices(AdminCall&);
Result<ApiResponse> AdminGetInvoice(AdminCall&);

}  // namespace sluice
