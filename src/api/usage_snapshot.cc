#include "api/usage_snapshot.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/routes.h"
#include "ledger/ledger_files.h"
#include "ledger/snapshot_file.h"

namespace sluice {

namespace {

void PutU64(uint64_t v, std::string& out) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char(v >> (8 * i));
  out.append(b, 8);
}

bool GetU64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= uint64_t(uint8_t((*in)[i])) << (8 * i);
  in->remove_prefix(8);
  return true;
}

bool IsWrite(std::string_view endpoint) { return endpoint == EndpointName(RouteId::kCreatePost); }

}  // namespace

// ---- UsageReplay

const Plan* UsageReplay::PlanFor(Id project) {
  auto it = plan_of_.find(project);
  if (it != plan_of_.end()) return it->second;
  const Plan* plan = nullptr;
  if (auto info = store_.GetProject(project); info.ok() && info->has_value()) plan = plans_.Find((*info)->plan);
  return plan_of_[project] = plan;
}

Status UsageReplay::LoadTraps() {
  // Trap records share the records' post_ids with the real posts (the record format has no
  // field for them); the store knows every trap, and a trap is never counted or billed.
  return store_.ForEachTrap([&](const StoredTrap& t) {
    traps_.insert(t.id);
    return true;
  });
}

Status UsageReplay::Apply(std::string_view payload, UsageMeter& meter) {
  auto r = DecodeRecord(payload);
  if (!r.ok()) return r.status();
  if (r->status >= 300 || r->project_id == 0) return Status::Ok();
  if (!r->channel.empty()) return Status::Ok();  // a compliance notice: ids told of, not read
  const Plan* plan = PlanFor(r->project_id);
  if (!plan) return Status::Ok();  // a project without a plan any more: nothing to meter
  if (IsWrite(r->endpoint)) {
    meter.Replay(r->project_id, r->app_id, *plan, r->time, {}, {}, 1);
  } else if (r->endpoint.starts_with("GET ")) {
    posts_.clear();
    std::copy_if(r->post_ids.begin(), r->post_ids.end(), std::back_inserter(posts_),
                 [&](Id id) { return !traps_.contains(id); });
    meter.Replay(r->project_id, r->app_id, *plan, r->time, posts_, r->user_ids, 0);
  }
  return Status::Ok();
}

// u64 projects | per project: u64 id, u64 name length, name ("" for none), u64 the three prices.
std::string UsageReplay::SavePlans() const {
  std::string out;
  PutU64(plan_of_.size(), out);
  for (const auto& [project, plan] : plan_of_) {
    PutU64(uint64_t(project), out);
    const std::string name = plan ? plan->name : "";
    PutU64(name.size(), out);
    out += name;
    PutU64(uint64_t(plan ? plan->post_read_price : 0), out);
    PutU64(uint64_t(plan ? plan->user_read_price : 0), out);
    PutU64(uint64_t(plan ? plan->post_create_price : 0), out);
  }
  return out;
}

bool UsageReplay::SamePlans(std::string_view* bytes, std::string* why) {
  uint64_t n = 0;
  if (!GetU64(bytes, &n) || n > bytes->size() / 40) return *why = "its plans are cut short", false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t project = 0, length = 0, prices[3];
    if (!GetU64(bytes, &project) || !GetU64(bytes, &length) || length > bytes->size())
      return *why = "its plans are cut short", false;
    const std::string name(bytes->substr(0, length));
    bytes->remove_prefix(length);
    for (uint64_t& p : prices)
      if (!GetU64(bytes, &p)) return *why = "its plans are cut short", false;
    const Plan* now = PlanFor(Id(project));
    const std::string now_name = now ? now->name : "";
    const bool same = now_name == name && (!now || (uint64_t(now->post_read_price) == prices[0] &&
                                                     uint64_t(now->user_read_price) == prices[1] &&
                                                     uint64_t(now->post_create_price) == prices[2]));
    if (!same) {
      *why = fmt::format("project {} was priced by plan '{}', and its plan now is '{}'{}", project, name, now_name,
                         now_name == name ? " at other prices" : "");
      return false;
    }
  }
  return true;
}

// ---- RestoreUsage

Result<RestoredUsage> RestoreUsage(const std::string& ledger_dir, UsageReplay& replay, UsageMeter& meter) {
  if (Status s = replay.LoadTraps(); !s.ok()) return s;
  RestoredUsage restored;
  LedgerPosition from;
  for (uint64_t size : ListSnapshots(ledger_dir)) {
    auto snapshot = ReadSnapshot(ledger_dir, size);
    std::string why;
    if (!snapshot.ok()) {
      why = snapshot.status().message();
    } else {
      std::string_view body = snapshot->body;
      if (replay.SamePlans(&body, &why)) {
        if (Status s = meter.Load(body); s.ok()) {
          restored.snapshot_size = size;
          from = snapshot->binding.next;
          break;
        } else {
          why = s.message();
        }
      }
      why = fmt::format("usage snapshot of {} records: {}", size, why);
    }
    spdlog::warn("{}; not used (an older one, or every record, is read instead)", why);
  }
  auto scan = ScanSegmentsFrom(ledger_dir, from, UINT64_MAX, [&](const LedgerPosition&, std::string_view payload) {
    ++restored.replayed;
    return replay.Apply(payload, meter);
  });
  if (!scan.ok() && restored.snapshot_size > 0) {
    // The position it kept is not a record's: every record instead.
    spdlog::warn("usage snapshot of {} records: {}; every record is read instead", restored.snapshot_size,
                 scan.status().message());
    if (Status s = meter.Load(UsageMeter(SystemClock::Instance()).Save()); !s.ok()) return s;
    restored = {};
    scan = ScanSegmentsFrom(ledger_dir, {}, UINT64_MAX, [&](const LedgerPosition&, std::string_view payload) {
      ++restored.replayed;
      return replay.Apply(payload, meter);
    });
  }
  if (!scan.ok()) return scan.status();
  if (scan->records < restored.snapshot_size)
    return Corruption(fmt::format("ledger {}: the usage snapshot reflects {} records, the segments hold {}", ledger_dir,
                                  restored.snapshot_size, scan->records));
  restored.end = scan->end;
  restored.end.seq = scan->records;
  return restored;
}

// ---- UsageSnapshots

namespace {
constexpr TimeMs kRetryMs = 1000;
}  // namespace

UsageSnapshots::UsageSnapshots(Options options)
    : options_(std::move(options)), clock_(options_.clock ? *options_.clock : SystemClock::Instance()) {}

UsageSnapshots::~UsageSnapshots() { Stop(); }

void UsageSnapshots::CheckpointWritten(const Checkpoint& checkpoint) {
  {
    std::lock_guard lock(mu_);
    if (latest_ && latest_->size >= checkpoint.size) return;
    latest_ = checkpoint;
  }
  cv_.notify_all();
}

Result<RestoredUsage> UsageSnapshots::Start(std::unique_ptr<Store> store, const Plans& plans, UsageMeter& live) {
  auto signer = Signer::LoadOrCreate(SigningKeyPath(options_.ledger_dir), options_.origin);
  if (!signer.ok()) return signer.status();
  signer_ = std::move(*signer);
  store_ = std::move(store);
  replay_ = std::make_unique<UsageReplay>(*store_, plans);
  meter_ = std::make_unique<UsageMeter>(clock_);
  auto restored = RestoreUsage(options_.ledger_dir, *replay_, *meter_);
  if (!restored.ok()) return restored.status();
  if (Status s = live.Load(meter_->Save()); !s.ok()) return s;
  position_ = restored->end;
  snapshotted_ = restored->snapshot_size;
  last_write_ = clock_.NowMs() - options_.every_ms;  // the first one is not held back
  // The ledger signs no new checkpoint at Open when its records did not change: then the
  // one it has is the first to snapshot, unless a snapshot of it was just read.
  if (snapshotted_ < position_.seq)
    if (auto checkpoint = ReadCheckpoint(options_.ledger_dir, position_.seq); checkpoint.ok())
      CheckpointWritten(*checkpoint);
  thread_ = std::thread([this] { Loop(); });
  return restored;
}

void UsageSnapshots::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t UsageSnapshots::Written() const {
  std::lock_guard lock(mu_);
  return written_count_;
}

uint64_t UsageSnapshots::Failed() const {
  std::lock_guard lock(mu_);
  return failed_count_;
}

void UsageSnapshots::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    const bool due = latest_ && latest_->size > snapshotted_ && latest_->size >= position_.seq;
    const TimeMs wait = std::max(last_write_ + options_.every_ms, retry_at_) - clock_.NowMs();
    if (due && (stopping_ || wait <= 0)) {
      const Checkpoint target = *latest_;
      lock.unlock();
      Status s = CatchUpAndWrite(target);
      last_write_ = clock_.NowMs();
      lock.lock();
      if (s.ok()) {
        ++written_count_;
      } else {
        ++failed_count_;
        spdlog::warn("usage snapshot of {} records not written: {}", target.size, s.message());
        if (s.code() == StatusCode::kCorruption) return;  // the next start reads the records instead
        if (stopping_) return;
        retry_at_ = clock_.NowMs() + kRetryMs;  // a full disk is not retried in a loop
      }
      continue;
    }
    if (stopping_) return;
    if (due) cv_.wait_for(lock, std::chrono::milliseconds(wait));
    else cv_.wait(lock);
  }
}

Status UsageSnapshots::CatchUpAndWrite(const Checkpoint& target) {
  if (Status s = replay_->LoadTraps(); !s.ok()) return s;
  auto scan = ScanSegmentsFrom(options_.ledger_dir, position_, target.size,
                               [&](const LedgerPosition&, std::string_view payload) { return replay_->Apply(payload, *meter_); });
  if (!scan.ok()) return scan.status();
  position_ = scan->end;
  position_.seq = scan->records;
  if (scan->records != target.size)
    return Corruption(fmt::format("the segments hold {} records, the checkpoint covers {}", scan->records, target.size));
  std::string body = replay_->SavePlans();
  body += meter_->Save();
  if (Status s = WriteSnapshot(options_.ledger_dir, *signer_, options_.origin, {target.size, target.root, position_}, body);
      !s.ok())
    return s;
  snapshotted_ = target.size;
  PruneSnapshots(options_.ledger_dir, options_.keep);
  return Status::Ok();
}

}  // namespace sluice
