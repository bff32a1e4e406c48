#pragma once
//! Plans as data: what each tier costs, which endpoints it may call and how often, its
//! monthly post caps, its app count and the uses (licence terms) it permits. Loaded once from
//! TOML (shipped defaults: config/plans.toml, compiled in) and then immutable. Loading rejects
//! unknown keys and bad values, naming the file and the key.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/routes.h"
#include "core/types.h"

namespace sluice {

using MicroUsd = int64_t;  // money is integer micro-dollars, never floating point

enum class LimitWindow { k15Minutes, k24Hours };
int64_t WindowMs(LimitWindow w);

//! A request limit on one endpoint, e.g. 450 per 15 minutes on "GET /2/tweets/:id": per app
//! (Plan::limits) or per user of an app (Plan::user_limits).
struct EndpointLimit {
  RouteId route = RouteId::kCount;
  std::string endpoint;  // EndpointName(route): method and route pattern
  int64_t requests = 0;
  LimitWindow window = LimitWindow::k15Minutes;
};

struct Plan {
  std::string name;                          // "free", "basic", "pro", "enterprise", "payg", ...
  std::string title;                         // "Basic"
  MicroUsd monthly_price = 0;                // subscription
  std::optional<int64_t> read_cap;           // posts read per cycle per project; nullopt: no reads at all,
                                             // except on pay_per_use plans (no cap: credits bound reads)
  std::optional<int64_t> write_cap;          // posts written per cycle per project; nullopt: unlimited
  int max_apps = 1;                          // apps per project
  std::vector<std::string> uses;             // permitted uses: search, display, analytics, ai-input, ai-train
                                             // (file order; omitted in the file: search, display, analytics)
  std::vector<EndpointLimit> limits;         // per app; sorted by endpoint
  //! Per user of an app (OAuth 2.0 user context: the app acting for one account), counted
  //! next to the app's window. An endpoint in neither list is not available (403).
  std::vector<EndpointLimit> user_limits;
  bool pay_per_use = false;                  // prepaid credits instead of a subscription
  MicroUsd post_read_price = 0;              // pay-per-use prices, deduplicated per UTC day
  MicroUsd user_read_price = 0;
  MicroUsd post_create_price = 0;
  std::optional<MicroUsd> overage_post_read_price;  // reads past the cap billed instead of refused
  //! The filtered stream (issue 16), all three set or none (0: the plan has no filtered stream).
  int64_t stream_rules = 0;        // rules per app
  int64_t stream_rule_length = 0;  // characters (code points) per rule value
  int64_t stream_connections = 0;  // streams open at once per app
  //! By RouteId: the index of its limit in `limits`, -1 when none (filled when the plan loads).
  std::array<int8_t, kRouteCount> limit_index = MakeNoLimits();
  std::array<int8_t, kRouteCount> user_limit_index = MakeNoLimits();  // the same for `user_limits`

  //! The limit on `route`; nullptr: the plan lacks the endpoint. Constant time.
  const EndpointLimit* LimitFor(RouteId route) const {
    int8_t i = limit_index[size_t(route)];
    return i < 0 ? nullptr : &limits[size_t(i)];
  }
  //! The per-user limit on `route`; nullptr: none (only the app's window counts). Constant time.
  const EndpointLimit* UserLimitFor(RouteId route) const {
    int8_t i = user_limit_index[size_t(route)];
    return i < 0 ? nullptr : &user_limits[size_t(i)];
  }
  //! Whether the plan has the endpoint: a per-app or a per-user limit on it.
  bool Offers(RouteId route) const { return LimitFor(route) || UserLimitFor(route); }
  bool Permits(std::string_view use) const;
  //! The uses an app gets when it declares none: `uses` minus ai-input and ai-train.
  std::vector<std::string> DefaultUses() const;

 private:
  static constexpr std::array<int8_t, kRouteCount> MakeNoLimits() {
    std::array<int8_t, kRouteCount> a{};
    a.fill(-1);
    return a;
  }
};

class Plans {
 public:
  //! The shipped defaults (config/plans.toml, compiled into the binary), parsed on first use
  //! (thread-safe); aborts if the compiled-in text is invalid (a build defect tests catch).
  static const Plans& Defaults();
  //! Reads a plans file; errors are CommandErrors like "plans.toml: unknown key 'plans.pro.price'".
  //! The format is documented in docs/plans.md and config/plans.toml. Call at start-up only.
  static Result<Plans> Load(const std::string& path);
  static Result<Plans> Parse(std::string_view toml_text, const std::string& name);

  //! nullptr when there is no plan of that name.
  const Plan* Find(std::string_view name) const;
  //! Sorted by name.
  const std::vector<Plan>& all() const { return plans_; }

 private:
  std::vector<Plan> plans_;
};

//! "100.00" or "0.005" (at most 6 decimals) as micro-dollars; nullopt for anything else.
std::optional<MicroUsd> ParseUsd(std::string_view text);

//! The vocabulary of uses, aligned with IETF aipref, Cloudflare content signals and RSL.
const std::vector<std::string>& KnownUses();

}  // namespace sluice
