// Integration: trap records injected into pages keep every API invariant, belong to their
// app alone, are ledgered but not counted, and name the app when a leak contains them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <set>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

TEST(Traps, InjectedKeptApartLedgeredAndTraced) {
  SluiceServer s(80, 2000);
  std::string config = s.data_dir() + "/sluice.toml";
  std::ofstream(config) << "[traps]\nevery_posts = 25\n";
  std::string owner = s.CreateApp("owner", "enterprise"), other = s.CreateApp("other", "enterprise");
  s.Start({"--config", config});

  // Walk a search to its end, 10 per page.
  std::string base = "/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=10";
  std::vector<json::object> posts;
  std::string target = base;
  for (int pages = 0; pages < 400; ++pages) {
    auto page = s.Get(target, owner).Json().as_object();
    auto& meta = page.at("meta").as_object();
    if (page.contains("data")) {
      auto& data = page.at("data").as_array();
      EXPECT_EQ(int64_t(data.size()), meta.at("result_count").as_int64());
      EXPECT_EQ(Str(data.front(), "id"), Str(meta, "newest_id"));
      EXPECT_EQ(Str(data.back(), "id"), Str(meta, "oldest_id"));
      for (const auto& p : data) posts.push_back(p.as_object());
    }
    if (!meta.contains("next_token")) break;
    target = base + "&next_token=" + Str(meta, "next_token");
  }
  for (size_t i = 1; i < posts.size(); ++i) EXPECT_GT(std::stoull(Str(posts[i - 1], "id")), std::stoull(Str(posts[i], "id")));

  // Traps are the posts only their app can look up.
  std::vector<json::object> traps;
  std::set<std::string> real;
  for (const auto& p : posts) {
    std::string id = Str(p, "id");
    auto theirs = s.Get("/2/tweets/" + id, other).Json().as_object();
    if (theirs.contains("data")) {
      real.insert(id);
      continue;
    }
    EXPECT_EQ(Str(theirs.at("errors").at(0), "type"), "https://api.x.com/2/problems/resource-not-found");
    auto mine = s.Get("/2/tweets/" + id + "?expansions=author_id", owner).Json();
    ASSERT_TRUE(mine.as_object().contains("data")) << id;
    EXPECT_EQ(Str(mine.at("data"), "text"), Str(p, "text"));
    // The synthetic author is in the includes, a user its app can look up, and no one to
    // any other app.
    std::string author = Str(mine.at("includes").at("users").at(0), "id");
    EXPECT_TRUE(s.Get("/2/users/" + author, owner).Json().as_object().contains("data"));
    EXPECT_FALSE(s.Get("/2/users/" + author, other).Json().as_object().contains("data"));
    traps.push_back(p);
  }
  ASSERT_GE(traps.size(), 3u) << posts.size() << " posts";
  EXPECT_LE(traps.size(), posts.size() / 25 * 2 + 5);  // each page of 10 with probability 10 / 25
  // The same walk with 100 per page (fewer, larger pages) gives the same real posts.
  std::set<std::string> walked;
  target = "/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=100";
  for (int pages = 0; pages < 100; ++pages) {
    auto page = s.Get(target, other).Json().as_object();
    if (page.contains("data"))
      for (const auto& p : page.at("data").as_array()) walked.insert(Str(p, "id"));
    if (!page.at("meta").as_object().contains("next_token")) break;
    target = "/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=100&next_token=" +
             Str(page.at("meta"), "next_token");
  }
  for (const auto& id : real) EXPECT_TRUE(walked.count(id)) << id;

  // Never counted against the cap.
  auto usage = s.Get("/2/usage/tweets", owner).Json().at("data");
  EXPECT_EQ(std::stoull(Str(usage, "project_usage")), real.size());
  ASSERT_EQ(s.Stop(), 0);

  // Ledgered as delivered to the owner.
  auto exported = RunSluice({"ledger", "export", "--data", s.data_dir(), "--app", "0"});
  for (const auto& t : traps) EXPECT_NE(exported.out.find("\"" + Str(t, "id") + "\""), std::string::npos);
  ASSERT_EQ(RunSluice({"ledger", "checkpoint", "--data", s.data_dir()}).exit_code, 0);

  // A leak holding two of the traps, among unrelated text, names the owner and only it. The
  // two longest texts: a trap shaped like a short post may have no fingerprint hash that no other
  // text holds, and is then found only as an ordinary post (docs/trace.md; seen once in CI).
  std::sort(traps.begin(), traps.end(), [](const json::object& a, const json::object& b) {
    return a.at("text").as_string().size() > b.at("text").as_string().size();
  });
  std::string leak = s.data_dir() + "/leak.txt";
  {
    std::ofstream out(leak);
    out << "a line about gardens and rivers and nothing else at all today\n";
    out << Str(traps[0], "text") << "\n";
    out << "another line about coffee markets in the old town square\n";
    out << Str(traps[1], "text") << "\n";
  }
  auto r = RunSluice({"trace", "--data", s.data_dir(), "--json", "--quiet", leak});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = json::parse(r.out);
  EXPECT_EQ(report.at("trap_hits").as_int64(), 2);
  // The owner is named, by its two traps; no other app is. (A trap is written from the
  // platform's posts: a real post it shares enough words with may match too, and the apps
  // that received that post then appear with an overlap far from significant.)
  auto& apps = report.at("apps").as_array();
  ASSERT_GE(apps.size(), 1u) << r.out;
  EXPECT_EQ(Str(apps.at(0), "app_name"), "owner");
  EXPECT_TRUE(apps.at(0).at("named").as_bool());
  EXPECT_EQ(apps.at(0).at("trap_hits").as_array().size(), 2u);
  EXPECT_FALSE(apps.at(0).at("evidence").as_array().empty());
  for (size_t i = 1; i < apps.size(); ++i) EXPECT_FALSE(apps.at(i).at("named").as_bool()) << r.out;
}


// Lowercased words: runs of ASCII letters and digits and of any non-ASCII bytes.
std::set<std::string> WordsOf(const std::string& text) {
  std::set<std::string> out;
  std::string w;
  for (char c : text + " ") {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || b >= 0x80) {
      w += char(std::tolower(b));
    } else if (!w.empty()) {
      out.insert(w);
      w.clear();
    }
  }
  return out;
}

// The trap records of a search walk (the posts another app cannot look up), with how many
// posts the walk delivered.
std::pair<std::vector<json::object>, size_t> TrapsOfWalk(SluiceServer& s, const std::string& owner,
                                                         const std::string& other, const std::string& query) {
  std::vector<json::object> traps;
  size_t delivered = 0;
  const std::string base = "/2/tweets/search/recent?max_results=20&tweet.fields=lang&query=" + query;
  std::string target = base;
  for (int pages = 0; pages < 25; ++pages) {
    auto page = s.Get(target, owner).Json().as_object();
    if (page.contains("data")) {
      for (const auto& p : page.at("data").as_array()) {
        ++delivered;
        if (!s.Get("/2/tweets/" + Str(p, "id"), other).Json().as_object().contains("data"))
          traps.push_back(p.as_object());
      }
    }
    auto& meta = page.at("meta").as_object();
    if (!meta.contains("next_token")) break;
    target = base + "&next_token=" + Str(meta, "next_token");
  }
  return {traps, delivered};
}

// A trap satisfies the query of its page (the "été" got a trap without it): every
// word, the language and the tags it asks for, never a negated word; a query no trap can
// plausibly match (is:reply, from:) gets none.
TEST(Traps, MatchTheirPagesQuery) {
  SluiceServer s(80, 2000);
  std::string config = s.data_dir() + "/sluice.toml";
  std::ofstream(config) << "[traps]\nevery_posts = 10\n";
  std::string owner = s.CreateApp("owner", "enterprise"), other = s.CreateApp("other", "enterprise");
  s.Start({"--config", config});
  struct Case {
    std::string query;  // URL-encoded
    std::vector<std::string> words, absent;
    std::string lang;
    bool hashtag = false;
  };
  const std::vector<Case> cases = {
      {"%C3%A9t%C3%A9", {}, {}, ""},
      {"le%20-la", {"le"}, {"la"}, ""},
      {"the%20has%3Ahashtags", {"the"}, {}, "", true},
      {"lang%3Afr%20de", {"de"}, {}, "fr"},
      {"(the%20OR%20le)%20-de%20-is%3Aretweet", {}, {"de"}, ""},
  };
  size_t total = 0;
  for (const auto& c : cases) {
    auto [traps, delivered] = TrapsOfWalk(s, owner, other, c.query);
    total += traps.size();
    for (const auto& t : traps) {
      const std::string text = Str(t, "text");
      const auto words = WordsOf(text);
      if (c.query.starts_with("%C3%A9t%C3%A9")) {
        EXPECT_TRUE(words.count("\xc3\xa9t\xc3\xa9") || text.find("\xc3\x89t\xc3\xa9") != std::string::npos)
            << text;
      }
      for (const auto& w : c.words) EXPECT_TRUE(words.count(w)) << c.query << ": " << text;
      for (const auto& w : c.absent) EXPECT_FALSE(words.count(w)) << c.query << ": " << text;
      if (!c.lang.empty()) {
        EXPECT_EQ(Str(t, "lang"), c.lang) << text;
      }
      if (c.hashtag) {
        EXPECT_NE(text.find('#'), std::string::npos) << text;
      }
    }
  }
  EXPECT_GE(total, 10u);
  for (std::string q : {"is%3Areply%20the", "from%3Anobody_here%20OR%20(is%3Areply%20le)"}) {
    auto [traps, delivered] = TrapsOfWalk(s, owner, other, q);
    EXPECT_GE(delivered, 10u) << q;  // a trap fell due
    EXPECT_TRUE(traps.empty()) << q << ": " << Str(traps.front(), "text");
  }
  ASSERT_EQ(s.Stop(), 0);
}


// The classifier test through the API (tests/api/trap_text_test.cc has the text-only one on a
// larger sample): one app's search pages only. For each feature it can read there (text
// length, words, hashtags, mentions, links, mean word length, the id's sequence and node
// bits, the created_at milliseconds, where the post's time falls between its page
// neighbours'), the best threshold rule's balanced accuracy stays within the chance bound of
// a two-sample Kolmogorov-Smirnov test at alpha 1e-4. (Where a time falls between its neighbours' is a
// feature because the seed's times are a Poisson process's, as real traffic's: evenly spread
// times would sit mid-gap, where a trap's, drawn uniformly in its gap, would not.) Author and metric features are left to
// the serving side's tests.
TEST(Traps, OneAppCannotTellTrapsFromItsPagesBySingleFeatures) {
  SluiceServer s(600, 24000);
  std::string config = s.data_dir() + "/sluice.toml";
  std::ofstream(config) << "[traps]\nevery_posts = 10\n[metering]\nenabled = false\n";
  std::ofstream(s.data_dir() + "/traps.secret") << "a fixed trap secret for a repeatable test!";  // 42 bytes
  std::string owner = s.CreateApp("owner", "enterprise"), other = s.CreateApp("other", "enterprise");
  s.Start({"--config", config});
  struct Row {
    json::object post;
    double position = -1;  // (t - t_next) / (t_prev - t_next); -1 at a page's ends
  };
  std::vector<Row> rows;
  for (std::string q : {"-is:retweet%20-is:reply%20-is:quote%20(the%20OR%20le%20OR%20de%20OR%20a%20OR%20la)"}) {
    const std::string base = "/2/tweets/search/recent?max_results=10&tweet.fields=created_at&query=" + q;
    std::string target = base;
    for (int pages = 0; pages < 2000; ++pages) {
      auto page = s.Get(target, owner).Json().as_object();
      if (page.contains("data")) {
        auto& data = page.at("data").as_array();
        for (size_t i = 0; i < data.size(); ++i) {
          Row r{data[i].as_object()};
          if (i > 0 && i + 1 < data.size()) {
            auto ms = [](const json::value& p) { return std::stoull(Str(p, "id")) >> 22; };
            const double prev = double(ms(data[i - 1])), next = double(ms(data[i + 1])), t = double(ms(data[i]));
            r.position = prev > next ? (t - next) / (prev - next) : 0.5;
          }
          rows.push_back(std::move(r));
        }
      }
      auto& meta = page.at("meta").as_object();
      if (!meta.contains("next_token")) break;
      target = base + "&next_token=" + Str(meta, "next_token");
    }
  }
  // Traps: the ids another app cannot look up (ids= answers the others in `data`).
  std::set<std::string> visible;
  for (size_t i = 0; i < rows.size(); i += 100) {
    std::string ids;
    for (size_t j = i; j < std::min(rows.size(), i + 100); ++j) ids += (ids.empty() ? "" : ",") + Str(rows[j].post, "id");
    auto r = s.Get("/2/tweets?ids=" + ids, other).Json().as_object();
    if (r.contains("data"))
      for (const auto& p : r.at("data").as_array()) visible.insert(Str(p, "id"));
  }
  std::map<std::string, std::vector<double>> real, traps;
  for (const auto& r : rows) {
    const std::string text = Str(r.post, "text"), id = Str(r.post, "id");
    auto& f = visible.count(id) ? real : traps;
    std::vector<std::string> tokens;
    std::istringstream in(text);
    for (std::string t; in >> t;) tokens.push_back(t);
    auto count = [&](auto pred) { return double(std::count_if(tokens.begin(), tokens.end(), pred)); };
    const auto words = WordsOf(text);
    double letters = 0;
    for (const auto& w : words) letters += double(w.size());
    const uint64_t n = std::stoull(id);
    f["bytes"].push_back(double(text.size()));
    f["tokens"].push_back(double(tokens.size()));
    f["hashtags"].push_back(count([](const std::string& t) { return t.size() > 1 && t[0] == '#'; }));
    f["mentions"].push_back(count([](const std::string& t) { return t.size() > 1 && t[0] == '@'; }));
    f["links"].push_back(count([](const std::string& t) { return t.rfind("http", 0) == 0; }));
    f["mean word bytes"].push_back(words.empty() ? 0 : letters / double(words.size()));
    f["id sequence"].push_back(double(n & 0xfff));
    f["id node"].push_back(double((n >> 12) & 0x3ff));
    f["created_at ms"].push_back(double(std::stoi(Str(r.post, "created_at").substr(20, 3))));
    if (r.position >= 0) f["position between neighbours"].push_back(r.position);  // a page's ends have one neighbour
  }
  ASSERT_GE(traps["bytes"].size(), 300u) << rows.size() << " posts";
  for (const auto& [feature, values] : real) {
    const double n = double(values.size()), m = double(traps[feature].size());
    // Kolmogorov-Smirnov at alpha = 1e-6 per feature: ten features, and the sample is new in
    // every run (the seed's ids follow the clock, and the page draws follow the ids), so a
    // test run by CI several times a day must fail by chance far less often than 1e-4.
    const double bound = 0.5 + std::sqrt(-std::log(1e-6 / 2) / 2) * std::sqrt((n + m) / (n * m)) / 2;
    std::vector<std::pair<double, int>> all;
    for (double v : values) all.emplace_back(v, 0);
    for (double v : traps[feature]) all.emplace_back(v, 1);
    std::sort(all.begin(), all.end());
    double best = 0.5, below[2] = {0, 0};
    for (size_t i = 0; i < all.size(); ++i) {
      below[all[i].second] += 1;
      if (i + 1 < all.size() && all[i + 1].first == all[i].first) continue;
      const double acc = (below[1] / m + 1 - below[0] / n) / 2;
      best = std::max({best, acc, 1 - acc});
    }
    double mean[2] = {0, 0};
    for (double v : values) mean[0] += v / n;
    for (double v : traps[feature]) mean[1] += v / m;
    std::printf("%-28s balanced accuracy %.3f (bound %.3f; %.0f real, %.0f traps; means %.2f, %.2f)\n", feature.c_str(),
                best, bound, n, m, mean[0], mean[1]);
    EXPECT_LE(best, bound) << feature;
  }
  ASSERT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
