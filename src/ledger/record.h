#pragma once
//! One ledger record: who received what, when, under which terms. Its encoding (format
//! versions 1, 2 and 3, docs/ledger.md) is what the Merkle tree hashes, so it is fixed forever:
//! new fields mean a new version byte, and readers keep decoding old versions.
//! Version 2 adds `count` at the end: the record stands for `count` requests (refusals of
//! unauthenticated requests, aggregated per second). A record of one request is always
//! written as version 1, so every record still has exactly one encoding.
//! Version 3 adds `count` and then `authorizing_user_id` at the end: the account whose OAuth
//! 2.0 user access token the request came with (what an app did in an account's name). It is
//! written exactly when that id is non-zero, so versions 1 and 2 stay the encodings of every
//! other record.
//! Version 4 is a compliance notice (issue 16): what the app was told needs action (deleted
//! posts, users suspended or gone), not what it was sent. After the version 1 fields come
//! `count`, `authorizing_user_id` (either may be any value, 0 included) and `channel`, the
//! way the notice went: "job:<id>" for a batch compliance job's result file, "stream:..."
//! for the compliance streams. It is written exactly when `channel` is not empty.

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
  uint64_t response_bytes = 0;  // of the one response, or the sum over `count` responses
  uint64_t count = 1;           // requests this record stands for (version 2 when > 1)
  Id authorizing_user_id = 0;   // the user of a user access token; 0 for an app token (version 3 when not 0)
  //! Not empty: this record is a compliance notice (version 4) and post_ids / user_ids are the
  //! ids the app was told about through this channel ("job:<id>", "stream:<...>").
  std::string channel;

  bool operator==(const LedgerRecord&) const = default;
};

inline constexpr uint8_t kLedgerRecordVersion = 1;
inline constexpr uint8_t kLedgerRecordVersionCounted = 2;
inline constexpr uint8_t kLedgerRecordVersionAuthorized = 3;
inline constexpr uint8_t kLedgerRecordVersionNotice = 4;

//! The version `record` is encoded in: 4 when channel is not empty, else 3 when
//! authorizing_user_id != 0, else 2 when count != 1, else 1.
uint8_t RecordVersion(const LedgerRecord& record);

//! The record's bytes: version byte, then the fields in the order above (varints for
//! integers, length-prefixed strings, post/user ids delta-coded as zigzag varints).
std::string EncodeRecord(const LedgerRecord& record);
//! Inverse of EncodeRecord; an error naming the field for anything malformed or trailing.
//! Varints must be minimal (canonical), so every record has exactly one encoding (a
//! version 2 record with a count below 2 is refused: it has a version 1 encoding; so is a
//! version 3 record with authorizing_user_id 0 or a count of 0, and a version 4 record with an
//! empty channel or a count of 0).
Result<LedgerRecord> DecodeRecord(std::string_view bytes);

//! EncodeRecord in two parts, so the ledger encodes the body outside its lock and adds the
//! sequence number inside: EncodeRecord(r) == head(r.seq, RecordVersion(r)) + body(r).
//! AppendRecordHead writes the version byte and the seq varint (at most 11 bytes).
void AppendRecordHead(uint64_t seq, uint8_t version, std::string* out);
//! Every field after seq (count when RecordVersion(record) is 2, 3 or 4, then
//! authorizing_user_id when it is 3 or 4, then channel when it is 4); record.seq is ignored.
void AppendRecordBody(const LedgerRecord& record, std::string* out);
//! The seq of an encoded record (version byte and seq only; the rest is not checked).
Result<uint64_t> PeekRecordSeq(std::string_view bytes);

}  // namespace sluice
