// PostgresStore: platform accounts' password hashes (issue 15, signing in).
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

Result<bool> PostgresStore::SetUserPassword(Id user_id, std::string_view hash, TimeMs at) {
  bool changed = false;
  Status s = Write([&]() -> Status {
    // INSERT ... SELECT FROM users: no row, and no change, for an unknown user.
    auto rows = Query(
        "INSERT INTO user_passwords (user_id, hash, set_at) SELECT id, ?, ? FROM users WHERE id = ?"
        " ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
        Params().Add(hash).Add(at).Add(user_id));
    if (!rows.ok()) return rows.status();
    changed = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return changed;
}

Result<std::optional<PasswordRecord>> PostgresStore::UserPassword(Id user_id) {
  auto rows = Query("SELECT hash, set_at FROM user_passwords WHERE user_id = ?", Params().Add(user_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<PasswordRecord>();
  return std::optional<PasswordRecord>(PasswordRecord{std::string(rows->Text(0, 0)), rows->Int(0, 1)});
}

}  // namespace sluice::pg
