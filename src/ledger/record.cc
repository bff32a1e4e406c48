#include "ledger/record.h"

#include <limits>

#include <fmt/format.h>

#include "ledger/coding.h"

namespace sluice {

using ledger_internal::GetVarint;
using ledger_internal::kMaxVarintBytes;
using ledger_internal::PutVarint;
using ledger_internal::UnZigZag;
using ledger_internal::VarintStatus;
using ledger_internal::ZigZag;

namespace {

char* PutString(char* p, std::string_view s) {
  p = PutVarint(p, s.size());
  s.copy(p, s.size());
  return p + s.size();
}

// Deltas are taken in unsigned arithmetic, so any int64 sequence (even one that wraps)
// round-trips; sorted snowflakes give small deltas.
char* PutIds(char* p, const std::vector<Id>& ids) {
  p = PutVarint(p, ids.size());
  uint64_t prev = 0;
  for (Id id : ids) {
    uint64_t u = static_cast<uint64_t>(id);
    p = PutVarint(p, ZigZag(static_cast<int64_t>(u - prev)));
    prev = u;
  }
  return p;
}

// Reads fields in order; the first failure is kept, naming the field and the byte offset.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : begin_(bytes.data()), p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool Varint(const char* field, uint64_t* v) {
    if (!error_.empty()) return false;
    const char* at = p_;
    switch (GetVarint(&p_, end_, v)) {
      case VarintStatus::kOk:
        return true;
      case VarintStatus::kTruncated:
        return Fail(field, at, "truncated");
      case VarintStatus::kOverlong:
        return Fail(field, at, "overlong varint");
    }
    return false;
  }

  template <typename T>
  bool Small(const char* field, T* v) {
    const char* at = p_;
    uint64_t u = 0;
    if (!Varint(field, &u)) return false;
    if (u > static_cast<uint64_t>(std::numeric_limits<T>::max()))
      return Fail(field, at, fmt::format("value {} out of range", u));
    *v = static_cast<T>(u);
    return true;
  }

  bool String(const char* field, std::string* s) {
    const char* at = p_;
    uint64_t n = 0;
    if (!Varint(field, &n)) return false;
    if (n > Remaining()) return Fail(field, at, fmt::format("length {} is longer than the {} bytes left", n, Remaining()));
    s->assign(p_, n);
    p_ += n;
    return true;
  }

  bool Ids(const char* field, std::vector<Id>* ids) {
    const char* at = p_;
    uint64_t n = 0;
    if (!Varint(field, &n)) return false;
    // Each id takes at least one byte: this bounds the allocation by the input size.
    if (n > Remaining()) return Fail(field, at, fmt::format("count {} is more than the {} bytes left", n, Remaining()));
    ids->resize(n);
    uint64_t prev = 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t z = 0;
      if (!Varint(field, &z)) return false;
      prev += static_cast<uint64_t>(UnZigZag(z));
      (*ids)[i] = static_cast<Id>(prev);
    }
    return true;
  }

  bool Fail(const char* field, const char* at, std::string_view why) {
    if (error_.empty()) error_ = fmt::format("ledger record: field {} at byte {}: {}", field, at - begin_, why);
    return false;
  }

  void Skip(size_t n) { p_ += n; }
  uint64_t Remaining() const { return static_cast<uint64_t>(end_ - p_); }
  const char* position() const { return p_; }
  const std::string& error() const { return error_; }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::string error_;
};

}  // namespace

uint8_t RecordVersion(const LedgerRecord& record) {
  if (!record.channel.empty()) return kLedgerRecordVersionNotice;
  if (record.authorizing_user_id != 0) return kLedgerRecordVersionAuthorized;
  return record.count == 1 ? kLedgerRecordVersion : kLedgerRecordVersionCounted;
}

void AppendRecordHead(uint64_t seq, uint8_t version, std::string* out) {
  char buf[1 + kMaxVarintBytes];
  buf[0] = static_cast<char>(version);
  char* end = PutVarint(buf + 1, seq);
  out->append(buf, end);
}

void AppendRecordBody(const LedgerRecord& r, std::string* out) {
  // One resize to an upper bound, then raw writes; the string shrinks back at the end.
  size_t bound = 14 * kMaxVarintBytes + r.use.size() + r.endpoint.size() + r.request_id.size() + r.channel.size() +
                 kMaxVarintBytes * (r.post_ids.size() + r.user_ids.size());
  size_t start = out->size();
  out->resize(start + bound);
  char* p = out->data() + start;
  p = PutVarint(p, static_cast<uint64_t>(r.time));
  p = PutVarint(p, r.node_id);
  p = PutVarint(p, static_cast<uint64_t>(r.app_id));
  p = PutVarint(p, static_cast<uint64_t>(r.project_id));
  p = PutString(p, r.use);
  p = PutString(p, r.endpoint);
  p = PutVarint(p, r.status);
  p = PutIds(p, r.post_ids);
  p = PutIds(p, r.user_ids);
  p = PutString(p, r.request_id);
  p = PutVarint(p, r.response_bytes);
  const uint8_t version = RecordVersion(r);
  if (version != kLedgerRecordVersion) p = PutVarint(p, r.count);
  if (version >= kLedgerRecordVersionAuthorized) p = PutVarint(p, static_cast<uint64_t>(r.authorizing_user_id));
  if (version == kLedgerRecordVersionNotice) p = PutString(p, r.channel);
  out->resize(static_cast<size_t>(p - out->data()));
}

std::string EncodeRecord(const LedgerRecord& record) {
  std::string out;
  AppendRecordHead(record.seq, RecordVersion(record), &out);
  AppendRecordBody(record, &out);
  return out;
}

namespace {

// The version byte into *version; on success the reader stands at the seq field.
bool CheckVersion(std::string_view bytes, Reader* in, uint8_t* version) {
  if (bytes.empty()) return in->Fail("version", bytes.data(), "truncated");
  *version = static_cast<uint8_t>(bytes[0]);
  if (*version != kLedgerRecordVersion && *version != kLedgerRecordVersionCounted &&
      *version != kLedgerRecordVersionAuthorized && *version != kLedgerRecordVersionNotice)
    return in->Fail("version", bytes.data(), fmt::format("unknown version {}", *version));
  in->Skip(1);
  return true;
}

}  // namespace

Result<uint64_t> PeekRecordSeq(std::string_view bytes) {
  Reader in(bytes);
  uint64_t seq = 0;
  uint8_t version = 0;
  if (!CheckVersion(bytes, &in, &version) || !in.Varint("seq", &seq)) return InternalError(in.error());
  return seq;
}

Result<LedgerRecord> DecodeRecord(std::string_view bytes) {
  Reader in(bytes);
  LedgerRecord r;
  uint64_t time = 0, app_id = 0, project_id = 0;
  uint8_t version = 0;
  bool ok = CheckVersion(bytes, &in, &version) && in.Varint("seq", &r.seq) && in.Varint("time", &time) &&
            in.Small("node_id", &r.node_id) && in.Varint("app_id", &app_id) && in.Varint("project_id", &project_id) &&
            in.String("use", &r.use) && in.String("endpoint", &r.endpoint) && in.Small("status", &r.status) &&
            in.Ids("post_ids", &r.post_ids) && in.Ids("user_ids", &r.user_ids) &&
            in.String("request_id", &r.request_id) && in.Varint("response_bytes", &r.response_bytes);
  if (ok && version == kLedgerRecordVersionCounted) {
    const char* at = in.position();
    ok = in.Varint("count", &r.count) &&
         (r.count >= 2 || in.Fail("count", at, fmt::format("{} in a version 2 record (one request is version 1)", r.count)));
  }
  if (ok && version == kLedgerRecordVersionAuthorized) {
    // Any count of one or more, then the user: never 0 (that record has a version 1 or 2 encoding).
    const char* at = in.position();
    uint64_t user = 0;
    ok = in.Varint("count", &r.count) && (r.count >= 1 || in.Fail("count", at, "0 in a version 3 record"));
    at = in.position();
    ok = ok && in.Varint("authorizing_user_id", &user) &&
         (user != 0 || in.Fail("authorizing_user_id", at, "0 in a version 3 record (it has a version 1 or 2 encoding)"));
    r.authorizing_user_id = static_cast<Id>(user);
  }
  if (ok && version == kLedgerRecordVersionNotice) {
    // A notice: any count of one or more, any user (0: an app token), and a channel.
    const char* at = in.position();
    uint64_t user = 0;
    ok = in.Varint("count", &r.count) && (r.count >= 1 || in.Fail("count", at, "0 in a version 4 record"));
    ok = ok && in.Varint("authorizing_user_id", &user);
    r.authorizing_user_id = static_cast<Id>(user);
    at = in.position();
    ok = ok && in.String("channel", &r.channel) &&
         (!r.channel.empty() || in.Fail("channel", at, "empty in a version 4 record (it has an older encoding)"));
  }
  if (ok && in.Remaining() > 0)
    ok = in.Fail("(end)", in.position(), fmt::format("{} trailing bytes", in.Remaining()));
  if (!ok) return InternalError(in.error());
  r.time = static_cast<TimeMs>(time);
  r.app_id = static_cast<Id>(app_id);
  r.project_id = static_cast<Id>(project_id);
  return r;
}

}  // namespace sluice
