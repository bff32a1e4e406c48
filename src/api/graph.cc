// The social graph: GET /2/tweets/:id/retweeted_by, /retweets, /liking_users and
// GET /2/users/:id/liked_tweets, /followers, /following (store.h, GraphList).
#include <algorithm>
#include <unordered_map>

#include "api/handlers.h"
#include "api/trap_injector.h"
#include "api/paging.h"
#include "api/render.h"

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kUserListParams = {
    "max_results", "pagination_token", "user.fields", "expansions", "tweet.fields", "post.fields"};
const std::initializer_list<std::string_view> kPostListParams = {
    "max_results", "pagination_token", "tweet.fields", "post.fields", "expansions",
    "user.fields", "media.fields",     "poll.fields",  "place.fields"};

// X's page sizes (its OpenAPI document): 1-100 (default 100) for a post's users and reposts,
// 5-100 for liked posts, 1-1000 for follows; X's pages default to the most.
constexpr PageSpec kPostUsersPage{1, 100, 100};
constexpr PageSpec kLikedPostsPage{5, 100, 100};
constexpr PageSpec kFollowsPage{1, 1000, 100};

// X's follows tokens are at least 16 characters (its document's minLength): ours are padded
// with leading zero digits, which DecodePageToken reads back as the same id.
std::string GraphToken(PageRequest::Direction dir, Id edge) {
  std::string token = EncodePageToken(dir, edge);
  if (token.size() < 16) token.insert(4, 16 - token.size(), '0');
  return token;
}

// Why the list of the path's user or post is not served, as X's partial error for `id`:
// unknown (or a deleted post) is not found, and so is a trap record or its synthetic author
// to every app but the one the trap was delivered to (that app sees their lists, empty: no
// stored edge names them); a protected account, or its post, is X's authorization error
// (every Sluice token is app-only).
Result<std::optional<ResourceError>> UserRefusal(Store& store, const App& app, Id id) {
  const Id ids[] = {id};
  auto found = store.GetUsers(ids);
  if (!found.ok()) return found.status();
  auto it = std::find_if(found->begin(), found->end(), [id](const User& u) { return u.id == id; });
  if (it != found->end() && it->synthetic) {
    auto newest = TrapInjector::NewestTrapBy(store, app.id, id);
    if (!newest.ok()) return newest.status();
    if (!*newest) it = found->end();
  }
  if (it == found->end()) return std::optional<ResourceError>(ResourceError{"user", "id", std::to_string(id)});
  if (it->is_protected) return std::optional<ResourceError>(NotAuthorizedError("user", "id", std::to_string(id)));
  return std::optional<ResourceError>();
}

Result<std::optional<ResourceError>> PostRefusal(Store& store, const App& app, Id id) {
  std::vector<ResourceError> errors;
  auto found = FetchLivePosts(store, {id}, "id", errors);
  if (!found.ok()) return found.status();
  if (!errors.empty()) {
    auto mine = TrapInjector::TrapOf(store, app.id, id);
    if (!mine.ok()) return mine.status();
    if (*mine) return std::optional<ResourceError>();
    return std::optional<ResourceError>(std::move(errors.front()));
  }
  return std::optional<ResourceError>();
}

// What one request asked for, read and checked in X's order: parameters, the path id,
// fields, then the page.
struct ListRequest {
  Id id = 0;
  FieldSelection fields;
  PageRequest page;
};

Result<ListRequest> ReadList(ApiContext& ctx, const ApiRequest& req, std::string_view id_text,
                             std::initializer_list<std::string_view> allowed, PrimaryResource primary,
                             const PageSpec& spec) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(allowed); !s.ok()) return s;
  ListRequest out;
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.status();
  out.id = *id;
  auto fields = ParseFieldSelection(*params, primary);
  if (!fields.ok()) return fields.status();
  out.fields = *fields;
  auto page = ParsePage(*params, spec, ctx.now);
  if (!page.ok()) return page.status();
  out.page = *page;
  return out;
}

// Cuts the store's limit + 1 entries to the page and returns its meta: result_count and the
// tokens, so that walking next_token visits every entry once, newest edge first.
template <typename T, typename EdgeOf>
MetaWriter TrimPage(std::vector<T>& rows, const PageRequest& page, EdgeOf edge_of) {
  const bool newer = page.cursor && page.cursor->first == PageRequest::Direction::kNewer;
  const bool more = rows.size() > size_t(page.limit);
  if (more) {
    // The extra entry is the one farthest from the cursor.
    if (newer) rows.erase(rows.begin());
    else rows.pop_back();
  }
  std::string next, previous;
  if (!rows.empty()) {
    if (newer || more) next = GraphToken(PageRequest::Direction::kOlder, edge_of(rows.back()));
    if (newer ? more : page.cursor.has_value()) previous = GraphToken(PageRequest::Direction::kNewer, edge_of(rows.front()));
  }
  const int64_t count = int64_t(rows.size());
  return [count, next = std::move(next), previous = std::move(previous)](JsonWriter& w) {
    w.BeginObject();
    w.MemberInt("result_count", count);
    if (!next.empty()) w.Member("next_token", next);
    if (!previous.empty()) w.Member("previous_token", previous);
    w.EndObject();
  };
}

// A list of users: followers, following, liking users, reposters.
Result<ApiResponse> UserList(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_text, bool of_user,
                             GraphList list, const PageSpec& spec) {
  auto r = ReadList(ctx, req, id_text, kUserListParams, PrimaryResource::kUsers, spec);
  if (!r.ok()) return r.status();
  auto refusal = of_user ? UserRefusal(ctx.store, app, r->id) : PostRefusal(ctx.store, app, r->id);
  if (!refusal.ok()) return refusal.status();
  if (*refusal) return RenderUsersEnvelope(ctx.store, {}, false, r->fields, {std::move(**refusal)}, nullptr);
  auto edges = ctx.store.Graph(list, r->id, r->page);
  if (!edges.ok()) return edges.status();
  MetaWriter meta = TrimPage(*edges, r->page, [](const GraphEdge& e) { return e.edge; });
  std::vector<Id> ids;
  for (const auto& e : *edges) ids.push_back(e.id);
  auto found = ctx.store.GetUsers(ids);
  if (!found.ok()) return found.status();
  std::unordered_map<Id, User*> by_id;
  for (auto& u : *found) by_id[u.id] = &u;
  std::vector<User> users;
  for (Id id : ids)
    if (auto it = by_id.find(id); it != by_id.end()) users.push_back(*it->second);
  return RenderUsersEnvelope(ctx.store, users, false, r->fields, {}, meta);
}

}  // namespace

Result<ApiResponse> GetRepostedBy(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view post_id) {
  return UserList(ctx, app, req, post_id, /*of_user=*/false, GraphList::kRepostedBy, kPostUsersPage);
}

Result<ApiResponse> GetLikingUsers(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view post_id) {
  return UserList(ctx, app, req, post_id, /*of_user=*/false, GraphList::kLikingUsers, kPostUsersPage);
}

Result<ApiResponse> GetFollowers(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  return UserList(ctx, app, req, user_id, /*of_user=*/true, GraphList::kFollowers, kFollowsPage);
}

Result<ApiResponse> GetFollowing(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  return UserList(ctx, app, req, user_id, /*of_user=*/true, GraphList::kFollowing, kFollowsPage);
}

Result<ApiResponse> GetReposts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view post_id) {
  auto r = ReadList(ctx, req, post_id, kPostListParams, PrimaryResource::kPosts, kPostUsersPage);
  if (!r.ok()) return r.status();
  auto refusal = PostRefusal(ctx.store, app, r->id);
  if (!refusal.ok()) return refusal.status();
  if (*refusal) return RenderPostsEnvelope(ctx.store, ctx.now, {}, false, r->fields, {std::move(**refusal)}, nullptr);
  auto rows = ctx.store.Reposts(r->id, r->page);
  if (!rows.ok()) return rows.status();
  MetaWriter meta = TrimPage(*rows, r->page, [](const StoredPost& p) { return p.post.id; });
  return RenderPostsEnvelope(ctx.store, ctx.now, *rows, false, r->fields, {}, meta);
}

Result<ApiResponse> GetLikedPosts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  auto r = ReadList(ctx, req, user_id, kPostListParams, PrimaryResource::kPosts, kLikedPostsPage);
  if (!r.ok()) return r.status();
  auto refusal = UserRefusal(ctx.store, app, r->id);
  if (!refusal.ok()) return refusal.status();
  if (*refusal) return RenderPostsEnvelope(ctx.store, ctx.now, {}, false, r->fields, {std::move(**refusal)}, nullptr);
  auto edges = ctx.store.Graph(GraphList::kLikedPosts, r->id, r->page);
  if (!edges.ok()) return edges.status();
  MetaWriter meta = TrimPage(*edges, r->page, [](const GraphEdge& e) { return e.edge; });
  std::vector<Id> ids;
  for (const auto& e : *edges) ids.push_back(e.id);
  auto found = ctx.store.GetPosts(ids);
  if (!found.ok()) return found.status();
  std::unordered_map<Id, StoredPost*> by_id;
  for (auto& p : *found) by_id[p.post.id] = &p;
  std::vector<StoredPost> posts;
  for (Id id : ids)
    if (auto it = by_id.find(id); it != by_id.end()) posts.push_back(std::move(*it->second));
  return RenderPostsEnvelope(ctx.store, ctx.now, posts, false, r->fields, {}, meta);
}

}  // namespace sluice
