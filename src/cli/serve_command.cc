#include "cli/serve_command.h"

#include "access/redis_client.h"
#include "cli/serve.h"

namespace sluice::cli {

std::unique_ptr<ServeCommand> AddServeCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<ServeCommand>();
  ServeCommand& c = *owned;
  c.cmd = app.add_subcommand("serve", "serve the API");
  AddCommon(c.cmd, common);
  c.cmd->add_option("--listen", c.listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)");
  c.cmd->add_option("--admin-listen", c.admin_listen,
                    "HOST:PORT of the admin API's and the portal's own listener; they are then served there only (admin.listen)");
  c.cmd->add_option("--tls-cert", c.tls_cert, "PEM certificate chain: serve HTTPS");
  c.cmd->add_option("--tls-key", c.tls_key, "PEM private key");
  c.cmd->add_option("--limits", c.limits, "redis://HOST:PORT: count rate limits, caps and credits in Redis, shared by every node");
  c.cmd->add_option("--node-id", common.node_id, "snowflake node id, 0-1023")->check(IntIn(0, 1023));
  c.cmd->add_flag("--app-tokens-write", c.app_tokens_write,
                  "app bearer tokens may write as the app's own account (X refuses them on its write endpoints; oauth.app_tokens_write)");
  return owned;
}

Status ApplyServeOptions(const ServeCommand& c, Config& config) {
  if (Status s = ApplyListen("--listen", c.listen, config.server.listen); !s.ok()) return s;
  if (Status s = ApplyListen("--admin-listen", c.admin_listen, config.admin.listen); !s.ok()) return s;
  if (c.app_tokens_write) config.oauth.app_tokens_write = true;
  if (!c.limits.empty()) {
    RedisOptions redis;
    if (Status s = ParseRedisUrl(c.limits, redis); !s.ok()) return s;
    config.limits.url = c.limits;
  }
  if (c.tls_cert.empty() && c.tls_key.empty()) return Status::Ok();
  if (c.tls_cert.empty() || c.tls_key.empty()) return CommandError("--tls-cert and --tls-key go together");
  config.server.tls_cert = c.tls_cert;
  config.server.tls_key = c.tls_key;
  return Status::Ok();
}

int RunServeCommand(ServeCommand& c, const Common& common, Config config) {
  if (Status s = ApplyServeOptions(c, config); !s.ok()) return Fail(s);
  auto store = Open(common, config);  // creates and migrates once, before workers open theirs
  if (!store.ok()) return Fail(store.status());
  store->reset();
  return Serve(std::move(config), common, false, {});
}

}  // namespace sluice::cli
