// libFuzzer target: telegram::parse_update must accept any byte string without crashing,
// throwing or leaking (src/telegram/update.hpp contract: "never throws").
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "telegram/update.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = tglead::telegram::parse_update(body);
  if (auto* update = std::get_if<tglead::telegram::Update>(&result)) {
    // Touch what tracking reads, so the sanitizers see every field.
    volatile std::size_t sink = update->message.text.size() + update->message.from.first_name.size() +
                                update->member.new_member.status.size() +
                                update->join_request.from.username.size();
    (void)sink;
  }
  return 0;
}
