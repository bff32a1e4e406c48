// Integration: every check a client can make of a trap record through the API, other than
// its text, made as a client makes it, for many traps (issue 13): pages keep max_results and
// walk every real post once; ids and times agree; a page asked again is the same page; counts
// count what searches return; the author resolves (by id, username, both list forms) with a
// real account's kind of profile, and its timeline and the lookups serve the trap; metrics
// follow the real posts'. To any other app the trap and its author do not exist.
// The query: seed posts hold the/le/la, and every trap text of either language "and" or
// "et" (a trap that satisfies its page's query is i13-traps-text's part; this one holds for
// both the old texts and the new).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kSnowflakeEpochMs = 1288834974657;  // core/snowflake.h
constexpr int kTimeShift = 22;
constexpr int64_t kDayMs = 86'400'000;

int64_t IdTime(const std::string& id) { return int64_t(std::stoull(id) >> kTimeShift) + kSnowflakeEpochMs; }

std::string FormatMs(int64_t ms) {
  std::time_t s = ms / 1000;
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::gmtime(&s));
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, int(ms % 1000));
  return out;
}

std::string FormatSeconds(int64_t ms) {
  std::time_t s = ms / 1000;
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&s));
  return buf;
}

int64_t Metric(const json::value& v, std::string_view key) { return v.at("public_metrics").at(key).as_int64(); }

// Two-sample Kolmogorov-Smirnov statistic.
double KsStatistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(double(i) / double(a.size()) - double(j) / double(b.size())));
  }
  return d;
}
// The KS statistic above which two samples of these sizes differ at the 0.1 % level.
double KsCritical(size_t n, size_t m) { return 1.95 * std::sqrt(double(n + m) / double(n * m)); }

struct Walk {
  std::vector<json::object> posts;                 // in page order
  std::vector<std::vector<std::string>> page_ids;  // each page's ids
  std::vector<std::string> targets;                // each page's request
  json::array users;                               // includes.users of every page
};

class TrapChecks : public ::testing::Test {
 protected:
  static constexpr int kMax = 10;

  void SetUp() override {
    server_ = std::make_unique<SluiceServer>(300, 9000);
    std::string config = server_->data_dir() + "/sluice.toml";
    std::ofstream(config) << "[traps]\nevery_posts = 10\n";
    owner_ = server_->CreateApp("owner", "enterprise");
    other_ = server_->CreateApp("other", "enterprise");
    server_->Start({"--config", config});
    // A fixed window, inside the recent one, for searches and counts alike.
    const int64_t now = int64_t(std::time(nullptr)) * 1000;
    window_ = "&start_time=" + FormatSeconds(now - 6 * kDayMs + 3'600'000) + "&end_time=" + FormatSeconds(now - 3'600'000);
    start_ms_ = (now - 6 * kDayMs + 3'600'000) / 1000 * 1000;
    end_ms_ = (now - 3'600'000) / 1000 * 1000;
  }
  void TearDown() override { EXPECT_EQ(server_->Stop(), 0); }

  // Walks a search to its end with `token`, checking each page's shape as it goes.
  Walk WalkSearch(const std::string& token, const std::string& base, size_t max = kMax) {
    Walk w;
    std::string target = base;
    for (int pages = 0; pages < 2000; ++pages) {
      auto page = server_->Get(target, token).Json().as_object();
      if (!page.contains("meta")) {
        ADD_FAILURE() << target << " " << json::serialize(page);
        break;
      }
      auto& meta = page.at("meta").as_object();
      std::vector<std::string> ids;
      if (page.contains("data")) {
        auto& data = page.at("data").as_array();
        EXPECT_LE(data.size(), max) << target;  // never max_results + 1
        EXPECT_EQ(int64_t(data.size()), meta.at("result_count").as_int64());
        EXPECT_EQ(Str(data.front(), "id"), Str(meta, "newest_id"));
        EXPECT_EQ(Str(data.back(), "id"), Str(meta, "oldest_id"));
        for (const auto& p : data) {
          w.posts.push_back(p.as_object());
          ids.push_back(Str(p, "id"));
        }
        if (meta.contains("next_token")) EXPECT_EQ(data.size(), max) << "a page short of max_results goes on";
      }
      if (page.contains("includes"))
        for (const auto& u : page.at("includes").at("users").as_array()) w.users.push_back(u);
      w.page_ids.push_back(ids);
      w.targets.push_back(target);
      if (!meta.contains("next_token")) break;
      target = base + "&next_token=" + Str(meta, "next_token");
    }
    return w;
  }

  // The posts of `w` the other app cannot look up: the traps delivered to the walker.
  std::set<std::string> NotFoundFor(const std::string& token, const Walk& w) {
    std::set<std::string> missing;
    for (size_t i = 0; i < w.posts.size(); i += 100) {
      std::string ids;
      for (size_t j = i; j < std::min(w.posts.size(), i + 100); ++j) ids += (ids.empty() ? "" : ",") + Str(w.posts[j], "id");
      auto r = server_->Get("/2/tweets?ids=" + ids, token).Json().as_object();
      if (r.contains("errors"))
        for (const auto& e : r.at("errors").as_array()) {
          EXPECT_EQ(Str(e, "type"), "https://api.x.com/2/problems/resource-not-found");
          missing.insert(Str(e, "value"));
        }
    }
    return missing;
  }

  std::unique_ptr<SluiceServer> server_;
  std::string owner_, other_, window_;
  int64_t start_ms_ = 0, end_ms_ = 0;
};

TEST_F(TrapChecks, PagesCountsRepeatsTimesAndMetrics) {
  const std::string query = "/2/tweets/search/recent?query=the%20OR%20le%20OR%20la%20OR%20and%20OR%20et&max_results=10" + window_ +
                            "&tweet.fields=created_at,public_metrics,author_id,lang,entities&expansions=author_id"
                            "&user.fields=created_at,public_metrics";
  Walk mine = WalkSearch(owner_, query), theirs = WalkSearch(other_, query);
  std::set<std::string> my_traps = NotFoundFor(other_, mine), their_traps = NotFoundFor(owner_, theirs);
  ASSERT_GE(my_traps.size(), 50u) << mine.posts.size() << " posts";
  ASSERT_GE(their_traps.size(), 50u);

  // Each walk holds every real post once, newest first: the same real posts for both apps.
  std::vector<std::string> my_real, their_real;
  std::set<std::string> seen;
  for (const auto& p : mine.posts) {
    EXPECT_TRUE(seen.insert(Str(p, "id")).second) << "repeated " << Str(p, "id");
    if (!my_traps.count(Str(p, "id"))) my_real.push_back(Str(p, "id"));
  }
  for (const auto& p : theirs.posts)
    if (!their_traps.count(Str(p, "id"))) their_real.push_back(Str(p, "id"));
  EXPECT_EQ(my_real, their_real);
  for (size_t i = 1; i < mine.posts.size(); ++i)
    EXPECT_GT(std::stoull(Str(mine.posts[i - 1], "id")), std::stoull(Str(mine.posts[i], "id")));

  // The full archive's pages of 500 (each carries a trap here) hold 500 at most, and the
  // same real posts.
  Walk archive = WalkSearch(owner_, "/2/tweets/search/all?query=the%20OR%20le%20OR%20la%20OR%20and%20OR%20et&max_results=500" +
                                        window_, 500);
  std::set<std::string> archive_traps = NotFoundFor(other_, archive);
  EXPECT_GE(archive_traps.size(), archive.page_ids.size() - 1);
  std::vector<std::string> archive_real;
  for (const auto& p : archive.posts)
    if (!archive_traps.count(Str(p, "id")) && !my_traps.count(Str(p, "id"))) archive_real.push_back(Str(p, "id"));
  EXPECT_EQ(archive_real, my_real);

  // Ids and times: created_at is the id's time, inside the window, between the neighbours.
  for (size_t i = 0; i < mine.posts.size(); ++i) {
    const auto& p = mine.posts[i];
    const int64_t t = IdTime(Str(p, "id"));
    EXPECT_EQ(Str(p, "created_at"), FormatMs(t)) << Str(p, "id");
    EXPECT_GE(t, start_ms_);
    EXPECT_LT(t, end_ms_);
    if (i > 0) EXPECT_GE(Str(mine.posts[i - 1], "created_at"), Str(p, "created_at"));
  }

  // A page asked again is the same page: a page that delivered a trap shows it again, and
  // no other.
  int repeated = 0;
  for (size_t i = 0; i < mine.targets.size() && repeated < 30; ++i) {
    const auto& ids = mine.page_ids[i];
    if (std::none_of(ids.begin(), ids.end(), [&](const std::string& id) { return my_traps.count(id) > 0; })) continue;
    auto again = server_->Get(mine.targets[i], owner_).Json();
    std::vector<std::string> now;
    for (const auto& p : again.at("data").as_array()) now.push_back(Str(p, "id"));
    EXPECT_EQ(now, ids) << mine.targets[i];
    ++repeated;
  }
  EXPECT_GE(repeated, 30);

  // Counts count what the searches return: per day, for each app, recent and archive alike.
  for (const auto* w : {&mine, &theirs}) {
    const std::string& token = w == &mine ? owner_ : other_;
    std::map<std::string, int64_t> per_day;
    for (const auto& p : w->posts) ++per_day[Str(p, "created_at").substr(0, 10)];
    for (std::string endpoint : {"recent", "all"}) {
      auto counts = server_->Get("/2/tweets/counts/" + endpoint + "?query=the%20OR%20le%20OR%20la%20OR%20and%20OR%20et&granularity=day" + window_, token).Json();
      EXPECT_EQ(counts.at("meta").at("total_tweet_count").as_int64(), int64_t(w->posts.size())) << endpoint;
      for (const auto& b : counts.at("data").as_array()) {
        std::string day = Str(b, "start").substr(0, 10);
        EXPECT_EQ(b.at("tweet_count").as_int64(), per_day[day]) << endpoint << " " << day;
      }
    }
  }

  // Metrics follow the real posts' distribution (two-sample KS at the 0.1 % level).
  std::map<std::string, json::object> users;
  for (const auto& u : mine.users) users[Str(u, "id")] = u.as_object();
  for (std::string_view key : {"like_count", "impression_count", "retweet_count", "reply_count", "quote_count"}) {
    std::vector<double> traps, real;
    for (const auto& p : mine.posts) (my_traps.count(Str(p, "id")) ? traps : real).push_back(double(Metric(p, key)));
    const double d = KsStatistic(traps, real), critical = KsCritical(traps.size(), real.size());
    std::printf("KS %s: D = %.3f for %zu traps and %zu posts (0.1%% critical value %.3f)\n", std::string(key).c_str(), d,
                traps.size(), real.size(), critical);
    EXPECT_LT(d, critical) << key;
  }
  // The authors' numbers lie within the real authors' range, the distinct trap authors'
  // median within a factor 3 of the real posts' authors' (a KS test does not apply: each
  // author is an atom of many posts, and the traps' few authors are few atoms; docs/trace.md).
  for (std::string_view key : {"followers_count", "tweet_count", "following_count", "listed_count"}) {
    std::vector<double> traps, real;
    std::set<std::string> trap_authors;
    for (const auto& p : mine.posts) {
      auto u = users.find(Str(p, "author_id"));
      ASSERT_NE(u, users.end()) << "author of " << Str(p, "id") << " in includes";
      const double v = double(Metric(u->second, key));
      if (!my_traps.count(Str(p, "id"))) real.push_back(v);
      else if (trap_authors.insert(u->first).second) traps.push_back(v);
    }
    std::sort(traps.begin(), traps.end());
    std::sort(real.begin(), real.end());
    EXPECT_GE(traps.front(), real.front()) << key;
    EXPECT_LE(traps.back(), real.back()) << key;
    const double tm = traps[traps.size() / 2], rm = real[real.size() / 2];
    std::printf("%s: median %.0f over %zu trap authors, %.0f over %zu real posts' authors\n", std::string(key).c_str(), tm,
                traps.size(), rm, real.size());
    // The trap authors' median lies between the real authors' 15th and 85th percentiles: were
    // the trap authors n >= 40 draws of the real distribution, their median would fall below
    // the 15th percentile only if 20 or more of them did, P(Bin(40, 0.15) >= 20) < 1e-6 (a blend
    // of two real authors, as a trap author is, varies less still). A factor of 3 around the
    // real median failed 1 run in ~50 (237 against 768 for listed_count).
    EXPECT_GE(traps.size(), 20u) << key;
    EXPECT_GE(tm, real[real.size() * 15 / 100]) << key << " (real median " << rm << ")";
    EXPECT_LE(tm, real[real.size() * 85 / 100]) << key << " (real median " << rm << ")";
  }
}

// A page asked again is the page it was: no second trap is made for it, whether or not its
// query matches the trap it was given (when it does not, the page does not show it again, but
// no trap is made in its place). A page may show several of the app's traps: those earlier
// pages of other queries were given that its query matches (the OR query here holds the
// traps of the "the" and "le" pages).
TEST_F(TrapChecks, APageAskedAgainGetsNoSecondTrap) {
  for (std::string query : {"the", "le", "the%20OR%20le%20OR%20la%20OR%20and%20OR%20et"}) {
    const std::string target = "/2/tweets/search/recent?query=" + query + "&max_results=10" + window_;
    std::set<std::string> traps;
    std::vector<std::string> first;
    for (int i = 0; i < 5; ++i) {
      auto page = server_->Get(target, owner_).Json();
      ASSERT_TRUE(page.as_object().contains("data")) << target;
      EXPECT_LE(page.at("data").as_array().size(), 10u);
      Walk w;
      std::vector<std::string> ids;
      for (const auto& p : page.at("data").as_array()) {
        w.posts.push_back(p.as_object());
        ids.push_back(std::string(p.at("id").as_string()));
      }
      for (const auto& id : NotFoundFor(other_, w)) traps.insert(id);
      if (i == 0) first = ids;
      EXPECT_EQ(ids, first) << query << ": request " << i << " differs from the first";
    }
    // every_posts = 10: the first query's page of 10 always draws one.
    if (query == "the") EXPECT_EQ(traps.size(), 1u) << query;
  }
}

TEST_F(TrapChecks, AuthorsResolveForTheirAppOnly) {
  const std::string query = "/2/tweets/search/recent?query=the%20OR%20le%20OR%20la%20OR%20and%20OR%20et&max_results=10" + window_ +
                            "&tweet.fields=created_at,public_metrics,author_id";
  Walk mine = WalkSearch(owner_, query);
  std::set<std::string> my_traps = NotFoundFor(other_, mine);
  ASSERT_GE(my_traps.size(), 50u);
  const std::string fields = "user.fields=created_at,description,location,verified_type,public_metrics,protected,"
                             "most_recent_tweet_id,pinned_tweet_id";
  // Authors recur, as real ones do: each one's traps in the walk, its newest first.
  std::map<std::string, std::vector<std::string>> by_author;
  for (const auto& p : mine.posts)
    if (my_traps.count(Str(p, "id"))) by_author[Str(p, "author_id")].push_back(Str(p, "id"));
  EXPECT_LT(by_author.size(), my_traps.size() * 3 / 4) << "most authors wrote more than one trap";
  std::vector<std::string> author_ids, usernames;
  std::set<std::string> seen_authors;
  int checked = 0;
  for (const auto& p : mine.posts) {
    const std::string id = Str(p, "id");
    if (!my_traps.count(id)) continue;
    ++checked;
    // GET /2/tweets/:id serves the trap as the page did, its author in includes.
    auto post = server_->Get("/2/tweets/" + id + "?expansions=author_id&tweet.fields=created_at,public_metrics,author_id&" +
                                 fields,
                             owner_)
                    .Json();
    ASSERT_TRUE(post.as_object().contains("data")) << id;
    EXPECT_EQ(json::serialize(post.at("data")), json::serialize(p));
    const std::string author = Str(p, "author_id");
    auto& included = post.at("includes").at("users").at(0);
    EXPECT_EQ(Str(included, "id"), author);
    // GET /2/users/:id: the same user, with a real account's fields.
    auto user = server_->Get("/2/users/" + author + "?" + fields, owner_).Json();
    ASSERT_TRUE(user.as_object().contains("data")) << author;
    const auto& u = user.at("data");
    EXPECT_EQ(json::serialize(u), json::serialize(included));
    EXPECT_LT(Str(u, "created_at"), Str(p, "created_at"));
    EXPECT_FALSE(u.at("protected").as_bool());
    const auto& written = by_author.at(author);
    EXPECT_GE(Metric(u, "tweet_count"), int64_t(written.size()));
    EXPECT_EQ(Str(u, "most_recent_tweet_id"), written.front());
    EXPECT_TRUE(u.as_object().contains("verified_type"));
    if (seen_authors.insert(author).second) {
      author_ids.push_back(author);
      usernames.push_back(Str(u, "username"));
    }
    const std::string username = Str(u, "username");
    // By username, in any case.
    std::string upper = username;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    auto by_name = server_->Get("/2/users/by/username/" + upper + "?" + fields, owner_).Json();
    ASSERT_TRUE(by_name.as_object().contains("data")) << upper;
    EXPECT_EQ(json::serialize(by_name.at("data")), json::serialize(u));
    // Users search finds it by its username.
    auto found = server_->Get("/2/users/search?query=" + username, owner_).Json();
    ASSERT_TRUE(found.as_object().contains("data")) << username;
    EXPECT_EQ(Str(found.at("data").at(0), "id"), author) << username;
    EXPECT_FALSE(server_->Get("/2/users/search?query=" + username, other_).Json().as_object().contains("data")) << username;
    // Its timeline serves its traps, newest first: those of the walk (the window holds them
    // all; the first 100 of them).
    auto timeline = server_->Get("/2/users/" + author + "/tweets?max_results=100" + window_, owner_).Json();
    ASSERT_TRUE(timeline.as_object().contains("data")) << json::serialize(timeline);
    std::vector<std::string> posted;
    for (const auto& t : timeline.at("data").as_array()) posted.push_back(Str(t, "id"));
    EXPECT_EQ(posted, std::vector<std::string>(written.begin(), written.begin() + std::ptrdiff_t(std::min<size_t>(written.size(), 100))));
    EXPECT_LE(int64_t(posted.size()), Metric(u, "tweet_count"));
    // Its lists are there, empty (no stored edge names it), not Not Found; so are the trap's.
    for (std::string list : {"/2/users/" + author + "/followers", "/2/users/" + author + "/following",
                             "/2/users/" + author + "/liked_tweets", "/2/tweets/" + id + "/liking_users",
                             "/2/tweets/" + id + "/retweeted_by"}) {
      auto r = server_->Get(list, owner_);
      EXPECT_EQ(r.status, 200) << list;
      EXPECT_FALSE(r.Json().as_object().contains("errors")) << list << " " << r.body;
      // To another app, the same list is of no one.
      auto theirs = server_->Get(list, other_).Json().as_object();
      EXPECT_FALSE(theirs.contains("data")) << list;
      ASSERT_TRUE(theirs.contains("errors")) << list;
      EXPECT_EQ(Str(theirs.at("errors").at(0), "type"), "https://api.x.com/2/problems/resource-not-found");
    }
    // To another app, the author does not exist, by any route.
    for (std::string target : {"/2/users/" + author, "/2/users/by/username/" + username,
                               "/2/users/" + author + "/tweets", "/2/tweets/" + id}) {
      auto r = server_->Get(target, other_).Json().as_object();
      EXPECT_FALSE(r.contains("data")) << target;
      ASSERT_TRUE(r.contains("errors")) << target;
      EXPECT_EQ(Str(r.at("errors").at(0), "type"), "https://api.x.com/2/problems/resource-not-found") << target;
    }
  }
  EXPECT_GE(checked, 50);
  // The list forms: every author at once, for the owner; none of them for the other app.
  for (size_t i = 0; i < author_ids.size(); i += 100) {
    std::string ids, names;
    for (size_t j = i; j < std::min(author_ids.size(), i + 100); ++j) {
      ids += (ids.empty() ? "" : ",") + author_ids[j];
      names += (names.empty() ? "" : ",") + usernames[j];
    }
    const size_t n = std::min(author_ids.size(), i + 100) - i;
    for (std::string target : {"/2/users?ids=" + ids, "/2/users/by?usernames=" + names}) {
      auto r = server_->Get(target, owner_).Json().as_object();
      ASSERT_TRUE(r.contains("data")) << target;
      EXPECT_EQ(r.at("data").as_array().size(), n) << target;
      EXPECT_FALSE(r.contains("errors")) << target;
      auto theirs = server_->Get(target, other_).Json().as_object();
      EXPECT_FALSE(theirs.contains("data")) << target;
      EXPECT_EQ(theirs.at("errors").as_array().size(), n) << target;
    }
  }
}

}  // namespace
}  // namespace sluice::testing
