// The writer's identity index (crm/identity_index.hpp), which answers a contact import's dedup
// look-ups: a miss (a new contact) and a hit, over an index holding the usernames and phones of
// 1M or 2M contacts, and the build of such an index one entry at a time, as a store loads it.
//
//   build/bench/tglead_bench --benchmark_filter=Identity --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
//
// Items per second are look-ups (or entries added) per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crm/identity_index.hpp"

namespace {

using tglead::crm::IdentityIndex;
using tglead::crm::IdentityKind;

std::string username_of(std::int64_t n) { return "user_" + std::to_string(n * 7919 % 10000019); }
std::string phone_of(std::int64_t n) { return "+4930" + std::to_string(10000000 + n * 104729 % 10000019); }

IdentityIndex index_of(std::int64_t contacts) {
  IdentityIndex index;
  index.reserve(2 * static_cast<std::size_t>(contacts));
  for (std::int64_t id = 1; id <= contacts; ++id) {
    index.add(IdentityIndex::digest(IdentityKind::Username, username_of(id)), id);
    index.add(IdentityIndex::digest(IdentityKind::Phone, phone_of(id)), id);
  }
  return index;
}

void BM_IdentityLookup(benchmark::State& state) {
  const std::int64_t contacts = state.range(0);
  const bool hit = state.range(1) != 0;
  static std::int64_t built = 0;
  static IdentityIndex index;
  if (built != contacts) {
    index = index_of(contacts);
    built = contacts;
  }
  // As many distinct identifiers as an import batch brings, so look-ups miss the CPU caches as
  // they do there.
  constexpr std::int64_t kProbes = 1 << 20;
  std::vector<std::uint64_t> digests;
  for (std::int64_t i = 0; i < kProbes; ++i) {
    std::int64_t n = hit ? 1 + i * 241 % contacts : contacts + 1 + i;
    digests.push_back(IdentityIndex::digest(IdentityKind::Username, username_of(n)));
  }
  std::size_t next = 0, found = 0;
  for (auto _ : state) {
    found += index.any_of(digests[next++ & (kProbes - 1)], [](std::int64_t) { return true; });
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IdentityLookup)->ArgNames({"contacts", "hit"})->Args({1000000, 0})->Args({1000000, 1})->Args({2000000, 0});

void BM_IdentityBuild(benchmark::State& state) {
  const std::int64_t contacts = state.range(0);
  for (auto _ : state) {
    IdentityIndex index = index_of(contacts);
    benchmark::DoNotOptimize(index.size());
  }
  state.SetItemsProcessed(state.iterations() * 2 * contacts);
}
BENCHMARK(BM_IdentityBuild)->ArgNames({"contacts"})->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace
