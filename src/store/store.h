#pragma once
//! Store: the posts, users and apps behind the API. One Store object is one connection:
//! it is not thread-safe; each server worker opens its own (see OpenStore). Reads never
//! block writers (SQLite WAL). Every write method is atomic: it applies whole or not at all.
//! "Not found" is an empty result, never an error; errors are backend failures (kUnavailable
//! or kInternal) or constraint violations (kConflict).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "store/search/query.h"

namespace sluice {

//! Which slice of a reverse-chronological list to return. All bounds are optional.
//! Ids are snowflakes, so time bounds become id bounds in the backend.
struct PageRequest {
  std::optional<Id> since_id;        // exclusive: only ids > since_id
  std::optional<Id> until_id;        // exclusive: only ids < until_id
  std::optional<TimeMs> start_time;  // inclusive
  std::optional<TimeMs> end_time;    // exclusive
  bool exclude_replies = false;
  bool exclude_retweets = false;
  int limit = 10;  // posts wanted; the store returns up to limit + 1 so callers see "more"
  //! Continue a walk: kOlder returns ids < cursor (descending), kNewer ids > cursor
  //! (still returned descending, the ones nearest the cursor).
  enum class Direction { kOlder, kNewer };
  std::optional<std::pair<Direction, Id>> cursor;
  //! Search only: posts ordered by relevance to the query's words instead of newest first:
  //! FTS5's bm25 (lower is more relevant) of the query when it is all words, else of its
  //! positive words, a post that matches none of them scoring 0; ties newest first. `after`
  //! continues such a walk: only posts ordered after (score, id). Scores move when posts are
  //! added, so a walk across writes may skip or repeat a post (tokens of X's relevancy
  //! order promise no more).
  bool relevancy = false;
  struct RelevanceKey {
    double score = 0;
    Id id = 0;
  };
  std::optional<RelevanceKey> after;
};

//! A post as read back: the stored fields, with entities already in X's JSON shape.
struct StoredPost {
  Post post;                 // entities and note_entities left empty on read; see the JSON
  std::string entities_json; // X's `entities` object, or empty when the post has none
  std::string note_entities_json;  // a long post's note_tweet `entities`, or empty
  double relevance = 0;            // Search with PageRequest::relevancy: the post's score
};

//! A post published or deleted (Store::ListenForPostChanges).
struct PostChange {
  Id post_id = 0;
  bool deleted = false;
  TimeMs at = 0;
};

//! A subscription to changes; destroying it ends it.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
};

struct CountBucket {
  TimeMs start = 0;
  TimeMs end = 0;
  int64_t count = 0;
};

//! `follower_id` follows `followee_id`.
struct Follow {
  Id follower_id = 0;
  Id followee_id = 0;
  friend bool operator==(const Follow&, const Follow&) = default;
};

//! `user_id` likes `post_id`.
struct Like {
  Id user_id = 0;
  Id post_id = 0;
  friend bool operator==(const Like&, const Like&) = default;
};

//! A set of users, posts and social-graph edges written together (seed, import): all or
//! nothing. Reposts are posts (a kRetweeted reference), not edges. An edge given twice, or
//! already stored, is stored once; edges may name users or posts the store does not hold
//! (yet): lists show only those it holds.
//! A platform account's password, as access/passwords.h encodes it (a libsodium Argon2id
//! string: algorithm, parameters and salt included), never the password itself.
struct PasswordRecord {
  std::string hash;
  TimeMs set_at = 0;
  friend bool operator==(const PasswordRecord&, const PasswordRecord&) = default;
};

struct WriteBatch {
  std::vector<User> users;
  std::vector<Post> posts;  // entities filled; mention ids resolved by the store when missing
  std::vector<Follow> follows;
  std::vector<Like> likes;
  //! Password hashes of accounts of the batch (an import's `password_argon2id`), set as
  //! Store::SetUserPassword does, in the same transaction.
  std::vector<std::pair<Id, PasswordRecord>> passwords;
  // A long post comes with note_text and note_entities filled and text cut (MakeLongPost):
  // the store indexes the whole text for search. An earlier version of an edited post is a
  // post of its own, whose edit_history ends with the latest version's id.
};

//! The social-graph lists. Each is walked newest edge first: follows and likes in the order
//! the store received them, reposts by the repost's id.
enum class GraphList {
  kFollowers,    // of a user: the users who follow it
  kFollowing,    // of a user: the users it follows
  kLikingUsers,  // of a post: the users who like it
  kLikedPosts,   // of a user: the posts it likes
  kRepostedBy,   // of a post: the authors of its reposts
};

//! One entry of a graph list: the user or post, and the edge that put it there (what pages
//! are cut and continued at: a follow's or a like's store id, a repost's post id).
struct GraphEdge {
  Id edge = 0;
  Id id = 0;  // a user id, or a post id for kLikedPosts
  friend bool operator==(const GraphEdge&, const GraphEdge&) = default;
};

struct ProjectInfo {
  Id id = 0;
  std::string name;
  TimeMs created_at = 0;
  int cap_reset_day = 1;  // 1-28: the day of the month the billing cycle starts
  std::string plan;       // the plan of its live apps; "" while it has none
};

//! A trap record as stored: delivered to one app only (src/provenance/traps.h).
struct StoredTrap {
  Id id = 0;
  Id app_id = 0;
  uint64_t counter = 0;
  Id author_id = 0;
  std::string text;
  std::string lang;
  TimeMs created_at = 0;
  std::string marker;
  PostMetrics metrics;        // drawn when it was made (api/trap_profile.h); stored with it
  std::string entities_json;  // on read: X's `entities` of text ('' when none); InsertTrap extracts them
};

//! Which of an app's traps a list of that app holds (FindTraps): the traps its search for
//! `query` matches, or those of `author` (its timeline), or both; neither: every trap.
struct TrapFilter {
  const SearchQuery* query = nullptr;
  std::optional<Id> author;
};

//! A write noted before its ledger record and applied after it (docs/ledger.md, "Writes and
//! crashes"): a new post, not yet visible to any read, or the deletion of a live post.
struct WriteIntent {
  enum class Kind { kPost, kDelete };
  Id post_id = 0;
  Kind kind = Kind::kPost;
  uint64_t ledger_size = 0;  // records appended to the ledger before the intent was noted
  friend bool operator==(const WriteIntent&, const WriteIntent&) = default;
};

//! An action on behalf of an account (issue 15: POST/DELETE /2/users/:id/likes and .../following,
//! PUT /2/tweets/:tweet_id/hidden), noted before its ledger record and applied after it as a
//! WriteIntent is. Reposts are posts: theirs are WriteIntents (a post with a kRetweeted reference,
//! the deletion of a repost).
struct ActionIntent {
  enum class Kind { kLike, kUnlike, kFollow, kUnfollow, kHide, kUnhide };
  Id id = 0;                 // the intent's own (a snowflake)
  Kind kind = Kind::kLike;
  Id user_id = 0;            // the account acting
  Id target_id = 0;          // the post liked or hidden, the user followed
  uint64_t ledger_size = 0;  // records appended to the ledger before the intent was noted
  friend bool operator==(const ActionIntent&, const ActionIntent&) = default;
};

//! One app of a project as the admin API lists it (ListProjectApps): revoked ones too.
struct ProjectApp {
  App app;
  std::optional<TimeMs> revoked_at;  // nullopt: live
  std::string client_id;             // its OAuth 2.0 client id; "" when it has none
};

struct CreditEntry {
  int64_t micro_usd = 0;
  TimeMs added_at = 0;
};

//! A live app as an OAuth 2.0 client (FindAppByClientId).
struct AppClient {
  App app;
  std::string client_id;
  std::string secret_hash;  // SHA-256 of its client secret, 32 bytes; "" while it has none
  bool public_client = false;  // a public client (RFC 6749 2.1): no secret, named by its client_id alone
};

// ---- OAuth 2.0 grants, codes and tokens (issue 15; access/oauth_tokens.h, docs/oauth.md) ----
//! One account's consent to one app for a set of scopes.
struct OAuthGrant {
  Id id = 0;
  Id app_id = 0;
  Id user_id = 0;
  uint32_t scopes = 0;  // a ScopeSet (core/scopes.h)
  TimeMs created_at = 0;
  std::optional<TimeMs> revoked_at;
  friend bool operator==(const OAuthGrant&, const OAuthGrant&) = default;
};

//! An authorization code of a grant, as stored: the SHA-256 of the code, never the code.
struct OAuthCode {
  std::string hash;
  Id grant_id = 0;
  std::string redirect_uri;
  std::string pkce_method;  // "S256" or "plain"
  std::string code_challenge;
  TimeMs expires_at = 0;
  std::optional<TimeMs> spent_at;
};

//! An access or refresh token of a grant, as stored: the SHA-256 of the token.
struct OAuthToken {
  enum class Kind { kAccess, kRefresh };
  std::string hash;
  Kind kind = Kind::kAccess;
  Id grant_id = 0;
  uint32_t scopes = 0;  // an access token's may be fewer than its grant's (a narrowing refresh)
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  std::optional<TimeMs> spent_at;  // a refresh token's, once refreshed
  std::optional<TimeMs> revoked_at;
  friend bool operator==(const OAuthToken&, const OAuthToken&) = default;
};

//! A code or token with the grant it belongs to.
template <class T>
struct OfGrant {
  T item;
  OAuthGrant grant;
};

//! A live access token with its grant and live app (FindAccessToken).
struct AccessTokenGrant {
  OAuthToken token;
  OAuthGrant grant;
  App app;
};

//! A grant with its app and the app's project, for an account's list of apps (GrantsOfUser).
struct UserGrant {
  OAuthGrant grant;
  App app;
  std::string project_name;
  //! The latest expiry of its unspent code and its unspent, unrevoked tokens: when nothing of
  //! it can be used any more. 0 when it has none.
  TimeMs usable_until = 0;
};

//! A filtered-stream rule (issue 16, POST /2/tweets/search/stream/rules): one app's query.
struct StreamRule {
  Id id = 0;          // a snowflake: X's rule ids are numeric strings
  Id app_id = 0;
  std::string value;  // the query as the app gave it
  std::string tag;    // "" when none
  TimeMs created_at = 0;
};

//! What AddStreamRules did (or, not writing, would do).
struct StreamRuleAdd {
  std::vector<StreamRule> added;       // the rules given that were new, in the order given
  std::vector<StreamRule> duplicates;  // per rule given with a value the app holds (or given
                                       // earlier in the same call): the rule holding it
  int64_t held = 0;                    // the app's rules before the call
  bool over_cap = false;               // held + added would pass the cap: nothing written
};

//! A compliance event (issue 16): a post deleted, or a state an operator set on an account or a
//! post (Store::ApplyComplianceEvent), in the terms of X's compliance streams
//! (StreamPostsComplianceResponse, StreamUsersComplianceResponse; api/compliance.h renders it).
//! kDelete and kWithheld name a post and its author; kScrubGeo a user and up_to_tweet_id
//! (post_id); the user kinds a user. withheld_in_countries for kWithheld and kUserWithheld
//! only (X requires one or more: two-letter country codes).
struct ComplianceEvent {
  enum class Kind { kDelete, kWithheld, kScrubGeo, kUserDelete, kUserSuspend, kUserProtect, kUserUndelete,
                    kUserUnsuspend, kUserUnprotect, kUserWithheld };
  Kind kind = Kind::kDelete;
  Id post_id = 0;    // kDelete, kWithheld; kScrubGeo: up_to_tweet_id
  Id user_id = 0;    // the author, or the user
  TimeMs event_at = 0;
  std::vector<std::string> withheld_in_countries;
  friend bool operator==(const ComplianceEvent&, const ComplianceEvent&) = default;
};
//! X's name of the kind ("delete", "withheld", "scrub_geo", "user_suspend", ...): the key of
//! its event object, and how the store keeps it.
std::string_view ComplianceEventName(ComplianceEvent::Kind kind);
std::optional<ComplianceEvent::Kind> ParseComplianceEventName(std::string_view name);
//! Whether X sends the kind on its users compliance stream (the user kinds and scrub_geo)
//! rather than its tweets compliance stream (delete, withheld).
bool IsUserComplianceEvent(ComplianceEvent::Kind kind);

//! A compliance event as the store's outbox keeps it: `seq` grows with each event, in the
//! order their transactions commit (every node reads them in that order).
struct StoredComplianceEvent {
  int64_t seq = 0;
  ComplianceEvent event;
};

//! What Store::ApplyComplianceEvent did.
enum class ComplianceApply {
  kApplied,    // the state changed and the event was noted
  kUnknown,    // no such user or post (or a trap record's): nothing written
  kUnchanged,  // the user or post was in that state already: nothing written
};

//! A batch compliance job (api/compliance.h, docs/api.md "Compliance"): an app's list of post
//! or user ids, checked against what the store knows. `status` is what was stored: "created",
//! "in_progress", "complete" or "failed"; "expired" is not stored, the API derives it from
//! the expiry times when it reads the job.
struct ComplianceJob {
  Id id = 0;
  Id app_id = 0;
  Id project_id = 0;  // the app's, when the job was made (its notices name it)
  std::string type;  // "tweets" or "users"
  std::string name;  // empty: none given
  bool resumable = false;
  std::string status;
  std::string upload_token;    // the capability in the upload URL (random, unguessable)
  std::string download_token;  // the capability in the download URL
  TimeMs created_at = 0;
  TimeMs upload_expires_at = 0;
  TimeMs download_expires_at = 0;
  std::string result;          // complete: the result file (JSON lines); failed: why; else empty
  int64_t ids_checked = 0;     // ids in the upload, once complete
  //! in_progress: the uploaded ids (one per line), kept until the job finishes, so that
  //! another worker or node can check them again if the one checking them stops.
  std::string ids;
  //! in_progress: the checker's lease; past it, anyone may take the job over (ResumeComplianceJob).
  TimeMs checking_until = 0;
  //! A resumable job's upload session (BeginComplianceUpload), the upload_id of its session
  //! URI; empty: none begun. While the job is "created", `ids` holds the bytes the session
  //! has received so far (AppendComplianceUpload).
  std::string upload_session;
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- reads. Deleted posts are returned (with deleted_at set): callers decide. An earlier
  // version of an edited post (Post::IsEarlierVersion) is returned by GetPosts alone: lists,
  // searches and counts hold only the latest version of each post, as X's do. ----
  virtual Result<std::vector<StoredPost>> GetPosts(std::span<const Id> ids) = 0;
  virtual Result<std::vector<User>> GetUsers(std::span<const Id> ids) = 0;
  //! The polls with these ids (Post::poll on read holds only the id), options in position
  //! order; unknown ids are left out. A poll is found once its post is published.
  virtual Result<std::vector<Poll>> GetPolls(std::span<const Id> ids) = 0;
  //! Case-insensitive.
  virtual Result<std::vector<User>> GetUsersByUsername(std::span<const std::string> usernames) = 0;

  // Timelines: newest first, deleted posts skipped, up to page.limit + 1 posts. Lists and
  // counts leave out the posts of protected accounts: every API token is app-only, and X
  // shows those posts to the account's followers alone. UserPosts leaves out nullcast posts
  // (promoted-only: public, found by id and by search, but not in the author's timeline).
  virtual Result<std::vector<StoredPost>> UserPosts(Id user_id, const PageRequest& page) = 0;
  virtual Result<std::vector<StoredPost>> Mentions(Id user_id, const PageRequest& page) = 0;
  virtual Result<std::vector<StoredPost>> QuotePosts(Id post_id, const PageRequest& page) = 0;
  //! The live reposts of `post_id` (posts with a kRetweeted reference to it), as QuotePosts.
  virtual Result<std::vector<StoredPost>> Reposts(Id post_id, const PageRequest& page) = 0;
  //! Up to page.limit + 1 entries of `list` for user or post `of`, by descending edge; only
  //! page.limit and page.cursor (compared with GraphEdge::edge) apply. Users listed are real
  //! ones (never a trap record's synthetic author); posts listed are live and not a protected
  //! account's (as in the timelines), and so are the reposts behind kRepostedBy. Whether `of`
  //! itself may be shown is the caller's question: an unknown `of` lists nothing.
  virtual Result<std::vector<GraphEdge>> Graph(GraphList list, Id of, const PageRequest& page) = 0;
  virtual Result<std::vector<StoredPost>> Search(const SearchQuery& query, const PageRequest& page) = 0;
  //! Matching live posts per bucket over [start, end), oldest bucket first. Buckets are aligned
  //! to multiples of `bucket_ms` since the epoch; the first and last are clipped to the range.
  //! `since_id` / `until_id` (exclusive, as X's) bound the posts by id as well: a millisecond
  //! holds many ids, so a time alone cannot.
  virtual Result<std::vector<CountBucket>> Count(const SearchQuery& query, TimeMs start, TimeMs end, TimeMs bucket_ms,
                                                 std::optional<Id> since_id, std::optional<Id> until_id) = 0;
  //! Users search: users whose username, name or description has every word of `words`
  //! (case- and accent-insensitive; the last token of each word may be a prefix, "ali" finds
  //! @alice), most relevant first (a username match before a name match before a description
  //! match), then by id. Skips `offset` matches and returns up to `limit` + 1. Protected
  //! accounts are left out, as lists leave them out, and so are trap authors but those of the
  //! traps delivered to `trap_app` (0: none), found like any user. No words: no users.
  virtual Result<std::vector<User>> SearchUsers(std::span<const std::string> words, int64_t offset, int limit,
                                                Id trap_app = 0) = 0;

  // ---- read snapshots ----
  //! Until EndReads(), reads may share one snapshot of the store (one request's reads: the
  //! SQLite backend then takes its read lock once, not once per statement). The snapshot
  //! holds every write committed before BeginReads(), by any connection; writes committed
  //! by others after it may not be seen until EndReads(). A write through this Store ends the
  //! snapshot first: the write, and the reads after it, start from the latest state. Does not
  //! nest (a second BeginReads() is a no-op). By default both do nothing: every read sees the
  //! latest state.
  virtual void BeginReads() {}
  virtual void EndReads() {}
  //! True if another connection committed a write since the previous call on this Store (or
  //! when that cannot be told); the first call only takes note and returns false. It is how
  //! writes by another process (another `sluice` command on the same store) are noticed:
  //! those made in this process move StoreWriteGeneration() themselves, but show here too (so
  //! it does not move the generation: one worker noticing a commit again must not empty every
  //! worker's caches). It reads the store (SQLite: PRAGMA data_version): call it now and then,
  //! not per request.
  virtual bool PollOtherWriters() { return false; }
  //! True when other nodes serve from this store too (PostgreSQL): a write one of them has
  //! acknowledged must show here at once, so a cache of store reads asks PollOtherWriters on
  //! every use, not now and then (lookup_cache.h).
  virtual bool SharedByNodes() const { return false; }
  //! Posts published and deleted by any node, as their changes commit: `on_change` runs on a
  //! thread of the feed's own, until the returned feed is destroyed. Null (no feed) for a store
  //! one node has to itself (SQLite), whose server sees its own writes (stream_hub.h).
  virtual Result<std::unique_ptr<ChangeFeed>> ListenForPostChanges(std::function<void(const PostChange&)> on_change) {
    return std::unique_ptr<ChangeFeed>();
  }
  //! After a bulk load (seed, import): refreshes what the engine plans queries with, so they
  //! are planned for the data now held (PostgreSQL: ANALYZE; without it, a search right after a
  //! seed scanned every post: 37 ms a page of 50,000 posts, 3.5 ms after). Default: nothing.
  virtual Status AfterBulkLoad() { return Status::Ok(); }

  // ---- writes ----
  //! Runs `fn` so that every write it makes through this Store applies together or not at
  //! all: when `fn` fails, nothing it wrote remains. Writes nest.
  virtual Status Atomically(const std::function<Status()>& fn) = 0;
  virtual Status Apply(const WriteBatch& batch) = 0;
  //! Inserts one post durably (fsync before returning ok). Fills conversation and mention ids.
  //! A post with a whole poll (options set) stores the poll too.
  virtual Status InsertPost(Post& post) = 0;
  //! Marks a post deleted (kept for evidence), with the other versions of it when it was
  //! edited: X deletes an edit chain whole. NotFound if no live post has this id.
  virtual Status DeletePost(Id id, TimeMs at) = 0;

  // ---- write intents: a write of the API takes effect only with its ledger record ----
  //! Notes `post` as a pending post: no read returns it until ApplyIntent. Checks its reply
  //! parent (400 when missing or deleted) and fills conversation_id and in_reply_to_user_id
  //! as InsertPost does. Its options and its poll (whole, with id) are noted with it. `ledger_size`: the ledger's appended size before the POST record is
  //! appended. Durable when it returns.
  virtual Status NotePendingPost(Post& post, uint64_t ledger_size) = 0;
  //! Notes the deletion of post `id` at `at`, the post staying live until ApplyIntent.
  //! NotFound when no live post has this id or its deletion is already noted. Durable.
  virtual Status NoteDeletion(Id id, TimeMs at, uint64_t ledger_size) = 0;
  //! Applies the intent for `post_id` (publishes the post, or deletes it) and clears it, in
  //! one transaction. NotFound when there is none. Never re-checks what the intent checked:
  //! its ledger record already says it happened.
  virtual Status ApplyIntent(Id post_id) = 0;
  //! Clears the intent for `post_id` without applying it (no error when there is none); a
  //! pending post's poll goes with it.
  virtual Status DropIntent(Id post_id) = 0;
  //! Every intent noted and neither applied nor dropped, by post id.
  virtual Result<std::vector<WriteIntent>> ListIntents() = 0;

  // ---- actions on behalf of an account: intents as above (ActionIntent) ----
  //! Notes `action` (its id unused so far). Durable when it returns. Checks nothing: the
  //! handler did (the post or user exists), and applying is idempotent.
  virtual Status NoteAction(const ActionIntent& action) = 0;
  //! Applies the action noted as `id` and clears it, in one transaction: a like or follow
  //! adds its edge (likes, follows) unless it is there, an unlike or unfollow removes it, and
  //! only an edge added or removed moves the counts (the post's and the liking user's
  //! like_count; followers_count and following_count); hide and unhide set the reply's
  //! `hidden`. NotFound when there is no such intent.
  virtual Status ApplyAction(Id id) = 0;
  //! Clears the action noted as `id` without applying it (no error when there is none).
  virtual Status DropAction(Id id) = 0;
  //! Every action noted and neither applied nor dropped, by id.
  virtual Result<std::vector<ActionIntent>> ListActions() = 0;
  //! Whether `user_id` likes post `target_id` (kLikes) or follows user `target_id` (kFollows).
  enum class Relation { kLikes, kFollows };
  virtual Result<bool> Related(Relation relation, Id user_id, Id target_id) = 0;
  //! The live reposts `user_id` made of `post_id` (posts with a kRetweeted reference to it), by id.
  virtual Result<std::vector<Id>> RepostsBy(Id user_id, Id post_id) = 0;
  //! Whether reply `post_id` is hidden (PUT /2/tweets/:tweet_id/hidden); false for an unknown post.
  virtual Result<bool> IsHidden(Id post_id) = 0;

  virtual Result<int64_t> CountPosts() = 0;
  //! Every post, deleted ones and earlier versions included, in id order: (id, text,
  //! deleted). For building the trace index; `visit` returning false stops early. A long
  //! post's text is its cut, which every delivery holds (note_tweet's whole text starts with it).
  virtual Status ForEachPost(const std::function<bool(Id, std::string_view, bool)>& visit) = 0;
  virtual Result<int64_t> CountUsers() = 0;

  // ---- trap records ----
  //! Stores a trap and its synthetic author (User::synthetic) together, the text indexed for
  //! FindTraps (words, tags, flags and entities as InsertPost does). An author already stored
  //! (a second trap of the same synthetic account) is kept as it is.
  virtual Status InsertTrap(const StoredTrap& trap, const User& author) = 0;
  //! The traps delivered to `app` that `filter` selects, within `page`'s id and time bounds
  //! and cursor, ordered and limited as Search orders a recency page (newest first, up to
  //! page.limit + 1; page.limit <= 0: all of them). A query matches a trap exactly as Search
  //! matches a post with the same text, author and language (a trap is no reply, quote or
  //! repost). Another app's traps are never returned; `app` 0 stands for every app (for
  //! rendering a synthetic author whose app the caller already checked).
  virtual Result<std::vector<StoredTrap>> FindTraps(Id app, const TrapFilter& filter, const PageRequest& page) = 0;
  virtual Result<std::optional<StoredTrap>> GetTrap(Id id) = 0;
  //! How many traps `app` has been given (the next counter).
  virtual Result<int64_t> CountTraps(Id app) = 0;
  //! Every trap, in id order; `visit` returning false stops early.
  virtual Status ForEachTrap(const std::function<bool(const StoredTrap&)>& visit) = 0;

  // ---- apps and projects ----
  virtual Result<Id> CreateProject(std::string_view name, TimeMs at) = 0;
  virtual Result<bool> ProjectExists(Id project_id) = 0;
  //! Live (not revoked) apps of the project; 0 for an unknown project.
  virtual Result<int64_t> CountApps(Id project_id) = 0;
  //! The plan of the project's live apps (they all share it); nullopt when it has none.
  virtual Result<std::optional<std::string>> ProjectPlan(Id project_id) = 0;
  virtual Result<std::optional<ProjectInfo>> GetProject(Id project_id) = 0;
  virtual Result<std::vector<ProjectInfo>> ListProjects() = 0;
  //! Prepaid credits (pay-per-use), in micro-dollars; > 0.
  virtual Status AddCredits(Id project_id, int64_t micro_usd, TimeMs at) = 0;
  virtual Result<std::vector<CreditEntry>> Credits(Id project_id) = 0;
  //! Stores the app with the SHA-256 of its token.
  virtual Status InsertApp(const App& app, std::string_view token_hash) = 0;
  virtual Result<std::optional<App>> FindAppByTokenHash(std::string_view token_hash) = 0;
  //! Gives the live app `app_id` the token with hash `token_hash` in place of its own (the old
  //! token names no live app from the commit on). False, and nothing written, when no live app
  //! has that id.
  virtual Result<bool> ReplaceAppToken(Id app_id, std::string_view token_hash) = 0;
  //! Marks the live app `app_id` revoked at `at` (kept, for evidence); its token then names no
  //! live app. False, and nothing written, when no live app has that id.
  virtual Result<bool> RevokeApp(Id app_id, TimeMs at) = 0;
  //! Every app, revoked ones included (evidence names them too).
  virtual Result<std::vector<App>> ListApps() = 0;

  // ---- the admin API's projects (issue 17; docs/admin-api.md) ----
  //! A new project with its plan (kept for its first app: ProjectInfo::plan until it has one)
  //! and the SHA-256 of its console key (32 bytes), in one write. Errors: the store's.
  virtual Result<Id> CreateProjectWithKey(std::string_view name, std::string_view plan, std::string_view key_hash,
                                          TimeMs at) = 0;
  //! Gives the project the console key with SHA-256 `key_hash` in place of its own (the old one
  //! names no project from the commit on). False, and nothing written, when no such project.
  virtual Result<bool> SetConsoleKey(Id project_id, std::string_view key_hash) = 0;
  //! The SHA-256 of the project's console key: nullopt when no such project, "" when it has none.
  virtual Result<std::optional<std::string>> ConsoleKeyHash(Id project_id) = 0;
  //! The project whose console key has SHA-256 `key_hash`; nullopt when none.
  virtual Result<std::optional<Id>> FindProjectByConsoleKey(std::string_view key_hash) = 0;
  //! The project's apps, revoked ones included, in id order; none for an unknown project.
  virtual Result<std::vector<ProjectApp>> ListProjectApps(Id project_id) = 0;
  //! The app `app_id`, revoked or not, as ListProjectApps lists it; nullopt when no such app.
  virtual Result<std::optional<ProjectApp>> GetProjectApp(Id app_id) = 0;

  // ---- platform accounts' passwords (issue 15: signing in) ----
  //! Sets (or replaces) the password hash of the user `user_id`. False, and nothing written,
  //! when no user has that id.
  virtual Result<bool> SetUserPassword(Id user_id, std::string_view hash, TimeMs at) = 0;
  //! The user's password hash; nullopt when none was set (or no such user).
  virtual Result<std::optional<PasswordRecord>> UserPassword(Id user_id) = 0;

  // ---- apps as OAuth 2.0 clients (issue 15; access/oauth_clients.h) ----
  //! Gives the live app `app_id` the client secret with SHA-256 `secret_hash` in place of its
  //! own, and the client id `client_id` if it has none yet (an app made before the migration
  //! gets one here); returns the app's client id from then on. nullopt, and nothing written,
  //! when no live app has that id or it is a public client (SetAppPublicClient).
  virtual Result<std::optional<std::string>> SetAppClientSecret(Id app_id, std::string_view client_id,
                                                                std::string_view secret_hash) = 0;
  //! The live app whose client id is `client_id`, with its secret's hash; nullopt if none.
  virtual Result<std::optional<AppClient>> FindAppByClientId(std::string_view client_id) = 0;
  //! The app's registered redirect URIs, in the order they were added.
  virtual Result<std::vector<std::string>> RedirectUris(Id app_id) = 0;
  //! Registers `uri` for the app; false, and nothing written, if it already is. The caller
  //! validates the URI and the app (access/app_clients.h).
  virtual Result<bool> AddRedirectUri(Id app_id, std::string_view uri) = 0;
  //! False, and nothing written, if `uri` is not registered for the app.
  virtual Result<bool> RemoveRedirectUri(Id app_id, std::string_view uri) = 0;
  //! Makes the live app `app_id` a public client: no secret (its hash removed), the client id
  //! `client_id` if it has none yet; returns its client id. nullopt, and nothing written, when
  //! no live app has that id. SetAppClientSecret leaves a public client be (nullopt).
  virtual Result<std::optional<std::string>> SetAppPublicClient(Id app_id, std::string_view client_id) = 0;

  // ---- OAuth 2.0 grants, codes and tokens (issue 15; access/oauth_tokens.h). Codes and
  // tokens are found by their hash; a code or refresh token is spent once, decided inside one
  // transaction, so of two connections spending one at once exactly one succeeds.
  //! Stores a new grant (its id assigned here, returned) and its code (`code.grant_id` ignored).
  virtual Result<Id> InsertGrantWithCode(const OAuthGrant& grant, const OAuthCode& code) = 0;
  //! The code with SHA-256 `hash` and its grant, spent or not; nullopt if none.
  virtual Result<std::optional<OfGrant<OAuthCode>>> FindCode(std::string_view hash) = 0;
  //! In one transaction: marks the code `hash` spent at `at` if it is not yet, and if so
  //! inserts `tokens`. False, and nothing written, when it was spent already (or is unknown).
  virtual Result<bool> SpendCode(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) = 0;
  //! The token (access or refresh) with SHA-256 `hash` and its grant, whatever its state.
  virtual Result<std::optional<OfGrant<OAuthToken>>> FindToken(std::string_view hash) = 0;
  //! As SpendCode, for the unrevoked refresh token `hash` of an unrevoked grant.
  virtual Result<bool> SpendRefreshToken(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) = 0;
  //! The access token `hash` if it is live at `now` (not expired, not revoked, its grant not
  //! revoked, its app live), with its grant and app; nullopt otherwise.
  virtual Result<std::optional<AccessTokenGrant>> FindAccessToken(std::string_view hash, TimeMs now) = 0;
  //! Marks the unrevoked access token `hash` revoked at `at`; false, nothing written, if none.
  virtual Result<bool> RevokeAccessToken(std::string_view hash, TimeMs at) = 0;
  //! Marks the grant revoked at `at` (its codes and tokens are refused from then on: every
  //! lookup checks the grant); false, nothing written, when it is unknown or revoked already.
  virtual Result<bool> RevokeGrant(Id grant_id, TimeMs at) = 0;
  //! Revokes every unrevoked grant of `user_id` to `app_id`; returns how many.
  virtual Result<int64_t> RevokeGrantsOfUser(Id user_id, Id app_id, TimeMs at) = 0;
  //! The unrevoked grants of `user_id` to live apps, oldest first.
  virtual Result<std::vector<UserGrant>> GrantsOfUser(Id user_id) = 0;

  // ---- filtered-stream rules (issue 16; api/stream_rules.cc) ----
  //! Adds `rules` (ids and times set by the caller, all of app `app_id`) in one transaction
  //! serialised with every other rule write: a rule whose value the app already holds, or
  //! that an earlier rule of `rules` has, is a duplicate and is not added; when the app's rules
  //! and the new ones together pass `cap`, nothing is written (over_cap). `write` false: the
  //! same answer, nothing written (a dry run).
  virtual Result<StreamRuleAdd> AddStreamRules(Id app_id, std::span<const StreamRule> rules, int64_t cap,
                                               bool write) = 0;
  //! Deletes the app's rules with these ids or these values (exact), in one transaction; returns
  //! the rules deleted (or, `write` false, that would be), by id. Unknown ones are skipped.
  virtual Result<std::vector<StreamRule>> DeleteStreamRules(Id app_id, std::span<const Id> ids,
                                                            std::span<const std::string> values, bool write) = 0;
  //! The app's rules, by id.
  virtual Result<std::vector<StreamRule>> StreamRules(Id app_id) = 0;
  //! Every app's rules, by (app, id): what a node builds its rule index from (rule_index.h).
  virtual Result<std::vector<StreamRule>> AllStreamRules() = 0;
  //! Grows with every rule added or deleted, through any connection or node: a node rebuilds
  //! its index when the version differs from the one it built from (read it before the rules).
  virtual Result<int64_t> StreamRulesVersion() = 0;
  //! How many rules each live app of the project holds (apps with none included), by app id.
  virtual Result<std::vector<std::pair<Id, int64_t>>> StreamRuleCounts(Id project_id) = 0;

  // ---- stream connection slots (issue 16; api/stream_slots.h): an app's open streams of one
  // feed, counted across every node of the store. A slot is held until its `until`, which its
  // node renews while the stream lives; a stopped node's slots lapse.
  //! Takes a slot for `holder` (unique: node, process, stream) of (`app_id`, `feed`) until
  //! `until`, unless `max` slots of that app and feed are live at `now` (until > now): false
  //! then, nothing written. Serialised with every other take of that app and feed.
  virtual Result<bool> TakeStreamSlot(Id app_id, int feed, std::string_view holder, int max, TimeMs now,
                                      TimeMs until) = 0;
  //! Moves the `until` of these holders' slots (those that still exist) to `until`.
  virtual Status RenewStreamSlots(std::span<const std::string> holders, TimeMs until) = 0;
  //! Frees these holders' slots, and every slot whose holder begins with `prefix` when it is
  //! not empty (a restarted node's slots of its previous run).
  virtual Status ReleaseStreamSlots(std::span<const std::string> holders, std::string_view prefix = {}) = 0;

  // ---- account and post states an operator sets (issue 16: `sluice users suspend`, ...) ----
  //! Applies `event` (any kind but kDelete: deletions are write intents) and, in the same
  //! transaction, appends it to the compliance-events outbox: kUserSuspend / kUserUnsuspend
  //! set or clear the user's suspended_at (event_at), kUserDelete / kUserUndelete its
  //! deactivated_at, kUserProtect / kUserUnprotect its protected flag, kUserWithheld its
  //! withheld_in_countries (replaced), kWithheld the post's (replaced; the event's user_id is
  //! set to the post's author here), kScrubGeo raises the user's geo_scrubbed_up_to to post_id.
  //! kInvalidArgument for kDelete, a withholding without a country, a scrub_geo without an id.
  virtual Result<ComplianceApply> ApplyComplianceEvent(ComplianceEvent& event) = 0;
  //! The outbox's events with seq > `after`, by seq, at most `limit`.
  virtual Result<std::vector<StoredComplianceEvent>> ComplianceEventsAfter(int64_t after, int limit) = 0;
  //! The outbox's last seq (0 when empty): where a reader that wants only new events starts.
  virtual Result<int64_t> LastComplianceEventSeq() = 0;

  // Batch compliance jobs (issue 16, api/compliance.h).
  //! Inserts a new job; kConflict when its id or a token is taken.
  virtual Status InsertComplianceJob(const ComplianceJob& job) = 0;
  //! The job with this id, any app's (the caller checks the owner).
  virtual Result<std::optional<ComplianceJob>> GetComplianceJob(Id id) = 0;
  //! The job whose upload_token or download_token is `token` (the caller checks which).
  virtual Result<std::optional<ComplianceJob>> FindComplianceJobByToken(std::string_view token) = 0;
  //! `app_id`'s jobs of `type`, newest first, without their result.
  virtual Result<std::vector<ComplianceJob>> ListComplianceJobs(Id app_id, std::string_view type) = 0;
  //! Moves a job from "created" to "in_progress" with its uploaded `ids` and the checker's
  //! lease (its upload came before upload_expires_at, checked by the caller); false, and no
  //! change, when it was not "created": the upload was taken once already.
  virtual Result<bool> StartComplianceJob(Id id, std::string_view ids, TimeMs checking_until) = 0;
  //! Begins a resumable upload of a "created" job: `session` becomes its upload_session and
  //! the bytes an earlier session stored are dropped; false, and no change, when the job is not
  //! "created".
  virtual Result<bool> BeginComplianceUpload(Id id, std::string_view session) = 0;
  //! Appends `chunk` to the bytes session `session` of a "created" job has stored (its `ids`)
  //! when they are exactly `offset` bytes long, in one statement (concurrent appends at the
  //! same offset: one wins); false, and no change, otherwise (another offset, another
  //! session, no session begun, or the job is past "created"). The caller bounds offset + chunk size.
  virtual Result<bool> AppendComplianceUpload(Id id, std::string_view session, int64_t offset,
                                              std::string_view chunk) = 0;
  //! Extends the lease of an in_progress job's checker; false when it is not in progress.
  virtual Result<bool> RenewComplianceJob(Id id, TimeMs checking_until) = 0;
  //! Takes an in_progress job whose lease ended at or before `now` (its checker stopped): the
  //! lease becomes `checking_until`; false, and no change, for any other job (one taker wins).
  virtual Result<bool> ResumeComplianceJob(Id id, TimeMs now, TimeMs checking_until) = 0;
  //! Moves a job from "in_progress" to `status` ("complete" or "failed") with its result (its
  //! ids are dropped); false, and no change, when it was not in progress.
  virtual Result<bool> FinishComplianceJob(Id id, std::string_view status, std::string_view result,
                                           int64_t ids_checked) = 0;
};

//! Changes (grows) after every write committed through any Store of this process: after the
//! commit, before the write method returns. A cache of what
//! the store returns reads it before the first store read its entry comes from, and uses the
//! entry only while the generation is unchanged: then no write was committed since the entry's
//! reads began, so the entry is what the store would return now. Thread-safe.
uint64_t StoreWriteGeneration();
//! For backends: a write was committed.
void BumpStoreWriteGeneration();

//! Holds a Store's read snapshot (BeginReads) from construction, when `active`, until End()
//! or destruction, so that no snapshot outlives the scope that took it.
class ReadScope {
 public:
  ReadScope(Store& store, bool active) : store_(active ? &store : nullptr) {
    if (store_) store_->BeginReads();
  }
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;
  ~ReadScope() { End(); }
  void End() {
    if (store_) store_->EndReads();
    store_ = nullptr;
  }

 private:
  Store* store_;
};

struct StoreOptions {
  std::string url;       // "sqlite" (default: DATA/sluice.db), sqlite:///path/file.db, or postgres://... (libpq URI)
  std::string data_dir;  // --data
  bool create = true;    // create and migrate the schema if needed
  int pool_size = 0;     // PostgreSQL: the connections this process keeps to it, set by its first
                         // OpenStore (0: pg::Pool::kDefaultSize); SQLite: unused
};

//! Opens one connection. Fails with a CommandError naming the file for an unusable store.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace sluice
