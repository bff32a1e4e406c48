#include "store/sqlite/schema.h"

namespace sluice::sqlite {

namespace {

// Never edit a migration that has shipped: add a new one.
constexpr std::string_view kMigrations[] = {
    // 1: users, posts, search index, apps.
    R"sql(
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  username        TEXT NOT NULL,
  username_lc     TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  location        TEXT NOT NULL DEFAULT '',
  url             TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,            -- ms since epoch
  verified_type   TEXT NOT NULL DEFAULT 'none' CHECK (verified_type IN ('none','blue','business','government')),
  protected       INTEGER NOT NULL DEFAULT 0,
  labels          TEXT NOT NULL DEFAULT '',    -- comma-separated
  followers_count INTEGER NOT NULL DEFAULT 0,
  following_count INTEGER NOT NULL DEFAULT 0,
  tweet_count     INTEGER NOT NULL DEFAULT 0,
  listed_count    INTEGER NOT NULL DEFAULT 0,
  like_count      INTEGER NOT NULL DEFAULT 0,
  pinned_tweet_id INTEGER
);

CREATE TABLE posts (
  id                  INTEGER PRIMARY KEY,     -- snowflake: orders by time
  author_id           INTEGER NOT NULL,
  text                TEXT NOT NULL,
  created_at          INTEGER NOT NULL,
  lang                TEXT NOT NULL DEFAULT 'und',
  conversation_id     INTEGER NOT NULL,
  in_reply_to_user_id INTEGER,
  replied_to_id       INTEGER,
  quoted_id           INTEGER,
  retweeted_id        INTEGER,
  flags               INTEGER NOT NULL DEFAULT 0,  -- 1 has links, 2 has mentions, 4 has hashtags, 8 has cashtags
  entities            TEXT NOT NULL DEFAULT '',    -- X's `entities` object as JSON, '' when none
  retweet_count       INTEGER NOT NULL DEFAULT 0,
  reply_count         INTEGER NOT NULL DEFAULT 0,
  like_count          INTEGER NOT NULL DEFAULT 0,
  quote_count         INTEGER NOT NULL DEFAULT 0,
  bookmark_count      INTEGER NOT NULL DEFAULT 0,
  impression_count    INTEGER NOT NULL DEFAULT 0,
  edit_history        TEXT NOT NULL DEFAULT '',    -- comma-separated ids, '' = just this id
  source              TEXT NOT NULL DEFAULT '',
  deleted_at          INTEGER                      -- kept for evidence; NULL = live
);
CREATE INDEX posts_by_author ON posts (author_id, id);
CREATE INDEX posts_by_conversation ON posts (conversation_id, id);
CREATE INDEX posts_by_reply_user ON posts (in_reply_to_user_id, id) WHERE in_reply_to_user_id IS NOT NULL;
CREATE INDEX posts_by_replied_to ON posts (replied_to_id, id) WHERE replied_to_id IS NOT NULL;
CREATE INDEX posts_by_quoted ON posts (quoted_id, id) WHERE quoted_id IS NOT NULL;
CREATE INDEX posts_by_lang ON posts (lang, id);

-- Exact-match entities for search operators and the mentions timeline.
-- kind: 'h' hashtag, 'c' cashtag, 'm' mentioned username; value lowercased, without sigil.
CREATE TABLE post_tags (
  kind    TEXT NOT NULL,
  value   TEXT NOT NULL,
  post_id INTEGER NOT NULL,
  PRIMARY KEY (kind, value, post_id)
) WITHOUT ROWID;

-- Full-text index; rowid = posts.id. `urls` holds the expanded urls, for url: matching.
CREATE VIRTUAL TABLE posts_fts USING fts5 (text, urls, content='', tokenize='unicode61 remove_diacritics 2');

CREATE TABLE projects (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE apps (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  name       TEXT NOT NULL,
  plan       TEXT NOT NULL,
  uses       TEXT NOT NULL DEFAULT '',   -- comma-separated
  user_id    INTEGER NOT NULL REFERENCES users (id),
  token_hash BLOB NOT NULL UNIQUE,       -- SHA-256 of the bearer token
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
)sql",
    // 2: billing cycles and prepaid credits.
    R"sql(
ALTER TABLE projects ADD COLUMN cap_reset_day INTEGER NOT NULL DEFAULT 1 CHECK (cap_reset_day BETWEEN 1 AND 28);
CREATE TABLE credits (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  micro_usd  INTEGER NOT NULL CHECK (micro_usd > 0),
  added_at   INTEGER NOT NULL
);
CREATE INDEX credits_by_project ON credits (project_id, added_at);
CREATE INDEX apps_by_project ON apps (project_id) WHERE revoked_at IS NULL;
)sql",
    // 3: trap records, apart from real posts; their authors are synthetic users.
    R"sql(
ALTER TABLE users ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
CREATE TABLE trap_posts (
  id         INTEGER PRIMARY KEY,          -- a snowflake inside the page it was delivered in
  app_id     INTEGER NOT NULL,
  counter    INTEGER NOT NULL,
  author_id  INTEGER NOT NULL REFERENCES users (id),
  text       TEXT NOT NULL,
  lang       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  marker     TEXT NOT NULL,
  UNIQUE (app_id, counter)
);
)sql",
    // 4: writes noted before their ledger record, applied after it (docs/ledger.md, "Writes
    // and crashes"). A pending post lives here, not in posts, so no read sees it.
    R"sql(
CREATE TABLE write_intents (
  post_id             INTEGER PRIMARY KEY,
  kind                TEXT NOT NULL CHECK (kind IN ('post', 'delete')),
  ledger_size         INTEGER NOT NULL,
  at                  INTEGER NOT NULL,     -- delete: deleted_at; post: created_at
  author_id           INTEGER,
  text                TEXT,
  lang                TEXT,
  conversation_id     INTEGER,
  in_reply_to_user_id INTEGER,
  replied_to_id       INTEGER,
  quoted_id           INTEGER,
  source              TEXT
);
)sql",
    // 5: lists and counts leave out protected accounts' posts with an uncorrelated
    // `NOT IN (SELECT id FROM users WHERE protected <> 0)`; without this index each statement
    // scanned every user (a search page of 100: 1,701 -> 972 req per CPU-second).
    R"sql(
CREATE INDEX users_protected ON users (id) WHERE protected <> 0;
)sql",
    // 6: create-post options (issue 12, item 5: POST /2/tweets bodies): who may reply, the
    // disclosures, nullcast, and polls. A post's options, on the post and on its pending
    // intent alike; a poll is written with the intent (no read finds it before its post is
    // published: reads reach a poll only through posts.poll_id) and removed with a dropped one.
    R"sql(
ALTER TABLE posts ADD COLUMN reply_settings TEXT NOT NULL DEFAULT 'everyone'
  CHECK (reply_settings IN ('everyone','following','mentionedUsers','subscribers','verified'));
ALTER TABLE posts ADD COLUMN made_with_ai INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN paid_partnership INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN nullcast INTEGER NOT NULL DEFAULT 0;  -- promoted-only: not in the author's timeline
ALTER TABLE posts ADD COLUMN poll_id INTEGER;
ALTER TABLE write_intents ADD COLUMN reply_settings TEXT;
ALTER TABLE write_intents ADD COLUMN made_with_ai INTEGER;
ALTER TABLE write_intents ADD COLUMN paid_partnership INTEGER;
ALTER TABLE write_intents ADD COLUMN nullcast INTEGER;
ALTER TABLE write_intents ADD COLUMN poll_id INTEGER;
CREATE TABLE polls (
  id               INTEGER PRIMARY KEY,
  post_id          INTEGER NOT NULL UNIQUE,
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 10080),
  end_datetime     INTEGER NOT NULL          -- ms since epoch: the post's created_at + duration
);
CREATE TABLE poll_options (
  poll_id  INTEGER NOT NULL,
  position INTEGER NOT NULL,                 -- 1-based, as X numbers them
  label    TEXT NOT NULL,
  votes    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (poll_id, position)
) WITHOUT ROWID;
)sql",
    // 7: the social graph (store.h, GraphList): follows and likes as edges, listed newest first
    // by their own id (the order they arrived in); reposts are posts, found by retweeted_id.
    // One unique index per table both refuses an edge twice and lists one side (whom a user
    // follows, who likes a post), sorting that user's or post's edges per page; an index by id
    // lists the other (a user's followers, the posts it likes) without sorting. Two indexes by id and
    // unique (user_id, post_id) cost 6.0 s of CPU for `sluice seed --users 5000 --posts
    // 200000` (3.7 s without the graph); these, 5.0 s (likes arrive in post order: the unique
    // index on (post_id, user_id) appends).
    R"sql(
CREATE TABLE follows (
  id          INTEGER PRIMARY KEY,
  follower_id INTEGER NOT NULL,
  followee_id INTEGER NOT NULL,
  UNIQUE (follower_id, followee_id)
);
CREATE INDEX follows_by_followee ON follows (followee_id, id);
CREATE TABLE likes (
  id      INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  post_id INTEGER NOT NULL,
  UNIQUE (post_id, user_id)
);
CREATE INDEX likes_by_user ON likes (user_id, id);
CREATE INDEX posts_by_retweeted ON posts (retweeted_id, id) WHERE retweeted_id IS NOT NULL;
)sql",
    // 8: users search (GET /2/users/search) matches words of usernames, names and
    // descriptions: an FTS5 index over them, kept by triggers (users are inserted, and only
    // their counters updated, but a rename must not leave the index stale).
    R"sql(
CREATE VIRTUAL TABLE users_fts USING fts5 (username, name, description, content='users', content_rowid='id',
                                           tokenize='unicode61 remove_diacritics 2');
INSERT INTO users_fts (users_fts) VALUES ('rebuild');
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_fts (rowid, username, name, description) VALUES (new.id, new.username, new.name, new.description);
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_fts (users_fts, rowid, username, name, description)
    VALUES ('delete', old.id, old.username, old.name, old.description);
END;
CREATE TRIGGER users_fts_update AFTER UPDATE OF username, name, description ON users BEGIN
  INSERT INTO users_fts (users_fts, rowid, username, name, description)
    VALUES ('delete', old.id, old.username, old.name, old.description);
  INSERT INTO users_fts (rowid, username, name, description) VALUES (new.id, new.username, new.name, new.description);
END;
)sql",
    // 9: long posts (note tweets) and earlier versions of edited posts. A long post's `text`
    // is X's cut of it (core/long_post.h) and note_text its whole text, which posts_fts
    // indexes. An earlier version is a post of its own that lists and searches leave out:
    // latest_id names the version they serve.
    R"sql(
ALTER TABLE posts ADD COLUMN note_text TEXT NOT NULL DEFAULT '';      -- '' = text is the whole post
ALTER TABLE posts ADD COLUMN note_entities TEXT NOT NULL DEFAULT '';  -- note_tweet's `entities`, '' when none
ALTER TABLE posts ADD COLUMN latest_id INTEGER;                       -- NULL = the latest (or only) version
CREATE INDEX posts_by_latest ON posts (latest_id) WHERE latest_id IS NOT NULL;
)sql",
    // 10: trap records an app can check as it checks posts (issue 13): found by its searches,
    // counts and the author's timeline (trap_fts and trap_tags mirror posts_fts and post_tags,
    // so the search compiler matches them with the same SQL: search_sql.h, SearchTables), with
    // the metrics and entities drawn for them when they were made. Traps made before this
    // migration keep their words searchable but no tags, entities or metrics.
    R"sql(
ALTER TABLE trap_posts ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;   -- as posts.flags
ALTER TABLE trap_posts ADD COLUMN entities TEXT NOT NULL DEFAULT '';  -- X's `entities`, '' when none
ALTER TABLE trap_posts ADD COLUMN retweet_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trap_posts ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trap_posts ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trap_posts ADD COLUMN quote_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trap_posts ADD COLUMN bookmark_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trap_posts ADD COLUMN impression_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX trap_posts_by_app ON trap_posts (app_id, id);
CREATE INDEX trap_posts_by_author ON trap_posts (author_id, id);
CREATE TABLE trap_tags (
  kind    TEXT NOT NULL,
  value   TEXT NOT NULL,
  post_id INTEGER NOT NULL,  -- trap_posts.id
  PRIMARY KEY (kind, value, post_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE trap_fts USING fts5 (text, urls, content='', tokenize='unicode61 remove_diacritics 2');
INSERT INTO trap_fts (rowid, text, urls) SELECT id, text, '' FROM trap_posts;
)sql",
    // 11: platform accounts' passwords (issue 15: signing in), one per user: the libsodium
    // Argon2id string (access/passwords.h), which holds its own parameters and salt.
    R"sql(
CREATE TABLE user_passwords (
  user_id INTEGER PRIMARY KEY REFERENCES users (id),
  hash    TEXT NOT NULL,
  set_at  INTEGER NOT NULL  -- ms since epoch
);
)sql",
    // 12: apps as OAuth 2.0 clients (issue 15, access/oauth_clients.h): a client id, the SHA-256
    // of the client secret, and the registered redirect URIs. Apps made before this migration
    // have neither id nor secret until `sluice keys rotate --client-secret` gives them both (a
    // secret cannot be made here without showing it, and an id is of no use without one).
    R"sql(
ALTER TABLE apps ADD COLUMN client_id TEXT;           -- NULL until given (above)
ALTER TABLE apps ADD COLUMN client_secret_hash BLOB;  -- SHA-256 of the client secret
CREATE UNIQUE INDEX apps_by_client_id ON apps (client_id);
CREATE TABLE app_redirect_uris (
  id     INTEGER PRIMARY KEY,  -- the order they were added in
  app_id INTEGER NOT NULL,
  uri    TEXT NOT NULL,
  UNIQUE (app_id, uri)
);
)sql",
    // 13: OAuth 2.0 grants, codes and tokens (issue 15, access/oauth_tokens.h, docs/oauth.md,
    // "Grants and tokens"): only SHA-256 hashes of codes and tokens; a code or token is refused
    // once its grant is revoked, so revoking a grant writes one row. Apps become public or
    // confidential clients (RFC 6749 2.1); those made before are confidential.
    R"sql(
ALTER TABLE apps ADD COLUMN public_client INTEGER NOT NULL DEFAULT 0;  -- 1: no secret (access/app_clients.h)
CREATE TABLE oauth_grants (
  id         INTEGER PRIMARY KEY,
  app_id     INTEGER NOT NULL REFERENCES apps (id),
  user_id    INTEGER NOT NULL REFERENCES users (id),
  scopes     INTEGER NOT NULL,  -- a ScopeSet: bit i is kScopes[i] (core/scopes.h)
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX oauth_grants_by_user ON oauth_grants (user_id, app_id);
CREATE TABLE oauth_codes (
  hash           BLOB PRIMARY KEY,  -- SHA-256 of the code
  grant_id       INTEGER NOT NULL REFERENCES oauth_grants (id),
  redirect_uri   TEXT NOT NULL,
  pkce_method    TEXT NOT NULL CHECK (pkce_method IN ('S256','plain')),
  code_challenge TEXT NOT NULL,
  expires_at     INTEGER NOT NULL,
  spent_at       INTEGER
) WITHOUT ROWID;
CREATE INDEX oauth_codes_by_grant ON oauth_codes (grant_id);
CREATE TABLE oauth_tokens (
  hash       BLOB PRIMARY KEY,  -- SHA-256 of the token
  kind       TEXT NOT NULL CHECK (kind IN ('access','refresh')),
  grant_id   INTEGER NOT NULL REFERENCES oauth_grants (id),
  scopes     INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  spent_at   INTEGER,           -- a refresh token's, once refreshed
  revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX oauth_tokens_by_grant ON oauth_tokens (grant_id);
)sql",
    // 14: actions on behalf of an account (issue 15: likes, follows, hidden replies), noted
    // before their ledger record and applied after it as write_intents are (store.h,
    // ActionIntent); a repost is a post, noted in write_intents with the post it reposts; a
    // reply its conversation's author hid (PUT /2/tweets/:tweet_id/hidden).
    R"sql(
CREATE TABLE action_intents (
  id          INTEGER PRIMARY KEY,     -- a snowflake
  kind        TEXT NOT NULL CHECK (kind IN ('like','unlike','follow','unfollow','hide','unhide')),
  user_id     INTEGER NOT NULL,        -- the account acting
  target_id   INTEGER NOT NULL,        -- the post liked or hidden, the user followed
  ledger_size INTEGER NOT NULL
);
ALTER TABLE write_intents ADD COLUMN retweeted_id INTEGER;
ALTER TABLE posts ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
)sql",
    // 15: filtered-stream rules (issue 16, api/stream_rules.cc), per app, and one version that
    // every rule write moves, so that each node sees when to rebuild its rule index.
    R"sql(
CREATE TABLE stream_rules (
  id         INTEGER PRIMARY KEY,  -- a snowflake
  app_id     INTEGER NOT NULL,
  value      TEXT NOT NULL,
  tag        TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (app_id, value)
);
CREATE TABLE stream_rules_version (version INTEGER NOT NULL);
INSERT INTO stream_rules_version VALUES (0);
)sql",
    // 16: batch compliance jobs (issue 16, api/compliance.h, docs/api.md "Compliance"). The
    // tokens are the capabilities in the upload and download URLs: kept as they are, since
    // GET /2/compliance/jobs/:id shows the URLs again (as X shows its signed URLs).
    R"sql(
CREATE TABLE compliance_jobs (
  id                  INTEGER PRIMARY KEY,  -- a snowflake
  app_id              INTEGER NOT NULL,
  project_id          INTEGER NOT NULL,
  type                TEXT NOT NULL CHECK (type IN ('tweets','users')),
  name                TEXT NOT NULL,
  resumable           INTEGER NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('created','in_progress','complete','failed')),
  upload_token        TEXT NOT NULL UNIQUE,
  download_token      TEXT NOT NULL UNIQUE,
  created_at          INTEGER NOT NULL,
  upload_expires_at   INTEGER NOT NULL,
  download_expires_at INTEGER NOT NULL,
  result              TEXT NOT NULL DEFAULT '',
  ids_checked         INTEGER NOT NULL DEFAULT 0,
  ids                 TEXT NOT NULL DEFAULT '',  -- in_progress: the upload, until the job finishes
  checking_until      INTEGER NOT NULL DEFAULT 0      -- in_progress: the checker's lease (ms)
);
CREATE INDEX compliance_jobs_by_app ON compliance_jobs (app_id, type, id);
)sql",
    // 17: stream connection slots (issue 16, api/stream_slots.h): an app's open streams, held
    // until `until` (ms) by their node, which renews them.
    R"sql(
CREATE TABLE stream_slots (
  holder TEXT PRIMARY KEY,
  app_id INTEGER NOT NULL,
  feed   INTEGER NOT NULL,
  until  INTEGER NOT NULL
);
CREATE INDEX stream_slots_by_app ON stream_slots (app_id, feed);
)sql",
    // 18: resumable compliance uploads (docs/api.md "Compliance"): the session a resumable
    // job's upload is in; its bytes so far are kept in `ids` while the job is created.
    R"sql(
ALTER TABLE compliance_jobs ADD COLUMN upload_session TEXT NOT NULL DEFAULT '';
)sql",
    // 19: states an operator sets on accounts and posts (issue 16: suspended, deleted, withheld,
    // geo scrubbed), and the outbox of compliance events: one row per state change, written in
    // the transaction that makes it; `seq` grows in commit order (each write first moves the
    // one head row, so writers take turns), which is the order every node's streams send them.
    R"sql(
ALTER TABLE users ADD COLUMN suspended_at INTEGER;
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
ALTER TABLE users ADD COLUMN withheld_in TEXT NOT NULL DEFAULT '';  -- country codes, comma-separated
ALTER TABLE users ADD COLUMN geo_scrubbed_up_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN withheld_in TEXT NOT NULL DEFAULT '';
CREATE TABLE compliance_events_head (seq INTEGER NOT NULL);
INSERT INTO compliance_events_head VALUES (0);
CREATE TABLE compliance_events (
  seq       INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL,               -- X's name: user_suspend, withheld, scrub_geo, ...
  user_id   INTEGER NOT NULL,
  post_id   INTEGER NOT NULL DEFAULT 0,  -- withheld: the post; scrub_geo: up_to_tweet_id
  countries TEXT NOT NULL DEFAULT '',    -- withheld, user_withheld: comma-separated
  at        INTEGER NOT NULL
);
)sql",
    // 20: the admin API (issue 17; docs/admin-api.md): a project's console key (its SHA-256;
    // the portal's sign-in) and the plan it keeps for its first app.
    R"sql(
ALTER TABLE projects ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN console_key_hash BLOB;
CREATE UNIQUE INDEX projects_by_console_key ON projects (console_key_hash);
)sql",
};

}  // namespace

std::span<const std::string_view> Migrations() { return kMigrations; }

}  // namespace sluice::sqlite
