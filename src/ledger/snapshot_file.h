#pragma once
//! Usage snapshots, DATA/ledger/usage/<20-digit size>.snap: what a reader of the ledger (the
//! usage meter, api/usage_snapshot.h) rebuilt from its first `size` records, so that a start
//! reads the newest snapshot and only the records after it. A snapshot is bound to the
//! checkpoint of its size (it carries that checkpoint's root, and is read only when
//! checkpoints/<size>.note verifies and signs the same root) and signed with the ledger's
//! key (a signed note over the SHA-256 of everything after it): a snapshot altered, of other
//! records (a ledger repaired or replaced), or of a size no checkpoint signs is refused, and
//! the reader falls back to an older snapshot or to every record. The body is opaque here.
//!
//! File: "SLUICESN" | u32 LE version 1 | u32 LE note length | note | rest, where
//! rest = u64 LE size | 32-byte root | u64 LE first seq of the segment holding record `size`
//! | u64 LE offset of its frame | body, and the note is a C2SP signed note with origin
//! "<ledger origin>/usage-snapshot", tree size `size` and, as its hash, SHA-256(rest).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/segment.h"

namespace sluice {

inline std::string UsageSnapshotDir(const std::string& ledger_dir) { return ledger_dir + "/usage"; }

struct SnapshotBinding {
  uint64_t size = 0;    // records reflected: [0, size)
  Hash root{};          // the Merkle root of those records, as the checkpoint of `size` signs it
  LedgerPosition next;  // where record `size` starts (segment and offset; a hint to resume from)
};

struct Snapshot {
  SnapshotBinding binding;
  std::string body;
};

//! Writes usage/<size>.snap atomically and durably (temp file, fsync, rename, fsync of the
//! directory), signed by `signer` with origin `origin` + "/usage-snapshot".
Status WriteSnapshot(const std::string& ledger_dir, const Signer& signer, const std::string& origin,
                     const SnapshotBinding& binding, std::string_view body);

//! The sizes of the snapshot files present, largest first (temp files and others ignored).
std::vector<uint64_t> ListSnapshots(const std::string& ledger_dir);

//! Reads usage/<size>.snap and checks it: format, the signature by the key of
//! checkpoint.vkey, the digest of what follows the note, its size, and that
//! checkpoints/<size>.note verifies with the same key and signs the same root. A Corruption
//! saying what does not hold (the caller logs it and tries an older one).
Result<Snapshot> ReadSnapshot(const std::string& ledger_dir, uint64_t size);

//! The checkpoint of `size` records (checkpoints/<size>.note), verified with the key of
//! checkpoint.vkey; a Corruption when it is missing or does not verify.
Result<Checkpoint> ReadCheckpoint(const std::string& ledger_dir, uint64_t size);

//! Removes every snapshot file but the `keep` largest, and leftover temp files.
void PruneSnapshots(const std::string& ledger_dir, size_t keep);

}  // namespace sluice
