#pragma once
//! `sluice serve` and `sluice demo`: open the plans, the ledger and the usage meter, serve
//! until SIGTERM; and the deterministic seed both `demo` and `seed` use.

#include <string>

#include "cli/common.h"

namespace sluice::cli {

// What `sluice demo` shows in its curl lines: its token, a recent post and its author.
struct DemoSample {
  std::string token;
  Id post_id = 0;
  Id author_id = 0;
  Id project_id = 0;         // the demo app's
  std::string console_key;   // its project's (the portal's sign-in)
};

Status Seed(Store& store, int64_t users, int64_t posts, uint64_t seed, int node_id);
Result<DemoSample> PickDemoSample(Store& store, std::string token);
//! The admin token's file: [admin] token_file, else DATA/admin.token.
std::string AdminTokenPath(const Config& config, const Common& c);
//! Serves until SIGTERM; prints the demo banner when `demo_banner`. Returns the exit code.
int Serve(Config config, const Common& c, bool demo_banner, const DemoSample& demo);

}  // namespace sluice::cli
