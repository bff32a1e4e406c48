// Integration: long posts and edited posts served as X serves them (issue 12, item 6). A post
// over 280 weighted characters comes back with `text` cut to X's limit and, when asked for,
// the whole text with its entities in note_tweet (note_post); search reads the whole text;
// `sluice trace` finds a leak of either. An edited post lists its earlier versions in
// includes.tweets (expansions=edit_history_tweet_ids); an earlier version is served by id.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

// A snowflake `minutes_ago` minutes before now: recent enough for search/recent.
std::string RecentId(int minutes_ago, int k = 0) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t twitter_epoch = 1288834974657;
  return std::to_string(((now - int64_t(minutes_ago) * 60000 - twitter_epoch) << 22) + k);
}

std::string Words(std::mt19937& rng, int n) {
  static const char* kWords[] = {"river", "garden", "pasta", "weather", "lyon", "engine", "piano", "cloud",
                                 "market", "soleil", "maison", "jardin", "velo", "train", "book", "window"};
  std::string s;
  for (int i = 0; i < n; ++i) s += std::string(i ? " " : "") + kWords[rng() % 16];
  return s;
}

class LongPostsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    std::mt19937 rng(3);
    long_id_ = RecentId(60);
    x_long_id_ = RecentId(59);
    earlier_id_ = RecentId(50);
    latest_id_ = RecentId(45);
    // 300 letters and spaces, then words only a search of the whole text can find.
    long_whole_ = "#debut " + Words(rng, 50) + " zanzibar @bob #fin https://example.com/long";
    x_cut_ = "Written by X " + Words(rng, 20);
    x_whole_ = x_cut_ + " " + Words(rng, 60) + " quokka";
    std::ostringstream out;
    out << R"({"id":"100","username":"alice","name":"Alice"})" << "\n";
    out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
    out << R"({"id":")" << long_id_ << R"(","author_id":"100","text":)" << JsonString(long_whole_) << "}\n";
    out << R"({"data":{"id":")" << x_long_id_ << R"(","author_id":"100","text":)" << JsonString(x_cut_)
        << R"(,"note_tweet":{"text":)" << JsonString(x_whole_) << R"(,"entities":{}}}})" << "\n";
    out << R"({"data":{"id":")" << latest_id_ << R"(","author_id":"200","text":"hello edited world",)"
        << R"("edit_history_tweet_ids":[")" << earlier_id_ << R"(",")" << latest_id_ << R"("]},)"
        << R"("includes":{"tweets":[{"id":")" << earlier_id_ << R"(","author_id":"200","text":"helo edited wrld",)"
        << R"("edit_history_tweet_ids":[")" << earlier_id_ << R"(",")" << latest_id_ << R"("]}]}})" << "\n";
    ASSERT_TRUE(server_->Import(out.str()));
    token_ = server_->CreateApp("reader", "enterprise");
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static json::object Get(const std::string& target) {
    auto r = server_->Get(target, token_);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.Json().as_object();
  }
  static std::vector<std::string> Ids(const json::object& page) {
    std::vector<std::string> ids;
    if (page.contains("data"))
      for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
    return ids;
  }

  static SluiceServer* server_;
  static std::string token_, long_id_, x_long_id_, earlier_id_, latest_id_;
  static std::string long_whole_, x_cut_, x_whole_;
};

SluiceServer* LongPostsTest::server_ = nullptr;
std::string LongPostsTest::token_, LongPostsTest::long_id_, LongPostsTest::x_long_id_, LongPostsTest::earlier_id_,
    LongPostsTest::latest_id_, LongPostsTest::long_whole_, LongPostsTest::x_cut_, LongPostsTest::x_whole_;

TEST_F(LongPostsTest, TextIsCutAndTheNoteHoldsTheWholeWithItsEntities) {
  auto plain = Get("/2/tweets/" + long_id_ + "?tweet.fields=entities");
  const auto& data = plain.at("data");
  const std::string text = Str(data, "text");
  EXPECT_LE(text.size(), 280u);  // Latin letters: one byte, weight 1 each
  EXPECT_GT(text.size(), 270u);
  EXPECT_EQ(long_whole_.rfind(text, 0), 0u) << "a prefix of the whole text, without an ellipsis: " << text;
  EXPECT_NE(text.back(), ' ');
  EXPECT_FALSE(data.as_object().contains("note_tweet"));
  // The cut text's entities lie within it: #debut only.
  const auto& entities = data.at("entities").as_object();
  EXPECT_EQ(entities.at("hashtags").as_array().size(), 1u);
  EXPECT_FALSE(entities.contains("mentions"));
  EXPECT_FALSE(entities.contains("urls"));

  for (std::string name : {"note_tweet", "note_post"}) {
    for (std::string param : {"tweet.fields", "post.fields"}) {
      auto j = Get("/2/tweets/" + long_id_ + "?" + param + "=" + name);
      const auto& note = j.at("data").at(name);
      EXPECT_EQ(Str(note, "text"), long_whole_);
      const auto& ne = note.at("entities");
      EXPECT_EQ(ne.at("hashtags").as_array().size(), 2u);
      EXPECT_EQ(Str(ne.at("mentions").at(0), "username"), "bob");
      EXPECT_EQ(Str(ne.at("mentions").at(0), "id"), "200");
      EXPECT_EQ(Str(ne.at("urls").at(0), "expanded_url"), "https://example.com/long");
    }
  }
  // A post that fits has no note, whatever is asked.
  auto short_post = Get("/2/tweets/" + latest_id_ + "?tweet.fields=note_tweet");
  EXPECT_FALSE(short_post.at("data").as_object().contains("note_tweet"));
}

// An import in X's own shape keeps X's `text` and note_tweet as they were.
TEST_F(LongPostsTest, ImportedNoteTweetIsKept) {
  auto j = Get("/2/tweets?ids=" + x_long_id_ + "&tweet.fields=note_tweet");
  const auto& data = j.at("data").at(0);
  EXPECT_EQ(Str(data, "text"), x_cut_);
  EXPECT_EQ(Str(data.at("note_tweet"), "text"), x_whole_);
}

// X searches a long post's whole text; lists serve it cut, with its note when asked.
TEST_F(LongPostsTest, SearchMatchesTheWholeText) {
  for (std::string q : {"zanzibar", "%23fin", "%40bob", "quokka"}) {
    auto j = Get("/2/tweets/search/recent?query=" + q + "&tweet.fields=note_tweet");
    ASSERT_EQ(Ids(j).size(), 1u) << q;
    const auto& p = j.at("data").at(0);
    EXPECT_TRUE(p.as_object().contains("note_tweet")) << q;
    EXPECT_LE(Str(p, "text").size(), 280u);
  }
  auto timeline = Get("/2/users/100/tweets?tweet.fields=note_tweet");
  EXPECT_EQ(Ids(timeline), (std::vector<std::string>{x_long_id_, long_id_}));
}

TEST_F(LongPostsTest, EarlierVersionIsServedByIdAndInIncludes) {
  auto earlier = Get("/2/tweets/" + earlier_id_);
  EXPECT_EQ(Str(earlier.at("data"), "text"), "helo edited wrld");
  const auto& history = earlier.at("data").at("edit_history_tweet_ids").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].as_string(), earlier_id_);
  EXPECT_EQ(history[1].as_string(), latest_id_);

  auto both = Get("/2/tweets?ids=" + earlier_id_ + "," + latest_id_);
  EXPECT_EQ(Ids(both), (std::vector<std::string>{earlier_id_, latest_id_}));
  EXPECT_FALSE(both.contains("errors"));

  for (std::string name : {"edit_history_tweet_ids", "edit_history_post_ids"}) {
    auto j = Get("/2/tweets/" + latest_id_ + "?expansions=" + name);
    EXPECT_EQ(Str(j.at("data"), "text"), "hello edited world");
    const auto& included = j.at("includes").at("tweets").as_array();
    ASSERT_EQ(included.size(), 1u) << name;
    EXPECT_EQ(Str(included[0], "id"), earlier_id_);
    EXPECT_EQ(Str(included[0], "text"), "helo edited wrld");
  }
  // From the earlier version, the expansion brings the latest.
  auto from_earlier = Get("/2/tweets/" + earlier_id_ + "?expansions=edit_history_tweet_ids");
  EXPECT_EQ(Str(from_earlier.at("includes").at("tweets").at(0), "id"), latest_id_);
  // Without the expansion, nothing is included.
  EXPECT_FALSE(Get("/2/tweets/" + latest_id_).contains("includes"));
}

// Lists and searches hold the latest version only, as X's.
TEST_F(LongPostsTest, ListsServeTheLatestVersionOnly) {
  EXPECT_EQ(Ids(Get("/2/users/200/tweets")), std::vector<std::string>{latest_id_});
  EXPECT_EQ(Ids(Get("/2/tweets/search/recent?query=edited")), std::vector<std::string>{latest_id_});
  EXPECT_TRUE(Ids(Get("/2/tweets/search/recent?query=helo")).empty());
  auto counts = Get("/2/tweets/counts/recent?query=edited&granularity=day");
  EXPECT_EQ(counts.at("meta").at("total_tweet_count").as_int64(), 1);
}

// A leak of long posts, as `text` or as note_tweet.text, is found by `sluice trace`.
TEST(LongPostsTrace, ALeakOfTheWholeTextOrTheCutIsFound) {
  SluiceServer s;
  std::mt19937 rng(11);
  std::vector<std::string> wholes;
  std::ostringstream out;
  out << R"({"id":"100","username":"alice","name":"Alice"})" << "\n";
  for (int i = 0; i < 20; ++i) {
    wholes.push_back(Words(rng, 120) + " number" + std::to_string(i));
    out << R"({"id":")" << RecentId(30, i) << R"(","author_id":"100","text":)" << JsonString(wholes.back()) << "}\n";
  }
  ASSERT_TRUE(s.Import(out.str()));
  std::string token = s.CreateApp("leaker", "enterprise");
  s.Start();
  auto page = s.Get("/2/users/100/tweets?max_results=100&tweet.fields=note_tweet", token).Json();
  std::vector<std::string> texts, notes;
  for (const auto& p : page.at("data").as_array()) {
    texts.push_back(Str(p, "text"));
    notes.push_back(Str(p.at("note_tweet"), "text"));
  }
  ASSERT_EQ(notes.size(), 20u);
  ASSERT_EQ(s.Stop(), 0);
  for (const auto* leaked : {&notes, &texts}) {
    std::string file = s.data_dir() + (leaked == &notes ? "/notes.jsonl" : "/texts.jsonl");
    {
      std::ofstream f(file);
      for (const auto& t : *leaked) f << "{\"text\":" << JsonString(t) << "}\n";
    }
    auto r = RunSluice({"trace", "--data", s.data_dir(), "--json", "--quiet", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).at("posts_matched").as_int64(), 20) << file;
  }
}

// X accepts a long post from an X Premium account; Sluice has no subscriptions, so it is
// posts.max_chars for every app: raised past 280, a long post is stored and served as X's.
TEST(LongPostsCreate, RefusedOver280UnlessMaxCharsAllowsThenServedAsX) {
  SluiceServer s;
  std::string token = s.CreateApp("writer", "pro");
  const std::string config = s.data_dir() + "/long.toml";
  std::mt19937 rng(5);
  const std::string whole = Words(rng, 70) + " #fin";
  const std::string body = "{\"text\":" + JsonString(whole) + "}";
  {
    s.Start();
    auto refused = s.Request("POST", "/2/tweets", token, body);
    EXPECT_EQ(refused.status, 400) << refused.body;
    ASSERT_EQ(s.Stop(), 0);
  }
  std::ofstream(config) << "[posts]\nmax_chars = 25000\n";
  s.Start({"--config", config});
  auto created = s.Request("POST", "/2/tweets", token, body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(created.Json().at("data"), "id");
  auto got = s.Get("/2/tweets/" + id + "?tweet.fields=note_tweet,entities", token);
  ASSERT_EQ(got.status, 200) << got.body;
  const json::value body_json = got.Json();
  const auto& data = body_json.at("data");
  const std::string text = Str(data, "text");
  EXPECT_LE(text.size(), 280u);
  EXPECT_EQ(whole.rfind(text, 0), 0u);
  EXPECT_EQ(Str(data.at("note_tweet"), "text"), whole);
  EXPECT_EQ(Str(data.at("note_tweet").at("entities").at("hashtags").at(0), "tag"), "fin");
  EXPECT_FALSE(data.as_object().contains("entities"));  // #fin is past the cut
}

}  // namespace
}  // namespace sluice::testing
