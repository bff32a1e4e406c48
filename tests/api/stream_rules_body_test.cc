// ParseStreamRulesBody (api/stream_rules_body.h): X's UpdateRulesRequest, exactly one of add and
// delete (neither with delete_all), each fault a 400 naming the member.
#include "api/stream_rules_body.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string FaultOf(std::string_view body, bool delete_all = false) {
  auto r = ParseStreamRulesBody(body, delete_all);
  if (r.ok()) return "(parsed)";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest) << body;
  return r.status().parameter_errors().empty() ? "" : r.status().parameter_errors()[0].parameter;
}

TEST(StreamRulesBody, AnAddWithValuesAndOptionalTags) {
  auto r = ParseStreamRulesBody(R"({"add":[{"value":"cat has:media","tag":"cats"},{"value":"dog"}]})", false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->add.size(), 2u);
  EXPECT_EQ(r->add[0].value, "cat has:media");
  EXPECT_EQ(r->add[0].tag, "cats");
  EXPECT_FALSE(r->add[1].tag.has_value());
  EXPECT_TRUE(r->is_add());
}

TEST(StreamRulesBody, ADeleteByIdsAndValues) {
  auto r = ParseStreamRulesBody(R"({"delete":{"ids":["1273026480692322304"],"values":["dog"]}})", false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->is_add());
  EXPECT_EQ(r->delete_ids, std::vector<Id>{1273026480692322304});
  EXPECT_EQ(r->delete_values, std::vector<std::string>{"dog"});
}

TEST(StreamRulesBody, DeleteAllTakesAnEmptyBodyOrAnEmptyObjectOnly) {
  EXPECT_EQ(FaultOf("", true), "(parsed)");
  EXPECT_EQ(FaultOf(" {} ", true), "(parsed)");
  EXPECT_EQ(FaultOf(R"({"add":[{"value":"a"}]})", true), "delete_all");
}

TEST(StreamRulesBody, EachFaultNamesItsMember) {
  EXPECT_EQ(FaultOf(""), "body");
  EXPECT_EQ(FaultOf("[1]"), "body");
  EXPECT_EQ(FaultOf("{}"), "body");
  EXPECT_EQ(FaultOf(R"({"add":[{"value":"a"}],"delete":{"ids":["1"]}})"), "body");
  EXPECT_EQ(FaultOf(R"({"colour":1})"), "colour");
  EXPECT_EQ(FaultOf(R"({"add":[]})"), "add");
  EXPECT_EQ(FaultOf(R"({"add":["a"]})"), "add");
  EXPECT_EQ(FaultOf(R"({"add":[{"tag":"t"}]})"), "value");
  EXPECT_EQ(FaultOf(R"({"add":[{"value":"a","tag":3}]})"), "tag");
  EXPECT_EQ(FaultOf(R"({"add":[{"value":"a","id":"1"}]})"), "id");
  EXPECT_EQ(FaultOf(R"({"delete":{}})"), "delete");
  EXPECT_EQ(FaultOf(R"({"delete":{"ids":[1]}})"), "ids");
  EXPECT_EQ(FaultOf(R"({"delete":{"ids":["12a"]}})"), "ids");
  EXPECT_EQ(FaultOf(R"({"delete":{"ids":["99999999999999999999"]}})"), "ids");
  EXPECT_EQ(FaultOf(R"({"delete":{"values":[null]}})"), "values");
  EXPECT_EQ(FaultOf(R"({"delete":{"ids":[],"values":[]}})"), "delete");
}

}  // namespace
}  // namespace sluice
