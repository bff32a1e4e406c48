#pragma once
//! SqliteStore: the embedded default Store, one SQLite connection (see store.h for the contract).

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "store/sqlite/db.h"
#include "store/rows.h"
#include "store/store.h"

namespace sluice::sqlite {

// Shared with the PostgreSQL store (store/rows.h).
using rows::kTrapColumns;
using rows::PageIdRange;
using rows::ResolveParent;
using rows::PageWindow;
using rows::PageWindowOf;
using rows::ReadTrap;

//! Binds `params` to the statement's parameters from index `first` on.
void BindParams(Stmt& s, const std::vector<std::variant<int64_t, std::string>>& params, int first);

class SqliteStore final : public Store {
 public:
  //! Opens `path`, creating it and applying migrations when `create`.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, bool create);

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

  void BeginReads() override { db_->BeginRead(); }
  void EndReads() override { db_->EndRead(); }
  bool PollOtherWriters() override;

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
  explicit SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  // Runs `sql` (which selects kPostColumns) with `bind` and collects the posts.
  template <typename Bind>
  Result<std::vector<StoredPost>> QueryPosts(const std::string& sql, Bind&& bind);
  //! Lists posts matching `where` (over alias p, with `params`) within `page`. `key` is the
  //! column the id range and the order apply to: p.id, or a joined table's rowid equal to it
  //! (SQLite hands a virtual table the range and the order only on its own columns).
  Result<std::vector<StoredPost>> Page(std::string_view from, std::string where, std::vector<std::variant<int64_t, std::string>> params,
                                       const PageRequest& page, std::string_view key = "p.id");
  //! Search with page.relevancy (store.h).
  Result<std::vector<StoredPost>> SearchByRelevance(const SearchQuery& query, const PageRequest& page);
  //! Appends the users `sql` (one text parameter) selects.
  Status CollectUsers(const std::string& sql, std::string_view param, std::vector<User>& out);
  Result<int64_t> Scalar(std::string_view sql);
  //! The first column of the first row `sql` selects with `id` bound: nullopt when no row.
  Result<std::optional<std::string>> TextById(std::string_view sql, Id id);
  //! The apps `where` (over apps, with `id` bound) selects, as ListProjectApps lists them.
  Result<std::vector<ProjectApp>> ProjectApps(std::string_view where, Id id);
  Status InsertUser(const User& user);
  Status InsertPostRow(const Post& post);
  //! Stores the batch's follows and likes (sqlite_graph.cc), duplicates once.
  Status InsertEdges(const WriteBatch& batch);
  //! Fills the ids of mentioned users the store knows.
  Status ResolveMentions(Entities& entities);
  //! Marks deleted every live version of the edit chain post `id` belongs to, whichever
  //! version it is (X deletes a chain whole).
  Status DeleteEditChain(Id id, TimeMs at);
  //! The post's row, then the counts it bumps (parent's replies, quoted's quotes, author's posts).
  Status InsertPostAndCounts(const Post& post);
  Status ApplyIntentTx(Id post_id);
  Status BumpStreamRulesVersion();
  Status ApplyActionTx(Id id);
  Status DropActionRow(Id id);
  //! Removes the intent row only (applied intents keep their poll; DropIntent removes it).
  Status DeleteIntentRow(Id post_id);
  // Polls (sqlite_polls.cc).
  //! The rows of `post.poll` (whole: options set), for the post `post.id`.
  Status InsertPollRows(const Post& post);
  //! The poll of the pending post `post_id`, if any and if the post is not published.
  Status DeletePendingPoll(Id post_id);
  Result<std::optional<Id>> UserIdByUsername(std::string_view username_lc);

  std::unique_ptr<Db> db_;
  std::optional<int64_t> data_version_;  // PRAGMA data_version at the last PollOtherWriters
};

}  // namespace sluice::sqlite
