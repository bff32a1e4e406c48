#pragma once
//! Creating apps (API clients): the project they belong to, their plan, declared uses, the
//! account they post as, and a new bearer token.

#include <string>
#include <vector>

#include "access/plans.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/snowflake.h"
#include "store/store.h"

namespace sluice {

struct NewApp {
  std::string name;
  std::string plan = "basic";
  std::optional<Id> project_id;  // none: a new project named after the app
  std::vector<std::string> uses;  // none: the plan's DefaultUses() (its uses minus ai-input, ai-train)
  std::vector<std::string> redirect_uris;  // its OAuth 2.0 client's (app_clients.h); may be none
  //! A public client (a native or single-page app: RFC 6749 2.1) with no client secret; else
  //! a confidential one (a web app, an automated app), which authenticates with its secret.
  bool public_client = false;
};

struct CreatedApp {
  App app;
  std::string bearer_token;  // shown once; only its hash is stored
  // Its OAuth 2.0 client (app_clients.h). "" when not set (e.g. a bearer token rotated: the
  // client is unchanged).
  std::string client_id;
  std::string client_secret;  // shown once; only its hash is stored. "" for a public client
  bool public_client = false;
  std::vector<std::string> redirect_uris;
};

//! Validates and stores a new app, its project if new, and its posting account (a user named
//! after the app). The plan is looked up in `plans`. Errors (CommandError, nothing written):
//! an empty or overlong name; an unknown plan or use; a use the plan does not permit; a
//! missing project; a project on another plan (all apps of a project share its plan); a
//! project that already has the plan's max_apps live apps; a redirect URI that CheckRedirectUris
//! refuses. The app gets a client id, and a client secret unless it is a public client.
Result<CreatedApp> CreateApp(Store& store, SnowflakeGenerator& ids, const Clock& clock, const Plans& plans,
                             const NewApp& request);

}  // namespace sluice
