#pragma once
//! Shared by every list endpoint (timelines, search): reading the page parameters and writing
//! `meta` with X's tokens, so that walking next_token visits every post once, newest first.

#include <string_view>

#include "api/context.h"
#include "api/params.h"
#include "api/render.h"

namespace sluice {

//! The time window of a search: X's rules for start_time.
enum class SearchWindow {
  kNone,     // timelines: no default, no bound
  kRecent,   // recent search and counts: start_time defaults to now - 7 days and may not be older
  kArchive,  // full archive: start_time defaults to 30 days before end_time (or until_id, or now;
             // no default with since_id) and may not be before 2006-03-21T00:00:00Z, the first
             // day of the archive
};

struct PageSpec {
  int min_results;
  int max_results;
  int default_results;
  bool allow_exclude = false;      // exclude=replies,retweets
  SearchWindow window = SearchWindow::kNone;
  bool previous_token = true;      // timelines offer previous_token; search does not
  bool relevancy = false;          // search with sort_order=relevancy: relevance tokens
  const SearchNode* query = nullptr;  // search: the query, which a trap in the page matches
};

inline constexpr TimeMs kRecentWindowMs = 7LL * 24 * 3600 * 1000;
inline constexpr TimeMs kArchiveDefaultWindowMs = 30LL * 24 * 3600 * 1000;
inline constexpr TimeMs kArchiveStartMs = 1142899200000;  // 2006-03-21T00:00:00Z

//! Reads max_results, since_id, until_id, start_time, end_time, exclude, and the token from
//! pagination_token (or next_token for search): a relevance token when spec.relevancy (which
//! sets PageRequest::relevancy), else a recency one; a token of the other kind is a 400.
Result<PageRequest> ParsePage(const Params& params, const PageSpec& spec, TimeMs now);

//! Trims the store's limit+1 rows to the page, lets the trap injector add its record for
//! `app` (never at the page's ends, so tokens and newest/oldest ids stay those of real
//! posts), and renders the envelope with meta (newest_id and oldest_id: the page's largest
//! and smallest ids, also when it is ordered by relevance).
Result<ApiResponse> RenderPage(ApiContext& ctx, const App& app, std::vector<StoredPost> rows, const PageRequest& page,
                               const PageSpec& spec, const FieldSelection& fields);

}  // namespace sluice
