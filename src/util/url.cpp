#include "util/url.hpp"

#include "util/ascii.hpp"

namespace tglead::util {

namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";


bool is_unreserved(char c) {
  return ascii_alpha(c) || ascii_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Space, C0 controls and DEL: none may appear in a URL we send, and letting
// them through would allow request-line or header injection.
bool has_space_or_control(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return true;
  }
  return false;
}

// Registered names: letters, digits, '-', '.', '_'. Percent-encoded hosts and
// other sub-delims are refused so the name we check for SSRF is exactly the
// name the resolver sees.
bool is_valid_reg_name(std::string_view h) {
  bool has_alnum = false;
  for (const char c : h) {
    if (ascii_alpha(c) || ascii_digit(c)) {
      has_alnum = true;
    } else if (!(c == '-' || c == '.' || c == '_')) {
      return false;
    }
  }
  return has_alnum;
}

// Loose shape check only (hex digits, ':' and '.' for an embedded IPv4 tail).
// Zone ids ("%25eth0") are refused: they are meaningless for a remote host.
bool is_valid_ipv6_literal(std::string_view h) {
  if (h.size() < 2) return false;  // "::" is the shortest
  bool has_colon = false;
  for (const char c : h) {
    if (c == ':') {
      has_colon = true;
    } else if (!(hex_digit_value(c) >= 0 || c == '.')) {
      return false;
    }
  }
  return has_colon;
}

// Returns the port number, or 0 when `p` is not a decimal 1..65535.
unsigned parse_port(std::string_view p) {
  unsigned v = 0;
  for (const char c : p) {
    if (!ascii_digit(c)) return 0;
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > 65535) return 0;
  }
  return v;
}

}  // namespace

std::string url_encode(std::string_view value) {
  std::string out;
  out.reserve(value.size() + value.size() / 2);
  for (const char c : value) {
    if (is_unreserved(c)) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHexUpper[u >> 4]);
      out.push_back(kHexUpper[u & 0x0F]);
    }
  }
  return out;
}

std::string url_decode(std::string_view value, bool plus_as_space) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '%' && i + 2 < value.size()) {
      const int hi = hex_digit_value(value[i + 1]);
      const int lo = hex_digit_value(value[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view segment = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (segment.empty()) continue;
    const std::size_t eq = segment.find('=');
    const std::string_view key = segment.substr(0, eq);
    if (key.empty()) continue;
    const std::string_view val =
        eq == std::string_view::npos ? std::string_view{} : segment.substr(eq + 1);
    out.emplace_back(url_decode(key, true), url_decode(val, true));
  }
  return out;
}

std::optional<UrlParts> split_url(std::string_view url) {
  if (has_space_or_control(url)) return std::nullopt;

  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986 §3.1.
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0 || !ascii_alpha(url[0])) return std::nullopt;
  const std::string_view scheme = url.substr(0, sep);
  for (const char c : scheme) {
    if (!(ascii_alpha(c) || ascii_digit(c) || c == '+' || c == '-' || c == '.')) return std::nullopt;
  }

  std::string_view rest = url.substr(sep + 3);
  const std::size_t auth_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);

  // Userinfo is refused outright: it is the classic way to make a URL look
  // like it goes to one host while going to another.
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  // Browsers treat '\' as '/' in http(s) URLs; a parser that does not is
  // exploitable, so refuse the ambiguity instead.
  if (authority.find('\\') != std::string_view::npos) return std::nullopt;

  std::string_view host;
  std::string_view port;
  bool ipv6 = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
    ipv6 = true;
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }

  if (ipv6 ? !is_valid_ipv6_literal(host) : !is_valid_reg_name(host)) return std::nullopt;
  // "host:" with an empty port is legal in RFC 3986 and means the default.
  unsigned port_number = 0;
  if (!port.empty()) {
    port_number = parse_port(port);
    if (port_number == 0) return std::nullopt;
  }

  const std::size_t hash = tail.find('#');
  if (hash != std::string_view::npos) tail = tail.substr(0, hash);

  UrlParts parts;
  parts.scheme = ascii_lower(scheme);
  parts.host = ascii_lower(host);
  // Canonical form ("0080" -> "80") so callers can compare ports as strings.
  if (port_number != 0) parts.port = std::to_string(port_number);
  if (tail.empty() || tail.front() != '/') parts.path_and_query.push_back('/');
  parts.path_and_query.append(tail);
  return parts;
}

}  // namespace tglead::util
