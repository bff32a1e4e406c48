#pragma once
//! What every `sluice` subcommand shares: the common options, settings, opening the store
//! and the ledger, progress on a terminal, and the one-line error exit.

#include <CLI/CLI.hpp>

#include <concepts>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "access/apps.h"
#include "access/plans.h"
#include "core/config.h"
#include "core/parse.h"
#include "ledger/ledger.h"
#include "store/store.h"

namespace sluice::cli {

struct Common {
  std::string data = "./sluice-data";
  std::string store_url;
  std::string config_file;
  int node_id = -1;
};

//! --data, --store, --config.
void AddCommon(CLI::App* cmd, Common& c);
//! Prints "sluice: <message>" on stderr; returns the exit code 1. `s` is an error.
int Fail(const Status& s);
Result<Config> LoadSettings(const Common& c);
Result<std::unique_ptr<Store>> Open(const Common& c, const Config& config);
Result<Plans> LoadPlans(const Config& config);
std::string LedgerDir(const Common& c);
//! `flag`'s HOST:PORT (--listen, --admin-listen): checked as the config's are
//! (ParseListenAddress), then put in `setting`; nothing when empty.
Status ApplyListen(std::string_view flag, const std::string& listen, std::string& setting);
//! The snowflake node id of commands other than the server: --node-id, else the last node id,
//! so that an `apps create` next to a running server (node 0 by default) can never make the
//! same id in the same millisecond.
int CommandNodeId(const Common& c);
//! Opens DATA/ledger. `on_checkpoint`: LedgerOptions::on_checkpoint (the server's usage
//! snapshots). The origin is LedgerOrigin's; `serving`: the server's node must be the ledger's.
Result<std::unique_ptr<Ledger>> OpenLedger(const Config& config, const Common& c, bool repair = false,
                                           std::function<void(const Checkpoint&)> on_checkpoint = {},
                                           bool serving = false);
//! The same for the ledger in `dir`, not serving.
Result<std::unique_ptr<Ledger>> OpenLedgerAt(const Config& config, const std::string& dir, bool repair = false);
//! The origin (checkpoint first line, and the signing key's name) of the ledger in `dir`: a
//! node's ledger names its node, "<ledger.origin>/node-<server.node_id>", so that the
//! checkpoints of several nodes' ledgers are told apart. A ledger keeps the origin its key
//! was made with (checkpoint.vkey names it), or its checkpoints would no longer verify: one
//! made before origins named the node keeps ledger.origin. `serving`: a CommandError when
//! the ledger's key names another node than config.node_id (a data directory of another node).
Result<std::string> LedgerOrigin(const Config& config, const std::string& dir, bool serving);
//! Progress bars, on a terminal only.
void Progress(const char* what, int64_t done, int64_t total);
void ScanProgress(uint64_t done, uint64_t total);
std::string AppJson(const CreatedApp& c);

//! A check for an integer flag: its text must be an integer as ParseInt reads it (CLI11 alone
//! takes " 5" and "0x10", and wraps "-1" for an unsigned flag) in [min, max]. CLI11 prints
//! "--users: Value 12abc is not an integer" or "--users: Value 0 not in range 1 to 10000000".
template <std::integral T>
CLI::Validator IntIn(T min = std::numeric_limits<T>::min(), T max = std::numeric_limits<T>::max()) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const auto parsed = ParseInt<T>(text, min, max);
        if (parsed.error == IntError::kNotAnInteger) return "Value " + text + " is not an integer";
        if (parsed.error == IntError::kOutOfRange)
          return "Value " + text + " not in range " + std::to_string(min) + " to " + std::to_string(max);
        return "";
      },
      "INT in [" + std::to_string(min) + " - " + std::to_string(max) + "]");
}

}  // namespace sluice::cli
