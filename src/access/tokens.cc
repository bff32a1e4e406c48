#include "access/tokens.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "core/sha256.h"

namespace sluice {

namespace {
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string GenerateToken() {
  unsigned char bytes[33];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: nothing safe to do
  std::string out = "sl_";
  for (size_t i = 0; i < sizeof bytes; i += 3) {
    uint32_t v = (uint32_t(bytes[i]) << 16) | (uint32_t(bytes[i + 1]) << 8) | bytes[i + 2];
    for (int k = 18; k >= 0; k -= 6) out.push_back(kBase64Url[(v >> k) & 63]);
  }
  return out;
}

std::string HashToken(std::string_view token) {
  const Sha256Digest digest = Sha256({token});
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::optional<std::string_view> ParseBearer(std::string_view h) {
  constexpr std::string_view kScheme = "bearer ";
  if (h.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(h[i])) != kScheme[i]) return std::nullopt;
  std::string_view token = h.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512 || token.find(' ') != std::string_view::npos) return std::nullopt;
  return token;
}

Result<App> Authenticate(Store& store, std::string_view authorization) {
  auto token = ParseBearer(authorization);
  if (!token) return Unauthorized();
  auto app = store.FindAppByTokenHash(HashToken(*token));
  if (!app.ok()) return app.status();
  if (!app->has_value()) return Unauthorized();
  return std::move(**app);
}

}  // namespace sluice
