// GET /2/tweets/search/recent and GET /2/tweets/counts/recent
#include "api/handlers.h"
#include "api/paging.h"
#include "core/time_format.h"

namespace sluice {

namespace {

Result<SearchQuery> QueryParam(const Params& params) {
  auto q = params.Get("query");
  if (!q || q->empty()) return InvalidRequest("query", "", "The `query` query parameter can not be empty");
  return ParseSearchQuery(*q);
}

}  // namespace

Result<ApiResponse> SearchRecent(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"query", "max_results", "next_token", "pagination_token", "since_id", "until_id",
                                       "start_time", "end_time", "sort_order", "tweet.fields", "post.fields", "user.fields",
                                       "expansions", "media.fields", "place.fields", "poll.fields"});
      !s.ok())
    return s;
  auto query = QueryParam(*params);
  if (!query.ok()) return query.status();
  auto order = params->Get("sort_order");
  if (order && *order != "recency" && *order != "relevancy")
    return InvalidRequest("sort_order", std::string(*order),
                          "The `sort_order` query parameter value [" + std::string(*order) + "] is not one of [recency,relevancy]");
  auto fields = ParseFieldSelection(*params, PrimaryResource::kPosts);
  if (!fields.ok()) return fields.status();
  PageSpec spec{10, 100, 10, false, /*search_window=*/true, /*previous_token=*/false,
                /*relevancy=*/order && *order == "relevancy"};
  auto page = ParsePage(*params, spec, ctx.now);
  if (!page.ok()) return page.status();
  auto rows = ctx.store.Search(*query, *page);
  if (!rows.ok()) return rows.status();
  return RenderPage(ctx, app, std::move(*rows), *page, spec, *fields);
}

Result<ApiResponse> CountRecent(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  // X pages counts; Sluice's recent window fits one page, so a (well-formed) token is taken
  // and the same single page answered.
  if (Status s = params->CheckAllowed({"query", "granularity", "start_time", "end_time", "since_id", "until_id",
                                       "next_token", "pagination_token", "search_count.fields"});
      !s.ok())
    return s;
  auto query = QueryParam(*params);
  if (!query.ok()) return query.status();
  TimeMs bucket = 3600 * 1000;
  if (auto g = params->Get("granularity")) {
    if (*g == "minute") bucket = 60 * 1000;
    else if (*g == "day") bucket = 24 * 3600 * 1000;
    else if (*g != "hour")
      return InvalidRequest("granularity", std::string(*g),
                            "The `granularity` query parameter value [" + std::string(*g) + "] is not one of [minute,hour,day]");
  }
  const TimeMs now = ctx.now;
  PageSpec spec{0, 0, 0, false, /*search_window=*/true};
  auto page = ParsePage(*params, spec, now);
  if (!page.ok()) return page.status();
  TimeMs start = *page->start_time;
  TimeMs end = page->end_time.value_or(now);
  // since_id / until_id narrow the range like times do (ids are times).
  if (page->since_id) start = std::max(start, SnowflakeTime(*page->since_id + 1));
  if (page->until_id) end = std::min(end, SnowflakeTime(*page->until_id));
  std::vector<CountBucket> buckets;
  if (end > start) {
    auto counted = ctx.store.Count(*query, start, end, bucket);
    if (!counted.ok()) return counted.status();
    buckets = std::move(*counted);
  }
  JsonWriter w;
  int64_t total = 0;
  w.BeginObject();
  w.Key("data");
  w.BeginArray();
  for (const auto& b : buckets) {
    w.BeginObject();
    w.Member("end", FormatTime(b.end));
    w.Member("start", FormatTime(b.start));
    // tweet_count for X's pages and clients, post_count for X's OpenAPI document.
    w.MemberInt("tweet_count", b.count);
    w.MemberInt("post_count", b.count);
    w.EndObject();
    total += b.count;
  }
  w.EndArray();
  w.Key("meta");
  w.BeginObject();
  w.MemberInt("total_tweet_count", total);
  w.MemberInt("total_post_count", total);
  w.EndObject();
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

}  // namespace sluice
