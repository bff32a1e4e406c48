#include "access/passwords.h"

#include <sodium.h>

#include "core/text.h"
#include "core/weighted_length.h"

namespace sluice {

namespace {

// libsodium's INTERACTIVE limits (2 passes over 64 MiB): the ones it names for online
// sign-in. The server verifies a password per sign-in on a machine that also serves the API,
// so MODERATE (256 MiB, 3 passes, about 0.7 s) or SENSITIVE (1 GiB) would let a few
// concurrent sign-ins take its memory and cores; 64 MiB still makes each guess of an
// attacker holding the hashes cost 64 MiB of memory-hard work.
constexpr unsigned long long kOpsLimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;

// sodium_init picks the fastest implementations and seeds the random generator (the salts).
// A function-local static runs it once, whichever thread comes first; the others wait.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;  // 1: already initialised elsewhere, also fine
  return ready;
}

}  // namespace

Status CheckPassword(std::string_view password) {
  if (password.empty()) return MalformedRequest("the password is empty");
  if (password.size() > kMaxPasswordBytes)
    return MalformedRequest("the password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  if (!IsValidUtf8(password)) return MalformedRequest("the password is not valid UTF-8");
  if (CountCodePoints(NormalizeNfc(password)) < kMinPasswordChars)
    return MalformedRequest("the password must be at least " + std::to_string(kMinPasswordChars) + " characters");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  if (Status s = CheckPassword(password); !s.ok()) return s;
  if (!SodiumReady()) return InternalError("libsodium could not be initialised");
  const std::string normalised = NormalizeNfc(password);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, normalised.data(), normalised.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return InternalError("hashing a password: out of memory (Argon2id needs " + std::to_string(kMemLimit >> 20) +
                         " MiB)");
  return std::string(out);
}

bool VerifyPassword(std::string_view password, std::string_view hash) {
  if (password.size() > kMaxPasswordBytes || !IsValidUtf8(password)) return false;
  if (hash.size() >= crypto_pwhash_STRBYTES || !SodiumReady()) return false;
  const std::string normalised = NormalizeNfc(password);
  const std::string terminated(hash);  // libsodium reads a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), normalised.data(), normalised.size()) == 0;
}

bool NeedsRehash(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES || !SodiumReady()) return true;
  const std::string terminated(hash);
  // 0: made with these limits; 1: other limits; -1: not an Argon2id string at all.
  return crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), kOpsLimit, kMemLimit) != 0;
}

Result<User> SetAccountPassword(Store& store, const Clock& clock, std::string_view username,
                                std::string_view password) {
  if (username.starts_with('@')) username.remove_prefix(1);
  const std::string name(username);
  const Status unknown = CommandError("no account has the username @" + name);
  if (name.empty()) return unknown;
  auto hash = HashPassword(password);  // the rules first: a bad password says so for any username
  if (!hash.ok()) return hash.status();
  auto users = store.GetUsersByUsername(std::span<const std::string>(&name, 1));
  if (!users.ok()) return users.status();
  if (users->empty() || users->front().synthetic) return unknown;
  const User& user = users->front();
  auto set = store.SetUserPassword(user.id, *hash, clock.NowMs());
  if (!set.ok()) return set.status();
  if (!*set) return unknown;  // removed between the lookup and the write
  return user;
}

}  // namespace sluice
