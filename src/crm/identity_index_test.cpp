// The identity index against a std::multimap model, with many shared digests
// so that runs of the open-addressing table wrap, collide and shift.
#include "crm/identity_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace tglead::crm {
namespace {

std::set<std::int64_t> candidates(const IdentityIndex& index, std::uint64_t digest) {
  std::set<std::int64_t> out;
  index.any_of(digest, [&](std::int64_t id) {
    out.insert(id);
    return false;
  });
  return out;
}

TEST(IdentityIndexTest, DigestsFoldUsernameCaseOnlyAndTellKindsApart) {
  using K = IdentityKind;
  EXPECT_EQ(IdentityIndex::digest(K::Username, "Alice_Bob"), IdentityIndex::digest(K::Username, "alice_bob"));
  EXPECT_NE(IdentityIndex::digest(K::Username, "alice"), IdentityIndex::digest(K::Username, "alicf"));
  EXPECT_NE(IdentityIndex::digest(K::Phone, "+49ABC"), IdentityIndex::digest(K::Phone, "+49abc"));
  EXPECT_NE(IdentityIndex::digest(K::Username, "4930123"), IdentityIndex::digest(K::Phone, "4930123"));
  EXPECT_NE(IdentityIndex::telegram_digest(4930123), IdentityIndex::digest(K::Phone, "4930123"));
  // Consecutive Telegram ids spread over the slots (a home slot comes from the bits above the 7th).
  std::set<std::uint64_t> homes;
  for (std::int64_t id = 5000000000; id < 5000001000; ++id) homes.insert((IdentityIndex::telegram_digest(id) >> 7) & 1023);
  EXPECT_GT(homes.size(), 600u);
}

TEST(IdentityIndexTest, AgreesWithAMultimapThroughAddsAndRemoves) {
  std::mt19937_64 rnd(7);
  for (std::uint64_t digests : {3u, 40u, 5000u}) {
    IdentityIndex index;
    std::set<std::pair<std::uint64_t, std::int64_t>> model;
    // Digest 0 is stored as 1 internally: both must still behave as themselves' candidates.
    auto some_digest = [&] { return std::uniform_int_distribution<std::uint64_t>(0, digests)(rnd) * 0x9E3779B97F4A7C15ULL; };
    for (int step = 0; step < 40000; ++step) {
      std::uint64_t d = some_digest();
      std::int64_t id = std::uniform_int_distribution<std::int64_t>(1, 300)(rnd);
      if (rnd() % 3 == 0) {
        index.remove(d, id);
        model.erase({d, id});
      } else {
        index.add(d, id);
        model.insert({d, id});
      }
      if (step % 97 == 0) {
        std::uint64_t probe = some_digest();
        std::set<std::int64_t> want;
        for (auto it = model.lower_bound({probe, INT64_MIN}); it != model.end() && it->first == probe; ++it) {
          want.insert(it->second);
        }
        if (probe == 0 || probe == 1) {
          for (auto& [digest, cid] : model) {
            if (digest == 0 || digest == 1) want.insert(cid);
          }
        }
        ASSERT_EQ(candidates(index, probe), want) << "digests " << digests << " step " << step;
      }
    }
    std::size_t distinct = 0;
    std::set<std::pair<std::uint64_t, std::int64_t>> folded;
    for (auto [d, id] : model) folded.insert({d == 0 ? 1 : d, id});
    distinct = folded.size();
    EXPECT_EQ(index.size(), distinct);
    for (auto [d, id] : model) index.remove(d, id);
    EXPECT_EQ(index.size(), 0u);
  }
}

TEST(IdentityIndexTest, StopsAtTheFirstCandidateTheVisitorAccepts) {
  IdentityIndex index;
  const auto d = IdentityIndex::digest(IdentityKind::Phone, "+493012345678");
  for (std::int64_t id = 1; id <= 5; ++id) index.add(d, id);
  index.add(d, 3);
  int visits = 0;
  EXPECT_TRUE(index.any_of(d, [&](std::int64_t id) {
    ++visits;
    return id == 1;
  }));
  EXPECT_EQ(visits, 1);
  EXPECT_EQ(index.size(), 5u);
  EXPECT_FALSE(index.any_of(IdentityIndex::digest(IdentityKind::Phone, "+493012345679"), [](std::int64_t) { return true; }));
}

}  // namespace
}  // namespace tglead::crm
