#include "http/router.h"

#include <spdlog/spdlog.h>

#include "api/admin.h"
#include "api/admin_evidence.h"
#include "api/admission.h"
#include "api/compliance.h"
#include "api/license.h"
#include "api/metrics.h"
#include "api/oauth_server.h"
#include "api/openapi.h"
#include "api/portal_files.h"
#include "api/stages.h"
#include "http/problem.h"

namespace sluice {

namespace {

// Routes that need no token: the licence terms (JSON, or RSL XML when asked for), Sluice's
// OpenAPI document and robots.txt.
ApiResponse PublicRoute(const Services& services, const ApiRequest& req, RouteId route, std::string_view plan_name) {
  if (route == RouteId::kGetOpenApi) {
    ApiResponse r = ApiResponse::Json(200, std::string(OpenApiDocument()));
    r.content_type = std::string(kOpenApiContentType);
    AddLicenseHeaders(nullptr, r);
    return r;
  }
  if (route == RouteId::kRobotsTxt) {
    ApiResponse r = ApiResponse::Json(200, RobotsTxt());
    r.content_type = "text/plain; charset=utf-8";
    AddLicenseHeaders(nullptr, r);
    return r;
  }
  const Plan* plan = services.plans.Find(plan_name);
  if (!plan) {
    ApiResponse r = ProblemResponse(NotFound("plan", "plan", std::string(plan_name), "No plan named '" + std::string(plan_name) + "'."));
    AddLicenseHeaders(nullptr, r);
    return r;
  }
  bool rsl = req.accept.find("application/rsl+xml") != std::string_view::npos ||
             req.accept.find("application/xml") != std::string_view::npos || req.query == "format=rsl";
  ApiResponse r = ApiResponse::Json(200, rsl ? LicenseRsl(*plan) : LicenseJson(*plan));
  if (rsl) r.content_type = "application/rsl+xml";
  AddLicenseHeaders(plan, r);
  return r;
}

ApiResponse Unmatched(const ApiRequest& req, const RouteMatch& match) {
  // X's document requires resource_type in every resource-not-found problem; the resource here
  // is the endpoint the path names.
  ApiResponse r = match.allow.empty()
                      ? ProblemResponse(NotFound("endpoint", "path", std::string(req.path),
                                                 "The route " + std::string(req.method) + " " + std::string(req.path) +
                                                     " does not exist. See /2/openapi.json for the routes Sluice serves."))
                      : ProblemResponse(MethodNotAllowed(match.allow));
  AddLicenseHeaders(nullptr, r);  // the site's default terms
  return r;
}

// [admin] listen set: whether `req` came to the listener that serves it. The admin listener
// serves the admin API and the portal, the main one everything else; both, the server's own
// routes (health, metrics). `admin_side`: the request is for the admin API or the portal.
bool OnItsListener(const Services& services, const ApiRequest& req, bool admin_side) {
  return services.config.admin.listen.empty() || admin_side == req.admin_listener;
}

// A platform account's page asked of the admin listener (the portal's sign-in page links to
// /i/account/apps): it is on the main listener.
ApiResponse ToMainListener(const Services& services, const ApiRequest& req) {
  ApiResponse r = ApiResponse::Json(302, "");
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", services.public_url + std::string(req.path) +
                                         (req.query.empty() ? "" : "?" + std::string(req.query)));
  return r;
}

Services WithErrorResponse(Services s) {
  s.error_response = ProblemResponse;
  return s;
}

}  // namespace

Router::Router(Services services, std::function<ApiResponse(RouteId)> operational)
    : services_(WithErrorResponse(std::move(services))), operational_(std::move(operational)), chain_(RequestStages(services_)) {}

Router::~Router() = default;

void Router::Dispatch(WorkerState& worker, const ApiRequest& req, std::function<void(ApiResponse)> done) const {
  std::optional<RouteId> route;
  std::optional<ApiResponse> now;  // answered without the stages
  try {
    // The portal's files (api/portal_files.h): "/", "/portal" and everything under "/portal/",
    // answered here, outside the route table (they are files, not API routes: no metrics route,
    // not in the OpenAPI document).
    if (IsPortalPath(req.path)) {
      if (!services_.portal || !OnItsListener(services_, req, true)) {
        now = Unmatched(req, RouteMatch{});
      } else {
        Result<ApiResponse> file = services_.portal->Get(req.method, req.path);
        now = file.ok() ? std::move(*file) : ProblemResponse(file.status());
      }
      services_.metrics.CountRequest(std::nullopt, now->status);
      return done(std::move(*now));
    }
    RouteMatch match = MatchRoute(req.method, req.path);
    route = match.route;
    if (!route) {
      now = Unmatched(req, match);
    } else if (RouteOf(*route).kind != RouteKind::kOperational &&
               !OnItsListener(services_, req, RouteOf(*route).kind == RouteKind::kAdmin)) {
      now = req.admin_listener && RouteOf(*route).kind == RouteKind::kOAuth && req.method == "GET"
                ? ToMainListener(services_, req)
                : Unmatched(req, RouteMatch{});
    } else if (RouteOf(*route).kind == RouteKind::kPublic) {
      now = PublicRoute(services_, req, *route, match.capture);
    } else if (RouteOf(*route).kind == RouteKind::kOperational) {
      now = operational_(*route);
    } else if (RouteOf(*route).kind == RouteKind::kCapability) {
      // A compliance job's upload or download URL; may answer later (the notice's record).
      return ServeComplianceFile(services_, *route, worker, req, match.capture,
                                 [this, id = *route, done = std::move(done)](ApiResponse r) {
                                   services_.metrics.CountRequest(id, r.status);
                                   done(std::move(r));
                                 });
    } else if (RouteOf(*route).kind == RouteKind::kAdmin) {
      if (!services_.admin || (AdminEvidence::Serves(*route) && !services_.evidence)) {
        now = Unmatched(req, RouteMatch{});
      } else if (AdminEvidence::Serves(*route)) {
        // The ledger and trace runs: the admin API's checks, then answered later (a verify, a
        // file written), on this worker.
        if (Status s = services_.admin->Authorize(services_, *route, worker, req, match.capture, match.capture2);
            !s.ok()) {
          now = ProblemResponse(s);
        } else {
          return services_.evidence->Handle(services_, *route, worker, req, match.capture, match.capture2,
                                            [this, id = *route, done = std::move(done)](ApiResponse r) {
                                              services_.metrics.CountRequest(id, r.status);
                                              done(std::move(r));
                                            });
        }
      } else {
        // The admin API (api/admin.h): its own credentials and rules, answered at once.
        now = services_.admin->Handle(services_, *route, worker, req, match.capture, match.capture2);
      }
    } else if (RouteOf(*route).kind == RouteKind::kOAuth) {
      if (!services_.oauth) {
        now = Unmatched(req, RouteMatch{});
      } else {
        // Handle never throws; it may answer later (a password check), on this worker.
        return services_.oauth->Handle(services_, *route, worker, req, [this, id = *route, done = std::move(done)](ApiResponse r) {
          services_.metrics.CountRequest(id, r.status);
          done(std::move(r));
        });
      }
    } else {
      auto ex = std::make_shared<Exchange>(services_, worker, req, *route, match.capture, match.capture2);
      // Start never throws: a stage's exception is the chain's to answer.
      return chain_->Start(std::move(ex), [this, id = *route, done = std::move(done)](ApiResponse r) {
        services_.metrics.CountRequest(id, r.status);
        done(std::move(r));
      });
    }
  } catch (const std::exception& e) {
    spdlog::error("request {} failed before its stages: {}", req.request_id, e.what());
    now = ProblemResponse(InternalError("The server failed to handle this request."));
  }
  services_.metrics.CountRequest(route, now->status);
  done(std::move(*now));
}

ApiResponse DispatchAndWait(const Router& router, WorkerState& worker, QueueExecutor& executor, const ApiRequest& req) {
  std::optional<ApiResponse> response;
  router.Dispatch(worker, req, [&](ApiResponse r) { response = std::move(r); });
  if (!executor.RunUntil([&] { return response.has_value(); }))
    return ProblemResponse(InternalError("The request did not complete."));
  return std::move(*response);
}

}  // namespace sluice
