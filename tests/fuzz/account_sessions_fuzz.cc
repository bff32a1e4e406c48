// Fuzzes what the authorization server's pages read from a browser and from the operator's
// identity system (issue 15, access/account_sessions.h): a Cookie header (CookieValue), a
// session cookie value (SessionKey::SessionUser), a CSRF token, and a sign-in assertion
// (AssertionKey::Verify) — a decision on any bytes, never a crash, and:
//   - a cookie's value is a part of the header, after "NAME=";
//   - no input is a valid session or assertion unless made with the key (the fuzzer cannot
//     forge an HMAC or an Ed25519 signature), while the session and assertion made here from
//     the input's bytes are accepted, naming what they were made for;
//   - BASE64URL decodes what it encodes.
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "access/account_sessions.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "account_sessions_fuzz: %s: '%.*s'\n", what, int(input.size()), input.data());
  __builtin_trap();
}

constexpr sluice::TimeMs kNow = 1'700'000'000'000;

struct Keys {
  Keys() {
    if (sodium_init() < 0) __builtin_trap();
    std::array<uint8_t, 32> k{};
    k.fill(7);
    session.emplace(k);
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    seed.fill(9);
    crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
    assertions.emplace(public_key);
  }
  std::optional<sluice::SessionKey> session;
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};
  std::optional<sluice::AssertionKey> assertions;
};

std::string Assertion(const Keys& keys, std::string_view username, int64_t expires_s) {
  const std::string payload = std::string(username) + ":" + std::to_string(expires_s);
  const std::string text = "sluice-sign-in-v1:" + payload;
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), keys.secret_key.data());
  return sluice::Base64UrlEncode(payload) + "." + sluice::Base64UrlEncode(sig);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  static const Keys keys;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The input as a Cookie header; its first line's text as the name looked for.
  const size_t nl = input.find('\n');
  const std::string_view name = input.substr(0, nl);
  const std::string_view header = nl == std::string_view::npos ? input : input.substr(nl + 1);
  for (std::string_view n : {name, std::string_view("sluice_session"), std::string_view("sluice_csrf")}) {
    if (auto v = CookieValue(header, n)) {
      const char* begin = header.data();
      if (v->data() < begin || v->data() + v->size() > begin + header.size()) Fail("a cookie value outside the header", input);
      const size_t at = size_t(v->data() - begin);
      if (at < n.size() + 1 || header.substr(at - n.size() - 1, n.size() + 1) != std::string(n) + "=")
        Fail("a cookie value not after its name", input);
    }
  }

  // Any bytes as a session, a CSRF token, an assertion: refused (no key made them).
  if (keys.session->SessionUser(input, kNow)) Fail("a session accepted that the key did not make", input);
  if (keys.session->CsrfMatches(name, header)) Fail("a CSRF token accepted that the key did not make", input);
  if (keys.assertions->Verify(input, kNow).ok()) Fail("an assertion accepted that the key did not sign", input);

  // Made with the key from the input's bytes: accepted, for what they were made for.
  uint64_t bits = 0;
  std::memcpy(&bits, data, std::min(size, sizeof bits));
  const Id user = Id(bits >> 1);
  const TimeMs expires = kNow + 1 + TimeMs(bits % 3'600'000);
  const std::string session = keys.session->Session(user, expires);
  if (keys.session->SessionUser(session, kNow) != user) Fail("a session made with the key refused", input);
  if (keys.session->SessionUser(session, expires)) Fail("a session accepted at its expiry", input);
  const std::string nonce(name);
  if (!nonce.empty() && !keys.session->CsrfMatches(nonce, keys.session->CsrfToken(nonce)))
    Fail("a CSRF token made with the key refused", input);

  const std::string assertion = Assertion(keys, header, kNow / 1000 + 60);
  auto verified = keys.assertions->Verify(assertion, kNow);
  const bool acceptable = !header.empty() && assertion.size() <= 1024;
  if (verified.ok() != acceptable) Fail("an assertion signed with the key decided wrongly", input);
  if (verified.ok() && *verified != header) Fail("an assertion names another username", input);
  if (keys.assertions->Verify(Assertion(keys, "a", kNow / 1000 + 601 + int64_t(bits % 1000)), kNow).ok())
    Fail("an assertion valid for more than 10 minutes accepted", input);

  auto decoded = Base64UrlDecode(Base64UrlEncode(input));
  if (!decoded || *decoded != input) Fail("BASE64URL does not decode what it encodes", input);
  (void)Base64UrlDecode(input);
  return 0;
}
