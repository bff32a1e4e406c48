#include "access/tokens.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

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

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(Tokens, HashIsSha256) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(Hex(HashToken("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(HashToken("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(HashToken("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Tokens, HashingFromSeveralThreadsAgrees) {
  // The digest is fetched once and shared; each thread has its own context.
  std::vector<std::string> tokens;
  for (int i = 0; i < 64; ++i) tokens.push_back(GenerateToken());
  std::vector<std::string> expected;
  for (const auto& t : tokens) expected.push_back(HashToken(t));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      for (int round = 0; round < 200; ++round)
        for (size_t i = 0; i < tokens.size(); ++i) mismatches[size_t(k)] += HashToken(tokens[i]) != expected[i];
    });
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
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
