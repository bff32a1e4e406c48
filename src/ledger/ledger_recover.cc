// Ledger::Open's recovery: after a crash (kill -9, power loss) the segments may end in a
// torn frame, the tree may lag the records, and a checkpoint may be half written.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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
  if (!tree.ok()) return tree.problem();
  tree_ = std::move(*tree);
  if (Status s = LoadLastCheckpoint(); !s.ok()) return s;

  // One pass: CRCs and seqs are checked, and records the tree lacks are hashed into it
  // (only whole, valid frames are visited, so nothing past a torn tail gets in).
  auto scan = ScanSegments(options_.dir, true, [this](const LedgerPosition& at, std::string_view payload) -> Status {
    if (at.seq != tree_->Size()) return Status::Ok();
    return tree_->Append(LeafHash(payload));
  });
  if (!scan.ok()) return scan.problem();
  uint64_t records = scan->records;

  // A checkpoint past the records means signed records were lost: refuse, cut nothing.
  if (have_checkpoint_ && checkpoint_size_ > records)
    return InternalError(fmt::format("ledger: checkpoint {:020}.note covers {} records but only {} are on disk{}",
                                     checkpoint_size_, checkpoint_size_, records,
                                     scan->torn ? " before a torn tail at " + scan->torn_at.ToString() : ""));

  if (scan->torn) {
    std::string path = options_.dir + "/" + scan->torn_at.segment;
    Status s;
    if (scan->torn_at.offset < kSegmentHeaderBytes) {  // a segment created, never written
      if (::unlink(path.c_str()) != 0) return FileError("remove", path);
      s = FsyncDir(options_.dir);
    } else {
      s = TruncateDurably(path, scan->torn_at.offset);
    }
    if (!s.ok()) return s;
    spdlog::warn("ledger: cut a torn tail at {}: {} bytes dropped", scan->torn_at.ToString(), scan->torn_bytes);
  }

  if (tree_->Size() > records) {
    spdlog::warn("ledger: the tree had {} leaves for {} records; cut", tree_->Size(), records);
    if (Status s = tree_->Truncate(records); !s.ok()) return s;
  }
  if (Status s = tree_->Sync(); !s.ok()) return s;

  auto signer = Signer::LoadOrCreate(SigningKeyPath(options_.dir), options_.origin);
  if (!signer.ok()) return signer.problem();
  signer_ = std::move(*signer);
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

// Appends go on in the last segment; without one, the first write creates it.
Status LedgerImpl::OpenLastSegment() {
  auto segments = ListSegments(options_.dir);
  if (!segments.ok()) return segments.problem();
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
    uint64_t size = 0;
    auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), size);
    if (err != std::errc() || name != fmt::format("{:020}.note", size)) continue;
    if (newest.empty() || size > checkpoint_size_) {
      newest = name;
      checkpoint_size_ = size;
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
