// OAuth 2.0 grants, codes and tokens (access/oauth_tokens.h) over both stores: every refusal of
// the token endpoint's grants and of revocation, the lifetimes at their exact ends, replays
// revoking the grant, scope narrowing, an account's apps, and the single use of a code between
// two connections exchanging it at once.
#include "access/oauth_tokens.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <latch>
#include <thread>

#include "access/apps.h"
#include "access/keys.h"
#include "access/tokens.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

constexpr TimeMs kStart = 1'700'000'000'000;
constexpr Id kUser = 20, kUser2 = 21;
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";  // RFC 7636 appendix B
constexpr std::string_view kRedirect = "https://app.example/cb";

ScopeSet Scopes(std::string_view names) { return *ParseScopes(names); }

class OAuthTokensTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-oauth-tokens-XXXXXX";
    dir_ = mkdtemp(tmpl);
    options_ = test::NewStoreOptions(GetParam(), dir_);
    auto s = OpenStore(options_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    generation_ = std::move(*RevocationGeneration::Open(dir_));
    WriteBatch users;
    users.users = {User{.id = kUser, .username = "alice", .name = "Alice"}, User{.id = kUser2, .username = "bob", .name = "Bob"}};
    ASSERT_TRUE(store_->Apply(users).ok());
    app_ = MakeApp("Scheduler");
    other_ = MakeApp("Other");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  App MakeApp(std::string name) {
    auto a = CreateApp(*store_, ids_, clock_, Plans::Defaults(), NewApp{.name = name, .redirect_uris = {std::string(kRedirect)}});
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? a->app : App{};
  }

  // A code of kUser's consent to `app` for `scopes`, with the S256 challenge of kVerifier.
  std::string Code(const App& app, std::string_view scopes = "tweet.read users.read offline.access", Id user = kUser,
                   PkceMethod method = PkceMethod::kS256, std::string challenge = S256Challenge(kVerifier)) {
    auto code = IssueCode(*store_, {app.id, user, Scopes(scopes), std::string(kRedirect), method, challenge}, clock_.NowMs());
    EXPECT_TRUE(code.ok()) << code.status().message();
    return code.ok() ? *code : "";
  }
  TokenOutcome Exchange(const App& client, std::string_view code, std::string_view verifier = kVerifier,
                        std::string_view redirect = kRedirect) {
    auto out = ExchangeCode(*store_, generation_.get(), client, code, redirect, verifier, clock_.NowMs());
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? *out : TokenOutcome{};
  }
  IssuedTokens Tokens(const App& client, std::string_view scopes = "tweet.read users.read offline.access") {
    TokenOutcome out = Exchange(client, Code(client, scopes));
    EXPECT_TRUE(out.tokens) << (out.refusal ? out.refusal->description : "");
    return out.tokens.value_or(IssuedTokens{});
  }
  TokenOutcome Refresh(const App& client, std::string_view token, std::optional<ScopeSet> scope = std::nullopt) {
    auto out = RefreshTokens(*store_, generation_.get(), client, token, scope, clock_.NowMs());
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? *out : TokenOutcome{};
  }
  std::optional<UserAccess> Access(std::string_view token) {
    auto a = FindUserAccess(*store_, HashToken(token), clock_.NowMs());
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? *a : std::nullopt;
  }
  std::optional<OAuthRefusal> Revoke(const App& client, std::string_view token, std::string_view hint = "") {
    auto r = RevokeToken(*store_, generation_.get(), client, token, hint, clock_.NowMs());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::nullopt;
  }
  static std::optional<OAuthErrorCode> Error(const TokenOutcome& o) {
    return o.refusal ? std::optional<OAuthErrorCode>(o.refusal->code) : std::nullopt;
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RevocationGeneration> generation_;
  ManualClock clock_{kStart};
  SnowflakeGenerator ids_{clock_, 1};
  App app_, other_;
};

TEST_P(OAuthTokensTest, ACodeGivesAUserAccessTokenAndWithOfflineAccessARefreshToken) {
  TokenOutcome out = Exchange(app_, Code(app_));
  ASSERT_TRUE(out.tokens) << (out.refusal ? out.refusal->description : "");
  const IssuedTokens& t = *out.tokens;
  EXPECT_TRUE(t.access_token.starts_with(kUserAccessTokenPrefix)) << t.access_token;
  EXPECT_EQ(t.access_token.size(), kUserAccessTokenPrefix.size() + 43);
  EXPECT_EQ(t.expires_in, 7200);
  EXPECT_EQ(t.scope, "offline.access tweet.read users.read");
  ASSERT_TRUE(t.refresh_token);
  EXPECT_TRUE(t.refresh_token->starts_with(kRefreshTokenPrefix));

  auto access = Access(t.access_token);
  ASSERT_TRUE(access);
  EXPECT_EQ(access->app.id, app_.id);
  EXPECT_EQ(access->user_id, kUser);
  EXPECT_EQ(access->scopes, Scopes("tweet.read users.read offline.access"));
  EXPECT_EQ(access->expires_at, kStart + kAccessTokenLifetimeMs);
  EXPECT_FALSE(Access(*t.refresh_token));  // a refresh token is no access token
  EXPECT_FALSE(Access(t.access_token + "x"));

  TokenOutcome without = Exchange(app_, Code(app_, "tweet.read users.read"));  // no offline.access
  ASSERT_TRUE(without.tokens);
  EXPECT_EQ(without.tokens->refresh_token, std::nullopt);
  EXPECT_EQ(without.tokens->scope, "tweet.read users.read");
}

TEST_P(OAuthTokensTest, ACodeExpiresAtExactly30Seconds) {
  std::string early = Code(app_), late = Code(app_);
  clock_.Advance(kCodeLifetimeMs - 1);
  EXPECT_TRUE(Exchange(app_, early).tokens);
  clock_.Advance(1);
  TokenOutcome out = Exchange(app_, late);
  EXPECT_EQ(Error(out), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(out.refusal->description, "The authorization code has expired.");
}

TEST_P(OAuthTokensTest, AWrongRedirectUriOrVerifierIsRefusedAndLeavesTheCodeUsable) {
  std::string code = Code(app_);
  EXPECT_EQ(Error(Exchange(app_, code, kVerifier, "https://app.example/other")), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(Error(Exchange(app_, code, kVerifier, "")), OAuthErrorCode::kInvalidGrant);
  std::string wrong(kVerifier);
  wrong[0] = 'e';
  EXPECT_EQ(Error(Exchange(app_, code, wrong)), OAuthErrorCode::kInvalidGrant);  // S256 mismatch
  EXPECT_EQ(Error(Exchange(app_, code, "short")), OAuthErrorCode::kInvalidGrant);  // malformed (RFC 7636 4.1)
  TokenOutcome missing = Exchange(app_, code, "");
  EXPECT_EQ(Error(missing), OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(missing.refusal->description, "Missing required parameter [code_verifier].");
  EXPECT_EQ(Error(Exchange(app_, "")), OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(Error(Exchange(app_, "no-such-code")), OAuthErrorCode::kInvalidGrant);
  EXPECT_TRUE(Exchange(app_, code).tokens);  // none of the above spent it
}

TEST_P(OAuthTokensTest, APlainChallengeMustBeTheVerifierItself) {
  std::string verifier(50, 'p');
  std::string code = Code(app_, "tweet.read", kUser, PkceMethod::kPlain, verifier);
  EXPECT_EQ(Error(Exchange(app_, code, std::string(50, 'q'))), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(Error(Exchange(app_, code, S256Challenge(verifier))), OAuthErrorCode::kInvalidGrant);  // not hashed
  EXPECT_TRUE(Exchange(app_, code, verifier).tokens);
}

TEST_P(OAuthTokensTest, AnotherAppsCodeIsRefusedAndTheGrantKept) {
  std::string code = Code(app_);
  EXPECT_EQ(Error(Exchange(other_, code)), OAuthErrorCode::kInvalidGrant);
  TokenOutcome out = Exchange(app_, code);
  ASSERT_TRUE(out.tokens);
  EXPECT_TRUE(Access(out.tokens->access_token));
}

TEST_P(OAuthTokensTest, AStolenCodeReplayedRevokesItsGrantAndEveryTokenOfIt) {
  std::string code = Code(app_);
  IssuedTokens first = *Exchange(app_, code).tokens;
  ASSERT_TRUE(Access(first.access_token));
  uint64_t generation = generation_->Load();
  TokenOutcome replay = Exchange(app_, code);
  EXPECT_EQ(Error(replay), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(replay.refusal->description, "The authorization code was already used; its grant is revoked.");
  EXPECT_GT(generation_->Load(), generation);  // every worker drops what it cached
  EXPECT_FALSE(Access(first.access_token));
  EXPECT_EQ(Error(Refresh(app_, *first.refresh_token)), OAuthErrorCode::kInvalidGrant);
  clock_.Advance(kCodeLifetimeMs);  // replayed after it expired: still refused
  EXPECT_EQ(Error(Exchange(app_, code)), OAuthErrorCode::kInvalidGrant);
}

TEST_P(OAuthTokensTest, ARefreshRotatesTheRefreshTokenAndAReplayRevokesTheChain) {
  IssuedTokens first = Tokens(app_);
  clock_.Advance(60'000);
  TokenOutcome second = Refresh(app_, *first.refresh_token);
  ASSERT_TRUE(second.tokens) << second.refusal->description;
  ASSERT_TRUE(second.tokens->refresh_token);
  EXPECT_NE(*second.tokens->refresh_token, *first.refresh_token);
  EXPECT_EQ(second.tokens->scope, first.scope);
  auto access = Access(second.tokens->access_token);
  ASSERT_TRUE(access);
  EXPECT_EQ(access->expires_at, kStart + 60'000 + kAccessTokenLifetimeMs);
  TokenOutcome third = Refresh(app_, *second.tokens->refresh_token);
  ASSERT_TRUE(third.tokens);

  TokenOutcome replay = Refresh(app_, *first.refresh_token);  // spent two refreshes ago
  EXPECT_EQ(Error(replay), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(replay.refusal->description, "The refresh token was already used; its grant is revoked.");
  EXPECT_FALSE(Access(first.access_token));
  EXPECT_FALSE(Access(third.tokens->access_token));
  EXPECT_EQ(Error(Refresh(app_, *third.tokens->refresh_token)), OAuthErrorCode::kInvalidGrant);
}

TEST_P(OAuthTokensTest, ARefreshMayNarrowTheScopeButNotWidenIt) {
  IssuedTokens first = Tokens(app_);
  TokenOutcome wider = Refresh(app_, *first.refresh_token, Scopes("tweet.read like.write"));
  EXPECT_EQ(Error(wider), OAuthErrorCode::kInvalidScope);
  EXPECT_EQ(wider.refusal->description, "The scope asked for exceeds the one granted: like.write.");
  TokenOutcome narrow = Refresh(app_, *first.refresh_token, Scopes("tweet.read"));  // not spent by the refusal
  ASSERT_TRUE(narrow.tokens);
  EXPECT_EQ(narrow.tokens->scope, "tweet.read");
  EXPECT_EQ(Access(narrow.tokens->access_token)->scopes, Scopes("tweet.read"));
  ASSERT_TRUE(narrow.tokens->refresh_token);  // the grant keeps offline.access
  TokenOutcome again = Refresh(app_, *narrow.tokens->refresh_token);  // the grant's scopes again
  ASSERT_TRUE(again.tokens);
  EXPECT_EQ(again.tokens->scope, "offline.access tweet.read users.read");
}

TEST_P(OAuthTokensTest, RefreshRefusesOtherAppsAccessTokensAndExpiredTokens) {
  IssuedTokens t = Tokens(app_);
  EXPECT_EQ(Error(Refresh(other_, *t.refresh_token)), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(Error(Refresh(app_, t.access_token)), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(Error(Refresh(app_, "slr_unknown")), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(Error(Refresh(app_, "")), OAuthErrorCode::kInvalidRequest);
  clock_.Advance(kRefreshTokenLifetimeMs);
  TokenOutcome expired = Refresh(app_, *t.refresh_token);  // at exactly 180 days
  EXPECT_EQ(Error(expired), OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(expired.refusal->description, "The refresh token has expired.");
}

TEST_P(OAuthTokensTest, AnAccessTokenExpiresAtExactlyTwoHours) {
  IssuedTokens t = Tokens(app_);
  clock_.Advance(kAccessTokenLifetimeMs - 1);
  EXPECT_TRUE(Access(t.access_token));
  clock_.Advance(1);
  EXPECT_FALSE(Access(t.access_token));
  EXPECT_TRUE(Refresh(app_, *t.refresh_token).tokens);  // the refresh token outlives it
}

TEST_P(OAuthTokensTest, ARevokedAppsTokensAreDead) {
  IssuedTokens t = Tokens(app_);
  IssuedTokens kept = Tokens(other_);
  ASSERT_TRUE(RevokeKey(*store_, *generation_, clock_, app_.id).ok());
  EXPECT_FALSE(Access(t.access_token));
  EXPECT_TRUE(Access(kept.access_token));
}

TEST_P(OAuthTokensTest, RevokingAnAccessTokenEndsItAloneAndARefreshTokenItsGrant) {
  IssuedTokens t = Tokens(app_);
  uint64_t generation = generation_->Load();
  EXPECT_EQ(Revoke(app_, t.access_token, "access_token"), std::nullopt);
  EXPECT_EQ(generation_->Load(), generation + 1);
  EXPECT_FALSE(Access(t.access_token));
  TokenOutcome next = Refresh(app_, *t.refresh_token);  // the grant lives on
  ASSERT_TRUE(next.tokens);
  EXPECT_TRUE(Access(next.tokens->access_token));

  EXPECT_EQ(Revoke(app_, *next.tokens->refresh_token, "access_token"), std::nullopt);  // a wrong hint is only a hint
  EXPECT_FALSE(Access(next.tokens->access_token));
  EXPECT_EQ(Error(Refresh(app_, *next.tokens->refresh_token)), OAuthErrorCode::kInvalidGrant);

  generation = generation_->Load();
  EXPECT_EQ(Revoke(app_, t.access_token), std::nullopt);  // already revoked: no error, nothing done
  EXPECT_EQ(Revoke(app_, "slu_unknown"), std::nullopt);
  EXPECT_EQ(generation_->Load(), generation);
}

TEST_P(OAuthTokensTest, RevokingRefusesAnotherAppsTokenAndUnknownHints) {
  IssuedTokens t = Tokens(app_);
  auto refused = Revoke(other_, t.access_token);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, OAuthErrorCode::kUnauthorizedClient);
  EXPECT_TRUE(Access(t.access_token));  // unchanged
  auto hint = Revoke(app_, t.access_token, "id_token");
  ASSERT_TRUE(hint);
  EXPECT_EQ(hint->code, OAuthErrorCode::kUnsupportedTokenType);
  EXPECT_TRUE(Access(t.access_token));
  auto missing = Revoke(app_, "");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code, OAuthErrorCode::kInvalidRequest);
}

TEST_P(OAuthTokensTest, AnAccountSeesTheAppsItAuthorisedAndRevokesOne) {
  IssuedTokens a1 = Tokens(app_, "tweet.read offline.access");
  clock_.Advance(1'000);
  IssuedTokens a2 = Tokens(app_, "like.write");
  IssuedTokens b = Tokens(other_, "users.read");
  Code(other_, "tweet.write", kUser2);  // another account's

  auto apps = AuthorizedApps(*store_, kUser, clock_.NowMs());
  ASSERT_TRUE(apps.ok()) << apps.status().message();
  ASSERT_EQ(apps->size(), 2u);
  const AuthorizedApp& first = (*apps)[0];  // last granted at the same time as other_: ties keep the grants' order
  EXPECT_EQ(first.app_id, app_.id);
  EXPECT_EQ(first.app_name, "Scheduler");
  EXPECT_EQ(first.project_name, "Scheduler");
  EXPECT_EQ(first.scopes, Scopes("tweet.read offline.access like.write"));
  EXPECT_EQ(first.first_granted_at, kStart);
  EXPECT_EQ(first.last_granted_at, kStart + 1'000);
  EXPECT_EQ((*apps)[1].app_id, other_.id);
  EXPECT_EQ((*apps)[1].scopes, Scopes("users.read"));
  EXPECT_EQ(AuthorizedApps(*store_, kUser2, clock_.NowMs())->size(), 1u);  // a code not yet exchanged counts

  uint64_t generation = generation_->Load();
  auto revoked = RevokeAppForUser(*store_, generation_.get(), kUser, app_.id, clock_.NowMs());
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(*revoked);
  EXPECT_EQ(generation_->Load(), generation + 1);
  EXPECT_FALSE(Access(a1.access_token));
  EXPECT_FALSE(Access(a2.access_token));
  EXPECT_EQ(Error(Refresh(app_, *a1.refresh_token)), OAuthErrorCode::kInvalidGrant);
  EXPECT_TRUE(Access(b.access_token));
  EXPECT_FALSE(*RevokeAppForUser(*store_, generation_.get(), kUser, app_.id, clock_.NowMs()));
  apps = AuthorizedApps(*store_, kUser, clock_.NowMs());
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].app_id, other_.id);

  // Wholly expired (no refresh token; its access token past 2 h): listed no more.
  clock_.Advance(kAccessTokenLifetimeMs);
  EXPECT_TRUE(AuthorizedApps(*store_, kUser, clock_.NowMs())->empty());
  EXPECT_TRUE(AuthorizedApps(*store_, kUser2, clock_.NowMs())->empty());  // its code expired
}

// Two connections exchange one code at the same moment, 200 times: exactly one gets tokens;
// the other is a replay (invalid_grant), which revokes the grant, so the winner's token dies.
TEST_P(OAuthTokensTest, OfTwoConcurrentExchangesOfACodeExactlyOneWins) {
  auto a = OpenStore(options_), b = OpenStore(options_);
  ASSERT_TRUE(a.ok() && b.ok());
  Store* stores[2] = {a->get(), b->get()};
  for (int round = 0; round < 200; ++round) {
    std::string code = Code(app_);
    std::optional<TokenOutcome> outs[2];
    std::latch start(2);
    std::thread threads[2];
    for (int i = 0; i < 2; ++i)
      threads[i] = std::thread([&, i] {
        start.arrive_and_wait();
        auto out = ExchangeCode(*stores[i], generation_.get(), app_, code, kRedirect, kVerifier, clock_.NowMs());
        if (out.ok()) outs[i] = std::move(*out);
      });
    for (auto& t : threads) t.join();
    ASSERT_TRUE(outs[0] && outs[1]) << "round " << round << ": a store error";
    int winners = int(outs[0]->tokens.has_value()) + int(outs[1]->tokens.has_value());
    ASSERT_EQ(winners, 1) << "round " << round;
    const TokenOutcome& loser = outs[0]->tokens ? *outs[1] : *outs[0];
    const TokenOutcome& winner = outs[0]->tokens ? *outs[0] : *outs[1];
    ASSERT_EQ(Error(loser), OAuthErrorCode::kInvalidGrant) << "round " << round;
    EXPECT_FALSE(Access(winner.tokens->access_token)) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, OAuthTokensTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
