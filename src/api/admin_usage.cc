// The admin API's usage, limits, credits and invoices (docs/admin-api.md). Usage and limits are
// this server's meter and rate limiter, read without spending: the numbers GET /2/usage/tweets
// and the x-rate-limit headers give. Invoices are rebuilt from this node's ledger, as `sluice
// invoice` does.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "access/plans.h"
#include "access/rate_limiter.h"
#include "access/usage_meter.h"
#include "api/action_body.h"
#include "api/admin_body.h"
#include "api/admin_call.h"
#include "api/admission.h"
#include "api/usage.h"
#include "billing/invoice.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "core/time_format.h"

namespace sluice {

namespace {

constexpr TimeMs kDayMs = 86'400'000;

struct Credits {
  MicroUsd added = 0;
  MicroUsd spent = 0;
  std::vector<CreditEntry> entries;
};

Result<Credits> CreditsOf(AdminCall& call) {
  auto entries = call.store().Credits(call.project->id);
  if (!entries.ok()) return entries.status();
  Credits c;
  for (const auto& e : *entries) c.added += e.micro_usd;
  c.spent = call.services.meter ? call.services.meter->TotalSpent(call.project->id) : 0;
  c.entries = std::move(*entries);
  return c;
}

void WriteCredits(JsonWriter& w, const Credits& c, bool entries) {
  w.BeginObject();
  w.MemberInt("added_micro_usd", c.added);
  w.MemberInt("spent_micro_usd", c.spent);
  w.MemberInt("balance_micro_usd", c.added - c.spent);
  w.Member("balance_usd", UsdString(c.added - c.spent));
  if (entries) {
    w.Key("entries");
    w.BeginArray();
    for (const auto& e : c.entries) {
      w.BeginObject();
      w.MemberInt("micro_usd", e.micro_usd);
      w.Member("usd", UsdString(e.micro_usd));
      w.Member("added_at", FormatTime(e.added_at));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

// The project's usage rebuilt from this node's ledger (every month's days: the server's own
// meter keeps only recent days).
Result<std::unique_ptr<UsageMeter>> LedgerUsage(AdminCall& call) {
  return BillingUsage({call.api.options().ledger_dir}, call.store(), call.services.plans, call.services.clock, nullptr);
}

bool IsMonth(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6})
    if (m[i] < '0' || m[i] > '9') return false;
  return true;
}

}  // namespace

Result<ApiResponse> AdminGetUsage(AdminCall& call) {
  const ProjectInfo& p = *call.project;
  const Plan* plan = call.services.plans.Find(p.plan);
  const TimeMs cycle = CycleStart(call.now, p.cap_reset_day);
  const TimeMs reset = NextCycleStart(cycle, p.cap_reset_day);
  const UsageMeter* meter = call.services.meter;
  // GET /2/usage/tweets' project_usage: the cycle's distinct posts.
  const DayUsage totals = meter ? meter->CycleTotals(p.id, cycle) : DayUsage{};
  auto credits = CreditsOf(call);
  if (!credits.ok()) return credits.status();
  JsonWriter w;
  w.BeginObject();
  if (p.plan.empty()) {
    w.Key("plan");
    w.Null();
  } else {
    w.Member("plan", p.plan);
  }
  const bool capped = plan && plan->read_cap && *plan->read_cap > 0;
  w.Key("cap");
  capped ? w.Int(*plan->read_cap) : w.Null();
  w.MemberInt("used", totals.posts_read);
  w.Key("percent");
  if (capped) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", double(totals.posts_read) * 100.0 / double(*plan->read_cap));
    w.Raw(buf);
  } else {
    w.Null();
  }
  w.MemberInt("posts_written", totals.posts_written);
  w.Member("cycle_start", FormatTime(cycle));
  w.Member("reset_at", FormatTime(reset));
  // Every day of the cycle up to today, each with the apps that read posts that day.
  std::map<TimeMs, std::vector<AppDayUsage>> by_day;
  const TimeMs today = UtcDay(call.now);
  for (TimeMs d = cycle; d <= today; d += kDayMs) by_day[d];
  if (meter)
    for (const auto& d : meter->AppDays(p.id, cycle, today + kDayMs)) by_day[d.day].push_back(d);
  w.Key("daily");
  w.BeginArray();
  for (const auto& [day, apps] : by_day) {
    w.BeginObject();
    w.Member("date", FormatDate(day));
    w.Key("apps");
    w.BeginArray();
    for (const auto& a : apps) {
      w.BeginObject();
      w.MemberId("app_id", a.app_id);
      w.MemberInt("posts", a.posts_read);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("credits");
  WriteCredits(w, *credits, /*entries=*/false);
  w.EndObject();
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminGetLimits(AdminCall& call) {
  const Plan* plan = call.services.plans.Find(call.project->plan);
  auto apps = call.store().ListProjectApps(call.project->id);
  if (!apps.ok()) return apps.status();
  JsonWriter w;
  w.BeginArray();
  for (const auto& a : *apps) {
    if (a.revoked_at || !plan) continue;
    for (const EndpointLimit& l : plan->limits) {
      const TimeMs window = WindowMs(l.window);
      // Peek counts nothing. Without a limiter (metering.enabled = false) nothing is limited.
      LimitDecision d = call.services.limiter
                            ? call.services.limiter->Peek(LimiterKey(a.app.id, l.route), l.requests, window)
                            : LimitDecision{true, l.requests, l.requests, call.now};
      w.BeginObject();
      w.MemberId("app_id", a.app.id);
      w.Member("endpoint", l.endpoint);
      w.MemberInt("limit", l.requests);
      w.MemberInt("remaining", d.remaining);
      w.Member("reset", FormatTime(d.reset));
      w.MemberInt("window_s", window / 1000);
      w.EndObject();
    }
  }
  w.EndArray();
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminGetCredits(AdminCall& call) {
  auto credits = CreditsOf(call);
  if (!credits.ok()) return credits.status();
  JsonWriter w;
  WriteCredits(w, *credits, /*entries=*/true);
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminAddCredits(AdminCall& call) {
  if (Status s = RequireJsonContentType(call.request.content_type); !s.ok()) return s;
  auto amount = ParseCreditsBody(call.request.body);
  if (!amount.ok()) return amount.status();
  if (Status s = call.store().AddCredits(call.project->id, *amount, call.now); !s.ok()) return s;
  auto credits = CreditsOf(call);
  if (!credits.ok()) return credits.status();
  JsonWriter w;
  WriteCredits(w, *credits, /*entries=*/true);
  return AdminData(201, w.Take());
}

Result<ApiResponse> AdminGetInvoices(AdminCall& call) {
  const Plan* plan = call.services.plans.Find(call.project->plan);
  if (!plan) return AdminData(200, "[]");  // no plan (no app yet): nothing is owed
  auto meter = LedgerUsage(call);
  if (!meter.ok()) return meter.status();
  const std::string this_month = FormatDate(call.now).substr(0, 7);
  std::vector<std::string> months{this_month};
  for (const auto& d : (*meter)->Days(call.project->id, 0, call.now + kDayMs)) {
    std::string m = FormatDate(d.day).substr(0, 7);
    if (m != this_month && (months.size() == 1 || months.back() != m)) months.push_back(m);
  }
  std::sort(months.begin() + 1, months.end(), std::greater<>());
  JsonWriter w;
  w.BeginArray();
  for (const auto& m : months) {
    auto inv = ProjectInvoice(call.store(), **meter, *plan, call.project->id, m);
    if (!inv.ok()) return inv.status();
    w.BeginObject();
    w.Member("month", m);
    w.MemberBool("estimate", m == this_month);
    w.Member("total_usd", UsdString(inv->total_cents * 10'000));
    w.MemberInt("total_micro_usd", inv->total_cents * 10'000);
    w.EndObject();
  }
  w.EndArray();
  return AdminData(200, w.Take());
}

Result<ApiResponse> AdminGetInvoice(AdminCall& call) {
  if (!IsMonth(call.capture2))
    return InvalidRequest("month", std::string(call.capture2.substr(0, 20)), "The month must be YYYY-MM, e.g. 2026-12");
  const std::string month(call.capture2);
  const std::string_view q = call.request.query;
  if (!q.empty() && q != "format=csv" && q != "format=json")
    return InvalidRequest("format", std::string(q.substr(0, 40)), "The only query parameter is format=json or format=csv");
  const Plan* plan = call.services.plans.Find(call.project->plan);
  if (!plan) return NotFound("invoice", "month", month, "Project " + std::to_string(call.project->id) + " has no plan, so no invoice");
  auto meter = LedgerUsage(call);
  if (!meter.ok()) return meter.status();
  auto inv = ProjectInvoice(call.store(), **meter, *plan, call.project->id, month);
  if (!inv.ok()) return InvalidRequest("month", month, inv.status().message());
  if (q == "format=csv") {
    ApiResponse r = ApiResponse::Json(200, InvoiceCsv(*inv));
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"sluice-invoice-" +
                                                      std::to_string(call.project->id) + "-" + month + ".csv\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  return AdminData(200, InvoiceJson(*inv));
}

}  // namespace sluice
