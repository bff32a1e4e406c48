#pragma once
//! Segment files: the ledger's append-only storage in DATA/ledger/. A segment is named
//! by the sequence number of its first record, "seg-00000000000000000000.log" (20 digits), and
//! holds a 16-byte header ("SLUICELG", u32 format version, u32 reserved) followed by frames:
//!   u32 little-endian payload length | u32 little-endian CRC32C (Castagnoli) of the payload | payload
//! where the payload is EncodeRecord(record). Records are dense: each segment starts where
//! the previous one ended.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/record.h"

namespace sluice {

//! CRC32C (Castagnoli), as used by the frames; SSE4.2 instruction when available.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

//! Where a damaged or torn frame is, for messages: "seg-...log offset 1234 (record 567)".
struct LedgerPosition {
  std::string segment;   // file name
  uint64_t offset = 0;   // byte offset of the frame in the segment
  uint64_t seq = 0;      // the record number the frame should hold
  std::string ToString() const;
};

//! Reads every frame of every segment in `dir` in order, calling `visit(position, payload)`.
//! Stops at the first bad frame (short header, length over the limit, CRC mismatch, a
//! segment that does not start where the previous ended) and returns a Problem whose
//! detail names the LedgerPosition and why. `tail_ok`: a torn last frame of the last
//! segment ends the scan without error and sets *torn to its position.
struct ScanResult {
  uint64_t records = 0;
  bool torn = false;
  LedgerPosition torn_at;     // first byte not part of a whole frame
  uint64_t torn_bytes = 0;    // bytes from torn_at to the end of the file
};
Result<ScanResult> ScanSegments(const std::string& dir, bool tail_ok,
                                const std::function<Status(const LedgerPosition&, std::string_view payload)>& visit);

}  // namespace sluice
