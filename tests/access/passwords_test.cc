// Platform accounts' passwords (access/passwords.h): Argon2id strings with a fresh salt,
// verified only by the password they were made from, the rules of what may be set, and
// which hashes need making again.
#include "access/passwords.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

TEST(Passwords, HashIsArgon2idWithTheInteractiveLimitsAndVerifies) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().message();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *hash));
  EXPECT_FALSE(VerifyPassword("Correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  EXPECT_FALSE(NeedsRehash(*hash));
}

TEST(Passwords, EachHashHasItsOwnSalt) {
  auto a = HashPassword("the same password");
  auto b = HashPassword("the same password");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("the same password", *a));
  EXPECT_TRUE(VerifyPassword("the same password", *b));
}

TEST(Passwords, AnyUtf8NormalisedToNfc) {
  const std::string composed = "caf\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC-\xF0\x9F\x94\x91";    // café-日本-🔑
  const std::string decomposed = "cafe\xCC\x81-\xE6\x97\xA5\xE6\x9C\xAC-\xF0\x9F\x94\x91";  // e + U+0301
  auto hash = HashPassword(composed);
  ASSERT_TRUE(hash.ok()) << hash.status().message();
  EXPECT_TRUE(VerifyPassword(composed, *hash));
  EXPECT_TRUE(VerifyPassword(decomposed, *hash));
  EXPECT_FALSE(VerifyPassword("cafe-\xE6\x97\xA5\xE6\x9C\xAC-\xF0\x9F\x94\x91", *hash));
}

TEST(Passwords, RulesCountCharactersAndBoundBytes) {
  EXPECT_EQ(CheckPassword("").message(), "the password is empty");
  EXPECT_EQ(CheckPassword("1234567").message(), "the password must be at least 8 characters");
  EXPECT_TRUE(CheckPassword("12345678").ok());
  // Eight characters of two, three and four bytes each are eight characters.
  EXPECT_TRUE(CheckPassword("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9").ok());
  EXPECT_FALSE(CheckPassword("\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5").ok());
  // e + U+0301 seven times and one more letter: eight characters in NFC, fifteen code points as typed.
  std::string combining;
  for (int i = 0; i < 7; ++i) combining += "e\xCC\x81";
  EXPECT_FALSE(CheckPassword(combining).ok());
  EXPECT_TRUE(CheckPassword(combining + "x").ok());

  EXPECT_TRUE(CheckPassword(std::string(kMaxPasswordBytes, 'a')).ok());
  const Status too_long = CheckPassword(std::string(kMaxPasswordBytes + 1, 'a'));
  EXPECT_EQ(too_long.code(), StatusCode::kInvalidRequest);
  EXPECT_EQ(too_long.message(), "the password is longer than 1024 bytes");
  EXPECT_EQ(CheckPassword("password\xFF").message(), "the password is not valid UTF-8");
  EXPECT_EQ(CheckPassword("\xED\xA0\x80password").message(), "the password is not valid UTF-8");  // a surrogate
}

TEST(Passwords, HashingRefusesWhatTheRulesRefuse) {
  auto hash = HashPassword("short");
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), StatusCode::kInvalidRequest);
  EXPECT_EQ(hash.status().message(), "the password must be at least 8 characters");
}

TEST(Passwords, MalformedHashesNeverVerify) {
  EXPECT_FALSE(VerifyPassword("any password", ""));
  EXPECT_FALSE(VerifyPassword("any password", "not a hash"));
  EXPECT_FALSE(VerifyPassword("any password", std::string(4096, '$')));
  EXPECT_FALSE(VerifyPassword("any\xFFpassword", "$argon2id$v=19$m=65536,t=2,p=1$AAAA$AAAA"));
}

TEST(Passwords, InputPastTheBoundNeverVerifies) {
  // Not even against a hash of its first kMaxPasswordBytes: nothing past the bound is hashed.
  const std::string at_bound(kMaxPasswordBytes, 'a');
  auto hash = HashPassword(at_bound);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(at_bound, *hash));
  EXPECT_FALSE(VerifyPassword(at_bound + "a", *hash));
}

TEST(Passwords, OtherLimitsOrAlgorithmsNeedRehash) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  std::string more_passes = *hash;
  more_passes.replace(more_passes.find(",t=2,"), 5, ",t=3,");
  EXPECT_TRUE(NeedsRehash(more_passes));
  std::string less_memory = *hash;
  less_memory.replace(less_memory.find("m=65536"), 7, "m=32768");
  EXPECT_TRUE(NeedsRehash(less_memory));
  std::string argon2i = *hash;
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_TRUE(NeedsRehash(argon2i));
  EXPECT_TRUE(NeedsRehash("not a hash"));
  EXPECT_TRUE(NeedsRehash(""));
}

// The first use initialises libsodium once, whichever thread comes first (run under TSan in
// `make test-tsan`): every thread's hash verifies.
TEST(Passwords, ConcurrentFirstUse) {
  std::vector<std::string> hashes(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < hashes.size(); ++i)
    threads.emplace_back([&, i] {
      auto h = HashPassword("password number " + std::to_string(i));
      if (h.ok()) hashes[i] = *h;
    });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < hashes.size(); ++i) {
    EXPECT_TRUE(VerifyPassword("password number " + std::to_string(i), hashes[i])) << i;
    EXPECT_FALSE(VerifyPassword("password number " + std::to_string(i + 1), hashes[i])) << i;
  }
}

// SetAccountPassword on a SQLite store (both stores: tests/store/store_passwords_test.cc for
// the store, tests/integration/users_test.cc for the command on each).
class AccountPasswordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-passwords-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(StoreOptions{.url = "sqlite", .data_dir = dir_});
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "Alice", .name = "A"}}, {}}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{1700000000000};
};

TEST_F(AccountPasswordTest, SetsTheHashAtTheClocksTimeByUsernameInAnyCase) {
  auto user = SetAccountPassword(*store_, clock_, "@aLiCe", "correct horse battery staple");
  ASSERT_TRUE(user.ok()) << user.status().message();
  EXPECT_EQ(user->id, 10);
  auto stored = store_->UserPassword(10);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->set_at, 1700000000000);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", (*stored)->hash));
}

TEST_F(AccountPasswordTest, UnknownUsernamesAndSyntheticAuthorsAreNoAccounts) {
  StoredTrap trap;
  trap.id = 5;
  trap.app_id = 1;
  trap.author_id = 20;
  trap.text = "a trap";
  trap.lang = "en";
  trap.created_at = 1700000000000;
  trap.marker = "m";
  User synthetic{.id = 20, .username = "synthetic1", .name = "S"};
  synthetic.synthetic = true;
  ASSERT_TRUE(store_->InsertTrap(trap, synthetic).ok());

  for (const char* name : {"nobody", "synthetic1", "", "@"}) {
    auto user = SetAccountPassword(*store_, clock_, name, "correct horse battery staple");
    ASSERT_FALSE(user.ok()) << name;
    EXPECT_EQ(user.status().code(), StatusCode::kUsage) << name;
    EXPECT_EQ(user.status().message().rfind("no account has the username @", 0), 0u) << user.status().message();
  }
  auto synthetic_password = store_->UserPassword(20);
  ASSERT_TRUE(synthetic_password.ok());
  EXPECT_FALSE(synthetic_password->has_value());
  // The rules come first, whatever the username.
  EXPECT_EQ(SetAccountPassword(*store_, clock_, "nobody", "short").status().message(),
            "the password must be at least 8 characters");
}

}  // namespace
}  // namespace sluice
