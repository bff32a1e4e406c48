#include "api/oauth_server.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "access/app_clients.h"
#include "access/oauth_tokens.h"
#include "access/passwords.h"
#include "access/rate_limiter.h"
#include "api/action_body.h"
#include "api/oauth_pages.h"
#include "api/oauth_responses.h"
#include "api/params.h"
#include "core/mix.h"

namespace sluice {

namespace {

constexpr std::string_view kSessionCookie = "sluice_session";
constexpr std::string_view kCsrfCookie = "sluice_csrf";
constexpr std::string_view kAuthorizePath = "/i/oauth2/authorize";
constexpr std::string_view kAccountAppsPath = "/i/account/apps";
constexpr size_t kMaxStateBytes = 1024;
constexpr std::string_view kWrongCredentials = "The username or password is not right.";
// Password guesses: after this many failed sign-ins of an account in a window, a node refuses
// its sign-ins (before checking the password) until the window has room again.
constexpr int64_t kSignInAttempts = 10;
constexpr TimeMs kSignInWindowMs = 15 * 60'000;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  return true;
}

bool IsForm(std::string_view content_type) { return IsMediaType(content_type, "application/x-www-form-urlencoded"); }

// The parameters of a token or revocation request: a form, as RFC 6749 says, or a JSON object
// of strings, which X takes too and twitter-api-v2 sends (its loginWithOAuth2,
// refreshOAuth2Token and revokeOAuth2Token post JSON). A null member counts as absent.
Result<Params> BodyParams(const ApiRequest& req) {
  if (IsForm(req.content_type)) return Params::Parse(req.body);
  if (!IsMediaType(req.content_type, "application/json")) return MalformedRequest("The body must be application/x-www-form-urlencoded.");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(req.body, ec);
  if (ec || !v.is_object()) return MalformedRequest("The JSON body must be an object.");
  boost::urls::url u("/");
  for (const auto& member : v.as_object()) {
    if (member.value().is_null()) continue;
    if (!member.value().is_string()) return MalformedRequest(std::string(member.key()) + " must be a string.");
    u.params().append({member.key(), member.value().as_string()});
  }
  return Params::Parse(u.encoded_query());
}

ApiResponse Html(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  // No script, frame, plugin or outside resource; the page cannot be framed (clickjacking).
  // No form-action: the consent form's answer is a redirect to the client's own site.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

ApiResponse ErrorPage(int status, std::string_view heading, std::string_view message) {
  return Html(status, RenderErrorPage(heading, message));
}

ApiResponse Unavailable(const Status& s) {
  spdlog::warn("oauth page: {}", s.ToString());
  ApiResponse r = ErrorPage(503, "Please try again", "The service cannot answer right now. Try again in a few seconds.");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

ApiResponse SeeOther(std::string location) {
  ApiResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// `uri` with `params` added to its query (the redirect URI may have one of its own).
std::string WithParams(std::string_view uri, std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  auto parsed = boost::urls::parse_uri_reference(uri);
  boost::urls::url u = parsed ? boost::urls::url(*parsed) : boost::urls::url();
  for (const auto& [k, v] : params) u.params().append({k, v});
  return std::string(u.buffer());
}

// The authorization request's parameters, as received; checked by CheckAuthorization.
struct AuthorizationRequest {
  std::string response_type, client_id, redirect_uri, scope, state, code_challenge, code_challenge_method;
  AppClient client;
  std::string owner;  // the client app's project name
  ScopeSet scopes = 0;
  PkceMethod method = PkceMethod::kS256;

  std::vector<std::pair<std::string, std::string>> Fields() const {
    std::vector<std::pair<std::string, std::string>> f = {
        {"response_type", response_type}, {"client_id", client_id},           {"redirect_uri", redirect_uri},
        {"scope", scope},                 {"state", state},                   {"code_challenge", code_challenge},
        {"code_challenge_method", code_challenge_method}};
    return f;
  }
  std::string Url() const {
    boost::urls::url u(kAuthorizePath);
    for (const auto& [k, v] : Fields()) u.params().append({k, v});
    return std::string(u.buffer());
  }
  // RFC 6749 4.1.2.1: the error, with the state, to the (checked) redirect URI.
  ApiResponse Error(OAuthErrorCode code, std::string_view description) const {
    if (state.empty())
      return SeeOther(WithParams(redirect_uri, {{"error", OAuthErrorName(code)}, {"error_description", description}}));
    return SeeOther(
        WithParams(redirect_uri, {{"error", OAuthErrorName(code)}, {"error_description", description}, {"state", state}}));
  }
};

struct Checked {
  std::optional<ApiResponse> answer;  // set: the request ends here
  AuthorizationRequest request;
};

// RFC 6749 4.1.1 and 4.1.2.1, RFC 7636 4.3, in that order: who the client is and where to
// answer are settled before anything is sent there.
Checked CheckAuthorization(Store& store, const Params& p) {
  Checked c;
  AuthorizationRequest& r = c.request;
  auto get = [&](std::string_view name) {
    auto v = p.Get(name);
    return v ? std::string(*v) : std::string();
  };
  r.response_type = get("response_type");
  r.client_id = get("client_id");
  r.redirect_uri = get("redirect_uri");
  r.scope = get("scope");
  r.state = get("state");
  r.code_challenge = get("code_challenge");
  r.code_challenge_method = get("code_challenge_method");
  if (r.client_id.empty()) {
    c.answer = ErrorPage(400, "This link is not valid", "The authorization request names no app (client_id is missing).");
    return c;
  }
  auto client = store.FindAppByClientId(r.client_id);
  if (!client.ok()) {
    c.answer = Unavailable(client.status());
    return c;
  }
  if (!*client) {
    c.answer = ErrorPage(400, "This link is not valid", "No app has the client id in this request (or the app was revoked).");
    return c;
  }
  r.client = std::move(**client);
  auto uris = store.RedirectUris(r.client.app.id);
  if (!uris.ok()) {
    c.answer = Unavailable(uris.status());
    return c;
  }
  if (r.redirect_uri.empty() || std::find(uris->begin(), uris->end(), r.redirect_uri) == uris->end()) {
    c.answer = ErrorPage(400, "This link is not valid",
                         r.redirect_uri.empty() ? "The authorization request has no redirect_uri."
                                                : "The redirect URI " + r.redirect_uri + " is not registered for the app " +
                                                      r.client.app.name + ".");
    return c;
  }
  auto project = store.GetProject(r.client.app.project_id);
  if (!project.ok()) {
    c.answer = Unavailable(project.status());
    return c;
  }
  r.owner = *project ? (*project)->name : "project " + std::to_string(r.client.app.project_id);
  // From here on the answer goes back to the client's redirect URI.
  if (r.response_type != "code") {
    c.answer = r.Error(OAuthErrorCode::kUnsupportedResponseType, "response_type must be code");
    return c;
  }
  if (r.state.empty() || r.state.size() > kMaxStateBytes) {
    c.answer = r.Error(OAuthErrorCode::kInvalidRequest, "state is required (1 to 1024 bytes)");
    return c;
  }
  auto scopes = ParseScopes(r.scope);
  if (!scopes.ok()) {
    c.answer = r.Error(OAuthErrorCode::kInvalidScope, scopes.status().message());
    return c;
  }
  r.scopes = *scopes;
  auto method = ParsePkceMethod(r.code_challenge_method);
  if (!method) {
    c.answer = r.Error(OAuthErrorCode::kInvalidRequest, "code_challenge_method must be S256 or plain");
    return c;
  }
  r.method = *method;
  if (r.code_challenge.empty()) {
    c.answer = r.Error(OAuthErrorCode::kInvalidRequest, "code_challenge is required (PKCE, RFC 7636)");
    return c;
  }
  if (!IsValidCodeChallenge(r.method, r.code_challenge)) {
    c.answer = r.Error(OAuthErrorCode::kInvalidRequest,
                       r.method == PkceMethod::kS256
                           ? "code_challenge must be 43 base64url characters (S256)"
                           : "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 4.1)");
    return c;
  }
  return c;
}

// The page status of a refused sign-in: 401 (wrong credentials), 429 (too many attempts); 0
// for a failure of the service.
int SignInRefusalStatus(const Status& s) {
  if (s.code() == StatusCode::kUnauthorized) return 401;
  if (s.code() == StatusCode::kRateLimited) return 429;
  return 0;
}

}  // namespace

struct OAuthServer::Impl {
  Impl(const Clock& c, Options o)
      : clock(c), options(std::move(o)), sign_in_attempts(c), checker([this] { CheckLoop(); }) {}

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
    checker.join();
  }

  const Clock& clock;
  Options options;
  RateLimiter sign_in_attempts;  // failed sign-ins, by account (or by the username given, for none)

  // ---- the password thread ----
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> checks;  // guarded by mu
  bool stopping = false;                     // guarded by mu
  std::string dummy_hash;                    // the thread's: checked for unknown users, so they take as long
  std::thread checker;

  void CheckLoop() {
    auto dummy = HashPassword("an account that does not exist");
    if (dummy.ok()) dummy_hash = *dummy;
    for (;;) {
      std::function<void()> next;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !checks.empty(); });
        if (stopping) return;
        next = std::move(checks.front());
        checks.pop_front();
      }
      next();
    }
  }

  // Checks `password` against `hash` ("" for an account without one: the dummy hash is checked,
  // and fails) on the password thread; `then` runs on `executor`'s worker with the result.
  // False, and nothing queued, when kMaxQueuedSignIns wait already.
  bool QueueCheck(std::string password, std::string hash, Executor& executor, std::function<void(bool)> then) {
    std::lock_guard lock(mu);
    if (checks.size() >= kMaxQueuedSignIns || stopping) return false;
    checks.push_back([this, password = std::move(password), hash = std::move(hash), &executor, then = std::move(then),
                      keep = executor.KeepRunning()]() mutable {
      bool ok = hash.empty() ? (VerifyPassword(password, dummy_hash), false) : VerifyPassword(password, hash);
      executor.Post([then = std::move(then), ok, keep] { then(ok); });
    });
    cv.notify_one();
    return true;
  }

  // ---- cookies and CSRF ----
  std::string CookieAttributes(bool session) const {
    std::string a = "; Path=/i/; HttpOnly; SameSite=Lax";
    if (session) a += "; Max-Age=" + std::to_string(kSessionLifetimeMs / 1000);
    if (options.secure_cookies) a += "; Secure";
    return a;
  }

  // The CSRF nonce of the browser (its cookie), or a new one set on `r`.
  std::string CsrfNonce(const ApiRequest& req, ApiResponse* r) const {
    if (auto v = CookieValue(req.cookie, kCsrfCookie); v && !v->empty() && v->size() <= 64) return std::string(*v);
    std::string nonce = NewCsrfNonce();
    if (r) r->headers.emplace_back("Set-Cookie", std::string(kCsrfCookie) + "=" + nonce + CookieAttributes(false));
    return nonce;
  }

  bool CsrfOk(const ApiRequest& req, const Params& p) const {
    auto nonce = CookieValue(req.cookie, kCsrfCookie);
    auto token = p.Get("csrf_token");
    return nonce && token && options.session_key.CsrfMatches(*nonce, *token);
  }

  std::optional<Id> SessionUser(const ApiRequest& req, TimeMs now) const {
    auto v = CookieValue(req.cookie, kSessionCookie);
    if (!v) return std::nullopt;
    return options.session_key.SessionUser(*v, now);
  }

  void SetSession(ApiResponse& r, Id user, TimeMs now) const {
    r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" +
                                             options.session_key.Session(user, now + kSessionLifetimeMs) +
                                             CookieAttributes(true));
  }

  // ---- pages ----
  // A page whose form posts back: the CSRF cookie is set on it when the browser has none.
  ApiResponse FormPage(const ApiRequest& req, int status, const std::function<std::string(const std::string& csrf)>& render) const {
    ApiResponse r = Html(status, "");
    std::string nonce = CsrfNonce(req, &r);
    r.body = render(options.session_key.CsrfToken(nonce));
    return r;
  }

  ApiResponse SignInForAuthorize(const ApiRequest& req, const AuthorizationRequest& a, int status, std::string error,
                                 std::string username) const {
    return FormPage(req, status, [&](const std::string& csrf) {
      SignInPage page;
      page.heading = "Sign in to authorize " + a.client.app.name;
      page.action = std::string(kAuthorizePath);
      page.hidden = a.Fields();
      page.hidden.emplace_back("csrf_token", csrf);
      page.error = std::move(error);
      page.username = std::move(username);
      return RenderSignIn(page);
    });
  }

  ApiResponse SignInForAccount(const ApiRequest& req, int status, std::string error, std::string username) const {
    return FormPage(req, status, [&](const std::string& csrf) {
      SignInPage page;
      page.heading = "Sign in to see the apps you authorized";
      page.action = std::string(kAccountAppsPath);
      page.hidden = {{"csrf_token", csrf}};
      page.error = std::move(error);
      page.username = std::move(username);
      return RenderSignIn(page);
    });
  }

  ApiResponse Consent(Store& store, const ApiRequest& req, const AuthorizationRequest& a, Id user_id) const {
    auto users = store.GetUsers(std::span<const Id>(&user_id, 1));
    if (!users.ok()) return Unavailable(users.status());
    if (users->empty()) return ErrorPage(400, "Sign in again", "The account of this session no longer exists.");
    boost::urls::url_view redirect(a.redirect_uri);
    return FormPage(req, 200, [&](const std::string& csrf) {
      ConsentPage page;
      page.app_name = a.client.app.name;
      page.owner = a.owner;
      page.username = users->front().username;
      page.redirect_host = std::string(redirect.encoded_host_and_port());
      page.scopes = a.scopes;
      page.hidden = a.Fields();
      page.hidden.emplace_back("csrf_token", csrf);
      return RenderConsent(page);
    });
  }

  ApiResponse AccountPage(Store& store, const ApiRequest& req, Id user_id, TimeMs now, std::string notice) const {
    auto users = store.GetUsers(std::span<const Id>(&user_id, 1));
    if (!users.ok()) return Unavailable(users.status());
    if (users->empty()) return SignInForAccount(req, 401, "The account of this session no longer exists.", "");
    auto apps = AuthorizedApps(store, user_id, now);
    if (!apps.ok()) return Unavailable(apps.status());
    return FormPage(req, 200, [&](const std::string& csrf) {
      AccountAppsPage page;
      page.username = users->front().username;
      page.apps = std::move(*apps);
      page.csrf_token = csrf;
      page.notice = std::move(notice);
      return RenderAccountApps(page);
    });
  }

  // ---- signing in ----
  // The account the sign-in form names, checked: by an assertion (when configured) or by
  // username and password (on the password thread). `then` runs on the worker with the user, or
  // Unauthorized (wrong credentials: the message says why) or Unavailable.
  void SignIn(WorkerState& worker, const Params& p, TimeMs now, std::function<void(Result<User>)> then) {
    auto find = [&](std::string_view username) -> Result<std::optional<User>> {
      std::string name(username);
      if (!name.empty() && name.front() == '@') name.erase(0, 1);
      if (name.empty() || name.size() > 64) return std::optional<User>();
      auto users = worker.store.GetUsersByUsername(std::span<const std::string>(&name, 1));
      if (!users.ok()) return users.status();
      if (users->empty()) return std::optional<User>();
      return std::optional<User>(users->front());
    };
    if (auto assertion = p.Get("assertion")) {
      if (!options.assertions) return then(UnauthorizedBecause("Sign-in by assertion is not enabled on this server."));
      auto username = options.assertions->Verify(*assertion, now);
      if (!username.ok()) return then(username.status());
      auto user = find(*username);
      if (!user.ok()) return then(user.status());
      if (!*user) return then(UnauthorizedBecause("No account has the username the assertion names."));
      return then(std::move(**user));
    }
    auto username = p.Get("username");
    auto password = p.Get("password");
    if (!username || !password || username->empty() || password->empty())
      return then(UnauthorizedBecause("Enter your username and your password."));
    auto user = find(*username);
    if (!user.ok()) return then(user.status());
    std::string lower(*username);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    const uint64_t key = *user ? Mix64(uint64_t((*user)->id)) : Mix64(std::hash<std::string>{}(lower)) ^ 1;
    if (!sign_in_attempts.Peek(key, kSignInAttempts, kSignInWindowMs).allowed)
      return then(Status(StatusCode::kRateLimited,
                         "Too many failed sign-ins for this account: try again in 15 minutes."));
    std::string hash;
    if (*user) {
      auto record = worker.store.UserPassword((*user)->id);
      if (!record.ok()) return then(record.status());
      if (*record) hash = (*record)->hash;
    }
    std::optional<User> found = *user;
    bool queued = QueueCheck(std::string(*password), std::move(hash), worker.executor,
                             [this, key, found = std::move(found), then](bool ok) mutable {
                               if (ok && found) return then(std::move(*found));
                               sign_in_attempts.Acquire(key, kSignInAttempts, kSignInWindowMs);  // a failure counts
                               then(UnauthorizedBecause(std::string(kWrongCredentials)));
                             });
    if (!queued) then(ServiceUnavailable("Too many sign-ins are being checked; try again in a few seconds.", 1));
  }

  // ---- the routes ----
  ApiResponse Authorize(WorkerState& worker, const ApiRequest& req) {
    auto p = Params::Parse(req.query);
    if (!p.ok()) return ErrorPage(400, "This link is not valid", p.status().message());
    Checked c = CheckAuthorization(worker.store, *p);
    if (c.answer) return std::move(*c.answer);
    TimeMs now = clock.NowMs();
    auto user = SessionUser(req, now);
    if (!user) return SignInForAuthorize(req, c.request, 200, "", "");
    return Consent(worker.store, req, c.request, *user);
  }

  // A form one of the pages posted: its fields, once it is a form with this site's CSRF token;
  // else nullopt and `refused`, the page that says why.
  std::optional<Params> PageForm(const ApiRequest& req, std::optional<ApiResponse>& refused) const {
    if (!IsForm(req.content_type)) {
      refused = ErrorPage(415, "This form was not sent as a form", "Expected application/x-www-form-urlencoded.");
      return std::nullopt;
    }
    auto p = Params::Parse(req.body);
    if (!p.ok()) {
      refused = ErrorPage(400, "This form is not valid", p.status().message());
      return std::nullopt;
    }
    if (!CsrfOk(req, *p)) {
      refused = ErrorPage(403, "This form has expired",
                          "The form did not come from this site, or your browser refused its cookie. Go back, reload "
                          "the page and try again.");
      return std::nullopt;
    }
    return std::move(*p);
  }

  void AuthorizeAnswer(WorkerState& worker, const ApiRequest& req, std::function<void(ApiResponse)> done) {
    std::optional<ApiResponse> refused;
    auto p = PageForm(req, refused);
    if (!p) return done(std::move(*refused));
    Checked c = CheckAuthorization(worker.store, *p);
    if (c.answer) return done(std::move(*c.answer));
    const AuthorizationRequest& a = c.request;
    TimeMs now = clock.NowMs();
    if (auto decision = p->Get("decision")) {
      auto user = SessionUser(req, now);
      if (!user) return done(SignInForAuthorize(req, a, 401, "Your session has ended: sign in again.", ""));
      if (*decision == "deny") return done(a.Error(OAuthErrorCode::kAccessDenied, "The account refused the request."));
      if (*decision != "allow") return done(ErrorPage(400, "This form is not valid", "decision must be allow or deny."));
      CodeGrantRequest grant;
      grant.app_id = a.client.app.id;
      grant.user_id = *user;
      grant.scopes = a.scopes;
      grant.redirect_uri = a.redirect_uri;
      grant.method = a.method;
      grant.code_challenge = a.code_challenge;
      auto code = IssueCode(worker.store, grant, now);
      if (!code.ok()) return done(Unavailable(code.status()));
      return done(SeeOther(WithParams(a.redirect_uri, {{"state", a.state}, {"code", *code}})));
    }
    if (p->Get("action") != "sign-in") return done(ErrorPage(400, "This form is not valid", "Unknown action."));
    std::string username(p->Get("username").value_or(""));
    SignIn(worker, *p, now, [this, req, a, username, done = std::move(done)](Result<User> user) {
      if (user.ok()) {
        ApiResponse r = SeeOther(a.Url());
        SetSession(r, user->id, clock.NowMs());
        return done(std::move(r));
      }
      const int status = SignInRefusalStatus(user.status());
      if (!status) return done(Unavailable(user.status()));
      done(SignInForAuthorize(req, a, status, user.status().message(), username));
    });
  }

  ApiResponse AccountApps(WorkerState& worker, const ApiRequest& req) {
    TimeMs now = clock.NowMs();
    auto user = SessionUser(req, now);
    if (!user) return SignInForAccount(req, 200, "", "");
    return AccountPage(worker.store, req, *user, now, "");
  }

  void AccountAppsAnswer(WorkerState& worker, const ApiRequest& req, std::function<void(ApiResponse)> done) {
    std::optional<ApiResponse> refused;
    auto p = PageForm(req, refused);
    if (!p) return done(std::move(*refused));
    TimeMs now = clock.NowMs();
    auto action = p->Get("action").value_or("");
    if (action == "sign-in") {
      std::string username(p->Get("username").value_or(""));
      return SignIn(worker, *p, now, [this, req, username, done = std::move(done)](Result<User> user) {
        if (user.ok()) {
          ApiResponse r = SeeOther(std::string(kAccountAppsPath));
          SetSession(r, user->id, clock.NowMs());
          return done(std::move(r));
        }
        const int status = SignInRefusalStatus(user.status());
        if (!status) return done(Unavailable(user.status()));
        done(SignInForAccount(req, status, user.status().message(), username));
      });
    }
    if (action == "sign-out") {
      ApiResponse r = SeeOther(std::string(kAccountAppsPath));
      r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/i/; HttpOnly; SameSite=Lax; Max-Age=0");
      return done(std::move(r));
    }
    auto user = SessionUser(req, now);
    if (!user) return done(SignInForAccount(req, 401, "Your session has ended: sign in again.", ""));
    if (action != "revoke") return done(ErrorPage(400, "This form is not valid", "Unknown action."));
    auto app_id = ParseIdValue("app_id", p->Get("app_id").value_or(""));
    if (!app_id.ok()) return done(ErrorPage(400, "This form is not valid", "app_id is not an app id."));
    auto apps = AuthorizedApps(worker.store, *user, now);
    if (!apps.ok()) return done(Unavailable(apps.status()));
    std::string name = "The app";
    for (const auto& app : *apps)
      if (app.app_id == *app_id) name = app.app_name;
    auto revoked = RevokeAppForUser(worker.store, options.revocations, *user, *app_id, now);
    if (!revoked.ok()) return done(Unavailable(revoked.status()));
    done(AccountPage(worker.store, req, *user, now,
                     *revoked ? name + " can no longer use your account." : name + " had no access to revoke."));
  }

  // The client of a token or revoke request: HTTP Basic (confidential), or client_id alone
  // (public). `answer` is set when the request ends here.
  std::optional<App> Client(const Services& services, Store& store, const ApiRequest& req, const Params& p,
                            std::optional<ApiResponse>& answer) {
    const bool basic = StartsWithNoCase(req.authorization, "basic ");
    auto named = p.Get("client_id");
    if (basic) {
      auto app = AuthenticateClient(store, req.authorization);
      if (!app.ok()) {
        answer = app.status().code() == StatusCode::kUnauthorized
                     ? OAuthError(OAuthErrorCode::kInvalidClient, "Client authentication failed.", true)
                     : services.error_response(app.status());
        return std::nullopt;
      }
      if (named) {
        auto other = store.FindAppByClientId(*named);
        if (!other.ok()) {
          answer = services.error_response(other.status());
          return std::nullopt;
        }
        if (!*other || (*other)->app.id != app->id) {
          answer = OAuthError(OAuthErrorCode::kInvalidClient, "client_id is not the client of the HTTP Basic credentials.", true);
          return std::nullopt;
        }
      }
      return std::move(*app);
    }
    if (!req.authorization.empty()) {
      answer = OAuthError(OAuthErrorCode::kInvalidClient, "Clients authenticate with HTTP Basic, not a bearer token.");
      return std::nullopt;
    }
    if (!named) {
      answer = OAuthError(OAuthErrorCode::kInvalidClient,
                          "The client did not authenticate: a confidential client uses HTTP Basic (client_id and "
                          "client_secret), a public client sends client_id.");
      return std::nullopt;
    }
    auto client = FindPublicClient(store, *named);
    if (!client.ok()) {
      answer = client.status().code() == StatusCode::kUnauthorized
                   ? OAuthError(OAuthErrorCode::kInvalidClient,
                                "No public client has this client_id (a confidential client authenticates with HTTP "
                                "Basic: client_id and client_secret).")
                   : services.error_response(client.status());
      return std::nullopt;
    }
    return std::move(*client);
  }

  // What the token and revocation endpoints share: the form body and the client. `answer` is
  // set when the request ends here.
  struct ClientRequest {
    bool basic = false;  // HTTP Basic credentials were sent (invalid_client is then a 401)
    std::optional<Params> params;
    std::optional<App> client;
    std::optional<ApiResponse> answer;
  };
  ClientRequest ReadClientRequest(const Services& services, Store& store, const ApiRequest& req) {
    ClientRequest c;
    c.basic = StartsWithNoCase(req.authorization, "basic ");
    if (!req.query.empty()) {
      c.answer = OAuthError(OAuthErrorCode::kInvalidRequest, "Parameters go in the body, not the query.", c.basic);
      return c;
    }
    auto p = BodyParams(req);
    if (!p.ok()) {
      c.answer = OAuthError(OAuthErrorCode::kInvalidRequest, p.status().message(), c.basic);
      return c;
    }
    c.params = std::move(*p);
    c.client = Client(services, store, req, *c.params, c.answer);
    return c;
  }

  ApiResponse Token(const Services& services, WorkerState& worker, const ApiRequest& req) {
    ClientRequest c = ReadClientRequest(services, worker.store, req);
    if (c.answer) return std::move(*c.answer);
    const Params* p = &*c.params;
    const App* client = &*c.client;
    const bool basic = c.basic;
    auto grant_type = p->Get("grant_type");
    if (!grant_type || grant_type->empty()) return OAuthError(OAuthErrorCode::kInvalidRequest, "grant_type is required.", basic);
    TimeMs now = clock.NowMs();
    Result<TokenOutcome> outcome = TokenOutcome{};
    if (*grant_type == "authorization_code") {
      auto code = p->Get("code");
      auto redirect_uri = p->Get("redirect_uri");
      if (!code || code->empty()) return OAuthError(OAuthErrorCode::kInvalidRequest, "code is required.", basic);
      if (!redirect_uri || redirect_uri->empty())
        return OAuthError(OAuthErrorCode::kInvalidRequest, "redirect_uri is required.", basic);
      outcome = ExchangeCode(worker.store, options.revocations, *client, *code, *redirect_uri, p->Get("code_verifier").value_or(""), now);
    } else if (*grant_type == "refresh_token") {
      auto token = p->Get("refresh_token");
      if (!token || token->empty()) return OAuthError(OAuthErrorCode::kInvalidRequest, "refresh_token is required.", basic);
      std::optional<ScopeSet> scope;
      if (auto s = p->Get("scope")) {
        auto parsed = ParseScopes(*s);
        if (!parsed.ok()) return OAuthError(OAuthErrorCode::kInvalidScope, parsed.status().message(), basic);
        scope = *parsed;
      }
      outcome = RefreshTokens(worker.store, options.revocations, *client, *token, scope, now);
    } else {
      return OAuthError(OAuthErrorCode::kUnsupportedGrantType,
                        "grant_type must be authorization_code or refresh_token.", basic);
    }
    if (!outcome.ok()) return services.error_response(outcome.status());
    if (outcome->refusal) return OAuthError(outcome->refusal->code, outcome->refusal->description, basic);
    return TokenResponse(*outcome->tokens);
  }

  ApiResponse Revoke(const Services& services, WorkerState& worker, const ApiRequest& req) {
    ClientRequest c = ReadClientRequest(services, worker.store, req);
    if (c.answer) return std::move(*c.answer);
    const Params* p = &*c.params;
    const App* client = &*c.client;
    const bool basic = c.basic;
    auto token = p->Get("token");
    if (!token || token->empty()) return OAuthError(OAuthErrorCode::kInvalidRequest, "token is required.", basic);
    auto refused = RevokeToken(worker.store, options.revocations, *client, *token, p->Get("token_type_hint").value_or(""),
                               clock.NowMs());
    if (!refused.ok()) return services.error_response(refused.status());
    if (*refused) return OAuthError((*refused)->code, (*refused)->description, basic);
    ApiResponse r = ApiResponse::Json(200, R"({"revoked":true})");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
};

OAuthServer::OAuthServer(const Clock& clock, Options options) : impl_(std::make_unique<Impl>(clock, std::move(options))) {}

OAuthServer::~OAuthServer() = default;

void OAuthServer::Handle(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                         std::function<void(ApiResponse)> done) {
  try {
    switch (route) {
      case RouteId::kAuthorize: return done(impl_->Authorize(worker, req));
      case RouteId::kAuthorizeAnswer: return impl_->AuthorizeAnswer(worker, req, std::move(done));
      case RouteId::kOAuthToken: return done(impl_->Token(services, worker, req));
      case RouteId::kOAuthRevoke: return done(impl_->Revoke(services, worker, req));
      case RouteId::kAccountApps: return done(impl_->AccountApps(worker, req));
      case RouteId::kAccountAppsAnswer: return impl_->AccountAppsAnswer(worker, req, std::move(done));
      default: break;
    }
    done(services.error_response(InternalError("not an OAuth route")));
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", req.request_id, e.what());
    done(services.error_response(InternalError("The server failed to handle this request.")));
  }
}

}  // namespace sluice
