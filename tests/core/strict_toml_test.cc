#include "core/strict_toml.h"

#include <gtest/gtest.h>

#include "core/config.h"

namespace sluice {
namespace {

std::string ErrorOf(std::string_view text) {
  auto table = ParseToml(text, "f.toml");
  return table.ok() ? "(parsed)" : table.status().message();
}

// toml++ 3.3 reaches __builtin_unreachable when it asks whether most non-ASCII code points are
// white space (found by fuzzing the config loader under UBSan): a file with one between tokens
// is refused before toml++ reads it.
TEST(StrictToml, RefusesNonAsciiOutsideStringsAndComments) {
  EXPECT_EQ(ErrorOf("a = 1\n\xC3\xA9\n"), "f.toml:2: a non-ASCII character outside a string or comment");
  EXPECT_EQ(ErrorOf("a = \xC3\xA9\n"), "f.toml:1: a non-ASCII character outside a string or comment");
  EXPECT_EQ(ErrorOf("cl\xC3\xA9 = 1\n"), "f.toml:1: a non-ASCII character outside a string or comment");
  EXPECT_EQ(ErrorOf("[server]\nworkers\xEF\xBB\xB7 = 1\n"), "f.toml:2: a non-ASCII character outside a string or comment");
  EXPECT_EQ(ErrorOf("s = \"\"\"\\\n\xC2\xA7\"\"\"\n"), "f.toml:2: a non-ASCII character right after a backslash in a multi-line string");
  EXPECT_EQ(ErrorOf("s = \"\"\"\\\xC3\xA9\"\"\"\n"), "f.toml:1: a non-ASCII character right after a backslash in a multi-line string");
}

TEST(StrictToml, ReadsNonAsciiInStringsAndComments) {
  auto table = ParseToml("\xEF\xBB\xBF# caf\xC3\xA9\na = \"caf\xC3\xA9\"\nb = 'th\xC3\xA9'\n\"cl\xC3\xA9\" = 1\n"
                         "c = \"\"\"\n\xC3\xA9t\xC3\xA9 \"\" \\\"\n\\\n  x \xC3\xA9\"\"\"\"\nd = '''\xC3\xA9''''\n"
                         "e = \"\\\\\" # \xC3\xA9\n",
                         "f.toml");
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->at("a").value<std::string>(), "caf\xC3\xA9");
  EXPECT_EQ(table->at("c").value<std::string>(), "\xC3\xA9t\xC3\xA9 \"\" \"\nx \xC3\xA9\"");
  EXPECT_EQ(table->at("d").value<std::string>(), "\xC3\xA9'");
  EXPECT_EQ(table->at("e").value<std::string>(), "\\");
  EXPECT_TRUE(table->contains("cl\xC3\xA9"));
  // Quoted keys and strings in headers, dotted keys, arrays and inline tables.
  table = ParseToml("[a.\"\xC3\xA9\"]\nx.'\xC3\xA9' = [\"\xC3\xA9\", '\xC3\xA9',\n  \"\xC3\xA9\"]\n"
                    "[[b.\"\xC3\xA9\"]]\ny = { \"\xC3\xA9\" = 1, z.\"\xC3\xA9\" = [{ w = \"\xC3\xA9\" }] }\n",
                    "f.toml");
  ASSERT_TRUE(table.ok()) << table.status().message();
}

// Where TOML starts no string, a quote is part of the text around it, as toml++ reads it: a
// non-ASCII character after it is outside a string (a value toml++ scans to its end).
TEST(StrictToml, AQuoteWhereNoStringStartsOpensNone) {
  EXPECT_EQ(ErrorOf("f = 10\x1f'x\xEF\xBB\xBB'\n"), "f.toml:1: a non-ASCII character outside a string or comment");
  EXPECT_EQ(ErrorOf("a = [1.\"\xC3\xA9\"]\n"), "f.toml:1: a non-ASCII character outside a string or comment");
  EXPECT_EQ(ErrorOf("a = true\"\xC3\xA9\"\n"), "f.toml:1: a non-ASCII character outside a string or comment");
}

TEST(StrictToml, TypedReadsNameTheFileAndTheKey) {
  auto table = ParseToml("n = 5\ns = \"x\"\nb = true\nl = [\"a\", 1]\n", "f.toml");
  ASSERT_TRUE(table.ok());
  StrictToml toml("f.toml");
  EXPECT_EQ(*toml.Integer("t.n", table->at("n"), 0, 10), 5);
  EXPECT_EQ(toml.Integer("t.n", table->at("n"), 6, 10).status().message(), "f.toml: key 't.n' must be 6..10");
  EXPECT_EQ(toml.Integer("t.s", table->at("s")).status().message(), "f.toml: key 't.s' has the wrong type (string)");
  EXPECT_EQ(*toml.String("t.s", table->at("s")), "x");
  EXPECT_TRUE(*toml.Bool("t.b", table->at("b")));
  EXPECT_EQ(toml.Strings("t.l", table->at("l")).status().message(), "f.toml: key 't.l' must be an array of strings");
  EXPECT_EQ(toml.Unknown("t.s", table->at("s")).message(), "f.toml: unknown key 't.s'");
  EXPECT_EQ(toml.Bad("a\nb", "is bad").message(), "f.toml: key 'a\\nb' is bad");
}

}  // namespace
}  // namespace sluice
