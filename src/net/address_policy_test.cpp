#include "net/address_policy.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <string>

namespace tglead::net {
namespace {

// Classifies through the sockaddr entry point, the one the client uses at connect time.
bool public_address(const std::string& text) {
  sockaddr_storage storage{};
  if (text.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr), 1) << text;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text.c_str(), &in->sin_addr), 1) << text;
  }
  return is_public_address(reinterpret_cast<const sockaddr*>(&storage));
}

TEST(AddressPolicy, NonPublicIpv4RangesAtBothEnds) {
  for (const char* text : {"0.0.0.0",        "0.255.255.255",   "10.0.0.0",        "10.255.255.255",
                           "100.64.0.0",     "100.127.255.255", "127.0.0.0",       "127.0.0.1",
                           "127.255.255.255", "169.254.0.0",    "169.254.169.254", "169.254.255.255",
                           "172.16.0.0",     "172.31.255.255",  "192.0.0.0",       "192.0.0.255",
                           "192.0.2.0",      "192.0.2.255",     "192.168.0.0",     "192.168.255.255",
                           "198.18.0.0",     "198.19.255.255",  "198.51.100.0",    "198.51.100.255",
                           "203.0.113.0",    "203.0.113.255",   "224.0.0.0",       "239.255.255.255",
                           "240.0.0.0",      "254.255.255.255", "255.255.255.255"}) {
    EXPECT_FALSE(public_address(text)) << text;
  }
}

TEST(AddressPolicy, PublicIpv4JustOutsideEachRange) {
  for (const char* text : {"1.0.0.0",        "9.255.255.255",  "11.0.0.0",      "100.63.255.255", "100.128.0.0",
                           "126.255.255.255", "128.0.0.0",     "169.253.255.255", "169.255.0.0",  "172.15.255.255",
                           "172.32.0.0",     "192.0.1.0",      "192.0.3.0",     "192.167.255.255", "192.169.0.0",
                           "198.17.255.255", "198.20.0.0",     "198.51.99.255", "198.51.101.0",   "203.0.112.255",
                           "203.0.114.0",    "223.255.255.255", "8.8.8.8",      "1.1.1.1"}) {
    EXPECT_TRUE(public_address(text)) << text;
  }
}

TEST(AddressPolicy, NonPublicIpv6Ranges) {
  for (const char* text : {"::", "::1", "fe80::", "fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::1",
                           "feff::1", "fc00::", "fd12:3456::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ff00::",
                           "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::", "2001:db8:ffff::1",
                           "64:ff9b:1::1"}) {
    EXPECT_FALSE(public_address(text)) << text;
  }
}

TEST(AddressPolicy, PublicIpv6) {
  for (const char* text : {"2606:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::1", "2001:db7:ffff::1",
                           "2001:db9::1", "fbff:ffff::1", "64:ff9c::1"}) {
    EXPECT_TRUE(public_address(text)) << text;
  }
}

TEST(AddressPolicy, EmbeddedIpv4IsJudgedByTheEmbeddedAddress) {
  // IPv4-mapped ::ffff:0:0/96
  EXPECT_FALSE(public_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(public_address("::ffff:10.1.2.3"));
  EXPECT_FALSE(public_address("::ffff:169.254.169.254"));
  EXPECT_TRUE(public_address("::ffff:8.8.8.8"));
  // NAT64 64:ff9b::/96
  EXPECT_FALSE(public_address("64:ff9b::127.0.0.1"));
  EXPECT_FALSE(public_address("64:ff9b::c0a8:101"));  // 192.168.1.1
  EXPECT_TRUE(public_address("64:ff9b::808:808"));    // 8.8.8.8
  // IPv4-compatible ::/96
  EXPECT_FALSE(public_address("::127.0.0.1"));
  EXPECT_FALSE(public_address("::192.168.0.1"));
  EXPECT_TRUE(public_address("::8.8.8.8"));
}

TEST(AddressPolicy, OtherFamiliesAndNullAreNotPublic) {
  EXPECT_FALSE(is_public_address(nullptr));
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  EXPECT_FALSE(is_public_address(reinterpret_cast<const sockaddr*>(&un)));
}

TEST(AddressPolicy, IpLiterals) {
  EXPECT_EQ(is_public_ip_literal("8.8.8.8"), true);
  EXPECT_EQ(is_public_ip_literal("1.1.1.1"), true);
  EXPECT_EQ(is_public_ip_literal("127.0.0.1"), false);
  EXPECT_EQ(is_public_ip_literal("10.0.0.1"), false);
  EXPECT_EQ(is_public_ip_literal("2606:4700::1111"), true);
  EXPECT_EQ(is_public_ip_literal("[2606:4700::1111]"), true);
  EXPECT_EQ(is_public_ip_literal("[::1]"), false);
  EXPECT_EQ(is_public_ip_literal("::ffff:127.0.0.1"), false);
  EXPECT_EQ(is_public_ip_literal("[::ffff:127.0.0.1]"), false);
  EXPECT_EQ(is_public_ip_literal("fe80::1%eth0"), false);
  EXPECT_EQ(is_public_ip_literal("[fe80::1%25eth0]"), false);
}

TEST(AddressPolicy, NumericSpellingsOfIpv4AreLiterals) {
  EXPECT_EQ(is_public_ip_literal("2130706433"), false);  // 127.0.0.1
  EXPECT_EQ(is_public_ip_literal("0x7f.1"), false);
  EXPECT_EQ(is_public_ip_literal("0x7f000001"), false);
  EXPECT_EQ(is_public_ip_literal("0177.0.0.1"), false);
  EXPECT_EQ(is_public_ip_literal("127.1"), false);
  EXPECT_EQ(is_public_ip_literal("10.1.1"), false);
  EXPECT_EQ(is_public_ip_literal("134744072"), true);  // 8.8.8.8
  EXPECT_EQ(is_public_ip_literal("0x08080808"), true);
}

TEST(AddressPolicy, HostNamesAreNotLiterals) {
  for (const char* text : {"", "example.com", "localhost", "api.telegram.org", "deadbeef", "1.2.3.4 ", "1.2.3.4 x",
                           "999.1.1.1", "1.2.3.4.5", "[example.com]", "::1]", "fe80::zz"}) {
    EXPECT_EQ(is_public_ip_literal(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace tglead::net
