#pragma once
//! Proof bundles: a signed checkpoint plus inclusion proofs for some records, as one JSON
//! document that anyone holding the verifier key can check offline (`sluice ledger prove`
//! writes one, `sluice ledger check-proof` checks it). Format:
//!   {"checkpoint": "<signed note>", "tree_size": N,
//!    "entries": [{"leaf_index": i, "record": "<base64 EncodeRecord bytes>",
//!                 "proof": ["<hex hash>", ...]}, ...]}

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/merkle.h"

namespace sluice {

struct InclusionBundleEntry {
  uint64_t leaf_index = 0;
  std::string record_base64;  // EncodeRecord bytes, base64
  std::vector<Hash> proof;    // RFC 9162 inclusion path, leaf first
};

struct ProofBundle {
  std::string checkpoint_note;
  uint64_t tree_size = 0;
  std::vector<InclusionBundleEntry> entries;
};

std::string ProofBundleToJson(const ProofBundle& bundle);
//! Parses the JSON above; unknown keys, missing keys, wrong types and malformed hashes are
//! an error naming the key (and entry).
Result<ProofBundle> ProofBundleFromJson(std::string_view json);
//! Checks the checkpoint signature with `verifier_key`, that its size equals tree_size, and
//! every entry's inclusion proof (of LeafHash(base64-decoded record)) against its root. The
//! error names the first failing entry by position and leaf index. Records are hashed,
//! not decoded: the bundle proves bytes, whatever their version.
Status CheckProofBundle(const ProofBundle& bundle, std::string_view verifier_key);

//! Lowercase hex of a hash, and back.
std::string HashToHex(const Hash& hash);
Result<Hash> HashFromHex(std::string_view hex);

}  // namespace sluice
