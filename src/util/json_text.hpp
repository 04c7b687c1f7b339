// JSON as text for storage and answers. Strings that reach JSON come from Telegram, files and
// API callers and are not always valid UTF-8: invalid bytes become U+FFFD instead of throwing
// (nlohmann's default), so bad input is kept readable and never fails a write.
// Thread-safety: pure.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tglead::util {

inline std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tglead::util
