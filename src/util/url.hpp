// URL encoding, query-string parsing and a strict absolute-URL splitter.
//
// url_encode() produces RFC 3986 percent-encoding that is safe in any URL
// component: only the unreserved set A-Z a-z 0-9 - . _ ~ is kept, every other
// byte (UTF-8 included, byte by byte) becomes %XX with uppercase hex. It is
// what postback macros and links use for values from strangers.
//
// url_decode() and parse_query() never fail: a malformed escape such as "%G1"
// or a trailing "%" is kept literally, because rejecting a whole request over
// one stray '%' helps nobody. Decoded bytes are not validated as UTF-8; callers
// that need text validate it themselves.
//
// split_url() is deliberately stricter than browsers. It exists for outgoing
// requests (postbacks), where a permissive parser is an SSRF risk: anything it
// cannot read unambiguously -- userinfo ("user:pw@host"), whitespace or
// control characters, a bad port, odd host characters -- is rejected rather
// than guessed at.
//
// Thread-safety: stateless; all functions may be called concurrently.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tglead::util {

std::string url_encode(std::string_view value);

// `plus_as_space` is true for query strings and form bodies
// (application/x-www-form-urlencoded), false for paths.
std::string url_decode(std::string_view value, bool plus_as_space);

// Splits "a=1&b=x%20y&flag&postbacks%5Bwait%5D=..." into decoded (key, value)
// pairs in input order, duplicates kept. '+' means space; "flag" gives
// ("flag", ""); the value runs to the next '&' and may contain '='. Empty
// segments ("a=1&&b=2", a trailing '&') and segments with an empty key ("=x")
// are skipped. The input must not include the leading '?'.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

struct UrlParts {
  std::string scheme;          // lowercased, e.g. "https"
  std::string host;            // lowercased; an IPv6 literal without its brackets
  std::string port;            // canonical decimal 1..65535 ("0080" -> "80"), or empty when the URL names none
  std::string path_and_query;  // always starts with '/'; the #fragment is dropped
};

// Splits an absolute URL "scheme://host[:port][/path][?query][#fragment]".
// Returns nullopt for: no "scheme://", a missing or malformed host, userinfo,
// a non-numeric or out-of-range port, or any space/control character.
// The scheme is not restricted here; callers decide which ones they accept.
std::optional<UrlParts> split_url(std::string_view url);

}  // namespace tglead::util
