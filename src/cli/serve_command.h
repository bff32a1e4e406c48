#pragma once
//! `sluice serve`: create and migrate the store once, then serve until SIGTERM (serve.h).

#include <memory>
#include <string>

#include "cli/common.h"

namespace sluice::cli {

struct ServeCommand {
  CLI::App* cmd = nullptr;
  std::string listen, admin_listen, tls_cert, tls_key, limits;
  bool app_tokens_write = false;
};

std::unique_ptr<ServeCommand> AddServeCommand(CLI::App& app, Common& common);
//! --listen, --admin-listen, --tls-cert, --tls-key and --limits over the config's; the two TLS files go
//! together; --limits is a redis:// URL (limits.url); --app-tokens-write sets oauth.app_tokens_write.
Status ApplyServeOptions(const ServeCommand& c, Config& config);
int RunServeCommand(ServeCommand& c, const Common& common, Config config);

}  // namespace sluice::cli
