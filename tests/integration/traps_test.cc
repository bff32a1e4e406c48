// Integration: trap records injected into pages keep every API invariant, belong to their
// app alone, are ledgered but not counted, and name the app when a leak contains them.
#include <gtest/gtest.h>

#include <fstream>
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
    // The synthetic author is in the includes, and is no one anybody can look up.
    std::string author = Str(mine.at("includes").at("users").at(0), "id");
    EXPECT_FALSE(s.Get("/2/users/" + author, owner).Json().as_object().contains("data"));
    traps.push_back(p);
  }
  ASSERT_GE(traps.size(), 3u) << posts.size() << " posts";
  EXPECT_LE(traps.size(), posts.size() / 25 + 1);
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

  // A leak holding two of the traps, among unrelated text, names the owner and only it.
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
  auto& apps = report.at("apps").as_array();
  ASSERT_EQ(apps.size(), 1u) << r.out;
  EXPECT_EQ(Str(apps.at(0), "app_name"), "owner");
  EXPECT_TRUE(apps.at(0).at("named").as_bool());
  EXPECT_EQ(apps.at(0).at("trap_hits").as_array().size(), 2u);
  EXPECT_FALSE(apps.at(0).at("evidence").as_array().empty());
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
      if (c.query.starts_with("%C3%A9t%C3%A9"))
        EXPECT_TRUE(words.count("\xc3\xa9t\xc3\xa9") || text.find("\xc3\x89t\xc3\xa9") != std::string::npos)
            << text;
      for (const auto& w : c.words) EXPECT_TRUE(words.count(w)) << c.query << ": " << text;
      for (const auto& w : c.absent) EXPECT_FALSE(words.count(w)) << c.query << ": " << text;
      if (!c.lang.empty()) EXPECT_EQ(Str(t, "lang"), c.lang) << text;
      if (c.hashtag) EXPECT_NE(text.find('#'), std::string::npos) << text;
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

}  // namespace
}  // namespace sluice::testing
