#include "store/sqlite/search_sql.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <random>
#include <string>
#include <vector>

#include "store/sqlite/schema.h"

namespace sluice::sqlite {
namespace {

using Ids = std::vector<int64_t>;

// Users: 1 alice (verified blue), 2 bob, 3 Carol_X.
// Posts: 10 alice "Hello world #Sluice"; 11 bob "Café au lait, bonjour le monde" (fr);
// 12 bob replies to 10 "@alice hello there"; 13 carol quotes 10 "Buying $TSLA see
// https://example.com/path"; 14 alice retweets 11 (fr); 15 carol "world hello";
// 16 bob `He said "quoted" words #sluice`; 17 dave "Party time 🎉😀!"; 18 dave "👍🏽 ok".
// alice's bio is "Developer advocate, coffee 😀"; dave's "Data scientist".
constexpr const char* kData = R"sql(
INSERT INTO users (id, username, username_lc, name, created_at, verified_type, description) VALUES
  (1, 'alice', 'alice', 'Alice', 0, 'blue', 'Developer advocate, coffee 😀'),
  (2, 'bob', 'bob', 'Bob', 0, 'none', ''),
  (3, 'Carol_X', 'carol_x', 'Carol', 0, 'none', ''),
  (4, 'dave', 'dave', 'Dave', 0, 'none', 'Data scientist');
INSERT INTO posts (id, author_id, text, created_at, lang, conversation_id, in_reply_to_user_id,
                   replied_to_id, quoted_id, retweeted_id, flags) VALUES
  (10, 1, 'Hello world #Sluice', 0, 'en', 10, NULL, NULL, NULL, NULL, 4),
  (11, 2, 'Café au lait, bonjour le monde', 0, 'fr', 11, NULL, NULL, NULL, NULL, 0),
  (12, 2, '@alice hello there', 0, 'en', 10, 1, 10, NULL, NULL, 2),
  (13, 3, 'Buying $TSLA see https://example.com/path', 0, 'en', 13, NULL, NULL, 10, NULL, 9),
  (14, 1, 'RT @bob: Café au lait', 0, 'fr', 14, NULL, NULL, NULL, 11, 2),
  (15, 3, 'world hello', 0, 'en', 15, NULL, NULL, NULL, NULL, 0),
  (16, 2, 'He said "quoted" words #sluice', 0, 'en', 16, NULL, NULL, NULL, NULL, 4),
  (17, 4, 'Party time 🎉😀!', 0, 'en', 17, NULL, NULL, NULL, NULL, 0),
  (18, 4, '👍🏽 ok', 0, 'en', 18, NULL, NULL, NULL, NULL, 0);
INSERT INTO post_tags (kind, value, post_id) VALUES
  ('h', 'sluice', 10), ('m', 'alice', 12), ('c', 'tsla', 13), ('m', 'bob', 14), ('h', 'sluice', 16);
INSERT INTO posts_fts (rowid, text, urls) VALUES
  (10, 'Hello world #Sluice', ''),
  (11, 'Café au lait, bonjour le monde', ''),
  (12, '@alice hello there', ''),
  (13, 'Buying $TSLA see https://example.com/path', 'https://example.com/path'),
  (14, 'RT @bob: Café au lait', ''),
  (15, 'world hello', ''),
  (16, 'He said "quoted" words #sluice', ''),
  (17, 'Party time 🎉😀!', ''),
  (18, '👍🏽 ok', '');
)sql";

class SearchSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    for (std::string_view migration : Migrations()) Exec(std::string(migration));
    Exec(kData);
  }
  void TearDown() override { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
  }

  // The ids the predicate selects, newest first; `error` receives SQLite's message, if any.
  Ids Run(const SqlPredicate& predicate, std::string* error) {
    const std::string sql = "SELECT p.id FROM posts p WHERE " + predicate.sql + " ORDER BY p.id DESC";
    sqlite3_stmt* stmt = nullptr;
    Ids ids;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      *error = std::string(sqlite3_errmsg(db_)) + " in " + sql;
      return ids;
    }
    EXPECT_EQ(static_cast<size_t>(sqlite3_bind_parameter_count(stmt)), predicate.params.size()) << sql;
    int index = 1;
    for (const SqlParam& param : predicate.params) {
      if (const auto* i = std::get_if<int64_t>(&param))
        sqlite3_bind_int64(stmt, index++, *i);
      else
        sqlite3_bind_text(stmt, index++, std::get<std::string>(param).data(),
                          static_cast<int>(std::get<std::string>(param).size()), SQLITE_TRANSIENT);
    }
    int rc = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(stmt, 0));
    if (rc != SQLITE_DONE) *error = std::string(sqlite3_errmsg(db_)) + " in " + sql;
    sqlite3_finalize(stmt);
    return ids;
  }

  Ids Search(std::string_view query) {
    auto parsed = ParseSearchQuery(query);
    if (!parsed.ok()) {
      ADD_FAILURE() << query << ": " << parsed.status().parameter_errors().at(0).message;
      return {};
    }
    std::string error;
    Ids ids = Run(CompileSearch(parsed->root), &error);
    EXPECT_EQ(error, "") << query;
    return ids;
  }

  sqlite3* db_ = nullptr;
};

TEST_F(SearchSqlTest, KeywordsMatchTokensFoldingCaseAndAccents) {
  EXPECT_EQ(Search("hello"), (Ids{15, 12, 10}));
  EXPECT_EQ(Search("HELLO"), (Ids{15, 12, 10}));
  EXPECT_EQ(Search("cafe"), (Ids{14, 11}));
  EXPECT_EQ(Search("Café"), (Ids{14, 11}));
  EXPECT_EQ(Search("CAFÉ lait"), (Ids{14, 11}));
  EXPECT_EQ(Search("hell"), Ids{}) << "whole tokens, not prefixes";
  EXPECT_EQ(Search("sluice"), (Ids{16, 10})) << "the hashtag's text is a token too";
}

TEST_F(SearchSqlTest, PhrasesKeepOrderAndAdjacency) {
  EXPECT_EQ(Search("\"hello world\""), Ids{10});
  EXPECT_EQ(Search("\"world hello\""), Ids{15});
  EXPECT_EQ(Search("hello world"), (Ids{15, 10}));
  EXPECT_EQ(Search("\"au lait\""), (Ids{14, 11}));
  EXPECT_EQ(Search("\"cafe lait\""), Ids{});
  EXPECT_EQ(Search("\"said quoted words\""), Ids{16}) << "punctuation between tokens is ignored";
}

TEST_F(SearchSqlTest, TermsWithoutLettersMatchNothingAndDoNotBreakFts) {
  EXPECT_EQ(Search("hello !!!"), Ids{});
  EXPECT_EQ(Search("hello -!!!"), (Ids{15, 12, 10}));
  EXPECT_EQ(Search("\"*\" OR hello"), (Ids{15, 12, 10}));
  EXPECT_EQ(Search("said\"quoted\""), Ids{16});
  EXPECT_EQ(Search("NEAR AND NOT"), Ids{}) << "FTS5 keywords are quoted";
  // A '"' inside a value (only hand-built trees have one) is doubled for FTS5.
  SearchNode term;
  term.kind = SearchNode::Kind::kTerm;
  term.value = "quoted\"words";
  std::string error;
  EXPECT_EQ(Run(CompileSearch(term), &error), Ids{16});
  EXPECT_EQ(error, "");
}

TEST_F(SearchSqlTest, Tags) {
  EXPECT_EQ(Search("#sluice"), (Ids{16, 10}));
  EXPECT_EQ(Search("#SLUICE"), (Ids{16, 10}));
  EXPECT_EQ(Search("$tsla"), Ids{13});
  EXPECT_EQ(Search("@alice"), Ids{12});
  EXPECT_EQ(Search("@BOB"), Ids{14});
  EXPECT_EQ(Search("#nothing"), Ids{});
}

TEST_F(SearchSqlTest, FromAndTo) {
  EXPECT_EQ(Search("from:alice"), (Ids{14, 10}));
  EXPECT_EQ(Search("from:1"), (Ids{14, 10}));
  EXPECT_EQ(Search("from:Carol_X"), (Ids{15, 13}));
  EXPECT_EQ(Search("from:nobody"), Ids{});
  EXPECT_EQ(Search("hello -from:nobody"), (Ids{15, 12, 10})) << "an unknown user excludes nothing";
  EXPECT_EQ(Search("to:alice"), Ids{12});
  EXPECT_EQ(Search("to:1"), Ids{12});
  EXPECT_EQ(Search("hello -to:alice"), (Ids{15, 10})) << "posts that are not replies are kept";
  EXPECT_EQ(Search("hello -to:1"), (Ids{15, 10}));
}

TEST_F(SearchSqlTest, IdOperators) {
  EXPECT_EQ(Search("conversation_id:10"), (Ids{12, 10}));
  EXPECT_EQ(Search("in_reply_to_tweet_id:10"), Ids{12});
  EXPECT_EQ(Search("hello -in_reply_to_tweet_id:10"), (Ids{15, 10}));
  EXPECT_EQ(Search("quotes_of_tweet_id:10"), Ids{13});
  EXPECT_EQ(Search("from:carol_x -quotes_of_tweet_id:10"), Ids{15});
  EXPECT_EQ(Search("conversation_id:999"), Ids{});
}

TEST_F(SearchSqlTest, Url) {
  EXPECT_EQ(Search("url:example.com"), Ids{13});
  EXPECT_EQ(Search("url:\"https://example.com/path\""), Ids{13});
  EXPECT_EQ(Search("url:EXAMPLE.com/path"), Ids{13});
  EXPECT_EQ(Search("url:other.org"), Ids{});
  EXPECT_EQ(Search("url:\"example.com\" OR hello"), (Ids{15, 13, 12, 10}));
  EXPECT_EQ(Search("see -url:example.com"), Ids{});
}

TEST_F(SearchSqlTest, ConjunctionRequiredOperators) {
  EXPECT_EQ(Search("cafe lang:fr"), (Ids{14, 11}));
  EXPECT_EQ(Search("cafe lang:EN"), Ids{});
  EXPECT_EQ(Search("cafe is:retweet"), Ids{14});
  EXPECT_EQ(Search("cafe -is:retweet"), Ids{11});
  EXPECT_EQ(Search("hello is:reply"), Ids{12});
  EXPECT_EQ(Search("hello -is:reply"), (Ids{15, 10}));
  EXPECT_EQ(Search("$tsla is:quote"), Ids{13});
  EXPECT_EQ(Search("from:carol_x -is:quote"), Ids{15});
  EXPECT_EQ(Search("hello is:verified"), Ids{10});
  EXPECT_EQ(Search("hello -is:verified"), (Ids{15, 12}));
  EXPECT_EQ(Search("hello has:mentions"), Ids{12});
  EXPECT_EQ(Search("hello has:hashtags"), Ids{10});
  EXPECT_EQ(Search("from:carol_x has:links"), Ids{13});
  EXPECT_EQ(Search("from:carol_x has:cashtags"), Ids{13});
  EXPECT_EQ(Search("from:carol_x -has:links"), Ids{15});
}

// Sluice holds no media, geo, places, annotations or lists, and never nullcasts: these match
// nothing and their negations everything, as a store without the data answers truthfully.
TEST_F(SearchSqlTest, OperatorsWithoutDataAnswerTruthfully) {
  for (const char* has : {"media", "images", "videos", "video_link", "geo"}) {
    EXPECT_EQ(Search(std::string("hello has:") + has), Ids{}) << has;
    EXPECT_EQ(Search(std::string("hello -has:") + has), (Ids{15, 12, 10})) << has;
  }
  EXPECT_EQ(Search("hello is:nullcast"), Ids{});
  EXPECT_EQ(Search("hello -is:nullcast"), (Ids{15, 12, 10}));
  for (const char* op : {"place_country:US", "point_radius:[2.35 48.85 10km]", "context:10.799022225751871488",
                         "entity:\"Michael Jordan\"", "list:123"}) {
    EXPECT_EQ(Search(op), Ids{}) << op;
    EXPECT_EQ(Search(std::string("hello -") + op), (Ids{15, 12, 10})) << op;
    EXPECT_EQ(Search(std::string(op) + " OR cafe"), (Ids{14, 11})) << op;
  }
}

TEST_F(SearchSqlTest, RetweetsOf) {
  EXPECT_EQ(Search("retweets_of:bob"), Ids{14});
  EXPECT_EQ(Search("retweets_of:2"), Ids{14});
  EXPECT_EQ(Search("retweets_of:BOB cafe"), Ids{14});
  EXPECT_EQ(Search("retweets_of:alice"), Ids{}) << "nobody reposted alice";
  EXPECT_EQ(Search("cafe -retweets_of:bob"), Ids{11});
}

TEST_F(SearchSqlTest, BioMatchesAuthorsDescriptions) {
  EXPECT_EQ(Search("bio:developer"), (Ids{14, 10}));
  EXPECT_EQ(Search("bio:\"data scientist\""), (Ids{18, 17}));
  EXPECT_EQ(Search("bio:COFFEE hello"), Ids{10});
  EXPECT_EQ(Search("bio:dev"), Ids{}) << "whole words, as keywords match";
  EXPECT_EQ(Search("bio:😀"), (Ids{14, 10}));
  EXPECT_EQ(Search("hello -bio:developer"), (Ids{15, 12}));
}

TEST_F(SearchSqlTest, EmojiMatchPostsContainingThem) {
  EXPECT_EQ(Search("😀"), Ids{17});
  EXPECT_EQ(Search("🎉"), Ids{17});
  EXPECT_EQ(Search("party😀"), Ids{17});
  EXPECT_EQ(Search("👍🏽"), Ids{18});
  EXPECT_EQ(Search("😀 OR hello"), (Ids{17, 15, 12, 10}));
  EXPECT_EQ(Search("from:dave -🎉"), Ids{18});
  EXPECT_EQ(Search("🔥"), Ids{});
}

TEST_F(SearchSqlTest, BooleanCombinations) {
  EXPECT_EQ(Search("hello OR cafe"), (Ids{15, 14, 12, 11, 10}));
  EXPECT_EQ(Search("(hello OR cafe) from:bob"), (Ids{12, 11}));
  EXPECT_EQ(Search("hello world OR lait"), (Ids{15, 14, 11, 10}));
  EXPECT_EQ(Search("hello (world OR lait)"), (Ids{15, 10}));
  EXPECT_EQ(Search("hello -world"), Ids{12});
  EXPECT_EQ(Search("hello -(there OR #sluice)"), Ids{15});
  EXPECT_EQ(Search("from:bob OR #sluice"), (Ids{16, 12, 11, 10}));
  EXPECT_EQ(Search("-from:bob hello"), (Ids{15, 10}));
  EXPECT_EQ(Search("from:alice -cafe"), Ids{10});
  EXPECT_EQ(Search("from:bob -cafe -hello"), Ids{16});
  EXPECT_EQ(Search("hello -(world -there)"), Ids{12});
  EXPECT_EQ(Search("(hello -world) OR (cafe -is:retweet) OR $tsla"), (Ids{13, 12, 11}));
  EXPECT_EQ(Search("hello -(-world)"), (Ids{15, 10}));
}

TEST_F(SearchSqlTest, FtsLeavesOfAnAndShareOneMatch) {
  auto parsed = ParseSearchQuery("a \"b c\" from:x -d url:e.com");
  ASSERT_TRUE(parsed.ok());
  const SqlPredicate p = CompileSearch(parsed->root);
  EXPECT_EQ(p.sql,
            "(p.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?) AND "
            "(p.author_id IN (SELECT id FROM users WHERE username_lc = ?)))");
  ASSERT_EQ(p.params.size(), 2u);
  EXPECT_EQ(std::get<std::string>(p.params[0]),
            "((text : \"a\" AND text : \"b c\" AND urls : \"e.com\") NOT (text : \"d\"))");
  EXPECT_EQ(std::get<std::string>(p.params[1]), "x");
}

// A query that is one FTS5 expression is handed to posts_fts whole (the store then reads a
// page's first matches in id order); one with any other operator is not.
TEST_F(SearchSqlTest, WholeFtsExpressionOnlyForKeywordQueries) {
  auto fts = [](std::string_view query) {
    auto parsed = ParseSearchQuery(query);
    EXPECT_TRUE(parsed.ok()) << query;
    return parsed.ok() ? WholeFtsExpression(parsed->root) : std::nullopt;
  };
  EXPECT_EQ(fts("hello"), "text : \"hello\"");
  EXPECT_EQ(fts("a \"b c\" -d url:e.com"), "((text : \"a\" AND text : \"b c\" AND urls : \"e.com\") NOT (text : \"d\"))");
  EXPECT_EQ(fts("a OR b"), "(text : \"a\" OR text : \"b\")");
  EXPECT_EQ(fts("a from:x"), std::nullopt);
  EXPECT_EQ(fts("-a #b"), std::nullopt);
  EXPECT_EQ(fts("a OR lang:en"), std::nullopt);
}

TEST_F(SearchSqlTest, IdsBindAsIntegers) {
  auto parsed = ParseSearchQuery("from:12 conversation_id:0034");
  ASSERT_TRUE(parsed.ok());
  const SqlPredicate p = CompileSearch(parsed->root);
  ASSERT_EQ(p.params.size(), 2u);
  EXPECT_EQ(std::get<int64_t>(p.params[0]), 12);
  EXPECT_EQ(std::get<int64_t>(p.params[1]), 34);
}

// Every query the parser accepts compiles to SQL that SQLite prepares and runs.
TEST_F(SearchSqlTest, RandomValidQueriesRun) {
  const std::vector<std::string> pieces = {
      "hello", "world", "cafe", "é", "!", "*", "NEAR", "^", " ", " ", " OR ", "(", ")", "-", "\"", "\"a b\"",
      "#sluice", "@alice", "$tsla", "from:bob", "from:1", "to:alice", "url:example.com", "lang:fr", "is:reply",
      "is:verified", "has:links", "conversation_id:10", "quotes_of_tweet_id:10", "in_reply_to_tweet_id:10", "'",
      ":", "x", "-has:media", "has:geo", "is:nullcast", "retweets_of:bob", "bio:dev", "place_country:FR",
      "point_radius:[1 2 3km]", "context:1.2", "entity:x", "list:1", "😀", "👍🏽"};
  std::mt19937 rng(7);
  int ran = 0;
  for (int i = 0; i < 20000 && ran < 3000; ++i) {
    std::string query;
    const int n = 1 + static_cast<int>(rng() % 10);
    for (int k = 0; k < n; ++k) query += pieces[rng() % pieces.size()];
    auto parsed = ParseSearchQuery(query);
    if (!parsed.ok()) continue;
    ++ran;
    std::string error;
    Run(CompileSearch(parsed->root), &error);
    ASSERT_EQ(error, "") << query;
  }
  EXPECT_GT(ran, 500);
}

}  // namespace
}  // namespace sluice::sqlite
