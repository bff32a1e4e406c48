#pragma once
//! Usage: the meter's rebuild from the ledger (`sluice usage`, `invoice`; the server starts
//! from a usage snapshot, usage_snapshot.h), and GET /2/usage/tweets (the cap and credit
//! stages are budget.h). The ledger is the source of truth: the UsageMeter is only its summary.

#include <memory>
#include <optional>
#include <string>
#include <vector>

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
//! The same over the ledgers of several nodes, as one body of evidence: their metered records
//! are replayed merged by time (each ledger in its own order; ties: the order of
//! `ledger_dirs`), so a post delivered to a project by two nodes on one UTC day counts once,
//! as on one node. Reads each ledger in chunks: memory does not grow with the ledgers.
Status RebuildUsage(const std::vector<std::string>& ledger_dirs, Store& store, const Plans& plans, UsageMeter& meter,
                    const LedgerProgress& progress);

//! A meter for invoices and `sluice invoice --usage`: RebuildUsage over `ledger_dirs` into a
//! meter that keeps every day (the server's keeps UsageMeter::kRetentionDays), so a month of
//! any age is billed from its own days.
Result<std::unique_ptr<UsageMeter>> BillingUsage(const std::vector<std::string>& ledger_dirs, Store& store,
                                                 const Plans& plans, const Clock& clock, const LedgerProgress& progress);

//! GET /2/usage/tweets (days 1-90, usage.fields=daily_project_usage,daily_client_app_usage).
Result<ApiResponse> GetUsage(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view);

}  // namespace sluice
