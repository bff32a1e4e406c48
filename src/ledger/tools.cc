#include "ledger/tools.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "ledger/checkpoint.h"
#include "ledger/checkpoint_retention.h"
#include "ledger/ledger_files.h"
#include "ledger/proof_bundle.h"
#include "ledger/record.h"
#include "ledger/segment.h"
#include "ledger/tools_internal.h"

namespace sluice {

namespace fs = std::filesystem;

namespace ledger_internal {

// The persisted tree hashes, read with pread and never written: the server may be
// appending to the same files while a command reads them.
Result<std::unique_ptr<ReadOnlyTreeHashes>> ReadOnlyTreeHashes::Open(const std::string& tree_dir) {
  std::unique_ptr<ReadOnlyTreeHashes> t(new ReadOnlyTreeHashes);
  for (int level = 0; level < 64; ++level) {
    int fd = ::open(TreeLevelPath(tree_dir, level).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    t->fds_.push_back(fd);
  }
  if (t->fds_.empty()) return CommandError(tree_dir + ": no tree hashes (is this a ledger directory?)");
  t->level0_bytes_ = uint64_t(::lseek(t->fds_[0], 0, SEEK_END));
  t->size_ = t->level0_bytes_ / 32;
  // A crash can leave a torn last entry and zero entries a file was extended by: not hashes.
  Hash h{};
  while (t->size_ > 0 && ::pread(t->fds_[0], h.data(), 32, off_t((t->size_ - 1) * 32)) == 32 &&
         std::all_of(h.begin(), h.end(), [](uint8_t b) { return b == 0; }))
    --t->size_;
  return t;
}

ReadOnlyTreeHashes::~ReadOnlyTreeHashes() {
  for (int fd : fds_) ::close(fd);
}

uint64_t ReadOnlyTreeHashes::Entries(int level) const {
  if (level < 0 || size_t(level) >= fds_.size()) return 0;
  return uint64_t(::lseek(fds_[size_t(level)], 0, SEEK_END)) / 32;
}

Result<Hash> ReadOnlyTreeHashes::Perfect(int level, uint64_t index) const {
  Hash h{};
  if (level < 0 || size_t(level) >= fds_.size() || ((index + 1) << level) > size_)
    return CommandError("tree hash level " + std::to_string(level) + " index " + std::to_string(index) + " is missing");
  if (::pread(fds_[size_t(level)], h.data(), 32, off_t(index * 32)) != 32)
    return CommandError("tree hash level " + std::to_string(level) + " index " + std::to_string(index) + " is missing");
  return h;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return CommandError(path + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

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

}  // namespace ledger_internal

namespace {

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
  w.MemberInt("count", int64_t(r.count));
  if (r.authorizing_user_id != 0) w.MemberId("authorizing_user_id", r.authorizing_user_id);
  if (!r.channel.empty()) w.Member("channel", r.channel);  // a compliance notice (version 4)
  w.EndObject();
}

}  // namespace

namespace ledger_internal {

Result<ScanResult> ForEachRecord(const std::string& dir, const LedgerProgress& progress, const RecordVisit& visit,
                                 bool tail_ok, uint64_t end_seq) {
  uint64_t total = SegmentBytes(dir), done = 0, since = 0;
  auto each = [&](const LedgerPosition& pos, std::string_view payload) -> Status {
    auto record = DecodeRecord(payload);
    if (!record.ok()) return CommandError(pos.ToString() + ": " + record.status().message());
    if (record->seq != pos.seq)
      return CommandError(pos.ToString() + ": holds record " + std::to_string(record->seq) +
                          " (records missing, added or out of order)");
    done += payload.size() + 8;
    if (progress && (since += payload.size()) > (4 << 20)) {
      progress(done, total);
      since = 0;
    }
    return visit(pos, *record, payload);
  };
  if (end_seq != UINT64_MAX) return ScanSegmentsFrom(dir, LedgerPosition{}, end_seq, each);
  return ScanSegments(dir, tail_ok, each);
}

}  // namespace ledger_internal

using namespace ledger_internal;  // NOLINT: this file's own helpers

uint64_t LedgerSegmentBytes(const std::string& dir) { return SegmentBytes(dir); }

Result<std::string> LedgerPublicKey(const std::string& dir) {
  auto key = ReadFile(VerifierKeyPath(dir));
  if (!key.ok()) return CommandError(VerifierKeyPath(dir) + ": no verifier key (is " + dir + " a ledger directory?)");
  std::string k = *key;
  while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
  return k;
}

namespace {

// The records of `app` naming `post`, deliveries (channel empty) or compliance notices
// (`notices`), with their inclusion proofs to the latest checkpoint; `list` names the array.
Result<std::string> ProveRecords(const std::string& dir, Id app, Id post, bool notices, std::string_view list,
                                 const LedgerProgress& progress) {
  auto latest = LatestCheckpoint(dir);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return CommandError(dir + ": no checkpoint yet: run `sluice ledger checkpoint`");
  const Checkpoint* cp = &(*latest)->checkpoint;
  auto tree = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!tree.ok()) return tree.status();

  ProofBundle bundle;
  bundle.checkpoint_note = (*latest)->note;
  bundle.tree_size = cp->size;
  JsonWriter deliveries;
  deliveries.BeginArray();
  uint64_t uncovered = 0;
  auto scan = ForEachRecord(dir, progress, [&](const LedgerPosition&, const LedgerRecord& r, std::string_view payload) -> Status {
    if (r.app_id != app || r.channel.empty() == notices ||
        std::find(r.post_ids.begin(), r.post_ids.end(), post) == r.post_ids.end())
      return Status::Ok();
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
  if (!scan.ok()) return scan.status();
  deliveries.EndArray();
  if (bundle.entries.empty())
    return CommandError("app " + std::to_string(app) + (notices ? " was never told of post " : " never received post ") +
                        std::to_string(post) +
                        (uncovered ? " in a checkpointed record (" + std::to_string(uncovered) +
                                         " newer records do: run `sluice ledger checkpoint`)"
                                   : ""));
  JsonWriter w;
  w.BeginObject();
  w.MemberId("app_id", app);
  w.MemberId("post_id", post);
  w.Key(list);
  w.Raw(deliveries.str());
  w.MemberInt("not_yet_checkpointed", int64_t(uncovered));
  w.Key("bundle");
  w.Raw(ProofBundleToJson(bundle));
  w.EndObject();
  return w.Take();
}

}  // namespace

Result<std::string> ProveDelivery(const std::string& dir, Id app, Id post, const LedgerProgress& progress) {
  return ProveRecords(dir, app, post, /*notices=*/false, "deliveries", progress);
}

Result<std::string> ProveNotice(const std::string& dir, Id app, Id post, const LedgerProgress& progress) {
  return ProveRecords(dir, app, post, /*notices=*/true, "notices", progress);
}

Result<std::optional<LatestCheckpointInfo>> LatestCheckpoint(const std::string& dir) {
  // A running server thins older checkpoints, never the newest: one gone between listing and
  // reading was thinned, and a newer one exists; list again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto files = CheckpointFiles(dir);
    if (files.empty()) return std::optional<LatestCheckpointInfo>();
    const std::string path = files.back().string();
    struct stat st {};
    const bool stated = ::stat(path.c_str(), &st) == 0;
    auto note = ReadFile(path);
    if (!note.ok() || !stated) {
      std::error_code ec;
      if (!fs::exists(path, ec) && !ec) continue;
      return note.ok() ? Result<std::optional<LatestCheckpointInfo>>(CommandError(path + ": cannot stat")) : note.status();
    }
    auto vkey = LedgerPublicKey(dir);
    if (!vkey.ok()) return vkey.status();
    auto cp = VerifyCheckpoint(*note, *vkey);
    if (!cp.ok()) return CommandError(path + ": " + cp.status().message());
    LatestCheckpointInfo info{std::move(*cp), std::move(*note), CheckpointTimeOfMtime(st.st_mtim)};
    if (!info.signed_at) info.signed_at = TimeMs(st.st_mtim.tv_sec) * 1000 + TimeMs(st.st_mtim.tv_nsec / 1'000'000);
    return std::optional<LatestCheckpointInfo>(std::move(info));
  }
  return CommandError(CheckpointDir(dir) + ": the newest checkpoint kept disappearing");
}

Result<std::string> ProveAppPosts(const std::string& dir, Id app, const std::vector<Id>& posts,
                                  const std::vector<Id>& notice_posts, size_t max_records,
                                  const LedgerProgress& progress) {
  auto latest = LatestCheckpoint(dir);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return CommandError(dir + ": no checkpoint yet: run `sluice ledger checkpoint`");
  const Checkpoint& cp = (*latest)->checkpoint;
  auto tree = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!tree.ok()) return tree.status();
  // Posts not yet proved: a record is kept when it names one of them (the first delivery,
  // or notice, of each), so a bundle holds at most one record per post.
  std::unordered_set<Id> want_delivery(posts.begin(), posts.end()), want_notice(notice_posts.begin(), notice_posts.end());
  std::vector<Id> proved;
  ProofBundle bundle;
  bundle.checkpoint_note = (*latest)->note;
  bundle.tree_size = cp.size;
  JsonWriter deliveries, notices;
  deliveries.BeginArray();
  notices.BeginArray();
  uint64_t uncovered = 0;
  auto scan = ForEachRecord(dir, progress, [&](const LedgerPosition&, const LedgerRecord& r, std::string_view payload) -> Status {
    if (r.app_id != app || bundle.entries.size() >= max_records) return Status::Ok();
    const bool notice = !r.channel.empty();
    auto& want = notice ? want_notice : want_delivery;
    bool needed = false;
    for (Id post : r.post_ids) needed = needed || want.count(post) > 0;
    if (!needed) return Status::Ok();
    if (r.seq >= cp.size) {
      ++uncovered;
      return Status::Ok();
    }
    for (Id post : r.post_ids)
      if (want.erase(post) > 0 && !notice) proved.push_back(post);
    auto proof = (*tree)->InclusionProof(r.seq, cp.size);
    if (!proof.ok()) return proof.status();
    bundle.entries.push_back({r.seq, Base64Encode(payload), std::move(*proof)});
    RecordJson(notice ? notices : deliveries, r);
    return Status::Ok();
  });
  if (!scan.ok()) return scan.status();
  deliveries.EndArray();
  notices.EndArray();
  std::sort(proved.begin(), proved.end());
  std::vector<Id> sorted_posts = posts;
  std::sort(sorted_posts.begin(), sorted_posts.end());
  JsonWriter w;
  w.BeginObject();
  w.MemberId("app_id", app);
  w.MemberIdArray("post_ids", sorted_posts);
  w.Key("deliveries");
  w.Raw(deliveries.str());
  w.Key("notices");
  w.Raw(notices.str());
  w.MemberIdArray("proved_post_ids", proved);
  w.MemberInt("not_yet_checkpointed", int64_t(uncovered));
  w.Key("bundle");
  w.Raw(ProofBundleToJson(bundle));
  w.EndObject();
  return w.Take();
}

Result<std::string> ConsistencyJson(const std::string& dir, uint64_t from, uint64_t to) {
  auto tree = ReadOnlyTreeHashes::Open(TreeDir(dir));
  if (!tree.ok()) return tree.status();
  if (from > to || to > (*tree)->Size())
    return CommandError("--from " + std::to_string(from) + " --to " + std::to_string(to) + ": need from <= to <= " +
                        std::to_string((*tree)->Size()) + " (the tree size)");
  auto proof = (*tree)->ConsistencyProof(from, to);
  if (!proof.ok()) return proof.status();
  auto from_root = (*tree)->Root(from);
  auto to_root = (*tree)->Root(to);
  if (!from_root.ok()) return from_root.status();
  if (!to_root.ok()) return to_root.status();
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
                     std::ostream& out, const LedgerProgress& progress, Id authorized_by) {
  auto scan = ForEachRecord(dir, progress, [&](const LedgerPosition&, const LedgerRecord& r, std::string_view) {
    if ((app && r.app_id != app) || (from && r.time < *from) || (to && r.time >= *to)) return Status::Ok();
    if (authorized_by && r.authorizing_user_id != authorized_by) return Status::Ok();
    JsonWriter w;
    RecordJson(w, r);
    out << w.str() << '\n';
    return Status::Ok();
  });
  return scan.ok() ? Status::Ok() : scan.status();
}

Result<std::string> CheckProofFile(const std::string& file, const std::string& verifier_key) {
  auto text = ReadFile(file);
  if (!text.ok()) return text.status();
  boost::system::error_code ec;
  auto doc = boost::json::parse(*text, ec);
  if (ec || !doc.is_object()) return CommandError(file + ": not a JSON proof file");
  // A `sluice ledger prove` file holds the bundle under "bundle"; a bare bundle also works.
  const auto* inner = doc.as_object().if_contains("bundle");
  auto bundle = ProofBundleFromJson(inner ? boost::json::serialize(*inner) : *text);
  if (!bundle.ok()) return CommandError(file + ": " + bundle.status().message());
  if (Status s = CheckProofBundle(*bundle, verifier_key); !s.ok()) return CommandError(file + ": " + s.message());
  return "OK: " + std::to_string(bundle->entries.size()) + " record(s) included in the signed tree of size " +
         std::to_string(bundle->tree_size);
}

}  // namespace sluice
