#include "cli/demo_command.h"

#include <cstdio>

#include "access/keys.h"
#include "cli/serve.h"
#include "core/snowflake.h"

namespace sluice::cli {

std::unique_ptr<DemoCommand> AddDemoCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<DemoCommand>();
  DemoCommand& c = *owned;
  c.cmd = app.add_subcommand("demo", "seed an empty data dir, create a demo app, serve, print a token and curl lines");
  AddCommon(c.cmd, common);
  c.cmd->add_option("--listen", c.listen, "HOST:PORT to listen on");
  return owned;
}

int RunDemoCommand(DemoCommand& c, const Common& common, Config config) {
  if (Status s = ApplyListen("--listen", c.listen, config.server.listen); !s.ok()) return Fail(s);
  // The demo's examples write with the app token it prints (README, "Examples").
  config.oauth.app_tokens_write = true;
  auto store = Open(common, config);
  if (!store.ok()) return Fail(store.status());
  auto posts = (*store)->CountPosts();
  if (!posts.ok()) return Fail(posts.status());
  if (*posts == 0) {
    std::fprintf(stderr, "seeding a demo data set in %s (5,000 users, 200,000 posts)...\n", common.data.c_str());
    if (Status s = Seed(**store, 5000, 200000, 1, config.node_id); !s.ok()) return Fail(s);
  }
  NewApp a;
  a.name = "sluice demo";
  a.plan = "pro";
  auto plans = LoadPlans(config);
  if (!plans.ok()) return Fail(plans.status());
  SnowflakeGenerator ids(SystemClock::Instance(), CommandNodeId(common));
  auto created = CreateApp(**store, ids, SystemClock::Instance(), *plans, a);
  if (!created.ok()) return Fail(created.status());
  auto sample = PickDemoSample(**store, created->bearer_token);
  if (!sample.ok()) return Fail(sample.status());
  // A fresh console key on each start, as the app's token is: the portal's sign-in.
  auto console_key = RotateConsoleKey(**store, created->app.project_id);
  if (!console_key.ok()) return Fail(console_key.status());
  sample->project_id = created->app.project_id;
  sample->console_key = *console_key;
  store->reset();
  return Serve(std::move(config), common, true, *sample);
}

}  // namespace sluice::cli
