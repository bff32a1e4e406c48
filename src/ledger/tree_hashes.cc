// TreeHashes storage: one array of 32-byte hashes per level, in memory or in files.
// The file-backed store keeps appended hashes in a per-level buffer until Sync() pwrites
// and fdatasyncs them; Perfect() reads synced entries with pread and the rest from the
// buffer. Open() makes the files agree with level 0 again after a crash.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "ledger/ledger_files.h"
#include "ledger/merkle.h"

namespace sluice {

namespace {

constexpr uint64_t kHashBytes = sizeof(Hash);
constexpr int kMaxLevels = 64;
constexpr uint64_t kRepairChunk = 4096;  // parent entries recomputed per read during Open

Status IoError(const std::string& path, const char* what, int err) {
  return IOError(path + ": " + what + ": " + std::strerror(err));
}

Status PWriteAll(int fd, const std::string& path, const void* data, uint64_t n, uint64_t offset) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return IoError(path, "write", errno);
    p += w;
    n -= static_cast<uint64_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::Ok();
}

Status PReadAll(int fd, const std::string& path, void* data, uint64_t n, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(data);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return IoError(path, "read", errno);
    if (r == 0) return InternalError(path + ": short read at offset " + std::to_string(offset));
    p += r;
    n -= static_cast<uint64_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(path, "open", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError(path, "fsync", err);
  return Status::Ok();
}

bool IsZero(const Hash& h) {
  for (uint8_t b : h)
    if (b != 0) return false;
  return true;
}

struct Level {
  int fd = -1;  // -1: in memory
  std::string path;
  uint64_t synced = 0;        // entries in the file
  std::vector<Hash> pending;  // entries synced.. not yet written
  uint64_t Count() const { return synced + pending.size(); }
};

class TreeHashesImpl final : public TreeHashes {
 public:
  explicit TreeHashesImpl(std::string dir) : dir_(std::move(dir)) {}
  ~TreeHashesImpl() override {
    for (Level& l : levels_)
      if (l.fd >= 0) ::close(l.fd);
  }

  Status Load();

  uint64_t Size() const override { return size_.load(std::memory_order_acquire); }

  Status Append(const Hash& leaf_hash) override {
    if (!broken_.ok()) return broken_;
    std::lock_guard lock(mu_);
    if (levels_.empty())
      if (Status s = AddLevelLocked(); !s.ok()) return s;
    // Leaf n-1 completes a subtree at level k+1 for every low zero bit k of n. Compute all
    // of them before changing anything, so a failed read leaves the tree as it was.
    uint64_t n = Size() + 1;
    std::vector<Hash> completed;  // completed[k]: the new entry of level k+1
    Hash carry = leaf_hash;
    for (int k = 0; ((n >> k) & 1) == 0; ++k) {
      auto left = ReadLocked(k, (n >> k) - 2);
      if (!left) return left.status();
      carry = NodeHash(*left, carry);
      completed.push_back(carry);
    }
    while (levels_.size() < completed.size() + 1)
      if (Status s = AddLevelLocked(); !s.ok()) return s;
    levels_[0].pending.push_back(leaf_hash);
    for (size_t k = 0; k < completed.size(); ++k) levels_[k + 1].pending.push_back(completed[k]);
    size_.store(n, std::memory_order_release);
    return Status::Ok();
  }

  Status Sync() override {
    if (dir_.empty()) return Status::Ok();
    if (!broken_.ok()) return broken_;
    // Only the writer changes `pending`, and Sync is the writer: reading it unlocked is safe.
    for (Level& l : levels_) {
      if (l.pending.empty()) continue;
      uint64_t n = l.pending.size();
      if (Status s = PWriteAll(l.fd, l.path, l.pending.data(), n * kHashBytes, l.synced * kHashBytes); !s.ok())
        return s;  // nothing published; a retry rewrites the same bytes
      if (::fdatasync(l.fd) != 0) return Break(IoError(l.path, "fdatasync", errno));
      std::lock_guard lock(mu_);
      l.synced += n;
      l.pending.clear();
    }
    if (dir_dirty_) {
      if (Status s = SyncPath(dir_); !s.ok()) return Break(s);
      dir_dirty_ = false;
    }
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (!broken_.ok()) return broken_;
    if (size > Size())
      return NotFound("cannot truncate the tree to " + std::to_string(size) + " leaves: it has " +
                      std::to_string(Size()));
    std::lock_guard lock(mu_);
    size_.store(size, std::memory_order_release);
    for (size_t k = 0; k < levels_.size(); ++k) {
      Level& l = levels_[k];
      uint64_t target = size >> k;
      if (target >= l.synced) {
        l.pending.resize(target - l.synced);
        continue;
      }
      l.pending.clear();
      l.synced = target;
      if (::ftruncate(l.fd, static_cast<off_t>(target * kHashBytes)) != 0)
        return Break(IoError(l.path, "truncate", errno));
      if (::fdatasync(l.fd) != 0) return Break(IoError(l.path, "fdatasync", errno));
    }
    return Status::Ok();
  }

  Result<Hash> Perfect(int level, uint64_t index) const override {
    std::lock_guard lock(mu_);
    if (level < 0 || static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].Count())
      return NotFound("no perfect subtree " + std::to_string(index) + " at level " + std::to_string(level) +
                      " in a tree of " + std::to_string(Size()) + " leaves");
    return ReadLocked(level, index);
  }

  Status ReadRange(int level, uint64_t first, uint64_t n, std::vector<Hash>* out) const override {
    std::lock_guard lock(mu_);
    if (level < 0 || static_cast<size_t>(level) >= levels_.size() || first + n > levels_[level].Count())
      return NotFound("no entries " + std::to_string(first) + ".." + std::to_string(first + n) + " at level " +
                      std::to_string(level));
    const Level& l = levels_[level];
    out->resize(n);
    uint64_t from_file = first < l.synced ? std::min(n, l.synced - first) : 0;
    if (from_file > 0)
      if (Status s = PReadAll(l.fd, l.path, out->data(), from_file * kHashBytes, first * kHashBytes); !s.ok()) return s;
    for (uint64_t i = from_file; i < n; ++i) (*out)[i] = l.pending[first + i - l.synced];
    return Status::Ok();
  }

 private:
  Result<Hash> ReadLocked(int level, uint64_t index) const {
    const Level& l = levels_[level];
    if (index >= l.synced) return l.pending[index - l.synced];
    Hash h;
    if (Status s = PReadAll(l.fd, l.path, h.data(), kHashBytes, index * kHashBytes); !s.ok()) return s;
    return h;
  }

  // A new top level has no entries yet, so its file (if any) holds only stale bytes.
  Status AddLevelLocked() {
    Level l;
    if (!dir_.empty()) {
      l.path = TreeLevelPath(dir_, static_cast<int>(levels_.size()));
      l.fd = ::open(l.path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (l.fd < 0) return IoError(l.path, "open", errno);
      dir_dirty_ = true;
    }
    levels_.push_back(std::move(l));
    return Status::Ok();
  }

  // After a failed fdatasync the page cache may not match the disk (the error is reported
  // once): stop writing; Open() repairs from what is on disk.
  Status Break(const Status& s) {
    broken_ = s.WithMessage(s.message() + " (tree hashes need reopening)");
    return broken_;
  }

  Status OpenLevelForRepair(int k, uint64_t* entries);
  Status RepairLevel(int k, uint64_t have, uint64_t want);

  const std::string dir_;  // empty: in memory
  mutable std::mutex mu_;
  std::vector<Level> levels_;  // guarded by mu_; `pending` is changed only by the writer
  std::atomic<uint64_t> size_{0};
  bool dir_dirty_ = false;  // a level file was created since the directory was last synced
  Status broken_;
};

// Opens level k's file and returns its whole entries, after dropping a torn last entry
// and trailing all-zero entries (a file extended by a crash before its data reached disk;
// no SHA-256 output is all zeros in practice).
Status TreeHashesImpl::OpenLevelForRepair(int k, uint64_t* entries) {
  Level l;
  l.path = TreeLevelPath(dir_, k);
  l.fd = ::open(l.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (l.fd < 0) return IoError(l.path, "open", errno);
  levels_.push_back(std::move(l));
  Level& level = levels_.back();
  struct stat st;
  if (::fstat(level.fd, &st) != 0) return IoError(level.path, "stat", errno);
  uint64_t bytes = static_cast<uint64_t>(st.st_size);
  uint64_t n = bytes / kHashBytes;
  while (n > 0) {
    Hash h;
    if (Status s = PReadAll(level.fd, level.path, h.data(), kHashBytes, (n - 1) * kHashBytes); !s.ok()) return s;
    if (!IsZero(h)) break;
    --n;
  }
  if (n * kHashBytes != bytes && ::ftruncate(level.fd, static_cast<off_t>(n * kHashBytes)) != 0)
    return IoError(level.path, "truncate", errno);
  *entries = n;
  return Status::Ok();
}

// Recomputes entries [have, want) of level k from level k-1, which is complete on disk.
Status TreeHashesImpl::RepairLevel(int k, uint64_t have, uint64_t want) {
  const Level& below = levels_[k - 1];
  Level& level = levels_[k];
  std::vector<Hash> children, parents;
  for (uint64_t i = have; i < want; i += kRepairChunk) {
    uint64_t n = std::min(kRepairChunk, want - i);
    children.resize(2 * n);
    if (Status s = PReadAll(below.fd, below.path, children.data(), 2 * n * kHashBytes, 2 * i * kHashBytes); !s.ok())
      return s;
    parents.resize(n);
    for (uint64_t j = 0; j < n; ++j) parents[j] = NodeHash(children[2 * j], children[2 * j + 1]);
    if (Status s = PWriteAll(level.fd, level.path, parents.data(), n * kHashBytes, i * kHashBytes); !s.ok())
      return s;
  }
  return Status::Ok();
}

Status TreeHashesImpl::Load() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return InternalError(dir_ + ": cannot create directory: " + ec.message());

  uint64_t size = 0;
  if (Status s = OpenLevelForRepair(0, &size); !s.ok()) return s;
  levels_[0].synced = size;
  for (int k = 1; k < kMaxLevels && (size >> k) > 0; ++k) {
    uint64_t have = 0, want = size >> k;
    if (Status s = OpenLevelForRepair(k, &have); !s.ok()) return s;
    Level& level = levels_[k];
    if (have > want && ::ftruncate(level.fd, static_cast<off_t>(want * kHashBytes)) != 0)
      return IoError(level.path, "truncate", errno);
    if (have < want)
      if (Status s = RepairLevel(k, have, want); !s.ok()) return s;
    level.synced = want;
  }
  for (Level& l : levels_)
    if (::fdatasync(l.fd) != 0) return IoError(l.path, "fdatasync", errno);
  // Files of levels above the top hold nothing the tree justifies.
  for (int k = static_cast<int>(levels_.size()); k < kMaxLevels; ++k) {
    std::filesystem::remove(TreeLevelPath(dir_, k), ec);
    if (ec) return InternalError(TreeLevelPath(dir_, k) + ": cannot remove: " + ec.message());
  }
  if (Status s = SyncPath(dir_); !s.ok()) return s;
  size_.store(size, std::memory_order_release);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<TreeHashes>> TreeHashes::Open(const std::string& dir) {
  if (dir.empty()) return InternalError("tree hashes: no directory given");
  auto tree = std::make_unique<TreeHashesImpl>(dir);
  if (Status s = tree->Load(); !s.ok()) return s;
  return std::unique_ptr<TreeHashes>(std::move(tree));
}

std::unique_ptr<TreeHashes> TreeHashes::InMemory() { return std::make_unique<TreeHashesImpl>(std::string()); }

}  // namespace sluice
