#pragma once
//! The X API v2 endpoints. Each takes the authenticated app, the request and the route's
//! captured path segment (an id or username, still percent-encoded), and returns the
//! response; every failure is a Status (made an X problem by ProblemResponse, http/problem.h).

#include <string_view>

#include "api/context.h"
#include "core/routes.h"

namespace sluice {

using Handler = Result<ApiResponse> (*)(ApiContext&, const App&, const ApiRequest&, std::string_view capture);

//! The handler of an API route (RouteKind::kApi); nullptr for the others.
Handler HandlerFor(RouteId route);

// posts_lookup.cc
Result<ApiResponse> GetPostById(ApiContext&, const App&, const ApiRequest&, std::string_view id);
Result<ApiResponse> GetPostsByIds(ApiContext&, const App&, const ApiRequest&, std::string_view);
// timelines.cc
Result<ApiResponse> GetUserPosts(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> GetUserMentions(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> GetQuotePosts(ApiContext&, const App&, const ApiRequest&, std::string_view post_id);
// search.cc
Result<ApiResponse> SearchRecent(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> CountRecent(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> SearchAll(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> CountAll(ApiContext&, const App&, const ApiRequest&, std::string_view);
// posts_write.cc
Result<ApiResponse> CreatePost(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> DeletePost(ApiContext&, const App&, const ApiRequest&, std::string_view id);
// users.cc
Result<ApiResponse> GetUserById(ApiContext&, const App&, const ApiRequest&, std::string_view id);
//! GET /2/users/me: the account of the user access token.
Result<ApiResponse> GetMe(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> GetUsersByIds(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> GetUserByUsername(ApiContext&, const App&, const ApiRequest&, std::string_view username);
Result<ApiResponse> GetUsersByUsernames(ApiContext&, const App&, const ApiRequest&, std::string_view);
// users_search.cc
Result<ApiResponse> SearchUsers(ApiContext&, const App&, const ApiRequest&, std::string_view);
// usage.cc
Result<ApiResponse> GetUsage(ApiContext&, const App&, const ApiRequest&, std::string_view);
// graph.cc
Result<ApiResponse> GetRepostedBy(ApiContext&, const App&, const ApiRequest&, std::string_view post_id);
Result<ApiResponse> GetReposts(ApiContext&, const App&, const ApiRequest&, std::string_view post_id);
Result<ApiResponse> GetLikingUsers(ApiContext&, const App&, const ApiRequest&, std::string_view post_id);
Result<ApiResponse> GetLikedPosts(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> GetFollowers(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> GetFollowing(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);

// actions.cc: on behalf of the account the request acts as (second id: ApiContext::capture2)
Result<ApiResponse> LikePost(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> UnlikePost(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> Repost(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> Unrepost(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> HideReply(ApiContext&, const App&, const ApiRequest&, std::string_view post_id);
Result<ApiResponse> FollowUser(ApiContext&, const App&, const ApiRequest&, std::string_view user_id);
Result<ApiResponse> UnfollowUser(ApiContext&, const App&, const ApiRequest&, std::string_view source_user_id);

// streams.cc: the response is a stream (api/stream_connection.h)
Result<ApiResponse> SearchStream(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> SampleStream(ApiContext&, const App&, const ApiRequest&, std::string_view);
//! GET /2/tweets/compliance/stream: every post deletion of one partition, each a notice in the ledger.
Result<ApiResponse> PostComplianceStream(ApiContext&, const App&, const ApiRequest&, std::string_view);
//! GET /2/users/compliance/stream: every account event (suspend, delete, protect, withheld,
//! scrub_geo and their undoing) of one partition, each a notice in the ledger.
Result<ApiResponse> UserComplianceStream(ApiContext&, const App&, const ApiRequest&, std::string_view);
// stream_rules.cc: the filtered stream's rules, the app's own (X: app-only bearer token)
Result<ApiResponse> AddOrDeleteStreamRules(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> GetStreamRules(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> GetStreamRuleCounts(ApiContext&, const App&, const ApiRequest&, std::string_view);
// compliance_jobs.cc: batch compliance jobs (api/compliance.h); app-only.
Result<ApiResponse> CreateComplianceJob(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> GetComplianceJobs(ApiContext&, const App&, const ApiRequest&, std::string_view);
Result<ApiResponse> GetComplianceJob(ApiContext&, const App&, const ApiRequest&, std::string_view id);

}  // namespace sluice
