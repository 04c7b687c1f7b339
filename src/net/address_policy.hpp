// Classifies IP addresses as public (globally routable, safe to let an outbound
// request reach) or not, for the SSRF guard of user-supplied URLs such as
// tracker postbacks. The outbound client applies is_public_address() to the
// address it is about to connect to, so DNS rebinding and numeric host
// spellings cannot slip past; is_public_ip_literal() lets configuration code
// reject an obviously private URL early with a clear message.
//
// Non-public: IPv4 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12,
// 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24,
// 224/4, 240/4 (which includes 255.255.255.255); IPv6 ::/128, ::1, fe80::/10,
// fec0::/10, fc00::/7, ff00::/8, 2001:db8::/32, 64:ff9b:1::/48. Addresses that
// embed an IPv4 address (64:ff9b::/96 NAT64, ::ffff:0:0/96 mapped, ::/96
// compatible) are judged by the embedded address.
//
// Thread-safety: pure functions without state; call them from any thread.
#pragma once

#include <optional>
#include <string_view>

struct sockaddr;

namespace tglead::net {

// False for families other than AF_INET/AF_INET6 and for a null pointer.
bool is_public_address(const sockaddr* addr);

// nullopt when `text` is not an IP literal (i.e. it is a host name). Accepts
// what resolvers and URL parsers accept as IPv4: dotted quads and the
// inet_aton forms ("2130706433", "0x7f.1", "0177.0.0.1"); IPv6 optionally in
// brackets and with a zone id ("[fe80::1%eth0]").
std::optional<bool> is_public_ip_literal(std::string_view text);

}  // namespace tglead::net
