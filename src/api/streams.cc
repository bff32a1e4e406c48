// GET /2/tweets/search/stream and GET /2/tweets/sample/stream: the response is a stream
// (api/stream_sink.h) whose lines StreamConnection makes.

#include "access/plans.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/stream_connection.h"
#include "api/stream_hub.h"
#include "core/parse.h"

namespace sluice {

namespace {

// X: a reconnecting client may ask for up to 5 minutes of what it missed.
constexpr int kMaxBackfillMinutes = 5;

Result<ApiResponse> OpenStream(ApiContext& ctx, const App& app, const ApiRequest& req, StreamFeed feed, RouteId route) {
  // A stream is a chunked body, which HTTP/1.0 has not (and X's streams are HTTP/1.1 and up).
  if (req.http10) return MalformedRequest("Streams are served over HTTP/1.1: send this request as HTTP/1.1.");
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  const bool compliance = feed == StreamFeed::kPostCompliance || feed == StreamFeed::kUserCompliance;
  if (Status s = compliance ? params->CheckAllowed({"partition", "backfill_minutes"})
                            : params->CheckAllowed({"backfill_minutes", "tweet.fields", "post.fields", "user.fields",
                                                    "expansions", "media.fields", "place.fields", "poll.fields"});
      !s.ok())
    return s;
  StreamConnection::Options options;
  options.feed = feed;
  options.route = route;
  options.app = app;
  options.plan = ctx.services.plans.Find(app.plan);  // the plan stage found it
  options.query = std::string(req.query);
  options.request_id = std::string(req.request_id);
  if (auto b = params->Get("backfill_minutes")) {
    auto minutes = ParseInt<int>(*b, 0, kMaxBackfillMinutes);
    if (!minutes.ok())
      return InvalidRequest("backfill_minutes", std::string(*b),
                            "The `backfill_minutes` query parameter value [" + std::string(*b) +
                                "] is not between 0 and " + std::to_string(kMaxBackfillMinutes));
    options.backfill_minutes = minutes.value;
    // A sample backfill would read every post of the window, a compliance one every deletion
    // of it (docs/api.md): refused, not ignored.
    if (feed != StreamFeed::kFiltered && minutes.value > 0)
      return InvalidRequest("backfill_minutes", std::string(*b),
                            "This stream of this server takes no backfill_minutes (see its docs/api.md).");
  }
  if (compliance) {
    auto p = params->Get("partition");
    if (!p) return InvalidRequest("partition", "", "The `partition` query parameter can not be empty");
    auto partition = ParseInt<int>(*p, 1, kCompliancePartitions);
    if (!partition.ok())
      return InvalidRequest("partition", std::string(*p),
                            "The `partition` query parameter value [" + std::string(*p) + "] is not between 1 and " +
                                std::to_string(kCompliancePartitions));
    options.partition = partition.value;
  } else {
    auto fields = ParseFieldSelection(*params, PrimaryResource::kPosts);
    if (!fields.ok()) return fields.status();
    options.fields = *fields;
  }
  StreamHub* hub = ctx.services.streams;
  if (!hub) return ServiceUnavailable("Streams are not served by this server.", 60);
  // The plan's connections per app (X: Pro 1); the sample stream, on plans without the filtered
  // stream's numbers, one.
  const int max_connections =
      options.plan && options.plan->stream_connections > 0 ? int(options.plan->stream_connections) : 1;
  auto connection = std::make_shared<StreamConnection>(ctx.services, ctx.worker, std::move(options));
  auto subscribed = connection->Subscribe(*hub, max_connections);
  if (!subscribed.ok()) return subscribed.status();
  if (!*subscribed) return TooManyConnections();
  ApiResponse response;
  response.status = 200;
  response.stream = [connection](std::shared_ptr<StreamSink> sink) { connection->Open(std::move(sink)); };
  return response;
}

}  // namespace

Result<ApiResponse> SearchStream(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  return OpenStream(ctx, app, req, StreamFeed::kFiltered, RouteId::kSearchStream);
}

Result<ApiResponse> SampleStream(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  return OpenStream(ctx, app, req, StreamFeed::kSample, RouteId::kSampleStream);
}

Result<ApiResponse> UserComplianceStream(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  return OpenStream(ctx, app, req, StreamFeed::kUserCompliance, RouteId::kUserComplianceStream);
}

Result<ApiResponse> PostComplianceStream(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  return OpenStream(ctx, app, req, StreamFeed::kPostCompliance, RouteId::kPostComplianceStream);
}

}  // namespace sluice
