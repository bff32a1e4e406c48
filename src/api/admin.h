#pragma once
//! The admin API (/admin/v1/...; docs/admin-api.md): projects, apps and keys, plans, usage,
//! limits, credits and invoices for the operator (the admin token, or a portal session
//! made with it) and for each project's developers (a portal session made with the project's
//! console key, which sees that project alone). No plan, rate limit or ledger: these are not
//! X API calls. Every route's handler and its "who may call it" rule are in one table
//! (AdminRouteOf, admin_call.h).
//!
//! Checks, in order, before any handler runs (a refused request writes nothing):
//!   1. an Origin header, when present, must be the request's own (scheme://Host): else 403;
//!   2. credentials: `Authorization: Bearer <admin token>`, else the `sluice_portal` cookie
//!      (a project's is valid while its console key is the one it was made with): a wrong or
//!      expired one is 401;
//!   3. a portal session's request other than GET/HEAD carries X-CSRF-Token: else 403;
//!   4. the route's rule: operator only (403 for a project), or a project's own resources
//!      (another project's id is 404, as an id that does not exist).

#include <functional>
#include <string>

#include "access/account_sessions.h"
#include "api/exchange.h"

namespace sluice {

class RevocationGeneration;

class AdminApi {
 public:
  struct Options {
    std::string admin_token;                      // [admin] token_file's (LoadOrCreateAdminToken)
    SessionKey session_key;                       // signs portal sessions (a purpose of its own)
    RevocationGeneration* revocations = nullptr;  // bumped when an app's token is rotated or revoked
    bool secure_cookies = false;                  // the server speaks TLS: the cookie is Secure, origins https
    std::string ledger_dir;                       // this node's ledger (invoices are rebuilt from it)
  };

  explicit AdminApi(Options options) : options_(std::move(options)) {}
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  //! Serves `route` (a RouteKind::kAdmin route) on `worker`'s store. Never throws: every
  //! failure is a problem response (services.error_response).
  ApiResponse Handle(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                     std::string_view capture, std::string_view capture2) const;

  const Options& options() const { return options_; }

 private:
  Options options_;
};

}  // namespace sluice
