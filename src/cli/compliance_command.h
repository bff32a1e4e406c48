#pragma once
//! The operator's compliance commands (issue 16, docs/api.md "Compliance"): states set on an
//! account or a post, each noted as a compliance event that the compliance streams of every
//! running server on the same store send within a poll (Store::ApplyComplianceEvent):
//!   sluice users suspend|unsuspend|delete|undelete|protect|unprotect (--username NAME | --id ID)
//!   sluice users withhold --countries DE,FR (--username NAME | --id ID)
//!   sluice users scrub-geo --up-to POST_ID (--username NAME | --id ID)
//!   sluice posts withhold --id POST_ID --countries DE,FR
//! Each prints one JSON object: {"event","user_id"[,"post_id"][,"withheld_in_countries"],
//! "changed"}; "changed" false when the account or post was in that state already (nothing
//! noted). An unknown account or post is an error (exit 1, nothing written).

#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"

namespace sluice::cli {

struct ComplianceCommand {
  CLI::App* posts = nullptr;
  std::vector<std::pair<CLI::App*, ComplianceEvent::Kind>> commands;
  std::string username;
  Id id = 0;
  std::string countries;
  Id up_to = 0;
  //! The command given, if one of these.
  std::optional<ComplianceEvent::Kind> chosen() const;
};

//! Adds the `users` subcommands to `users` (AddUsersCommand's) and the `posts` command to `app`.
std::unique_ptr<ComplianceCommand> AddComplianceCommands(CLI::App& app, CLI::App& users, Common& common);
int RunComplianceCommand(ComplianceCommand& c, Store& store);

}  // namespace sluice::cli
