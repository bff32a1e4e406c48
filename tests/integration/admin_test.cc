// The admin API (docs/admin-api.md) against the real server: the admin token, portal sessions
// and their CSRF and Origin rules, a project's session seeing its own project alone, apps and
// keys (rotate and revoke refused at once), console keys, usage, limits, credits, invoices.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "harness.h"

namespace sluice::testing {
namespace {

std::string ReadAdminToken(const SluiceServer& s) {
  std::ifstream in(s.data_dir() + "/admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

// A portal session: its cookie and CSRF token, sent as a browser would.
struct Portal {
  const SluiceServer* s = nullptr;
  std::string cookie;  // "sluice_portal=..."
  std::string csrf;

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "",
                    bool with_csrf = true, std::map<std::string, std::string> headers = {}) const {
    headers["Cookie"] = cookie;
    if (with_csrf) headers["X-CSRF-Token"] = csrf;
    return s->Request(method, target, "", body, "application/json", headers);
  }
};

std::optional<Portal> SignIn(const SluiceServer& s, const std::string& member, const std::string& secret) {
  auto r = s.Request("POST", "/admin/v1/session", "", "{\"" + member + "\":\"" + secret + "\"}");
  if (r.status != 200) return std::nullopt;
  const std::string& set = r.headers.at("set-cookie");
  Portal p{&s, set.substr(0, set.find(';')), Str(r.Json().at("data"), "csrf_token")};
  return p;
}

struct Project {
  std::string id;
  std::string console_key;
};

Project MakeProject(const SluiceServer& s, const std::string& admin, const std::string& name, const std::string& plan = "pro") {
  auto r = s.Request("POST", "/admin/v1/projects", admin, "{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}");
  EXPECT_EQ(r.status, 201) << r.body;
  const boost::json::value d = r.Json().at("data");
  return {Str(d, "id"), Str(d, "console_key")};
}

size_t ProjectCount(const SluiceServer& s, const std::string& admin) {
  return s.Get("/admin/v1/projects", admin).Json().at("data").as_array().size();
}

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    s_.Start();
    admin_ = ReadAdminToken(s_);
  }
  SluiceServer s_{50, 2000};
  std::string admin_;
};

TEST_F(AdminApiTest, AdminTokenIsMadeOnceWithMode0600AndIsTheOnlyBearerAccepted) {
  struct stat st{};
  ASSERT_EQ(stat((s_.data_dir() + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(admin_.rfind("sluice_admin_", 0), 0u);
  EXPECT_EQ(admin_.size(), 13u + 43u);
  EXPECT_EQ(s_.Get("/admin/v1/projects", admin_).status, 200);
  auto none = s_.Get("/admin/v1/projects", "");
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(none.headers.at("content-type"), "application/problem+json");
  EXPECT_EQ(s_.Get("/admin/v1/projects", admin_ + "x").status, 401);
  EXPECT_EQ(s_.Get("/admin/v1/projects", "sluice_admin_" + std::string(43, 'A')).status, 401);
  const std::string app_token = s_.CreateApp("client");
  EXPECT_EQ(s_.Get("/admin/v1/projects", app_token).status, 401);  // a client token is never an admin token
  EXPECT_EQ(s_.Get("/admin/v1/plans", "").status, 401);
  // The token survives a restart unchanged.
  EXPECT_EQ(s_.Stop(), 0);
  s_.Start();
  EXPECT_EQ(ReadAdminToken(s_), admin_);
  EXPECT_EQ(s_.Get("/admin/v1/projects", admin_).status, 200);
}

TEST_F(AdminApiTest, SessionCookieCsrfAndOrigin) {
  auto wrong = s_.Request("POST", "/admin/v1/session", "", "{\"admin_token\":\"sluice_admin_nope\"}");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.headers.count("set-cookie"), 0u);
  auto r = s_.Request("POST", "/admin/v1/session", "", "{\"admin_token\":\"" + admin_ + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string set = r.headers.at("set-cookie");
  EXPECT_NE(set.find("sluice_portal="), std::string::npos);
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set.find("Path=/"), std::string::npos);
  EXPECT_NE(set.find("Max-Age=28800"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos);  // no TLS here
  EXPECT_EQ(Str(r.Json().at("data"), "role"), "admin");
  auto portal = SignIn(s_, "admin_token", admin_);
  ASSERT_TRUE(portal);

  auto got = portal->Call("GET", "/admin/v1/session", "", false);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Str(got.Json().at("data"), "csrf_token"), portal->csrf);

  // A change without the CSRF token, or with another, is refused and writes nothing.
  const size_t before = ProjectCount(s_, admin_);
  auto no_csrf = portal->Call("POST", "/admin/v1/projects", "{\"name\":\"x\"}", false);
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
  Portal forged = *portal;
  forged.csrf = std::string(43, 'A');
  EXPECT_EQ(forged.Call("POST", "/admin/v1/projects", "{\"name\":\"x\"}").status, 403);
  auto other = SignIn(s_, "admin_token", admin_);  // another session's token is not this one's
  ASSERT_TRUE(other);
  Portal swapped = *portal;
  swapped.csrf = other->csrf;
  EXPECT_EQ(swapped.Call("POST", "/admin/v1/projects", "{\"name\":\"x\"}").status, 403);
  EXPECT_EQ(ProjectCount(s_, admin_), before);
  // With it, the change is made.
  auto made = portal->Call("POST", "/admin/v1/projects", "{\"name\":\"via portal\"}");
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(ProjectCount(s_, admin_), before + 1);

  // Another site's page: the Origin is not the server's own. Refused, with a session or the token.
  auto foreign = portal->Call("POST", "/admin/v1/projects", "{\"name\":\"y\"}", true, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(s_.Request("GET", "/admin/v1/projects", admin_, "", "", {{"Origin", "http://evil.example"}}).status, 403);
  EXPECT_EQ(s_.Request("POST", "/admin/v1/session", "", "{\"admin_token\":\"" + admin_ + "\"}", "application/json",
                       {{"Origin", "https://127.0.0.1"}}).status, 403);
  EXPECT_EQ(ProjectCount(s_, admin_), before + 1);
  auto own = portal->Call("GET", "/admin/v1/projects", "", false, {{"Origin", "http://127.0.0.1"}});
  EXPECT_EQ(own.status, 200);

  // A bad or expired cookie is 401; signing out clears the cookie.
  EXPECT_EQ(s_.Request("GET", "/admin/v1/session", "", "", "", {{"Cookie", "sluice_portal=admin.1.x"}}).status, 401);
  EXPECT_EQ(s_.Get("/admin/v1/session", "").status, 401);
  auto bye = portal->Call("DELETE", "/admin/v1/session");
  EXPECT_EQ(bye.status, 200) << bye.body;
  EXPECT_NE(bye.headers.at("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(portal->Call("DELETE", "/admin/v1/session", "", false).status, 403);  // CSRF on sign-out too
}

TEST_F(AdminApiTest, AProjectSeesItsOwnProjectAloneAndNoOperatorRoute) {
  Project a = MakeProject(s_, admin_, "alpha");
  Project b = MakeProject(s_, admin_, "beta");
  EXPECT_EQ(a.console_key.rfind("sluice_console_", 0), 0u);
  EXPECT_EQ(a.console_key.size(), 15u + 43u);
  auto pa = SignIn(s_, "console_key", a.console_key);
  ASSERT_TRUE(pa);
  EXPECT_FALSE(SignIn(s_, "console_key", a.console_key + "x"));
  auto me = pa->Call("GET", "/admin/v1/session");
  EXPECT_EQ(Str(me.Json().at("data"), "role"), "project");
  EXPECT_EQ(Str(me.Json().at("data"), "project_id"), a.id);
  auto own = pa->Call("GET", "/admin/v1/projects/" + a.id);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Str(own.Json().at("data"), "name"), "alpha");
  EXPECT_EQ(Str(own.Json().at("data"), "plan"), "pro");
  EXPECT_EQ(pa->Call("GET", "/admin/v1/plans").status, 200);

  // Another project's id is answered as one that does not exist.
  for (std::string path : {"", "/apps", "/usage", "/limits", "/credits", "/invoices", "/invoices/2026-12"}) {
    auto theirs = pa->Call("GET", "/admin/v1/projects/" + b.id + path);
    auto none = pa->Call("GET", "/admin/v1/projects/999999" + path);
    EXPECT_EQ(theirs.status, 404) << path << theirs.body;
    EXPECT_EQ(none.status, 404) << path;
    EXPECT_EQ(theirs.Json().at("title"), none.Json().at("title")) << path;
  }
  auto b_app = s_.Request("POST", "/admin/v1/projects/" + b.id + "/apps", admin_, "{\"name\":\"b app\"}");
  ASSERT_EQ(b_app.status, 201) << b_app.body;
  const std::string b_app_id = Str(b_app.Json().at("data"), "id");
  EXPECT_EQ(pa->Call("POST", "/admin/v1/apps/" + b_app_id + "/rotate").status, 404);
  EXPECT_EQ(pa->Call("POST", "/admin/v1/apps/" + b_app_id + "/revoke").status, 404);
  EXPECT_EQ(pa->Call("POST", "/admin/v1/projects/" + b.id + "/apps", "{\"name\":\"intruder\"}").status, 404);
  EXPECT_EQ(s_.Get("/admin/v1/projects/" + b.id + "/apps", admin_).Json().at("data").as_array().size(), 1u);

  // Operator routes: 403, even on its own project.
  EXPECT_EQ(pa->Call("GET", "/admin/v1/projects").status, 403);
  EXPECT_EQ(pa->Call("POST", "/admin/v1/projects", "{\"name\":\"z\"}").status, 403);
  EXPECT_EQ(pa->Call("POST", "/admin/v1/projects/" + a.id + "/credits", "{\"micro_usd\":1000000}").status, 403);
  EXPECT_EQ(pa->Call("POST", "/admin/v1/projects/" + a.id + "/console_key").status, 403);
  auto credits = pa->Call("GET", "/admin/v1/projects/" + a.id + "/credits");
  EXPECT_EQ(credits.Json().at("data").at("entries").as_array().size(), 0u);
}

TEST_F(AdminApiTest, AppKeysRotatedAndRevokedAreRefusedAtOnce) {
  Project p = MakeProject(s_, admin_, "keys");
  auto portal = SignIn(s_, "console_key", p.console_key);
  ASSERT_TRUE(portal);
  const std::string search = "/2/tweets/search/recent?query=the";
  auto created = portal->Call("POST", "/admin/v1/projects/" + p.id + "/apps", "{\"name\":\"reader\",\"uses\":[\"search\",\"display\"]}");
  ASSERT_EQ(created.status, 201) << created.body;
  const boost::json::value app = created.Json().at("data");
  const std::string app_id = Str(app, "id"), token = Str(app, "bearer_token");
  EXPECT_EQ(Str(app, "project_id"), p.id);
  EXPECT_EQ(Str(app, "plan"), "pro");
  EXPECT_EQ(s_.Get(search, token).status, 200);
  // Without CSRF: nothing made, nothing rotated.
  EXPECT_EQ(portal->Call("POST", "/admin/v1/projects/" + p.id + "/apps", "{\"name\":\"x\"}", false).status, 403);
  EXPECT_EQ(portal->Call("POST", "/admin/v1/apps/" + app_id + "/rotate", "", false).status, 403);
  EXPECT_EQ(s_.Get(search, token).status, 200);
  EXPECT_EQ(portal->Call("GET", "/admin/v1/projects/" + p.id + "/apps").Json().at("data").as_array().size(), 1u);
  // Bad bodies: 400, nothing made.
  EXPECT_EQ(portal->Call("POST", "/admin/v1/projects/" + p.id + "/apps", "{\"name\":\"x\",\"uses\":[\"mining\"]}").status, 400);
  EXPECT_EQ(portal->Call("POST", "/admin/v1/projects/" + p.id + "/apps", "{\"nom\":\"x\"}").status, 400);
  EXPECT_EQ(portal->Call("GET", "/admin/v1/projects/" + p.id + "/apps").Json().at("data").as_array().size(), 1u);

  auto rotated = portal->Call("POST", "/admin/v1/apps/" + app_id + "/rotate");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string token2 = Str(rotated.Json().at("data"), "bearer_token");
  EXPECT_NE(token2, token);
  EXPECT_EQ(s_.Get(search, token).status, 401);
  EXPECT_EQ(s_.Get(search, token2).status, 200);

  auto revoked = s_.Request("POST", "/admin/v1/apps/" + app_id + "/revoke", admin_);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(revoked.Json().at("data").as_object().contains("revoked_at"));
  EXPECT_EQ(s_.Get(search, token2).status, 401);
  EXPECT_EQ(s_.Request("POST", "/admin/v1/apps/" + app_id + "/rotate", admin_).status, 409);
  auto listed = portal->Call("GET", "/admin/v1/projects/" + p.id + "/apps").Json().at("data").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].as_object().contains("revoked_at"));
  EXPECT_EQ(s_.Request("POST", "/admin/v1/apps/999999/rotate", admin_).status, 404);
}

TEST_F(AdminApiTest, ARotatedConsoleKeyEndsItsSessions) {
  Project p = MakeProject(s_, admin_, "rotating");
  auto first = SignIn(s_, "console_key", p.console_key);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Call("GET", "/admin/v1/projects/" + p.id).status, 200);
  auto rotated = s_.Request("POST", "/admin/v1/projects/" + p.id + "/console_key", admin_);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string key2 = Str(rotated.Json().at("data"), "console_key");
  EXPECT_EQ(first->Call("GET", "/admin/v1/projects/" + p.id).status, 401);
  EXPECT_EQ(first->Call("GET", "/admin/v1/session").status, 401);
  EXPECT_FALSE(SignIn(s_, "console_key", p.console_key));
  auto second = SignIn(s_, "console_key", key2);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Call("GET", "/admin/v1/projects/" + p.id).status, 200);
  // The command line does the same, on the running server's data.
  auto cli = RunSluice({"projects", "console-key", "--data", s_.data_dir(), "--project", p.id});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto out = boost::json::parse(cli.out);
  EXPECT_EQ(Str(out, "project_id"), p.id);
  EXPECT_EQ(second->Call("GET", "/admin/v1/projects/" + p.id).status, 401);
  EXPECT_TRUE(SignIn(s_, "console_key", Str(out, "console_key")));
  EXPECT_NE(RunSluice({"projects", "console-key", "--data", s_.data_dir(), "--project", "999999"}).exit_code, 0);
  EXPECT_EQ(s_.Request("POST", "/admin/v1/projects/999999/console_key", admin_).status, 404);
}

TEST_F(AdminApiTest, UsageAndLimitsMoveWithApiCalls) {
  Project p = MakeProject(s_, admin_, "usage");
  auto created = s_.Request("POST", "/admin/v1/projects/" + p.id + "/apps", admin_, "{\"name\":\"user\"}");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string app_id = Str(created.Json().at("data"), "id"), token = Str(created.Json().at("data"), "bearer_token");
  auto usage = [&] { return s_.Get("/admin/v1/projects/" + p.id + "/usage", admin_).Json().at("data"); };
  auto before = usage();
  EXPECT_EQ(before.at("used").as_int64(), 0);
  EXPECT_EQ(Str(before, "plan"), "pro");
  EXPECT_GT(before.at("cap").as_int64(), 0);
  EXPECT_FALSE(before.at("daily").as_array().empty());
  auto limit_of = [&](const std::string& endpoint) -> boost::json::value {
    const boost::json::value limits = s_.Get("/admin/v1/projects/" + p.id + "/limits", admin_).Json();
    for (const auto& l : limits.at("data").as_array())
      if (Str(l, "endpoint") == endpoint && Str(l, "app_id") == app_id) return l;
    return nullptr;
  };
  auto limit_before = limit_of("GET /2/tweets/search/recent");
  ASSERT_TRUE(limit_before.is_object());
  EXPECT_EQ(limit_before.at("remaining"), limit_before.at("limit"));
  EXPECT_EQ(limit_of("GET /2/tweets/search/recent").at("remaining"), limit_before.at("limit"));  // reading spends nothing

  auto page = s_.Get("/2/tweets/search/recent?query=the&max_results=10", token);
  ASSERT_EQ(page.status, 200) << page.body;
  const int64_t delivered = int64_t(page.Json().at("data").as_array().size());
  ASSERT_GT(delivered, 0);
  auto after = usage();
  EXPECT_EQ(after.at("used").as_int64(), delivered);
  auto x = s_.Get("/2/usage/tweets", token).Json().at("data");
  EXPECT_EQ(Str(x, "project_usage"), std::to_string(after.at("used").as_int64()));  // X's numbers
  const auto& today = after.at("daily").as_array().back();
  ASSERT_EQ(today.at("apps").as_array().size(), 1u);
  EXPECT_EQ(Str(today.at("apps").at(0), "app_id"), app_id);
  EXPECT_EQ(today.at("apps").at(0).at("posts").as_int64(), delivered);
  EXPECT_EQ(limit_of("GET /2/tweets/search/recent").at("remaining").as_int64(),
            limit_before.at("limit").as_int64() - 1);
}

TEST_F(AdminApiTest, CreditsAreAddedByTheOperatorOnly) {
  Project p = MakeProject(s_, admin_, "credits", "payg");
  const std::string path = "/admin/v1/projects/" + p.id + "/credits";
  auto empty = s_.Get(path, admin_).Json().at("data");
  EXPECT_EQ(empty.at("balance_micro_usd").as_int64(), 0);
  for (std::string bad : {"{}", "{\"micro_usd\":0}", "{\"micro_usd\":-5}", "{\"micro_usd\":1.5}",
                                 "{\"micro_usd\":\"5\"}", "{\"micro_usd\":5,\"x\":1}", "[5]", "nope"})
    EXPECT_EQ(s_.Request("POST", path, admin_, bad).status, 400) << bad;
  EXPECT_EQ(s_.Get(path, admin_).Json().at("data").at("entries").as_array().size(), 0u);
  auto added = s_.Request("POST", path, admin_, "{\"micro_usd\":12500000}");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.Json().at("data").at("balance_micro_usd").as_int64(), 12'500'000);
  EXPECT_EQ(Str(added.Json().at("data"), "balance_usd"), "12.50");
  auto portal = SignIn(s_, "console_key", p.console_key);
  ASSERT_TRUE(portal);
  auto seen = portal->Call("GET", path).Json().at("data");
  EXPECT_EQ(seen.at("entries").as_array().size(), 1u);
  EXPECT_EQ(seen.at("entries").at(0).at("micro_usd").as_int64(), 12'500'000);
  EXPECT_EQ(s_.Request("POST", "/admin/v1/projects/999999/credits", admin_, "{\"micro_usd\":1}").status, 404);
}

TEST_F(AdminApiTest, InvoicesAreThoseOfTheCommandLine) {
  Project p = MakeProject(s_, admin_, "billing");
  auto created = s_.Request("POST", "/admin/v1/projects/" + p.id + "/apps", admin_, "{\"name\":\"billed\"}");
  ASSERT_EQ(created.status, 201);
  const std::string token = Str(created.Json().at("data"), "bearer_token");
  ASSERT_EQ(s_.Get("/2/tweets/search/recent?query=the&max_results=10", token).status, 200);
  auto list = s_.Get("/admin/v1/projects/" + p.id + "/invoices", admin_);
  ASSERT_EQ(list.status, 200) << list.body;
  const boost::json::value list_json = list.Json();
  const auto& months = list_json.at("data").as_array();
  ASSERT_GE(months.size(), 1u);
  EXPECT_TRUE(months[0].at("estimate").as_bool());
  const std::string month = Str(months[0], "month");
  EXPECT_EQ(Str(months[0], "total_usd"), "5000.00");  // Pro's subscription

  auto json = s_.Get("/admin/v1/projects/" + p.id + "/invoices/" + month, admin_);
  ASSERT_EQ(json.status, 200) << json.body;
  auto cli = RunSluice({"invoice", "--data", s_.data_dir(), "--project", p.id, "--month", month, "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json.Json().at("data"), boost::json::parse(cli.out));
  auto csv = s_.Get("/admin/v1/projects/" + p.id + "/invoices/" + month + "?format=csv", admin_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers.at("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.headers.at("content-disposition"),
            "attachment; filename=\"sluice-invoice-" + p.id + "-" + month + ".csv\"");
  auto cli_csv = RunSluice({"invoice", "--data", s_.data_dir(), "--project", p.id, "--month", month, "--format", "csv"});
  EXPECT_EQ(csv.body, cli_csv.out);
  EXPECT_EQ(s_.Get("/admin/v1/projects/" + p.id + "/invoices/2026-13", admin_).status, 400);
  EXPECT_EQ(s_.Get("/admin/v1/projects/" + p.id + "/invoices/latest", admin_).status, 400);
  EXPECT_EQ(s_.Get("/admin/v1/projects/" + p.id + "/invoices/" + month + "?format=pdf", admin_).status, 400);
}

TEST_F(AdminApiTest, PlansAndProjectsRead) {
  auto plans = s_.Get("/admin/v1/plans", admin_);
  ASSERT_EQ(plans.status, 200);
  bool pro = false;
  const boost::json::value plans_json = plans.Json();
  for (const auto& plan : plans_json.at("data").as_array())
    if (Str(plan, "name") == "pro") {
      pro = true;
      EXPECT_EQ(Str(plan, "price_usd_month"), "5000.00");
      EXPECT_FALSE(plan.at("limits").as_array().empty());
    }
  EXPECT_TRUE(pro);
  Project p = MakeProject(s_, admin_, "listed", "basic");
  auto one = s_.Get("/admin/v1/projects/" + p.id, admin_).Json().at("data");
  EXPECT_EQ(Str(one, "plan"), "basic");
  EXPECT_EQ(Str(one, "created_at").size(), 24u);
  EXPECT_EQ(s_.Request("POST", "/admin/v1/projects", admin_, "{\"name\":\"x\",\"plan\":\"gold\"}").status, 400);
  EXPECT_EQ(s_.Request("POST", "/admin/v1/projects", admin_, "{\"name\":\"x\"}", "text/plain").status, 415);
  EXPECT_EQ(s_.Get("/admin/v1/projects/abc", admin_).status, 404);
  EXPECT_EQ(s_.Request("PUT", "/admin/v1/projects", admin_).status, 405);
}

// [admin] listen (--admin-listen): the admin API and the portal on a listener of their own and
// there only; the API on the main listener only; the server's own routes on both.
TEST(AdminListen, TheAdminApiAndThePortalAreServedOnTheirOwnListenerOnly) {
  SluiceServer s(20, 200);
  std::string app = s.CreateApp("split");
  s.Start({"--admin-listen", "127.0.0.1:0"});
  ASSERT_GT(s.admin_port(), 0);
  ASSERT_NE(s.admin_port(), s.port());
  const std::string admin = ReadAdminToken(s);
  KeepAliveClient on_admin(s.admin_port());

  EXPECT_EQ(on_admin.Get("/admin/v1/projects", admin).status, 200);
  auto root = on_admin.Get("/", "");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.headers["location"], "/portal/");
  EXPECT_EQ(on_admin.Get("/portal/", "").status, 200);
  // Not there: the API (as an unknown route, in X's shape) ...
  auto search = on_admin.Get("/2/tweets/search/recent?query=the", app);
  EXPECT_EQ(search.status, 404);
  EXPECT_NE(search.body.find("resource-not-found"), std::string::npos) << search.body;
  // ... and the platform accounts' pages, to which the portal's sign-in page links: sent on.
  auto account = on_admin.Get("/i/account/apps?x=1", "");
  EXPECT_EQ(account.status, 302);
  EXPECT_EQ(account.headers["location"], "http://127.0.0.1:" + std::to_string(s.port()) + "/i/account/apps?x=1");

  // The main listener: the API, and neither the admin API nor the portal.
  EXPECT_EQ(s.Get("/2/tweets/search/recent?query=the", app).status, 200);
  EXPECT_EQ(s.Get("/admin/v1/projects", admin).status, 404);
  EXPECT_EQ(s.Request("POST", "/admin/v1/session", "", "{\"admin_token\":\"" + admin + "\"}").status, 404);
  EXPECT_EQ(s.Get("/", "").status, 404);
  EXPECT_EQ(s.Get("/portal/", "").status, 404);
  EXPECT_EQ(s.Get("/i/account/apps", "").status, 200);

  for (int port : {s.port(), s.admin_port()}) {
    KeepAliveClient c(port);
    EXPECT_EQ(c.Get("/healthz", "").status, 200) << port;
    EXPECT_EQ(c.Get("/metrics", "").status, 200) << port;
  }
}

TEST(AdminListen, ABadAddressIsRefusedAtStart) {
  SluiceServer s;
  auto r = RunSluice({"serve", "--data", s.data_dir(), "--listen", "127.0.0.1:0", "--admin-listen", "localhost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--admin-listen localhost"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sluice::testing
