#pragma once
//! Invoices: what a project owes for one calendar month (UTC), from its plan and the usage
//! the ledger records (UsageMeter days), in integer cents. Lines: the subscription, overage
//! (only where the plan sets an overage price), pay-per-use by resource, and the prepaid
//! credits that paid for it. Rebuilt from the ledger, so the same before and after a restart.

#include <string>
#include <string_view>
#include <vector>

#include "access/plans.h"
#include "access/usage_meter.h"
#include "store/store.h"

namespace sluice {

struct InvoiceLine {
  std::string item;         // subscription, overage, posts-read, users-read, posts-created, credits
  std::string description;
  int64_t quantity = 0;
  MicroUsd unit_price = 0;
  int64_t amount_cents = 0;  // negative for credits
};

struct Invoice {
  Id project_id = 0;
  std::string month;  // YYYY-MM
  std::string plan;
  std::vector<InvoiceLine> lines;
  int64_t total_cents = 0;
};

//! [start, end) of a "YYYY-MM" month in ms; a CommandError for anything else.
Result<std::pair<TimeMs, TimeMs>> MonthRange(std::string_view month);

//! `days`: the project's usage for the days of the month; `credits_available`: prepaid
//! credits not spent before the month plus those added during it.
Invoice BuildInvoice(Id project_id, std::string_view month, const Plan& plan, const std::vector<DayUsage>& days,
                     MicroUsd credits_available);

//! The invoice of `project` for `month` ("YYYY-MM") from `meter` (rebuilt from the ledger:
//! RebuildUsage) and the project's credits in `store`: what `sluice invoice` prints and the
//! admin API serves. Errors: MonthRange's, the store's.
Result<Invoice> ProjectInvoice(Store& store, const UsageMeter& meter, const Plan& plan, Id project, std::string_view month);

std::string InvoiceJson(const Invoice& invoice);
std::string InvoiceCsv(const Invoice& invoice);

//! Micro-dollars to cents, rounding half away from zero.
int64_t MicroUsdToCents(MicroUsd m);

}  // namespace sluice
