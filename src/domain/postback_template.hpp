// Postback URL templates and their macros (PRODUCT.md §4), also used for the
// text of bot messages (§5).
//
// A template is text with {macro} placeholders. Expansion is a single left to
// right pass: a substituted value is never scanned again, so a subscriber
// named "{click}" cannot inject macros. Unknown names ("{x}", "{CLICK}") and
// stray or unbalanced braces are copied through unchanged, because tracker
// URLs legitimately contain their own {tokens}. Cost is O(template + values).
//
// Templates are per status. The campaign's set wins over the profile's only
// as a whole ("all-or-nothing"): a campaign with any non-empty template uses
// its own set, and an empty entry there means "no postback for that status"
// rather than "fall back".
//
// check_template() is the save-time shape check (scheme, host, length,
// characters). It does not resolve the host: the private-address (SSRF) rule
// needs DNS and is enforced by the sender on the address actually connected
// to, and again at save time by the caller.
//
// Thread-safety: pure functions; TemplateSet is a plain value type with the
// usual rules (const access from many threads is safe).

#pragma once

#include <array>
#include <string>
#include <string_view>

#include "domain/lead_status.hpp"

namespace tglead::domain {

// One field per macro, named as the macro; values are already-formatted text
// (numbers in decimal, time as Unix seconds). Missing values stay empty and
// expand to nothing.
struct MacroValues {
  std::string click, status, status_code, campaign, campaign_id, user, lead, subscriber, username,
      first_name, last_name, chat, time, tid;
};

// For URLs: each value is util::url_encode()d (Cyrillic names, '&' in a click).
std::string expand_url_template(std::string_view tmpl, const MacroValues& v);

// For bot messages: same macros, values inserted raw. Escaping for the
// message's parse mode (Markdown) is the sender's job, not this function's.
std::string expand_text_template(std::string_view tmpl, const MacroValues& v);

struct TemplateSet {
  std::array<std::string, 5> by_status;  // indexed by status code

  // True if at least one template is non-empty.
  bool any() const;

  // Out-of-range statuses are programming errors and throw std::out_of_range.
  const std::string& operator[](LeadStatus status) const;
  std::string& operator[](LeadStatus status);
};

// The template to use for `status`: from `campaign` if campaign.any(), else
// from `profile`. An empty result means "send no postback". The reference
// points into one of the arguments.
const std::string& choose_template(const TemplateSet& campaign, const TemplateSet& profile,
                                   LeadStatus status);

inline constexpr std::size_t kMaxTemplateLength = 2048;

enum class TemplateProblem {
  None,          // acceptable (including "", which means "no postback")
  Empty,         // only whitespace: almost certainly a mistake, not "no postback"
  BadScheme,     // not http:// or https:// (case-insensitive)
  NoHost,        // no host, a macro in the host or port, userinfo, or a bad port
  TooLong,       // more than kMaxTemplateLength bytes
  ControlChars,  // a space, tab, newline or other control character
};

TemplateProblem check_template(std::string_view tmpl);

// A short English sentence for API error messages and the dashboard.
std::string_view describe(TemplateProblem problem);

}  // namespace tglead::domain
