#include "core/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

std::string Hex(const Sha256Digest& d) {
  std::string out;
  char buf[3];
  for (uint8_t b : d) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

TEST(Sha256, KnownVectors) {  // FIPS 180-2 examples
  EXPECT_EQ(Hex(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256({"abc"})), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256({"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"})),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, PartsAreConcatenated) {
  EXPECT_EQ(Sha256({"a", "", "bc"}), Sha256({"abc"}));
  EXPECT_EQ(Sha256({"", ""}), Sha256({}));
}

// Each thread has its own context: concurrent hashing gives the same digests.
TEST(Sha256, ThreadsAgree) {
  const Sha256Digest want = Sha256({"the same input"});
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) same[t] += Sha256({"the same ", "input"}) == want;
    });
  for (auto& th : threads) th.join();
  for (int n : same) EXPECT_EQ(n, 1000);
}

}  // namespace
}  // namespace sluice
