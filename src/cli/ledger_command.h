#pragma once
//! `sluice ledger verify|checkpoint|repair|prove|consistency|pubkey|export|check-proof`.

#include <memory>
#include <string>

#include "cli/common.h"

namespace sluice::cli {

struct LedgerCommand {
  CLI::App* cmd = nullptr;
  CLI::App *verify = nullptr, *checkpoint = nullptr, *prove = nullptr, *consistency = nullptr, *pubkey = nullptr,
           *exporter = nullptr, *check = nullptr, *repair = nullptr;
  std::string ledger_data = "./sluice-data", proof_file, pubkey_text, from_time, to_time;
  Id ledger_app = 0, ledger_post = 0, authorized_by = 0;
  uint64_t from_size = 0, to_size = 0;
  bool notice = false;  // prove --notice: the compliance notices that told the app of the post
  std::vector<std::string> ledgers;  // verify --ledger: several nodes' ledgers
};

std::unique_ptr<LedgerCommand> AddLedgerCommand(CLI::App& app, Common& common);
int RunLedgerCommand(LedgerCommand& c, Common& common);

}  // namespace sluice::cli
