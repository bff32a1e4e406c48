#include "access/tokens.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice {
namespace {

TEST(Tokens, RandomPrefixedAndHashed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = GenerateToken();
    EXPECT_EQ(t.rfind("sl_", 0), 0u);
    EXPECT_EQ(t.size(), 47u);
    EXPECT_TRUE(seen.insert(t).second);
  }
  EXPECT_EQ(HashToken("abc").size(), 32u);
  EXPECT_EQ(HashToken("abc"), HashToken("abc"));
  EXPECT_NE(HashToken("abc"), HashToken("abd"));
}

TEST(Tokens, ParsesBearerHeader) {
  EXPECT_EQ(ParseBearer("Bearer abc"), "abc");
  EXPECT_EQ(ParseBearer("bearer  abc "), "abc");
  EXPECT_FALSE(ParseBearer("").has_value());
  EXPECT_FALSE(ParseBearer("Basic abc").has_value());
  EXPECT_FALSE(ParseBearer("Bearer ").has_value());
  EXPECT_FALSE(ParseBearer("Bearer a b").has_value());
}

}  // namespace
}  // namespace sluice
