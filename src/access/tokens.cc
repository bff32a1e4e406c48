#include "access/tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace sluice {

namespace {
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// OpenSSL 3's one-shot SHA256() looks the algorithm up in the provider store on every call
// (EVP_Q_digest -> EVP_MD_fetch), which cost as much as the hashing on the request path.
// Fetched once here: a function-local static is initialised once even when several threads
// get there first, and a fetched EVP_MD is immutable, so every thread may use it. It is
// never freed (one per process).
const EVP_MD* Sha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// One digest context per thread, reused: no allocation per hash.
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  return ctx.get();
}
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
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const EVP_MD* md = Sha256();
  EVP_MD_CTX* ctx = ThreadCtx();
  // Fails only without a usable OpenSSL (no default provider, no memory): nothing safe to do.
  if (!md || !ctx || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, token.data(), token.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &size) != 1 || size != 32)
    std::abort();
  return std::string(reinterpret_cast<const char*>(digest), size);
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
  if (!app.ok()) return app.problem();
  if (!app->has_value()) return Unauthorized();
  return std::move(**app);
}

}  // namespace sluice
