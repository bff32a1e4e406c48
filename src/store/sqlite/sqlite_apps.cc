// SqliteStore: changing an app's key (`sluice keys rotate|revoke`) and its OAuth 2.0 client
// (client secret, redirect URIs: access/app_clients.h).
#include "store/rows.h"
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

Result<std::optional<std::string>> SqliteStore::SetAppClientSecret(Id app_id, std::string_view client_id,
                                                                 std::string_view secret_hash) {
  auto s = db_->Prepare(
      "UPDATE apps SET client_secret_hash = ?, client_id = coalesce(client_id, ?) WHERE id = ? AND revoked_at IS NULL"
      " AND public_client = 0");
  if (!s.ok()) return s.status();
  s->BindBlob(1, secret_hash);
  s->Bind(2, client_id);
  s->Bind(3, app_id);
  if (Status run = s->Run(); !run.ok()) return run;
  if (db_->Changes() != 1) return std::optional<std::string>();
  auto id = db_->Prepare("SELECT client_id FROM apps WHERE id = ?");
  if (!id.ok()) return id.status();
  id->Bind(1, app_id);
  auto row = id->Step();
  if (!row.ok()) return row.status();
  if (!*row) return InternalError("app " + std::to_string(app_id) + " vanished while its client secret was set");
  return std::optional<std::string>(std::string(id->Text(0)));
}

Result<std::optional<AppClient>> SqliteStore::FindAppByClientId(std::string_view client_id) {
  static const std::string sql = "SELECT " + std::string(rows::kAppColumns) +
                                 ", client_id, client_secret_hash, public_client FROM apps WHERE client_id = ? AND revoked_at IS NULL";
  auto s = db_->Prepare(sql);
  if (!s.ok()) return s.status();
  s->Bind(1, client_id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<AppClient>();
  return std::optional<AppClient>(AppClient{rows::ReadApp(*s), std::string(s->Text(7)), std::string(s->Text(8)), s->Int(9) != 0});
}

Result<std::vector<std::string>> SqliteStore::RedirectUris(Id app_id) {
  auto s = db_->Prepare("SELECT uri FROM app_redirect_uris WHERE app_id = ? ORDER BY id");
  if (!s.ok()) return s.status();
  s->Bind(1, app_id);
  std::vector<std::string> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.emplace_back(s->Text(0));
  }
}

Result<bool> SqliteStore::AddRedirectUri(Id app_id, std::string_view uri) {
  auto s = db_->Prepare("INSERT INTO app_redirect_uris (app_id, uri) VALUES (?, ?) ON CONFLICT DO NOTHING");
  if (!s.ok()) return s.status();
  s->Bind(1, app_id);
  s->Bind(2, uri);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::RemoveRedirectUri(Id app_id, std::string_view uri) {
  auto s = db_->Prepare("DELETE FROM app_redirect_uris WHERE app_id = ? AND uri = ?");
  if (!s.ok()) return s.status();
  s->Bind(1, app_id);
  s->Bind(2, uri);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

}  // namespace sluice::sqlite

namespace sluice::sqlite {

// The admin API's projects: console keys (their SHA-256) and the plan kept for a first app.

Result<Id> SqliteStore::CreateProjectWithKey(std::string_view name, std::string_view plan, std::string_view key_hash,
                                             TimeMs at) {
  // The cycle starts on the day of the month the project was created (28 at most, as X).
  auto s = db_->Prepare(
      "INSERT INTO projects (name, created_at, cap_reset_day, plan, console_key_hash) VALUES (?, ?,"
      " min(28, CAST(strftime('%d', ? / 1000, 'unixepoch') AS INTEGER)), ?, ?)");
  if (!s.ok()) return s.status();
  s->Bind(1, name);
  s->Bind(2, at);
  s->Bind(3, at);
  s->Bind(4, plan);
  s->BindBlob(5, key_hash);
  if (Status st = s->Run(); !st.ok()) return st;
  return Id(sqlite3_last_insert_rowid(db_->raw()));
}

Result<bool> SqliteStore::SetConsoleKey(Id project_id, std::string_view key_hash) {
  auto s = db_->Prepare("UPDATE projects SET console_key_hash = ? WHERE id = ?");
  if (!s.ok()) return s.status();
  s->BindBlob(1, key_hash);
  s->Bind(2, project_id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<std::optional<std::string>> SqliteStore::ConsoleKeyHash(Id project_id) {
  return TextById("SELECT coalesce(console_key_hash, x'') FROM projects WHERE id = ?", project_id);
}

Result<std::optional<Id>> SqliteStore::FindProjectByConsoleKey(std::string_view key_hash) {
  auto s = db_->Prepare("SELECT id FROM projects WHERE console_key_hash = ?");
  if (!s.ok()) return s.status();
  s->BindBlob(1, key_hash);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Id>();
  return std::optional<Id>(s->Int(0));
}

Result<std::vector<ProjectApp>> SqliteStore::ListProjectApps(Id project_id) {
  return ProjectApps("project_id = ?", project_id);
}

Result<std::optional<ProjectApp>> SqliteStore::GetProjectApp(Id app_id) {
  auto apps = ProjectApps("id = ?", app_id);
  if (!apps.ok()) return apps.status();
  if (apps->empty()) return std::optional<ProjectApp>();
  return std::optional<ProjectApp>(std::move(apps->front()));
}

Result<std::vector<ProjectApp>> SqliteStore::ProjectApps(std::string_view where, Id id) {
  auto s = db_->Prepare("SELECT " + std::string(rows::kAppColumns) + ", revoked_at, coalesce(client_id, '') FROM apps WHERE " +
                        std::string(where) + " ORDER BY id");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  std::vector<ProjectApp> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({rows::ReadApp(*s), s->OptInt(7), std::string(s->Text(8))});
  }
}

}  // namespace sluice::sqlite
