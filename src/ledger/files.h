#pragma once
//! Small POSIX file helpers for the ledger's durable writes, private to src/ledger.
//! Each returns a kIOError whose message names the path and the OS error.

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sluice::ledger_internal {

//! "cannot <what> <path>: <strerror(errno)>", from the current errno.
Status FileError(std::string_view what, const std::string& path);
//! write() until all of `data` is written (retrying EINTR and short writes).
Status WriteAll(int fd, std::string_view data, const std::string& path);
//! fsync of a directory, so entries created, renamed or removed in it are durable.
Status FsyncDir(const std::string& dir);
//! Writes `dir/name` atomically and durably: a temp file, fsync, rename, fsync of dir.
//! With `mtime`, the file's mtime is set to it before the fsync.
Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view text,
                        std::optional<timespec> mtime = std::nullopt);
//! Cuts `path` to `size` bytes and fsyncs it.
Status TruncateDurably(const std::string& path, uint64_t size);

}  // namespace sluice::ledger_internal
