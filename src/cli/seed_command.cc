#include "cli/seed_command.h"

#include <cstdio>

#include "cli/serve.h"

namespace sluice::cli {

std::unique_ptr<SeedCommand> AddSeedCommand(CLI::App& app, Common& common) {
  auto owned = std::make_unique<SeedCommand>();
  SeedCommand& c = *owned;
  c.cmd = app.add_subcommand("seed", "add deterministic synthetic users and posts");
  AddCommon(c.cmd, common);
  c.cmd->add_option("--users", c.users, "number of users")->capture_default_str()->check(IntIn<int64_t>(1, 10'000'000));
  c.cmd->add_option("--posts", c.posts, "number of posts")->capture_default_str()->check(IntIn<int64_t>(0, 100'000'000));
  c.cmd->add_option("--seed", c.seed, "random seed: the same seed gives the same data")->capture_default_str()->check(IntIn<uint64_t>());
  return owned;
}

int RunSeedCommand(SeedCommand& c, const Common& common, const Config& config, Store& store) {
  if (Status s = Seed(store, c.users, c.posts, c.seed, config.node_id); !s.ok()) return Fail(s);
  std::printf("seeded %lld users and %lld posts into %s\n", (long long)c.users, (long long)c.posts, common.data.c_str());
  return 0;
}

}  // namespace sluice::cli
