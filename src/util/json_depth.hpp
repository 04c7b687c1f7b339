// A guard against deeply nested JSON, checked before any parser sees the
// text: copying or destroying a tree 100k levels deep recurses once per
// level and can overflow the stack.
//
// Contract: pure, O(n), thread-safe; strings (with escapes) are skipped, so
// brackets inside string values do not count.
#pragma once

#include <cstddef>
#include <string_view>

namespace tglead::util {

inline constexpr std::size_t kMaxJsonDepth = 64;

// True when no object/array nesting in `text` is deeper than `max_depth`.
bool json_depth_within(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace tglead::util
