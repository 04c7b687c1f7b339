#include "net/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace tglead::net {
namespace {

struct V4Block {
  std::uint32_t network;
  int prefix;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

constexpr std::array<V4Block, 14> kNonPublicV4 = {{
    {v4(0, 0, 0, 0), 8},
    {v4(10, 0, 0, 0), 8},
    {v4(100, 64, 0, 0), 10},
    {v4(127, 0, 0, 0), 8},
    {v4(169, 254, 0, 0), 16},
    {v4(172, 16, 0, 0), 12},
    {v4(192, 0, 0, 0), 24},
    {v4(192, 0, 2, 0), 24},
    {v4(192, 168, 0, 0), 16},
    {v4(198, 18, 0, 0), 15},
    {v4(198, 51, 100, 0), 24},
    {v4(203, 0, 113, 0), 24},
    {v4(224, 0, 0, 0), 4},
    {v4(240, 0, 0, 0), 4},  // also covers 255.255.255.255
}};

bool is_public_v4(std::uint32_t host_order) {
  for (const auto& block : kNonPublicV4) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - block.prefix);
    if ((host_order & mask) == block.network) return false;
  }
  return true;
}

using V6 = std::array<std::uint8_t, 16>;

bool has_prefix(const V6& a, const V6& prefix, int bits) {
  int i = 0;
  for (; bits >= 8; bits -= 8, ++i) {
    if (a[i] != prefix[i]) return false;
  }
  if (bits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
  return (a[i] & mask) == (prefix[i] & mask);
}

std::uint32_t embedded_v4(const V6& a) {
  return (std::uint32_t{a[12]} << 24) | (std::uint32_t{a[13]} << 16) | (std::uint32_t{a[14]} << 8) |
         std::uint32_t{a[15]};
}

bool is_public_v6(const V6& a) {
  static constexpr V6 kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0};
  static constexpr V6 kCompatible = {};
  static constexpr V6 kNat64 = {0x00, 0x64, 0xFF, 0x9B};
  // ::/128 and ::1 fall inside ::/96 and embed 0.0.0.0/0.0.0.1, which are
  // non-public, so the embedded-v4 rule covers them too.
  if (has_prefix(a, kMapped, 96) || has_prefix(a, kCompatible, 96) || has_prefix(a, kNat64, 96)) {
    return is_public_v4(embedded_v4(a));
  }
  struct Block {
    V6 prefix;
    int bits;
  };
  static constexpr std::array<Block, 6> kNonPublic = {{
      {{0xFE, 0x80}, 10},                    // link-local
      {{0xFE, 0xC0}, 10},                    // deprecated site-local, still routed internally by some networks
      {{0xFC, 0x00}, 7},                     // unique local
      {{0xFF, 0x00}, 8},                     // multicast
      {{0x20, 0x01, 0x0D, 0xB8}, 32},        // documentation
      {{0x00, 0x64, 0xFF, 0x9B, 0, 1}, 48},  // local-use NAT64 (RFC 8215): the translator is on our network
  }};
  for (const auto& block : kNonPublic) {
    if (has_prefix(a, block.prefix, block.bits)) return false;
  }
  return true;
}

// inet_aton stops at whitespace and accepts what follows it, so anything but
// the characters of its numeric forms must be rejected first.
bool looks_like_inet_aton(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == 'x' ||
                    c == 'X' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_public_address(const sockaddr* addr) {
  if (addr == nullptr) return false;
  if (addr->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, addr, sizeof in);
    return is_public_v4(ntohl(in.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, addr, sizeof in6);
    V6 bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return is_public_v6(bytes);
  }
  return false;
}

std::optional<bool> is_public_ip_literal(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.find(':') != std::string_view::npos) {
    const std::string address(text.substr(0, text.find('%')));
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, address.c_str(), &in6.sin6_addr) != 1) return std::nullopt;
    return is_public_address(reinterpret_cast<const sockaddr*>(&in6));
  }
  if (!looks_like_inet_aton(text)) return std::nullopt;
  const std::string address(text);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  if (inet_aton(address.c_str(), &in.sin_addr) == 0) return std::nullopt;
  return is_public_address(reinterpret_cast<const sockaddr*>(&in));
}

}  // namespace tglead::net
