// PostgresStore: apps as OAuth 2.0 clients (client secret, redirect URIs: access/app_clients.h).
#include "store/postgres/pg_store_rows.h"
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

namespace {

// The bytes of lower-case hex (encode(bytea, 'hex'): results are read as text).
std::string FromHex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = char(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  return out;
}

}  // namespace

Result<std::optional<std::string>> PostgresStore::SetAppClientSecret(Id app_id, std::string_view client_id,
                                                                   std::string_view secret_hash) {
  std::optional<std::string> id;
  Status s = Write([&]() -> Status {
    auto rows = Query(
        "UPDATE apps SET client_secret_hash = ?, client_id = coalesce(client_id, ?) WHERE id = ? AND revoked_at IS NULL "
        "AND public_client = 0 RETURNING client_id",
        Params().AddBytes(secret_hash).Add(client_id).Add(app_id));
    if (!rows.ok()) return rows.status();
    if (rows->size() == 1) id = std::string(rows->Text(0, 0));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<std::optional<AppClient>> PostgresStore::FindAppByClientId(std::string_view client_id) {
  static const std::string sql = "SELECT " + std::string(kAppColumns) +
                                 ", client_id, coalesce(encode(client_secret_hash, 'hex'), ''), public_client FROM apps"
                                 " WHERE client_id = ? AND revoked_at IS NULL";
  auto rows = Query(sql, Params().Add(client_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<AppClient>();
  Row row{*rows, 0};
  return std::optional<AppClient>(AppClient{ReadApp(row), std::string(row.Text(7)), FromHex(row.Text(8)), row.Int(9) != 0});
}

Result<std::vector<std::string>> PostgresStore::RedirectUris(Id app_id) {
  auto rows = Query("SELECT uri FROM app_redirect_uris WHERE app_id = ? ORDER BY id", Params().Add(app_id));
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (int i = 0; i < rows->size(); ++i) out.emplace_back(rows->Text(i, 0));
  return out;
}

Result<bool> PostgresStore::AddRedirectUri(Id app_id, std::string_view uri) {
  bool added = false;
  Status s = Write([&]() -> Status {
    auto rows = Query("INSERT INTO app_redirect_uris (app_id, uri) VALUES (?, ?) ON CONFLICT DO NOTHING",
                      Params().Add(app_id).Add(uri));
    if (!rows.ok()) return rows.status();
    added = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return added;
}

Result<bool> PostgresStore::RemoveRedirectUri(Id app_id, std::string_view uri) {
  bool removed = false;
  Status s = Write([&]() -> Status {
    auto rows = Query("DELETE FROM app_redirect_uris WHERE app_id = ? AND uri = ?", Params().Add(app_id).Add(uri));
    if (!rows.ok()) return rows.status();
    removed = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return removed;
}

}  // namespace sluice::pg

namespace sluice::pg {

// The admin API's projects: console keys (their SHA-256) and the plan kept for a first app.

Result<Id> PostgresStore::CreateProjectWithKey(std::string_view name, std::string_view plan, std::string_view key_hash,
                                               TimeMs at) {
  Id id = 0;
  Status s = Write([&]() -> Status {
    // The cycle starts on the day of the month the project was created (28 at most, as X).
    auto rows = Query(
        "INSERT INTO projects (name, created_at, cap_reset_day, plan, console_key_hash) VALUES (?, ?,"
        " least(28, extract(day FROM to_timestamp(?::bigint / 1000) AT TIME ZONE 'UTC')::int), ?, ?) RETURNING id",
        Params().Add(name).Add(at).Add(at).Add(plan).AddBytes(key_hash));
    if (!rows.ok()) return rows.status();
    id = rows->Int(0, 0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<bool> PostgresStore::SetConsoleKey(Id project_id, std::string_view key_hash) {
  bool set = false;
  Status s = Write([&]() -> Status {
    auto rows = Query("UPDATE projects SET console_key_hash = ? WHERE id = ?", Params().AddBytes(key_hash).Add(project_id));
    if (!rows.ok()) return rows.status();
    set = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return set;
}

Result<std::optional<std::string>> PostgresStore::ConsoleKeyHash(Id project_id) {
  auto rows = Query("SELECT coalesce(encode(console_key_hash, 'hex'), '') FROM projects WHERE id = ?", Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(FromHex(rows->Text(0, 0)));
}

Result<std::optional<Id>> PostgresStore::FindProjectByConsoleKey(std::string_view key_hash) {
  auto rows = Query("SELECT id FROM projects WHERE console_key_hash = ?", Params().AddBytes(key_hash));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<Id>();
  return std::optional<Id>(rows->Int(0, 0));
}

namespace {

constexpr std::string_view kProjectAppColumns = ", revoked_at, coalesce(client_id, '') FROM apps WHERE ";

ProjectApp ReadProjectApp(const Rows& rows, int i) {
  Row row{rows, i};
  return {ReadApp(row), rows.OptInt(i, 7), std::string(row.Text(8))};
}

}  // namespace

Result<std::vector<ProjectApp>> PostgresStore::ListProjectApps(Id project_id) {
  auto rows = Query("SELECT " + std::string(kAppColumns) + std::string(kProjectAppColumns) + "project_id = ? ORDER BY id",
                    Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  std::vector<ProjectApp> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadProjectApp(*rows, i));
  return out;
}

Result<std::optional<ProjectApp>> PostgresStore::GetProjectApp(Id app_id) {
  auto rows = Query("SELECT " + std::string(kAppColumns) + std::string(kProjectAppColumns) + "id = ?", Params().Add(app_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<ProjectApp>();
  return std::optional<ProjectApp>(ReadProjectApp(*rows, 0));
}

}  // namespace sluice::pg
