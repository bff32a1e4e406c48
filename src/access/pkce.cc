#include "access/pkce.h"

#include <openssl/crypto.h>

#include "core/sha256.h"

namespace sluice {
namespace {

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool IsBase64Url(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

}  // namespace

std::optional<PkceMethod> ParsePkceMethod(std::string_view method) {
  if (method.empty() || method == "plain") return PkceMethod::kPlain;
  // RFC 7636 spells it S256; X also takes s256, which twitter-api-v2's generateOAuth2AuthLink sends.
  if (method == "S256" || method == "s256") return PkceMethod::kS256;
  return std::nullopt;
}

bool IsValidCodeVerifier(std::string_view verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (char c : verifier)
    if (!IsUnreserved(c)) return false;
  return true;
}

bool IsValidCodeChallenge(PkceMethod method, std::string_view challenge) {
  if (method == PkceMethod::kPlain) return IsValidCodeVerifier(challenge);
  if (challenge.size() != 43) return false;
  for (char c : challenge)
    if (!IsBase64Url(c)) return false;
  // 43 characters carry 258 bits: the last one holds 2 bits of the digest and 4 zero bits.
  constexpr std::string_view kLast = "AEIMQUYcgkosw048";
  return kLast.find(challenge.back()) != std::string_view::npos;
}

std::string S256Challenge(std::string_view verifier) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const Sha256Digest d = Sha256({verifier});
  std::string out;
  out.reserve(43);
  size_t i = 0;
  for (; i + 3 <= d.size(); i += 3) {
    const uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8) | d[i + 2];
    for (int k = 18; k >= 0; k -= 6) out.push_back(kAlphabet[(v >> k) & 63]);
  }
  // 32 = 30 + 2 bytes: the last two make three characters, unpadded.
  const uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8);
  for (int k = 18; k >= 6; k -= 6) out.push_back(kAlphabet[(v >> k) & 63]);
  return out;
}

bool PkceMatches(PkceMethod method, std::string_view challenge, std::string_view verifier) {
  if (!IsValidCodeVerifier(verifier)) return false;
  const std::string expected = method == PkceMethod::kS256 ? S256Challenge(verifier) : std::string(verifier);
  return expected.size() == challenge.size() && CRYPTO_memcmp(expected.data(), challenge.data(), expected.size()) == 0;
}

}  // namespace sluice
