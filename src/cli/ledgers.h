#pragma once
//! The ledgers of several nodes as one body of evidence: `--ledger PATH`, repeatable, on
//! `sluice ledger verify`, `prove`, `export`, `usage`, `invoice` and `trace`. Each node keeps its own ledger
//! (DATA/ledger of its data directory); these commands take them all.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace sluice::cli {

//! Adds --ledger (repeatable) to `cmd`, into `paths`.
void AddLedgersOption(CLI::App* cmd, std::vector<std::string>& paths);

//! The ledger directories `paths` name, in the order given: each path is a ledger directory
//! (it holds segments, checkpoints or a verifier key), a data directory (its ledger/ is one),
//! or a directory of those (each subdirectory that is one of the two, by name). None: the one
//! ledger of `data` (DATA/ledger). A CommandError for a path that holds no ledger, or for one
//! ledger named twice or two copies of one ledger (the same verifier key): counted twice,
//! its deliveries would be.
Result<std::vector<std::string>> ResolveLedgers(const std::vector<std::string>& paths, const std::string& data);

}  // namespace sluice::cli
