// PostgresStore: OAuth 2.0 grants, codes and tokens (store.h; the SQL: store/oauth_sql.h), and
// public clients.
#include "store/oauth_sql.h"
#include "store/postgres/pg_store_rows.h"
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

namespace sql = oauth_sql;

Result<std::optional<std::string>> PostgresStore::SetAppPublicClient(Id app_id, std::string_view client_id) {
  std::optional<std::string> id;
  Status s = Write([&]() -> Status {
    auto rows = Query(
        "UPDATE apps SET public_client = 1, client_secret_hash = NULL, client_id = coalesce(client_id, ?)"
        " WHERE id = ? AND revoked_at IS NULL RETURNING client_id",
        Params().Add(client_id).Add(app_id));
    if (!rows.ok()) return rows.status();
    if (rows->size() == 1) id = std::string(rows->Text(0, 0));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<Id> PostgresStore::InsertGrantWithCode(const OAuthGrant& grant, const OAuthCode& code) {
  Id grant_id = 0;
  Status s = Write([&]() -> Status {
    auto g = Query("INSERT INTO oauth_grants (app_id, user_id, scopes, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                   Params().Add(grant.app_id).Add(grant.user_id).Add(int64_t(grant.scopes)).Add(grant.created_at));
    if (!g.ok()) return g.status();
    grant_id = g->Int(0, 0);
    auto c = Query(sql::kInsertCode, Params()
                                         .AddBytes(code.hash)
                                         .Add(grant_id)
                                         .Add(code.redirect_uri)
                                         .Add(code.pkce_method)
                                         .Add(code.code_challenge)
                                         .Add(code.expires_at));
    return c.status();
  });
  if (!s.ok()) return s;
  return grant_id;
}

Result<std::optional<OfGrant<OAuthCode>>> PostgresStore::FindCode(std::string_view hash) {
  auto rows = Query(sql::kFindCode, Params().AddBytes(hash));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<OfGrant<OAuthCode>>();
  Row row{*rows, 0};
  OAuthGrant grant = sql::ReadGrant(row);
  return std::optional<OfGrant<OAuthCode>>({sql::ReadCode(sql::From(row, 6), hash, grant.id), grant});
}

namespace {

// The single use of a code or refresh token: `update` (spent_at = ?, hash = ?) ... RETURNING;
// under READ COMMITTED a second concurrent UPDATE of the row waits for the first to commit,
// re-checks `spent_at IS NULL` and returns no row.
Status SpendAndInsert(const std::function<Result<Rows>(const std::string&, const Params&)>& query,
                      const std::string& update, std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens,
                      bool& spent) {
  auto rows = query(update + " RETURNING 1", Params().Add(at).AddBytes(hash));
  if (!rows.ok()) return rows.status();
  spent = rows->size() == 1;
  if (!spent) return Status::Ok();
  for (const auto& t : tokens) {
    auto inserted = query(sql::kInsertToken, Params()
                                                 .AddBytes(t.hash)
                                                 .Add(sql::KindName(t.kind))
                                                 .Add(t.grant_id)
                                                 .Add(int64_t(t.scopes))
                                                 .Add(t.created_at)
                                                 .Add(t.expires_at));
    if (!inserted.ok()) return inserted.status();
  }
  return Status::Ok();
}

}  // namespace

Result<bool> PostgresStore::SpendCode(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) {
  bool spent = false;
  Status s = Write([&] {
    return SpendAndInsert([&](const std::string& q, const Params& p) { return Query(q, p); }, sql::kSpendCode, hash,
                          at, tokens, spent);
  });
  if (!s.ok()) return s;
  return spent;
}

Result<std::optional<OfGrant<OAuthToken>>> PostgresStore::FindToken(std::string_view hash) {
  auto rows = Query(sql::kFindToken, Params().AddBytes(hash));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<OfGrant<OAuthToken>>();
  Row row{*rows, 0};
  OAuthGrant grant = sql::ReadGrant(row);
  return std::optional<OfGrant<OAuthToken>>({sql::ReadToken(sql::From(row, 6), hash, grant.id), grant});
}

Result<bool> PostgresStore::SpendRefreshToken(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) {
  bool spent = false;
  Status s = Write([&] {
    return SpendAndInsert([&](const std::string& q, const Params& p) { return Query(q, p); }, sql::kSpendRefreshToken,
                          hash, at, tokens, spent);
  });
  if (!s.ok()) return s;
  return spent;
}

Result<std::optional<AccessTokenGrant>> PostgresStore::FindAccessToken(std::string_view hash, TimeMs now) {
  auto rows = Query(sql::kFindAccessToken, Params().AddBytes(hash).Add(now));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<AccessTokenGrant>();
  Row row{*rows, 0};
  OAuthGrant grant = sql::ReadGrant(sql::From(row, 7));
  return std::optional<AccessTokenGrant>({sql::ReadToken(sql::From(row, 13), hash, grant.id), grant, ReadApp(row)});
}

Result<bool> PostgresStore::RevokeAccessToken(std::string_view hash, TimeMs at) {
  auto n = Changed(sql::kRevokeAccessToken, Params().Add(at).AddBytes(hash));
  if (!n.ok()) return n.status();
  return *n == 1;
}

Result<bool> PostgresStore::RevokeGrant(Id grant_id, TimeMs at) {
  auto n = Changed(sql::kRevokeGrant, Params().Add(at).Add(grant_id));
  if (!n.ok()) return n.status();
  return *n == 1;
}

Result<int64_t> PostgresStore::RevokeGrantsOfUser(Id user_id, Id app_id, TimeMs at) {
  return Changed(sql::kRevokeGrantsOfUser, Params().Add(at).Add(user_id).Add(app_id));
}

Result<int64_t> PostgresStore::Changed(const std::string& update, const Params& params) {
  int64_t n = 0;
  Status s = Write([&]() -> Status {
    auto rows = Query(update, params);
    if (!rows.ok()) return rows.status();
    n = rows->Affected();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<std::vector<UserGrant>> PostgresStore::GrantsOfUser(Id user_id) {
  auto rows = Query(sql::kGrantsOfUser, Params().Add(user_id));
  if (!rows.ok()) return rows.status();
  std::vector<UserGrant> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(sql::ReadUserGrant(Row{*rows, i}));
  return out;
}

}  // namespace sluice::pg
