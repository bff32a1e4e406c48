#pragma once
//! The authenticate stage, with a per-worker cache: the app a bearer token belongs to, looked
//! up in the store once and then reused for kAppCacheMs. A store lookup per request cost about
//! 8% of the CPU of GET /2/tweets/:id under load (docs/benchmarks.md, "HTTP, against nginx").

#include <optional>
#include <string_view>

#include "api/exchange.h"

namespace sluice {

//! The live app `authorization` names ("Bearer TOKEN"); nullopt when the header is missing,
//! malformed, or names no live app; an error only when the store failed. A hit is served from
//! the worker's app_cache (no lock). With services.revocations, a token revoked or rotated by
//! a call that returned before this one began is refused (the cache is emptied when the
//! generation moved); without, at most kAppCacheMs later. Unknown tokens are never cached.
//! Ages are measured at `now`, the request's time.
Result<std::optional<App>> AuthenticateCached(const Services& services, WorkerState& worker, TimeMs now,
                                              std::string_view authorization);

//! Sets Exchange::app, or refuses with 401 (Refusal::kToken).
class AuthenticateStage final : public Stage {
 public:
  std::string_view name() const override { return "authenticate"; }
  Verdict Run(Exchange& ex) override;
};

}  // namespace sluice
