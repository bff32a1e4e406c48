#pragma once
//! Platform accounts' passwords (issue 15: signing in), hashed with Argon2id from libsodium.
//! Only the hash is ever stored (Store::SetUserPassword): libsodium's encoded string,
//! "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>", which carries its own parameters and a
//! random salt, so a later change of parameters still verifies older hashes (NeedsRehash
//! says which to replace at the next sign-in).
//!
//! A password is any valid UTF-8, normalised to NFC before it is hashed or checked, so that
//! "é" typed as one code point or as "e" + U+0301 (keyboards differ) is the same password.
//! All functions are thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

//! At least this many characters (code points, after NFC): NIST SP 800-63B's minimum for a
//! password the user chose.
inline constexpr int64_t kMinPasswordChars = 8;
//! At most this many bytes (as given): NFC normalisation and the hash's first pass read the
//! whole input, so a bound keeps a sign-in request's work bounded. Room for 256 characters of
//! any script (4 bytes each at most), past any passphrase a person types.
inline constexpr size_t kMaxPasswordBytes = 1024;

//! Ok when `password` may be set; else an InvalidRequest status whose message is the whole
//! story ("the password must be at least 8 characters", ...), naming no part of the password.
Status CheckPassword(std::string_view password);

//! The Argon2id string of `password` (CheckPassword first: its errors are returned as they
//! are), with a fresh random salt: two calls give two different strings. Costs one Argon2id
//! run (64 MiB, about 0.1 s on one core); an Internal status when the memory is not there.
Result<std::string> HashPassword(std::string_view password);

//! True when `password` is the one `hash` was made from. Constant time in the password
//! (libsodium's comparison); false for a malformed hash, and, without hashing, for input
//! that could never have been set (invalid UTF-8, past kMaxPasswordBytes).
bool VerifyPassword(std::string_view password, std::string_view hash);

//! True when `hash` was not made with HashPassword's current algorithm and limits (or is not
//! an Argon2id string): after a successful VerifyPassword, hash the password again and store it.
bool NeedsRehash(std::string_view hash);

//! Sets (or replaces) the password of the platform account named `username` (case-insensitive,
//! as X's; a leading @ allowed) to `password`, hashed, at clock.NowMs(); returns the account.
//! Errors, nothing written: CheckPassword's; a CommandError "no account has the username
//! @NAME" (a trap record's synthetic author is no account either).
Result<User> SetAccountPassword(Store& store, const Clock& clock, std::string_view username,
                                std::string_view password);

}  // namespace sluice
