#include "api/stream_hub.h"
#include "api/stages.h"

#include "api/admission.h"
#include "api/authenticate.h"
#include "api/budget.h"
#include "api/delivery.h"
#include "api/handlers.h"
#include "api/shared_admission.h"
#include "api/write_intents.h"
#include "ledger/ledger.h"

namespace sluice {

Handler HandlerFor(RouteId route) {
  // No default: a route added to the table without a handler here is a compile warning.
  switch (route) {
    case RouteId::kSearchRecent: return SearchRecent;
    case RouteId::kCountRecent: return CountRecent;
    case RouteId::kGetPosts: return GetPostsByIds;
    case RouteId::kCreatePost: return CreatePost;
    case RouteId::kGetPost: return GetPostById;
    case RouteId::kDeletePost: return DeletePost;
    case RouteId::kGetQuotePosts: return GetQuotePosts;
    case RouteId::kGetUsers: return GetUsersByIds;
    case RouteId::kGetUsersByUsernames: return GetUsersByUsernames;
    case RouteId::kGetUserByUsername: return GetUserByUsername;
    case RouteId::kGetUser: return GetUserById;
    case RouteId::kGetUserPosts: return GetUserPosts;
    case RouteId::kGetUserMentions: return GetUserMentions;
    case RouteId::kGetUsage: return GetUsage;
    case RouteId::kGetRepostedBy: return GetRepostedBy;
    case RouteId::kGetReposts: return GetReposts;
    case RouteId::kGetLikingUsers: return GetLikingUsers;
    case RouteId::kGetLikedPosts: return GetLikedPosts;
    case RouteId::kGetFollowers: return GetFollowers;
    case RouteId::kGetFollowing: return GetFollowing;
    case RouteId::kGetMe: return GetMe;
    case RouteId::kLikePost: return LikePost;
    case RouteId::kUnlikePost: return UnlikePost;
    case RouteId::kRepost: return Repost;
    case RouteId::kUnrepost: return Unrepost;
    case RouteId::kHideReply: return HideReply;
    case RouteId::kFollowUser: return FollowUser;
    case RouteId::kUnfollowUser: return UnfollowUser;
    case RouteId::kSearchAll: return SearchAll;
    case RouteId::kCountAll: return CountAll;
    case RouteId::kSearchUsers: return SearchUsers;
    case RouteId::kSearchStream: return SearchStream;
    case RouteId::kSampleStream: return SampleStream;
    case RouteId::kPostComplianceStream: return PostComplianceStream;
    case RouteId::kUserComplianceStream: return UserComplianceStream;
    case RouteId::kAddOrDeleteStreamRules: return AddOrDeleteStreamRules;
    case RouteId::kGetStreamRules: return GetStreamRules;
    case RouteId::kGetStreamRuleCounts: return GetStreamRuleCounts;
    case RouteId::kCreateComplianceJob: return CreateComplianceJob;
    case RouteId::kGetComplianceJobs: return GetComplianceJobs;
    case RouteId::kGetComplianceJob: return GetComplianceJob;
    case RouteId::kUploadComplianceIds:
    case RouteId::kStartComplianceUpload:
    case RouteId::kDownloadComplianceResult:
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
    case RouteId::kCount: return nullptr;
  }
  return nullptr;
}

Verdict HandlerStage::Run(Exchange& ex) {
  ApiContext ctx = ex.Context();
  auto handled = HandlerFor(ex.route)(ctx, *ex.app, ex.request, ex.capture);
  if (handled.ok()) ex.response = std::move(*handled);
  else ex.Fail(handled.status());
  return Verdict::Continue();
}

Verdict RecordStage::Run(Exchange& ex) {
  ApiResponse& response = ex.response;
  if (!ShouldRecord(response)) return Verdict::Continue();
  const App* app = ex.app ? &*ex.app : nullptr;
  LedgerRecord record = DeliveryRecord(ex.services.config, ex.now, ex.request, EndpointName(ex.route), app, response,
                                       ex.user ? ex.user->user_id : 0);
  if (IsCountedRefusal(app, response)) {
    Status s = ledger_.Count(std::move(record));
    if (!s.ok()) ex.Fail(s);
    return Verdict::Continue();
  }
  const bool success = response.status < 300;
  auto seq = ledger_.Append(std::move(record));
  if (!seq.ok()) {
    ex.record_failed = true;
    ex.Fail(seq.status());
    return Verdict::Continue();
  }
  const bool write = ex.request.method != "GET";  // POST, DELETE, PUT
  if (!write || !success) return Verdict::Continue();
  // Acknowledged only once durable; the worker serves other requests meanwhile.
  auto resume = ex.Suspend();
  ledger_.WhenDurable(*seq, [&ex, resume = std::move(resume)](Status s) {
    // Runs on the sync thread (or here): only the exchange's own fields, then back to its worker.
    if (!s.ok()) {
      ex.record_failed = true;
      ex.Fail(s);
    }
    resume();
  });
  return Verdict::Wait();
}

Verdict ApplyWriteStage::Run(Exchange& ex) {
  if (!ex.kept()) return Verdict::Continue();
  if (ex.response.write_intent != 0) {
    if (Status s = ApplyWrite(ex.worker.store, ex.response.write_intent); !s.ok()) {
      ex.Fail(s);
    } else if (ex.services.streams && !ex.worker.store.SharedByNodes()) {
      // On a shared store the change feed tells every node's streams (stream_hub.h).
      const bool deleted = ex.route == RouteId::kDeletePost || ex.route == RouteId::kUnrepost;
      ex.services.streams->Announce(ex.worker.store, {ex.response.write_intent, deleted, ex.now});
    }
  }
  if (ex.response.action_intent != 0)
    if (Status s = ex.worker.store.ApplyAction(ex.response.action_intent); !s.ok()) ex.Fail(s);
  return Verdict::Continue();
}

Verdict DelayStage::Run(Exchange& ex) {
  ex.worker.executor.PostAfter(delay_ms_, ex.Suspend());
  return Verdict::Wait();
}

std::unique_ptr<Chain> RequestStages(const Services& s) {
  std::vector<std::unique_ptr<Stage>> stages;
  if (s.config.fault.delay_ms > 0) stages.push_back(std::make_unique<DelayStage>(s.config.fault.delay_ms));
  stages.push_back(std::make_unique<AuthenticateStage>());
  stages.push_back(std::make_unique<PlanStage>());
  // Shared counters (Redis) decide in place of this node's limiter and meter, and may wait.
  if (s.limiter && s.counters) stages.push_back(std::make_unique<SharedRateLimitStage>(*s.counters));
  else if (s.limiter) stages.push_back(std::make_unique<RateLimitStage>(*s.limiter));
  if (s.meter && s.counters) stages.push_back(std::make_unique<SharedWriteCheckStage>(*s.counters, *s.meter));
  else if (s.meter) stages.push_back(std::make_unique<WriteCheckStage>(*s.meter));
  stages.push_back(std::make_unique<HandlerStage>());
  if (s.meter && s.counters) stages.push_back(std::make_unique<SharedCapStage>(*s.counters, *s.meter));
  else if (s.meter) stages.push_back(std::make_unique<CapStage>(*s.meter));
  stages.push_back(std::make_unique<HeadersStage>());
  if (s.ledger) stages.push_back(std::make_unique<RecordStage>(*s.ledger));
  stages.push_back(std::make_unique<ApplyWriteStage>());
  return std::make_unique<Chain>(std::move(stages));
}

}  // namespace sluice
