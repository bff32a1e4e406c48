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

inline constexpr std::string_view kSegmentMagic = "SLUICELG";
inline constexpr uint32_t kSegmentVersion = 1;
inline constexpr size_t kSegmentHeaderBytes = 16;
inline constexpr size_t kFrameHeaderBytes = 8;
inline constexpr uint32_t kMaxPayloadBytes = 16 << 20;  // a longer frame is damage, not a record

//! CRC32C (Castagnoli), as used by the frames; SSE4.2 instruction when available.
//! Chains: Crc32c(b, Crc32c(a)) == Crc32c(a + b).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);
//! The table-driven fallback Crc32c uses without SSE4.2; exposed for tests.
uint32_t Crc32cPortable(std::string_view data, uint32_t crc = 0);

//! "seg-<first seq, 20 digits>.log".
std::string SegmentFileName(uint64_t first_seq);
//! The 16-byte segment header.
std::string SegmentHeader();
//! Appends one frame (length, CRC32C, payload) to `out`.
void AppendFrame(std::string_view payload, std::string* out);

struct SegmentFile {
  uint64_t first_seq = 0;
  std::string name;
};
//! The segment files in `dir`, by first seq (other files are ignored).
Result<std::vector<SegmentFile>> ListSegments(const std::string& dir);

//! Where a damaged or torn frame is, for messages: "seg-...log offset 1234 (record 567)".
struct LedgerPosition {
  std::string segment;   // file name
  uint64_t offset = 0;   // byte offset of the frame in the segment
  uint64_t seq = 0;      // the record number the frame should hold
  std::string ToString() const;
};

//! Reads every frame of every segment in `dir` in order, calling `visit(position, payload)`.
//! Stops at the first bad frame (short header, length over the limit, CRC mismatch, a
//! segment that does not start where the previous ended, a payload whose seq field is not
//! the expected record number, which catches dropped and reordered records) and returns a
//! kCorruption whose message names the LedgerPosition and why. `tail_ok`: a torn last frame of
//! the last segment ends the scan without error and sets *torn to its position. Torn means
//! the file ends inside the frame (or inside the segment header), or every byte from the
//! frame to the end of the file is zero (space a crash allocated but never wrote); a
//! whole frame with a bad CRC is damage, never a torn tail. Reads through a bounded buffer,
//! never a whole file. A visit error stops the scan and is returned as is.
struct ScanResult {
  uint64_t records = 0;
  bool torn = false;
  LedgerPosition torn_at;     // first byte not part of a whole frame
  uint64_t torn_bytes = 0;    // bytes from torn_at to the end of the file
  std::string why;            // what is wrong at torn_at ("the frame header is cut short", ...)
  std::vector<std::string> later_segments;  // ScanSegmentsToDamage: whole segments after torn_at
  LedgerPosition end;         // where the frame after the last record visited starts (of the records read)
};
Result<ScanResult> ScanSegments(const std::string& dir, bool tail_ok,
                                const std::function<Status(const LedgerPosition&, std::string_view payload)>& visit);

//! The records [from.seq, end_seq) only (to the end when end_seq is UINT64_MAX, a torn tail
//! of the last segment ending the scan quietly), for readers that resume where they stopped
//! (usage snapshots): segments before the one holding from.seq are not read; in it, the scan
//! starts at from.offset when from.segment names it (the frame there must hold from.seq:
//! else a kCorruption naming the position), else at its first frame, reading the records
//! before from.seq without visiting them. result.records is the seq after the last record
//! read and result.end where its next frame starts: pass it back as the next `from`. Frames
//! are checked as ScanSegments checks them.
Result<ScanResult> ScanSegmentsFrom(const std::string& dir, const LedgerPosition& from, uint64_t end_seq,
                                    const std::function<Status(const LedgerPosition&, std::string_view payload)>& visit);

//! For `sluice ledger repair`: as ScanSegments with tail_ok, but anything wrong (a bad
//! frame anywhere, a segment that does not start where the previous ended) ends the scan
//! as if torn there, and the segments after it are listed in `later_segments`. Records are
//! decoded in full here: one that does not decode is damage too.
Result<ScanResult> ScanSegmentsToDamage(const std::string& dir,
                                        const std::function<Status(const LedgerPosition&, std::string_view payload)>& visit);

//! ScanSegments without a torn tail allowed, decoding every record in full: the check that
//! the ledger is exactly what was appended (up to what the CRCs and seqs can tell).
Result<ScanResult> VerifySegments(const std::string& dir);

}  // namespace sluice
