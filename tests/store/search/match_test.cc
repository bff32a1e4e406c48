// MatchesSearch (store/search/match.h) against the store's own search: the same texts in
// SQLite's posts_fts (FTS5, unicode61 remove_diacritics 2), the same queries, the same posts.
#include "store/search/match.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

#include "core/search_tokens.h"
#include "core/text.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/search_sql.h"

namespace sluice {
namespace {

// Texts with what a tokenizer can get wrong: accents (precomposed and combining), apostrophes,
// ligatures, other scripts, digits, underscores, emoji, tags, links, case outside ASCII.
const std::vector<std::string> kTexts = {
    "L'été arrive enfin à Paris #vacances",
    "ete sans accent, Ete en majuscule",
    "Cafe\xcc\x81 au lait (combining accent) et CAFÉ",
    "ﬁnale: the ﬁrst of the season",
    "Straße und STRASSE, Grüße aus Köln",
    "ΣΊΣΥΦΟΣ και σίσυφος, Ελλάδα",
    "İstanbul ve ıspanak, Dİ",
    "日本語のテキスト and 中文 mixed",
    "snake_case and kebab-case words_here",
    "Prices: 12,5 € or $TSLA at 3.14 ; 2026 was 1st",
    "Emoji 🎉 party 👍🏽 time",
    "@alice_99 said hi to @Bob https://example.com/été/path?x=1",
    "Œuvre, cœur, æsthetic, Ærø",
    "naïve façade rôle coöperate",
    "Mañana el niño comió piñata",
    "tabs\tand\nnew lines  double  spaces",
    "Quote \"exact phrase\" here and exact, phrase there",
};

class MatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    for (std::string_view migration : sqlite::Migrations()) Exec(std::string(migration));
    Exec("INSERT INTO users (id, username, username_lc, name, created_at) VALUES (1, 'u', 'u', 'U', 0)");
    for (size_t i = 0; i < kTexts.size(); ++i) {
      const Entities e = ExtractEntities(kTexts[i]);
      std::string urls;
      for (const auto& u : e.urls) urls += (urls.empty() ? "" : " ") + u.expanded_url;
      // Flags and tags as the store writes them (sqlite_writes.cc).
      const int flags = (e.urls.empty() ? 0 : 1) | (e.mentions.empty() ? 0 : 2) | (e.hashtags.empty() ? 0 : 4) |
                        (e.cashtags.empty() ? 0 : 8);
      Insert(("INSERT INTO posts (id, author_id, text, created_at, lang, conversation_id, flags) VALUES (?, 1, ?, 0, "
              "'en', ?, " + std::to_string(flags) + ")").c_str(),
             int64_t(i + 1), kTexts[i], "");
      auto tag = [&](const char* kind, std::string value) {
        for (char& ch : value) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        Insert((std::string("INSERT OR IGNORE INTO post_tags (kind, value, post_id) VALUES ('") + kind + "', ?2, ?1)").c_str(),
               int64_t(i + 1), value, "");
      };
      for (const auto& h : e.hashtags) tag("h", h.tag);
      for (const auto& c : e.cashtags) tag("c", c.tag);
      for (const auto& m : e.mentions) tag("m", m.username);
      Insert("INSERT INTO posts_fts (rowid, text, urls) VALUES (?, ?, ?)", int64_t(i + 1), kTexts[i], urls);
    }
  }
  void TearDown() override { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  }
  // Binds id, text and (for posts_fts) urls; posts binds the id twice (id, conversation_id).
  void Insert(const char* sql, int64_t id, const std::string& text, const std::string& urls) {
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql, -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, text.data(), int(text.size()), SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(s) == 3) {
      if (std::string(sql).find("posts_fts") != std::string::npos)
        sqlite3_bind_text(s, 3, urls.data(), int(urls.size()), SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64(s, 3, id);
    }
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE) << sqlite3_errmsg(db_);
    sqlite3_finalize(s);
  }

  std::set<int64_t> Store(const SearchNode& root) {
    const auto predicate = sqlite::CompileSearch(root);
    const std::string sql = "SELECT p.id FROM posts p WHERE " + predicate.sql;
    sqlite3_stmt* s = nullptr;
    std::set<int64_t> ids;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    int index = 1;
    for (const auto& p : predicate.params) {
      if (const auto* i = std::get_if<int64_t>(&p))
        sqlite3_bind_int64(s, index++, *i);
      else
        sqlite3_bind_text(s, index++, std::get<std::string>(p).data(), int(std::get<std::string>(p).size()),
                          SQLITE_TRANSIENT);
    }
    while (sqlite3_step(s) == SQLITE_ROW) ids.insert(sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    return ids;
  }

  std::set<int64_t> Memory(const SearchNode& root) {
    std::set<int64_t> ids;
    for (size_t i = 0; i < kTexts.size(); ++i) {
      SearchFacts facts;
      facts.text = kTexts[i];
      facts.lang = "en";
      if (MatchesSearch(root, facts)) ids.insert(int64_t(i + 1));
    }
    return ids;
  }

  void ExpectSame(const std::string& query) {
    auto parsed = ParseSearchQuery(query);
    if (!parsed.ok()) return;  // not a query (e.g. a lone sigil): nothing to compare
    EXPECT_EQ(Memory(parsed->root), Store(parsed->root)) << query;
  }

  sqlite3* db_ = nullptr;
};

// Every token of every text, as a keyword, and written as in the text, selects the same posts.
TEST_F(MatchTest, EveryWordOfEveryTextSelectsTheSamePosts) {
  for (const auto& text : kTexts) {
    for (const auto& token : SearchTokens(text)) ExpectSame(token);
    std::string word;
    for (char c : text + " ") {
      if (c == ' ' || c == '\t' || c == '\n') {
        if (!word.empty() && word.find_first_of("\"()") == std::string::npos) ExpectSame(word);
        word.clear();
      } else {
        word += c;
      }
    }
  }
}

TEST_F(MatchTest, PhrasesNegationsTagsAndUrlsSelectTheSamePosts) {
  for (std::string q : {"\"exact phrase\"", "\"l'été arrive\"", "\"the first\"", "été -paris", "ete OR strasse",
                        "(cafe OR œuvre) -lait", "#vacances", "#VACANCES", "$tsla", "@alice_99", "@bob",
                        "url:example.com", "url:\"example.com/ete\"", "has:links été", "has:hashtags ete",
                        "has:mentions hi", "has:cashtags prices", "🎉", "σισυφος", "ΣΙΣΥΦΟΣ", "istanbul", "ıspanak",
                        "straße", "grusse", "koln", "nino", "cooperate", "naive", "aesthetic", "æsthetic", "日本語",
                        "12", "3", "14", "snake_case", "kebab", "-ete party", "lang:en ete", "lang:fr ete",
                        "is:reply ete", "-is:reply ete"})
    ExpectSame(q);
  // Author operators are not the text's: SearchFacts has no author, so from: matches nothing
  // in memory (the store's posts here are all by u).
  auto from = ParseSearchQuery("from:u ete");
  ASSERT_TRUE(from.ok());
  EXPECT_TRUE(Memory(from->root).empty());
}

}  // namespace
}  // namespace sluice
