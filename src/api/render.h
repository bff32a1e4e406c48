#pragma once
//! X API v2 JSON: posts and users with the selected fields, and the response envelope
//! (`data`, `includes` from expansions, `errors`, `meta`) rendered into one buffer.

#include <functional>
#include <string>
#include <vector>

#include "api/context.h"
#include "api/fields.h"
#include "core/json_writer.h"
#include "store/store.h"

namespace sluice {

void RenderPost(JsonWriter& w, const StoredPost& post, const FieldSelection& f);
void RenderUser(JsonWriter& w, const User& user, const FieldSelection& f);

//! A partial error of a 200 response: X's resource-not-found entry.
struct ResourceError {
  std::string resource_type;  // "tweet", "user"
  std::string parameter;      // "ids", "id", "username", "referenced_tweets.id", ...
  std::string value;
  std::string title = "Not Found Error";
  std::string type = "https://api.x.com/2/problems/resource-not-found";
};
//! X's refusal of a protected account's user or posts to an app-only token.
ResourceError NotAuthorizedError(std::string resource_type, std::string parameter, std::string value);
//! X's answer for a suspended account looked up: title "Forbidden", type resource-not-found,
//! detail "User has been suspended: [value]."
ResourceError SuspendedUserError(std::string parameter, std::string value);
//! X's detail text for it, e.g. "Could not find tweet with ids: [1]." or "Sorry, you are not
//! authorized to see the Tweet with ids: [1]."
std::string ResourceErrorDetail(const ResourceError& e);

//! Reads posts by id, in `ids` order; missing and deleted ones become resource-not-found
//! errors for `parameter`, and those of protected authors X's authorization error: every
//! Sluice token is app-only, and X shows a protected account's posts to its followers alone.
Result<std::vector<StoredPost>> FetchLivePosts(Store& store, const std::vector<Id>& ids, std::string_view parameter,
                                               std::vector<ResourceError>& errors);

using MetaWriter = std::function<void(JsonWriter&)>;

//! Renders posts as `data` (one object when `single`, else an array; omitted when there are
//! none and `single`), plus includes for the selected expansions (read from `store`), errors
//! and meta (when `meta` is set). Deleted posts must already be filtered out. `now` is the
//! request's time: a poll's voting_status is "open" before its end_datetime, then "closed".
//! The result is a 200 response that lists what it delivers (ApiResponse::delivered_*).
Result<ApiResponse> RenderPostsEnvelope(Store& store, TimeMs now, const std::vector<StoredPost>& posts, bool single,
                                        const FieldSelection& f, std::vector<ResourceError> errors,
                                        const MetaWriter& meta);
Result<ApiResponse> RenderUsersEnvelope(Store& store, const std::vector<User>& users, bool single,
                                        const FieldSelection& f, std::vector<ResourceError> errors,
                                        const MetaWriter& meta);

}  // namespace sluice
