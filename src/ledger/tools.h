#pragma once
//! The `sluice ledger` commands that read a ledger directory without the server: verify,
//! prove, consistency, export, pubkey, check-proof. None of them writes to the ledger.

#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "core/result.h"
#include "core/types.h"
#include "ledger/merkle.h"

namespace sluice {

//! Called with (bytes done, bytes total) while scanning; may be null.
using LedgerProgress = std::function<void(uint64_t, uint64_t)>;

struct VerifyReport {
  uint64_t records = 0;
  uint64_t segments = 0;
  uint64_t checkpoints = 0;
  Hash root{};
};

//! Recomputes every CRC and leaf hash, checks records are dense and in order, that the
//! persisted tree hashes equal the recomputed ones, and that every checkpoint is signed by
//! the ledger's key and commits to a prefix of this very tree. A Problem names the first
//! bad segment, offset and record (or checkpoint file).
Result<VerifyReport> VerifyLedger(const std::string& dir, const LedgerProgress& progress);

//! JSON: every record in which `app` received `post`, with its inclusion proof to the latest
//! checkpoint and that checkpoint ({"app_id", "post_id", "deliveries": [...], "bundle": {...}}).
Result<std::string> ProveDelivery(const std::string& dir, Id app, Id post, const LedgerProgress& progress);

//! JSON: the consistency proof between tree sizes `from` and `to`, with both roots.
Result<std::string> ConsistencyJson(const std::string& dir, uint64_t from, uint64_t to);

//! Writes the records of `app` (all apps when 0) within [from, to) as JSON lines.
Status ExportRecords(const std::string& dir, Id app, std::optional<TimeMs> from, std::optional<TimeMs> to,
                     std::ostream& out, const LedgerProgress& progress);

//! The verifier key of the ledger's signing key ("name+keyid+base64").
Result<std::string> LedgerPublicKey(const std::string& dir);

//! Checks a file written by ProveDelivery (or a bare proof bundle) with only the verifier key.
//! Returns a one-line summary.
Result<std::string> CheckProofFile(const std::string& file, const std::string& verifier_key);

}  // namespace sluice
