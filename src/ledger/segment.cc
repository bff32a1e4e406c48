#include "ledger/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/parse.h"
#include "ledger/coding.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sluice {

using ledger_internal::LoadLe32;
using ledger_internal::StoreLe32;

namespace {

// ---- CRC32C ----------------------------------------------------------------------------

constexpr uint32_t kCastagnoliReversed = 0x82F63B78;

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
struct CrcTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr CrcTables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kCastagnoliReversed : 0);
      t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; ++b)
      for (int k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
};
constexpr CrcTables kCrcTables;

uint64_t LoadLe64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // x86 and the other targets we build for are little-endian
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(std::string_view data, uint32_t crc) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, LoadLe64(p));
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, static_cast<uint8_t>(*p));
  return ~c32;
}

bool HaveSse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#endif

// ---- Reading segments -----------------------------------------------------------------

constexpr size_t kReadBufferBytes = 1 << 20;

Status Damage(const LedgerPosition& at, std::string_view why) {
  return Corruption(fmt::format("ledger damaged at {}: {}", at.ToString(), why));
}

// Sequential reads through a buffer that grows only as far as the largest frame needs.
class FileReader {
 public:
  FileReader() = default;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  ~FileReader() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) return Error("open");
    size_ = static_cast<uint64_t>(st.st_size);
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    // No bigger than the file: a small segment costs a small buffer.
    buf_.resize(std::clamp<uint64_t>(size_, kSegmentHeaderBytes, kReadBufferBytes));
    return Status::Ok();
  }

  uint64_t size() const { return size_; }
  //! Reads from `offset` on (the buffered bytes are dropped).
  Status Seek(uint64_t offset) {
    if (::lseek(fd_, off_t(offset), SEEK_SET) < 0) return Error("seek in");
    pos_ = end_ = 0;
    eof_ = false;
    return Status::Ok();
  }
  const char* data() const { return buf_.data() + pos_; }
  void Consume(size_t n) { pos_ += n; }

  // Makes `n` bytes available at data() unless the file ends first; returns how many are.
  Result<size_t> Fill(size_t n) {
    if (end_ - pos_ < n && !eof_) {
      if (pos_ + n > buf_.size()) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
        if (n > buf_.size()) buf_.resize(n);
      }
      while (end_ - pos_ < n && !eof_) {
        ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return Error("read");
        if (got == 0) eof_ = true;
        end_ += static_cast<size_t>(got);
      }
    }
    return std::min(n, end_ - pos_);
  }

  // True when every byte from data() to the end of the file is zero. Consumes them.
  Result<bool> RestIsZero() {
    while (true) {
      auto got = Fill(buf_.size());
      if (!got.ok()) return got.status();
      if (*got == 0) return true;
      if (std::any_of(data(), data() + *got, [](char c) { return c != 0; })) return false;
      Consume(*got);
    }
  }

 private:
  Status Error(const char* what) const {
    return IOError(fmt::format("ledger: cannot {} {}: {}", what, path_, std::strerror(errno)));
  }

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

using Visit = std::function<Status(const LedgerPosition&, std::string_view payload)>;

// What ends a scan quietly: nothing, a torn tail of the last segment, or (repair) anything.
enum class TailMode { kStrict, kTorn, kAnyDamage };

// Where a scan begins and ends (ScanSegmentsFrom); the default is every record.
struct ScanRange {
  uint64_t first_seq = 0;     // records before it are read (to find it) but not visited
  uint64_t start_offset = 0;  // in the first segment read: the frame of first_seq, or 0
  uint64_t end_seq = UINT64_MAX;
};

// Scans one segment. `may_tear`: a torn tail (or, kAnyDamage, any damage) ends it quietly.
Status ScanSegment(const std::string& dir, const SegmentFile& segment, TailMode mode, const Visit& visit,
                   ScanResult* result, const ScanRange& range = {}) {
  const bool may_tear = mode != TailMode::kStrict;
  FileReader in;
  if (Status s = in.Open(dir + "/" + segment.name); !s.ok()) return s;
  LedgerPosition pos{segment.name, 0, result->records};

  // Whatever is wrong at `pos`: a torn tail if allowed and plausible, else damage.
  // `file_ends`: the file ended inside the header or frame, the shape a crash leaves.
  auto bad = [&](std::string_view why, bool file_ends) -> Status {
    if (may_tear) {
      bool torn = file_ends || mode == TailMode::kAnyDamage;
      if (!torn) {
        auto zero = in.RestIsZero();
        if (!zero.ok()) return zero.status();
        torn = *zero;
      }
      if (torn) {
        result->torn = true;
        result->torn_at = pos;
        result->torn_bytes = in.size() - pos.offset;
        result->why = why;
        return Status::Ok();
      }
    }
    return Damage(pos, why);
  };

  auto got = in.Fill(kSegmentHeaderBytes);
  if (!got.ok()) return got.status();
  if (*got < kSegmentHeaderBytes) return bad("the segment header is cut short", true);
  if (std::string_view(in.data(), kSegmentMagic.size()) != kSegmentMagic ||
      LoadLe32(in.data() + 8) != kSegmentVersion)
    return bad("not a version 1 segment header", false);
  in.Consume(kSegmentHeaderBytes);
  pos.offset = kSegmentHeaderBytes;
  if (range.start_offset > kSegmentHeaderBytes) {
    if (range.start_offset > in.size()) return Damage(pos, fmt::format("no record at offset {}", range.start_offset));
    if (Status s = in.Seek(range.start_offset); !s.ok()) return s;
    pos.offset = range.start_offset;
    pos.seq = result->records = range.first_seq;  // checked against the frame's seq below
  }

  while (true) {
    result->end = pos;
    if (pos.seq >= range.end_seq) return Status::Ok();
    got = in.Fill(kFrameHeaderBytes);
    if (!got.ok()) return got.status();
    if (*got == 0) return Status::Ok();
    if (*got < kFrameHeaderBytes) return bad("the frame header is cut short", true);
    uint32_t length = LoadLe32(in.data());
    uint32_t stored_crc = LoadLe32(in.data() + 4);
    if (length > kMaxPayloadBytes) return bad(fmt::format("frame length {} is over the limit", length), false);
    size_t frame = kFrameHeaderBytes + length;
    // Said before reading: a damaged length must not make us buffer 16 MB of a small file.
    if (frame > in.size() - pos.offset)
      return bad(fmt::format("the {}-byte frame runs past the end of the segment ({} bytes left)", frame,
                             in.size() - pos.offset),
                 true);
    got = in.Fill(frame);
    if (!got.ok()) return got.status();
    if (*got < frame)
      return bad(fmt::format("the {}-byte frame runs past the end of the segment ({} bytes left)", frame, *got), true);
    std::string_view payload(in.data() + kFrameHeaderBytes, length);
    uint32_t crc = Crc32c(payload);
    if (crc != stored_crc)
      return bad(fmt::format("CRC mismatch (stored {:08x}, computed {:08x})", stored_crc, crc), false);
    auto seq = PeekRecordSeq(payload);
    if (!seq.ok()) return bad(seq.status().message(), false);
    if (*seq != pos.seq) return bad(fmt::format("the frame holds record {}", *seq), false);
    if (mode == TailMode::kAnyDamage)  // repair keeps only records every reader can decode
      if (auto record = DecodeRecord(payload); !record.ok()) return bad(record.status().message(), false);
    if (pos.seq >= range.first_seq)
      if (Status s = visit(pos, payload); !s.ok()) return s;
    in.Consume(frame);
    pos.offset += frame;
    ++pos.seq;
    ++result->records;
  }
}

}  // namespace

uint32_t Crc32cPortable(std::string_view data, uint32_t crc) {
  const auto& t = kCrcTables.t;
  const char* p = data.data();
  size_t n = data.size();
  uint32_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v = LoadLe64(p) ^ c;
    c = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
        t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ t[0][(c ^ static_cast<uint8_t>(*p)) & 0xff];
  return ~c;
}

uint32_t Crc32c(std::string_view data, uint32_t crc) {
#if defined(__x86_64__)
  static const bool have_sse42 = HaveSse42();
  if (have_sse42) return Crc32cSse42(data, crc);
#endif
  return Crc32cPortable(data, crc);
}

std::string LedgerPosition::ToString() const {
  return fmt::format("{} offset {} (record {})", segment, offset, seq);
}

std::string SegmentFileName(uint64_t first_seq) { return fmt::format("seg-{:020}.log", first_seq); }

std::string SegmentHeader() {
  std::string header(kSegmentMagic);
  header.resize(kSegmentHeaderBytes, '\0');
  StoreLe32(kSegmentVersion, header.data() + 8);
  return header;
}

void AppendFrame(std::string_view payload, std::string* out) {
  char header[kFrameHeaderBytes];
  StoreLe32(static_cast<uint32_t>(payload.size()), header);
  StoreLe32(Crc32c(payload), header + 4);
  out->append(header, kFrameHeaderBytes);
  out->append(payload);
}

Result<std::vector<SegmentFile>> ListSegments(const std::string& dir) {
  std::error_code ec;
  std::vector<SegmentFile> segments;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    constexpr std::string_view kPrefix = "seg-", kSuffix = ".log";
    if (name.size() != kPrefix.size() + 20 + kSuffix.size() || !name.starts_with(kPrefix) || !name.ends_with(kSuffix))
      continue;
    const char* digits = name.data() + kPrefix.size();
    const auto first_seq = ParseInt<uint64_t>(std::string_view(digits, 20));
    if (!first_seq.ok() || digits[0] == '-') continue;
    segments.push_back(SegmentFile{first_seq.value, name});
  }
  if (ec) return InternalError(fmt::format("ledger: cannot list {}: {}", dir, ec.message()));
  std::sort(segments.begin(), segments.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_seq < b.first_seq; });
  return segments;
}

namespace {

Result<ScanResult> Scan(const std::string& dir, bool tail_ok, bool any_damage, const Visit& visit,
                        const ScanRange& range = {}) {
  auto segments = ListSegments(dir);
  if (!segments.ok()) return segments.status();
  ScanResult result;
  // The segment holding first_seq: the last that starts at or before it.
  size_t first = 0;
  while (first + 1 < segments->size() && (*segments)[first + 1].first_seq <= range.first_seq) ++first;
  if (first < segments->size()) result.records = std::min((*segments)[first].first_seq, range.first_seq);
  for (size_t i = first; i < segments->size() && result.records < range.end_seq; ++i) {
    const SegmentFile& segment = (*segments)[i];
    if (result.torn) {  // only with any_damage: nothing after the damage counts
      result.later_segments.push_back(segment.name);
      continue;
    }
    if (segment.first_seq != result.records) {
      std::string why =
          fmt::format("the segment starts at record {}, not where the segments before it end", segment.first_seq);
      if (!any_damage) return Damage({segment.name, 0, result.records}, why);
      std::error_code ec;
      result.torn = true;
      result.torn_at = {segment.name, 0, result.records};
      result.torn_bytes = std::filesystem::file_size(dir + "/" + segment.name, ec);
      result.why = why;
      continue;
    }
    bool last = i + 1 == segments->size();
    TailMode mode = any_damage ? TailMode::kAnyDamage : tail_ok && last ? TailMode::kTorn : TailMode::kStrict;
    ScanRange in_segment = range;
    if (i != first) in_segment.start_offset = 0;
    if (Status s = ScanSegment(dir, segment, mode, visit, &result, in_segment); !s.ok()) return s;
  }
  return result;
}

}  // namespace

Result<ScanResult> ScanSegments(const std::string& dir, bool tail_ok, const Visit& visit) {
  return Scan(dir, tail_ok, false, visit);
}

Result<ScanResult> ScanSegmentsFrom(const std::string& dir, const LedgerPosition& from, uint64_t end_seq,
                                    const Visit& visit) {
  ScanRange range{from.seq, 0, end_seq};
  if (from.segment.empty()) return Scan(dir, true, false, visit, range);
  // Only the segment named by `from` may start at its offset: a name that is not the one
  // holding from.seq (segments removed or renamed) falls back to reading that one through.
  auto segments = ListSegments(dir);
  if (!segments.ok()) return segments.status();
  for (size_t i = 0; i < segments->size(); ++i) {
    const SegmentFile& s = (*segments)[i];
    const bool holds = s.first_seq <= from.seq && (i + 1 == segments->size() || (*segments)[i + 1].first_seq > from.seq);
    if (s.name == from.segment && holds) range.start_offset = from.offset;
  }
  return Scan(dir, true, false, visit, range);
}

Result<ScanResult> ScanSegmentsToDamage(const std::string& dir, const Visit& visit) {
  return Scan(dir, true, true, visit);
}

Result<ScanResult> VerifySegments(const std::string& dir) {
  return ScanSegments(dir, false, [](const LedgerPosition& at, std::string_view payload) -> Status {
    auto record = DecodeRecord(payload);
    if (!record.ok()) return Damage(at, record.status().message());
    return Status::Ok();
  });
}

}  // namespace sluice
