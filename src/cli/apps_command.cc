#include "cli/apps_command.h"

#include <cstdio>
#include <limits>

#include "access/app_clients.h"
#include "core/json_writer.h"
#include "core/parse.h"
#include "core/snowflake.h"

namespace sluice::cli {

std::unique_ptr<AppsCommand> AddAppsCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<AppsCommand>();
  AppsCommand& c = *owned;
  c.apps = app.add_subcommand("apps", "manage API clients");
  c.apps->require_subcommand(1);
  c.create = c.apps->add_subcommand("create", "create an app and print its bearer token (shown once) as JSON");
  AddCommon(c.create, common);
  c.create->add_option("--name", c.app.name, "app name")->required();
  c.create->add_option("--plan", c.app.plan, "plan: free, basic, pro, payg, enterprise, ... (docs/plans.md)")->capture_default_str();
  c.create->add_option("--project", c.project, "existing project id (default: a new project)");
  c.create->add_option("--use", c.uses, "declared uses, comma-separated: search,display,analytics,ai-input,ai-train (default: the plan's uses except ai-input, ai-train)");
  c.create->add_option("--redirect-uri", c.app.redirect_uris, "an OAuth 2.0 redirect URI to register (repeatable; https, or http on a loopback host)")
      ->take_all();
  c.create->add_flag("--public-client", c.app.public_client,
                     "a public OAuth 2.0 client (a native or single-page app): a client id and no client secret");
  c.redirect_uris = c.apps->add_subcommand("redirect-uris", "change an app's OAuth 2.0 redirect URIs (none: list them) and print them as JSON");
  AddCommon(c.redirect_uris, common);
  c.redirect_uris->add_option("--app", c.app_id, "app id")->required()->check(IntIn<Id>(0));
  c.redirect_uris->add_option("--add", c.add, "a redirect URI to register (repeatable)")->take_all();
  c.redirect_uris->add_option("--remove", c.remove, "a registered redirect URI to remove (repeatable)")->take_all();
  return owned;
}

namespace {

int RunRedirectUris(AppsCommand& c, Store& store) {
  auto uris = ChangeRedirectUris(store, c.app_id, c.add, c.remove);
  if (!uris.ok()) return Fail(uris.status());
  JsonWriter w;
  w.BeginObject();
  w.MemberId("app_id", c.app_id);
  w.Key("redirect_uris");
  w.BeginArray();
  for (const auto& u : *uris) w.String(u);
  w.EndArray();
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

}  // namespace

int RunAppsCommand(AppsCommand& c, const Common& common, const Config& config, Store& store) {
  if (*c.redirect_uris) return RunRedirectUris(c, store);
  NewApp new_app = c.app;
  if (!c.uses.empty()) {
    new_app.uses.clear();
    for (auto use : SplitCommaList(c.uses))
      if (!use.empty()) new_app.uses.emplace_back(use);  // "search,,display" as before: empty items skipped
  }
  if (!c.project.empty()) {
    auto id = ParseIntSetting<Id>("--project", c.project, 1, std::numeric_limits<Id>::max());
    if (!id.ok()) return Fail(id.status());
    new_app.project_id = *id;
  }
  auto plans = LoadPlans(config);
  if (!plans.ok()) return Fail(plans.status());
  SnowflakeGenerator ids(SystemClock::Instance(), CommandNodeId(common));
  auto created = CreateApp(store, ids, SystemClock::Instance(), *plans, new_app);
  if (!created.ok()) return Fail(created.status());
  std::printf("%s\n", AppJson(*created).c_str());
  return 0;
}

}  // namespace sluice::cli
