// SqliteStore: platform accounts' password hashes (issue 15, signing in).
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

Result<bool> SqliteStore::SetUserPassword(Id user_id, std::string_view hash, TimeMs at) {
  // INSERT ... SELECT FROM users: no row, and no change, for an unknown user.
  auto s = db_->Prepare(
      "INSERT INTO user_passwords (user_id, hash, set_at) SELECT id, ?, ? FROM users WHERE id = ?"
      " ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at");
  if (!s.ok()) return s.status();
  s->Bind(1, hash);
  s->Bind(2, at);
  s->Bind(3, user_id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<std::optional<PasswordRecord>> SqliteStore::UserPassword(Id user_id) {
  auto s = db_->Prepare("SELECT hash, set_at FROM user_passwords WHERE user_id = ?");
  if (!s.ok()) return s.status();
  s->Bind(1, user_id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<PasswordRecord>();
  return std::optional<PasswordRecord>(PasswordRecord{std::string(s->Text(0)), s->Int(1)});
}

}  // namespace sluice::sqlite
