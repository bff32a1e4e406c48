#include "access/portal_sessions.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "access/tokens.h"
#include "core/sha256.h"
#include "core/status.h"

namespace sluice {

namespace {

constexpr std::string_view kSessionPurpose = "portal-session";
constexpr std::string_view kCsrfPurpose = "portal-csrf";
constexpr size_t kSecretChars = 43;  // 32 bytes, base64url unpadded
constexpr size_t kTagChars = 16;

std::string NewSecret(std::string_view prefix) {
  if (sodium_init() < 0) std::abort();  // no entropy source: nothing safe to return
  std::string bytes(32, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return std::string(prefix) + Base64UrlEncode(bytes);
}

bool IsBase64Url(std::string_view s) {
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

template <typename T>
std::optional<T> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 19 || (text.front() == '0' && text.size() > 1)) return std::nullopt;
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string NewAdminToken() { return NewSecret(kAdminTokenPrefix); }
std::string NewConsoleKey() { return NewSecret(kConsoleKeyPrefix); }

Result<std::string> LoadOrCreateAdminToken(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::string token = NewAdminToken();
    // O_EXCL: two nodes starting at once on one directory keep one token (the loser reads it).
    int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out >= 0) {
      std::string line = token + "\n";
      bool ok = ::write(out, line.data(), line.size()) == ssize_t(line.size()) && ::fsync(out) == 0;
      ::close(out);
      if (!ok) return CommandError(path + ": cannot write the admin token");
      return token;
    }
    if (errno != EEXIST) return CommandError(path + ": cannot create the admin token: " + std::strerror(errno));
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return CommandError(path + ": cannot read the admin token: " + std::strerror(errno));
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return CommandError(path + ": cannot read the admin token: " + std::strerror(errno));
  std::string_view text(buf, size_t(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  if (text.size() != kAdminTokenPrefix.size() + kSecretChars || text.substr(0, kAdminTokenPrefix.size()) != kAdminTokenPrefix ||
      !IsBase64Url(text.substr(kAdminTokenPrefix.size())))
    return CommandError(path + ": an admin token is \"sluice_admin_\" and 43 base64url characters on one line");
  return std::string(text);
}

bool SecretMatches(std::string_view secret, std::string_view presented) {
  const Sha256Digest a = Sha256({secret});
  const Sha256Digest b = Sha256({presented});
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string ConsoleKeyTag(std::string_view key_hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag;
  for (size_t i = 0; i < key_hash.size() && tag.size() < kTagChars; ++i) {
    tag.push_back(kHex[uint8_t(key_hash[i]) >> 4]);
    tag.push_back(kHex[uint8_t(key_hash[i]) & 15]);
  }
  return tag;
}

std::string EncodePortalSession(const SessionKey& key, const PortalSession& session) {
  std::string body = session.project_id ? "p" + std::to_string(*session.project_id) + "-" + session.key_tag : "admin";
  body += "." + std::to_string(session.expires_at) + "." + (session.nonce.empty() ? NewCsrfNonce() : session.nonce);
  return body + "." + key.Mac(kSessionPurpose, body);
}

std::optional<PortalSession> DecodePortalSession(const SessionKey& key, std::string_view value, TimeMs now) {
  if (value.size() > 256) return std::nullopt;
  size_t dot2 = value.rfind('.');
  if (dot2 == std::string_view::npos) return std::nullopt;
  std::string_view body = value.substr(0, dot2);
  if (!key.MacMatches(kSessionPurpose, body, value.substr(dot2 + 1))) return std::nullopt;
  size_t dot1 = body.find('.');
  size_t dot_nonce = body.rfind('.');
  if (dot1 == std::string_view::npos || dot_nonce == dot1) return std::nullopt;
  std::string_view subject = body.substr(0, dot1);
  auto expires = ParseDecimal<TimeMs>(body.substr(dot1 + 1, dot_nonce - dot1 - 1));
  std::string_view nonce = body.substr(dot_nonce + 1);
  if (!expires || now >= *expires || nonce.empty() || nonce.size() > 64 || !IsBase64Url(nonce)) return std::nullopt;
  PortalSession s;
  s.expires_at = *expires;
  s.nonce = std::string(nonce);
  if (subject == "admin") return s;
  size_t dash = subject.find('-');
  if (subject.size() < 2 || subject.front() != 'p' || dash == std::string_view::npos) return std::nullopt;
  auto project = ParseDecimal<Id>(subject.substr(1, dash - 1));
  std::string_view tag = subject.substr(dash + 1);
  if (!project || *project <= 0 || tag.size() != kTagChars || !IsLowerHex(tag)) return std::nullopt;
  s.project_id = *project;
  s.key_tag = std::string(tag);
  return s;
}

std::string PortalCsrfToken(const SessionKey& key, std::string_view cookie_value) {
  return key.Mac(kCsrfPurpose, cookie_value);
}

bool PortalCsrfMatches(const SessionKey& key, std::string_view cookie_value, std::string_view token) {
  if (cookie_value.empty() || token.empty()) return false;
  return key.MacMatches(kCsrfPurpose, cookie_value, token);
}

std::string PortalCookieHeader(std::string_view value, TimeMs max_age_ms, bool secure) {
  std::string h = std::string(kPortalCookie) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                  std::to_string(value.empty() ? 0 : max_age_ms / 1000);
  if (secure) h += "; Secure";
  return h;
}

}  // namespace sluice
