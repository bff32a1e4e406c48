// Apps as OAuth 2.0 clients in both stores (store.h): a client id given once and kept, the
// client secret's hash replaced, revoked apps found by no client id, redirect URIs in order.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StoreClientsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  static constexpr Id kApp = 101, kOther = 102;

  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-clients-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "poster", .name = "P"}}, {}}).ok());  // the apps' account
    auto project = store_->CreateProject("p", 1);
    ASSERT_TRUE(project.ok());
    for (Id id : {kApp, kOther}) {
      Status inserted = store_->InsertApp(App{id, *project, "app", "basic", {"search"}, 10, 1}, std::string(32, char(id)));
      ASSERT_TRUE(inserted.ok()) << inserted.message();
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreClientsTest, AClientIdIsGivenOnceAndTheSecretHashReplaced) {
  auto none = store_->FindAppByClientId("client-a");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  std::string hash1(32, '\x01'), hash2(32, '\0');
  hash2[5] = '\xff';  // bytes, NULs included, come back as they were
  auto id = store_->SetAppClientSecret(kApp, "client-a", hash1);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, std::optional<std::string>("client-a"));
  auto again = store_->SetAppClientSecret(kApp, "client-b", hash2);  // the id it has is kept
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, std::optional<std::string>("client-a"));

  auto found = store_->FindAppByClientId("client-a");
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().message();
  EXPECT_EQ((*found)->app.id, kApp);
  EXPECT_EQ((*found)->app.plan, "basic");
  EXPECT_EQ((*found)->client_id, "client-a");
  EXPECT_EQ((*found)->secret_hash, hash2);
  EXPECT_FALSE(store_->FindAppByClientId("client-b")->has_value());
}

TEST_P(StoreClientsTest, ARevokedOrUnknownAppHasNoClient) {
  ASSERT_TRUE(store_->SetAppClientSecret(kApp, "client-a", std::string(32, 'h')).ok());
  ASSERT_TRUE(*store_->RevokeApp(kApp, 5));
  EXPECT_FALSE(store_->FindAppByClientId("client-a")->has_value());
  EXPECT_EQ(*store_->SetAppClientSecret(kApp, "client-c", std::string(32, 'h')), std::nullopt);
  EXPECT_EQ(*store_->SetAppClientSecret(999, "client-d", std::string(32, 'h')), std::nullopt);
  EXPECT_FALSE(store_->FindAppByClientId("client-d")->has_value());
}

TEST_P(StoreClientsTest, RedirectUrisAreKeptInTheOrderAddedPerApp) {
  EXPECT_TRUE(store_->RedirectUris(kApp)->empty());
  for (const char* uri : {"https://b.example/cb", "https://a.example/cb", "http://127.0.0.1:9/cb"})
    EXPECT_TRUE(*store_->AddRedirectUri(kApp, uri)) << uri;
  EXPECT_FALSE(*store_->AddRedirectUri(kApp, "https://a.example/cb"));  // already registered
  EXPECT_TRUE(*store_->AddRedirectUri(kOther, "https://a.example/cb"));  // another app's own
  EXPECT_EQ(*store_->RedirectUris(kApp),
            (std::vector<std::string>{"https://b.example/cb", "https://a.example/cb", "http://127.0.0.1:9/cb"}));
  EXPECT_TRUE(*store_->RemoveRedirectUri(kApp, "https://a.example/cb"));
  EXPECT_FALSE(*store_->RemoveRedirectUri(kApp, "https://a.example/cb"));
  EXPECT_TRUE(*store_->AddRedirectUri(kApp, "https://a.example/cb"));  // back, now last
  EXPECT_EQ(*store_->RedirectUris(kApp),
            (std::vector<std::string>{"https://b.example/cb", "http://127.0.0.1:9/cb", "https://a.example/cb"}));
  EXPECT_EQ(*store_->RedirectUris(kOther), std::vector<std::string>{"https://a.example/cb"});
}

TEST_P(StoreClientsTest, AFailedAtomicChangeLeavesTheUrisAsTheyWere) {
  ASSERT_TRUE(*store_->AddRedirectUri(kApp, "https://a.example/cb"));
  Status s = store_->Atomically([&]() -> Status {
    if (auto r = store_->AddRedirectUri(kApp, "https://b.example/cb"); !r.ok()) return r.status();
    return CommandError("refused");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*store_->RedirectUris(kApp), std::vector<std::string>{"https://a.example/cb"});
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreClientsTest, SLUICE_STORE_BACKENDS);

// An app made before the clients migration keeps its bearer token, has no client id until its
// first client secret, and then gets the id it is given.
TEST(SqliteClientsMigration, AnOlderAppGetsItsClientIdWithItsFirstSecret) {
  const std::string dir = test::SqliteDirBefore(
      "app_redirect_uris",
      "INSERT INTO users (id, username, username_lc, name, description, created_at)"
      " VALUES (7, 'old', 'old', 'Old', '', 0); "
      "INSERT INTO projects (id, name, created_at) VALUES (1, 'old', 0); "
      "INSERT INTO apps (id, project_id, name, plan, uses, user_id, token_hash, created_at)"
      " VALUES (70, 1, 'old', 'basic', 'search', 7, x'0102', 0)");
  auto store = OpenStore({"sqlite", dir, true});
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto by_token = (*store)->FindAppByTokenHash(std::string("\x01\x02", 2));
  ASSERT_TRUE(by_token.ok() && by_token->has_value());
  EXPECT_TRUE((*store)->RedirectUris(70)->empty());
  auto id = (*store)->SetAppClientSecret(70, "given-at-first-secret", std::string(32, 's'));
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, std::optional<std::string>("given-at-first-secret"));
  auto found = (*store)->FindAppByClientId("given-at-first-secret");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->app.id, 70);
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
