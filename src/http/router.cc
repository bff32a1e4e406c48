#include "http/router.h"

#include <algorithm>
#include <array>

#include "api/admission.h"
#include "api/authenticate.h"
#include "api/delivery.h"
#include "api/license.h"
#include "api/usage.h"
#include "api/write_intents.h"
#include "api/metrics.h"
#include "http/problem.h"
#include "ledger/ledger.h"

namespace sluice {

namespace {

struct Route {
  std::string_view method;
  std::string_view pattern;  // segments; ":x" captures one non-empty segment
  Handler handler;
};

// Literal routes come before captures that could shadow them (/2/tweets/search/recent).
constexpr std::array kRoutes = {
    Route{"GET", "/2/tweets/search/recent", SearchRecent},
    Route{"GET", "/2/tweets/counts/recent", CountRecent},
    Route{"GET", "/2/tweets", GetPostsByIds},
    Route{"POST", "/2/tweets", CreatePost},
    Route{"GET", "/2/tweets/:id", GetPostById},
    Route{"DELETE", "/2/tweets/:id", DeletePost},
    Route{"GET", "/2/tweets/:id/quote_tweets", GetQuotePosts},
    Route{"GET", "/2/users", GetUsersByIds},
    Route{"GET", "/2/users/by", GetUsersByUsernames},
    Route{"GET", "/2/users/by/username/:username", GetUserByUsername},
    Route{"GET", "/2/users/:id", GetUserById},
    Route{"GET", "/2/users/:id/tweets", GetUserPosts},
    Route{"GET", "/2/users/:id/mentions", GetUserMentions},
    Route{"GET", "/2/usage/tweets", GetUsage},
    // Public, no token: the licence terms every response links to.
    Route{"GET", "/2/license/:plan", nullptr},
    Route{"GET", "/robots.txt", nullptr},
};

// Matches `path` against `pattern`; on success sets `capture` to the captured segment.
bool Match(std::string_view pattern, std::string_view path, std::string_view& capture) {
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    size_t pe = pattern.find('/');
    size_t se = path.find('/');
    std::string_view pseg = pattern.substr(0, pe), seg = path.substr(0, se);
    if (!pseg.empty() && pseg.front() == ':') {
      if (seg.empty()) return false;
      capture = seg;
    } else if (pseg != seg) {
      return false;
    }
    pattern.remove_prefix(pseg.size());
    path.remove_prefix(seg.size());
  }
  return pattern.empty() && path.empty();
}

// Routes that need no token: the licence terms (JSON, or RSL XML when asked for) and robots.txt.
ApiResponse PublicRoute(ApiContext& ctx, const ApiRequest& req, std::string_view endpoint, std::string_view plan_name) {
  if (endpoint == "GET /robots.txt") {
    ApiResponse r = ApiResponse::Json(200, RobotsTxt());
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  const Plan* plan = ctx.plans ? ctx.plans->Find(plan_name) : Plans::Defaults().Find(plan_name);
  if (!plan) return ProblemResponse(NotFound("No plan named '" + std::string(plan_name) + "'."));
  bool rsl = req.accept.find("application/rsl+xml") != std::string_view::npos ||
             req.accept.find("application/xml") != std::string_view::npos || req.query == "format=rsl";
  ApiResponse r = ApiResponse::Json(200, rsl ? LicenseRsl(*plan) : LicenseJson(*plan));
  if (rsl) r.content_type = "application/rsl+xml";
  AddLicenseHeaders(plan, r);
  return r;
}

// The ledger stage: nothing is delivered that is not recorded, and a write is acknowledged
// only once its record is durable.
ApiResponse Record(ApiContext& ctx, const ApiRequest& req, std::string_view endpoint, const App* app,
                   ApiResponse response) {
  if (!ctx.ledger || !ShouldRecord(response)) return response;
  // A refusal without a known app is counted, not recorded: made-up tokens cannot grow the ledger.
  if (IsCountedRefusal(app, response)) {
    Status s = ctx.ledger->Count(DeliveryRecord(ctx, req, endpoint, app, response));
    return s.ok() ? response : ProblemResponse(s);
  }
  auto seq = ctx.ledger->Append(DeliveryRecord(ctx, req, endpoint, app, response));
  if (!seq.ok()) return ProblemResponse(seq.status());
  bool write = req.method == "POST" || req.method == "DELETE";
  if (write && response.status < 300) {
    if (Status s = ctx.ledger->WaitDurable(*seq); !s.ok()) return ProblemResponse(s);
  }
  return response;
}

// Finds the route (404, 405 when none), authenticates, runs the handler, records.
ApiResponse RouteAndRun(ApiContext& ctx, const ApiRequest& req, std::string& endpoint) {
  std::string_view path = req.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const Route* found = nullptr;
  std::string_view capture;
  std::string allow;
  for (const auto& r : kRoutes) {
    std::string_view c;
    if (!Match(r.pattern, path, c)) continue;
    if (r.method == req.method) {
      found = &r;
      capture = c;
      break;
    }
    allow += (allow.empty() ? "" : ", ") + std::string(r.method);
  }
  if (!found) {
    if (!allow.empty()) return ProblemResponse(MethodNotAllowed(allow));
    return ProblemResponse(NotFound("The route " + std::string(req.method) + " " + std::string(path) +
                                             " does not exist. See docs/api.md for the routes Sluice serves."));
  }
  endpoint = std::string(found->method) + " " + std::string(found->pattern);
  if (found->handler == nullptr) return PublicRoute(ctx, req, endpoint, capture);
  // A read request's reads (auth, handler, cap) share one store snapshot, taken after the
  // request arrived: it sees every write acknowledged before. Ended before the ledger stage.
  // The write generation first: a response rendered from these reads may be cached under it.
  ctx.write_generation = StoreWriteGeneration();
  ReadScope reads(ctx.store, req.method == "GET");
  auto app = AuthenticateCached(ctx, req.authorization);
  ApiResponse response;
  const Plan* plan = nullptr;
  // Budget is reserved before an effect and kept or released after it: a write's before its
  // handler notes the post, a read's after its handler (a page's only effect is its record).
  std::optional<UsageCharge> charge;
  const uint64_t route_key = uint64_t(found - kRoutes.data());
  Admission admission;
  if (!app.ok()) {
    response = ProblemResponse(app.status());
  } else {
    admission = Admit(ctx, *app, endpoint, route_key);
    plan = admission.plan;
    if (admission.refusal) {
      response = ProblemResponse(*admission.refusal);
      if (ctx.metrics) ctx.metrics->CountRefusal(admission.refusal_reason);
    } else if (auto reserved = req.method == "POST" && plan ? ReserveWrite(ctx, *app, *plan)
                                                            : Result<std::optional<UsageCharge>>(std::nullopt);
               !reserved.ok()) {
      response = ProblemResponse(reserved.status());
      ReleaseAdmission(ctx, *app, route_key, admission);
      if (ctx.metrics) ctx.metrics->CountRefusal(reserved.status().code() == StatusCode::kCreditsExhausted ? "credits" : "cap");
    } else {
      charge = *reserved;
      auto handled = found->handler(ctx, *app, req, capture);
      response = handled.ok() ? std::move(*handled) : ProblemResponse(handled.status());
      // The cap and credits stage of a read: a response that would cross either is refused whole.
      auto charged = plan ? ChargeResponse(ctx, *app, *plan, req, response) : std::optional<UsageCharge>();
      if (!charged.ok()) {
        response = ProblemResponse(charged.status());
        ReleaseAdmission(ctx, *app, route_key, admission);
        if (ctx.metrics) ctx.metrics->CountRefusal(charged.status().code() == StatusCode::kCreditsExhausted ? "credits" : "cap");
      } else {
        if (*charged) charge = *charged;
        if (ctx.metrics) ctx.metrics->CountAdmitted();
      }
    }
    // Room for the stages' headers (up to six of the rate limit, two of the licence) at once.
    response.headers.reserve(response.headers.size() + 8);
    AddRateLimitHeaders(admission, response);
  }
  AddLicenseHeaders(plan, response);
  reads.End();
  const bool admitted = response.status < 300;
  const Id intent = admitted ? response.write_intent : 0;
  response = Record(ctx, req, endpoint, app.ok() ? &*app : nullptr, std::move(response));
  const bool recorded = admitted && response.status < 300;
  // A write takes effect only with its durable record (write_intents.h); then its charge is
  // kept. Refused, failed or not recorded: the charge is released.
  if (intent != 0 && recorded) {
    if (Status s = ApplyWrite(ctx, intent); !s.ok()) response = ProblemResponse(s);
  }
  if (charge && !recorded) ctx.meter->Refund(app->project_id, app->id, *charge);
  // A refusal costs nothing, the rate limit included (a 4xx of the handler's does count).
  if (admitted && !recorded) ReleaseAdmission(ctx, *app, route_key, admission);
  return response;
}

}  // namespace

ApiResponse Dispatch(ApiContext& ctx, const ApiRequest& req) {
  ctx.now = ctx.clock.NowMs();
  std::string endpoint = "unmatched";
  ApiResponse response = RouteAndRun(ctx, req, endpoint);
  bool has_terms = std::any_of(response.headers.begin(), response.headers.end(),
                               [](const auto& h) { return h.first == "Content-Usage"; });
  if (!has_terms) AddLicenseHeaders(nullptr, response);  // 404, 405: the site's default terms
  if (ctx.metrics) ctx.metrics->CountRequest(endpoint, response.status);
  return response;
}

}  // namespace sluice
