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
                               const PageSpec& spec, const FieldSelection& fields, const TrapFilter* list_traps) {
  bool newer = page.cursor && page.cursor->first == PageRequest::Direction::kNewer;
  // The app's traps this list holds join its posts (in id order: relevance pages have none),
  // so a page asked for again shows the same trap, and the pages around it neither skip nor
  // repeat a post: the store's limit + 1 nearest the cursor of both, merged, are the page's.
  std::vector<Id> shown_traps;
  if (ctx.services.traps && list_traps && !page.relevancy) {
    auto found = ctx.store.FindTraps(app.id, *list_traps, page);
    if (!found.ok()) return found.status();
    for (const auto& t : *found) {
      rows.push_back(TrapInjector::AsPost(t));
      shown_traps.push_back(t.id);
    }
    if (!found->empty()) {
      std::sort(rows.begin(), rows.end(), [](const StoredPost& a, const StoredPost& b) { return a.post.id > b.post.id; });
      const size_t keep = size_t(page.limit) + 1;
      if (rows.size() > keep) {
        if (newer) rows.erase(rows.begin(), rows.end() - std::ptrdiff_t(keep));
        else rows.resize(keep);
      }
    }
  }
  bool more = rows.size() > size_t(page.limit);
  // The extra row is the one farthest from the cursor.
  auto drop_far_end = [&] {
    if (newer) rows.erase(rows.begin());
    else rows.pop_back();
  };
  if (more) drop_far_end();
  auto shown = [&](Id id) { return std::find(shown_traps.begin(), shown_traps.end(), id) != shown_traps.end(); };
  // A page that holds a trap of the app's already gets no other.
  bool holds_trap = std::any_of(rows.begin(), rows.end(), [&](const StoredPost& r) { return shown(r.post.id); });
  // Traps are injected into search pages only: a timeline's posts share what a trap cannot
  // (an author, a mention, a quoted post).
  const bool searched = list_traps && list_traps->query && spec.window != SearchWindow::kNone;
  Id trap = 0;
  if (ctx.services.traps && searched && !holds_trap) {
    const bool full = rows.size() >= size_t(page.limit);
    trap = ctx.services.traps->MaybeInject(ctx, app, rows, full, newer, &list_traps->query->root);
    // The page keeps its limit: the trap takes the place of the post at the far end, which
    // opens the next page.
    if (trap && rows.size() > size_t(page.limit)) {
      drop_far_end();
      more = true;
    }
  }
  std::optional<Id> newest, oldest;
  std::optional<PageRequest::RelevanceKey> last;
  for (const auto& r : rows) {
    newest = std::max(newest.value_or(r.post.id), r.post.id);
    oldest = std::min(oldest.value_or(r.post.id), r.post.id);
  }
  if (!rows.empty()) last = PageRequest::RelevanceKey{rows.back().relevance, rows.back().post.id};
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
  if (response.ok()) {
    if (trap) TrapInjector::MarkTrapDelivered(*response, trap);
    for (const auto& r : rows)
      if (shown(r.post.id)) TrapInjector::MarkTrapDelivered(*response, r.post.id);
  }
  return response;
}

}  // namespace sluice
