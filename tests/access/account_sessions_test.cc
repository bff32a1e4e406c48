// Sessions, CSRF tokens and sign-in assertions of the authorization server's pages.
#include "access/account_sessions.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace sluice {
namespace {

SessionKey Key(uint8_t fill) {
  std::array<uint8_t, 32> k{};
  k.fill(fill);
  return SessionKey(k);
}

TEST(SessionKey, ASessionNamesItsUserUntilItExpires) {
  SessionKey key = Key(1);
  std::string s = key.Session(42, 10'000);
  EXPECT_EQ(key.SessionUser(s, 9'999), 42);
  EXPECT_EQ(key.SessionUser(s, 10'000), std::nullopt);  // expired at its expiry
  EXPECT_EQ(Key(2).SessionUser(s, 0), std::nullopt);    // another key (another server's)
}

TEST(SessionKey, AnyChangeToASessionIsRefused) {
  SessionKey key = Key(1);
  std::string s = key.Session(42, 10'000);
  // Another user, a later expiry, a cut MAC, a flipped character: each refused.
  std::string other_user = "43" + s.substr(2);
  std::string later = s;
  later.replace(s.find('.') + 1, 5, "99999");
  EXPECT_EQ(key.SessionUser(other_user, 0), std::nullopt);
  EXPECT_EQ(key.SessionUser(later, 0), std::nullopt);
  EXPECT_EQ(key.SessionUser(s.substr(0, s.size() - 1), 0), std::nullopt);
  for (size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(key.SessionUser(t, 0), std::nullopt) << i;
  }
  EXPECT_EQ(key.SessionUser("", 0), std::nullopt);
  EXPECT_EQ(key.SessionUser("..", 0), std::nullopt);
}

TEST(SessionKey, CsrfTokensAreBoundToTheirNonce) {
  SessionKey key = Key(1);
  std::string a = NewCsrfNonce(), b = NewCsrfNonce();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 22u);
  EXPECT_TRUE(key.CsrfMatches(a, key.CsrfToken(a)));
  EXPECT_FALSE(key.CsrfMatches(b, key.CsrfToken(a)));
  EXPECT_FALSE(key.CsrfMatches(a, Key(2).CsrfToken(a)));
  EXPECT_FALSE(key.CsrfMatches("", key.CsrfToken("")));  // no cookie, no token
  // A session's MAC is no CSRF token for the same text (each MAC names its purpose).
  std::string s = key.Session(1, 2);
  EXPECT_FALSE(key.CsrfMatches("1.2", s.substr(s.rfind('.') + 1)));
}

TEST(SessionKey, MadeOnceThenReadBack) {
  auto dir = std::filesystem::temp_directory_path() / ("sluice-session-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string path = (dir / "oauth-session.key").string();
  auto made = SessionKey::LoadOrCreate(path);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto read = SessionKey::LoadOrCreate(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->SessionUser(made->Session(7, 100), 0), 7);  // the same key
  std::ofstream(path, std::ios::trunc) << "short";
  auto bad = SessionKey::LoadOrCreate(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Cookies, ValuesAreFoundByName) {
  EXPECT_EQ(CookieValue("a=1; sluice_session=x.y.z; b=2", "sluice_session"), "x.y.z");
  EXPECT_EQ(CookieValue("sluice_session=v", "sluice_session"), "v");
  EXPECT_EQ(CookieValue("xsluice_session=v", "sluice_session"), std::nullopt);
  EXPECT_EQ(CookieValue("", "a"), std::nullopt);
  EXPECT_EQ(CookieValue("a", "a"), std::nullopt);
  EXPECT_EQ(CookieValue("a=", "a"), "");
}

struct Signer {
  std::array<uint8_t, 32> pk{};
  std::array<uint8_t, 64> sk{};
  Signer() {
    EXPECT_GE(sodium_init(), 0);
    crypto_sign_keypair(pk.data(), sk.data());
  }
  std::string Assertion(std::string_view payload) const {
    std::string text = "sluice-sign-in-v1:" + std::string(payload);
    std::string sig(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(text.data()), text.size(), sk.data());
    return Base64UrlEncode(payload) + "." + Base64UrlEncode(sig);
  }
};

TEST(Assertions, SignedByTheOperatorsKeyNameTheirAccount) {
  Signer op;
  AssertionKey key(op.pk);
  const TimeMs now = 1'700'000'000'000;
  auto user = key.Verify(op.Assertion("alice:" + std::to_string(now / 1000 + 60)), now);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(*user, "alice");
}

TEST(Assertions, RefusedWhenForgedExpiredOrLongLived) {
  Signer op, other;
  AssertionKey key(op.pk);
  const TimeMs now = 1'700'000'000'000;
  const std::string exp = std::to_string(now / 1000 + 60);
  auto refused = [&](const std::string& a, std::string_view why) {
    auto r = key.Verify(a, now);
    ASSERT_FALSE(r.ok()) << a;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthorized);
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  };
  refused(other.Assertion("alice:" + exp), "signature");
  std::string good = op.Assertion("alice:" + exp);
  // The payload changed under its signature: another account.
  refused(Base64UrlEncode("mallory:" + exp) + good.substr(good.find('.')), "signature");
  refused(op.Assertion("alice:" + std::to_string(now / 1000)), "expired");
  refused(op.Assertion("alice:" + std::to_string(now / 1000 + 601)), "10 minutes");
  refused(op.Assertion("alice"), "malformed");
  refused(op.Assertion("alice:soon"), "malformed");
  refused("no-dot", "malformed");
  refused("!!!.???", "malformed");
  refused(std::string(2000, 'a') + ".b", "malformed");
}

TEST(Assertions, TheKeyFileHoldsHexDigits) {
  auto dir = std::filesystem::temp_directory_path() / ("sluice-assertion-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "idp.pub").string();
  Signer op;
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, op.pk.data(), op.pk.size());
  std::ofstream(path) << hex << "\n";
  auto key = AssertionKey::Load(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const TimeMs now = 1'700'000'000'000;
  EXPECT_TRUE(key->Verify(op.Assertion("bob:" + std::to_string(now / 1000 + 5)), now).ok());
  std::ofstream(path, std::ios::trunc) << "abc";
  EXPECT_FALSE(AssertionKey::Load(path).ok());
  EXPECT_FALSE(AssertionKey::Load((dir / "missing").string()).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
