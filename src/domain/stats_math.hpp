// Arithmetic shared by the live statistics and the daily rollups, which must
// produce identical numbers (PRODUCT.md §6.3).
//
// Thread-safety: pure functions; safe from any thread.

#pragma once

#include <cstdint>

namespace tglead::domain {

// cr = confirms / starts * 100, rounded half up to one decimal.
//
// Computed in integers, then converted once: doing it in binary floating
// point mis-rounds halves (1/8 = 12.5 exactly, but values like 0.125 * 1000
// or x.x5 are not representable and std::round gives the "wrong" neighbour),
// and the API must give the same answer as a human with a calculator.
// The result is the double nearest to the one-decimal value (66.7, not
// 66.69999...), so a shortest-round-trip JSON writer prints it cleanly.
//
// 0 when starts <= 0 or confirms <= 0. May exceed 100: over a date range,
// leads started earlier can confirm inside it.
double conversion_rate(std::int64_t confirms, std::int64_t starts);

}  // namespace tglead::domain
