#include "core/scopes.h"

namespace sluice {
namespace {

constexpr ScopeSet Bit(std::string_view name) {
  for (size_t i = 0; i < kScopes.size(); ++i)
    if (kScopes[i].name == name) return ScopeSet(1) << i;
  throw "not one of X's scopes";  // a compile-time error where it is used in a constant
}

constexpr ScopeSet kTweetRead = Bit("tweet.read"), kUsersRead = Bit("users.read"), kTweetWrite = Bit("tweet.write"),
                   kLikeRead = Bit("like.read"), kFollowsRead = Bit("follows.read"), kLikeWrite = Bit("like.write"),
                   kFollowsWrite = Bit("follows.write"), kModerateWrite = Bit("tweet.moderate.write");

}  // namespace

std::optional<ScopeSet> ScopeBit(std::string_view name) {
  for (size_t i = 0; i < kScopes.size(); ++i)
    if (kScopes[i].name == name) return ScopeSet(1) << i;
  return std::nullopt;
}

Result<ScopeSet> ParseScopes(std::string_view scope) {
  ScopeSet out = 0;
  size_t i = 0;
  while (i < scope.size()) {
    if (scope[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = scope.find(' ', i);
    if (end == std::string_view::npos) end = scope.size();
    const std::string_view name = scope.substr(i, end - i);
    auto bit = ScopeBit(name);
    if (!bit) return InvalidRequest("scope", std::string(name), "'" + std::string(name) + "' is not a scope");
    out |= *bit;
    i = end;
  }
  if (out == 0) return InvalidRequest("scope", std::string(scope), "at least one scope is required");
  return out;
}

std::string ScopeString(ScopeSet scopes) {
  std::string out;
  for (size_t i = 0; i < kScopes.size(); ++i) {
    if (!(scopes & (ScopeSet(1) << i))) continue;
    if (!out.empty()) out += ' ';
    out += kScopes[i].name;
  }
  return out;
}

std::optional<ScopeSet> UserTokenScopes(RouteId route) {
  switch (route) {
    case RouteId::kCountRecent:
      return ScopeSet(0);  // X lists OAuth2UserToken with no scope
    case RouteId::kCreatePost:
    case RouteId::kDeletePost:
    case RouteId::kRepost:
    case RouteId::kUnrepost:
      return kTweetWrite | kTweetRead | kUsersRead;
    case RouteId::kLikePost:
    case RouteId::kUnlikePost:
      return kLikeWrite | kTweetRead | kUsersRead;
    case RouteId::kFollowUser:
    case RouteId::kUnfollowUser:
      return kFollowsWrite | kTweetRead | kUsersRead;
    case RouteId::kHideReply:
      return kModerateWrite | kTweetRead | kUsersRead;
    case RouteId::kGetLikingUsers:
    case RouteId::kGetLikedPosts:
      return kLikeRead | kTweetRead | kUsersRead;
    case RouteId::kGetFollowers:
    case RouteId::kGetFollowing:
      return kFollowsRead | kTweetRead | kUsersRead;
    case RouteId::kSearchRecent:
    case RouteId::kGetPosts:
    case RouteId::kGetPost:
    case RouteId::kGetQuotePosts:
    case RouteId::kGetUsers:
    case RouteId::kGetUsersByUsernames:
    case RouteId::kGetUserByUsername:
    case RouteId::kGetUser:
    case RouteId::kGetUserPosts:
    case RouteId::kGetUserMentions:
    case RouteId::kGetMe:
    case RouteId::kSearchUsers:
    case RouteId::kGetRepostedBy:
    case RouteId::kGetReposts:
      return kTweetRead | kUsersRead;
    case RouteId::kGetUsage:
    case RouteId::kAddOrDeleteStreamRules:  // X: app-only bearer token alone
    case RouteId::kGetStreamRules:
    case RouteId::kGetStreamRuleCounts:
    case RouteId::kSearchAll:
    case RouteId::kCountAll:
    case RouteId::kSearchStream:  // X: OAuth 2.0 app-only
    case RouteId::kSampleStream:
    case RouteId::kPostComplianceStream:
    case RouteId::kUserComplianceStream:
    // X: batch compliance is OAuth 2.0 App-only.
    case RouteId::kCreateComplianceJob:
    case RouteId::kGetComplianceJobs:
    case RouteId::kGetComplianceJob:
    case RouteId::kUploadComplianceIds:
    case RouteId::kStartComplianceUpload:
    case RouteId::kDownloadComplianceResult:
    // The authorization server's routes (no bearer token) and Sluice's own.
    case RouteId::kAuthorize:
    case RouteId::kAuthorizeAnswer:
    case RouteId::kOAuthToken:
    case RouteId::kOAuthRevoke:
    case RouteId::kAccountApps:
    case RouteId::kAccountAppsAnswer:
    case RouteId::kAdminCreateSession:
    case RouteId::kAdminGetSession:
    case RouteId::kAdminDeleteSession:
    case RouteId::kAdminGetPlans:
    case RouteId::kAdminGetProjects:
    case RouteId::kAdminGetProject:
    case RouteId::kAdminCreateProject:
    case RouteId::kAdminRotateConsoleKey:
    case RouteId::kAdminGetApps:
    case RouteId::kAdminCreateApp:
    case RouteId::kAdminRotateApp:
    case RouteId::kAdminRevokeApp:
    case RouteId::kAdminGetUsage:
    case RouteId::kAdminGetLimits:
    case RouteId::kAdminGetCredits:
    case RouteId::kAdminAddCredits:
    case RouteId::kAdminGetInvoices:
    case RouteId::kAdminGetInvoice:
    case RouteId::kGetLicense:
    case RouteId::kGetOpenApi:
    case RouteId::kRobotsTxt:
    case RouteId::kHealthz:
    case RouteId::kReadyz:
    case RouteId::kMetrics:
    case RouteId::kCount:
      return std::nullopt;
  }
  return std::nullopt;
}

bool XAcceptsAppToken(RouteId route) {
  switch (route) {
    case RouteId::kCreatePost:
    case RouteId::kDeletePost:
    case RouteId::kSearchUsers:
    case RouteId::kGetLikingUsers:
    case RouteId::kGetLikedPosts:
    case RouteId::kGetMe:
    case RouteId::kLikePost:
    case RouteId::kUnlikePost:
    case RouteId::kRepost:
    case RouteId::kUnrepost:
    case RouteId::kHideReply:
    case RouteId::kFollowUser:
    case RouteId::kUnfollowUser:
      return false;
    default:
      return true;
  }
}

}  // namespace sluice
