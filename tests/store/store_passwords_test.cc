// Platform accounts' password hashes in both stores (store.h, SetUserPassword/UserPassword):
// set, replaced, kept across reopening, refused for an unknown user.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StorePasswordsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-passwords-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "alice", .name = "A"},
                                User{.id = 11, .username = "bob", .name = "B"}},
                               {}})
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StorePasswordsTest, NoneUntilSet) {
  auto none = store_->UserPassword(10);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());
  auto unknown = store_->UserPassword(999);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(StorePasswordsTest, SetReplacedAndKeptPerUser) {
  auto set = store_->SetUserPassword(10, "$argon2id$first", 1000);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_TRUE(*set);
  auto got = store_->UserPassword(10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (PasswordRecord{"$argon2id$first", 1000}));

  auto replaced = store_->SetUserPassword(10, "$argon2id$second", 2000);
  ASSERT_TRUE(replaced.ok()) << replaced.status().message();
  EXPECT_TRUE(*replaced);
  got = store_->UserPassword(10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (PasswordRecord{"$argon2id$second", 2000}));

  auto bob = store_->UserPassword(11);  // another user's is untouched
  ASSERT_TRUE(bob.ok());
  EXPECT_FALSE(bob->has_value());

  store_.reset();  // written through: a new connection reads it
  options_.create = false;
  auto reopened = OpenStore(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  got = (*reopened)->UserPassword(10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (PasswordRecord{"$argon2id$second", 2000}));
}

TEST_P(StorePasswordsTest, UnknownUserIsRefusedAndNothingWritten) {
  auto set = store_->SetUserPassword(999, "$argon2id$x", 1000);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_FALSE(*set);
  auto got = store_->UserPassword(999);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_P(StorePasswordsTest, SettingBumpsTheWriteGeneration) {
  const uint64_t before = StoreWriteGeneration();
  ASSERT_TRUE(store_->SetUserPassword(11, "$argon2id$y", 1000).ok());
  EXPECT_GT(StoreWriteGeneration(), before);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorePasswordsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
