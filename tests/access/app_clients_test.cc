#include "access/app_clients.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>

#include "access/apps.h"
#include "access/keys.h"
#include "access/tokens.h"

namespace sluice {
namespace {

std::string BasicHeader(std::string_view id, std::string_view secret) {
  std::string plain = std::string(id) + ":" + std::string(secret);  // base64url ids and secrets need no form-encoding
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  out.resize(size_t(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                    reinterpret_cast<const unsigned char*>(plain.data()), int(plain.size()))));
  return "Basic " + out;
}

class AppClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-app-clients-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    generation_ = std::move(*RevocationGeneration::Open(dir_));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  CreatedApp Create(std::vector<std::string> uris = {}) {
    auto a = CreateApp(*store_, ids_, clock_, Plans::Defaults(), NewApp{.name = "client", .redirect_uris = uris});
    EXPECT_TRUE(a.ok()) << a.status().message();
    return *a;
  }
  std::string ErrorOf(const Status& s) { return s.ok() ? "(ok)" : s.message(); }

  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RevocationGeneration> generation_;
  ManualClock clock_{1700000000000};
  SnowflakeGenerator ids_{clock_, 1};
};

TEST_F(AppClientsTest, EveryNewAppIsAConfidentialClientWithItsRedirectUris) {
  CreatedApp a = Create({"https://a.example/cb", "http://localhost:8080/cb"});
  EXPECT_EQ(a.client_id.size(), 34u);
  EXPECT_EQ(a.client_secret.size(), 50u);
  EXPECT_EQ(*store_->RedirectUris(a.app.id), (std::vector<std::string>{"https://a.example/cb", "http://localhost:8080/cb"}));
  auto found = store_->FindAppByClientId(a.client_id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->secret_hash, HashToken(a.client_secret));  // the secret itself is not stored
  CreatedApp b = Create();
  EXPECT_NE(b.client_id, a.client_id);
  EXPECT_TRUE(store_->RedirectUris(b.app.id)->empty());
}

TEST_F(AppClientsTest, CreateRefusesBadRedirectUrisAndWritesNothing) {
  auto bad = [&](std::vector<std::string> uris) {
    auto a = CreateApp(*store_, ids_, clock_, Plans::Defaults(), NewApp{.name = "x", .redirect_uris = uris});
    return ErrorOf(a.status());
  };
  EXPECT_EQ(bad({"https://a.example/cb", "https://a.example/cb"}), "redirect URI 'https://a.example/cb' is given twice");
  EXPECT_NE(bad({"http://a.example/cb"}).find("only https:// is allowed"), std::string::npos);
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back("https://a.example/" + std::to_string(i));
  EXPECT_EQ(bad(eleven), "11 redirect URIs; an app may have at most 10");
  EXPECT_TRUE(store_->ListApps()->empty());
}

TEST_F(AppClientsTest, AuthenticatesOnlyTheCurrentSecretOfALiveApp) {
  CreatedApp a = Create();
  auto ok = AuthenticateClient(*store_, BasicHeader(a.client_id, a.client_secret));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->id, a.app.id);
  EXPECT_EQ(AuthenticateClient(*store_, BasicHeader(a.client_id, a.client_secret + "x")).status().code(),
            StatusCode::kUnauthorized);
  EXPECT_EQ(AuthenticateClient(*store_, BasicHeader("unknown", a.client_secret)).status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(AuthenticateClient(*store_, "Bearer " + a.bearer_token).status().code(), StatusCode::kUnauthorized);

  auto rotated = RotateClientSecret(*store_, *generation_, a.app.id);
  ASSERT_TRUE(rotated.ok()) << rotated.status().message();
  EXPECT_EQ(rotated->client_id, a.client_id);  // the id stays; the secret changes
  EXPECT_NE(rotated->client_secret, a.client_secret);
  EXPECT_EQ(AuthenticateClient(*store_, BasicHeader(a.client_id, a.client_secret)).status().code(),
            StatusCode::kUnauthorized);
  EXPECT_TRUE(AuthenticateClient(*store_, BasicHeader(a.client_id, rotated->client_secret)).ok());

  ASSERT_TRUE(RevokeKey(*store_, *generation_, clock_, a.app.id).ok());
  EXPECT_EQ(AuthenticateClient(*store_, BasicHeader(a.client_id, rotated->client_secret)).status().code(),
            StatusCode::kUnauthorized);
  EXPECT_EQ(ErrorOf(RotateClientSecret(*store_, *generation_, a.app.id).status()),
            "app " + std::to_string(a.app.id) + " is revoked");
  EXPECT_EQ(ErrorOf(RotateClientSecret(*store_, *generation_, 12345).status()), "app 12345 does not exist");
}

TEST_F(AppClientsTest, RotatingGivesAnAppWithoutAClientItsId) {
  // An app as made before clients existed: no client id, no secret.
  auto project = store_->CreateProject("old", 1);
  ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "old", .name = "O"}}, {}}).ok());
  ASSERT_TRUE(store_->InsertApp(App{77, *project, "old", "basic", {"search"}, 10, 1}, HashToken("t")).ok());
  uint64_t before = generation_->Load();
  auto rotated = RotateClientSecret(*store_, *generation_, 77);
  ASSERT_TRUE(rotated.ok()) << rotated.status().message();
  EXPECT_EQ(rotated->client_id.size(), 34u);
  EXPECT_GT(generation_->Load(), before);
  EXPECT_TRUE(AuthenticateClient(*store_, BasicHeader(rotated->client_id, rotated->client_secret)).ok());
}

TEST_F(AppClientsTest, ChangesRedirectUrisAllOrNothing) {
  CreatedApp a = Create({"https://a.example/1"});
  std::string app = "app " + std::to_string(a.app.id);
  auto after = ChangeRedirectUris(*store_, a.app.id, {"https://a.example/2"}, {"https://a.example/1"});
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(*after, std::vector<std::string>{"https://a.example/2"});
  EXPECT_EQ(ErrorOf(ChangeRedirectUris(*store_, a.app.id, {"https://a.example/3"}, {"https://a.example/1"}).status()),
            "redirect URI 'https://a.example/1' is not registered for " + app);
  EXPECT_EQ(ErrorOf(ChangeRedirectUris(*store_, a.app.id, {"https://a.example/3", "https://a.example/2"}, {}).status()),
            "redirect URI 'https://a.example/2' is already registered for " + app);
  EXPECT_NE(ErrorOf(ChangeRedirectUris(*store_, a.app.id, {"https://a.example/#x"}, {}).status()).find("fragment"),
            std::string::npos);
  std::vector<std::string> ten;
  for (int i = 10; i < 20; ++i) ten.push_back("https://a.example/" + std::to_string(i));
  EXPECT_EQ(ErrorOf(ChangeRedirectUris(*store_, a.app.id, ten, {}).status()), "11 redirect URIs; an app may have at most 10");
  EXPECT_EQ(*store_->RedirectUris(a.app.id), std::vector<std::string>{"https://a.example/2"});  // none of the above written
  EXPECT_EQ(ErrorOf(ChangeRedirectUris(*store_, 12345, {}, {}).status()), "app 12345 does not exist");
}

TEST_F(AppClientsTest, APublicClientHasNoSecretAndIsFoundByItsClientIdAlone) {
  auto made = CreateApp(*store_, ids_, clock_, Plans::Defaults(),
                        NewApp{.name = "native", .redirect_uris = {"http://127.0.0.1:9/cb"}, .public_client = true});
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_TRUE(made->public_client);
  EXPECT_EQ(made->client_id.size(), 34u);
  EXPECT_EQ(made->client_secret, "");
  auto found = FindPublicClient(*store_, made->client_id);
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->id, made->app.id);
  // No secret authenticates it (an empty one neither), and it has none to rotate.
  EXPECT_EQ(AuthenticateClient(*store_, BasicHeader(made->client_id, "")).status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(AuthenticateClient(*store_, BasicHeader(made->client_id, "x")).status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(ErrorOf(RotateClientSecret(*store_, *generation_, made->app.id).status()),
            "app " + std::to_string(made->app.id) + " is a public client: it has no secret");

  CreatedApp confidential = Create();  // must authenticate with its secret
  EXPECT_EQ(FindPublicClient(*store_, confidential.client_id).status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(FindPublicClient(*store_, "").status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(FindPublicClient(*store_, "unknown").status().code(), StatusCode::kUnauthorized);
  ASSERT_TRUE(RevokeKey(*store_, *generation_, clock_, made->app.id).ok());
  EXPECT_EQ(FindPublicClient(*store_, made->client_id).status().code(), StatusCode::kUnauthorized);
}

}  // namespace
}  // namespace sluice
