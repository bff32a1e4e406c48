#pragma once
//! The auth stage with a per-worker cache: the app a bearer token belongs to, looked up in
//! the store once and then reused for kAppCacheMs. A store lookup per request cost about 8%
//! of the CPU of GET /2/tweets/:id under load (docs/benchmarks.md, "HTTP, against nginx").

#include <string_view>

#include "api/context.h"

namespace sluice {

//! As Authenticate (access/tokens.h): 401 when the header is missing, malformed, or names no
//! live app. A hit is served from ctx.app_cache (this worker only, no lock). With
//! ctx.revocations set, a token revoked or rotated by a call that returned before this one
//! began is refused (the cache is emptied when the generation moved); without, at most
//! kAppCacheMs later. Unknown tokens are never cached. Ages are measured at the request's
//! time (ctx.now).
Result<App> AuthenticateCached(ApiContext& ctx, std::string_view authorization);

}  // namespace sluice
