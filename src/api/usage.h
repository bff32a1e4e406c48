#pragma once
//! Usage: the post caps and pay-per-use stage of the request path, its rebuild from the
//! ledger, and GET /2/usage/tweets. The ledger is the source of truth: the UsageMeter is
//! only its summary, replayed at start.

#include <optional>
#include <string>

#include "access/plans.h"
#include "access/usage_meter.h"
#include "api/context.h"
#include "ledger/tools.h"

namespace sluice {

//! Replays every delivery and write the ledger in `ledger_dir` records into `meter`, priced
//! by each project's plan. A missing ledger is an empty one. Trap records (the store's
//! traps, ledgered among a page's posts) are left out: never counted or billed.
Status RebuildUsage(const std::string& ledger_dir, Store& store, const Plans& plans, UsageMeter& meter,
                    const LedgerProgress& progress);

//! The project's budget now: its cycle, caps and (pay-per-use) credits left. Project facts
//! come from the worker's cache (ApiContext::project_cache), read from the store when stale.
Result<Budget> ProjectBudget(ApiContext& ctx, const Plan& plan, Id project, TimeMs now);

//! Before a write's effect (POST /2/tweets): reserves its budget, the write cap and the
//! pay-per-use price, refused whole with 429 (write cap) or 402 (credits) with nothing
//! counted. The router keeps the charge once the write's record is durable and releases it
//! (UsageMeter::Refund) when the handler or the ledger fails. nullopt: nothing is metered.
Result<std::optional<UsageCharge>> ReserveWrite(ApiContext& ctx, const App& app, const Plan& plan);
//! After a read's handler: charges what the response delivers (trap records excluded), or
//! refuses it whole; a refused response must not be sent: the error replaces it. nullopt
//! when the response costs nothing (an error, a write, nothing delivered, no meter).
Result<std::optional<UsageCharge>> ChargeResponse(ApiContext& ctx, const App& app, const Plan& plan,
                                                  const ApiRequest& req, const ApiResponse& response);

//! GET /2/usage/tweets (days 1-90, usage.fields=daily_project_usage,daily_client_app_usage).
Result<ApiResponse> GetUsage(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view);

}  // namespace sluice
