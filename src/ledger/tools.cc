#include "ledger/tools.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger_files.h"
#include "ledger/proof_bundle.h"
#include "ledger/record.h"
#include "ledger/segment.h"

namespace sluice {

namespace fs = std::filesystem;

namespace {

// The persisted tree hashes, read with pread and never written: the server may be
// appending to the same files while a command reads them.
class ReadOnlyTreeHashes final : public TreeHashes {
 public:
  static Result<std::unique_ptr<ReadOnlyTreeHashes>> Open(const std::string& tree_dir) {
    std::unique_ptr<ReadOnlyTreeHashes> t(new ReadOnlyTreeHashes);
    for (int level = 0; level < 64; ++level) {
      int fd = ::open(TreeLevelPath(tree_dir, level).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      t->fds_.push_back(fd);
    }
    if (t->fds_.empty()) return CommandError(tree_dir + ": no tree hashes (is this a ledger directory?)");
    t->size_ = uint64_t(::lseek(t->fds_[0], 0, SEEK_END)) / 32;
    return t;
  }
  ~ReadOnlyTreeHashes() override {
    for (int fd : fds_) ::close(fd);
  }
  uint64_t Size() const override { return size_; }
  Status Append(const Hash&) override { return InternalError("read-only tree"); }
  Status Sync() override { return InternalError("read-only tree"); }
  Status Truncate(uint64_t) override { return InternalError("read-only tree"); }
  Result<Hash> Perfect(int level, uint64_t index) const override {
    Hash h{};
    if (level < 0 || size_t(level) >= fds_.size() || ((index + 1) << level) > size_)
      return CommandError("tree hash level " + std::to_string(level) + " index " + std::to_string(index) + " is missing");
    if (::pread(fds_[size_t(level)], h.data(), 32, off_t(index * 32)) != 32)
      return CommandError("tree hash level " + std::to_string(level) + " index " + std::to_string(index) + " cannot be read");
    return h;
  }

 private:
  ReadOnlyTreeHashes() = default;
  std::vector<int> fds_;
  uint64_t size_ = 0;
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return CommandError(path + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Checkpoint notes in order of tree size.
std::vector<fs::path> CheckpointFiles(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(CheckpointDir(dir), ec))
    if (e.path().extension() == ".note") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

uint64_t SegmentBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".log") total += e.file_size(ec);
  return total;
}

void RecordJson(JsonWriter& w, const LedgerRecord& r) {
  w.BeginObject();
  w.MemberInt("seq", int64_t(r.seq));
  w.Member("time", FormatTime(r.time));
  w.MemberInt("node_id", r.node_id);
  w.MemberId("app_id", r.app_id);
  w.MemberId("project_id", r.project_id);
  w.Member("use", r.use);
  w.Member("endpoint", r.endpoint);
  w.MemberInt("status", r.status);
  w.MemberIdArray("post_ids", r.post_ids);
  w.MemberIdArray("user_ids", r.user_ids);
  w.Member("request_id", r.request_id);
  w.MemberInt("response_bytes", int64_t(r.response_bytes));
  w.EndObject();
}

// Visits every record in order, decoded, with its bytes; progress by bytes.
Result<ScanResult> ForEachRecord(const std::string& dir, const LedgerProgress& progress,
                                 const std::function<Status(const LedgerPosition&, const LedgerRecord&, std::string_view)>& visit) {
  uint64_t total = SegmentBytes(dir), done = 0, since = 0;
  return ScanSegments(dir, /*tail_ok=*/false, [&](const LedgerPosition& pos, std::string_view payload) -> Status {
    auto record = DecodeRecord(payload);
    if (!record.ok()) return CommandError(pos.ToString() + ": " + record.problem().detail);
    if (record->seq != pos.seq)
      return CommandError(pos.ToString() + ": holds record " + std::to_string(record->seq) +
                          " (records missing, added or out of order)");
    done += payload.size() + 8;
    if (progress && (since += payload.size()) > (4 << 20)) {
      progress(done, total);
      since = 0;
    }
    return visit(pos, *record, payload);
  });
}

}  // namespace

Result<VerifyReport> VerifyLedger(const std::string& dir, const LedgerProgress& progress) {
  auto vkey = LedgerPublicKey(dir);
  if (!vkey.ok()) return vkey.problem();
  auto tree = TreeHashes::InMemory();
  std::string last_segment;
  VerifyReport report;
  auto scan = ForEachRecord(dir, progress, [&](const LedgerPosition& pos, const LedgerRecord&, std::string_view payload) {
    if (pos.segment != last_segment) {
      ++report.segments;
      last_segment = pos.segment;
    }
    return tree->Append(LeafHash(payload));
  });
  if (!scan.ok()) return scan.problem();
  report.records = scan->records;
  if (progress) progress(SegmentBytes(dir), SegmentBytes(dir));

  // The persisted hashes serve proofs: each must equal the recomputed one.
  auto stored = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!stored.ok()) return stored.problem();
  if ((*stored)->Size() < report.records)
    return CommandError(TreeDir(dir) + ": tree hashes cover " + std::to_string((*stored)->Size()) + " records, the segments hold " +
                        std::to_string(report.records));
  for (int level = 0; (uint64_t(1) << level) <= report.records; ++level) {
    for (uint64_t i = 0; ((i + 1) << level) <= report.records; ++i) {
      auto want = tree->Perfect(level, i);
      auto got = (*stored)->Perfect(level, i);
      if (!want.ok()) return want.problem();
      if (!got.ok() || *got != *want)
        return CommandError(TreeLevelPath(TreeDir(dir), level) + ": hash " + std::to_string(i) +
                            " differs from the one recomputed from the records");
    }
  }

  uint64_t previous = 0;
  for (const auto& file : CheckpointFiles(dir)) {
    auto note = ReadFile(file.string());
    if (!note.ok()) return note.problem();
    auto cp = VerifyCheckpoint(*note, *vkey);
    if (!cp.ok()) return CommandError(file.string() + ": " + cp.problem().detail);
    if (cp->size > report.records)
      return CommandError(file.string() + ": checkpoint of " + std::to_string(cp->size) +
                          " records, but the segments hold only " + std::to_string(report.records));
    if (cp->size < previous) return CommandError(file.string() + ": checkpoint sizes go backwards");
    auto root = tree->Root(cp->size);
    if (!root.ok()) return root.problem();
    if (*root != cp->root)
      return CommandError(file.string() + ": signed root of tree size " + std::to_string(cp->size) +
                          " does not match the records (they were altered after it was signed)");
    previous = cp->size;
    ++report.checkpoints;
  }
  auto root = tree->Root(report.records);
  if (!root.ok()) return root.problem();
  report.root = *root;
  return report;
}

Result<std::string> LedgerPublicKey(const std::string& dir) {
  auto key = ReadFile(VerifierKeyPath(dir));
  if (!key.ok()) return CommandError(VerifierKeyPath(dir) + ": no verifier key (is " + dir + " a ledger directory?)");
  std::string k = *key;
  while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
  return k;
}

Result<std::string> ProveDelivery(const std::string& dir, Id app, Id post, const LedgerProgress& progress) {
  auto files = CheckpointFiles(dir);
  if (files.empty()) return CommandError(dir + ": no checkpoint yet: run `sluice ledger checkpoint`");
  auto note = ReadFile(files.back().string());
  if (!note.ok()) return note.problem();
  auto vkey = LedgerPublicKey(dir);
  if (!vkey.ok()) return vkey.problem();
  auto cp = VerifyCheckpoint(*note, *vkey);
  if (!cp.ok()) return CommandError(files.back().string() + ": " + cp.problem().detail);
  auto tree = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!tree.ok()) return tree.problem();

  ProofBundle bundle;
  bundle.checkpoint_note = *note;
  bundle.tree_size = cp->size;
  JsonWriter deliveries;
  deliveries.BeginArray();
  uint64_t uncovered = 0;
  auto scan = ForEachRecord(dir, progress, [&](const LedgerPosition&, const LedgerRecord& r, std::string_view payload) -> Status {
    if (r.app_id != app || std::find(r.post_ids.begin(), r.post_ids.end(), post) == r.post_ids.end()) return Status::Ok();
    if (r.seq >= cp->size) {
      ++uncovered;
      return Status::Ok();
    }
    auto proof = (*tree)->InclusionProof(r.seq, cp->size);
    if (!proof.ok()) return proof.status();
    bundle.entries.push_back({r.seq, Base64Encode(payload), std::move(*proof)});
    RecordJson(deliveries, r);
    return Status::Ok();
  });
  if (!scan.ok()) return scan.problem();
  deliveries.EndArray();
  if (bundle.entries.empty())
    return CommandError("app " + std::to_string(app) + " never received post " + std::to_string(post) +
                        (uncovered ? " in a checkpointed record (" + std::to_string(uncovered) +
                                         " newer records do: run `sluice ledger checkpoint`)"
                                   : ""));
  JsonWriter w;
  w.BeginObject();
  w.MemberId("app_id", app);
  w.MemberId("post_id", post);
  w.Key("deliveries");
  w.Raw(deliveries.str());
  w.MemberInt("not_yet_checkpointed", int64_t(uncovered));
  w.Key("bundle");
  w.Raw(ProofBundleToJson(bundle));
  w.EndObject();
  return w.Take();
}

Result<std::string> ConsistencyJson(const std::string& dir, uint64_t from, uint64_t to) {
  auto tree = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!tree.ok()) return tree.problem();
  if (from > to || to > (*tree)->Size())
    return CommandError("--from " + std::to_string(from) + " --to " + std::to_string(to) + ": need from <= to <= " +
                        std::to_string((*tree)->Size()) + " (the tree size)");
  auto proof = (*tree)->ConsistencyProof(from, to);
  if (!proof.ok()) return proof.problem();
  auto from_root = (*tree)->Root(from);
  auto to_root = (*tree)->Root(to);
  if (!from_root.ok()) return from_root.problem();
  if (!to_root.ok()) return to_root.problem();
  JsonWriter w;
  w.BeginObject();
  w.MemberInt("from", int64_t(from));
  w.MemberInt("to", int64_t(to));
  w.Member("from_root", HashToHex(*from_root));
  w.Member("to_root", HashToHex(*to_root));
  w.Key("proof");
  w.BeginArray();
  for (const auto& h : *proof) w.String(HashToHex(h));
  w.EndArray();
  w.EndObject();
  return w.Take();
}

Status ExportRecords(const std::string& dir, Id app, std::optional<TimeMs> from, std::optional<TimeMs> to,
                     std::ostream& out, const LedgerProgress& progress) {
  auto scan = ForEachRecord(dir, progress, [&](const LedgerPosition&, const LedgerRecord& r, std::string_view) {
    if ((app && r.app_id != app) || (from && r.time < *from) || (to && r.time >= *to)) return Status::Ok();
    JsonWriter w;
    RecordJson(w, r);
    out << w.str() << '\n';
    return Status::Ok();
  });
  return scan.ok() ? Status::Ok() : scan.status();
}

Result<std::string> CheckProofFile(const std::string& file, const std::string& verifier_key) {
  auto text = ReadFile(file);
  if (!text.ok()) return text.problem();
  boost::system::error_code ec;
  auto doc = boost::json::parse(*text, ec);
  if (ec || !doc.is_object()) return CommandError(file + ": not a JSON proof file");
  // A `sluice ledger prove` file holds the bundle under "bundle"; a bare bundle also works.
  const auto* inner = doc.as_object().if_contains("bundle");
  auto bundle = ProofBundleFromJson(inner ? boost::json::serialize(*inner) : *text);
  if (!bundle.ok()) return CommandError(file + ": " + bundle.problem().detail);
  if (Status s = CheckProofBundle(*bundle, verifier_key); !s.ok()) return CommandError(file + ": " + s.message());
  return "OK: " + std::to_string(bundle->entries.size()) + " record(s) included in the signed tree of size " +
         std::to_string(bundle->tree_size);
}

}  // namespace sluice
