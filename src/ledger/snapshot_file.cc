#include "ledger/snapshot_file.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "core/parse.h"
#include "core/sha256.h"
#include "ledger/coding.h"
#include "ledger/files.h"
#include "ledger/ledger_files.h"
#include "ledger/tools_internal.h"

namespace sluice {

namespace fs = std::filesystem;
using ledger_internal::LoadLe32;
using ledger_internal::StoreLe32;

namespace {

constexpr std::string_view kMagic = "SLUICESN";
constexpr uint32_t kVersion = 1;
constexpr std::string_view kOriginSuffix = "/usage-snapshot";
constexpr size_t kHeaderBytes = 16;                // magic, version, note length
constexpr size_t kBindingBytes = 8 + 32 + 8 + 8;  // size, root, segment first seq, offset

void PutU64(uint64_t v, std::string& out) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char(v >> (8 * i));
  out.append(b, 8);
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(uint8_t(p[i])) << (8 * i);
  return v;
}

std::string FileName(uint64_t size) { return fmt::format("{:020}.snap", size); }

Hash DigestOf(std::string_view rest) {
  const Sha256Digest d = Sha256({rest});
  Hash h;
  std::copy(d.begin(), d.end(), h.begin());
  return h;
}

}  // namespace

Status WriteSnapshot(const std::string& ledger_dir, const Signer& signer, const std::string& origin,
                     const SnapshotBinding& binding, std::string_view body) {
  std::string rest;
  rest.reserve(kBindingBytes + body.size());
  PutU64(binding.size, rest);
  rest.append(reinterpret_cast<const char*>(binding.root.data()), binding.root.size());
  uint64_t segment_first = 0;
  if (!binding.next.segment.empty()) {
    // "seg-<20 digits>.log": the first seq is the name's number.
    const auto parsed = ParseInt<uint64_t>(std::string_view(binding.next.segment).substr(4, 20));
    if (!parsed.ok()) return InternalError("usage snapshot: not a segment name: " + binding.next.segment);
    segment_first = parsed.value;
  }
  PutU64(segment_first, rest);
  PutU64(binding.next.segment.empty() ? 0 : binding.next.offset, rest);
  rest.append(body);
  auto note = signer.Sign(Checkpoint{origin + std::string(kOriginSuffix), binding.size, DigestOf(rest)});
  if (!note.ok()) return note.status();
  std::string file(kMagic);
  char word[4];
  StoreLe32(kVersion, word);
  file.append(word, 4);
  StoreLe32(uint32_t(note->size()), word);
  file.append(word, 4);
  file += *note;
  file += rest;
  const std::string dir = UsageSnapshotDir(ledger_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError(fmt::format("ledger: cannot create {}: {}", dir, ec.message()));
  return ledger_internal::WriteFileDurably(dir, FileName(binding.size), file);
}

std::vector<uint64_t> ListSnapshots(const std::string& ledger_dir) {
  std::vector<uint64_t> sizes;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(UsageSnapshotDir(ledger_dir), ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 20 + 5 || !name.ends_with(".snap")) continue;
    const auto size = ParseInt<uint64_t>(std::string_view(name).substr(0, 20));
    if (size.ok() && name[0] != '-') sizes.push_back(size.value);
  }
  std::sort(sizes.rbegin(), sizes.rend());
  return sizes;
}

Result<Snapshot> ReadSnapshot(const std::string& ledger_dir, uint64_t size) {
  const std::string path = UsageSnapshotDir(ledger_dir) + "/" + FileName(size);
  auto bad = [&](std::string_view why) { return Corruption(fmt::format("usage snapshot {}: {}", path, why)); };
  auto file = ledger_internal::ReadFile(path);
  if (!file.ok()) return bad("cannot be read");
  std::string_view f = *file;
  if (f.size() < kHeaderBytes || !f.starts_with(kMagic)) return bad("not a usage snapshot (no SLUICESN header)");
  if (LoadLe32(f.data() + 8) != kVersion) return bad("not format version 1");
  const uint32_t note_bytes = LoadLe32(f.data() + 12);
  if (f.size() - kHeaderBytes < uint64_t(note_bytes) + kBindingBytes) return bad("cut short");
  const std::string_view note = f.substr(kHeaderBytes, note_bytes);
  const std::string_view rest = f.substr(kHeaderBytes + note_bytes);
  auto vkey = ledger_internal::ReadFile(VerifierKeyPath(ledger_dir));
  if (!vkey.ok()) return bad("the ledger's verifier key cannot be read");
  std::string key = *vkey;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  auto signed_over = VerifyCheckpoint(note, key);
  if (!signed_over.ok()) return bad("its signature does not verify: " + signed_over.status().message());
  if (!signed_over->origin.ends_with(kOriginSuffix)) return bad("its note is not a usage snapshot's");
  if (signed_over->root != DigestOf(rest)) return bad("its contents are not what was signed");

  Snapshot s;
  s.binding.size = GetU64(rest.data());
  std::memcpy(s.binding.root.data(), rest.data() + 8, 32);
  const uint64_t segment_first = GetU64(rest.data() + 40);
  const uint64_t offset = GetU64(rest.data() + 48);
  if (s.binding.size != size || signed_over->size != size) return bad("its size is not its name's");
  if (offset != 0) s.binding.next = {SegmentFileName(segment_first), offset, size};
  else s.binding.next.seq = size;

  // Bound to the checkpoint of the same size: the records it reflects are the ledger's.
  auto signed_checkpoint = ReadCheckpoint(ledger_dir, size);
  if (!signed_checkpoint.ok()) return bad(signed_checkpoint.status().message());
  if (signed_checkpoint->root != s.binding.root)
    return bad(fmt::format("it is not of this ledger's records (the checkpoint of {} records signs another root)", size));
  s.body = std::string(rest.substr(kBindingBytes));
  return s;
}

Result<Checkpoint> ReadCheckpoint(const std::string& ledger_dir, uint64_t size) {
  auto vkey = ledger_internal::ReadFile(VerifierKeyPath(ledger_dir));
  if (!vkey.ok()) return Corruption("the ledger's verifier key cannot be read");
  std::string key = *vkey;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  auto text = ledger_internal::ReadFile(fmt::format("{}/{:020}.note", CheckpointDir(ledger_dir), size));
  if (!text.ok()) return Corruption(fmt::format("no checkpoint of {} records", size));
  auto checkpoint = VerifyCheckpoint(*text, key);
  if (!checkpoint.ok() || checkpoint->size != size)
    return Corruption(fmt::format("the checkpoint of {} records does not verify", size));
  return checkpoint;
}

void PruneSnapshots(const std::string& ledger_dir, size_t keep) {
  const std::string dir = UsageSnapshotDir(ledger_dir);
  const std::vector<uint64_t> sizes = ListSnapshots(ledger_dir);
  std::error_code ec;
  for (size_t i = keep; i < sizes.size(); ++i) fs::remove(dir + "/" + FileName(sizes[i]), ec);
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".tmp") fs::remove(e.path(), ec);
}

}  // namespace sluice
