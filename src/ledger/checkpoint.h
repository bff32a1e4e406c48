#pragma once
//! Checkpoints as C2SP signed notes (tlog-checkpoint + signed-note), signed with Ed25519:
//!   <origin>\n<tree size>\n<base64 root hash>\n\n— <key name> <base64(key id || signature)>\n
//! key id = first 4 bytes of SHA-256(key name || "\n" || 0x01 || public key). The verifier
//! key is written as "<name>+<hex key id>+<base64(0x01 || public key)>".

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ledger/merkle.h"

namespace sluice {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
};

class Signer {
 public:
  //! Loads the Ed25519 key from `path` (PEM, PKCS#8), generating it (mode 0600, O_EXCL,
  //! fsynced) if absent. `key_name` must be non-empty, printable, without spaces or '+'.
  //! A CommandError naming the file if it is unreadable, not PEM, or not Ed25519.
  static Result<std::unique_ptr<Signer>> LoadOrCreate(const std::string& path, std::string key_name);
  virtual ~Signer() = default;
  //! The signed note of `checkpoint` (origin: one non-empty line). Thread-safe. An internal
  //! error only if OpenSSL cannot sign (out of memory); never throws.
  virtual Result<std::string> Sign(const Checkpoint& checkpoint) const = 0;
  //! The verifier key string, "<name>+<key id hex>+<base64(0x01 || pubkey)>".
  virtual std::string VerifierKey() const = 0;
};

//! The note body (origin, size, root lines) that is signed.
std::string CheckpointBody(const Checkpoint& checkpoint);
//! Parses a signed note and checks its signature with `verifier_key`; an error saying
//! what is wrong (format, unknown key, bad signature). Signatures by other keys (cosigners)
//! are skipped; lines after the root (checkpoint extensions) are signed but ignored. The
//! size must be decimal without leading zeros. Errors are CommandError (kUsage: the message
//! is the whole story), for the command line that checks proofs.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view verifier_key);

//! Base64 (standard alphabet, padded), as the note format uses. Decoding is strict: no
//! whitespace, padding required, unused bits zero (one encoding per byte string).
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace sluice
