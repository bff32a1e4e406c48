#include "provenance/jsonl_line.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

struct Parsed {
  bool ok = false;
  std::string text, id, why;
  bool operator==(const Parsed&) const = default;
};

Parsed ParseWith(JsonlLineParser& parser, const std::string& line) {
  Parsed r;
  std::string_view text, id;
  r.ok = parser.Parse(line, text, id, r.why);
  if (r.ok) r.text = text, r.id = id;
  return r;
}

std::ostream& operator<<(std::ostream& os, const Parsed& p) {
  return os << (p.ok ? "ok text=[" + p.text + "] id=[" + p.id + "]" : "malformed: " + p.why);
}

TEST(JsonlLine, FlatObjects) {
  JsonlLineParser parser;
  EXPECT_EQ(ParseWith(parser, R"({"text": "Bonjour à tous", "id": "42"})"), (Parsed{true, "Bonjour à tous", "42", ""}));
  EXPECT_EQ(ParseWith(parser, R"( {"id":17,"lang":"fr","n":-1.5,"x":null,"text":"a"} )"), (Parsed{true, "a", "17", ""}));
  EXPECT_EQ(ParseWith(parser, R"({"text":"a","id":true})"), (Parsed{true, "a", "", ""}));
  EXPECT_EQ(ParseWith(parser, R"({"text":"a","id":"true"})"), (Parsed{true, "a", "true", ""}));
  EXPECT_EQ(ParseWith(parser, R"({"text":"first","text":"last"})"), (Parsed{true, "last", "", ""}));
  EXPECT_EQ(ParseWith(parser, R"({"text":"esc\"aped \u00e9"})"), (Parsed{true, "esc\"aped é", "", ""}));
  EXPECT_FALSE(ParseWith(parser, R"({"text":5})").ok);
  EXPECT_FALSE(ParseWith(parser, R"({"id":"1"})").ok);
  // Invalid UTF-8 is scanned as it is (normalisation drops the bad bytes), not refused.
  EXPECT_EQ(ParseWith(parser, "{\"text\":\"bad \xC3\x28 utf8\"}"), (Parsed{true, "bad \xC3\x28 utf8", "", ""}));
  EXPECT_FALSE(ParseWith(parser, "{\"text\":\"tab\tinside\"}").ok);
  EXPECT_FALSE(ParseWith(parser, R"({"text":"a"} x)").ok);
  EXPECT_FALSE(ParseWith(parser, R"(["text"])").ok);
}

// The fast path must accept exactly what Boost.JSON accepts, with the same text and id, on
// lines built from pieces that stress both: numbers at the edges of the grammar, escapes,
// control bytes, every kind of UTF-8 error, nesting, truncation.
TEST(JsonlLine, FastPathAgreesWithBoostJson) {
  JsonlLineParser fast;
  JsonlLineParser boost_only(/*fast_path=*/false);
  const std::vector<std::string> keys = {"\"text\"", "\"id\"", "\"lang\"", "\"te\\u0078t\"", "\"\"", "text", "\"text"};
  const std::vector<std::string> values = {
      "\"hello world\"", "\"\"", "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"",
      "\"\xF4\x90\x80\x80\"", "\"\xE2\x82\"", "\"\x7F\"", "\"a\\\"b\"", "\"a\\nb\"", "\"\x01\"", "0", "-0", "01", "-",
      "1.", ".5", "1.25", "-12.5", "1e5", "1E-2", "123456789012345678", "1234567890123456789",
      "99999999999999999999999", "true", "false", "null", "tru", "nul", "[1,2]", "{\"text\":\"in\"}", "{}", "[]"};
  const std::vector<std::string> spaces = {"", " ", "\t", "\r", "  ", "\n"};
  std::mt19937_64 rng(5);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  int agreed_ok = 0;
  for (int trial = 0; trial < 200000; ++trial) {
    std::string line = pick(spaces) + "{" + pick(spaces);
    for (int m = static_cast<int>(rng() % 4); m > 0; --m) {
      line += pick(keys) + pick(spaces) + (rng() % 20 ? ":" : "") + pick(spaces) + pick(values) + pick(spaces);
      if (m > 1) line += rng() % 20 ? "," : "";
    }
    if (rng() % 3 == 0) line += "," + pick(spaces) + "\"text\":" + pick(values);
    line += rng() % 20 ? "}" : "";
    line += pick(spaces);
    if (rng() % 30 == 0) line.resize(rng() % (line.size() + 1));
    const Parsed a = ParseWith(fast, line), b = ParseWith(boost_only, line);
    ASSERT_EQ(a, b) << "line: " << line;
    agreed_ok += a.ok;
  }
  EXPECT_GT(agreed_ok, 2000);  // the generator makes valid lines too (4,813 of them)
}

}  // namespace
}  // namespace sluice
