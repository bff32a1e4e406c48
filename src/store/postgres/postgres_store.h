#pragma once
//! PostgresStore: the Store (store.h) on PostgreSQL, for several nodes sharing one database.
//! Rows and behaviour are the SQLite store's (store/sqlite/sqlite_store.h); search runs on
//! tsvector columns with GIN indexes (pg_search.h). Each call borrows a connection from the
//! process's pool for its URL (pg_conn.h) and gives it back when it returns; Atomically holds
//! one for the whole of `fn`. A PostgreSQL that is down or restarting makes calls fail with
//! kUnavailable (the API's 503), and the next call reconnects. Reads see the latest committed
//! state (BeginReads/EndReads do nothing).

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace sluice::pg {

class PostgresStore final : public Store {
 public:
  //! Connects to `url` (a libpq URI: postgres://user@host:port/db), applying the migrations
  //! when `create`, through the process's pool of `pool_size` connections to it (Pool::For).
  //! CommandError naming the URL when PostgreSQL cannot be reached.
  static Result<std::unique_ptr<Store>> Open(const std::string& url, bool create, int pool_size = Pool::kDefaultSize);

  Result<std::vector<StoredPost>> GetPosts(std::span<const Id> ids) override;
  Result<std::vector<User>> GetUsers(std::span<const Id> ids) override;
  Result<std::vector<Poll>> GetPolls(std::span<const Id> ids) override;
  Result<std::vector<User>> GetUsersByUsername(std::span<const std::string> usernames) override;
  Result<std::vector<StoredPost>> UserPosts(Id user_id, const PageRequest& page) override;
  Result<std::vector<StoredPost>> Mentions(Id user_id, const PageRequest& page) override;
  Result<std::vector<StoredPost>> QuotePosts(Id post_id, const PageRequest& page) override;
  Result<std::vector<StoredPost>> Reposts(Id post_id, const PageRequest& page) override;
  Result<std::vector<GraphEdge>> Graph(GraphList list, Id of, const PageRequest& page) override;
  Result<std::vector<StoredPost>> Search(const SearchQuery& query, const PageRequest& page) override;
  Result<std::vector<CountBucket>> Count(const SearchQuery& query, TimeMs start, TimeMs end, TimeMs bucket_ms,
                                         std::optional<Id> since_id, std::optional<Id> until_id) override;
  Result<std::vector<User>> SearchUsers(std::span<const std::string> words, int64_t offset, int limit,
                                        Id trap_app = 0) override;
  bool PollOtherWriters() override;
  bool SharedByNodes() const override { return true; }
  Result<std::unique_ptr<ChangeFeed>> ListenForPostChanges(std::function<void(const PostChange&)> on_change) override;
  Status AfterBulkLoad() override;

  Status Atomically(const std::function<Status()>& fn) override;
  Status Apply(const WriteBatch& batch) override;
  Status InsertPost(Post& post) override;
  Status DeletePost(Id id, TimeMs at) override;
  Status NotePendingPost(Post& post, uint64_t ledger_size) override;
  Status NoteDeletion(Id id, TimeMs at, uint64_t ledger_size) override;
  Status ApplyIntent(Id post_id) override;
  Status DropIntent(Id post_id) override;
  Result<std::vector<WriteIntent>> ListIntents() override;
  Status NoteAction(const ActionIntent& action) override;
  Status ApplyAction(Id id) override;
  Status DropAction(Id id) override;
  Result<std::vector<ActionIntent>> ListActions() override;
  Result<bool> Related(Relation relation, Id user_id, Id target_id) override;
  Result<std::vector<Id>> RepostsBy(Id user_id, Id post_id) override;
  Result<bool> IsHidden(Id post_id) override;
  Result<int64_t> CountPosts() override;
  Status ForEachPost(const std::function<bool(Id, std::string_view, bool)>& visit) override;
  Result<int64_t> CountUsers() override;

  Status InsertTrap(const StoredTrap& trap, const User& author) override;
  Result<std::optional<StoredTrap>> GetTrap(Id id) override;
  Result<int64_t> CountTraps(Id app) override;
  Status ForEachTrap(const std::function<bool(const StoredTrap&)>& visit) override;
  Result<std::vector<StoredTrap>> FindTraps(Id app, const TrapFilter& filter, const PageRequest& page) override;

  Result<Id> CreateProject(std::string_view name, TimeMs at) override;
  Result<bool> ProjectExists(Id project_id) override;
  Result<int64_t> CountApps(Id project_id) override;
  Result<std::optional<std::string>> ProjectPlan(Id project_id) override;
  Result<std::optional<ProjectInfo>> GetProject(Id project_id) override;
  Result<std::vector<ProjectInfo>> ListProjects() override;
  Status AddCredits(Id project_id, int64_t micro_usd, TimeMs at) override;
  Result<std::vector<CreditEntry>> Credits(Id project_id) override;
  Status InsertApp(const App& app, std::string_view token_hash) override;
  Result<std::optional<App>> FindAppByTokenHash(std::string_view token_hash) override;
  Result<bool> ReplaceAppToken(Id app_id, std::string_view token_hash) override;
  Result<bool> RevokeApp(Id app_id, TimeMs at) override;
  Result<std::vector<App>> ListApps() override;
  Result<Id> CreateProjectWithKey(std::string_view name, std::string_view plan, std::string_view key_hash,
                                  TimeMs at) override;
  Result<bool> SetConsoleKey(Id project_id, std::string_view key_hash) override;
  Result<std::optional<std::string>> ConsoleKeyHash(Id project_id) override;
  Result<std::optional<Id>> FindProjectByConsoleKey(std::string_view key_hash) override;
  Result<std::vector<ProjectApp>> ListProjectApps(Id project_id) override;
  Result<std::optional<ProjectApp>> GetProjectApp(Id app_id) override;
  Result<bool> SetUserPassword(Id user_id, std::string_view hash, TimeMs at) override;
  Result<std::optional<PasswordRecord>> UserPassword(Id user_id) override;
  Result<std::optional<std::string>> SetAppClientSecret(Id app_id, std::string_view client_id,
                                                        std::string_view secret_hash) override;
  Result<std::optional<AppClient>> FindAppByClientId(std::string_view client_id) override;
  Result<std::vector<std::string>> RedirectUris(Id app_id) override;
  Result<bool> AddRedirectUri(Id app_id, std::string_view uri) override;
  Result<bool> RemoveRedirectUri(Id app_id, std::string_view uri) override;
  Result<std::optional<std::string>> SetAppPublicClient(Id app_id, std::string_view client_id) override;
  Result<Id> InsertGrantWithCode(const OAuthGrant& grant, const OAuthCode& code) override;
  Result<std::optional<OfGrant<OAuthCode>>> FindCode(std::string_view hash) override;
  Result<bool> SpendCode(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) override;
  Result<std::optional<OfGrant<OAuthToken>>> FindToken(std::string_view hash) override;
  Result<bool> SpendRefreshToken(std::string_view hash, TimeMs at, std::span<const OAuthToken> tokens) override;
  Result<std::optional<AccessTokenGrant>> FindAccessToken(std::string_view hash, TimeMs now) override;
  Result<bool> RevokeAccessToken(std::string_view hash, TimeMs at) override;
  Result<bool> RevokeGrant(Id grant_id, TimeMs at) override;
  Result<int64_t> RevokeGrantsOfUser(Id user_id, Id app_id, TimeMs at) override;
  Result<std::vector<UserGrant>> GrantsOfUser(Id user_id) override;
  Result<StreamRuleAdd> AddStreamRules(Id app_id, std::span<const StreamRule> rules, int64_t cap, bool write) override;
  Result<std::vector<StreamRule>> DeleteStreamRules(Id app_id, std::span<const Id> ids,
                                                    std::span<const std::string> values, bool write) override;
  Result<std::vector<StreamRule>> StreamRules(Id app_id) override;
  Result<std::vector<StreamRule>> AllStreamRules() override;
  Result<int64_t> StreamRulesVersion() override;
  Result<std::vector<std::pair<Id, int64_t>>> StreamRuleCounts(Id project_id) override;
  Result<bool> TakeStreamSlot(Id app_id, int feed, std::string_view holder, int max, TimeMs now, TimeMs until) override;
  Status RenewStreamSlots(std::span<const std::string> holders, TimeMs until) override;
  Status ReleaseStreamSlots(std::span<const std::string> holders, std::string_view prefix = {}) override;
  Status InsertComplianceJob(const ComplianceJob& job) override;
  Result<std::optional<ComplianceJob>> GetComplianceJob(Id id) override;
  Result<std::optional<ComplianceJob>> FindComplianceJobByToken(std::string_view token) override;
  Result<std::vector<ComplianceJob>> ListComplianceJobs(Id app_id, std::string_view type) override;
  Result<bool> StartComplianceJob(Id id, std::string_view ids, TimeMs checking_until) override;
  Result<bool> BeginComplianceUpload(Id id, std::string_view session) override;
  Result<bool> AppendComplianceUpload(Id id, std::string_view session, int64_t offset, std::string_view chunk) override;
  Result<bool> RenewComplianceJob(Id id, TimeMs checking_until) override;
  Result<bool> ResumeComplianceJob(Id id, TimeMs now, TimeMs checking_until) override;
  Result<bool> FinishComplianceJob(Id id, std::string_view status, std::string_view result, int64_t ids_checked) override;
  Result<ComplianceApply> ApplyComplianceEvent(ComplianceEvent& event) override;
  Result<std::vector<StoredComplianceEvent>> ComplianceEventsAfter(int64_t after, int limit) override;
  Result<int64_t> LastComplianceEventSeq() override;

 private:
  explicit PostgresStore(std::shared_ptr<Pool> pool) : pool_(std::move(pool)) {}

  //! The connection of the call: the one Atomically holds, or one borrowed until it goes.
  class Use {
   public:
    Conn& operator*() { return *conn_; }
    Conn* operator->() { return conn_; }

   private:
    friend class PostgresStore;
    Conn* conn_ = nullptr;
    Pool::Lease lease_;
  };
  Result<Use> Connection();
  //! Runs `sql` on the call's connection.
  Result<Rows> Query(const std::string& sql, const Params& params = {}, Plan plan = Plan::kPrepared);
  //! Runs `fn` in a transaction (a savepoint inside Atomically) on the call's connection.
  Status Write(const std::function<Status()>& fn);
  //! Runs the write `update` in its own transaction (Write); the rows it changed.
  Result<int64_t> Changed(const std::string& update, const Params& params);

  Result<std::vector<StoredPost>> QueryPosts(const std::string& sql, const Params& params,
                                             Plan plan = Plan::kPrepared);
  Result<std::vector<StoredPost>> Page(std::string_view from, const std::string& where, Params params,
                                       const PageRequest& page, Plan plan = Plan::kPrepared);
  Result<std::vector<StoredPost>> SearchByRelevance(const SearchQuery& query, const PageRequest& page);
  Result<std::vector<User>> QueryUsers(const std::string& sql, const Params& params, Plan plan = Plan::kPrepared);
  Result<int64_t> Scalar(const std::string& sql, const Params& params = {}, Plan plan = Plan::kPrepared);
  //! Writes collected to run as one pipeline (Run), with the Conflict message for each
  //! statement whose unique key may be taken, and the users it inserts (for mentions).
  struct Writes {
    Batch batch;
    std::vector<std::string> on_conflict;
    std::unordered_map<std::string, Id> pending_users;  // by lowercased username
    void Add(std::string sql, Params params, std::string conflict = "") {
      batch.Add(std::move(sql), std::move(params));
      on_conflict.push_back(std::move(conflict));
    }
  };
  //! Runs `w` in a transaction (a savepoint inside one); a unique key taken is its statement's Conflict.
  Status Run(Writes& w);
  void AddUser(const User& user, Writes& w);
  Status InsertUser(const User& user);
  //! Adds the post's tokens to `tokens` (for search_stats: AddSearchStats). Mentions without
  //! an id are resolved from `w`'s users, then the store's.
  Status AddPostRow(const Post& post, int64_t& tokens, Writes& w);
  void AddSearchStats(int64_t rows, int64_t tokens, Writes& w);
  void AddEdges(const WriteBatch& batch, Writes& w);
  void AddTags(std::string_view table, Id id, const Entities& entities, Writes& w);
  void AddPollRows(const Post& post, Writes& w);
  Status ResolveMentions(Entities& entities, const Writes* pending = nullptr);
  Status DeleteEditChain(Id id, TimeMs at);
  Status InsertPostAndCounts(const Post& post);
  Status ApplyIntentTx(Id post_id);
  Status DeletePendingPoll(Id post_id);

  std::shared_ptr<Pool> pool_;
  Conn* held_ = nullptr;  // inside Atomically: the connection every call uses
  Pool::Lease held_lease_;
  std::optional<int64_t> writes_seen_;  // store_writes at the last PollOtherWriters
  //! bm25's phrase row counts, good while store_writes stays where it was when they were counted.
  struct Corpus {
    int64_t writes = -1;
    std::unordered_map<std::string, int64_t> phrase_rows;  // by the phrase's tsquery
  } corpus_;
};

}  // namespace sluice::pg
