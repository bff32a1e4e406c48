// GET /2/users/:id, /2/users?ids=, /2/users/by/username/:username, /2/users/by?usernames=
#include <boost/url/pct_string_view.hpp>

#include "api/handlers.h"
#include "api/render.h"
#include "api/trap_injector.h"
#include "core/parse.h"

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kUserParams = {"user.fields", "expansions", "tweet.fields", "post.fields"};

// Usernames are case-insensitive (X: @Alice and @alice are one account).
bool SameUsername(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool ValidUsername(std::string_view s) {
  return !s.empty() && s.size() <= 15 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

Result<ApiResponse> Render(ApiContext& ctx, const std::vector<User>& users, bool single, const Params& params,
                           std::vector<ResourceError> errors) {
  auto fields = ParseFieldSelection(params, PrimaryResource::kUsers);
  if (!fields.ok()) return fields.status();
  return RenderUsersEnvelope(ctx.store, users, single, *fields, std::move(errors), nullptr);
}

// Whether `app` may see `u`: a trap record's synthetic author exists only for the app its
// traps were delivered to (and is then a user like any other: its newest post is its newest
// trap of that app's); to every other app it does not exist.
Result<bool> Visible(ApiContext& ctx, const App& app, User& u) {
  if (!u.synthetic) return true;
  auto newest = TrapInjector::NewestTrapBy(ctx.store, app.id, u.id);
  if (!newest.ok()) return newest.status();
  u.most_recent_tweet_id = *newest;
  return newest->has_value();
}

// An account an operator deleted (deactivated) is not found, as on X; a suspended one is X's
// "User has been suspended" error (`sluice users suspend`, docs/api.md "Compliance").
std::optional<ResourceError> Unavailable(const User& u, std::string_view parameter, std::string value) {
  if (u.deactivated_at) return ResourceError{"user", std::string(parameter), std::move(value)};
  if (u.suspended_at) return SuspendedUserError(std::string(parameter), std::move(value));
  return std::nullopt;
}

Result<ApiResponse> ById(ApiContext& ctx, const App& app, const std::vector<Id>& ids, bool single, std::string_view parameter,
                         const Params& params) {
  if (auto f = ParseFieldSelection(params, PrimaryResource::kUsers); !f.ok()) return f.status();
  auto found = ctx.store.GetUsers(ids);
  if (!found.ok()) return found.status();
  std::vector<User> users;
  std::vector<ResourceError> errors;
  for (Id id : ids) {
    auto it = std::find_if(found->begin(), found->end(), [id](const User& u) { return u.id == id; });
    bool visible = false;
    if (it != found->end()) {
      auto v = Visible(ctx, app, *it);
      if (!v.ok()) return v.status();
      visible = *v;
    }
    if (!visible) errors.push_back({"user", std::string(parameter), std::to_string(id)});
    else if (auto gone = Unavailable(*it, parameter, std::to_string(id))) errors.push_back(std::move(*gone));
    else users.push_back(std::move(*it));
  }
  return Render(ctx, users, single, params, std::move(errors));
}

Result<ApiResponse> ByUsername(ApiContext& ctx, const App& app, const std::vector<std::string>& names, bool single,
                               std::string_view parameter, const Params& params) {
  for (const auto& n : names)
    if (!ValidUsername(n))
      return InvalidRequest(std::string(parameter), n,
                            "The `" + std::string(parameter) + "` query parameter value [" + n +
                                "] does not match ^[A-Za-z0-9_]{1,15}$");
  if (auto f = ParseFieldSelection(params, PrimaryResource::kUsers); !f.ok()) return f.status();
  auto found = ctx.store.GetUsersByUsername(names);
  if (!found.ok()) return found.status();
  std::vector<User> users;
  std::vector<ResourceError> errors;
  for (const auto& n : names) {
    auto it = std::find_if(found->begin(), found->end(), [&](const User& u) { return SameUsername(u.username, n); });
    bool visible = false;
    if (it != found->end()) {
      auto v = Visible(ctx, app, *it);
      if (!v.ok()) return v.status();
      visible = *v;
    }
    if (!visible) errors.push_back({"user", std::string(parameter), n});
    else if (auto gone = Unavailable(*it, parameter, n)) errors.push_back(std::move(*gone));
    else users.push_back(*it);
  }
  return Render(ctx, users, single, params, std::move(errors));
}

}  // namespace

Result<ApiResponse> GetUserById(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_text) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(kUserParams); !s.ok()) return s;
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.status();
  return ById(ctx, app, {*id}, true, "id", *params);
}

Result<ApiResponse> GetMe(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(kUserParams); !s.ok()) return s;
  // Only a user access token reaches here (authenticate.h): the account it acts for.
  return ById(ctx, app, {ctx.acting_user_id}, true, "id", *params);
}

Result<ApiResponse> GetUsersByIds(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"ids", "user.fields", "expansions", "tweet.fields", "post.fields"}); !s.ok())
    return s;
  auto ids = ParseIdList(*params, "ids", 100);
  if (!ids.ok()) return ids.status();
  return ById(ctx, app, *ids, false, "ids", *params);
}

Result<ApiResponse> GetUserByUsername(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view username) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(kUserParams); !s.ok()) return s;
  auto decoded = boost::urls::make_pct_string_view(username);
  if (!decoded) return InvalidRequest("username", std::string(username), "The username is not valid percent-encoding.");
  return ByUsername(ctx, app, {decoded->decode()}, true, "username", *params);
}

Result<ApiResponse> GetUsersByUsernames(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"usernames", "user.fields", "expansions", "tweet.fields", "post.fields"});
      !s.ok())
    return s;
  auto list = params->Get("usernames");
  if (!list || list->empty()) return InvalidRequest("usernames", "", "The `usernames` query parameter can not be empty");
  std::vector<std::string> names;
  for (std::string_view name : SplitCommaList(*list))
    // A name given twice, in any case, is answered once, as X does.
    if (std::none_of(names.begin(), names.end(), [&](const std::string& n) { return SameUsername(n, name); }))
      names.emplace_back(name);
  if (names.size() > 100)
    return InvalidRequest("usernames", std::string(*list),
                          "The number of values in the `usernames` query parameter list [" + std::to_string(names.size()) +
                              "] is not between 1 and 100");
  return ByUsername(ctx, app, names, false, "usernames", *params);
}

}  // namespace sluice
