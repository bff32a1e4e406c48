#include "core/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace sluice {
namespace {

// A fetched EVP_MD is immutable, so every thread may use it; a function-local static is
// initialised once even when several threads get there first. Never freed (one per process).
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

Sha256Digest Sha256(std::initializer_list<std::string_view> parts) {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = Sha256Md();
  Sha256Digest out{};
  unsigned int size = 0;
  if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) std::abort();
  for (std::string_view part : parts)
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) std::abort();
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1 || size != out.size()) std::abort();
  return out;
}

}  // namespace sluice
