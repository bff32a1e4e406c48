// GET /2/users/search: users whose username, name or description has the query's words
// (Store::SearchUsers), paged by next_token; to an app, the authors of its traps as well.
#include "api/handlers.h"
#include "api/render.h"
#include "core/parse.h"

namespace sluice {

namespace {

// X's pattern for the query: ^[A-Za-z0-9_' ]{1,50}$.
bool ValidUserQuery(std::string_view q) {
  return !q.empty() && q.size() <= 50 && std::all_of(q.begin(), q.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '\'' || c == ' ';
  });
}

}  // namespace

Result<ApiResponse> SearchUsers(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  // X's document names next_token; pagination_token, the other lists' name, is taken too.
  if (Status s = params->CheckAllowed({"query", "max_results", "next_token", "pagination_token", "user.fields",
                                       "expansions", "tweet.fields", "post.fields"});
      !s.ok())
    return s;
  auto q = params->Get("query");
  if (!q || q->empty()) return InvalidRequest("query", "", "The `query` query parameter can not be empty");
  if (!ValidUserQuery(*q))
    return InvalidRequest("query", std::string(*q),
                          "The `query` query parameter value [" + std::string(*q) + "] does not match ^[A-Za-z0-9_' ]{1,50}$");
  auto limit = ParseMaxResults(*params, 1, 1000, 100);
  if (!limit.ok()) return limit.status();
  auto fields = ParseFieldSelection(*params, PrimaryResource::kUsers);
  if (!fields.ok()) return fields.status();
  // The token carries the offset of the page it asks for (a relevance order has no id to
  // continue from).
  int64_t offset = 0;
  for (std::string_view name : {"next_token", "pagination_token"}) {
    if (auto token = params->Get(name)) {
      auto cursor = DecodePageToken(name, *token);
      if (!cursor.ok()) return cursor.status();
      offset = cursor->second;
    }
  }
  std::vector<std::string> words;
  for (size_t at = 0; at < q->size();) {
    size_t end = q->find(' ', at);
    if (end == std::string_view::npos) end = q->size();
    if (end > at) words.emplace_back(q->substr(at, end - at));
    at = end + 1;
  }
  // The authors of the traps delivered to the app are users to it (users.cc), found as well.
  auto users = ctx.store.SearchUsers(words, offset, *limit, app.id);
  if (!users.ok()) return users.status();
  const bool more = users->size() > size_t(*limit);
  if (more) users->pop_back();
  const size_t count = users->size();
  const std::string next = more ? EncodePageToken(PageRequest::Direction::kOlder, Id(offset + *limit)) : "";
  auto meta = [&](JsonWriter& w) {
    w.BeginObject();
    w.MemberInt("result_count", int64_t(count));
    if (!next.empty()) w.Member("next_token", next);
    w.EndObject();
  };
  return RenderUsersEnvelope(ctx.store, *users, false, *fields, {}, meta);
}

}  // namespace sluice
