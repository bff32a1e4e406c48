// Integration: search/recent with sort_order=relevancy ranks by FTS5's bm25 (issue 12,
// item 6), newest first among equals, and its next_token walks the whole ranked result.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

std::string RecentId(int seconds_ago) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  return std::to_string((now - int64_t(seconds_ago) * 1000 - 1288834974657) << 22);
}

TEST(Relevancy, RanksByBm25AndPagesThroughTheRankedResult) {
  SluiceServer server;
  std::ostringstream out;
  out << R"({"id":"100","username":"alice","name":"Alice"})" << "\n";
  // 25 posts mention "kiwi" once among filler words, newest first in id; one says it three
  // times in three words (the most relevant), and one once in a single word.
  std::vector<std::string> filler_ids;
  for (int i = 0; i < 25; ++i) {
    std::string id = RecentId(3000 - i * 60);
    filler_ids.push_back(id);
    out << R"({"id":")" << id << R"(","author_id":"100","text":"a long day at the market with some kiwi and plenty of other fruit number )"
        << i << R"("})" << "\n";
  }
  const std::string best = RecentId(4000), single = RecentId(3500);
  out << R"({"id":")" << best << R"(","author_id":"100","text":"kiwi kiwi kiwi"})" << "\n";
  out << R"({"id":")" << single << R"(","author_id":"100","text":"kiwi"})" << "\n";
  ASSERT_TRUE(server.Import(out.str()));
  std::string token = server.CreateApp("searcher", "pro");
  server.Start();

  std::vector<std::string> walked;
  std::string next;
  for (int page = 0; page < 10; ++page) {
    auto r = server.Get("/2/tweets/search/recent?query=kiwi&sort_order=relevancy&max_results=10" +
                            (next.empty() ? "" : "&next_token=" + next),
                        token);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.Json().as_object();
    std::vector<std::string> ids;
    for (const auto& p : j.at("data").as_array()) ids.push_back(Str(p, "id"));
    walked.insert(walked.end(), ids.begin(), ids.end());
    const auto& meta = j.at("meta").as_object();
    // newest_id and oldest_id are the page's largest and smallest ids, in any order.
    auto by_value = [](const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() < b.size() : a < b; };
    EXPECT_EQ(Str(meta, "newest_id"), *std::max_element(ids.begin(), ids.end(), by_value));
    EXPECT_EQ(Str(meta, "oldest_id"), *std::min_element(ids.begin(), ids.end(), by_value));
    if (!meta.contains("next_token")) break;
    next = Str(meta, "next_token");
  }
  ASSERT_EQ(walked.size(), 27u);
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), 27u);
  EXPECT_EQ(walked[0], best);
  EXPECT_EQ(walked[1], single);
  // The filler posts score the same (same length, one kiwi): newest first.
  std::vector<std::string> rest(walked.begin() + 2, walked.end());
  std::vector<std::string> newest_first(filler_ids.rbegin(), filler_ids.rend());
  EXPECT_EQ(rest, newest_first);

  // Recency (the default) is unchanged: newest first.
  auto recent = server.Get("/2/tweets/search/recent?query=kiwi&max_results=10", token).Json();
  EXPECT_EQ(Str(recent.at("data").at(0), "id"), filler_ids.back());

  // A token of one order is not valid in the other: X's 400 naming the parameter.
  const std::string recency_token = Str(recent.at("meta"), "next_token");
  for (auto [order, tok] : {std::pair<std::string, std::string>{"relevancy", recency_token}, {"recency", next}}) {
    auto r = server.Get("/2/tweets/search/recent?query=kiwi&sort_order=" + order + "&next_token=" + tok, token);
    EXPECT_EQ(r.status, 400) << order << ": " << r.body;
    EXPECT_NE(r.body.find("next_token"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace sluice::testing
