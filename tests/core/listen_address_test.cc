#include "core/listen_address.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ListenAddress, ReadsIpv4AndBracketedIpv6) {
  auto a = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = ParseListenAddress("[::1]:8080");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 8080);
  a = ParseListenAddress("0.0.0.0:0");  // port 0: the system picks one
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port, 0);
  EXPECT_TRUE(ParseListenAddress("127.0.0.1:65535").ok());
  EXPECT_TRUE(ParseListenAddress("[::]:80").ok());
}

TEST(ListenAddress, RefusesEachBadFormWithItsReason) {
  auto reason = [](std::string_view text) {
    auto a = ParseListenAddress(text);
    return a.ok() ? std::string("accepted") : a.status().message();
  };
  EXPECT_EQ(reason("127.0.0.1:abc"), "the port 'abc' is not an integer");
  EXPECT_EQ(reason("127.0.0.1: 80"), "the port ' 80' is not an integer");
  EXPECT_EQ(reason("127.0.0.1:"), "expected IPv4:PORT or [IPv6]:PORT (no port)");
  EXPECT_EQ(reason(":80"), "expected IPv4:PORT or [IPv6]:PORT (no host)");
  EXPECT_EQ(reason("127.0.0.1"), "expected IPv4:PORT or [IPv6]:PORT");
  EXPECT_EQ(reason("127.0.0.1:70000"), "the port must be 0..65535");
  EXPECT_EQ(reason("127.0.0.1:-1"), "the port must be 0..65535");
  EXPECT_EQ(reason("localhost:8080"),
            "'localhost' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
  EXPECT_EQ(reason("::1:8080"), "'::1' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
  EXPECT_EQ(reason("[127.0.0.1]:80"),
            "'127.0.0.1' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
  EXPECT_EQ(reason("a\nb:80"), "'a\\nb' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
  // inet_pton stops at a NUL; the host is refused whole (found by parse_fuzz).
  EXPECT_EQ(reason(std::string_view("1.0.0.2\0x:80", 12)),
            "'1.0.0.2\\x00x' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
  EXPECT_EQ(reason("256.0.0.1:80"),
            "'256.0.0.1' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)");
}

}  // namespace
}  // namespace sluice
