#include "domain/stats_math.hpp"

namespace tglead::domain {

namespace {
// 128-bit so confirms * 1000 cannot overflow for any int64 input.
// __extension__ keeps -Wpedantic quiet about the GCC/Clang builtin type.
__extension__ using u128 = unsigned __int128;
}  // namespace

double conversion_rate(std::int64_t confirms, std::int64_t starts) {
  if (starts <= 0 || confirms <= 0) return 0.0;
  const u128 num = static_cast<u128>(confirms) * 1000U;
  const u128 den = static_cast<u128>(starts);
  u128 tenths = num / den;
  if ((num % den) * 2U >= den) ++tenths;  // half up
  return static_cast<double>(tenths) / 10.0;
}

}  // namespace tglead::domain
