#include "domain/welcome_json.hpp"

#include <nlohmann/json.hpp>

namespace tglead::domain {

namespace {

std::string string_field(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

nlohmann::json welcome_to_json(const Welcome& welcome) {
  nlohmann::json buttons = nlohmann::json::array();
  for (const auto& button : welcome.buttons) buttons.push_back({{"text", button.text}, {"url", button.url}});
  return {{"text", welcome.text},
          {"image", welcome.image},
          {"buttons", std::move(buttons)},
          {"join_button", welcome.join_button}};
}

Welcome welcome_from_json(const nlohmann::json& json) {
  Welcome welcome;
  if (!json.is_object()) return welcome;
  welcome.text = string_field(json, "text");
  welcome.image = string_field(json, "image");
  welcome.join_button = string_field(json, "join_button");
  if (auto it = json.find("buttons"); it != json.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (!item.is_object()) continue;
      welcome.buttons.push_back(Button{string_field(item, "text"), string_field(item, "url")});
    }
  }
  return welcome;
}

Welcome welcome_from_text(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? Welcome{} : welcome_from_json(json);
}

}  // namespace tglead::domain
