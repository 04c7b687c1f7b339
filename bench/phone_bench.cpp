// Phone normalisation, the CPU hot spot of bulk contact imports (crm/normalize.hpp).
//
//   build/bench/tglead_bench --benchmark_filter=Phone --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
//
// Berlin numbers with default region DE, written as "+49 30 XXXXXXXX", "+49-30-XXXXXXXX" and
// "030 XXXXXXXX", each form alone and a third of each (`mix`); `fast` is the normaliser the service
// uses, `libphonenumber` the same one with the fast path off (libphonenumber's Parse for everything).
// Items per second are numbers per second.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crm/normalize.hpp"

namespace {

using namespace tglead;

enum class PhoneForm { international_spaces, international_dashes, national, mix };

std::vector<std::string> berlin_numbers(PhoneForm form) {
  std::vector<std::string> numbers;
  std::uint64_t state = 7;
  for (int i = 0; i < 3000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string subscriber = std::to_string(20000000 + state % 70000000);  // 8 digits, not starting with 0 or 1
    switch (form == PhoneForm::mix ? static_cast<PhoneForm>(i % 3) : form) {
      case PhoneForm::international_spaces:
        numbers.push_back("+49 30 " + subscriber);
        break;
      case PhoneForm::international_dashes:
        numbers.push_back("+49-30-" + subscriber);
        break;
      default:
        numbers.push_back("030 " + subscriber);
        break;
    }
  }
  return numbers;
}

void BM_PhoneNormalize(benchmark::State& state, PhoneForm form, bool fast_path) {
  auto phones = crm::make_phone_normalizer("DE", fast_path);
  auto numbers = berlin_numbers(form);
  if (!phones->normalize(numbers.front()).ok()) {
    state.SkipWithError("the sample number is not valid");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto normalized = phones->normalize(numbers[i]);
    benchmark::DoNotOptimize(normalized);
    if (++i == numbers.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_PhoneNormalize, fast_international_spaces, PhoneForm::international_spaces, true);
BENCHMARK_CAPTURE(BM_PhoneNormalize, fast_international_dashes, PhoneForm::international_dashes, true);
BENCHMARK_CAPTURE(BM_PhoneNormalize, fast_national, PhoneForm::national, true);
BENCHMARK_CAPTURE(BM_PhoneNormalize, fast_mix, PhoneForm::mix, true);
BENCHMARK_CAPTURE(BM_PhoneNormalize, libphonenumber_international_spaces, PhoneForm::international_spaces, false);
BENCHMARK_CAPTURE(BM_PhoneNormalize, libphonenumber_international_dashes, PhoneForm::international_dashes, false);
BENCHMARK_CAPTURE(BM_PhoneNormalize, libphonenumber_national, PhoneForm::national, false);
BENCHMARK_CAPTURE(BM_PhoneNormalize, libphonenumber_mix, PhoneForm::mix, false);

}  // namespace
