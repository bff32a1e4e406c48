// Fuzzes the OAuth 2.0 client checks of access/oauth_clients.h: ParseBasicClientCredentials on
// any header value (what it accepts, encoded again per RFC 6749 2.3.1 and parsed, gives the same
// id and secret) and ValidateRedirectUri (what it accepts is http(s)://, has no fragment, no
// space and is within the length limit).
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "access/oauth_clients.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "oauth_client_fuzz: %s: '%.*s'\n", what, int(input.size()), input.data());
  __builtin_trap();
}

std::string FormEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*') {
      out.push_back(char(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Basic(const sluice::ClientCredentials& c) {
  std::string plain = FormEncode(c.client_id) + ":" + FormEncode(c.client_secret);
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(plain.data()),
                          int(plain.size()));
  out.resize(size_t(n));
  return "Basic " + out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto c = sluice::ParseBasicClientCredentials(input)) {
    if (c->client_id.empty()) Fail("an empty client id accepted", input);
    std::string again = Basic(*c);
    auto back = sluice::ParseBasicClientCredentials(again);
    // Encoded again it may be past the parser's size limit; below it, it must give the same.
    if (again.size() < 3000 && (!back || back->client_id != c->client_id || back->client_secret != c->client_secret))
      Fail("credentials encoded again parse differently", input);
  }
  if (sluice::ValidateRedirectUri(input).ok()) {
    if (!input.starts_with("https://") && !input.starts_with("http://")) Fail("a non-http(s) URI accepted", input);
    if (input.find('#') != std::string_view::npos) Fail("a fragment accepted", input);
    if (input.find(' ') != std::string_view::npos) Fail("a space accepted", input);
    if (input.size() > sluice::kMaxRedirectUriLength) Fail("an overlong URI accepted", input);
  }
  return 0;
}
