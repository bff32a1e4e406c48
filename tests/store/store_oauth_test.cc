// OAuth 2.0 grants, codes and tokens in both stores (store.h): a code or refresh token spent
// once (its tokens written with the spending, or nothing), lookups by hash that refuse what is
// expired or revoked (the token, its grant or its app), an account's grants, public clients.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StoreOAuthTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  static constexpr Id kApp = 101, kOther = 102, kUser = 20, kUser2 = 21;

  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-oauth-XXXXXX";
    dir_ = mkdtemp(tmpl);
    options_ = test::NewStoreOptions(GetParam(), dir_);
    auto s = OpenStore(options_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    WriteBatch users;
    users.users = {User{.id = 10, .username = "poster", .name = "P"}, User{.id = kUser, .username = "u1", .name = "U1"},
                   User{.id = kUser2, .username = "u2", .name = "U2"}};
    ASSERT_TRUE(store_->Apply(users).ok());
    auto project = store_->CreateProject("Acme", 1);
    ASSERT_TRUE(project.ok());
    for (Id id : {kApp, kOther}) {
      Status inserted = store_->InsertApp(App{id, *project, "app" + std::to_string(id), "basic", {"search"}, 10, 1},
                                          std::string(32, char(id)));
      ASSERT_TRUE(inserted.ok()) << inserted.message();
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::string Hash(char c) { return std::string(31, c) + '\0'; }  // bytes, a NUL included

  // A grant of kUser to `app` with a code (hash Hash(code)) that expires at 1,030.
  Id Grant(char code, Id app = kApp, Id user = kUser, uint32_t scopes = 0b101) {
    OAuthCode c{Hash(code), 0, "https://a.example/cb", "S256", std::string(43, 'C'), 1'030, std::nullopt};
    auto id = store_->InsertGrantWithCode(OAuthGrant{0, app, user, scopes, 1'000, std::nullopt}, c);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? *id : 0;
  }
  static OAuthToken Token(char hash, OAuthToken::Kind kind, Id grant, TimeMs expires_at = 5'000) {
    return {Hash(hash), kind, grant, 0b1, 1'010, expires_at, std::nullopt, std::nullopt};
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreOAuthTest, ACodeIsFoundByItsHashAndSpentOnceWithItsTokens) {
  Id grant = Grant('a');
  ASSERT_GT(grant, 0);
  EXPECT_FALSE(store_->FindCode(Hash('z'))->has_value());
  auto found = store_->FindCode(Hash('a'));
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().message();
  const auto& [code, g] = **found;
  EXPECT_EQ(code.hash, Hash('a'));
  EXPECT_EQ(code.grant_id, grant);
  EXPECT_EQ(code.redirect_uri, "https://a.example/cb");
  EXPECT_EQ(code.pkce_method, "S256");
  EXPECT_EQ(code.code_challenge, std::string(43, 'C'));
  EXPECT_EQ(code.expires_at, 1'030);
  EXPECT_EQ(code.spent_at, std::nullopt);
  EXPECT_EQ(g, (OAuthGrant{grant, kApp, kUser, 0b101, 1'000, std::nullopt}));

  OAuthToken tokens[] = {Token('x', OAuthToken::Kind::kAccess, grant), Token('y', OAuthToken::Kind::kRefresh, grant)};
  auto spent = store_->SpendCode(Hash('a'), 1'010, tokens);
  ASSERT_TRUE(spent.ok()) << spent.status().message();
  EXPECT_TRUE(*spent);
  EXPECT_EQ((*store_->FindCode(Hash('a')))->item.spent_at, 1'010);
  auto access = store_->FindToken(Hash('x'));
  ASSERT_TRUE(access.ok() && access->has_value());
  EXPECT_EQ((*access)->item, tokens[0]);
  EXPECT_EQ((*access)->grant.id, grant);
  EXPECT_EQ((*store_->FindToken(Hash('y')))->item.kind, OAuthToken::Kind::kRefresh);

  // Spent: a second spending writes nothing, its tokens neither.
  OAuthToken again[] = {Token('w', OAuthToken::Kind::kAccess, grant)};
  EXPECT_FALSE(*store_->SpendCode(Hash('a'), 1'020, again));
  EXPECT_FALSE(store_->FindToken(Hash('w'))->has_value());
  EXPECT_EQ((*store_->FindCode(Hash('a')))->item.spent_at, 1'010);
  EXPECT_FALSE(*store_->SpendCode(Hash('q'), 1'020, again));  // unknown
  EXPECT_EQ(test::CountRows(options_, "oauth_tokens"), 2);
}

TEST_P(StoreOAuthTest, ARefreshTokenIsSpentOnceAndNotOnceItsGrantIsRevoked) {
  Id grant = Grant('a');
  OAuthToken first[] = {Token('r', OAuthToken::Kind::kRefresh, grant), Token('s', OAuthToken::Kind::kAccess, grant)};
  ASSERT_TRUE(*store_->SpendCode(Hash('a'), 1'010, first));
  EXPECT_FALSE(*store_->SpendRefreshToken(Hash('s'), 1'100, {}));  // an access token is no refresh token
  OAuthToken next[] = {Token('t', OAuthToken::Kind::kRefresh, grant)};
  EXPECT_TRUE(*store_->SpendRefreshToken(Hash('r'), 1'100, next));
  EXPECT_EQ((*store_->FindToken(Hash('r')))->item.spent_at, 1'100);
  EXPECT_FALSE(*store_->SpendRefreshToken(Hash('r'), 1'200, {}));

  EXPECT_TRUE(*store_->RevokeGrant(grant, 1'300));
  EXPECT_FALSE(*store_->RevokeGrant(grant, 1'400));  // already
  EXPECT_FALSE(*store_->RevokeGrant(999, 1'400));
  EXPECT_FALSE(*store_->SpendRefreshToken(Hash('t'), 1'500, {}));
  auto t = store_->FindToken(Hash('t'));
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->item.spent_at, std::nullopt);
  EXPECT_EQ((*t)->grant.revoked_at, 1'300);
}

TEST_P(StoreOAuthTest, AnAccessTokenIsLiveUntilItExpiresOrItOrItsGrantOrAppIsRevoked) {
  Id grant = Grant('a');
  Id other = Grant('b');
  Id of_other_app = Grant('c', kOther);
  OAuthToken tokens[] = {Token('x', OAuthToken::Kind::kAccess, grant, 5'000),
                         Token('r', OAuthToken::Kind::kRefresh, grant, 5'000)};
  ASSERT_TRUE(*store_->SpendCode(Hash('a'), 1'010, tokens));
  OAuthToken t2[] = {Token('y', OAuthToken::Kind::kAccess, other)};
  ASSERT_TRUE(*store_->SpendCode(Hash('b'), 1'010, t2));
  OAuthToken t3[] = {Token('z', OAuthToken::Kind::kAccess, of_other_app)};
  ASSERT_TRUE(*store_->SpendCode(Hash('c'), 1'010, t3));

  auto live = store_->FindAccessToken(Hash('x'), 4'999);
  ASSERT_TRUE(live.ok() && live->has_value()) << live.status().message();
  EXPECT_EQ((*live)->token, tokens[0]);
  EXPECT_EQ((*live)->grant.user_id, kUser);
  EXPECT_EQ((*live)->app.id, kApp);
  EXPECT_EQ((*live)->app.name, "app101");
  EXPECT_FALSE(store_->FindAccessToken(Hash('x'), 5'000)->has_value());  // expired at exactly expires_at
  EXPECT_FALSE(store_->FindAccessToken(Hash('r'), 1'100)->has_value());  // a refresh token is no access token
  EXPECT_FALSE(store_->FindAccessToken(Hash('q'), 1'100)->has_value());

  EXPECT_TRUE(*store_->RevokeAccessToken(Hash('x'), 1'200));
  EXPECT_FALSE(*store_->RevokeAccessToken(Hash('x'), 1'300));
  EXPECT_FALSE(*store_->RevokeAccessToken(Hash('r'), 1'300));  // refresh tokens go with their grant
  EXPECT_FALSE(store_->FindAccessToken(Hash('x'), 1'300)->has_value());
  EXPECT_EQ((*store_->FindToken(Hash('x')))->item.revoked_at, 1'200);

  EXPECT_TRUE(store_->FindAccessToken(Hash('y'), 1'300)->has_value());
  EXPECT_TRUE(*store_->RevokeGrant(other, 1'300));
  EXPECT_FALSE(store_->FindAccessToken(Hash('y'), 1'300)->has_value());

  EXPECT_TRUE(store_->FindAccessToken(Hash('z'), 1'300)->has_value());
  ASSERT_TRUE(*store_->RevokeApp(kOther, 1'300));
  EXPECT_FALSE(store_->FindAccessToken(Hash('z'), 1'300)->has_value());
}

TEST_P(StoreOAuthTest, AnAccountsGrantsListTheirAppsAndHowLongTheyAreUsable) {
  Id g1 = Grant('a');                       // code unspent: usable until 1,030
  Id g2 = Grant('b', kOther, kUser, 0b10);  // tokens: until the latest unspent one
  Id g3 = Grant('c');                       // revoked below
  Grant('d', kApp, kUser2);                 // another account's
  OAuthToken t[] = {Token('x', OAuthToken::Kind::kAccess, g2, 8'000), Token('r', OAuthToken::Kind::kRefresh, g2, 9'000)};
  ASSERT_TRUE(*store_->SpendCode(Hash('b'), 1'010, t));
  ASSERT_TRUE(*store_->RevokeGrant(g3, 1'100));

  auto grants = store_->GrantsOfUser(kUser);
  ASSERT_TRUE(grants.ok()) << grants.status().message();
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_EQ((*grants)[0].grant.id, g1);
  EXPECT_EQ((*grants)[0].app.id, kApp);
  EXPECT_EQ((*grants)[0].project_name, "Acme");
  EXPECT_EQ((*grants)[0].usable_until, 1'030);
  EXPECT_EQ((*grants)[1].grant.id, g2);
  EXPECT_EQ((*grants)[1].grant.scopes, 0b10u);
  EXPECT_EQ((*grants)[1].usable_until, 9'000);

  OAuthToken t2[] = {Token('s', OAuthToken::Kind::kRefresh, g2, 20'000)};
  ASSERT_TRUE(*store_->SpendRefreshToken(Hash('r'), 1'200, t2));  // the spent one counts no more
  EXPECT_EQ((*store_->GrantsOfUser(kUser))[1].usable_until, 20'000);

  EXPECT_EQ(*store_->RevokeGrantsOfUser(kUser, kApp, 1'300), 1);  // g1 (g3 was revoked already)
  EXPECT_EQ(*store_->RevokeGrantsOfUser(kUser, kApp, 1'300), 0);
  ASSERT_EQ(store_->GrantsOfUser(kUser)->size(), 1u);
  ASSERT_TRUE(*store_->RevokeApp(kOther, 1'400));
  EXPECT_TRUE(store_->GrantsOfUser(kUser)->empty());  // a revoked app's grants are listed no more
  EXPECT_EQ(store_->GrantsOfUser(kUser2)->size(), 1u);
}

TEST_P(StoreOAuthTest, APublicClientHasAClientIdAndNoSecret) {
  ASSERT_TRUE(store_->SetAppClientSecret(kApp, "client-a", std::string(32, 's')).ok());
  auto id = store_->SetAppPublicClient(kApp, "client-b");  // keeps its id, loses its secret
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, std::optional<std::string>("client-a"));
  auto found = store_->FindAppByClientId("client-a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->public_client);
  EXPECT_EQ((*found)->secret_hash, "");
  EXPECT_EQ(*store_->SetAppClientSecret(kApp, "client-c", std::string(32, 's')), std::nullopt);  // none to give
  EXPECT_EQ((*store_->FindAppByClientId("client-a"))->secret_hash, "");

  EXPECT_EQ(*store_->SetAppPublicClient(kOther, "client-o"), std::optional<std::string>("client-o"));
  EXPECT_EQ(*store_->SetAppPublicClient(999, "client-n"), std::nullopt);
  ASSERT_TRUE(store_->SetAppClientSecret(kOther, "x", std::string(32, 's')).ok());
  ASSERT_TRUE(*store_->RevokeApp(kOther, 5));
  EXPECT_EQ(*store_->SetAppPublicClient(kOther, "client-o"), std::nullopt);
}

TEST_P(StoreOAuthTest, AClientIsConfidentialUnlessMadePublic) {
  ASSERT_TRUE(store_->SetAppClientSecret(kApp, "client-a", std::string(32, 's')).ok());
  EXPECT_FALSE((*store_->FindAppByClientId("client-a"))->public_client);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreOAuthTest, SLUICE_STORE_BACKENDS);

// An app made before the grants migration (a client id and secret already) stays a
// confidential client with its secret.
TEST(SqliteOAuthMigration, AnOlderClientStaysConfidential) {
  const std::string dir = test::SqliteDirBefore(
      "oauth_grants",
      "INSERT INTO users (id, username, username_lc, name, description, created_at)"
      " VALUES (7, 'old', 'old', 'Old', '', 0); "
      "INSERT INTO projects (id, name, created_at) VALUES (1, 'old', 0); "
      "INSERT INTO apps (id, project_id, name, plan, uses, user_id, token_hash, created_at, client_id, client_secret_hash)"
      " VALUES (70, 1, 'old', 'basic', 'search', 7, x'0102', 0, 'old-client', x'0304')");
  auto store = OpenStore({"sqlite", dir, true});
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto found = (*store)->FindAppByClientId("old-client");
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().message();
  EXPECT_FALSE((*found)->public_client);
  EXPECT_EQ((*found)->secret_hash, std::string("\x03\x04", 2));
  EXPECT_TRUE((*store)->GrantsOfUser(7)->empty());
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
