// SqliteStore: OAuth 2.0 grants, codes and tokens (store.h; the SQL: store/oauth_sql.h), and
// public clients.
#include "store/oauth_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

namespace sql = oauth_sql;

namespace {

Status InsertTokens(Db& db, std::span<const OAuthToken> tokens) {
  for (const auto& t : tokens) {
    auto s = db.Cached(sql::kInsertToken);
    if (!s.ok()) return s.status();
    StmtScope st(**s);
    st->BindBlob(1, t.hash);
    st->Bind(2, sql::KindName(t.kind));
    st->Bind(3, t.grant_id);
    st->Bind(4, int64_t(t.scopes));
    st->Bind(5, t.created_at);
    st->Bind(6, t.expires_at);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  return Status::Ok();
}

// Runs the UPDATE `update` (spent_at = at, for `hash`); if it changed a row, inserts `tokens`;
// all in one transaction. BEGIN IMMEDIATE takes the write lock first, so of two connections
// the second runs its UPDATE after the first committed and changes nothing.
Result<bool> SpendAndInsert(Db& db, const std::string& update, std::string_view hash, TimeMs at,
                            std::span<const OAuthToken> tokens) {
  auto tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  auto s = db.Cached(update);
  if (!s.ok()) return s.status();
  {
    StmtScope st(**s);
    st->Bind(1, at);
    st->BindBlob(2, hash);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  if (db.Changes() != 1) return false;  // the Transaction rolls back: nothing was written
  if (Status s = InsertTokens(db, tokens); !s.ok()) return s;
  if (Status c = tx->Commit(); !c.ok()) return c;
  return true;
}

// Runs an UPDATE with `at` and then `ids` bound; how many rows it changed.
Result<int64_t> Update(Db& db, const std::string& update, TimeMs at, std::initializer_list<int64_t> ids,
                       std::string_view blob = {}) {
  auto s = db.Cached(update);
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, at);
  int i = 2;
  if (!blob.empty()) st->BindBlob(i++, blob);
  for (int64_t id : ids) st->Bind(i++, id);
  if (Status run = st->Run(); !run.ok()) return run;
  return db.Changes();
}

}  // namespace

Result<std::optional<std::string>> SqliteStore::SetAppPublicClient(Id app_id, std::string_view client_id) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto s = db_->Prepare(
      "UPDATE apps SET public_client = 1, client_secret_hash = NULL, client_id = coalesce(client_id, ?)"
      " WHERE id = ? AND revoked_at IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, client_id);
  s->Bind(2, app_id);
  if (Status run = s->Run(); !run.ok()) return run;
  if (db_->Changes() != 1) return std::optional<std::string>();
  auto id = db_->Prepare("SELECT client_id FROM apps WHERE id = ?");
  if (!id.ok()) return id.status();
  id->Bind(1, app_id);
  auto row = id->Step();
  if (!row.ok()) return row.status();
  if (!*row) return InternalError("app " + std::to_string(app_id) + " vanished while it became a public client");
  std::string out(id->Text(0));
  if (Status c = tx->Commit(); !c.ok()) return c;
  return std::optional<std::string>(std::move(out));
}

Result<Id> SqliteStore::InsertGrantWithCode(const OAuthGrant& grant, const OAuthCode& code) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto g = db_->Cached("INSERT INTO oauth_grants (app_id, user_id, scopes, created_at) VALUES (?, ?, ?, ?)");
  if (!g.ok()) return g.status();
  {
    StmtScope st(**g);
    st->Bind(1, grant.app_id);
    st->Bind(2, grant.user_id);
    st->Bind(3, int64_t(grant.scopes));
    st->Bind(4, grant.created_at);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  Id grant_id = sqlite3_last_insert_rowid(db_->raw());
  auto c = db_->Cached(sql::kInsertCode);
  if (!c.ok()) return c.status();
  {
    StmtScope st(**c);
    st->BindBlob(1, code.hash);
    st->Bind(2, grant_id);
    st->Bind(3, code.redirect_uri);
    st->Bind(4, code.pkce_method);
    st->Bind(5, code.code_challenge);
    st->Bind(6, code.expires_at);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  if (Status done = tx->Commit(); !done.ok()) return done;
  return grant_id;
}

Result<std::optional<OfGrant<OAuthCode>>> SqliteStore::FindCode(std::string_view hash) {
  auto s = db_->Cached(sql::kFindCode);
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->BindBlob(1, hash);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OfGrant<OAuthCode>>();
  OAuthGrant grant = sql::ReadGrant(*st);
  return std::optional<OfGrant<OAuthCode>>({sql::ReadCode(sql::From(*st, 6), hash, grant.id), grant});
}

Result<bool> SqliteStore::SpendCode(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) {
  return SpendAndInsert(*db_, sql::kSpendCode, hash, at, tokens);
}

Result<std::optional<OfGrant<OAuthToken>>> SqliteStore::FindToken(std::string_view hash) {
  auto s = db_->Cached(sql::kFindToken);
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->BindBlob(1, hash);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OfGrant<OAuthToken>>();
  OAuthGrant grant = sql::ReadGrant(*st);
  return std::optional<OfGrant<OAuthToken>>({sql::ReadToken(sql::From(*st, 6), hash, grant.id), grant});
}

Result<bool> SqliteStore::SpendRefreshToken(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) {
  return SpendAndInsert(*db_, sql::kSpendRefreshToken, hash, at, tokens);
}

Result<std::optional<AccessTokenGrant>> SqliteStore::FindAccessToken(std::string_view hash, TimeMs now) {
  auto s = db_->Cached(sql::kFindAccessToken);
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->BindBlob(1, hash);
  st->Bind(2, now);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<AccessTokenGrant>();
  OAuthGrant grant = sql::ReadGrant(sql::From(*st, 7));
  return std::optional<AccessTokenGrant>({sql::ReadToken(sql::From(*st, 13), hash, grant.id), grant, rows::ReadApp(*st)});
}

Result<bool> SqliteStore::RevokeAccessToken(std::string_view hash, TimeMs at) {
  auto n = Update(*db_, sql::kRevokeAccessToken, at, {}, hash);
  if (!n.ok()) return n.status();
  return *n == 1;
}

Result<bool> SqliteStore::RevokeGrant(Id grant_id, TimeMs at) {
  auto n = Update(*db_, sql::kRevokeGrant, at, {grant_id});
  if (!n.ok()) return n.status();
  return *n == 1;
}

Result<int64_t> SqliteStore::RevokeGrantsOfUser(Id user_id, Id app_id, TimeMs at) {
  return Update(*db_, sql::kRevokeGrantsOfUser, at, {user_id, app_id});
}

Result<std::vector<UserGrant>> SqliteStore::GrantsOfUser(Id user_id) {
  auto s = db_->Cached(sql::kGrantsOfUser);
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, user_id);
  std::vector<UserGrant> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(sql::ReadUserGrant(*st));
  }
}

}  // namespace sluice::sqlite
