#pragma once
//! Router: maps a method and path to an API handler, then runs the request path for /2
//! routes (authenticate -> handler). Knows nothing of sockets; the server calls Dispatch.

#include "api/context.h"
#include "api/handlers.h"

namespace sluice {

//! Runs one request to completion. Never throws: every failure becomes a problem response.
ApiResponse Dispatch(ApiContext& ctx, const ApiRequest& req);

}  // namespace sluice
