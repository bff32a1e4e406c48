#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(JsonWriter, NestsAndSeparates) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("id", 1460323737035677698);
  w.Key("list");
  w.BeginArray();
  w.Int(1);
  w.Bool(false);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Key("raw");
  w.Raw(R"({"a":1})");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"id":"1460323737035677698","list":[1,false,null,{}],"raw":{"a":1}})");
}

TEST(JsonWriter, EscapesControlQuotesAndBackslash) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\x01\x1f", 8) + "é🙂");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u001fé🙂\"");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(JsonWriter, MemberIdArrayWritesIdsAsStrings) {
  JsonWriter w;
  w.BeginObject();
  std::vector<int64_t> ids = {1, 1234567890123456789};
  w.MemberIdArray("ids", ids);
  w.MemberIdArray("none", {});
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"ids":["1","1234567890123456789"],"none":[]})");
}

}  // namespace
}  // namespace sluice
