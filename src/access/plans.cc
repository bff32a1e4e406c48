#include "access/plans.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "core/config.h"

namespace sluice {

namespace {

// config/plans.toml, embedded at configure time (src/access/CMakeLists.txt).
constexpr std::string_view kDefaultPlansToml =
#include "default_plans.inc"
    ;

// The endpoints a plan may limit. Mirrors the routes of http/router.cc ("METHOD pattern",
// exactly as the router names them), plus GET /2/usage/tweets. Keep the two in step.
constexpr std::string_view kKnownEndpoints[] = {
    "GET /2/tweets",
    "GET /2/tweets/:id",
    "GET /2/tweets/search/recent",
    "GET /2/tweets/counts/recent",
    "GET /2/tweets/:id/quote_tweets",
    "POST /2/tweets",
    "DELETE /2/tweets/:id",
    "GET /2/users",
    "GET /2/users/:id",
    "GET /2/users/by",
    "GET /2/users/by/username/:username",
    "GET /2/users/:id/tweets",
    "GET /2/users/:id/mentions",
    "GET /2/usage/tweets",
};

// Uses an app gets only by declaring them (never by default).
bool IsAiUse(std::string_view use) { return use == "ai-input" || use == "ai-train"; }

constexpr int64_t kMaxApps = 10000;
constexpr size_t kMaxDollarDigits = 12;  // $999,999,999,999 in micro-dollars fits int64

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string TypeName(const toml::node& n) {
  std::ostringstream s;
  s << n.type();
  return s.str();
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
  int64_t requests = 0;
  auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), requests);
  if (ec != std::errc() || end != n.data() + n.size() || requests < 1) return std::nullopt;
  if (w == "15m") return std::pair{requests, LimitWindow::k15Minutes};
  if (w == "24h") return std::pair{requests, LimitWindow::k24Hours};
  return std::nullopt;
}

//! Reads one [plans.NAME] table into a Plan. Every error names the file and the full key.
class PlanReader {
 public:
  PlanReader(const std::string& file, std::string name) : file_(file), prefix_("plans." + name) {
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
  Status Bad(const std::string& key, std::string_view why) const {
    return CommandError(file_ + ": key '" + Full(key) + "' " + std::string(why));
  }
  Status WrongType(const std::string& key, const toml::node& n) const {
    return Bad(key, "has the wrong type (" + TypeName(n) + ")");
  }
  std::string Full(const std::string& key) const { return prefix_ + "." + key; }

  Result<std::string> String(const std::string& key, const toml::node& n) const {
    if (!n.is_string()) return WrongType(key, n);
    return *n.value<std::string>();
  }
  Result<int64_t> Integer(const std::string& key, const toml::node& n) const {
    if (!n.is_integer()) return WrongType(key, n);
    return *n.value<int64_t>();
  }
  Result<int64_t> Count(const std::string& key, const toml::node& n) const {
    auto v = Integer(key, n);
    if (v.ok() && *v < 0) return Bad(key, "must not be negative");
    return v;
  }
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
      auto v = Integer(key, n);
      if (!v.ok()) return v.status();
      if (*v < 1 || *v > kMaxApps) return Bad(key, "must be 1.." + std::to_string(kMaxApps));
      plan_.max_apps = int(*v);
      return Status::Ok();
    }
    if (key == "pay_per_use") {
      if (!n.is_boolean()) return WrongType(key, n);
      plan_.pay_per_use = *n.value<bool>();
      return Status::Ok();
    }
    if (key == "uses") return ReadUses(key, n);
    if (key == "limits") return ReadLimits(key, n);
    if (n.is_table()) return CommandError(file_ + ": unknown section '" + Full(key) + "'");
    return CommandError(file_ + ": unknown key '" + Full(key) + "'");
  }

  Status ReadUses(const std::string& key, const toml::node& n) {
    const auto* array = n.as_array();
    if (!array) return WrongType(key, n);
    plan_.uses.clear();
    for (const auto& item : *array) {
      if (!item.is_string()) return Bad(key, "must be an array of strings");
      std::string use = *item.value<std::string>();
      const auto& known = KnownUses();
      if (std::find(known.begin(), known.end(), use) == known.end())
        return Bad(key, "has unknown use '" + use + "' (known: " + Join(known) + ")");
      plan_.uses.push_back(use);
    }
    return Status::Ok();
  }

  Status ReadLimits(const std::string& key, const toml::node& n) {
    const auto* table = n.as_table();
    if (!table) return WrongType(key, n);
    for (const auto& [k, value] : *table) {
      std::string endpoint(k.str());
      std::string entry = key + ".\"" + endpoint + "\"";
      if (std::find(std::begin(kKnownEndpoints), std::end(kKnownEndpoints), endpoint) == std::end(kKnownEndpoints))
        return Bad(entry, "is not an endpoint Sluice serves (see docs/plans.md)");
      auto text = String(entry, value);
      if (!text.ok()) return text.status();
      auto limit = ParseLimit(*text);
      if (!limit) return Bad(entry, "must be \"N/15m\" or \"N/24h\" with N >= 1");
      plan_.limits.push_back({endpoint, limit->first, limit->second});
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
    if (plan_.overage_post_read_price && plan_.name.rfind("enterprise", 0) != 0)
      return Bad("overage_post_read_usd", "is allowed on enterprise plans only (names starting with 'enterprise')");
    return Status::Ok();
  }

  const std::string& file_;
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

const EndpointLimit* Plan::LimitFor(std::string_view endpoint) const {
  for (const auto& l : limits)
    if (l.endpoint == endpoint) return &l;
  return nullptr;
}

bool Plan::Permits(std::string_view use) const { return std::find(uses.begin(), uses.end(), use) != uses.end(); }

std::vector<std::string> Plan::DefaultUses() const {
  std::vector<std::string> out;
  for (const auto& u : uses)
    if (!IsAiUse(u)) out.push_back(u);
  return out;
}

Result<Plans> Plans::Parse(std::string_view toml_text, const std::string& name) {
  toml::table root;
  try {  // toml++ reports syntax errors by exception; loading plans is a start-up step
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& err) {
    return TomlSyntaxError(name, err.source().begin.line, err.description());
  }
  Plans plans;
  for (const auto& [k, node] : root) {
    std::string key(k.str());
    if (key != "plans") {
      if (node.is_table()) return OneLineError(CommandError(name + ": unknown section '" + key + "'"));
      return OneLineError(CommandError(name + ": unknown key '" + key + "'"));
    }
    const auto* table = node.as_table();
    if (!table) return CommandError(name + ": key 'plans' has the wrong type (" + TypeName(node) + ")");
    for (const auto& [plan_key, plan_node] : *table) {
      std::string plan_name(plan_key.str());
      if (!ValidPlanName(plan_name))
        return OneLineError(CommandError(name + ": key 'plans." + plan_name + "' is not a plan name (a-z, 0-9 and '-')"));
      const auto* plan_table = plan_node.as_table();
      if (!plan_table)
        return CommandError(name + ": key 'plans." + plan_name + "' has the wrong type (" + TypeName(plan_node) + ")");
      auto plan = PlanReader(name, plan_name).Read(*plan_table);
      if (!plan.ok()) return OneLineError(plan.status());
      plans.plans_.push_back(std::move(*plan));
    }
  }
  if (plans.plans_.empty()) return CommandError(name + ": no plans (expected [plans.NAME] tables)");
  return plans;
}

Result<Plans> Plans::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return OneLineError(CommandError(path + ": cannot read plans file"));  // the path comes from a config file
  std::stringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str(), path);
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
