// Fuzzes the query-string parsers of the API: whatever the bytes, each returns a value or a
// 400 problem, never crashes; ParsePage too, for every window and token kind.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/fields.h"
#include "api/paging.h"
#include "api/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view query(reinterpret_cast<const char*>(data), size);
  auto params = Params::Parse(query);
  if (!params.ok()) return 0;
  (void)params->CheckAllowed({"ids", "max_results", "start_time", "pagination_token", "tweet.fields"});
  (void)ParseFieldSelection(*params, PrimaryResource::kPosts);
  (void)ParseFieldSelection(*params, PrimaryResource::kUsers);
  (void)ParseMaxResults(*params, 10, 100, 10);
  (void)OptionalTime(*params, "start_time");
  (void)ParseIdList(*params, "ids", 100);
  if (auto token = params->Get("pagination_token")) (void)DecodePageToken("pagination_token", *token);
  // Every page kind's window, sizes and tokens (recency and relevance): a page or a 400.
  constexpr TimeMs kNow = 1'765'000'000'000;
  for (SearchWindow window : {SearchWindow::kNone, SearchWindow::kRecent, SearchWindow::kArchive})
    for (bool relevancy : {false, true}) {
      PageSpec spec{window == SearchWindow::kArchive ? 10 : 5, window == SearchWindow::kArchive ? 500 : 100, 10, true,
                    window, window == SearchWindow::kNone, relevancy};
      auto page = ParsePage(*params, spec, kNow);
      if (!page.ok() && page.status().code() != StatusCode::kInvalidRequest) __builtin_trap();
    }
  return 0;
}
