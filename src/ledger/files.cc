#include "ledger/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace sluice::ledger_internal {

Status FileError(std::string_view what, const std::string& path) {
  return IOError(fmt::format("ledger: cannot {} {}: {}", what, path, std::strerror(errno)));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FileError("open", dir);
  Status s;
  if (::fsync(fd) != 0) s = FileError("fsync", dir);
  ::close(fd);
  return s;
}

Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view text,
                        std::optional<timespec> mtime) {
  std::string path = dir + "/" + name;
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return FileError("create", temp);
  Status s = WriteAll(fd, text, temp);
  if (s.ok() && mtime) {
    const timespec times[2] = {{0, UTIME_OMIT}, *mtime};  // atime left alone
    if (::futimens(fd, times) != 0) s = FileError("set the mtime of", temp);
  }
  if (s.ok() && ::fsync(fd) != 0) s = FileError("fsync", temp);
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0) s = FileError("rename", temp);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return FsyncDir(dir);
}

Status TruncateDurably(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return FileError("open", path);
  Status s;
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) s = FileError("truncate", path);
  if (s.ok() && ::fsync(fd) != 0) s = FileError("fsync", path);
  ::close(fd);
  return s;
}

}  // namespace sluice::ledger_internal
