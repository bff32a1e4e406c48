#pragma once
//! `sluice seed`: add deterministic synthetic users and posts (the same --seed, the same data).

#include <cstdint>
#include <memory>

#include "cli/common.h"

namespace sluice::cli {

struct SeedCommand {
  CLI::App* cmd = nullptr;
  int64_t users = 5000;
  int64_t posts = 200000;
  uint64_t seed = 1;
};

std::unique_ptr<SeedCommand> AddSeedCommand(CLI::App& app, Common& common);
int RunSeedCommand(SeedCommand& c, const Common& common, const Config& config, Store& store);

}  // namespace sluice::cli
