// SqliteStore: changing an app's key (`sluice keys rotate|revoke`).
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

Result<bool> SqliteStore::ReplaceAppToken(Id app_id, std::string_view token_hash) {
  auto s = db_->Prepare("UPDATE apps SET token_hash = ? WHERE id = ? AND revoked_at IS NULL");
  if (!s.ok()) return s.status();
  s->BindBlob(1, token_hash);
  s->Bind(2, app_id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::RevokeApp(Id app_id, TimeMs at) {
  auto s = db_->Prepare("UPDATE apps SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, at);
  s->Bind(2, app_id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

}  // namespace sluice::sqlite
