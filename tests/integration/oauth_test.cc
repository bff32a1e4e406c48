// Integration: Sluice as an OAuth 2.0 authorization server (issue 15), over HTTP against the
// real binary, as a browser and a client app drive it: the sign-in and consent pages (cookies,
// CSRF), the code to the redirect URI, the token endpoint (PKCE, HTTP Basic, public clients),
// user access tokens on the API with their scopes, refresh rotation, replays, revocation by the
// client and by the account on its page.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <boost/url.hpp>

#include "access/passwords.h"
#include "access/pkce.h"
#include "harness.h"
#include "oauth_flow.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;
using namespace oauth;  // Browser, Fields, Form, HiddenFields, QueryParam, kRedirect, kVerifier

constexpr std::string_view kPassword = "correct horse battery staple";

// bob (200) wrote post 1000; carol (300) has no password; dave (400) came with his password's
// hash from the platform's own account system.
std::string Data() {
  std::ostringstream out;
  out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
  out << R"({"id":"400","username":"dave","name":"Dave","password_argon2id":")" << *HashPassword("dave's own passphrase")
      << R"("})" << "\n";
  out << R"({"id":"300","username":"carol","name":"Carol"})" << "\n";
  out << R"({"id":"1000","text":"bob says hi","author_id":"200","created_at":"2021-11-15T19:08:05.069Z"})" << "\n";
  return out.str();
}

// The value of the hidden field `name` in a page's form.
std::string Field(const std::string& html, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\""))) return "";
  return m[1];
}

class OAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    ASSERT_TRUE(server_->Import(Data()));
    auto created = RunSluice({"apps", "create", "--data", server_->data_dir(), "--name", "Scheduler", "--plan", "pro",
                              "--redirect-uri", std::string(kRedirect)});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    auto j = json::parse(created.out).as_object();
    app_token_ = Str(j, "bearer_token");
    client_id_ = Str(j, "client_id");
    client_secret_ = Str(j, "client_secret");
    auto pub = RunSluice({"apps", "create", "--data", server_->data_dir(), "--name", "Phone app", "--plan", "pro",
                          "--redirect-uri", std::string(kRedirect), "--public-client"});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
    public_client_id_ = Str(json::parse(pub.out).as_object(), "client_id");
    auto pw = RunSluice({"users", "set-password", "--data", server_->data_dir(), "--username", "bob"}, std::string(kPassword) + "\n");
    ASSERT_EQ(pw.exit_code, 0) << pw.err;
    server_->app_tokens_write = false;  // X's rule: app tokens do not write
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static std::string AuthorizeUrl(const std::string& client_id, const std::string& scope, const std::string& state = "xyz",
                                  std::string_view redirect = kRedirect) {
    boost::urls::url u("/i/oauth2/authorize");
    u.params().append({"response_type", "code"});
    u.params().append({"client_id", client_id});
    u.params().append({"redirect_uri", redirect});
    u.params().append({"scope", scope});
    u.params().append({"state", state});
    u.params().append({"code_challenge", S256Challenge(kVerifier)});
    u.params().append({"code_challenge_method", "S256"});
    return std::string(u.buffer());
  }

  // Signs bob in and allows `scope` for `client_id`; returns the code the redirect carries.
  static std::string Code(Browser& b, const std::string& scope, const std::string& client_id = "") {
    const std::string id = client_id.empty() ? client_id_ : client_id;
    auto page = b.Get(AuthorizeUrl(id, scope));
    EXPECT_EQ(page.status, 200) << page.body;
    if (!b.cookies.count("sluice_session")) {
      EXPECT_NE(page.body.find("name=\"password\""), std::string::npos) << page.body;
      auto signed_in = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "bob"}, {"password", std::string(kPassword)}}));
      EXPECT_EQ(signed_in.status, 303) << signed_in.body;
      page = b.Get(signed_in.headers["location"]);
      EXPECT_EQ(page.status, 200) << page.body;
    }
    EXPECT_NE(page.body.find("value=\"allow\""), std::string::npos) << page.body;
    auto allowed = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"decision", "allow"}}));
    EXPECT_EQ(allowed.status, 303) << allowed.body;
    const std::string& location = allowed.headers["location"];
    EXPECT_EQ(location.rfind(std::string(kRedirect) + "?", 0), 0u) << location;
    EXPECT_EQ(QueryParam(location, "state"), "xyz");
    return QueryParam(location, "code");
  }

  static std::string Basic() { return oauth::Client{client_id_, client_secret_}.Basic(); }

  static HttpResponse TokenRequest(const Fields& fields, const std::string& auth = Basic()) {
    std::map<std::string, std::string> h;
    if (!auth.empty()) h["Authorization"] = auth;
    return server_->Request("POST", "/2/oauth2/token", "", Form(fields), "application/x-www-form-urlencoded", h);
  }
  static HttpResponse Exchange(const std::string& code, std::string_view verifier = kVerifier) {
    return TokenRequest({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", std::string(kRedirect)},
                         {"code_verifier", std::string(verifier)}});
  }
  static std::string Error(const HttpResponse& r) {
    auto j = json::parse(r.body);
    return j.is_object() && j.as_object().contains("error") ? Str(j, "error") : "(none)";
  }

  static SluiceServer* server_;
  static std::string app_token_, client_id_, client_secret_, public_client_id_;
};

SluiceServer* OAuthTest::server_ = nullptr;
std::string OAuthTest::app_token_, OAuthTest::client_id_, OAuthTest::client_secret_, OAuthTest::public_client_id_;

TEST_F(OAuthTest, TheWholeFlowGivesATokenThatActsForTheAccount) {
  Browser b(Over(*server_));
  auto page = b.Get(AuthorizeUrl(client_id_, "tweet.read users.read tweet.write like.write offline.access"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(page.headers["x-frame-options"], "DENY");
  EXPECT_NE(page.headers["content-security-policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(page.body.find("Sign in to authorize Scheduler"), std::string::npos);
  ASSERT_TRUE(b.cookies.count("sluice_csrf"));
  const std::string code = Code(b, "tweet.read users.read tweet.write like.write offline.access");
  ASSERT_FALSE(code.empty());

  auto tokens = Exchange(code);
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(tokens.headers["cache-control"], "no-store");
  auto t = tokens.Json().as_object();
  EXPECT_EQ(Str(t, "token_type"), "bearer");
  EXPECT_EQ(t.at("expires_in").as_int64(), 7200);
  EXPECT_EQ(Str(t, "scope"), "like.write offline.access tweet.read tweet.write users.read");
  const std::string access = Str(t, "access_token");
  const std::string refresh = Str(t, "refresh_token");

  // The token acts for bob: who it is, what it writes, what it likes.
  auto me = server_->Get("/2/users/me", access);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Str(me.Json().at("data"), "username"), "bob");
  EXPECT_EQ(me.headers["x-rate-limit-limit"], "75");  // X's per-user window of users/me
  auto posted = server_->Request("POST", "/2/tweets", access, R"({"text":"posted for bob"})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  auto post = server_->Get("/2/tweets/" + Str(posted.Json().at("data"), "id") + "?tweet.fields=author_id", app_token_);
  EXPECT_EQ(Str(post.Json().at("data"), "author_id"), "200");
  auto liked = server_->Request("POST", "/2/users/200/likes", access, R"({"tweet_id":"1000"})");
  EXPECT_EQ(liked.status, 200) << liked.body;
  // Not in the token's scopes: X's 403.
  auto follow = server_->Request("POST", "/2/users/200/following", access, R"({"target_user_id":"300"})");
  EXPECT_EQ(follow.status, 403) << follow.body;
  EXPECT_NE(follow.body.find("follows.write"), std::string::npos) << follow.body;
  // Another account's id: X's 403 for the resource.
  EXPECT_EQ(server_->Request("POST", "/2/users/300/likes", access, R"({"tweet_id":"1000"})").status, 403);
  // An app-only endpoint refuses a user token.
  auto usage = server_->Get("/2/usage/tweets", access);
  EXPECT_EQ(usage.status, 403) << usage.body;
  EXPECT_NE(usage.body.find("unsupported-authentication"), std::string::npos) << usage.body;

  // Refresh: new tokens, the old refresh token spent; a narrower scope narrows the access token.
  auto refreshed = TokenRequest({{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"scope", "tweet.read users.read"}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  auto r2 = refreshed.Json().as_object();
  EXPECT_EQ(Str(r2, "scope"), "tweet.read users.read");
  const std::string access2 = Str(r2, "access_token");
  EXPECT_EQ(server_->Get("/2/users/me", access2).status, 200);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", access2, R"({"text":"narrowed"})").status, 403);
  // Asking more than was granted: invalid_scope.
  auto wider = TokenRequest({{"grant_type", "refresh_token"}, {"refresh_token", Str(r2, "refresh_token")}, {"scope", "follows.write"}});
  EXPECT_EQ(wider.status, 400);
  EXPECT_EQ(Error(wider), "invalid_scope");

  // The spent refresh token presented again: refused, and the whole grant revoked.
  auto replay = TokenRequest({{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(Error(replay), "invalid_grant");
  EXPECT_EQ(server_->Get("/2/users/me", access2).status, 401);
  EXPECT_EQ(server_->Get("/2/users/me", access).status, 401);
}

TEST_F(OAuthTest, TheRecordOfAnActionNamesTheAccountThatAuthorisedIt) {
  Browser b(Over(*server_));
  auto tokens = Exchange(Code(b, "tweet.read users.read tweet.write"));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  auto posted = server_->Request("POST", "/2/tweets", Str(tokens.Json(), "access_token"), R"({"text":"on the record"})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  const std::string id = Str(posted.Json().at("data"), "id");
  for (int tries = 0;; ++tries) {
    auto exported = RunSluice({"ledger", "export", "--data", server_->data_dir(), "--app", "0", "--authorized-by", "200"});
    if (exported.exit_code == 0) {
      EXPECT_NE(exported.out.find(id), std::string::npos) << exported.out;
      break;
    }
    ASSERT_LT(tries, 20) << exported.err;  // a tail still being written: read again
  }
}

TEST_F(OAuthTest, AuthorizationErrorsAreAPageWhenTheClientIsInDoubtElseARedirect) {
  Browser b(Over(*server_));
  auto unknown = b.Get(AuthorizeUrl("no-such-client", "tweet.read"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_FALSE(unknown.headers.count("location"));
  auto elsewhere = b.Get(AuthorizeUrl(client_id_, "tweet.read", "xyz", "https://attacker.example/cb"));
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_FALSE(elsewhere.headers.count("location"));
  EXPECT_NE(elsewhere.body.find("is not registered"), std::string::npos);
  // Known client and redirect URI: the error goes back there, with the state.
  auto bad_scope = b.Get(AuthorizeUrl(client_id_, "tweet.read nonsense.scope", "s1"));
  ASSERT_EQ(bad_scope.status, 303);
  EXPECT_EQ(QueryParam(bad_scope.headers["location"], "error"), "invalid_scope");
  EXPECT_EQ(QueryParam(bad_scope.headers["location"], "state"), "s1");
  std::string no_pkce = AuthorizeUrl(client_id_, "tweet.read");
  no_pkce = std::regex_replace(no_pkce, std::regex("&code_challenge=[^&]*"), "");
  auto missing = b.Get(no_pkce);
  ASSERT_EQ(missing.status, 303);
  EXPECT_EQ(QueryParam(missing.headers["location"], "error"), "invalid_request");
}

TEST_F(OAuthTest, SignInRefusesAWrongPasswordAndAFormWithoutItsCsrfToken) {
  Browser b(Over(*server_));
  auto page = b.Get(AuthorizeUrl(client_id_, "tweet.read users.read"));
  ASSERT_EQ(page.status, 200);
  auto wrong = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "bob"}, {"password", "not the password"}}));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("The username or password is not right."), std::string::npos);
  EXPECT_FALSE(b.cookies.count("sluice_session"));
  // carol has no password: the same answer (no telling which accounts exist).
  auto carol = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "carol"}, {"password", "whatever it is"}}));
  EXPECT_EQ(carol.status, 401);
  EXPECT_NE(carol.body.find("The username or password is not right."), std::string::npos);
  // Without the CSRF cookie (another site's form), or with another token: refused.
  Browser other(Over(*server_));
  auto forged = other.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "bob"}, {"password", std::string(kPassword)}}));
  EXPECT_EQ(forged.status, 403);
  EXPECT_FALSE(other.cookies.count("sluice_session"));
}

TEST_F(OAuthTest, PasswordGuessesAreLimitedPerAccount) {
  // carol (no password: every guess fails): after 10 failed sign-ins in 15 minutes the next is
  // refused before any password is checked, whatever the password.
  Browser b(Over(*server_));
  auto page = b.Get(AuthorizeUrl(client_id_, "tweet.read users.read"));
  ASSERT_EQ(page.status, 200);
  for (int i = 0; i < 10; ++i) {
    auto guess = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "carol"}, {"password", "guess number " + std::to_string(i)}}));
    ASSERT_EQ(guess.status, 401) << i;
  }
  auto limited = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "Carol"}, {"password", "guess"}}));
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("Too many failed sign-ins"), std::string::npos) << limited.body;
  // Another account is not held back.
  auto bob = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "bob"}, {"password", std::string(kPassword)}}));
  EXPECT_EQ(bob.status, 303) << bob.body;
}

TEST_F(OAuthTest, AnAccountImportedWithItsPasswordHashSignsIn) {
  Browser b(Over(*server_));
  auto page = b.Get(AuthorizeUrl(client_id_, "tweet.read users.read"));
  ASSERT_EQ(page.status, 200);
  auto signed_in = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"username", "dave"}, {"password", "dave's own passphrase"}}));
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  auto consent = b.Get(signed_in.headers["location"]);
  EXPECT_NE(consent.body.find("@dave"), std::string::npos) << consent.body;
}

TEST(OAuthImport, APasswordHashMustBeArgon2id) {
  SluiceServer s;
  EXPECT_FALSE(s.Import(R"({"id":"500","username":"eve","password_argon2id":"plain text"})"));
  EXPECT_FALSE(s.Import(R"({"id":"500","username":"eve","password_argon2id":"$2b$10$bcrypt"})"));
}

TEST_F(OAuthTest, DenyingSendsAccessDeniedToTheClient) {
  Browser b(Over(*server_));
  Code(b, "tweet.read users.read");  // signs in
  auto page = b.Get(AuthorizeUrl(client_id_, "tweet.read users.read"));
  ASSERT_EQ(page.status, 200);
  auto denied = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"decision", "deny"}}));
  ASSERT_EQ(denied.status, 303);
  EXPECT_EQ(QueryParam(denied.headers["location"], "error"), "access_denied");
  EXPECT_EQ(QueryParam(denied.headers["location"], "state"), "xyz");
  EXPECT_EQ(QueryParam(denied.headers["location"], "code"), "");
}

TEST_F(OAuthTest, TokenEndpointErrorsFollowRfc6749) {
  Browser b(Over(*server_));
  const std::string code = Code(b, "tweet.read users.read");
  // PKCE mismatch: refused, and the code stays unspent for the right verifier.
  auto mismatch = Exchange(code, "another-verifier-that-is-long-enough-for-rfc-7636-pkce-x");
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(Error(mismatch), "invalid_grant");
  // Wrong secret: 401 invalid_client with a Basic challenge.
  auto bad_client = TokenRequest({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", std::string(kRedirect)},
                                  {"code_verifier", std::string(kVerifier)}},
                                 oauth::Client{client_id_, "wrong"}.Basic());
  EXPECT_EQ(bad_client.status, 401);
  EXPECT_EQ(Error(bad_client), "invalid_client");
  EXPECT_NE(bad_client.headers["www-authenticate"].find("Basic"), std::string::npos);
  // A confidential client naming itself without its secret.
  auto unauthenticated = TokenRequest({{"grant_type", "authorization_code"}, {"code", code}, {"client_id", client_id_}}, "");
  EXPECT_EQ(Error(unauthenticated), "invalid_client");
  EXPECT_EQ(Error(TokenRequest({{"grant_type", "password"}})), "unsupported_grant_type");
  EXPECT_EQ(Error(TokenRequest({{"code", code}})), "invalid_request");
  // The code exchanged once...
  auto first = Exchange(code);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string access = Str(first.Json(), "access_token");
  EXPECT_EQ(server_->Get("/2/users/me", access).status, 200);
  // ...then stolen and replayed: refused, and the token it gave revoked.
  auto stolen = Exchange(code);
  EXPECT_EQ(stolen.status, 400);
  EXPECT_EQ(Error(stolen), "invalid_grant");
  EXPECT_EQ(server_->Get("/2/users/me", access).status, 401);
  // No refresh token without offline.access.
  EXPECT_FALSE(first.Json().as_object().contains("refresh_token"));
}

// twitter-api-v2 (the npm client X lists) spells the method s256 in its authorization link and
// posts JSON to the token and revocation endpoints, with client_id and client_secret in the body
// besides HTTP Basic: X takes both, so Sluice does.
TEST_F(OAuthTest, TwitterApiV2sLowerCaseS256AndJsonBodiesAreTaken) {
  Browser b(Over(*server_));
  Code(b, "tweet.read users.read");  // signs in
  std::string url = AuthorizeUrl(client_id_, "tweet.read users.read offline.access", "lower");
  url = std::regex_replace(url, std::regex("code_challenge_method=S256"), "code_challenge_method=s256");
  auto page = b.Get(url);
  ASSERT_EQ(page.status, 200) << page.body;
  auto allowed = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"decision", "allow"}}));
  ASSERT_EQ(allowed.status, 303) << allowed.body;
  const std::string code = QueryParam(allowed.headers["location"], "code");
  ASSERT_FALSE(code.empty()) << allowed.headers["location"];

  auto post_json = [&](const std::string& path, const json::object& body, const std::string& content_type = "application/json") {
    return server_->Request("POST", path, "", json::serialize(body), content_type, {{"Authorization", Basic()}});
  };
  // A wrong verifier is still checked as S256 (the code stays unspent).
  EXPECT_EQ(Error(post_json("/2/oauth2/token", {{"grant_type", "authorization_code"}, {"code", code},
                                                 {"redirect_uri", std::string(kRedirect)}, {"code_verifier", "x" + std::string(kVerifier)},
                                                 {"client_id", client_id_}, {"client_secret", client_secret_}})),
            "invalid_grant");
  auto tokens = post_json("/2/oauth2/token", {{"grant_type", "authorization_code"}, {"code", code},
                                             {"redirect_uri", std::string(kRedirect)}, {"code_verifier", std::string(kVerifier)},
                                             {"client_id", client_id_}, {"client_secret", client_secret_}},
                          "application/json; charset=utf-8");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  auto refreshed = post_json("/2/oauth2/token", {{"grant_type", "refresh_token"}, {"refresh_token", Str(tokens.Json(), "refresh_token")},
                                                {"client_id", client_id_}, {"client_secret", nullptr}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string access = Str(refreshed.Json(), "access_token");
  EXPECT_EQ(server_->Get("/2/users/me", access).status, 200);
  auto revoked = post_json("/2/oauth2/revoke", {{"token", access}, {"token_type_hint", "access_token"}, {"client_id", client_id_}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(server_->Get("/2/users/me", access).status, 401);

  // JSON that is not an object of strings, or another media type: invalid_request.
  auto send = [&](const std::string& body, const std::string& content_type) {
    return server_->Request("POST", "/2/oauth2/token", "", body, content_type, {{"Authorization", Basic()}});
  };
  EXPECT_EQ(Error(send(R"(["grant_type","refresh_token"])", "application/json")), "invalid_request");
  EXPECT_EQ(Error(send(R"({"grant_type":"refresh_token","refresh_token":7})", "application/json")), "invalid_request");
  EXPECT_EQ(Error(send(R"({"grant_type":)", "application/json")), "invalid_request");
  EXPECT_EQ(Error(send("grant_type=refresh_token", "text/plain")), "invalid_request");
}

TEST_F(OAuthTest, PublicClientsNameThemselvesAndCannotUseAnotherAppsCode) {
  Browser b(Over(*server_));
  const std::string code = Code(b, "tweet.read users.read", public_client_id_);
  // The confidential client cannot exchange the public client's code.
  EXPECT_EQ(Error(Exchange(code)), "invalid_grant");
  auto tokens = TokenRequest({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", std::string(kRedirect)},
                              {"code_verifier", std::string(kVerifier)}, {"client_id", public_client_id_}},
                             "");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(server_->Get("/2/users/me", Str(tokens.Json(), "access_token")).status, 200);
}

TEST_F(OAuthTest, AWriteRefusedForItsScopesLeavesNothing) {
  Browser b(Over(*server_));
  auto tokens = Exchange(Code(b, "tweet.read users.read"));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  const std::string access = Str(tokens.Json(), "access_token");
  auto likes = [&] {
    auto j = server_->Get("/2/tweets/1000?tweet.fields=public_metrics", app_token_).Json();
    return j.at("data").at("public_metrics").at("like_count").as_int64();
  };
  const int64_t before = likes();
  EXPECT_EQ(server_->Request("POST", "/2/tweets", access, R"({"text":"never written"})").status, 403);
  EXPECT_EQ(server_->Request("POST", "/2/users/200/likes", access, R"({"tweet_id":"1000"})").status, 403);
  EXPECT_EQ(likes(), before);
  auto timeline = server_->Get("/2/users/200/tweets?max_results=100", app_token_);
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  EXPECT_EQ(timeline.body.find("never written"), std::string::npos);
}

TEST_F(OAuthTest, AppTokensNoLongerWriteAndNameNoAccount) {
  auto posted = server_->Request("POST", "/2/tweets", app_token_, R"({"text":"as the app"})");
  EXPECT_EQ(posted.status, 403) << posted.body;
  EXPECT_NE(posted.body.find("unsupported-authentication"), std::string::npos) << posted.body;
  EXPECT_EQ(server_->Get("/2/users/me", app_token_).status, 403);
  EXPECT_EQ(server_->Get("/2/tweets/1000", app_token_).status, 200);  // reads as before
}

TEST_F(OAuthTest, TheClientRevokesATokenAndTheAccountRevokesTheApp) {
  Browser b(Over(*server_));
  auto tokens = Exchange(Code(b, "tweet.read users.read offline.access"));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  const std::string access = Str(tokens.Json(), "access_token");
  const std::string refresh = Str(tokens.Json(), "refresh_token");
  // RFC 7009: the access token alone.
  auto revoked = server_->Request("POST", "/2/oauth2/revoke", "", Form({{"token", access}}), "application/x-www-form-urlencoded",
                                  {{"Authorization", Basic()}});
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(server_->Get("/2/users/me", access).status, 401);
  auto again = TokenRequest({{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string access2 = Str(again.Json(), "access_token");
  EXPECT_EQ(server_->Get("/2/users/me", access2).status, 200);

  // bob's page lists the app; revoking it ends every token of it at once.
  auto apps = b.Get("/i/account/apps");
  ASSERT_EQ(apps.status, 200) << apps.body;
  EXPECT_NE(apps.body.find("Scheduler"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(apps.body, m, std::regex("aria-label=\"Scheduler\">[\\s\\S]*?name=\"app_id\" value=\"([0-9]+)\"")));
  auto gone = b.Post("/i/account/apps", {{"csrf_token", Field(apps.body, "csrf_token")}, {"app_id", m[1]}, {"action", "revoke"}});
  EXPECT_EQ(gone.status, 200) << gone.body;
  EXPECT_NE(gone.body.find("Scheduler can no longer use your account."), std::string::npos) << gone.body;
  EXPECT_EQ(server_->Get("/2/users/me", access2).status, 401);
  auto refresh_after = TokenRequest({{"grant_type", "refresh_token"}, {"refresh_token", Str(again.Json(), "refresh_token")}});
  EXPECT_EQ(Error(refresh_after), "invalid_grant");
  // Signing out ends the session: the page asks to sign in again.
  auto out = b.Post("/i/account/apps", {{"csrf_token", Field(gone.body, "csrf_token")}, {"action", "sign-out"}});
  EXPECT_EQ(out.status, 303);
  EXPECT_FALSE(b.cookies.count("sluice_session"));
  EXPECT_NE(b.Get("/i/account/apps").body.find("name=\"password\""), std::string::npos);
}

}  // namespace
}  // namespace sluice::testing
