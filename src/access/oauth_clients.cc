#include "access/oauth_clients.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "access/tokens.h"

namespace sluice {

namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) { return a.size() == b.size() && StartsWithNoCase(a, b); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one value; nullopt on a bad %XX.
std::optional<std::string> FormDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(char(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// Standard base64 with padding (RFC 4648 4), as HTTP Basic uses; nullopt if malformed.
std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    bool padding = c == '=' && (i + 1 == in.size() || (i + 2 == in.size() && in.back() == '='));  // the last 1 or 2
    if (!alnum && !padding) return std::nullopt;
  }
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          int(in.size()));
  if (n < 0) return std::nullopt;
  size_t padding = in.back() == '=' ? (in[in.size() - 2] == '=' ? 2 : 1) : 0;
  out.resize(size_t(n) - padding);  // EVP_DecodeBlock counts the padding as zero bytes
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || EqualsNoCase(host, "localhost");
}

}  // namespace

std::string RandomBase64Url(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), int(n)) != 1) std::abort();  // no entropy
  for (char& c : bytes) c = kBase64Url[static_cast<unsigned char>(c) & 63];  // 256 = 4 x 64: uniform
  return bytes;
}

std::string GenerateClientId() { return RandomBase64Url(34); }
std::string GenerateClientSecret() { return RandomBase64Url(50); }

Status ValidateRedirectUri(std::string_view uri) {
  const std::string quoted = "redirect URI '" + std::string(uri.substr(0, 100)) + (uri.size() > 100 ? "...'" : "'");
  if (uri.empty()) return CommandError("a redirect URI must not be empty");
  if (uri.size() > kMaxRedirectUriLength)
    return CommandError(quoted + " is " + std::to_string(uri.size()) + " characters; at most " +
                        std::to_string(kMaxRedirectUriLength) + " are allowed");
  for (unsigned char c : uri)
    if (c <= 0x20 || c == 0x7f) return CommandError(quoted + " contains a space or control character");
  if (uri.find('#') != std::string_view::npos)
    return CommandError(quoted + " has a fragment ('#'); a redirect URI must not (RFC 6749 3.1.2)");
  bool https = uri.starts_with("https://");
  if (!https && !uri.starts_with("http://"))
    return CommandError(quoted + " is not an absolute http:// or https:// URI");
  std::string_view rest = uri.substr(https ? 8 : 7);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos)
    return CommandError(quoted + " has user information ('@' before the host); a redirect URI must not");
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return CommandError(quoted + " has an unclosed '[' in its host");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(":")) return CommandError(quoted + " has characters after its IPv6 host");
    if (!after.empty()) port = after.substr(1);
    if (authority.size() > close + 1 && after.size() == 1) return CommandError(quoted + " has an empty port");
  } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return CommandError(quoted + " has an empty port");
  }
  if (host.empty() || host == "[]") return CommandError(quoted + " has no host");
  if (!port.empty()) {
    int64_t value = 0;  // a non-digit makes it too large
    for (char c : port.substr(0, 5)) value = value * 10 + (c >= '0' && c <= '9' ? c - '0' : 100000);
    if (port.size() > 5 || value < 1 || value > 65535)
      return CommandError(quoted + " has port '" + std::string(port) + "'; a port is a number from 1 to 65535");
  }
  if (!https && !IsLoopbackHost(host))
    return CommandError(quoted + " uses http://; only https:// is allowed, except for the loopback hosts 127.0.0.1, "
                        "[::1] and localhost (RFC 8252 7.3)");
  return Status::Ok();
}

std::optional<ClientCredentials> ParseBasicClientCredentials(std::string_view h) {
  constexpr std::string_view kScheme = "basic ";
  if (!StartsWithNoCase(h, kScheme)) return std::nullopt;
  std::string_view encoded = h.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  auto decoded = Base64Decode(encoded);
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto id = FormDecode(std::string_view(*decoded).substr(0, colon));
  auto secret = FormDecode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret || id->empty()) return std::nullopt;
  return ClientCredentials{std::move(*id), std::move(*secret)};
}

bool ClientSecretMatches(std::string_view secret, std::string_view stored_hash) {
  std::string presented = HashToken(secret);
  if (stored_hash.size() != presented.size()) return false;  // no secret set (a hash's length is public)
  return CRYPTO_memcmp(presented.data(), stored_hash.data(), presented.size()) == 0;
}

}  // namespace sluice
