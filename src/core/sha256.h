#pragma once
//! SHA-256 for the hot paths (token hashes on every request, Merkle leaves and nodes on every
//! ledger append). OpenSSL 3's one-shot SHA256() and EVP_sha256() look the algorithm up in the
//! provider store on every call (EVP_MD_fetch), which cost as much as the hashing itself; here
//! it is fetched once, and each thread reuses one digest context: no lookup, no allocation.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace sluice {

using Sha256Digest = std::array<uint8_t, 32>;

//! The SHA-256 of the concatenation of `parts`. Thread-safe. Aborts only when OpenSSL is
//! unusable (no default provider, no memory): there is nothing safe to return then.
Sha256Digest Sha256(std::initializer_list<std::string_view> parts);

}  // namespace sluice
