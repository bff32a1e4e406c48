#pragma once
//! Changing an app's bearer token: `sluice keys rotate` and `sluice keys revoke`. Each commits
//! the change to the store, then bumps the data dir's RevocationGeneration, so that a running
//! server refuses the old token on every worker from the moment the call returns.

#include <string>

#include "access/revocations.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace sluice {

//! Gives the app a new token and returns it (shown once; only its hash is stored). The old
//! token is refused from the return on. Errors (CommandError, nothing written): "app N does
//! not exist", "app N is revoked".
Result<std::string> RotateKey(Store& store, RevocationGeneration& generation, Id app_id);
//! Revokes the app: its token is refused from the return on; the app stays in the store for
//! evidence. Same errors as RotateKey.
Status RevokeKey(Store& store, RevocationGeneration& generation, const Clock& clock, Id app_id);
//! Gives the project a new console key (the portal's sign-in, access/portal_sessions.h) and
//! returns it (shown once; only its SHA-256 is stored). The old key, and every portal session
//! made with it, is refused from the return on. Errors (CommandError, nothing written):
//! "project N does not exist".
Result<std::string> RotateConsoleKey(Store& store, Id project_id);
//! Why no live app has this id: CommandError "app N is revoked" or "app N does not exist".
Status NoLiveApp(Store& store, Id app_id);

}  // namespace sluice
