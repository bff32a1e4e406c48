// Fuzzes the OAuth 2.0 parameter parsers (issue 15): a `scope` parameter (ParseScopes: an
// accepted one prints back to a string that parses to the same set) and PKCE (a challenge
// method, a verifier and a challenge of any bytes: a decision, never a crash; an S256
// challenge made from a valid verifier is valid and matches it, and only it).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "access/pkce.h"
#include "core/scopes.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "oauth_fuzz: %s: '%.*s'\n", what, int(input.size()), input.data());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto scopes = ParseScopes(input); scopes.ok()) {
    if (*scopes == 0) Fail("an empty scope set accepted", input);
    auto again = ParseScopes(ScopeString(*scopes));
    if (!again.ok() || *again != *scopes) Fail("scopes do not print back", input);
  } else if (scopes.status().code() != StatusCode::kInvalidRequest) {
    Fail("a scope error that is not a 400", input);
  }
  // The input split in three: method, challenge, verifier.
  const size_t a = input.find('\n'), b = a == std::string_view::npos ? a : input.find('\n', a + 1);
  const std::string_view method = input.substr(0, a);
  const std::string_view challenge = a == std::string_view::npos ? std::string_view() : input.substr(a + 1, b - a - 1);
  const std::string_view verifier = b == std::string_view::npos ? std::string_view() : input.substr(b + 1);
  if (auto m = ParsePkceMethod(method)) {
    (void)IsValidCodeChallenge(*m, challenge);
    (void)PkceMatches(*m, challenge, verifier);
  }
  if (IsValidCodeVerifier(verifier)) {
    const std::string s256 = S256Challenge(verifier);
    if (!IsValidCodeChallenge(PkceMethod::kS256, s256)) Fail("an S256 challenge that is not valid", verifier);
    if (!PkceMatches(PkceMethod::kS256, s256, verifier)) Fail("a verifier that does not match its own challenge", verifier);
    if (!PkceMatches(PkceMethod::kPlain, verifier, verifier)) Fail("plain does not match itself", verifier);
    if (challenge != s256 && PkceMatches(PkceMethod::kS256, challenge, verifier)) Fail("another challenge matched", input);
  }
  return 0;
}
