#include "api/usage.h"

#include <algorithm>
#include <map>
#include <tuple>
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

Status RebuildUsage(const std::vector<std::string>& ledger_dirs, Store& store, const Plans& plans, UsageMeter& meter,
                    const LedgerProgress& progress) {
  if (ledger_dirs.size() == 1) return RebuildUsage(ledger_dirs[0], store, plans, meter, progress);
  struct Metered {
    TimeMs time;
    size_t ledger;
    uint64_t seq;
    std::string payload;
  };
  std::vector<Metered> records;
  uint64_t done = 0;
  for (size_t i = 0; i < ledger_dirs.size(); ++i) {
    auto scan = ScanSegments(ledger_dirs[i], /*tail_ok=*/true, [&](const LedgerPosition& at, std::string_view payload) -> Status {
      done += payload.size();
      if (progress && (done & 0xfffff) < payload.size()) progress(done, 0);
      auto r = DecodeRecord(payload);
      if (!r.ok()) return r.status();
      if (r->status < 300 && r->project_id != 0) records.push_back({r->time, i, at.seq, std::string(payload)});
      return Status::Ok();
    });
    if (!scan.ok()) return scan.status();
  }
  std::sort(records.begin(), records.end(), [](const Metered& a, const Metered& b) {
    return std::tie(a.time, a.ledger, a.seq) < std::tie(b.time, b.ledger, b.seq);
  });
  UsageReplay replay(store, plans);
  if (Status s = replay.LoadTraps(); !s.ok()) return s;
  for (const Metered& m : records)
    if (Status s = replay.Apply(m.payload, meter); !s.ok()) return s;
  return Status::Ok();
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
