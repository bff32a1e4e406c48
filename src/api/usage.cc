#include "api/usage.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "api/exchange.h"
#include "api/params.h"
#include "api/usage_snapshot.h"
#include "core/json_writer.h"
#include "core/parse.h"
#include "core/time_format.h"
#include "ledger/record.h"
#include "ledger/segment.h"

namespace sluice {

namespace {

constexpr TimeMs kDayMs = 24LL * 3600 * 1000;

}  // namespace

Status RebuildUsage(const std::string& ledger_dir, Store& store, const Plans& plans, UsageMeter& meter,
                    const LedgerProgress& progress) {
  UsageReplay replay(store, plans);
  if (Status s = replay.LoadTraps(); !s.ok()) return s;
  uint64_t done = 0;
  auto scan = ScanSegments(ledger_dir, /*tail_ok=*/true, [&](const LedgerPosition&, std::string_view payload) -> Status {
    done += payload.size();
    if (progress && (done & 0xfffff) < payload.size()) progress(done, 0);
    return replay.Apply(payload, meter);
  });
  if (!scan.ok()) return scan.status();
  return Status::Ok();
}

namespace {

// One ledger read in chunks of records, resuming where the last chunk stopped, keeping the
// metered ones (2xx of a project) in order: the merge of several ledgers holds one chunk of
// each, never a whole ledger.
class ChunkedLedger {
 public:
  explicit ChunkedLedger(std::string dir) : dir_(std::move(dir)) {}

  //! False when the ledger has no metered record left; else front() is the next one.
  Result<bool> Ready(uint64_t* done, const LedgerProgress& progress) {
    constexpr uint64_t kChunk = 8192;
    while (next_ == records_.size() && !exhausted_) {
      records_.clear();
      next_ = 0;
      auto scan = ScanSegmentsFrom(dir_, at_, at_.seq + kChunk, [&](const LedgerPosition&, std::string_view payload) -> Status {
        *done += payload.size();
        if (progress && (*done & 0xfffff) < payload.size()) progress(*done, 0);
        auto r = DecodeRecord(payload);
        if (!r.ok()) return r.status();
        if (r->status < 300 && r->project_id != 0) records_.push_back({r->time, std::string(payload)});
        return Status::Ok();
      });
      if (!scan.ok()) return scan.status();
      exhausted_ = scan->records < at_.seq + kChunk;
      at_ = scan->end;
      at_.seq = scan->records;
    }
    return next_ < records_.size();
  }
  TimeMs time() const { return records_[next_].first; }
  std::string_view payload() const { return records_[next_].second; }
  void Pop() { ++next_; }

 private:
  std::string dir_;
  LedgerPosition at_;
  bool exhausted_ = false;
  std::vector<std::pair<TimeMs, std::string>> records_;
  size_t next_ = 0;
};

}  // namespace

Status RebuildUsage(const std::vector<std::string>& ledger_dirs, Store& store, const Plans& plans, UsageMeter& meter,
                    const LedgerProgress& progress) {
  if (ledger_dirs.size() == 1) return RebuildUsage(ledger_dirs[0], store, plans, meter, progress);
  UsageReplay replay(store, plans);
  if (Status s = replay.LoadTraps(); !s.ok()) return s;
  std::vector<ChunkedLedger> ledgers;
  for (const std::string& dir : ledger_dirs) ledgers.emplace_back(dir);
  uint64_t done = 0;
  while (true) {
    // The ledger whose next metered record is the earliest (ties: the first given).
    ChunkedLedger* earliest = nullptr;
    for (ChunkedLedger& l : ledgers) {
      auto ready = l.Ready(&done, progress);
      if (!ready.ok()) return ready.status();
      if (*ready && (earliest == nullptr || l.time() < earliest->time())) earliest = &l;
    }
    if (earliest == nullptr) return Status::Ok();
    if (Status s = replay.Apply(earliest->payload(), meter); !s.ok()) return s;
    earliest->Pop();
  }
}

Result<std::unique_ptr<UsageMeter>> BillingUsage(const std::vector<std::string>& ledger_dirs, Store& store,
                                                 const Plans& plans, const Clock& clock, const LedgerProgress& progress) {
  auto meter = std::make_unique<UsageMeter>(clock, UsageMeter::kEveryDay);
  if (Status s = RebuildUsage(ledger_dirs, store, plans, *meter, progress); !s.ok()) return s;
  return meter;
}

Result<ApiResponse> GetUsage(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"days", "usage.fields"}); !s.ok()) return s;
  int days = 7;
  if (auto d = params->Get("days")) {
    const auto v = ParseInt<int>(*d, 1, 90);
    const std::string text(*d);
    if (!v.ok()) return InvalidRequest("days", text, "The `days` query parameter value [" + text + "] is not between 1 and 90");
    days = v.value;
  }
  bool daily_project = false, daily_apps = false;
  if (auto f = params->Get("usage.fields")) {
    for (std::string_view item : SplitCommaList(*f)) {
      if (item == "daily_project_usage") daily_project = true;
      else if (item == "daily_client_app_usage") daily_apps = true;
      else if (item != "cap_reset_day" && item != "project_cap" && item != "project_id" && item != "project_usage")
        return InvalidRequest("usage.fields", std::string(item),
                              "The `usage.fields` query parameter value [" + std::string(item) +
                                  "] is not one of [cap_reset_day,daily_client_app_usage,daily_project_usage,"
                                  "project_cap,project_id,project_usage]");  // the four always render
    }
  }
  const TimeMs now = ctx.now;
  const Plan* plan = ctx.services.plans.Find(app.plan);
  auto info = ctx.store.GetProject(app.project_id);
  if (!info.ok()) return info.status();
  int reset_day = info->has_value() ? (*info)->cap_reset_day : 1;
  TimeMs cycle = CycleStart(now, reset_day);
  DayUsage totals = ctx.services.meter ? ctx.services.meter->CycleTotals(app.project_id, cycle) : DayUsage{};
  TimeMs from = UtcDay(now) - (days - 1) * kDayMs, to = UtcDay(now) + kDayMs;

  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginObject();
  w.MemberInt("cap_reset_day", reset_day);
  if (daily_apps && ctx.services.meter) {
    std::map<Id, std::vector<AppDayUsage>> by_app;
    for (const auto& d : ctx.services.meter->AppDays(app.project_id, from, to)) by_app[d.app_id].push_back(d);
    w.Key("daily_client_app_usage");
    w.BeginArray();
    for (const auto& [id, list] : by_app) {
      w.BeginObject();
      w.MemberId("client_app_id", id);
      w.Key("usage");
      w.BeginArray();
      for (const auto& d : list) {
        w.BeginObject();
        w.Member("date", FormatTime(d.day));
        w.Member("usage", std::to_string(d.posts_read));
        w.EndObject();
      }
      w.EndArray();
      w.MemberInt("usage_result_count", int64_t(list.size()));
      w.EndObject();
    }
    w.EndArray();
  }
  if (daily_project && ctx.services.meter) {
    w.Key("daily_project_usage");
    w.BeginObject();
    w.MemberId("project_id", app.project_id);
    w.Key("usage");
    w.BeginArray();
    for (const auto& d : ctx.services.meter->Days(app.project_id, from, to)) {
      w.BeginObject();
      w.Member("date", FormatTime(d.day));
      w.Member("usage", std::to_string(d.posts_read));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.Member("project_cap", std::to_string(plan && plan->read_cap ? *plan->read_cap : 0));
  w.Member("project_id", std::to_string(app.project_id));
  w.Member("project_usage", std::to_string(totals.posts_read));
  w.EndObject();
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

}  // namespace sluice
