#include "access/plans.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "core/config.h"
#include "core/parse.h"
#include "core/strict_toml.h"

namespace sluice {

namespace {

// config/plans.toml, embedded at configure time (src/access/CMakeLists.txt).
constexpr std::string_view kDefaultPlansToml =
#include "default_plans.inc"
    ;


// Uses an app gets only by declaring them (never by default).
bool IsAiUse(std::string_view use) { return use == "ai-input" || use == "ai-train"; }

constexpr int64_t kMaxApps = 10000;
constexpr int64_t kMaxStreamRules = 1000000;
constexpr int64_t kMaxStreamRuleLength = 4096;  // X's OpenAPI: a query is at most 4,096 characters
constexpr int64_t kMaxStreamConnections = 1000;
constexpr size_t kMaxDollarDigits = 12;  // $999,999,999,999 in micro-dollars fits int64

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "100.00" -> 100'000'000 micro-dollars. Digits, then optionally '.' and 1 to 6 digits.
std::optional<MicroUsd> ParseMoney(std::string_view s) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  auto digits = [](std::string_view d) { return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  if (whole.empty() || whole.size() > kMaxDollarDigits || !digits(whole)) return std::nullopt;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 6 || !digits(frac))) return std::nullopt;
  MicroUsd micro = 0;
  for (char c : whole) micro = micro * 10 + (c - '0');
  for (size_t i = 0; i < 6; ++i) micro = micro * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  return micro;
}

// "450/15m" -> {450, 15 minutes}. N >= 1.
std::optional<std::pair<int64_t, LimitWindow>> ParseLimit(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string_view n = s.substr(0, slash), w = s.substr(slash + 1);
  const auto requests = ParseInt<int64_t>(n, 1);
  if (!requests.ok()) return std::nullopt;
  if (w == "15m") return std::pair{requests.value, LimitWindow::k15Minutes};
  if (w == "24h") return std::pair{requests.value, LimitWindow::k24Hours};
  return std::nullopt;
}

//! Reads one [plans.NAME] table into a Plan. Every error names the file and the full key.
class PlanReader {
 public:
  PlanReader(const StrictToml& toml, std::string name) : toml_(toml), prefix_("plans." + name) {
    plan_.name = std::move(name);
    plan_.uses = {"search", "display", "analytics"};
  }

  Result<Plan> Read(const toml::table& table) {
    for (const auto& [k, node] : table) {
      std::string key(k.str());
      if (Status s = ReadKey(key, node); !s.ok()) return s;
      seen_.insert(key);
    }
    if (Status s = CrossCheck(); !s.ok()) return s;
    return std::move(plan_);
  }

 private:
  Status Bad(const std::string& key, std::string_view why) const { return toml_.Bad(Full(key), why); }
  std::string Full(const std::string& key) const { return prefix_ + "." + key; }

  Result<std::string> String(const std::string& key, const toml::node& n) const { return toml_.String(Full(key), n); }
  Result<int64_t> Count(const std::string& key, const toml::node& n) const { return toml_.Integer(Full(key), n, 0); }
  Result<MicroUsd> Money(const std::string& key, const toml::node& n) const {
    auto text = String(key, n);
    if (!text.ok()) return text.status();
    auto micro = ParseMoney(*text);
    if (!micro) return Bad(key, "must be a decimal string of dollars with at most 6 decimals, like \"100.00\"");
    return *micro;
  }

  Status ReadKey(const std::string& key, const toml::node& n) {
    auto set = [](auto result, auto& field) -> Status {
      if (!result.ok()) return result.status();
      field = *result;
      return Status::Ok();
    };
    if (key == "title") return set(String(key, n), plan_.title);
    if (key == "monthly_price_usd") return set(Money(key, n), plan_.monthly_price);
    if (key == "read_cap") return set(Count(key, n), plan_.read_cap);
    if (key == "write_cap") return set(Count(key, n), plan_.write_cap);
    if (key == "post_read_usd") return set(Money(key, n), plan_.post_read_price);
    if (key == "user_read_usd") return set(Money(key, n), plan_.user_read_price);
    if (key == "post_create_usd") return set(Money(key, n), plan_.post_create_price);
    if (key == "overage_post_read_usd") return set(Money(key, n), plan_.overage_post_read_price);
    if (key == "max_apps") {
      auto v = toml_.Integer(Full(key), n, 1, kMaxApps);
      if (!v.ok()) return v.status();
      plan_.max_apps = int(*v);  // in range, so fits
      return Status::Ok();
    }
    if (key == "stream_rules") return set(toml_.Integer(Full(key), n, 1, kMaxStreamRules), plan_.stream_rules);
    if (key == "stream_rule_length")
      return set(toml_.Integer(Full(key), n, 1, kMaxStreamRuleLength), plan_.stream_rule_length);
    if (key == "stream_connections")
      return set(toml_.Integer(Full(key), n, 1, kMaxStreamConnections), plan_.stream_connections);
    if (key == "pay_per_use") return set(toml_.Bool(Full(key), n), plan_.pay_per_use);
    if (key == "uses") return ReadUses(key, n);
    if (key == "limits") return ReadLimits(key, n, plan_.limits, plan_.limit_index);
    if (key == "user_limits") return ReadLimits(key, n, plan_.user_limits, plan_.user_limit_index);
    return toml_.Unknown(Full(key), n);
  }

  Status ReadUses(const std::string& key, const toml::node& n) {
    auto uses = toml_.Strings(Full(key), n);
    if (!uses.ok()) return uses.status();
    plan_.uses.clear();
    for (const auto& use : *uses) {
      const auto& known = KnownUses();
      if (std::find(known.begin(), known.end(), use) == known.end())
        return Bad(key, "has unknown use '" + use + "' (known: " + Join(known) + ")");
      plan_.uses.push_back(use);
    }
    return Status::Ok();
  }

  // [plans.NAME.limits] or [plans.NAME.user_limits] into `out`, indexed by route in `index`.
  Status ReadLimits(const std::string& key, const toml::node& n, std::vector<EndpointLimit>& out,
                    std::array<int8_t, kRouteCount>& index) {
    const auto* table = n.as_table();
    if (!table) return toml_.WrongType(Full(key), n);
    for (const auto& [k, value] : *table) {
      std::string endpoint(k.str());
      std::string entry = key + ".\"" + endpoint + "\"";
      auto route = RouteByEndpoint(endpoint);
      if (!route || RouteOf(*route).kind != RouteKind::kApi)
        return Bad(entry, "is not an endpoint Sluice serves (see docs/plans.md)");
      auto text = String(entry, value);
      if (!text.ok()) return text.status();
      auto limit = ParseLimit(*text);
      if (!limit) return Bad(entry, "must be \"N/15m\" or \"N/24h\" with N >= 1");
      index[size_t(*route)] = int8_t(out.size());
      out.push_back({*route, endpoint, limit->first, limit->second});
    }
    return Status::Ok();
  }

  // Rules between keys, checked once the whole table is read.
  Status CrossCheck() const {
    for (const char* required : {"title", "monthly_price_usd", "max_apps"})
      if (!seen_.count(required)) return Bad(required, "is missing");
    const char* prices[] = {"post_read_usd", "user_read_usd", "post_create_usd"};
    for (const char* price : prices) {
      if (plan_.pay_per_use && !seen_.count(price))
        return Bad("pay_per_use", "needs post_read_usd, user_read_usd and post_create_usd");
      if (!plan_.pay_per_use && seen_.count(price)) return Bad(price, "needs pay_per_use = true");
    }
    const int streams = int(seen_.count("stream_rules") + seen_.count("stream_rule_length") +
                            seen_.count("stream_connections"));
    if (streams != 0 && streams != 3)
      return Bad(seen_.count("stream_rules") ? "stream_rules" : seen_.count("stream_rule_length") ? "stream_rule_length"
                                                                                                 : "stream_connections",
                 "needs stream_rules, stream_rule_length and stream_connections together");
    for (RouteId r : {RouteId::kAddOrDeleteStreamRules, RouteId::kGetStreamRules, RouteId::kGetStreamRuleCounts})
      if (plan_.Offers(r) && streams == 0)
        return Bad("limits", "has \"" + std::string(EndpointName(r)) +
                                 "\": the plan then needs stream_rules, stream_rule_length and stream_connections");
    if (plan_.overage_post_read_price && plan_.name.rfind("enterprise", 0) != 0)
      return Bad("overage_post_read_usd", "is allowed on enterprise plans only (names starting with 'enterprise')");
    return Status::Ok();
  }

  const StrictToml& toml_;
  std::string prefix_;
  Plan plan_;
  std::set<std::string> seen_;
};

bool ValidPlanName(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace

int64_t WindowMs(LimitWindow w) {
  switch (w) {
    case LimitWindow::k15Minutes: return 15 * 60 * 1000;
    case LimitWindow::k24Hours: return 24 * 60 * 60 * 1000;
  }
  return 0;
}

std::optional<MicroUsd> ParseUsd(std::string_view text) { return ParseMoney(text); }

const std::vector<std::string>& KnownUses() {
  static const std::vector<std::string> uses = {"search", "display", "analytics", "ai-input", "ai-train"};
  return uses;
}

bool Plan::Permits(std::string_view use) const { return std::find(uses.begin(), uses.end(), use) != uses.end(); }

std::vector<std::string> Plan::DefaultUses() const {
  std::vector<std::string> out;
  for (const auto& u : uses)
    if (!IsAiUse(u)) out.push_back(u);
  return out;
}

Result<Plans> Plans::Parse(std::string_view toml_text, const std::string& name) {
  auto root = ParseToml(toml_text, name);
  if (!root.ok()) return root.status();
  const StrictToml toml(name);
  Plans plans;
  for (const auto& [k, node] : *root) {
    std::string key(k.str());
    if (key != "plans") return toml.Unknown(key, node);
    const auto* table = node.as_table();
    if (!table) return toml.WrongType(key, node);
    for (const auto& [plan_key, plan_node] : *table) {
      std::string plan_name(plan_key.str());
      if (!ValidPlanName(plan_name)) return toml.Bad("plans." + plan_name, "is not a plan name (a-z, 0-9 and '-')");
      const auto* plan_table = plan_node.as_table();
      if (!plan_table) return toml.WrongType("plans." + plan_name, plan_node);
      auto plan = PlanReader(toml, plan_name).Read(*plan_table);
      if (!plan.ok()) return plan.status();
      plans.plans_.push_back(std::move(*plan));
    }
  }
  if (plans.plans_.empty()) return toml.Error("no plans (expected [plans.NAME] tables)");
  return plans;
}

Result<Plans> Plans::Load(const std::string& path) {
  auto text = ReadTomlFile(path, "plans file");
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

const Plans& Plans::Defaults() {
  static const Plans defaults = [] {
    auto parsed = Parse(kDefaultPlansToml, "config/plans.toml");
    if (!parsed.ok()) {  // a build defect: tests parse the same text
      std::fprintf(stderr, "built-in plans are invalid: %s\n", parsed.status().message().c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  return defaults;
}

const Plan* Plans::Find(std::string_view name) const {
  for (const auto& p : plans_)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace sluice
