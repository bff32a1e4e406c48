#pragma once
//! The `sluice ledger` commands that read a ledger directory without the server: verify,
//! prove, consistency, export, pubkey, check-proof. None of them writes to the ledger.
//! (`checkpoint` and `repair` open it for writing, through Ledger::Open.)

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/segment.h"

namespace sluice {

//! Called with (bytes done, bytes total) while scanning; may be null.
using LedgerProgress = std::function<void(uint64_t, uint64_t)>;

//! What the ledger holds, and for a ledger that was not closed cleanly, what the next
//! start's recovery will do to it.
struct VerifyReport {
  uint64_t records = 0;       // whole records (before a torn tail)
  uint64_t segments = 0;
  uint64_t checkpoints = 0;
  Hash root{};                // of the `records` records
  bool closed_cleanly = false;  // the clean-close marker is there, and agrees
  bool in_use = false;          // a process (a server) holds the ledger's lock now
  uint64_t tree_records = 0;    // records the tree hashes cover
  uint64_t past_tree = 0;       // records past them: recovery adds them to the tree
  bool torn = false;            // a torn tail after the whole records: recovery cuts it
  LedgerPosition torn_at;
  uint64_t torn_bytes = 0;
  uint64_t refused_requests = 0;  // refusals without a known app, counted (version 2) or one by one
  uint64_t refused_records = 0;   // the records they take
};

//! True when another process (a server writing it) holds the ledger's lock now.
bool LedgerInUse(const std::string& dir);

//! Recomputes every CRC and leaf hash and checks that records are dense and in order; that
//! the records match the persisted tree hashes exactly (fewer records than they cover means
//! records were removed); that every checkpoint file is signed by the ledger's key, named
//! by its size and commits to a prefix of this very tree; that a ledger with records has a
//! checkpoint (every start signs one). A ledger closed cleanly (marker `CLOSED`) must have
//! no torn tail, no records past the tree hashes and a checkpoint of all its records. One
//! that was not (kill -9, a crash, or a server running now) may have records past the tree
//! hashes and a torn tail after them: reported, not an error. The error names the first bad
//! segment, offset and record (or tree hash file, or checkpoint file).
Result<VerifyReport> VerifyLedger(const std::string& dir, const LedgerProgress& progress);

//! VerifyLedger for a ledger a running server writes now: only its first `records` records,
//! the durable size the server reported before the call (Ledger::DurableSize). Records the
//! server appends meanwhile are not read, and checkpoints it signs of more records are
//! checked for their signature only; the segments holding fewer than `records` whole records
//! is an error (records made durable were lost). The report is never closed_cleanly.
Result<VerifyReport> VerifyLedgerPrefix(const std::string& dir, uint64_t records, const LedgerProgress& progress);

//! The report in words: "ledger OK: ..." and, when not closed cleanly, what recovery will do.
std::string DescribeVerifyReport(const VerifyReport& report);

//! JSON: every record in which `app` received `post`, with its inclusion proof to the latest
//! checkpoint and that checkpoint ({"app_id", "post_id", "deliveries": [...], "bundle": {...}}).
//! Compliance notices (record version 4) are not deliveries: they are left out here.
Result<std::string> ProveDelivery(const std::string& dir, Id app, Id post, const LedgerProgress& progress);
//! The same for the compliance notices that told `app` of `post` (records with a channel):
//! {"app_id", "post_id", "notices": [...], "bundle": {...}}; an error when there is none.
Result<std::string> ProveNotice(const std::string& dir, Id app, Id post, const LedgerProgress& progress);

//! One bundle of what `app` received of `posts` and was told of `notice_posts` (compliance
//! notices): for each of those posts, the first record that names it (delivery or notice),
//! with its inclusion proof to the latest checkpoint. JSON: {"app_id", "post_ids",
//! "deliveries": [...], "notices": [...], "proved_post_ids", "not_yet_checkpointed",
//! "bundle": {...}}; proved_post_ids lists the posts (of `posts`) a delivery in the bundle
//! names; at most `max_records` records (deliveries first). One scan of the ledger. An error
//! when there is no checkpoint; a bundle without entries when nothing is covered.
Result<std::string> ProveAppPosts(const std::string& dir, Id app, const std::vector<Id>& posts,
                                  const std::vector<Id>& notice_posts, size_t max_records,
                                  const LedgerProgress& progress);

//! The newest signed checkpoint of a ledger, checked with its verifier key.
struct LatestCheckpointInfo {
  Checkpoint checkpoint;
  std::string note;             // the signed note, as in the file
  std::optional<TimeMs> signed_at;  // the ledger's signing time (its file's tagged mtime), else the mtime
};
//! nullopt when the ledger has no checkpoint yet; an error when the newest does not verify.
Result<std::optional<LatestCheckpointInfo>> LatestCheckpoint(const std::string& dir);

//! JSON: the consistency proof between tree sizes `from` and `to`, with both roots.
Result<std::string> ConsistencyJson(const std::string& dir, uint64_t from, uint64_t to);

//! Writes the records of `app` (all apps when 0) within [from, to) as JSON lines; with
//! `authorized_by` not 0, only those of requests that account authorised (a user access
//! token's: what apps did in its name, record version 3).
Status ExportRecords(const std::string& dir, Id app, std::optional<TimeMs> from, std::optional<TimeMs> to,
                     std::ostream& out, const LedgerProgress& progress, Id authorized_by = 0);

//! Bytes in the ledger's segment files.
uint64_t LedgerSegmentBytes(const std::string& dir);

//! The verifier key of the ledger's signing key ("name+keyid+base64").
Result<std::string> LedgerPublicKey(const std::string& dir);

//! Checks a file written by ProveDelivery (or a bare proof bundle) with only the verifier key.
//! Returns a one-line summary.
Result<std::string> CheckProofFile(const std::string& file, const std::string& verifier_key);

}  // namespace sluice
