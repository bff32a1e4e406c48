#pragma once
//! Creating apps (API clients): the project they belong to, their plan, declared uses, the
//! account they post as, and a new bearer token.

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/snowflake.h"
#include "store/store.h"

namespace sluice {

//! Plans Sluice ships (their limits and prices arrive with the plans issue).
const std::vector<std::string>& KnownPlans();
//! The vocabulary of declared uses (aligned with IETF aipref / RSL).
const std::vector<std::string>& KnownUses();

struct NewApp {
  std::string name;
  std::string plan = "basic";
  std::optional<Id> project_id;  // none: a new project named after the app
  std::vector<std::string> uses = {"search", "display", "analytics"};
};

struct CreatedApp {
  App app;
  std::string bearer_token;  // shown once; only its hash is stored
};

//! Validates and stores a new app, its project if new, and its posting account (a user named
//! after the app). Errors: CommandError for an unknown plan or use, a missing project, or an
//! empty name.
Result<CreatedApp> CreateApp(Store& store, SnowflakeGenerator& ids, const Clock& clock, const NewApp& request);

}  // namespace sluice
