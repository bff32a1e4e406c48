// Integration: POST /2/tweets takes the members of X's TweetCreateRequest (issue 12, item 5)
// through the real server: reply settings, disclosures, nullcast and polls are stored and
// served back (GET /2/tweets/:id, GET /2/tweets, search, with X's fields and expansions);
// invalid values get precise 400s, for_super_followers_only 403, media and geo X's unknown-id
// problem; and a refused body leaves nothing behind: no post, no ledger record, no place under
// the write cap.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// write_cap 4: the four acknowledged writes of RefusedBodiesLeaveNothingBehind, then a 429.
constexpr const char* kPlans = R"(
[plans.writer]
title = "Writer"
monthly_price_usd = "1.00"
read_cap = 1000000
write_cap = 4
max_apps = 1
uses = ["search", "display"]
[plans.writer.limits]
"POST /2/tweets" = "100000/15m"
"GET /2/tweets/:id" = "100000/15m"
"GET /2/tweets" = "100000/15m"
"GET /2/tweets/search/recent" = "100000/15m"
"GET /2/users/:id/tweets" = "100000/15m"
"GET /2/users/:id/mentions" = "100000/15m"
)";

// bob (200) answered alice's (100) post 1000 with 1001, which starts with @alice @carol (300).
constexpr const char* kConversation =
    R"({"id":"100","username":"alice","name":"Alice"})" "\n"
    R"({"id":"200","username":"bob","name":"Bob"})" "\n"
    R"({"id":"300","username":"carol","name":"Carol"})" "\n"
    R"({"id":"1000","text":"first post","author_id":"100","created_at":"2021-11-15T19:08:05.069Z"})" "\n"
    R"({"id":"1001","text":"@alice @carol agreed","author_id":"200","created_at":"2021-11-15T19:09:05.069Z",)"
    R"("in_reply_to_user_id":"100","referenced_tweets":[{"type":"replied_to","id":"1000"}]})" "\n";

class CreateBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = server_.data_dir() + "/sluice.toml";
    std::ofstream(server_.data_dir() + "/plans.toml") << kPlans;
    std::ofstream(config_) << "[plans]\nfile = \"" << server_.data_dir() << "/plans.toml\"\n";
    ASSERT_TRUE(server_.Import(kConversation));
    auto r = RunSluice({"apps", "create", "--data", server_.data_dir(), "--config", config_, "--name", "w", "--plan", "writer"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    token_ = Str(json::parse(r.out), "bearer_token");
    server_.Start({"--config", config_});
  }
  void TearDown() override { EXPECT_EQ(server_.Stop(), 0); }

  std::string Create(const std::string& body) {
    auto r = server_.Request("POST", "/2/tweets", token_, body);
    EXPECT_EQ(r.status, 201) << body << ": " << r.body;
    return r.status == 201 ? Str(r.Json().at("data"), "id") : "";
  }
  json::object Get(const std::string& target) {
    auto r = server_.Get(target, token_);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? r.Json().as_object() : json::object();
  }
  // The first errors[] entry of a refusal: (parameter, message).
  std::pair<std::string, std::string> Refused(const std::string& body, int status = 400) {
    auto r = server_.Request("POST", "/2/tweets", token_, body);
    EXPECT_EQ(r.status, status) << body << ": " << r.body;
    auto j = r.Json().as_object();
    if (!j.contains("errors")) return {Str(j, "type"), Str(j, "detail")};
    const auto& e = j.at("errors").at(0).as_object();
    return {std::string(e.at("parameters").as_object().begin()->key()), Str(e, "message")};
  }
  // Post ids of the ledger's 201 records of POST /2/tweets.
  size_t RecordedPosts() {
    auto r = RunSluice({"ledger", "export", "--data", server_.data_dir(), "--app", "0"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    size_t n = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      auto rec = json::parse(line).as_object();
      if (Str(rec, "endpoint") == "POST /2/tweets" && rec.at("status").as_int64() == 201) n += rec.at("post_ids").as_array().size();
    }
    return n;
  }

  SluiceServer server_;
  std::string config_;
  std::string token_;
};

TEST_F(CreateBodyTest, ReplySettingsAndDisclosuresAreServedBack) {
  std::string id = Create(R"({"text":"only people I follow","reply_settings":"following","made_with_ai":true,)"
                          R"("paid_partnership":true,"share_with_followers":false,"for_super_followers_only":false})");
  auto j = Get("/2/tweets/" + id + "?tweet.fields=reply_settings,paid_partnership,attachments");
  const auto& data = j.at("data").as_object();
  EXPECT_EQ(Str(data, "reply_settings"), "following");
  EXPECT_EQ(data.at("paid_partnership").as_bool(), true);
  EXPECT_FALSE(data.contains("attachments"));  // no poll: left out
  EXPECT_FALSE(data.contains("made_with_ai"));  // stored; X's post object has no such field

  std::string plain = Create(R"({"text":"anyone may answer"})");
  auto p = Get("/2/tweets/" + plain + "?post.fields=reply_settings,paid_partnership");
  EXPECT_EQ(Str(p.at("data"), "reply_settings"), "everyone");
  EXPECT_EQ(p.at("data").at("paid_partnership").as_bool(), false);

  // Reply members: validated and accepted.
  std::string reply = Create(R"({"text":"an answer","reply_settings":"mentionedUsers","reply":{"in_reply_to_tweet_id":")" + id +
                             R"(","exclude_reply_user_ids":["12"],"auto_populate_reply_metadata":true}})");
  auto r = Get("/2/tweets/" + reply + "?tweet.fields=reply_settings,referenced_tweets");
  EXPECT_EQ(Str(r.at("data"), "reply_settings"), "mentionedUsers");
  EXPECT_EQ(Str(r.at("data").at("referenced_tweets").at(0), "id"), id);
}

TEST_F(CreateBodyTest, APollIsServedWithItsPost) {
  std::string id = Create(R"({"text":"polltest which one?","poll":{"options":["red","green","blue"],"duration_minutes":120}})");
  std::string plain = Create(R"({"text":"polltest no poll here"})");
  const std::string poll_fields = "poll.fields=duration_minutes,end_datetime,voting_status,id,options";
  auto j = Get("/2/tweets/" + id + "?expansions=attachments.poll_ids&tweet.fields=created_at&" + poll_fields);
  const auto& data = j.at("data").as_object();
  ASSERT_TRUE(data.contains("attachments")) << j;  // the expansion brings its linking field
  const auto& poll = j.at("includes").at("polls").at(0).as_object();
  EXPECT_EQ(Str(poll, "id"), std::string(data.at("attachments").at("poll_ids").at(0).as_string()));
  EXPECT_NE(Str(poll, "id"), id);
  const auto& options = poll.at("options").as_array();
  ASSERT_EQ(options.size(), 3u);
  const char* labels[] = {"red", "green", "blue"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(options[i].at("position").as_int64(), int64_t(i + 1));
    EXPECT_EQ(options[i].at("label").as_string(), labels[i]);
    EXPECT_EQ(options[i].at("votes").as_int64(), 0);
  }
  EXPECT_EQ(poll.at("duration_minutes").as_int64(), 120);
  EXPECT_EQ(Str(poll, "voting_status"), "open");
  // The poll ends 120 minutes after the post: same date-time text but for the hour, here
  // compared as seconds since midnight modulo a day.
  auto seconds = [](const std::string& t) {
    return (std::stoi(t.substr(11, 2)) * 3600 + std::stoi(t.substr(14, 2)) * 60 + std::stoi(t.substr(17, 2)));
  };
  EXPECT_EQ((seconds(Str(poll, "end_datetime")) - seconds(Str(data, "created_at")) + 86400) % 86400, 7200);

  // Default poll fields: id and options only.
  auto d = Get("/2/tweets/" + id + "?expansions=attachments.poll_ids");
  const auto& bare = d.at("includes").at("polls").at(0).as_object();
  EXPECT_TRUE(bare.contains("id") && bare.contains("options"));
  EXPECT_FALSE(bare.contains("duration_minutes") || bare.contains("end_datetime") || bare.contains("voting_status"));
  // attachments asked for without the expansion: the ids, no includes.
  auto a = Get("/2/tweets/" + id + "?tweet.fields=attachments");
  EXPECT_TRUE(a.at("data").as_object().contains("attachments"));
  EXPECT_FALSE(a.contains("includes"));

  // Lists: the multi-lookup and search carry it too, and only for the post that has one.
  auto many = Get("/2/tweets?ids=" + id + "," + plain + "&expansions=attachments.poll_ids&" + poll_fields);
  EXPECT_TRUE(many.at("data").at(0).as_object().contains("attachments"));
  EXPECT_FALSE(many.at("data").at(1).as_object().contains("attachments"));
  EXPECT_EQ(many.at("includes").at("polls").as_array().size(), 1u);
  auto found = Get("/2/tweets/search/recent?query=polltest&expansions=attachments.poll_ids&" + poll_fields);
  EXPECT_EQ(found.at("data").as_array().size(), 2u);
  EXPECT_EQ(Str(found.at("includes").at("polls").at(0), "voting_status"), "open");

  auto bad = server_.Get("/2/tweets/" + id + "?poll.fields=votes", token_);
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(CreateBodyTest, NullcastIsOutOfTheTimelineButFoundBySearch) {
  std::string organic = Create(R"({"text":"launchday organic"})");
  std::string promoted = Create(R"({"text":"launchday promoted","nullcast":true})");
  auto me = Get("/2/tweets/" + organic + "?tweet.fields=author_id");
  std::string author = Str(me.at("data"), "author_id");
  auto timeline = Get("/2/users/" + author + "/tweets");
  ASSERT_EQ(timeline.at("data").as_array().size(), 1u) << timeline;
  EXPECT_EQ(Str(timeline.at("data").at(0), "id"), organic);
  EXPECT_EQ(Str(Get("/2/tweets/" + promoted).at("data"), "id"), promoted);  // public by id
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    auto j = Get("/2/tweets/search/recent?query=" + query);
    if (j.contains("data"))
      for (const auto& p : j.at("data").as_array()) out.push_back(Str(p, "id"));
    return out;
  };
  EXPECT_EQ(ids("launchday"), (std::vector<std::string>{promoted, organic}));
  EXPECT_EQ(ids("launchday%20-is:nullcast"), (std::vector<std::string>{organic}));
  EXPECT_EQ(ids("launchday%20is:nullcast"), (std::vector<std::string>{promoted}));
}

TEST_F(CreateBodyTest, RefusedBodiesLeaveNothingBehind) {
  const std::string listed = "] is not one of [following,mentionedUsers,subscribers,verified]";
  EXPECT_EQ(Refused(R"({"text":"x","reply_settings":"friends"})"),
            std::make_pair(std::string("reply_settings"), "`reply_settings` value [friends" + listed));
  EXPECT_EQ(Refused(R"({"text":"x","poll":{"options":["only"],"duration_minutes":60}})").second,
            "`poll.options` must have 2 to 4 options; it has 1");
  EXPECT_EQ(Refused(R"({"text":"x","poll":{"options":["a","b","c","d","e"],"duration_minutes":60}})").second,
            "`poll.options` must have 2 to 4 options; it has 5");
  EXPECT_EQ(Refused(R"({"text":"x","poll":{"options":["a","b"],"duration_minutes":4}})"),
            std::make_pair(std::string("poll.duration_minutes"),
                           std::string("`poll.duration_minutes` must be 5 to 10080 (7 days); it is 4")));
  EXPECT_EQ(Refused(R"({"text":"x","poll":{"options":["a","b"],"duration_minutes":10081}})").first, "poll.duration_minutes");
  EXPECT_EQ(Refused(R"({"text":"x","poll":{"options":["a","abcdefghijklmnopqrstuvwxyz"],"duration_minutes":60}})").second,
            "Each of `poll.options` must be 1 to 25 characters long; [abcdefghijklmnopqrstuvwxyz] is 26");
  EXPECT_EQ(Refused(R"({"text":"x","poll":{"options":["a","b"],"duration_minutes":"60"}})").second,
            "`poll.duration_minutes` must be an integer");
  EXPECT_EQ(Refused(R"({"text":"x","nullcast":"yes"})").second, "`nullcast` must be true or false");
  EXPECT_EQ(Refused(R"({"text":"x","made_with_ai":1})").second, "`made_with_ai` must be true or false");
  EXPECT_EQ(Refused(R"({"text":"x","reply":{"in_reply_to_tweet_id":"1","exclude_reply_user_ids":[1]}})").first,
            "reply.exclude_reply_user_ids");
  EXPECT_EQ(Refused(R"({"text":"x","media":{"media_ids":["1146654567674912769"]}})"),
            std::make_pair(std::string("media.media_ids"), std::string("Your media IDs are invalid.")));
  EXPECT_EQ(Refused(R"({"text":"x","geo":{"place_id":"5a110d312052166f"}})"),
            std::make_pair(std::string("geo.place_id"), std::string("Your place ID is invalid.")));
  auto super = server_.Request("POST", "/2/tweets", token_, R"({"text":"x","for_super_followers_only":true})");
  ASSERT_EQ(super.status, 403) << super.body;
  auto problem = super.Json().as_object();
  EXPECT_EQ(Str(problem, "type"), "https://api.x.com/2/problems/not-authorized-for-resource");
  EXPECT_EQ(Str(problem, "resource_type"), "user");
  EXPECT_EQ(Str(problem, "parameter"), "for_super_followers_only");
  // A valid poll on a quote is refused after the quote is found: still nothing written.
  std::string first = Create(R"({"text":"quotable"})");
  EXPECT_EQ(Refused(R"({"text":"x","quote_tweet_id":")" + first + R"(","poll":{"options":["a","b"],"duration_minutes":5}})").second,
            "`poll` and `quote_tweet_id` are mutually exclusive");

  // Nothing was written, recorded or charged: the cap (4) still has three places, then 429.
  EXPECT_EQ(RecordedPosts(), 1u);
  for (int i = 0; i < 3; ++i) Create(R"({"text":"fits","poll":{"options":["a","b"],"duration_minutes":5}})");
  EXPECT_EQ(server_.Request("POST", "/2/tweets", token_, R"({"text":"past the cap"})").status, 429);
  EXPECT_EQ(RecordedPosts(), 4u);
}

// X's reply metadata: a reply starts with the @usernames of the conversation (the replied-to
// author, then those the replied-to reply starts with), outside the length limit;
// exclude_reply_user_ids leaves accounts out, all but the replied-to author.
TEST_F(CreateBodyTest, AReplyMentionsTheConversation) {
  auto text = [&](const std::string& id) { return Str(Get("/2/tweets/" + id).at("data"), "text"); };
  std::string all = Create(R"({"text":"thanks","reply":{"in_reply_to_tweet_id":"1001","auto_populate_reply_metadata":true}})");
  EXPECT_EQ(text(all), "@bob @alice @carol thanks");
  auto j = Get("/2/tweets/" + all + "?tweet.fields=entities,in_reply_to_user_id");
  const auto& mentions = j.at("data").at("entities").at("mentions").as_array();
  ASSERT_EQ(mentions.size(), 3u) << j;
  EXPECT_EQ(Str(mentions[0], "username"), "bob");
  EXPECT_EQ(Str(mentions[0], "id"), "200");
  EXPECT_EQ(mentions[0].at("start").as_int64(), 0);
  EXPECT_EQ(mentions[0].at("end").as_int64(), 4);
  EXPECT_EQ(Str(mentions[2], "id"), "300");
  EXPECT_EQ(Str(j.at("data"), "in_reply_to_user_id"), "200");
  // In the mentions timeline of everyone it names.
  for (const char* user : {"100", "200", "300"}) {
    auto m = Get(std::string("/2/users/") + user + "/mentions");
    ASSERT_TRUE(m.contains("data")) << user;
    EXPECT_EQ(Str(m.at("data").at(0), "id"), all) << user;
  }

  // The replied-to author stays; the others can be left out.
  std::string some = Create(R"({"text":"just you","reply":{"in_reply_to_tweet_id":"1001","exclude_reply_user_ids":["100","200"]}})");
  EXPECT_EQ(text(some), "@bob @carol just you");
  // A mention the text already starts with is not repeated.
  std::string typed = Create(R"({"text":"@carol you too","reply":{"in_reply_to_tweet_id":"1001"}})");
  EXPECT_EQ(text(typed), "@bob @alice @carol you too");
  // The prefix is not counted: 280 characters of text fit after it.
  std::string full = Create(R"({"text":")" + std::string(280, 'a') + R"(","reply":{"in_reply_to_tweet_id":"1000"}})");
  EXPECT_EQ(text(full), "@alice " + std::string(280, 'a'));
  // display_text_range: what a client shows starts after the @usernames.
  auto range = [&](const std::string& id) {
    auto r = Get("/2/tweets/" + id + "?tweet.fields=display_text_range").at("data").at("display_text_range").as_array();
    return std::pair{r.at(0).as_int64(), r.at(1).as_int64()};
  };
  EXPECT_EQ(range(all), (std::pair<int64_t, int64_t>{19, 25}));  // "@bob @alice @carol " then "thanks"
  EXPECT_EQ(range(full), (std::pair<int64_t, int64_t>{7, 287}));
  EXPECT_EQ(range("1001"), (std::pair<int64_t, int64_t>{14, 20}));  // an imported reply: "@alice @carol agreed"
  EXPECT_EQ(range("1000"), (std::pair<int64_t, int64_t>{0, 10}));   // not a reply: all of "first post"
}

int64_t Metric(const std::string& metrics, const std::string& key) {
  size_t at = metrics.find(key + " ");
  return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + key.size() + 1));
}

// A lookup whose includes hold a poll is never served from a worker's cache: its
// voting_status turns from open to closed with time alone, no write moving the cache's
// generation. The same post without the poll expansion is cached as any other.
TEST_F(CreateBodyTest, ALookupWithAPollIsNotCached) {
  std::string id = Create(R"({"text":"cache me?","poll":{"options":["a","b"],"duration_minutes":5}})");
  KeepAliveClient conn(server_.port());  // one connection: one worker, one cache
  const std::string with_poll = "/2/tweets/" + id + "?expansions=attachments.poll_ids&poll.fields=voting_status";
  const std::string without = "/2/tweets/" + id + "?tweet.fields=attachments";
  auto metric = [&](const char* result) {
    return Metric(server_.Get("/metrics", "").body, std::string("sluice_lookup_cache_total{result=\"") + result + "\"}");
  };
  const int64_t hits = metric("hit"), misses = metric("miss");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(conn.Get(with_poll, token_).status, 200);
  EXPECT_EQ(metric("hit"), hits);
  EXPECT_EQ(metric("miss"), misses + 3);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(conn.Get(without, token_).status, 200);
  EXPECT_EQ(metric("hit"), hits + 2);
  EXPECT_EQ(metric("miss"), misses + 4);
}

}  // namespace
}  // namespace sluice::testing
