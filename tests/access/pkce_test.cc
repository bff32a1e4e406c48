// PKCE (RFC 7636): the verifier and challenge rules, S256 against the RFC's own example, plain.
#include "access/pkce.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

// RFC 7636, Appendix B.
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, S256MatchesTheRfcExample) {
  EXPECT_EQ(S256Challenge(kVerifier), kChallenge);
  EXPECT_TRUE(IsValidCodeChallenge(PkceMethod::kS256, kChallenge));
  EXPECT_TRUE(PkceMatches(PkceMethod::kS256, kChallenge, kVerifier));
  std::string other(kVerifier);
  other[0] = 'e';
  EXPECT_FALSE(PkceMatches(PkceMethod::kS256, kChallenge, other));
  // The challenge sent as the verifier (a client confused about the method) does not pass.
  EXPECT_FALSE(PkceMatches(PkceMethod::kS256, kChallenge, kChallenge));
}

TEST(Pkce, PlainIsTheVerifierItself) {
  EXPECT_TRUE(PkceMatches(PkceMethod::kPlain, kVerifier, kVerifier));
  EXPECT_FALSE(PkceMatches(PkceMethod::kPlain, kChallenge, kVerifier));
  // X's documentation example: plain, "challenge" as both. Too short for RFC 7636 (43+).
  EXPECT_FALSE(PkceMatches(PkceMethod::kPlain, "challenge", "challenge"));
}

TEST(Pkce, MethodsAsRfc7636Names) {
  EXPECT_EQ(ParsePkceMethod("S256"), PkceMethod::kS256);
  EXPECT_EQ(ParsePkceMethod("plain"), PkceMethod::kPlain);
  EXPECT_EQ(ParsePkceMethod(""), PkceMethod::kPlain);  // absent: plain (4.3)
  // X takes the lower-case spelling twitter-api-v2's generateOAuth2AuthLink sends.
  EXPECT_EQ(ParsePkceMethod("s256"), PkceMethod::kS256);
  EXPECT_EQ(ParsePkceMethod("PLAIN"), std::nullopt);
  EXPECT_EQ(ParsePkceMethod("s256 "), std::nullopt);
  EXPECT_EQ(ParsePkceMethod("SHA256"), std::nullopt);
}

TEST(Pkce, VerifierLengthAndAlphabet) {
  EXPECT_TRUE(IsValidCodeVerifier(std::string(43, 'a')));
  EXPECT_TRUE(IsValidCodeVerifier(std::string(128, '~')));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a')));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(129, 'a')));
  EXPECT_TRUE(IsValidCodeVerifier("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-._~"));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + "="));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + " "));
  EXPECT_FALSE(IsValidCodeVerifier(std::string(42, 'a') + "\xC3\xA9"));
  EXPECT_FALSE(PkceMatches(PkceMethod::kPlain, std::string(42, 'a'), std::string(42, 'a')));
}

TEST(Pkce, S256ChallengeShape) {
  EXPECT_FALSE(IsValidCodeChallenge(PkceMethod::kS256, std::string(kChallenge) + "A"));
  EXPECT_FALSE(IsValidCodeChallenge(PkceMethod::kS256, std::string(kChallenge.substr(0, 42)) + "="));
  EXPECT_FALSE(IsValidCodeChallenge(PkceMethod::kS256, std::string(kChallenge.substr(0, 42)) + "+"));
  // The last character carries 2 bits and four zero bits: 'N' cannot end a SHA-256's encoding.
  EXPECT_FALSE(IsValidCodeChallenge(PkceMethod::kS256, std::string(kChallenge.substr(0, 42)) + "N"));
  for (int i = 0; i < 200; ++i) {
    std::string v = std::string(43, 'a') + std::to_string(i);
    EXPECT_TRUE(IsValidCodeChallenge(PkceMethod::kS256, S256Challenge(v))) << v;
  }
}

}  // namespace
}  // namespace sluice
