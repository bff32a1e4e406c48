// GET /2/tweets/search/recent, /2/tweets/counts/recent, and the full archive's
// GET /2/tweets/search/all and /2/tweets/counts/all: one handler each for posts and counts,
// told apart by the window (start_time's default and bound), max_results' range and the
// query's maximum length.
#include "api/handlers.h"
#include "api/paging.h"
#include "core/time_format.h"

namespace sluice {

namespace {

Result<SearchQuery> QueryParam(const Params& params, SearchWindow window) {
  auto q = params.Get("query");
  if (!q || q->empty()) return InvalidRequest("query", "", "The `query` query parameter can not be empty");
  return ParseSearchQuery(*q, window == SearchWindow::kArchive ? kMaxArchiveSearchQueryLength : kMaxSearchQueryLength);
}

// The most buckets one page of the archive's counts holds: 31 days of days or hours, one day
// of minutes. A range longer than that is paged, newest page first (next_token goes back in
// time), so a count over the whole archive never builds millions of buckets at once.
TimeMs ArchiveCountPageSpan(TimeMs bucket) {
  constexpr TimeMs kDay = 24 * 3600 * 1000;
  return bucket == 60 * 1000 ? kDay : 31 * kDay;
}

Result<ApiResponse> SearchPosts(ApiContext& ctx, const App& app, const ApiRequest& req, SearchWindow window) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed({"query", "max_results", "next_token", "pagination_token", "since_id", "until_id",
                                       "start_time", "end_time", "sort_order", "tweet.fields", "post.fields", "user.fields",
                                       "expansions", "media.fields", "place.fields", "poll.fields"});
      !s.ok())
    return s;
  auto query = QueryParam(*params, window);
  if (!query.ok()) return query.status();
  auto order = params->Get("sort_order");
  if (order && *order != "recency" && *order != "relevancy")
    return InvalidRequest("sort_order", std::string(*order),
                          "The `sort_order` query parameter value [" + std::string(*order) + "] is not one of [recency,relevancy]");
  auto fields = ParseFieldSelection(*params, PrimaryResource::kPosts);
  if (!fields.ok()) return fields.status();
  // X: 10 to 100 posts a page in the recent window, 10 to 500 in the archive; 10 by default.
  const int most = window == SearchWindow::kArchive ? 500 : 100;
  PageSpec spec{10, most, 10, false, window, /*previous_token=*/false, /*relevancy=*/order && *order == "relevancy"};
  spec.query = &query->root;
  auto page = ParsePage(*params, spec, ctx.now);
  if (!page.ok()) return page.status();
  auto rows = ctx.store.Search(*query, *page);
  if (!rows.ok()) return rows.status();
  return RenderPage(ctx, app, std::move(*rows), *page, spec, *fields);
}

Result<ApiResponse> CountPosts(ApiContext& ctx, const ApiRequest& req, SearchWindow window) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  // X pages counts; Sluice's recent window fits one page, so there a (well-formed) token is
  // taken and the same single page answered. The archive's are paged (ArchiveCountPageSpan).
  if (Status s = params->CheckAllowed({"query", "granularity", "start_time", "end_time", "since_id", "until_id",
                                       "next_token", "pagination_token", "search_count.fields"});
      !s.ok())
    return s;
  auto query = QueryParam(*params, window);
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
  PageSpec spec{0, 0, 0, false, window};
  auto page = ParsePage(*params, spec, now);
  if (!page.ok()) return page.status();
  TimeMs start = *page->start_time;
  TimeMs end = page->end_time.value_or(now);
  // since_id / until_id narrow the buckets' range like times do (ids are times), and the
  // store bounds the posts by the ids themselves.
  if (page->since_id) start = std::max(start, SnowflakeTime(*page->since_id));
  if (page->until_id) end = std::min(end, SnowflakeTime(*page->until_id) + 1);
  std::string next;
  if (window == SearchWindow::kArchive) {
    // An archive token carries the end (ms since the epoch) of the page it asks for.
    if (page->cursor && page->cursor->first == PageRequest::Direction::kOlder) end = std::min(end, TimeMs(page->cursor->second));
    const TimeMs span = ArchiveCountPageSpan(bucket);
    if (end - start > span) {
      // Page boundaries fall on bucket boundaries, so no bucket is split between two pages.
      TimeMs page_start = end - span;
      page_start += (bucket - page_start % bucket) % bucket;
      start = page_start;
      next = EncodePageToken(PageRequest::Direction::kOlder, Id(page_start));
    }
  }
  std::vector<CountBucket> buckets;
  if (end > start) {
    auto counted = ctx.store.Count(*query, start, end, bucket, page->since_id, page->until_id);
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
  if (!next.empty()) w.Member("next_token", next);
  w.EndObject();
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

}  // namespace

Result<ApiResponse> SearchRecent(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  return SearchPosts(ctx, app, req, SearchWindow::kRecent);
}

Result<ApiResponse> SearchAll(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  return SearchPosts(ctx, app, req, SearchWindow::kArchive);
}

Result<ApiResponse> CountRecent(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view) {
  return CountPosts(ctx, req, SearchWindow::kRecent);
}

Result<ApiResponse> CountAll(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view) {
  return CountPosts(ctx, req, SearchWindow::kArchive);
}

}  // namespace sluice
