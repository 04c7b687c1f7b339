// libFuzzer target: domain::check_template, expand_url_template and expand_text_template.
// Invariant: a template that passes check_template still expands to a URL without control
// characters or spaces, whatever the macro values (they are URL-encoded).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/postback_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Input: template \0 value \0 value ... (missing values stay empty).
  std::size_t cut = in.find('\0');
  std::string_view tmpl = in.substr(0, cut);
  std::string_view rest = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  tglead::domain::MacroValues v;
  std::string* fields[] = {&v.click, &v.status, &v.status_code, &v.campaign, &v.campaign_id, &v.user, &v.lead,
                           &v.subscriber, &v.username, &v.first_name, &v.last_name, &v.chat, &v.time, &v.tid};
  for (std::string* f : fields) {
    if (rest.empty()) break;
    std::size_t c = rest.find('\0');
    *f = std::string(rest.substr(0, c));
    rest = c == std::string_view::npos ? std::string_view() : rest.substr(c + 1);
  }
  auto problem = tglead::domain::check_template(tmpl);
  (void)tglead::domain::describe(problem);
  std::string url = tglead::domain::expand_url_template(tmpl, v);
  std::string text = tglead::domain::expand_text_template(tmpl, v);
  if (problem == tglead::domain::TemplateProblem::None && !tmpl.empty()) {
    for (unsigned char c : url) {
      if (c <= 0x20 || c == 0x7f) std::abort();  // a value broke out of URL encoding
    }
  }
  (void)text;
  return 0;
}
