#include "billing/invoice.h"

#include <chrono>
#include <cstdio>

#include "core/json_writer.h"
#include "core/parse.h"

namespace sluice {

namespace {

std::string Cents(int64_t c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)(std::llabs(c) / 100),
                (long long)(std::llabs(c) % 100));
  return buf;
}

std::string Usd(MicroUsd m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", (long long)(m / 1'000'000), (long long)(m % 1'000'000));
  return buf;
}

InvoiceLine Line(std::string item, std::string description, int64_t quantity, MicroUsd unit_price) {
  return {std::move(item), std::move(description), quantity, unit_price, MicroUsdToCents(quantity * unit_price)};
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

int64_t MicroUsdToCents(MicroUsd m) { return m >= 0 ? (m + 5'000) / 10'000 : -((-m + 5'000) / 10'000); }

Result<std::pair<TimeMs, TimeMs>> MonthRange(std::string_view text) {
  // Four digits, '-', two digits: ParseInt takes no sign or space (sscanf's %2d took "2026- 1").
  const bool shape = text.size() == 7 && text[4] == '-';
  const auto y = ParseInt<int>(shape ? text.substr(0, 4) : "", 2006, 9999);
  const auto m = ParseInt<int>(shape ? text.substr(5, 2) : "", 1, 12);
  if (!y.ok() || !m.ok()) return CommandError("--month " + std::string(text) + ": expected YYYY-MM");
  using namespace std::chrono;
  auto start = sys_days{year{y.value} / std::chrono::month{unsigned(m.value)} / 1};
  auto end = sys_days{(year{y.value} / std::chrono::month{unsigned(m.value)} / 1) + months{1}};
  return std::make_pair(TimeMs(duration_cast<milliseconds>(start.time_since_epoch()).count()),
                        TimeMs(duration_cast<milliseconds>(end.time_since_epoch()).count()));
}

Invoice BuildInvoice(Id project_id, std::string_view month, const Plan& plan, const std::vector<DayUsage>& days,
                     MicroUsd credits_available) {
  Invoice inv;
  inv.project_id = project_id;
  inv.month = month;
  inv.plan = plan.name;
  int64_t posts = 0, users = 0, written = 0;
  for (const auto& d : days) {
    posts += d.posts_read;
    users += d.users_read;
    written += d.posts_written;
  }
  if (!plan.pay_per_use) {
    inv.lines.push_back(Line("subscription", "Plan " + plan.title + ", one month", 1, plan.monthly_price));
    if (plan.overage_post_read_price && plan.read_cap && posts > *plan.read_cap)
      inv.lines.push_back(Line("overage", "Posts read past the monthly cap of " + std::to_string(*plan.read_cap),
                               posts - *plan.read_cap, *plan.overage_post_read_price));
  } else {
    inv.lines.push_back(Line("posts-read", "Posts read (distinct per UTC day)", posts, plan.post_read_price));
    inv.lines.push_back(Line("users-read", "Users read (distinct per UTC day)", users, plan.user_read_price));
    inv.lines.push_back(Line("posts-created", "Posts created", written, plan.post_create_price));
    MicroUsd used = posts * plan.post_read_price + users * plan.user_read_price + written * plan.post_create_price;
    MicroUsd applied = std::min(used, std::max<MicroUsd>(credits_available, 0));
    if (applied > 0) inv.lines.push_back({"credits", "Prepaid credits applied", 1, -applied, -MicroUsdToCents(applied)});
  }
  for (const auto& l : inv.lines) inv.total_cents += l.amount_cents;
  return inv;
}

Result<Invoice> ProjectInvoice(Store& store, const UsageMeter& meter, const Plan& plan, Id project, std::string_view month) {
  auto range = MonthRange(month);
  if (!range.ok()) return range.status();
  // Credits that could pay this month: added before its end, minus what earlier months spent.
  auto entries = store.Credits(project);
  if (!entries.ok()) return entries.status();
  MicroUsd available = 0;
  for (const auto& entry : *entries)
    if (entry.added_at < range->second) available += entry.micro_usd;
  for (const auto& d : meter.Days(project, 0, range->first)) available -= d.spent;
  return BuildInvoice(project, month, plan, meter.Days(project, range->first, range->second), available);
}

std::string InvoiceJson(const Invoice& inv) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("project_id", inv.project_id);
  w.Member("month", inv.month);
  w.Member("plan", inv.plan);
  w.Member("currency", "USD");
  w.Key("lines");
  w.BeginArray();
  for (const auto& l : inv.lines) {
    w.BeginObject();
    w.Member("item", l.item);
    w.Member("description", l.description);
    w.MemberInt("quantity", l.quantity);
    w.Member("unit_price_usd", Usd(l.unit_price < 0 ? -l.unit_price : l.unit_price));
    w.MemberInt("amount_cents", l.amount_cents);
    w.Member("amount_usd", Cents(l.amount_cents));
    w.EndObject();
  }
  w.EndArray();
  w.MemberInt("total_cents", inv.total_cents);
  w.Member("total_usd", Cents(inv.total_cents));
  w.EndObject();
  return w.Take();
}

std::string InvoiceCsv(const Invoice& inv) {
  std::string out = "project_id,month,plan,item,description,quantity,unit_price_usd,amount_usd\n";
  std::string head = std::to_string(inv.project_id) + "," + inv.month + "," + CsvField(inv.plan) + ",";
  for (const auto& l : inv.lines)
    out += head + l.item + "," + CsvField(l.description) + "," + std::to_string(l.quantity) + "," +
           Usd(l.unit_price < 0 ? -l.unit_price : l.unit_price) + "," + Cents(l.amount_cents) + "\n";
  out += head + "total,Total due,,," + Cents(inv.total_cents) + "\n";
  return out;
}

}  // namespace sluice
