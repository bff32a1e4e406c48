#include "api/paging.h"

#include "api/exchange.h"

#include "api/trap_injector.h"
#include "core/parse.h"
#include "core/snowflake.h"
#include "core/time_format.h"

#include <algorithm>

namespace sluice {

Result<PageRequest> ParsePage(const Params& params, const PageSpec& spec, TimeMs now) {
  PageRequest page;
  auto limit = ParseMaxResults(params, spec.min_results, spec.max_results, spec.default_results);
  if (!limit.ok()) return limit.status();
  page.limit = *limit;
  auto since = OptionalId(params, "since_id");
  if (!since.ok()) return since.status();
  auto until = OptionalId(params, "until_id");
  if (!until.ok()) return until.status();
  auto start = OptionalTime(params, "start_time");
  if (!start.ok()) return start.status();
  auto end = OptionalTime(params, "end_time");
  if (!end.ok()) return end.status();
  page.since_id = *since;
  page.until_id = *until;
  page.start_time = *start;
  page.end_time = *end;
  if (spec.window != SearchWindow::kNone) {
    const bool archive = spec.window == SearchWindow::kArchive;
    TimeMs oldest = archive ? kArchiveStartMs : now - kRecentWindowMs;
    if (page.start_time && *page.start_time < oldest)
      return InvalidRequest("start_time", FormatTime(*page.start_time),
                            "Invalid 'start_time':'" + FormatTime(*page.start_time) +
                                "'. 'start_time' must be on or after " + FormatTime(oldest));
    // The archive's default is the 30 days before the end of the range (end_time, until_id or
    // now), so that an end_time alone (a day in 2012) asks for that month rather than for an
    // empty range; a since_id bounds the range itself (X takes one of start_time and since_id).
    if (!page.start_time && archive) {
      TimeMs end = page.end_time ? *page.end_time : page.until_id ? SnowflakeTime(*page.until_id) : now;
      page.start_time = page.since_id ? oldest : std::max(oldest, end - kArchiveDefaultWindowMs);
    } else if (!page.start_time) {
      page.start_time = oldest;
    }
  }
  if (page.start_time && page.end_time && *page.end_time <= *page.start_time)
    return InvalidRequest("end_time", FormatTime(*page.end_time),
                          "Invalid 'end_time':'" + FormatTime(*page.end_time) +
                              "'. 'end_time' must be after 'start_time' '" + FormatTime(*page.start_time) + "'");
  if (spec.allow_exclude) {
    if (auto ex = params.Get("exclude")) {
      for (std::string_view item : SplitCommaList(*ex)) {
        if (item == "replies") page.exclude_replies = true;
        else if (item == "retweets") page.exclude_retweets = true;
        else
          return InvalidRequest("exclude", std::string(item),
                                "The `exclude` query parameter value [" + std::string(item) + "] is not one of [replies,retweets]");
      }
    }
  }
  page.relevancy = spec.relevancy;
  for (std::string_view name : {"pagination_token", "next_token"}) {
    auto token = params.Get(name);
    if (!token) continue;
    if (spec.relevancy) {
      auto after = DecodeRelevanceToken(name, *token);
      if (!after.ok()) return after.status();
      page.after = *after;
    } else {
      auto cursor = DecodePageToken(name, *token);
      if (!cursor.ok()) return cursor.status();
      page.cursor = *cursor;
    }
  }
  return page;
}

Result<ApiResponse> RenderPage(ApiContext& ctx, const App& app, std::vector<StoredPost> rows, const PageRequest& page,
                               const PageSpec& spec, const FieldSelection& fields) {
  bool newer = page.cursor && page.cursor->first == PageRequest::Direction::kNewer;
  bool more = rows.size() > size_t(page.limit);
  if (more) {
    // The extra row is the one farthest from the cursor.
    if (newer) rows.erase(rows.begin());
    else rows.pop_back();
  }
  std::optional<Id> newest, oldest;
  std::optional<PageRequest::RelevanceKey> last;
  for (const auto& r : rows) {
    newest = std::max(newest.value_or(r.post.id), r.post.id);
    oldest = std::min(oldest.value_or(r.post.id), r.post.id);
  }
  if (!rows.empty()) last = PageRequest::RelevanceKey{rows.back().relevance, rows.back().post.id};
  Id trap = ctx.services.traps ? ctx.services.traps->MaybeInject(ctx, app, rows, spec.query) : 0;
  std::string next, previous;
  if (page.relevancy) {
    if (last && more) next = EncodeRelevanceToken(*last);
  } else if (oldest && (newer || more)) {
    next = EncodePageToken(PageRequest::Direction::kOlder, *oldest);
  }
  if (spec.previous_token && newest && (newer ? more : page.cursor.has_value()))
    previous = EncodePageToken(PageRequest::Direction::kNewer, *newest);
  size_t count = rows.size();
  auto meta = [&](JsonWriter& w) {
    w.BeginObject();
    if (newest) w.MemberId("newest_id", *newest);
    if (oldest) w.MemberId("oldest_id", *oldest);
    w.MemberInt("result_count", int64_t(count));
    if (!next.empty()) w.Member("next_token", next);
    if (!previous.empty()) w.Member("previous_token", previous);
    w.EndObject();
  };
  auto response = RenderPostsEnvelope(ctx.store, ctx.now, rows, false, fields, {}, meta);
  if (response.ok() && trap) TrapInjector::MarkTrapDelivered(*response, trap);
  return response;
}

}  // namespace sluice
