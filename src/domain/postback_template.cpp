#include "domain/postback_template.hpp"

#include <algorithm>

#include "util/ascii.hpp"
#include "util/url.hpp"

namespace tglead::domain {

namespace {

// Longest macro names are "status_code" and "campaign_id". Bounding the
// lookahead keeps expansion linear even on "{{{{{{..." input.
constexpr std::size_t kMaxMacroName = 11;

const std::string* macro_value(std::string_view name, const MacroValues& v) {
  switch (name.size()) {
    case 3:
      if (name == "tid") return &v.tid;
      break;
    case 4:
      if (name == "user") return &v.user;
      if (name == "lead") return &v.lead;
      if (name == "chat") return &v.chat;
      if (name == "time") return &v.time;
      break;
    case 5:
      if (name == "click") return &v.click;
      break;
    case 6:
      if (name == "status") return &v.status;
      break;
    case 8:
      if (name == "campaign") return &v.campaign;
      if (name == "username") return &v.username;
      break;
    case 9:
      if (name == "last_name") return &v.last_name;
      break;
    case 10:
      if (name == "subscriber") return &v.subscriber;
      if (name == "first_name") return &v.first_name;
      break;
    case 11:
      if (name == "status_code") return &v.status_code;
      if (name == "campaign_id") return &v.campaign_id;
      break;
    default:
      break;
  }
  return nullptr;
}

template <bool kEncode>
std::string expand(std::string_view tmpl, const MacroValues& v) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const std::size_t open = tmpl.find('{', i);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    out.append(tmpl.substr(i, open - i));
    std::size_t j = open + 1;
    const std::size_t limit = std::min(tmpl.size(), open + 2 + kMaxMacroName);
    while (j < limit && tmpl[j] != '{' && tmpl[j] != '}') ++j;
    const std::string* value = nullptr;
    if (j < limit && tmpl[j] == '}') value = macro_value(tmpl.substr(open + 1, j - open - 1), v);
    if (value != nullptr) {
      if constexpr (kEncode) {
        out.append(util::url_encode(*value));
      } else {
        out.append(*value);
      }
      i = j + 1;
    } else {
      // Not a macro: emit the brace and rescan right after it, so "{{click}"
      // still finds "{click}".
      out.push_back('{');
      i = open + 1;
    }
  }
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() && util::ascii_iequals(s.substr(0, lower_prefix.size()), lower_prefix);
}

}  // namespace

std::string expand_url_template(std::string_view tmpl, const MacroValues& v) {
  return expand<true>(tmpl, v);
}

std::string expand_text_template(std::string_view tmpl, const MacroValues& v) {
  return expand<false>(tmpl, v);
}

bool TemplateSet::any() const {
  for (const std::string& t : by_status) {
    if (!t.empty()) return true;
  }
  return false;
}

const std::string& TemplateSet::operator[](LeadStatus status) const {
  return by_status.at(static_cast<std::size_t>(status));
}

std::string& TemplateSet::operator[](LeadStatus status) {
  return by_status.at(static_cast<std::size_t>(status));
}

const std::string& choose_template(const TemplateSet& campaign, const TemplateSet& profile,
                                   LeadStatus status) {
  return campaign.any() ? campaign[status] : profile[status];
}

TemplateProblem check_template(std::string_view tmpl) {
  if (tmpl.empty()) return TemplateProblem::None;
  if (tmpl.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) return TemplateProblem::Empty;
  if (tmpl.size() > kMaxTemplateLength) return TemplateProblem::TooLong;
  for (const char c : tmpl) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return TemplateProblem::ControlChars;
  }
  if (!starts_with_ci(tmpl, "http://") && !starts_with_ci(tmpl, "https://")) {
    return TemplateProblem::BadScheme;
  }
  // Macros are only allowed after the authority: split_url() rejects braces
  // in the host and port, which is exactly the "host must not be a macro" rule
  // (a {click}-controlled host would let any clicker pick our request target).
  if (!util::split_url(tmpl)) return TemplateProblem::NoHost;
  return TemplateProblem::None;
}

std::string_view describe(TemplateProblem problem) {
  switch (problem) {
    case TemplateProblem::None:
      return "ok";
    case TemplateProblem::Empty:
      return "the template is blank; leave it empty to send no postback";
    case TemplateProblem::BadScheme:
      return "the URL must start with http:// or https://";
    case TemplateProblem::NoHost:
      return "the URL must name a fixed host (not a macro) with a valid port and no user:password@";
    case TemplateProblem::TooLong:
      return "the URL is longer than 2048 characters";
    case TemplateProblem::ControlChars:
      return "the URL must not contain spaces or control characters";
  }
  return "invalid template";
}

}  // namespace tglead::domain
