#include "access/revocations.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sluice {

namespace {
constexpr size_t kSize = sizeof(uint64_t);
// Shared by processes through the page cache: the counter must be a plain lock-free word.
static_assert(std::atomic_ref<uint64_t>::is_always_lock_free);

uint64_t& Word(void* map) { return *static_cast<uint64_t*>(map); }
}  // namespace

Result<std::unique_ptr<RevocationGeneration>> RevocationGeneration::Open(const std::string& data_dir) {
  std::string path = (std::filesystem::path(data_dir) / "auth.generation").string();
  auto fail = [&](const char* what) { return CommandError(path + ": cannot " + what + ": " + std::strerror(errno)); };
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail("open");
  struct stat st {};
  // Growing a new file to 8 zero bytes: two processes doing so at once write the same thing.
  if (fstat(fd, &st) != 0 || (st.st_size < off_t(kSize) && ftruncate(fd, kSize) != 0)) {
    auto p = fail("size");
    ::close(fd);
    return p;
  }
  void* map = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    auto p = fail("map");
    ::close(fd);
    return p;
  }
  return std::unique_ptr<RevocationGeneration>(new RevocationGeneration(fd, map));
}

RevocationGeneration::~RevocationGeneration() {
  munmap(map_, kSize);
  ::close(fd_);
}

uint64_t RevocationGeneration::Load() const { return std::atomic_ref<uint64_t>(Word(map_)).load(); }

void RevocationGeneration::Bump() { std::atomic_ref<uint64_t>(Word(map_)).fetch_add(1); }

}  // namespace sluice
