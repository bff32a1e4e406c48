#pragma once
//! ByteSource and LineReader: the byte layer under ReadCorpus. A ByteSource yields the
//! decompressed bytes of one file (plain, gzip or zstd, chosen by extension); a LineReader
//! splits them into lines inside one reusable buffer, so the common case allocates nothing.
//! Internal to the provenance library; not thread-safe (one reader per thread).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sluice {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  //! Writes up to `capacity` decompressed bytes to `out`; 0 means end of file. Errors (I/O,
  //! corrupt or truncated compressed data) are CommandErrors naming the file and offset.
  virtual Result<size_t> Read(char* out, size_t capacity) = 0;
  //! Bytes read from disk so far (the compressed size for .gz / .zst).
  virtual uint64_t disk_bytes() const = 0;
};

//! Opens `path`, decompressing when it ends in .gz or .zst. Fails when it cannot be opened.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);

//! Splits a ByteSource into lines ('\n', with a trailing '\r' removed). The returned view is
//! valid until the next call. A line longer than the buffer grows the buffer (it keeps the
//! largest size seen). The last line need not end in '\n'.
class LineReader {
 public:
  static constexpr size_t kBufferSize = size_t{1} << 20;

  //! `progress`, when set, is called with disk_bytes() every `progress_step` bytes or so.
  LineReader(ByteSource& source, std::function<void(uint64_t)> progress = nullptr,
             uint64_t progress_step = uint64_t{4} << 20);

  //! Sets `line` and `has_line`; `has_line` is false at the end of the input.
  Status Next(std::string_view& line, bool& has_line);
  //! Instead of Next: all the complete lines buffered now (at least one; refills as Next does),
  //! each ending in '\n', '\r' kept; the input's last line gets a '\n' if it has none. They are
  //! consumed, and not counted in line_number() (the caller counts them). `has_lines` is false
  //! at the end of the input.
  Status NextLines(std::string_view& lines, bool& has_lines);
  uint64_t line_number() const { return line_number_; }
  uint64_t uncompressed_bytes() const { return uncompressed_; }

 private:
  Status Refill();

  ByteSource& source_;
  std::function<void(uint64_t)> progress_;
  uint64_t progress_step_;
  uint64_t next_progress_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = kBufferSize;
  size_t begin_ = 0;  // start of the unread data
  size_t scan_ = 0;   // no '\n' in [begin_, scan_)
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t uncompressed_ = 0;
};

//! Reads the rest of `source` into `out` (for whole-file documents, which must be buffered).
Status ReadAll(ByteSource& source, std::string& out, uint64_t& uncompressed);

}  // namespace sluice
