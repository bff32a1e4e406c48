#pragma once
//! `sluice credits add`, `sluice usage`, `sluice invoice`: money and usage, from the store
//! and the ledger.

#include <memory>
#include <string>

#include "cli/common.h"

namespace sluice::cli {

struct BillingCommand {
  CLI::App *credits = nullptr, *credits_add = nullptr, *usage = nullptr, *invoice = nullptr;
  std::string usd, month, format = "json";
  Id billing_project = 0;
  std::vector<std::string> ledgers;  // --ledger: several nodes' ledgers
  bool chosen() const { return *credits_add || *usage || *invoice; }
};

std::unique_ptr<BillingCommand> AddBillingCommands(CLI::App& app, Common& common);
int RunBillingCommand(BillingCommand& c, Common& common, const Config& config, Store& store);

}  // namespace sluice::cli
