#include "access/keys.h"

#include "access/portal_sessions.h"
#include "access/tokens.h"

namespace sluice {

Status NoLiveApp(Store& store, Id app_id) {
  std::string app = "app " + std::to_string(app_id);
  auto found = store.GetProjectApp(app_id);
  if (!found.ok()) return found.status();
  return CommandError(app + (*found ? " is revoked" : " does not exist"));
}

Result<std::string> RotateKey(Store& store, RevocationGeneration& generation, Id app_id) {
  std::string token = GenerateToken();
  auto replaced = store.ReplaceAppToken(app_id, HashToken(token));
  if (!replaced.ok()) return replaced.status();
  if (!*replaced) return NoLiveApp(store, app_id);
  generation.Bump();  // after the commit: a worker that sees it reads the new row
  return token;
}

Status RevokeKey(Store& store, RevocationGeneration& generation, const Clock& clock, Id app_id) {
  auto revoked = store.RevokeApp(app_id, clock.NowMs());
  if (!revoked.ok()) return revoked.status();
  if (!*revoked) return NoLiveApp(store, app_id);
  generation.Bump();
  return Status::Ok();
}

Result<std::string> RotateConsoleKey(Store& store, Id project_id) {
  std::string key = NewConsoleKey();
  auto set = store.SetConsoleKey(project_id, HashToken(key));
  if (!set.ok()) return set.status();
  if (!*set) return CommandError("project " + std::to_string(project_id) + " does not exist");
  return key;
}

}  // namespace sluice
