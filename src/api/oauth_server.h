#pragma once
//! Sluice as an OAuth 2.0 authorization server, as X is (issue 15; docs/oauth.md):
//!   GET  /i/oauth2/authorize   checks the authorization request, then shows the sign-in page
//!                              (no session) or the consent page
//!   POST /i/oauth2/authorize   the sign-in form (username and password, or an assertion of
//!                              the operator's identity system) or the consent form (allow:
//!                              a code to the redirect URI; deny: error=access_denied)
//!   POST /2/oauth2/token       authorization_code (with the PKCE verifier) and refresh_token
//!   POST /2/oauth2/revoke      RFC 7009
//!   GET  /i/account/apps       the apps an account authorised; POST revokes one, or signs out
//! Errors of the authorization request follow RFC 6749 4.1.2.1: an unknown client or a
//! redirect URI not registered gets an error page (never a redirect); any other error goes
//! back to the redirect URI with error= and state=. The token and revoke endpoints answer
//! RFC 6749 5.2's JSON errors (api/oauth_responses.h).
//!
//! Every form carries a CSRF token (account_sessions.h); pages are sent with no-store, a
//! Content-Security-Policy that allows no script, frame or outside resource, and
//! X-Frame-Options: DENY (the consent page cannot be framed and clicked through).
//! Password checks (Argon2id, ~0.1 s and 64 MiB each) run on a thread of their own, one at a
//! time, so a worker never blocks on one; past kMaxQueuedSignIns waiting, sign-ins get 503.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "access/account_sessions.h"
#include "api/exchange.h"

namespace sluice {

class OAuthServer {
 public:
  struct Options {
    SessionKey session_key;
    std::optional<AssertionKey> assertions;  // oauth.assertion_key_file; nullopt: sign-in by password only
    RevocationGeneration* revocations = nullptr;  // bumped when an account revokes an app
    bool secure_cookies = false;                  // the server speaks TLS: cookies are Secure
  };
  static constexpr size_t kMaxQueuedSignIns = 64;

  OAuthServer(const Clock& clock, Options options);
  ~OAuthServer();  // finishes the password check under way; those queued answer 503
  OAuthServer(const OAuthServer&) = delete;
  OAuthServer& operator=(const OAuthServer&) = delete;

  //! Serves `route` (a RouteKind::kOAuth route) for `req` on `worker`'s store, and calls `done`
  //! once with the response, on the worker's thread: at once, or later after a password check
  //! (`req` is copied then: its views stay valid until the response is sent). Never throws.
  void Handle(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
              std::function<void(ApiResponse)> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
