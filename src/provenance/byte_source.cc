#include "provenance/byte_source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

namespace sluice {
namespace {

constexpr size_t kInputBufferSize = size_t{1} << 20;
constexpr size_t kMinFreeSpace = size_t{64} << 10;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A file descriptor that counts what it reads.
class File {
 public:
  explicit File(int fd) : fd_(fd) {}
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Reads up to `n` bytes; 0 at end of file; -1 with errno on error.
  ssize_t Read(char* out, size_t n) {
    for (;;) {
      ssize_t r = ::read(fd_, out, n);
      if (r < 0 && errno == EINTR) continue;
      if (r > 0) bytes_ += uint64_t(r);
      return r;
    }
  }
  uint64_t bytes() const { return bytes_; }

 private:
  int fd_;
  uint64_t bytes_ = 0;
};

Status ReadError(const std::string& path, uint64_t offset, int err) {
  return CommandError(path + ": read error at offset " + std::to_string(offset) + ": " +
                      strerror(err));
}

class PlainSource : public ByteSource {
 public:
  PlainSource(std::string path, int fd) : path_(std::move(path)), file_(fd) {}
  Result<size_t> Read(char* out, size_t capacity) override {
    ssize_t r = file_.Read(out, capacity);
    if (r < 0) return ReadError(path_, file_.bytes(), errno);
    return size_t(r);
  }
  uint64_t disk_bytes() const override { return file_.bytes(); }

 private:
  std::string path_;
  File file_;
};

// gzip or zlib (inflateInit2 with 15+32 detects either); concatenated members are read as one
// stream, as gzip(1) does.
class GzipSource : public ByteSource {
 public:
  GzipSource(std::string path, int fd)
      : path_(std::move(path)), file_(fd), in_(new char[kInputBufferSize]) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = inflateInit2(&z_, 15 + 32) == Z_OK;
  }
  ~GzipSource() override {
    if (ok_) inflateEnd(&z_);
  }

  Result<size_t> Read(char* out, size_t capacity) override {
    if (!ok_) return CommandError(path_ + ": cannot initialise zlib");
    for (;;) {
      if (z_.avail_in == 0 && !eof_) {
        ssize_t r = file_.Read(in_.get(), kInputBufferSize);
        if (r < 0) return ReadError(path_, file_.bytes(), errno);
        if (r == 0) eof_ = true;
        z_.next_in = reinterpret_cast<Bytef*>(in_.get());
        z_.avail_in = uInt(r);
      }
      if (z_.avail_in == 0 && eof_) {
        if (in_member_) return Error("truncated gzip data");
        return size_t{0};
      }
      if (member_done_) {  // another member follows
        inflateReset(&z_);
        member_done_ = false;
      }
      in_member_ = true;
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = uInt(std::min<size_t>(capacity, 1u << 30));
      uInt before = z_.avail_out;
      int ret = inflate(&z_, Z_NO_FLUSH);
      size_t produced = before - z_.avail_out;
      if (ret == Z_STREAM_END) {
        in_member_ = false;
        member_done_ = true;
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        return Error(std::string("corrupt gzip data (") + (z_.msg ? z_.msg : "zlib error") + ")");
      }
      if (produced > 0) return produced;
    }
  }
  uint64_t disk_bytes() const override { return file_.bytes(); }

 private:
  Status Error(const std::string& why) const {
    uint64_t offset = file_.bytes() - z_.avail_in;
    return CommandError(path_ + ": " + why + " at offset " + std::to_string(offset));
  }

  std::string path_;
  File file_;
  std::unique_ptr<char[]> in_;
  z_stream z_;
  bool ok_ = false;
  bool eof_ = false;
  bool in_member_ = false;
  bool member_done_ = false;
};

// zstd streaming; consecutive frames are read as one stream, as zstd(1) does.
class ZstdSource : public ByteSource {
 public:
  ZstdSource(std::string path, int fd)
      : path_(std::move(path)), file_(fd), in_(new char[kInputBufferSize]),
        dctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* out, size_t capacity) override {
    if (!dctx_) return CommandError(path_ + ": cannot initialise zstd");
    for (;;) {
      if (in_buf_.pos == in_buf_.size && !eof_) {
        ssize_t r = file_.Read(in_.get(), kInputBufferSize);
        if (r < 0) return ReadError(path_, file_.bytes(), errno);
        if (r == 0) eof_ = true;
        in_buf_ = {in_.get(), size_t(r), 0};
      }
      size_t pos_before = in_buf_.pos;
      ZSTD_outBuffer out_buf{out, capacity, 0};
      size_t ret = ZSTD_decompressStream(dctx_, &out_buf, &in_buf_);
      if (ZSTD_isError(ret)) {
        return Error(std::string("corrupt zstd data (") + ZSTD_getErrorName(ret) + ")");
      }
      // With no input consumed and no output made, `ret` is only a hint for the next frame.
      if (ret == 0) {
        in_frame_ = false;
      } else if (in_buf_.pos > pos_before || out_buf.pos > 0) {
        in_frame_ = true;
      }
      if (out_buf.pos > 0) return out_buf.pos;
      if (in_buf_.pos == in_buf_.size && eof_) {
        if (in_frame_) return Error("truncated zstd data");
        return size_t{0};
      }
    }
  }
  uint64_t disk_bytes() const override { return file_.bytes(); }

 private:
  Status Error(const std::string& why) const {
    uint64_t offset = file_.bytes() - (in_buf_.size - in_buf_.pos);
    return CommandError(path_ + ": " + why + " at offset " + std::to_string(offset));
  }

  std::string path_;
  File file_;
  std::unique_ptr<char[]> in_;
  ZSTD_DCtx* dctx_;
  ZSTD_inBuffer in_buf_{nullptr, 0, 0};
  bool eof_ = false;
  bool in_frame_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return CommandError(path + ": cannot open: " + strerror(errno));
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  std::unique_ptr<ByteSource> source;
  if (EndsWith(lower, ".gz")) {
    source = std::make_unique<GzipSource>(path, fd);
  } else if (EndsWith(lower, ".zst")) {
    source = std::make_unique<ZstdSource>(path, fd);
  } else {
    source = std::make_unique<PlainSource>(path, fd);
  }
  return source;
}

LineReader::LineReader(ByteSource& source, std::function<void(uint64_t)> progress,
                       uint64_t progress_step)
    : source_(source), progress_(std::move(progress)), progress_step_(progress_step),
      next_progress_(progress_step), buf_(new char[kBufferSize]) {}

Status LineReader::Next(std::string_view& line, bool& has_line) {
  for (;;) {
    const char* base = buf_.get();
    const void* nl = scan_ < end_ ? std::memchr(base + scan_, '\n', end_ - scan_) : nullptr;
    size_t line_end;
    if (nl != nullptr) {
      line_end = size_t(static_cast<const char*>(nl) - base);
      line = std::string_view(base + begin_, line_end - begin_);
      begin_ = scan_ = line_end + 1;
    } else if (eof_) {
      if (begin_ == end_) {
        has_line = false;
        return Status::Ok();
      }
      line = std::string_view(base + begin_, end_ - begin_);
      begin_ = scan_ = end_;
    } else {
      scan_ = end_;
      if (Status s = Refill(); !s.ok()) return s;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number_;
    has_line = true;
    return Status::Ok();
  }
}

Status LineReader::NextLines(std::string_view& lines, bool& has_lines) {
  for (;;) {
    char* base = buf_.get();
    const void* nl = scan_ < end_ ? memrchr(base + scan_, '\n', end_ - scan_) : nullptr;
    size_t lines_end;
    if (nl != nullptr) {
      lines_end = size_t(static_cast<const char*>(nl) - base) + 1;
    } else if (eof_) {
      if (begin_ == end_) {
        has_lines = false;
        return Status::Ok();
      }
      base[end_] = '\n';  // Refill leaves free space after the data
      lines_end = end_ + 1;
      end_ = lines_end;
    } else {
      scan_ = end_;
      if (Status s = Refill(); !s.ok()) return s;
      continue;
    }
    lines = std::string_view(base + begin_, lines_end - begin_);
    begin_ = scan_ = lines_end;
    has_lines = true;
    return Status::Ok();
  }
}

Status LineReader::Refill() {
  // Keep the partial line: move it to the front, and grow when it fills the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    scan_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < kMinFreeSpace) {
    size_t bigger = capacity_ * 2;
    std::unique_ptr<char[]> grown(new char[bigger]);
    std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    capacity_ = bigger;
  }
  auto n = source_.Read(buf_.get() + end_, capacity_ - end_);
  if (!n.ok()) return n.status();
  if (*n == 0) eof_ = true;
  end_ += *n;
  uncompressed_ += *n;
  if (progress_ && source_.disk_bytes() >= next_progress_) {
    progress_(source_.disk_bytes());
    next_progress_ = source_.disk_bytes() + progress_step_;
  }
  return Status::Ok();
}

Status ReadAll(ByteSource& source, std::string& out, uint64_t& uncompressed) {
  out.clear();
  size_t size = 0;
  for (;;) {
    if (out.size() - size < kMinFreeSpace) out.resize(std::max(out.size() * 2, kInputBufferSize));
    auto n = source.Read(out.data() + size, out.size() - size);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    size += *n;
    uncompressed += *n;
  }
  out.resize(size);
  return Status::Ok();
}

}  // namespace sluice
