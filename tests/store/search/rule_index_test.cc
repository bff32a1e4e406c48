// RuleIndex (store/search/rule_index.h): the rules a post matches, found through the rules'
// required-term sets, are exactly those MatchesSearch accepts when every rule is tried.
#include "store/search/rule_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "store/store.h"

namespace sluice {
namespace {

SearchNode Parse(std::string_view rule) {
  auto q = ParseSearchQuery(rule, 1024);
  EXPECT_TRUE(q.ok()) << rule << ": " << q.status().message();
  return q.ok() ? q->root : SearchNode{};
}

IndexedRule Rule(Id id, Id app, std::string_view value) { return IndexedRule{id, app, "", Parse(value)}; }

std::vector<Id> Ids(const std::vector<const IndexedRule*>& matched) {
  std::vector<Id> ids;
  for (const IndexedRule* r : matched) ids.push_back(r->rule_id);
  return ids;
}

// A post with every fact set: by @Alice (7), replying to @bob (8) in conversation 100,
// reposting nothing, quoting 300.
struct Facts {
  std::string text = "Coffee time at the café #Morning $TSLA @carol https://example.com/beans";
  SearchFacts Get() const {
    SearchFacts f;
    f.text = text;
    f.lang = "en";
    f.reply = true;
    f.quote = true;
    f.author_id = 7;
    f.author_username = "Alice";
    f.author_description = "Barista, coffee_lover and writer";
    f.in_reply_to_user_id = 8;
    f.in_reply_to_username = "bob";
    f.conversation_id = 100;
    f.replied_to_id = 200;
    f.quoted_id = 300;
    return f;
  }
};

TEST(RequiredKeysTest, AndTakesTheCheapestChildOrTheUnionOfAnOr) {
  RequiredKeys r = RequiredKeysOf(Parse("lang:en coffee"));
  ASSERT_FALSE(r.always);
  ASSERT_EQ(r.keys.size(), 1u);
  EXPECT_EQ(r.keys[0], std::make_pair(RuleKeyKind::kWord, std::string("coffee")));

  r = RequiredKeysOf(Parse("(coffee OR #tea) -decaf"));
  ASSERT_FALSE(r.always);
  EXPECT_EQ(r.keys.size(), 2u);

  r = RequiredKeysOf(Parse("\"the morning coffee\""));  // any token of a phrase: the longest
  ASSERT_EQ(r.keys.size(), 1u);
  EXPECT_EQ(r.keys[0].second, "morning");
}

TEST(RequiredKeysTest, NegationFlagsBioAndEmojiHaveNoKeysAndAnOrWithOneOfThemNeither) {
  for (const char* q : {"coffee OR (🎉 -tea)", "is:reply has:links bio:barista", "🎉", "bio:barista -coffee"})
    EXPECT_TRUE(RequiredKeysOf(Parse(q)).always) << q;
  RequiredKeys r = RequiredKeysOf(Parse("-coffee -tea from:alice"));
  ASSERT_FALSE(r.always);  // from: is a key
  EXPECT_EQ(r.keys, (std::vector<std::pair<RuleKeyKind, std::string>>{{RuleKeyKind::kFrom, "alice"}}));
}

TEST(RequiredKeysTest, DataNoPostHoldsMakesAnImpossibleRule) {
  RequiredKeys r = RequiredKeysOf(Parse("place_country:FR coffee"));
  EXPECT_FALSE(r.always);
  EXPECT_TRUE(r.keys.empty());
}

TEST(MatchFactsTest, AuthorAndConversationOperatorsMatchTheFactsGiven) {
  Facts facts;
  const SearchFacts f = facts.Get();
  for (const char* yes : {"from:alice", "from:ALICE coffee", "from:7", "to:bob", "to:8", "conversation_id:100",
                          "in_reply_to_tweet_id:200", "quotes_of_tweet_id:300", "bio:coffee_lover coffee",
                          "bio:barista coffee", "-retweets_of:bob coffee", "#morning", "$tsla", "@carol",
                          "url:example.com", "cafe", "is:reply is:quote coffee"})
    EXPECT_TRUE(MatchesSearch(Parse(yes), f)) << yes;
  for (const char* no : {"from:bob", "from:8", "to:alice", "conversation_id:101", "in_reply_to_tweet_id:100",
                         "quotes_of_tweet_id:200", "retweets_of:bob", "bio:coffee coffee", "bio:lover coffee",
                         "-from:alice coffee", "is:retweet coffee", "place_country:US coffee"})
    EXPECT_FALSE(MatchesSearch(Parse(no), f)) << no;
}

TEST(MatchFactsTest, APostWithoutAuthorFactsMatchesNoAuthorOperatorAsTrapRecordsDid) {
  SearchFacts f;
  f.text = "coffee";
  f.lang = "en";
  for (const char* no : {"from:0", "to:0 coffee", "conversation_id:0", "bio:coffee coffee", "retweets_of:0"})
    EXPECT_FALSE(MatchesSearch(Parse(no), f)) << no;
  EXPECT_TRUE(MatchesSearch(Parse("-from:alice coffee"), f));
}

TEST(RuleIndexTest, MatchesEachOperatorKindThroughItsKey) {
  std::vector<IndexedRule> rules = {
      Rule(1, 10, "coffee"),          Rule(2, 10, "#morning"),        Rule(3, 10, "$tsla"),
      Rule(4, 10, "@carol"),          Rule(5, 10, "url:example.com"), Rule(6, 11, "from:alice"),
      Rule(7, 11, "to:8"),            Rule(8, 11, "conversation_id:100"), Rule(9, 11, "in_reply_to_tweet_id:200"),
      Rule(10, 11, "quotes_of_tweet_id:300"), Rule(11, 11, "coffee lang:en has:links"), Rule(12, 12, "bio:barista -tea"),
      Rule(13, 12, "tea"),            Rule(14, 12, "from:bob"),       Rule(15, 12, "\"time at the\""),
      Rule(16, 12, "\"at time\""),    Rule(17, 12, "(tea OR cafe) -decaf"), Rule(18, 12, "coffee -café"),
      Rule(19, 12, "retweets_of:alice"), Rule(20, 12, "place_country:FR coffee"),
  };
  auto index = RuleIndex::Build(rules);
  Facts facts;
  EXPECT_EQ(Ids(index->Match(facts.Get())), (std::vector<Id>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 17}));
  EXPECT_EQ(index->size(), rules.size());
  EXPECT_EQ(index->always_checked(), 1u);  // bio:barista -tea
}

TEST(RuleIndexTest, ResultsAreOrderedByAppThenRuleAndCarryTheTag) {
  auto index = RuleIndex::Build({IndexedRule{9, 2, "b", Parse("coffee")}, IndexedRule{3, 2, "a", Parse("cafe")},
                                 IndexedRule{5, 1, "", Parse("coffee")}});
  Facts facts;
  auto matched = index->Match(facts.Get());
  ASSERT_EQ(matched.size(), 3u);
  EXPECT_EQ(matched[0]->app_id, 1);
  EXPECT_EQ(matched[1]->rule_id, 3);
  EXPECT_EQ(matched[1]->tag, "a");
  EXPECT_EQ(matched[2]->rule_id, 9);
}

TEST(RuleIndexTest, OneQueryHeldByManyAppsMatchesForEachOfThem) {
  std::vector<IndexedRule> rules;
  for (Id app = 1; app <= 5; ++app) rules.push_back(IndexedRule{100 + app, app, "t" + std::to_string(app), Parse("Café")});
  rules.push_back(IndexedRule{200, 1, "", Parse("cafe")});  // the same tokens: the same query
  rules.push_back(IndexedRule{201, 1, "", Parse("café -tea")});
  auto index = RuleIndex::Build(rules);
  EXPECT_EQ(index->distinct_queries(), 2u);
  Facts facts;
  EXPECT_EQ(Ids(index->Match(facts.Get())), (std::vector<Id>{101, 200, 201, 102, 103, 104, 105}));
}

TEST(RuleIndexTest, StoredRulesBecomeIndexedOnesAndOneThatNoLongerParsesIsLeftOut) {
  std::vector<Id> unparsed;
  auto rules = ToIndexedRules({StreamRule{1, 10, "coffee", "drinks", 0}, StreamRule{2, 10, "(coffee", "", 0}}, &unparsed);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].tag, "drinks");
  EXPECT_EQ(unparsed, std::vector<Id>{2});
  auto index = RuleIndex::Build(std::move(rules));
  Facts facts;
  EXPECT_EQ(Ids(index->Match(facts.Get())), std::vector<Id>{1});
}

TEST(RuleIndexTest, AnEmptyIndexMatchesNothing) {
  auto index = RuleIndex::Build({});
  Facts facts;
  EXPECT_TRUE(index->Match(facts.Get()).empty());
}

// Random rules over every operator kind, random posts over the same words and facts: the
// index's answer is the brute-force one, rule for rule. A required-term set computed wrong
// (a key a matching post need not hold) shows as a rule missing here.
class RandomRules {
 public:
  explicit RandomRules(uint32_t seed) : rng_(seed) {}

  std::string Leaf() {
    static const std::vector<std::string> kLeaves = {
        "coffee", "tea", "café", "cafe", "the", "\"green tea\"", "\"tea time\"", "#morning", "#tea", "$tsla", "@carol",
        "@dave", "url:example.com", "url:beans", "from:alice", "from:7", "from:bob", "to:bob", "to:8", "retweets_of:carol",
        "retweets_of:9", "conversation_id:100", "conversation_id:101", "in_reply_to_tweet_id:200",
        "quotes_of_tweet_id:300", "bio:barista", "🎉", "don't", "l'été", "naïve", "ab"};
    static const std::vector<std::string> kConjunction = {"lang:en", "lang:fr", "is:reply", "is:retweet", "is:quote",
                                                          "is:verified", "has:links", "has:hashtags", "has:mentions",
                                                          "has:cashtags", "place_country:FR", "has:media"};
    if (Pick(5) == 0) return kConjunction[Pick(kConjunction.size())];
    return kLeaves[Pick(kLeaves.size())];
  }

  std::string Expr(int depth) {
    const size_t n = 1 + Pick(3);
    std::string out;
    const bool is_or = Pick(3) == 0;
    for (size_t i = 0; i < n; ++i) {
      if (i) out += is_or ? " OR " : " ";
      if (Pick(4) == 0) out += "-";
      out += depth > 0 && Pick(3) == 0 ? "(" + Expr(depth - 1) + ")" : Leaf();
    }
    return out;
  }

  std::string Text() {
    static const std::vector<std::string> kWords = {
        "coffee", "tea", "café", "Cafe", "the", "green", "time", "#morning", "#Tea", "$TSLA", "@carol", "@Dave",
        "https://example.com/beans", "🎉", "don't", "L'été", "naive", "ab", "AB", "decaf", "time"};
    std::string out;
    const size_t n = 1 + Pick(8);
    for (size_t i = 0; i < n; ++i) (out += i ? " " : "") += kWords[Pick(kWords.size())];
    return out;
  }

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

 private:
  std::mt19937 rng_;
};

// Built without key frequencies and with those of the posts themselves (each AND indexed under
// its rarest keys, the common ones left out): both give the brute-force answer.
TEST(RuleIndexTest, RandomRulesAndPostsMatchAsEveryRuleTriedInTurn) {
  RandomRules random(16);
  std::vector<IndexedRule> rules;
  for (Id id = 1; rules.size() < 600; ++id) {
    auto q = ParseSearchQuery(random.Expr(2), 1024);
    if (!q.ok()) continue;  // e.g. is: alone: not a rule
    rules.push_back(IndexedRule{id, Id(1 + random.Pick(3)), "", q->root});
  }
  struct Post {
    std::string text, description;
    SearchFacts facts;
  };
  std::vector<Post> posts(800);
  for (Post& p : posts) {
    p.text = random.Text();
    p.description = random.Pick(2) ? "Barista" : "";
    SearchFacts& f = p.facts;
    f.text = p.text;
    f.lang = random.Pick(2) ? "en" : "fr";
    f.reply = random.Pick(2);
    f.retweet = random.Pick(4) == 0;
    f.quote = random.Pick(4) == 0;
    f.verified = random.Pick(2);
    const bool alice = random.Pick(2);
    f.author_id = alice ? 7 : 12;
    f.author_username = alice ? "Alice" : "zed";
    f.author_description = p.description;
    if (f.reply) {
      f.in_reply_to_user_id = random.Pick(2) ? 8 : 13;
      f.in_reply_to_username = f.in_reply_to_user_id == 8 ? "Bob" : "yan";
      f.replied_to_id = random.Pick(2) ? 200 : 201;
    }
    if (f.retweet) {
      f.retweeted_user_id = random.Pick(2) ? 9 : 14;
      f.retweeted_username = f.retweeted_user_id == 9 ? "carol" : "xia";
    }
    f.conversation_id = random.Pick(2) ? 100 : 101;
    if (f.quote) f.quoted_id = random.Pick(2) ? 300 : 301;
  }
  KeyFrequencies frequencies;
  for (size_t i = 0; i < 200; ++i) frequencies.Add(SearchSubject(posts[i].facts));
  auto index = RuleIndex::Build(rules);
  auto counted = RuleIndex::Build(rules, &frequencies);
  std::vector<IndexedRule> sorted = rules;
  std::sort(sorted.begin(), sorted.end(), [](const IndexedRule& a, const IndexedRule& b) {
    return a.app_id != b.app_id ? a.app_id < b.app_id : a.rule_id < b.rule_id;
  });
  size_t matches = 0;
  for (const Post& p : posts) {
    std::vector<Id> brute;  // the queries as parsed, not as the index rewrote them
    for (const IndexedRule& r : sorted)
      if (MatchesSearch(r.query, p.facts)) brute.push_back(r.rule_id);
    ASSERT_EQ(Ids(index->Match(p.facts)), brute) << p.text;
    ASSERT_EQ(Ids(counted->Match(p.facts)), brute) << p.text << " (with key frequencies)";
    matches += brute.size();
  }
  EXPECT_GT(matches, 500u);  // the rules and posts meet often enough to test something
  EXPECT_LT(index->always_checked(), rules.size() / 2);
  EXPECT_LT(index->distinct_queries(), rules.size());  // apps share queries: some verified once for all
}

// Many matching rules (past the count where results are ordered through a bitmap rather than a
// sort) come back in (app, rule) order, each once.
TEST(RuleIndexTest, HundredsOfMatchesComeBackOrderedEachOnce) {
  std::vector<IndexedRule> rules;
  const char* queries[] = {"coffee", "#morning", "from:alice", "\"time at\"", "coffee -tea", "cafe OR tea"};
  for (Id id = 1; id <= 600; ++id) rules.push_back(Rule(1000 - id, 1 + id % 7, queries[id % 6]));
  auto index = RuleIndex::Build(rules);
  Facts facts;
  auto matched = index->Match(facts.Get());
  ASSERT_EQ(matched.size(), 600u);
  for (size_t i = 1; i < matched.size(); ++i) {
    const IndexedRule& a = *matched[i - 1];
    const IndexedRule& b = *matched[i];
    EXPECT_TRUE(a.app_id < b.app_id || (a.app_id == b.app_id && a.rule_id < b.rule_id)) << i;
  }
  // The per-thread bitmap is left clear: the next post gets only its own.
  facts.text = "tea";
  EXPECT_EQ(index->Match(facts.Get()).size(), 100u + 100u);  // from:alice, cafe OR tea
}

// An AND's keys are counted per post in per-thread counters stamped with 14 bits of the post's
// number (16,384 posts), cleared as the stamp comes round: a count left by a post exactly
// 16,384 posts before is not taken for this post's (it would read as all keys held already).
TEST(RuleIndexTest, CountsStayRightPastTheirStampComingRound) {
  auto index = RuleIndex::Build({Rule(1, 1, "coffee morning beans"), Rule(2, 1, "#morning -tea")});
  Facts all, other;
  other.text = "tea and water";
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(Ids(index->Match(all.Get())), (std::vector<Id>{1, 2})) << round;
    for (int i = 0; i < 16383; ++i) ASSERT_TRUE(index->Match(other.Get()).empty()) << i;
  }
  ASSERT_EQ(Ids(index->Match(all.Get())), (std::vector<Id>{1, 2}));
}

// A username of digits is never what from: names (a value of digits is an id): the index
// offers no key for it, and matches as the evaluator does.
TEST(RuleIndexTest, AUsernameOfDigitsIsNoKeyAndFromDigitsNamesTheId) {
  auto index = RuleIndex::Build({Rule(1, 1, "from:123"), Rule(2, 1, "from:7"), Rule(3, 1, "to:456 coffee")});
  Facts facts;
  SearchFacts f = facts.Get();
  f.author_username = "123";
  f.in_reply_to_username = "456";
  EXPECT_EQ(Ids(index->Match(f)), std::vector<Id>{2});
  for (Id id : {1, 2, 3}) EXPECT_EQ(MatchesSearch(index->rules()[size_t(id - 1)].query, f), id == 2) << id;
  std::vector<std::string> users;
  ForEachKey(SearchSubject(f), [&](RuleKeyKind kind, std::string_view key) {
    if (kind == RuleKeyKind::kFrom || kind == RuleKeyKind::kTo) users.emplace_back(key);
  });
  EXPECT_EQ(users, (std::vector<std::string>{"7", "8"}));
}

// Match is const and keeps its counts per thread: threads sharing one index get what one alone does.
TEST(RuleIndexTest, ThreadsSharingAnIndexEachGetTheirPostsMatches) {
  RandomRules random(7);
  std::vector<IndexedRule> rules;
  for (Id id = 1; rules.size() < 300; ++id) {
    auto q = ParseSearchQuery(random.Expr(2), 1024);
    if (q.ok()) rules.push_back(IndexedRule{id, 1, "", q->root});
  }
  auto index = RuleIndex::Build(rules);
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(random.Text());
  auto run = [&](std::vector<std::vector<Id>>& out) {
    for (const std::string& text : texts) {
      SearchFacts f;
      f.text = text;
      f.lang = "en";
      f.author_id = 7;
      f.author_username = "alice";
      out.push_back(Ids(index->Match(f)));
    }
  };
  std::vector<std::vector<Id>> alone, a, b;
  run(alone);
  std::thread t1([&] { run(a); });
  std::thread t2([&] { run(b); });
  t1.join();
  t2.join();
  EXPECT_EQ(a, alone);
  EXPECT_EQ(b, alone);
}

}  // namespace
}  // namespace sluice
