#pragma once
//! The one route table: every route Sluice serves, by RouteId. The router matches requests
//! against it, plans name its endpoints ("GET /2/tweets/:id") and resolve them to RouteIds
//! when they load, the metrics count by it, and the API binds each API route's handler to it
//! (api/routes.cc, a switch the compiler checks for completeness).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

enum class RouteId : uint8_t {
  kSearchRecent,
  kCountRecent,
  kGetPosts,
  kCreatePost,
  kGetPost,
  kDeletePost,
  kGetQuotePosts,
  kGetUsers,
  kGetUsersByUsernames,
  kGetUserByUsername,
  kGetUser,
  kGetUserPosts,
  kGetUserMentions,
  kGetUsage,
  kSearchAll,
  kCountAll,
  kSearchUsers,
  // The social graph (api/graph.cc).
  kGetRepostedBy,
  kGetReposts,
  kGetLikingUsers,
  kGetLikedPosts,
  kGetFollowers,
  kGetFollowing,
  kGetMe,
  // OAuth 2.0 (api/oauth_server.h).
  kAuthorize,
  kAuthorizeAnswer,
  kOAuthToken,
  kOAuthRevoke,
  kAccountApps,
  kAccountAppsAnswer,
  // Writes on behalf of an account (api/actions.cc).
  kLikePost,
  kUnlikePost,
  kRepost,
  kUnrepost,
  kHideReply,
  kFollowUser,
  kUnfollowUser,
  // Streams (api/streams.cc).
  kSearchStream,
  kSampleStream,
  kPostComplianceStream,
  kUserComplianceStream,
  // The filtered stream's rules (api/stream_rules.cc).
  kAddOrDeleteStreamRules,
  kGetStreamRules,
  kGetStreamRuleCounts,
  // Batch compliance jobs (api/compliance.h): the jobs, then their upload and download URLs.
  kCreateComplianceJob,
  kGetComplianceJobs,
  kGetComplianceJob,
  kUploadComplianceIds,
  kStartComplianceUpload,
  kDownloadComplianceResult,
  // The admin API (api/admin.h; docs/admin-api.md): the operator's and the portal's.
  kAdminCreateSession,
  kAdminGetSession,
  kAdminDeleteSession,
  kAdminGetPlans,
  kAdminGetProjects,
  kAdminGetProject,
  kAdminCreateProject,
  kAdminRotateConsoleKey,
  kAdminGetApps,
  kAdminCreateApp,
  kAdminRotateApp,
  kAdminRevokeApp,
  kAdminGetUsage,
  kAdminGetLimits,
  kAdminGetCredits,
  kAdminAddCredits,
  kAdminGetInvoices,
  kAdminGetInvoice,
  kGetLicense,
  kGetOpenApi,
  kRobotsTxt,
  kHealthz,
  kReadyz,
  kMetrics,
  kCount
};
inline constexpr size_t kRouteCount = size_t(RouteId::kCount);

enum class RouteKind : uint8_t {
  kApi,          // a bearer token, the plan's limit, the ledger: the whole request path
  kPublic,       // no token: the licence terms, Sluice's OpenAPI document and robots.txt
  kOperational,  // health and metrics, served by the server itself
  kOAuth,        // the authorization server: its pages, token and revocation (no bearer token)
  //! A capability URL (a compliance job's upload and download): the unguessable token in the
  //! path is the authority, as in X's signed storage URLs; no bearer token, no plan limit.
  kCapability,
  //! The admin API (/admin/v1/...): the admin token or a portal session (api/admin.h), never a
  //! client's bearer token; no plan, no limit, no ledger.
  kAdmin,
};

struct Route {
  RouteId id;
  std::string_view method;
  std::string_view pattern;  // segments; ":x" captures one non-empty segment (at most two per pattern)
  RouteKind kind;
};

// Order does not decide a match: where a literal segment and a capture both match
// (/2/users/search and /2/users/:id), the route with fewer captures wins (MatchRoute).
inline constexpr std::array<Route, kRouteCount> kRoutes = {{
    {RouteId::kSearchRecent, "GET", "/2/tweets/search/recent", RouteKind::kApi},
    {RouteId::kCountRecent, "GET", "/2/tweets/counts/recent", RouteKind::kApi},
    {RouteId::kGetPosts, "GET", "/2/tweets", RouteKind::kApi},
    {RouteId::kCreatePost, "POST", "/2/tweets", RouteKind::kApi},
    {RouteId::kGetPost, "GET", "/2/tweets/:id", RouteKind::kApi},
    {RouteId::kDeletePost, "DELETE", "/2/tweets/:id", RouteKind::kApi},
    {RouteId::kGetQuotePosts, "GET", "/2/tweets/:id/quote_tweets", RouteKind::kApi},
    {RouteId::kGetUsers, "GET", "/2/users", RouteKind::kApi},
    {RouteId::kGetUsersByUsernames, "GET", "/2/users/by", RouteKind::kApi},
    {RouteId::kGetUserByUsername, "GET", "/2/users/by/username/:username", RouteKind::kApi},
    {RouteId::kGetUser, "GET", "/2/users/:id", RouteKind::kApi},
    {RouteId::kGetUserPosts, "GET", "/2/users/:id/tweets", RouteKind::kApi},
    {RouteId::kGetUserMentions, "GET", "/2/users/:id/mentions", RouteKind::kApi},
    {RouteId::kGetUsage, "GET", "/2/usage/tweets", RouteKind::kApi},
    {RouteId::kSearchAll, "GET", "/2/tweets/search/all", RouteKind::kApi},
    {RouteId::kCountAll, "GET", "/2/tweets/counts/all", RouteKind::kApi},
    {RouteId::kSearchUsers, "GET", "/2/users/search", RouteKind::kApi},
    {RouteId::kGetRepostedBy, "GET", "/2/tweets/:id/retweeted_by", RouteKind::kApi},
    {RouteId::kGetReposts, "GET", "/2/tweets/:id/retweets", RouteKind::kApi},
    {RouteId::kGetLikingUsers, "GET", "/2/tweets/:id/liking_users", RouteKind::kApi},
    {RouteId::kGetLikedPosts, "GET", "/2/users/:id/liked_tweets", RouteKind::kApi},
    {RouteId::kGetFollowers, "GET", "/2/users/:id/followers", RouteKind::kApi},
    {RouteId::kGetFollowing, "GET", "/2/users/:id/following", RouteKind::kApi},
    {RouteId::kGetMe, "GET", "/2/users/me", RouteKind::kApi},
    {RouteId::kAuthorize, "GET", "/i/oauth2/authorize", RouteKind::kOAuth},
    {RouteId::kAuthorizeAnswer, "POST", "/i/oauth2/authorize", RouteKind::kOAuth},
    {RouteId::kOAuthToken, "POST", "/2/oauth2/token", RouteKind::kOAuth},
    {RouteId::kOAuthRevoke, "POST", "/2/oauth2/revoke", RouteKind::kOAuth},
    {RouteId::kAccountApps, "GET", "/i/account/apps", RouteKind::kOAuth},
    {RouteId::kAccountAppsAnswer, "POST", "/i/account/apps", RouteKind::kOAuth},
    {RouteId::kLikePost, "POST", "/2/users/:id/likes", RouteKind::kApi},
    {RouteId::kUnlikePost, "DELETE", "/2/users/:id/likes/:tweet_id", RouteKind::kApi},
    {RouteId::kRepost, "POST", "/2/users/:id/retweets", RouteKind::kApi},
    {RouteId::kUnrepost, "DELETE", "/2/users/:id/retweets/:source_tweet_id", RouteKind::kApi},
    {RouteId::kHideReply, "PUT", "/2/tweets/:tweet_id/hidden", RouteKind::kApi},
    {RouteId::kFollowUser, "POST", "/2/users/:id/following", RouteKind::kApi},
    {RouteId::kUnfollowUser, "DELETE", "/2/users/:source_user_id/following/:target_user_id", RouteKind::kApi},
    {RouteId::kSearchStream, "GET", "/2/tweets/search/stream", RouteKind::kApi},
    {RouteId::kSampleStream, "GET", "/2/tweets/sample/stream", RouteKind::kApi},
    {RouteId::kPostComplianceStream, "GET", "/2/tweets/compliance/stream", RouteKind::kApi},
    {RouteId::kUserComplianceStream, "GET", "/2/users/compliance/stream", RouteKind::kApi},
    {RouteId::kAddOrDeleteStreamRules, "POST", "/2/tweets/search/stream/rules", RouteKind::kApi},
    {RouteId::kGetStreamRules, "GET", "/2/tweets/search/stream/rules", RouteKind::kApi},
    {RouteId::kGetStreamRuleCounts, "GET", "/2/tweets/search/stream/rules/counts", RouteKind::kApi},
    {RouteId::kCreateComplianceJob, "POST", "/2/compliance/jobs", RouteKind::kApi},
    {RouteId::kGetComplianceJobs, "GET", "/2/compliance/jobs", RouteKind::kApi},
    {RouteId::kGetComplianceJob, "GET", "/2/compliance/jobs/:id", RouteKind::kApi},
    {RouteId::kUploadComplianceIds, "PUT", "/compliance/upload/:token", RouteKind::kCapability},
    {RouteId::kStartComplianceUpload, "POST", "/compliance/upload/:token", RouteKind::kCapability},
    {RouteId::kDownloadComplianceResult, "GET", "/compliance/download/:token", RouteKind::kCapability},
    {RouteId::kAdminCreateSession, "POST", "/admin/v1/session", RouteKind::kAdmin},
    {RouteId::kAdminGetSession, "GET", "/admin/v1/session", RouteKind::kAdmin},
    {RouteId::kAdminDeleteSession, "DELETE", "/admin/v1/session", RouteKind::kAdmin},
    {RouteId::kAdminGetPlans, "GET", "/admin/v1/plans", RouteKind::kAdmin},
    {RouteId::kAdminGetProjects, "GET", "/admin/v1/projects", RouteKind::kAdmin},
    {RouteId::kAdminGetProject, "GET", "/admin/v1/projects/:id", RouteKind::kAdmin},
    {RouteId::kAdminCreateProject, "POST", "/admin/v1/projects", RouteKind::kAdmin},
    {RouteId::kAdminRotateConsoleKey, "POST", "/admin/v1/projects/:id/console_key", RouteKind::kAdmin},
    {RouteId::kAdminGetApps, "GET", "/admin/v1/projects/:id/apps", RouteKind::kAdmin},
    {RouteId::kAdminCreateApp, "POST", "/admin/v1/projects/:id/apps", RouteKind::kAdmin},
    {RouteId::kAdminRotateApp, "POST", "/admin/v1/apps/:id/rotate", RouteKind::kAdmin},
    {RouteId::kAdminRevokeApp, "POST", "/admin/v1/apps/:id/revoke", RouteKind::kAdmin},
    {RouteId::kAdminGetUsage, "GET", "/admin/v1/projects/:id/usage", RouteKind::kAdmin},
    {RouteId::kAdminGetLimits, "GET", "/admin/v1/projects/:id/limits", RouteKind::kAdmin},
    {RouteId::kAdminGetCredits, "GET", "/admin/v1/projects/:id/credits", RouteKind::kAdmin},
    {RouteId::kAdminAddCredits, "POST", "/admin/v1/projects/:id/credits", RouteKind::kAdmin},
    {RouteId::kAdminGetInvoices, "GET", "/admin/v1/projects/:id/invoices", RouteKind::kAdmin},
    {RouteId::kAdminGetInvoice, "GET", "/admin/v1/projects/:id/invoices/:month", RouteKind::kAdmin},
    {RouteId::kGetLicense, "GET", "/2/license/:plan", RouteKind::kPublic},
    {RouteId::kGetOpenApi, "GET", "/2/openapi.json", RouteKind::kPublic},
    {RouteId::kRobotsTxt, "GET", "/robots.txt", RouteKind::kPublic},
    {RouteId::kHealthz, "GET", "/healthz", RouteKind::kOperational},
    {RouteId::kReadyz, "GET", "/readyz", RouteKind::kOperational},
    {RouteId::kMetrics, "GET", "/metrics", RouteKind::kOperational},
}};

constexpr const Route& RouteOf(RouteId id) {
  for (const Route& r : kRoutes)
    if (r.id == id) return r;
  return kRoutes[0];  // unreachable for a valid id (the table test checks every id is there)
}

//! "GET /2/tweets/:id": how plans, the ledger and the metrics name a route.
std::string_view EndpointName(RouteId id);
//! The route an endpoint name names; nullopt for anything else.
std::optional<RouteId> RouteByEndpoint(std::string_view endpoint);

//! What a method and path (no query, still percent-encoded; one trailing '/' ignored) match.
struct RouteMatch {
  std::optional<RouteId> route;  // nullopt: none matched the method
  std::string_view capture;      // the first ":x" segment of `route`, empty when it has none
  std::string_view capture2;     // the second, for the routes with two (DELETE /2/users/:id/likes/:tweet_id)
  std::string allow;             // no route: the methods the path has ("GET, DELETE"), else empty
};
RouteMatch MatchRoute(std::string_view method, std::string_view path);

}  // namespace sluice
