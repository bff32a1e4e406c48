// Ledger::Open's recovery: after a crash (kill -9, power loss) the segments may end in a
// torn frame, the tree may lag the records, and a checkpoint may be half written.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/parse.h"
#include "core/time_format.h"
#include "ledger/files.h"
#include "ledger/ledger_files.h"
#include "ledger/ledger_impl.h"
#include "ledger/segment.h"

namespace sluice {

using ledger_internal::FileError;
using ledger_internal::FsyncDir;
using ledger_internal::TruncateDurably;

namespace {

Status CreateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InternalError(fmt::format("ledger: cannot create {}: {}", dir, ec.message()));
  return Status::Ok();
}

}  // namespace

Status LedgerImpl::Recover() {
  if (Status s = CreateDir(options_.dir); !s.ok()) return s;
  if (Status s = CreateDir(checkpoint_dir_); !s.ok()) return s;
  std::string parent = std::filesystem::path(options_.dir).parent_path().string();
  if (Status s = FsyncDir(parent.empty() ? "." : parent); !s.ok()) return s;
  if (Status s = FsyncDir(options_.dir); !s.ok()) return s;
  // Two writers would interleave frames: a second process (a CLI next to a running server)
  // is refused before it touches anything.
  lock_fd_ = ::open(LockPath(options_.dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return FileError("open", LockPath(options_.dir));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return CommandError(options_.dir + " is in use by another sluice process (a running server?); stop it first");
  auto tree = TreeHashes::Open(TreeDir(options_.dir));
  if (!tree.ok()) return tree.status();
  tree_ = std::move(*tree);
  if (Status s = LoadLastCheckpoint(); !s.ok()) return s;
  if (options_.signer) {
    signer_ = options_.signer;
  } else {
    auto signer = Signer::LoadOrCreate(SigningKeyPath(options_.dir), options_.origin);
    if (!signer.ok()) return signer.status();
    signer_ = std::move(*signer);
  }

  // Records the tree hashes or a signed checkpoint cover were durable: a crash never loses
  // them, so their loss is damage, never a torn tail.
  if (options_.repair)  // repair changes the ledger from the start
    if (Status s = TakeClosedMarker(); !s.ok()) return s;
  const uint64_t stored = tree_->Size();
  const uint64_t covered = std::max(stored, have_checkpoint_ ? checkpoint_size_ : 0);
  // A start checks the segment holding the last record the tree hashes cover and the ones
  // after it (at most about ledger.segment_bytes of records, whatever the ledger's size), not
  // every record: `sluice ledger verify` reads them all. Repair reads them all.
  uint64_t check_from = 0;
  if (!options_.repair) {
    auto segments = ListSegments(options_.dir);
    if (!segments.ok()) return segments.status();
    const uint64_t anchor = stored > 0 ? stored - 1 : 0;
    for (const SegmentFile& s : *segments)
      if (s.first_seq <= anchor) check_from = s.first_seq;
  }
  Status levels = CheckTreeLevels(*tree_, stored, check_from);
  uint64_t mismatch = 0;
  auto scan = ScanAndCheckTree(check_from, &mismatch);
  if (!scan.ok()) return RefuseStart(scan.status().message());
  if (!levels.ok() || mismatch < stored) {
    std::string why = !levels.ok() ? levels.message()
                                   : fmt::format("tree hash level 0 entry {} is not the hash of record {}", mismatch, mismatch);
    if (!options_.repair) return RefuseStart("the tree hashes do not match the records: " + why);
    // The records' CRCs hold; the tree hashes are rebuilt from them.
    if (Status s = LogRepair("rebuilt the tree hashes from the records: " + why); !s.ok()) return s;
    if (Status s = tree_->Truncate(0); !s.ok()) return s;
    scan = ScanAndCheckTree(0, &mismatch);
    if (!scan.ok()) return scan.status();
  }
  const uint64_t records = scan->records;
  if (records < covered) {
    std::string why = fmt::format("the tree hashes cover {} records{}, but the segments hold {} whole records{}", stored,
                                  have_checkpoint_ ? fmt::format(" and checkpoint {:020}.note is signed over {}",
                                                                 checkpoint_size_, checkpoint_size_)
                                                   : "",
                                  records,
                                  scan->torn ? fmt::format(", then {} at {}", scan->why, scan->torn_at.ToString()) : "");
    if (!options_.repair) return RefuseStart(why + ": records were removed or damaged");
    if (Status s = LogRepair(why); !s.ok()) return s;
  }

  // From here on the ledger changes: until Close writes the marker again, it is open. (A
  // refused start above leaves the marker, so verify still holds the ledger to it.)
  if (Status s = TakeClosedMarker(); !s.ok()) return s;
  if (scan->torn && options_.repair) {
    if (Status s = RepairTail(*scan); !s.ok()) return s;
  } else if (scan->torn) {
    std::string path = options_.dir + "/" + scan->torn_at.segment;
    Status s;
    if (scan->torn_at.offset < kSegmentHeaderBytes) {  // a segment created, never written
      if (::unlink(path.c_str()) != 0) return FileError("remove", path);
      s = FsyncDir(options_.dir);
    } else {
      s = TruncateDurably(path, scan->torn_at.offset);
    }
    if (!s.ok()) return s;
    spdlog::warn("ledger: not closed cleanly; cut a torn tail past the {} records the tree hashes cover at {}: {} bytes dropped ({})",
                 covered, scan->torn_at.ToString(), scan->torn_bytes, scan->why);
  }
  if (!was_closed_ && records > stored)
    spdlog::warn("ledger: not closed cleanly; {} records past the tree hashes added to them", records - stored);

  if (tree_->Size() > records) {
    spdlog::warn("ledger: the tree had {} leaves for {} records; cut", tree_->Size(), records);
    if (Status s = tree_->Truncate(records); !s.ok()) return s;
  }
  if (Status s = tree_->Sync(); !s.ok()) return s;
  if (options_.repair) {
    if (Status s = SetAsideCheckpoints(records); !s.ok()) return s;
    if (!repaired_)
      if (Status s = LogRepair(fmt::format("nothing to repair: {} records match the tree hashes and checkpoints", records));
          !s.ok())
        return s;
  }

  // The public half, for tools that must not need the secret (`sluice ledger pubkey`, verify).
  std::string vkey = signer_->VerifierKey() + "\n";
  std::ifstream current(VerifierKeyPath(options_.dir));
  std::stringstream have;
  have << current.rdbuf();
  if (have.str() != vkey) {
    if (Status s = ledger_internal::WriteFileDurably(options_.dir, "checkpoint.vkey", vkey); !s.ok()) return s;
  }

  next_seq_ = flushed_seq_ = records;
  durable_.store(records);
  checkpoint_time_ = clock_.NowMs();
  return OpenLastSegment();
}

Status LedgerImpl::TakeClosedMarker() {
  if (marker_taken_) return Status::Ok();
  marker_taken_ = true;
  std::string path = ClosedMarkerPath(options_.dir);
  was_closed_ = ::access(path.c_str(), F_OK) == 0;
  if (!was_closed_) return Status::Ok();
  if (::unlink(path.c_str()) != 0) return FileError("remove", path);
  return FsyncDir(options_.dir);
}

// One pass over the records: CRCs and seqs are checked, each record the tree hashes hold
// is compared with its leaf hash (the first that differs goes to *mismatch, else it is
// Size() at the start), and the records past them are hashed in. Only whole, valid frames
// are visited, so nothing past a torn tail (or, repairing, past any damage) gets in.
Result<ScanResult> LedgerImpl::ScanAndCheckTree(uint64_t from, uint64_t* mismatch) {
  constexpr uint64_t kChunk = 4096;
  if (options_.repair)  // repair changes the ledger from the start
    if (Status s = TakeClosedMarker(); !s.ok()) return s;
  const uint64_t stored = tree_->Size();
  *mismatch = stored;
  std::vector<Hash> leaves;
  uint64_t leaves_first = 0;
  auto visit = [&](const LedgerPosition& at, std::string_view payload) -> Status {
    // A frame whose CRC holds but whose record does not decode was written by something else.
    if (auto record = DecodeRecord(payload); !record.ok())
      return InternalError(fmt::format("ledger damaged at {}: {}", at.ToString(), record.status().message()));
    if (at.seq >= stored) return at.seq == tree_->Size() ? tree_->Append(LeafHash(payload)) : Status::Ok();
    if (*mismatch < stored) return Status::Ok();  // repairing: the tree is rebuilt after the scan
    if (at.seq >= leaves_first + leaves.size()) {
      leaves_first = at.seq;
      if (Status s = tree_->ReadRange(0, at.seq, std::min(kChunk, stored - at.seq), &leaves); !s.ok()) return s;
    }
    if (leaves[at.seq - leaves_first] == LeafHash(payload)) return Status::Ok();
    *mismatch = at.seq;
    return Status::Ok();
  };
  return options_.repair ? ScanSegmentsToDamage(options_.dir, visit)
                         : ScanSegmentsFrom(options_.dir, {"", 0, from}, UINT64_MAX, visit);
}

Status LedgerImpl::RefuseStart(const std::string& why) const {
  std::string data = std::filesystem::path(options_.dir).parent_path().string();
  if (data.empty()) data = ".";
  return CommandError(fmt::format(
      "ledger {}: {}. Nothing was cut and the ledger is not opened: inspect it with `sluice ledger verify --data {}`; "
      "`sluice ledger repair --data {}` keeps the whole records that match, sets the rest aside in "
      "{}/repaired-<time>/ and logs it to {}",
      options_.dir, why, data, data, options_.dir, RepairLogPath(options_.dir)));
}

std::string LedgerImpl::RepairDir() {
  if (repair_dir_.empty()) {
    repair_dir_ = fmt::format("{}/repaired-{}", options_.dir, clock_.NowMs());
    std::error_code ec;
    std::filesystem::create_directories(repair_dir_ + "/checkpoints", ec);
  }
  return repair_dir_;
}

Status LedgerImpl::LogRepair(const std::string& line) {
  repaired_ = true;
  spdlog::warn("ledger repair: {}", line);
  std::string path = RepairLogPath(options_.dir);
  std::ofstream out(path, std::ios::app);
  out << FormatTime(clock_.NowMs()) << " " << line << "\n";
  out.flush();
  if (!out) return InternalError("ledger: cannot write " + path);
  return Status::Ok();
}

// Repair: the bytes from the damage on (and every later segment) go to the repair
// directory, then the segment is cut there.
Status LedgerImpl::RepairTail(const ScanResult& scan) {
  std::string dir = RepairDir();
  std::string path = options_.dir + "/" + scan.torn_at.segment;
  if (scan.torn_at.offset < kSegmentHeaderBytes) {
    if (::rename(path.c_str(), (dir + "/" + scan.torn_at.segment).c_str()) != 0) return FileError("move", path);
  } else {
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(scan.torn_at.offset));
    std::string kept = fmt::format("{}/{}.from-{}", dir, scan.torn_at.segment, scan.torn_at.offset);
    std::ofstream out(kept, std::ios::binary);
    out << in.rdbuf();
    out.flush();
    if (!out && scan.torn_bytes > 0) return InternalError("ledger: cannot write " + kept);
    if (Status s = TruncateDurably(path, scan.torn_at.offset); !s.ok()) return s;
  }
  for (const std::string& later : scan.later_segments)
    if (::rename((options_.dir + "/" + later).c_str(), (dir + "/" + later).c_str()) != 0)
      return FileError("move", options_.dir + "/" + later);
  if (Status s = FsyncDir(options_.dir); !s.ok()) return s;
  return LogRepair(fmt::format("cut {} bytes at {} ({}){}; kept in {}", scan.torn_bytes, scan.torn_at.ToString(), scan.why,
                               scan.later_segments.empty()
                                   ? ""
                                   : fmt::format(" and moved the {} segments after it", scan.later_segments.size()),
                               dir));
}

// Repair: checkpoints past the records, or whose signed root is not the records' tree,
// are moved to the repair directory; the newest that remains is reloaded.
Status LedgerImpl::SetAsideCheckpoints(uint64_t records) {
  std::error_code ec;
  std::vector<std::filesystem::path> notes;
  for (std::filesystem::directory_iterator it(checkpoint_dir_, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".note") notes.push_back(it->path());
  const std::string vkey = signer_->VerifierKey();
  for (const auto& file : notes) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto cp = VerifyCheckpoint(text.str(), vkey);
    std::string why;
    if (!cp.ok()) {
      why = cp.status().message();
    } else if (cp->size > records) {
      why = fmt::format("signed over {} records, {} remain", cp->size, records);
    } else if (auto root = tree_->Root(cp->size); !root.ok() || *root != cp->root) {
      why = "its signed root is not the records' tree";
    }
    if (why.empty()) continue;
    std::string dest = RepairDir() + "/checkpoints/" + file.filename().string();
    if (::rename(file.c_str(), dest.c_str()) != 0) return FileError("move", file.string());
    if (Status s = LogRepair(fmt::format("moved checkpoint {} to {}: {}", file.filename().string(), dest, why)); !s.ok())
      return s;
  }
  if (Status s = FsyncDir(checkpoint_dir_); !s.ok()) return s;
  have_checkpoint_ = false;
  checkpoint_size_ = 0;
  checkpoint_note_.clear();
  return LoadLastCheckpoint();
}

// Appends go on in the last segment; without one, the first write creates it.
Status LedgerImpl::OpenLastSegment() {
  auto segments = ListSegments(options_.dir);
  if (!segments.ok()) return segments.status();
  if (segments->empty()) return Status::Ok();
  std::string path = options_.dir + "/" + segments->back().name;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    return FileError("open", path);
  }
  segment_fd_ = fd;
  segment_path_ = path;
  segment_size_ = static_cast<uint64_t>(st.st_size);
  return Status::Ok();
}

// The newest checkpoint ("<20-digit size>.note"): the size no recovery may cut below, and
// the note Checkpoint() returns while the size has not moved. Leftover temp files go.
Status LedgerImpl::LoadLastCheckpoint() {
  std::error_code ec;
  std::string newest;
  for (std::filesystem::directory_iterator it(checkpoint_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.ends_with(".tmp")) {
      std::filesystem::remove(it->path(), ec);
      continue;
    }
    const auto size = ParseInt<uint64_t>(std::string_view(name).substr(0, 20));
    if (!size.ok() || name != fmt::format("{:020}.note", size.value)) continue;
    if (newest.empty() || size.value > checkpoint_size_) {
      newest = name;
      checkpoint_size_ = size.value;
    }
  }
  if (ec) return InternalError(fmt::format("ledger: cannot list {}: {}", checkpoint_dir_, ec.message()));
  if (newest.empty()) return Status::Ok();
  std::ifstream in(checkpoint_dir_ + "/" + newest, std::ios::binary);
  std::ostringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) return InternalError(fmt::format("ledger: cannot read {}/{}", checkpoint_dir_, newest));
  have_checkpoint_ = true;
  checkpoint_note_ = text.str();
  return Status::Ok();
}

}  // namespace sluice
