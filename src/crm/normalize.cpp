#include "crm/normalize.hpp"

#include <string>

#include "util/ascii.hpp"

namespace tglead::crm {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
using util::ascii_alpha;
using util::ascii_digit;
using util::ascii_lower;
using util::ascii_upper;

// Trims ASCII spaces and UTF-8 no-break spaces (U+00A0), common in spreadsheet exports.
std::string_view trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && is_space(s.front())) {
      s.remove_prefix(1);
    } else if (s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0xC2 && static_cast<unsigned char>(s[1]) == 0xA0) {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && is_space(s.back())) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && static_cast<unsigned char>(s[s.size() - 2]) == 0xC2 &&
               static_cast<unsigned char>(s.back()) == 0xA0) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (ascii_lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

Normalized fail(std::string reason) { return Normalized{"", std::move(reason)}; }

}  // namespace

std::string clean_text(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.size() >= 2 && s[0] == '\'' && (s[1] == '=' || s[1] == '+' || s[1] == '-' || s[1] == '@')) s.remove_prefix(1);
  return std::string(s);
}

Normalized normalize_username(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) return {};
  std::string_view original = s;
  bool link = false;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (starts_with_ci(s, scheme)) {
      s.remove_prefix(scheme.size());
      link = true;
    }
  }
  if (starts_with_ci(s, "tg://resolve?")) {
    s.remove_prefix(13);
    auto at = s.find("domain=");
    if (at == std::string_view::npos) return fail("'" + std::string(original) + "' is a tg:// link without a username");
    s = s.substr(at + 7);
    s = s.substr(0, s.find('&'));
  } else {
    if (starts_with_ci(s, "www.")) s.remove_prefix(4);
    for (std::string_view host : {"t.me/", "telegram.me/", "telegram.dog/"}) {
      if (starts_with_ci(s, host)) {
        s.remove_prefix(host.size());
        link = true;
        break;
      }
    }
    if (link) {
      s = s.substr(0, s.find_first_of("?#"));
      while (!s.empty() && s.back() == '/') s.remove_suffix(1);
      if (starts_with_ci(s, "s/")) s.remove_prefix(2);  // t.me/s/NAME: the web preview of a channel
      if (!s.empty() && (s.front() == '+' || starts_with_ci(s, "joinchat/"))) {
        return fail("'" + std::string(original) + "' is an invite link, not a username");
      }
      if (s.find('/') != std::string_view::npos) {
        return fail("'" + std::string(original) + "' is a message or private-chat link, not a username");
      }
    }
  }
  if (!link && !s.empty() && s.front() == '@') s.remove_prefix(1);
  if (s.empty()) return fail("'" + std::string(original) + "' holds no username");
  for (char c : s) {
    if (!ascii_alpha(c) && !ascii_digit(c) && c != '_') {
      return fail("username '" + std::string(s) + "' may contain only Latin letters, digits and underscores");
    }
  }
  if (s.size() < 5 || s.size() > 32) {
    return fail("username '" + std::string(s) + "' must be 5-32 characters long (has " + std::to_string(s.size()) +
                ")");
  }
  if (!ascii_alpha(s.front())) return fail("username '" + std::string(s) + "' must start with a letter");
  if (s.back() == '_') return fail("username '" + std::string(s) + "' must not end with an underscore");
  return Normalized{std::string(s), ""};
}

std::string username_key(std::string_view username) {
  std::string key(username);
  for (char& c : key) c = ascii_lower(c);
  return key;
}

Normalized normalize_country(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) return {};
  if (s.size() != 2 || !ascii_alpha(s[0]) || !ascii_alpha(s[1])) {
    return fail("country '" + std::string(s) + "' must be a two-letter ISO 3166 code such as DE");
  }
  return Normalized{std::string{ascii_upper(s[0]), ascii_upper(s[1])}, ""};
}

Normalized normalize_language(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) return {};
  std::string out;
  std::size_t part = 0;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find_first_of("-_", start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view sub = s.substr(start, end - start);
    bool ok = part == 0 ? (sub.size() >= 2 && sub.size() <= 3) : (sub.size() >= 2 && sub.size() <= 8);
    for (char c : sub) ok = ok && (part == 0 ? ascii_alpha(c) : (ascii_alpha(c) || ascii_digit(c)));
    if (!ok || part > 3) return fail("language '" + std::string(s) + "' must be a language code such as en or pt-BR");
    if (part > 0) out += '-';
    for (char c : sub) out += part == 0 ? ascii_lower(c) : (sub.size() == 2 ? ascii_upper(c) : c);
    ++part;
    start = end + 1;
    if (end == s.size()) break;
  }
  return Normalized{out, ""};
}

}  // namespace tglead::crm
