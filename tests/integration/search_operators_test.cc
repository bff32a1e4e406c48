// Integration: query operators X accepts do not kill the query (issue 12, item 4), through the
// real server. A store without media, geo, places, annotations or lists answers them
// truthfully; emoji are keywords; a malformed operator is still X's 400 naming `query`.
#include <gtest/gtest.h>

#include <cstdio>

#include "harness.h"

namespace sluice::testing {
namespace {

std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
        c == '-') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

TEST(SearchOperators, AcceptedAndAnsweredTruthfully) {
  SluiceServer server;
  std::string token = server.CreateApp("searcher", "pro");
  server.Start();
  auto post = [&](std::string_view text) {
    auto r = server.Request("POST", "/2/tweets", token, "{\"text\":\"" + std::string(text) + "\"}");
    EXPECT_EQ(r.status, 201) << r.body;
  };
  post("party time \U0001F389");
  post("party plans");
  auto count = [&](std::string_view query) -> int64_t {
    auto r = server.Get("/2/tweets/search/recent?query=" + Encode(query), token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    if (r.status != 200) return -1;
    return r.Json().at("meta").at("result_count").as_int64();
  };

  EXPECT_EQ(count("party -has:media"), 2);
  EXPECT_EQ(count("party -is:nullcast"), 2);
  for (const char* none : {"party has:media", "party has:images", "party has:videos", "party has:video_link",
                           "party has:geo", "party is:nullcast", "retweets_of:XDevelopers", "bio:developer",
                           "place_country:US", "point_radius:[-105.27346517 40.01924738 25mi]",
                           "context:10.799022225751871488", "entity:\"Michael Jordan\"", "list:1234"})
    EXPECT_EQ(count(none), 0) << none;
  EXPECT_EQ(count("party -place_country:US"), 2);
  EXPECT_EQ(count("\U0001F389"), 1) << "an emoji is a keyword";
  EXPECT_EQ(count("party -\U0001F389"), 1);

  auto counts = server.Get("/2/tweets/counts/recent?query=" + Encode("party -has:media -is:nullcast"), token);
  ASSERT_EQ(counts.status, 200) << counts.body;
  EXPECT_EQ(counts.Json().at("meta").at("total_tweet_count").as_int64(), 2);
}

TEST(SearchOperators, MalformedOperatorsAre400NamingThem) {
  SluiceServer server;
  std::string token = server.CreateApp("searcher", "pro");
  server.Start();
  struct Case {
    std::string query;
    std::string message;
  };
  const std::string prefix = "There were errors processing your request: ";
  for (const auto& c : std::vector<Case>{
           {"a place_country:", "Operator 'place_country:' has no value (at position 3)"},
           {"a place_country:USA", "Invalid value 'USA' for operator 'place_country:'"},
           {"a point_radius:[1 2]", "Invalid value '[1 2]' for operator 'point_radius:'"},
           {"a point_radius:[1 2 3km", "Unterminated bracket: '[' has no closing ']' (at position 16)"},
           {"a list:abc", "Invalid value 'abc' for operator 'list:'"},
           {"a has:medias", "Invalid value 'medias' for operator 'has:'"},
           {"has:media", "has:media cannot be used alone"},
       }) {
    for (const char* endpoint : {"/2/tweets/search/recent", "/2/tweets/counts/recent"}) {
      auto r = server.Get(std::string(endpoint) + "?query=" + Encode(c.query), token);
      ASSERT_EQ(r.status, 400) << c.query << " " << r.body;
      auto j = r.Json();
      EXPECT_EQ(j.at("title").as_string(), "Invalid Request");
      EXPECT_EQ(j.at("type").as_string(), "https://api.x.com/2/problems/invalid-request");
      auto error = j.at("errors").at(0);
      EXPECT_EQ(error.at("parameters").at("query").at(0).as_string(), c.query);
      std::string message(error.at("message").as_string());
      EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
      EXPECT_NE(message.find(c.message), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace sluice::testing
