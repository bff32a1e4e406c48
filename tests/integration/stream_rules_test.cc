// Integration: the filtered stream's rules over HTTP (issue 16): added with tags, listed and
// paged, counted; duplicates reported with the rule holding the value; an invalid or too long
// rule refuses the whole add; the plan's cap; dry runs that change nothing; deletion by id,
// by value and all at once; one app never sees another's rules; plans without the filtered
// stream refused.
#include <gtest/gtest.h>

#include <set>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

class StreamRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    pro_ = server_->CreateApp("watcher", "pro");
    other_ = server_->CreateApp("other", "pro");
    basic_ = server_->CreateApp("small", "basic");
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    // Each test starts from no rules.
    for (const std::string* token : {&pro_, &other_}) {
      auto r = server_->Request("POST", "/2/tweets/search/stream/rules?delete_all=true", *token, "{}");
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }

  static HttpResponse Post(const std::string& body, const std::string& query = "", const std::string* token = &pro_) {
    return server_->Request("POST", "/2/tweets/search/stream/rules" + query, *token, body);
  }
  static json::object Ok(const std::string& body, const std::string& query = "") {
    auto r = Post(body, query);
    EXPECT_EQ(r.status, 200) << body << ": " << r.body;
    return r.status == 200 ? r.Json().as_object() : json::object();
  }
  static json::object Rules(const std::string& query = "", const std::string* token = &pro_) {
    auto r = server_->Get("/2/tweets/search/stream/rules" + query, *token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json().as_object() : json::object();
  }
  static std::vector<std::string> Values(const std::string* token = &pro_) {
    std::vector<std::string> out;
    auto page = Rules("", token);
    if (page.contains("data"))
      for (const auto& r : page.at("data").as_array()) out.push_back(Str(r, "value"));
    return out;
  }
  static json::object Summary(const json::object& body) { return body.at("meta").at("summary").as_object(); }

  static SluiceServer* server_;
  static std::string pro_, other_, basic_;
};

SluiceServer* StreamRulesTest::server_ = nullptr;
std::string StreamRulesTest::pro_, StreamRulesTest::other_, StreamRulesTest::basic_;

TEST_F(StreamRulesTest, AddedWithIdsAndTagsThenListedAndCounted) {
  auto added = Ok(R"({"add":[{"value":"cat has:media","tag":"cats with media"},{"value":"dog -is:retweet"}]})");
  const auto& data = added.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(Str(data[0], "value"), "cat has:media");
  EXPECT_EQ(Str(data[0], "tag"), "cats with media");
  EXPECT_FALSE(data[1].as_object().contains("tag"));
  EXPECT_FALSE(Str(data[0], "id").empty());
  auto summary = Summary(added);
  EXPECT_EQ(summary.at("created").as_int64(), 2);
  EXPECT_EQ(summary.at("not_created").as_int64(), 0);
  EXPECT_EQ(summary.at("valid").as_int64(), 2);
  EXPECT_EQ(summary.at("invalid").as_int64(), 0);
  EXPECT_FALSE(Str(added.at("meta"), "sent").empty());

  auto listed = Rules();
  ASSERT_EQ(listed.at("data").as_array().size(), 2u);
  EXPECT_EQ(listed.at("meta").at("result_count").as_int64(), 2);
  std::set<std::string> ids;
  for (const auto& r : listed.at("data").as_array()) ids.insert(Str(r, "id"));
  EXPECT_TRUE(ids.count(Str(data[0], "id")));
  auto one = Rules("?ids=" + Str(data[1], "id"));
  ASSERT_EQ(one.at("data").as_array().size(), 1u);
  EXPECT_EQ(Str(one.at("data").as_array()[0], "value"), "dog -is:retweet");

  auto counts = server_->Get("/2/tweets/search/stream/rules/counts?rules_count.fields=all_project_client_apps", pro_);
  ASSERT_EQ(counts.status, 200) << counts.body;
  auto c = counts.Json().at("data").as_object();
  EXPECT_EQ(Str(c, "cap_per_client_app"), "1000");
  EXPECT_EQ(c.at("client_app_rules_count").at("rule_count").as_int64(), 2);
  EXPECT_EQ(Str(c, "project_rules_count"), "2");
  EXPECT_EQ(c.at("all_project_client_apps").as_array().size(), 1u);  // `other` is another project
}

TEST_F(StreamRulesTest, ADuplicateIsReportedWithTheRuleHoldingItsValue) {
  auto first = Ok(R"({"add":[{"value":"coffee"}]})");
  const std::string id = Str(first.at("data").as_array()[0], "id");
  auto again = Ok(R"({"add":[{"value":"coffee","tag":"again"},{"value":"tea"}]})");
  ASSERT_EQ(again.at("data").as_array().size(), 1u);
  EXPECT_EQ(Str(again.at("data").as_array()[0], "value"), "tea");
  const auto& errors = again.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(Str(errors[0], "title"), "DuplicateRule");
  EXPECT_EQ(Str(errors[0], "type"), "https://api.x.com/2/problems/duplicate-rules");
  EXPECT_EQ(Str(errors[0], "id"), id);
  EXPECT_EQ(Str(errors[0], "value"), "coffee");
  auto summary = Summary(again);
  EXPECT_EQ(summary.at("created").as_int64(), 1);
  EXPECT_EQ(summary.at("not_created").as_int64(), 1);
  EXPECT_EQ(Values(), (std::vector<std::string>{"coffee", "tea"}));
}

TEST_F(StreamRulesTest, AnInvalidOrTooLongRuleRefusesTheWholeAdd) {
  auto r = Post(R"({"add":[{"value":"coffee"},{"value":"(tea OR"},{"value":"is:retweet"}]})");
  ASSERT_EQ(r.status, 400) << r.body;
  auto body = r.Json().as_object();
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(Str(errors[0], "title"), "UnprocessableEntity");
  EXPECT_EQ(Str(errors[0], "type"), "https://api.x.com/2/problems/invalid-rules");
  EXPECT_EQ(Str(errors[0], "value"), "(tea OR");
  EXPECT_NE(json::value_to<std::string>(errors[0].at("details").as_array()[0]).find("position"), std::string::npos);
  auto summary = Summary(body);
  EXPECT_EQ(summary.at("created").as_int64(), 0);
  EXPECT_EQ(summary.at("not_created").as_int64(), 3);
  EXPECT_EQ(summary.at("valid").as_int64(), 1);
  EXPECT_EQ(summary.at("invalid").as_int64(), 2);
  EXPECT_TRUE(Values().empty());

  // Pro: 1,024 characters a rule.
  const std::string longest(1024, 'a'), over(1025, 'a');
  EXPECT_EQ(Post(R"({"add":[{"value":")" + over + R"("}]})").status, 400);
  EXPECT_TRUE(Values().empty());
  Ok(R"({"add":[{"value":")" + longest + R"("}]})");
  EXPECT_EQ(Values().size(), 1u);
}

TEST_F(StreamRulesTest, PastThePlansCapNothingIsAdded) {
  std::string body = R"({"add":[)";
  for (int i = 0; i < 1001; ++i) body += std::string(i ? "," : "") + R"({"value":"word)" + std::to_string(i) + R"("})";
  body += "]}";
  auto r = Post(body);
  ASSERT_EQ(r.status, 400) << r.body.substr(0, 500);
  auto j = r.Json().as_object();
  EXPECT_EQ(Str(j.at("errors").as_array()[0], "title"), "RulesCapExceeded");
  EXPECT_EQ(Str(j.at("errors").as_array()[0], "type"), "https://api.x.com/2/problems/rule-cap");
  EXPECT_TRUE(Values().empty());
}

TEST_F(StreamRulesTest, ADryRunValidatesAndChangesNothing) {
  auto dry = Ok(R"({"add":[{"value":"coffee"}]})", "?dry_run=true");
  EXPECT_EQ(Summary(dry).at("created").as_int64(), 1);
  EXPECT_TRUE(Values().empty());
  EXPECT_EQ(Post(R"({"add":[{"value":"(coffee"}]})", "?dry_run=true").status, 400);
  auto added = Ok(R"({"add":[{"value":"coffee"}]})");
  const std::string id = Str(added.at("data").as_array()[0], "id");
  auto del = Ok(R"({"delete":{"ids":[")" + id + R"("]}})", "?dry_run=true");
  EXPECT_EQ(Summary(del).at("deleted").as_int64(), 1);
  EXPECT_EQ(Values(), (std::vector<std::string>{"coffee"}));
  EXPECT_EQ(Post(R"({"add":[{"value":"x"}]})", "?dry_run=yes").status, 400);
}

TEST_F(StreamRulesTest, DeletedByIdByValueOrAllAndAMissingOneReported) {
  auto added = Ok(R"({"add":[{"value":"a1"},{"value":"b2"},{"value":"c3"},{"value":"d4"}]})");
  const std::string a = Str(added.at("data").as_array()[0], "id");
  auto del = Ok(R"({"delete":{"ids":[")" + a + R"(","12345"],"values":["c3"]}})");
  auto summary = Summary(del);
  EXPECT_EQ(summary.at("deleted").as_int64(), 2);
  EXPECT_EQ(summary.at("not_deleted").as_int64(), 1);
  const auto& errors = del.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(Str(errors[0].at("errors").as_array()[0], "message"), "Rule does not exist");
  EXPECT_EQ(Values(), (std::vector<std::string>{"b2", "d4"}));
  auto all = Ok("", "?delete_all=true");
  EXPECT_EQ(Summary(all).at("deleted").as_int64(), 2);
  EXPECT_TRUE(Values().empty());
}

TEST_F(StreamRulesTest, AnAppSeesAndDeletesOnlyItsOwnRules) {
  auto added = Ok(R"({"add":[{"value":"mine"}]})");
  const std::string id = Str(added.at("data").as_array()[0], "id");
  EXPECT_TRUE(Values(&other_).empty());
  auto r = Post(R"({"delete":{"ids":[")" + id + R"("]}})", "", &other_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("meta").at("summary").at("deleted").as_int64(), 0);
  EXPECT_EQ(Values(), (std::vector<std::string>{"mine"}));
  // The same value is another app's own rule, not a duplicate.
  ASSERT_EQ(Post(R"({"add":[{"value":"mine"}]})", "", &other_).status, 200);
  EXPECT_EQ(Values(&other_), (std::vector<std::string>{"mine"}));
}

TEST_F(StreamRulesTest, PagedByMaxResultsAndPaginationToken) {
  Ok(R"({"add":[{"value":"p1"},{"value":"p2"},{"value":"p3"}]})");
  std::vector<std::string> seen;
  std::string token;
  for (int i = 0; i < 5; ++i) {
    auto page = Rules("?max_results=2" + (token.empty() ? "" : "&pagination_token=" + token));
    for (const auto& r : page.at("data").as_array()) seen.push_back(Str(r, "value"));
    if (!page.at("meta").as_object().contains("next_token")) break;
    token = Str(page.at("meta"), "next_token");
    EXPECT_EQ(token.size(), 16u);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(server_->Get("/2/tweets/search/stream/rules?pagination_token=zz", pro_).status, 400);
  EXPECT_EQ(server_->Get("/2/tweets/search/stream/rules?max_results=1001", pro_).status, 400);
}

TEST_F(StreamRulesTest, BadBodiesArePreciseFourHundredsAndChangeNothing) {
  for (const char* body : {"", "[]", R"({"add":[]})", R"({"add":[{"tag":"x"}]})", R"({"add":[{"value":1}]})",
                           R"({"add":[{"value":"a","colour":"red"}]})", R"({"delete":{}})", R"({"delete":{"ids":["x"]}})",
                           R"({"add":[{"value":"a"}],"delete":{"ids":["1"]}})", R"({"other":1})"}) {
    auto r = Post(body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_EQ(Str(r.Json(), "title"), "Invalid Request") << body;
  }
  EXPECT_EQ(server_->Request("POST", "/2/tweets/search/stream/rules", pro_, R"({"add":[{"value":"a"}]})", "text/plain").status,
            415);
  EXPECT_TRUE(Values().empty());
}

TEST_F(StreamRulesTest, APlanWithoutTheFilteredStreamIsRefused) {
  auto r = Post(R"({"add":[{"value":"a"}]})", "", &basic_);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Str(r.Json(), "type"), "https://api.x.com/2/problems/client-forbidden");
  EXPECT_EQ(server_->Get("/2/tweets/search/stream/rules", basic_).status, 403);
}

}  // namespace
}  // namespace sluice::testing
