// The admin API's credentials (access/portal_sessions.h): admin tokens and console keys, portal
// sessions and their CSRF tokens, the session cookie.
#include "access/portal_sessions.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "access/tokens.h"

namespace sluice {
namespace {

SessionKey Key(uint8_t fill) {
  std::array<uint8_t, 32> k{};
  k.fill(fill);
  return SessionKey(k);
}

TEST(PortalSecrets, AdminTokensAndConsoleKeysAreFreshAndShaped) {
  std::string a = NewAdminToken(), b = NewAdminToken(), c = NewConsoleKey();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("sluice_admin_", 0), 0u);
  EXPECT_EQ(a.size(), 13u + 43u);
  EXPECT_EQ(c.rfind("sluice_console_", 0), 0u);
  EXPECT_EQ(c.size(), 15u + 43u);
  EXPECT_TRUE(SecretMatches(a, a));
  EXPECT_FALSE(SecretMatches(a, b));
  EXPECT_FALSE(SecretMatches(a, a.substr(0, a.size() - 1)));
  EXPECT_FALSE(SecretMatches(a, ""));
}

TEST(PortalSecrets, TheAdminTokenFileIsMadeOnceMode0600AndChecked) {
  auto dir = std::filesystem::temp_directory_path() / ("sluice-admin-token-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "admin.token").string();
  auto made = LoadOrCreateAdminToken(path);
  ASSERT_TRUE(made.ok()) << made.status().message();
  struct stat st{};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateAdminToken(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *made);
  std::ofstream(path) << "not a token\n";
  auto bad = LoadOrCreateAdminToken(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), path + ": an admin token is \"sluice_admin_\" and 43 base64url characters on one line");
  std::ofstream(path) << "sluice_admin_" << std::string(43, 'x');  // no newline: accepted
  auto plain = LoadOrCreateAdminToken(path);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "sluice_admin_" + std::string(43, 'x'));
  std::filesystem::remove_all(dir);
}

TEST(PortalSession, RoundTripsForTheOperatorAndAProjectUntilItExpires) {
  SessionKey key = Key(1);
  PortalSession admin{std::nullopt, "", 10'000, ""};
  std::string cookie = EncodePortalSession(key, admin);
  auto back = DecodePortalSession(key, cookie, 9'999);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->project_id);
  EXPECT_EQ(back->expires_at, 10'000);
  EXPECT_FALSE(DecodePortalSession(key, cookie, 10'000));  // expired at its expiry
  EXPECT_FALSE(DecodePortalSession(Key(2), cookie, 0));    // another server's key

  const std::string tag = ConsoleKeyTag(HashToken("sluice_console_x"));
  EXPECT_EQ(tag.size(), 16u);
  PortalSession project{42, tag, 10'000, ""};
  auto p = DecodePortalSession(key, EncodePortalSession(key, project), 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->project_id, 42);
  EXPECT_EQ(p->key_tag, tag);
  // Two sign-ins at the same moment still get two cookies, so two CSRF tokens.
  EXPECT_NE(EncodePortalSession(key, admin), EncodePortalSession(key, admin));
}

TEST(PortalSession, AnyChangeToACookieIsRefused) {
  SessionKey key = Key(1);
  std::string s = EncodePortalSession(key, {7, "0123456789abcdef", 10'000, ""});
  for (size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodePortalSession(key, t, 0)) << i;
  }
  EXPECT_FALSE(DecodePortalSession(key, s.substr(0, s.size() - 1), 0));
  EXPECT_FALSE(DecodePortalSession(key, "", 0));
  EXPECT_FALSE(DecodePortalSession(key, "admin.99999.x", 0));
  // A session signed for the OAuth pages' purpose is not a portal session.
  EXPECT_FALSE(DecodePortalSession(key, key.Session(7, 10'000), 0));
}

TEST(PortalCsrf, TheTokenIsTheSessionsOwn) {
  SessionKey key = Key(1);
  std::string a = EncodePortalSession(key, {std::nullopt, "", 10'000, ""});
  std::string b = EncodePortalSession(key, {std::nullopt, "", 10'000, ""});
  std::string ta = PortalCsrfToken(key, a);
  EXPECT_TRUE(PortalCsrfMatches(key, a, ta));
  EXPECT_FALSE(PortalCsrfMatches(key, b, ta));
  EXPECT_FALSE(PortalCsrfMatches(key, a, ""));
  EXPECT_FALSE(PortalCsrfMatches(key, "", ta));
  EXPECT_FALSE(PortalCsrfMatches(Key(2), a, ta));
  EXPECT_NE(ta, key.CsrfToken(a));  // the OAuth pages' CSRF purpose is another
}

TEST(PortalCookie, HeaderSetsAndClears) {
  EXPECT_EQ(PortalCookieHeader("v", 8 * 3600'000, false), "sluice_portal=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800");
  EXPECT_EQ(PortalCookieHeader("v", 1000, true), "sluice_portal=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=1; Secure");
  EXPECT_EQ(PortalCookieHeader("", 0, false), "sluice_portal=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

}  // namespace
}  // namespace sluice
