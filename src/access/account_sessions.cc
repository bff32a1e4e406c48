#include "access/account_sessions.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/status.h"

namespace sluice {

namespace {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

constexpr std::string_view kAssertionContext = "sluice-sign-in-v1:";

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  SodiumReady();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  SodiumReady();
  std::string out(text.size(), '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &len,
                        &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

Result<SessionKey> SessionKey::LoadOrCreate(const std::string& path) {
  if (!SodiumReady()) return InternalError("libsodium failed to initialise");
  std::array<uint8_t, 32> key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    randombytes_buf(key.data(), key.size());
    // O_EXCL: two nodes starting at once on one directory keep one key (the loser reads it).
    int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out >= 0) {
      bool ok = ::write(out, key.data(), key.size()) == ssize_t(key.size()) && ::fsync(out) == 0;
      ::close(out);
      if (!ok) return CommandError(path + ": cannot write the session key");
      return SessionKey(key);
    }
    if (errno != EEXIST) return CommandError(path + ": cannot create the session key: " + std::strerror(errno));
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return CommandError(path + ": cannot read the session key: " + std::strerror(errno));
  ssize_t n = ::read(fd, key.data(), key.size());
  char extra;
  ssize_t more = ::read(fd, &extra, 1);
  ::close(fd);
  if (n != ssize_t(key.size()) || more != 0) return CommandError(path + ": a session key is exactly 32 bytes");
  return SessionKey(key);
}

std::string SessionKey::Mac(std::string_view purpose, std::string_view message) const {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_.data(), key_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size());
  const unsigned char sep = 0;
  crypto_auth_hmacsha256_update(&st, &sep, 1);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(mac.data()));
  return Base64UrlEncode(mac);
}

bool SessionKey::MacMatches(std::string_view purpose, std::string_view message, std::string_view mac) const {
  std::string expected = Mac(purpose, message);
  return mac.size() == expected.size() && sodium_memcmp(mac.data(), expected.data(), mac.size()) == 0;
}

std::string SessionKey::Session(Id user_id, TimeMs expires_at) const {
  std::string body = std::to_string(user_id) + "." + std::to_string(expires_at);
  return body + "." + Mac("session", body);
}

std::optional<Id> SessionKey::SessionUser(std::string_view value, TimeMs now) const {
  size_t dot2 = value.rfind('.');
  if (dot2 == std::string_view::npos) return std::nullopt;
  std::string_view body = value.substr(0, dot2);
  std::string expected = Mac("session", body);
  std::string_view mac = value.substr(dot2 + 1);
  if (mac.size() != expected.size() || sodium_memcmp(mac.data(), expected.data(), mac.size()) != 0) return std::nullopt;
  size_t dot1 = body.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto user = ParseNumber<Id>(body.substr(0, dot1));
  auto expires = ParseNumber<TimeMs>(body.substr(dot1 + 1));
  if (!user || !expires || now >= *expires) return std::nullopt;
  return *user;
}

std::string SessionKey::CsrfToken(std::string_view nonce) const { return Mac("csrf", nonce); }

bool SessionKey::CsrfMatches(std::string_view nonce, std::string_view token) const {
  if (nonce.empty()) return false;
  std::string expected = CsrfToken(nonce);
  return token.size() == expected.size() && sodium_memcmp(token.data(), expected.data(), token.size()) == 0;
}

std::string NewCsrfNonce() {
  SodiumReady();
  std::string bytes(16, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return Base64UrlEncode(bytes);
}

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return std::nullopt;
}

Result<AssertionKey> AssertionKey::Load(const std::string& path) {
  if (!SodiumReady()) return InternalError("libsodium failed to initialise");
  std::ifstream in(path);
  if (!in) return CommandError(path + ": cannot read the assertion key");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  std::array<uint8_t, 32> key{};
  size_t len = 0;
  const char* end = nullptr;
  if (text.size() != 64 || sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &len, &end) != 0 ||
      len != key.size())
    return CommandError(path + ": an assertion key is an Ed25519 public key written as 64 hex digits");
  return AssertionKey(key);
}

Result<std::string> AssertionKey::Verify(std::string_view assertion, TimeMs now) const {
  size_t dot = assertion.find('.');
  if (dot == std::string_view::npos || assertion.size() > 1024) return UnauthorizedBecause("the assertion is malformed");
  auto payload = Base64UrlDecode(assertion.substr(0, dot));
  auto signature = Base64UrlDecode(assertion.substr(dot + 1));
  if (!payload || !signature || signature->size() != crypto_sign_BYTES)
    return UnauthorizedBecause("the assertion is malformed");
  std::string signed_text = std::string(kAssertionContext) + *payload;
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(),
                                  public_key_.data()) != 0)
    return UnauthorizedBecause("the assertion's signature does not verify");
  size_t colon = payload->rfind(':');
  if (colon == std::string::npos || colon == 0) return UnauthorizedBecause("the assertion is malformed");
  auto expires = ParseNumber<int64_t>(std::string_view(*payload).substr(colon + 1));
  if (!expires) return UnauthorizedBecause("the assertion is malformed");
  TimeMs expires_ms = *expires * 1000;
  if (now >= expires_ms) return UnauthorizedBecause("the assertion has expired");
  if (expires_ms - now > kMaxAssertionLifetimeMs) return UnauthorizedBecause("the assertion is valid for more than 10 minutes");
  return payload->substr(0, colon);
}

}  // namespace sluice
