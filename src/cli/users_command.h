#pragma once
//! `sluice users set-password`: sets a platform account's password (issue 15, signing in),
//! read from standard input, one line; prints the account as JSON. docs/accounts.md.

#include <memory>
#include <string>

#include "cli/common.h"

namespace sluice::cli {

struct UsersCommand {
  CLI::App *users = nullptr, *set_password = nullptr;
  std::string username;
  bool chosen() const { return static_cast<bool>(*users); }
};

std::unique_ptr<UsersCommand> AddUsersCommand(CLI::App& app, Common& common);
int RunUsersCommand(UsersCommand& c, Store& store);

}  // namespace sluice::cli
