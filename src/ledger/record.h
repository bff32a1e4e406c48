#pragma once
//! One ledger record: who received what, when, under which terms. Its encoding (format
//! version 1, docs/ledger.md) is what the Merkle tree hashes, so it is fixed forever:
//! new fields mean a new version byte, and readers keep decoding old versions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace sluice {

struct LedgerRecord {
  uint64_t seq = 0;         // 0-based, dense: the leaf index in the Merkle tree
  TimeMs time = 0;          // ms since the epoch, when the request was served (the time its stages decided by)
  uint16_t node_id = 0;
  Id app_id = 0;            // 0 when the request had no valid token
  Id project_id = 0;
  std::string use;          // the app's declared uses, comma-separated ("search,display")
  std::string endpoint;     // method and route pattern: "GET /2/tweets/:id"
  uint16_t status = 0;      // HTTP status sent
  std::vector<Id> post_ids; // posts delivered (or created / deleted), in response order
  std::vector<Id> user_ids; // users delivered, in response order
  std::string request_id;
  uint64_t response_bytes = 0;

  bool operator==(const LedgerRecord&) const = default;
};

inline constexpr uint8_t kLedgerRecordVersion = 1;

//! The record's bytes: version byte, then the fields in the order above (varints for
//! integers, length-prefixed strings, post/user ids delta-coded as zigzag varints).
std::string EncodeRecord(const LedgerRecord& record);
//! Inverse of EncodeRecord; a Problem naming the field for anything malformed or trailing.
//! Varints must be minimal (canonical), so every record has exactly one encoding.
Result<LedgerRecord> DecodeRecord(std::string_view bytes);

//! EncodeRecord in two parts, so the ledger encodes the body outside its lock and adds the
//! sequence number inside: EncodeRecord(r) == head(r.seq) + body(r).
//! AppendRecordHead writes the version byte and the seq varint (at most 11 bytes).
void AppendRecordHead(uint64_t seq, std::string* out);
//! Every field after seq; record.seq is ignored.
void AppendRecordBody(const LedgerRecord& record, std::string* out);
//! The seq of an encoded record (version byte and seq only; the rest is not checked).
Result<uint64_t> PeekRecordSeq(std::string_view bytes);

}  // namespace sluice
