#include "cli/keys_command.h"

#include <cstdio>

#include "access/app_clients.h"
#include "access/keys.h"
#include "core/json_writer.h"

namespace sluice::cli {

std::unique_ptr<KeysCommand> AddKeysCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<KeysCommand>();
  KeysCommand& c = *owned;
  c.keys = app.add_subcommand("keys", "replace or revoke an app's bearer token (a running server refuses the old one at once)");
  c.keys->require_subcommand(1);
  c.rotate = c.keys->add_subcommand("rotate", "give an app a new bearer token, printed once as JSON; the old one is refused");
  AddCommon(c.rotate, common);
  c.rotate->add_option("--app", c.app_id, "app id")->required()->check(IntIn<Id>(0));
  c.rotate->add_flag("--client-secret", c.client_secret,
                     "rotate the app's OAuth 2.0 client secret (and give it a client id if it has none) instead of its bearer token");
  c.revoke = c.keys->add_subcommand("revoke", "revoke an app: its bearer token is refused from now on");
  AddCommon(c.revoke, common);
  c.revoke->add_option("--app", c.app_id, "app id")->required()->check(IntIn<Id>(0));
  return owned;
}

int RunKeysCommand(KeysCommand& c, const Common& common, Store& store) {
  auto generation = RevocationGeneration::Open(common.data);
  if (!generation.ok()) return Fail(generation.status());
  if (*c.revoke) {
    if (Status s = RevokeKey(store, **generation, SystemClock::Instance(), c.app_id); !s.ok()) return Fail(s);
    JsonWriter w;
    w.BeginObject();
    w.MemberId("app_id", c.app_id);
    w.MemberBool("revoked", true);
    w.EndObject();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  if (c.client_secret) {
    auto secret = RotateClientSecret(store, **generation, c.app_id);
    if (!secret.ok()) return Fail(secret.status());
    JsonWriter w;
    w.BeginObject();
    w.MemberId("app_id", c.app_id);
    w.Member("client_id", secret->client_id);
    w.Member("client_secret", secret->client_secret);
    w.EndObject();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  auto token = RotateKey(store, **generation, c.app_id);
  if (!token.ok()) return Fail(token.status());
  auto app = store.GetProjectApp(c.app_id);
  if (!app.ok()) return Fail(app.status());
  if (*app) std::printf("%s\n", AppJson(CreatedApp{(*app)->app, *token}).c_str());
  return 0;
}

}  // namespace sluice::cli
