#pragma once
//! `sluice keys rotate|revoke --data DIR --app ID`: a new bearer token for an app, or none.
//! Either takes effect on a running server (every worker) before the command returns.
//! `sluice keys rotate --client-secret`: a new OAuth 2.0 client secret instead (app_clients.h).

#include <memory>

#include "cli/common.h"

namespace sluice::cli {

struct KeysCommand {
  CLI::App *keys = nullptr, *rotate = nullptr, *revoke = nullptr;
  Id app_id = 0;
  bool client_secret = false;  // rotate the client secret, not the bearer token
  bool chosen() const { return *rotate || *revoke; }
};

std::unique_ptr<KeysCommand> AddKeysCommand(CLI::App& app, Common& common);
int RunKeysCommand(KeysCommand& c, const Common& common, Store& store);

}  // namespace sluice::cli
