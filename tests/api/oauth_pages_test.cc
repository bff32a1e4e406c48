// The sign-in, consent and account pages: what a browser, a script and a screen reader need.
#include "api/oauth_pages.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

size_t Count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(OAuthPages, EscapeWhatCouldBreakOutOfTextOrAttributes) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x" onclick='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("été"), "été");
}

TEST(OAuthPages, SignInIsAPlainFormWithLabelledUsernameAndPassword) {
  SignInPage p;
  p.heading = "Sign in to authorize <Scheduler>";
  p.action = "/i/oauth2/authorize";
  p.hidden = {{"state", "a\"b"}, {"csrf_token", "t"}};
  p.error = "The username or password is not right.";
  p.username = "alice\"";
  std::string html = RenderSignIn(p);
  EXPECT_NE(html.find("<form method=\"post\" action=\"/i/oauth2/authorize\">"), std::string::npos);
  EXPECT_NE(html.find("name=\"username\""), std::string::npos);
  EXPECT_NE(html.find("name=\"password\" autocomplete=\"current-password\""), std::string::npos);
  EXPECT_NE(html.find("<label for=\"username\">"), std::string::npos);
  EXPECT_NE(html.find("<label for=\"password\">"), std::string::npos);
  EXPECT_NE(html.find("value=\"a&quot;b\""), std::string::npos);
  EXPECT_NE(html.find("value=\"alice&quot;\""), std::string::npos);
  EXPECT_NE(html.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(html.find("name=\"viewport\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<Scheduler>"), std::string::npos);
}

TEST(OAuthPages, ConsentNamesTheAppItsOwnerEachScopeAndHasAllowAndDeny) {
  ConsentPage p;
  p.app_name = "Scheduler";
  p.owner = "Acme Ads";
  p.username = "alice";
  p.redirect_host = "scheduler.example";
  p.scopes = *ParseScopes("tweet.read users.read like.write offline.access");
  p.hidden = {{"csrf_token", "t"}};
  std::string html = RenderConsent(p);
  EXPECT_NE(html.find("Scheduler"), std::string::npos);
  EXPECT_NE(html.find("Acme Ads"), std::string::npos);
  EXPECT_NE(html.find("@alice"), std::string::npos);
  EXPECT_NE(html.find("scheduler.example"), std::string::npos);
  EXPECT_NE(html.find("Like and unlike Posts on your behalf."), std::string::npos);
  EXPECT_NE(html.find("Request a refresh token for the app."), std::string::npos);
  EXPECT_EQ(html.find("Create and repost on your behalf."), std::string::npos);  // not asked
  EXPECT_EQ(Count(html, "<li>"), 4u);
  EXPECT_NE(html.find("name=\"decision\" value=\"allow\""), std::string::npos);
  EXPECT_NE(html.find("name=\"decision\" value=\"deny\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(OAuthPages, AccountPageListsEachAppWithARevokeButton) {
  AccountAppsPage p;
  p.username = "alice";
  p.csrf_token = "t";
  AuthorizedApp a;
  a.app_id = 7;
  a.app_name = "Scheduler";
  a.project_name = "Acme";
  a.scopes = *ParseScopes("tweet.read users.read");
  a.first_granted_at = 1'700'000'000'000;
  p.apps = {a, a};
  p.apps[1].app_id = 8;
  p.apps[1].app_name = "Other";
  std::string html = RenderAccountApps(p);
  EXPECT_EQ(Count(html, "name=\"action\" value=\"revoke\""), 2u);
  EXPECT_NE(html.find("name=\"app_id\" value=\"7\""), std::string::npos);
  EXPECT_NE(html.find("name=\"app_id\" value=\"8\""), std::string::npos);
  EXPECT_NE(html.find("2023-11-14"), std::string::npos);
  EXPECT_NE(html.find("value=\"sign-out\""), std::string::npos);
  p.apps.clear();
  EXPECT_NE(RenderAccountApps(p).find("No app can use your account."), std::string::npos);
}

}  // namespace
}  // namespace sluice
