#pragma once
//! Helpers shared by the read-only ledger tools (tools.cc, verify.cc), private to src/ledger.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/merkle.h"
#include "ledger/record.h"
#include "ledger/segment.h"
#include "ledger/tools.h"

namespace sluice::ledger_internal {

//! The persisted tree hashes, read with pread and never written: the server may be
//! appending to the same files while a command reads them. Size() is level 0's whole
//! entries without trailing all-zero ones (what a crash leaves; Open drops them too).
class ReadOnlyTreeHashes final : public TreeHashes {
 public:
  static Result<std::unique_ptr<ReadOnlyTreeHashes>> Open(const std::string& tree_dir);
  ~ReadOnlyTreeHashes() override;
  uint64_t Size() const override { return size_; }
  //! Whole entries in level `level`'s file, as it is (0 without a file).
  uint64_t Entries(int level) const;
  //! Bytes in the level 0 file.
  uint64_t Level0Bytes() const { return level0_bytes_; }
  Status Append(const Hash&) override { return InternalError("read-only tree"); }
  Status Sync() override { return InternalError("read-only tree"); }
  Status Truncate(uint64_t) override { return InternalError("read-only tree"); }
  Result<Hash> Perfect(int level, uint64_t index) const override;

 private:
  ReadOnlyTreeHashes() = default;
  std::vector<int> fds_;
  uint64_t size_ = 0;
  uint64_t level0_bytes_ = 0;
};

Result<std::string> ReadFile(const std::string& path);
//! Checkpoint notes ("*.note") in order of tree size.
std::vector<std::filesystem::path> CheckpointFiles(const std::string& dir);
//! Bytes in the segment files.
uint64_t SegmentBytes(const std::string& dir);

using RecordVisit = std::function<Status(const LedgerPosition&, const LedgerRecord&, std::string_view payload)>;
//! Visits every record in order, decoded, with its bytes; progress by bytes. `tail_ok`: as
//! ScanSegments (a torn tail of the last segment ends the scan). `end_seq`: only the records
//! before it (ScanSegmentsFrom: a torn tail then ends the scan quietly, whatever tail_ok).
Result<ScanResult> ForEachRecord(const std::string& dir, const LedgerProgress& progress, const RecordVisit& visit,
                                 bool tail_ok = false, uint64_t end_seq = UINT64_MAX);

}  // namespace sluice::ledger_internal
