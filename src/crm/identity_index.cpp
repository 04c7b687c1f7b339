#include "crm/identity_index.hpp"

#include <algorithm>
#include <bit>

namespace tglead::crm {

namespace {

// splitmix64's finaliser: FNV alone leaves the low bits of short, similar keys correlated.
std::uint64_t spread_bits(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t IdentityIndex::digest(IdentityKind kind, std::string_view value) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ static_cast<std::uint64_t>(kind);
  const bool fold = kind == IdentityKind::Username;
  for (unsigned char c : value) {
    if (fold && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    h = (h ^ c) * 0x100000001b3ULL;
  }
  return spread_bits(h);
}

std::uint64_t IdentityIndex::telegram_digest(std::int64_t telegram_id) {
  return spread_bits(static_cast<std::uint64_t>(telegram_id) * 4 + static_cast<std::uint64_t>(IdentityKind::Telegram));
}

IdentityKeys identity_keys(std::int64_t telegram_id, std::string_view username, std::string_view phone) {
  return {telegram_id == 0 ? 0 : IdentityIndex::telegram_digest(telegram_id),
          username.empty() ? 0 : IdentityIndex::digest(IdentityKind::Username, username),
          phone.empty() ? 0 : IdentityIndex::digest(IdentityKind::Phone, phone)};
}

void IdentityIndex::add(std::uint64_t digest, std::int64_t contact_id) {
  if (4 * (used_ + 1) > 3 * slots_.size()) grow_to(std::max<std::size_t>(64, slots_.size() * 2));
  digest = stored(digest);
  std::size_t i = home(digest);
  for (; slots_[i].digest != 0; i = (i + 1) & mask()) {
    if (slots_[i].digest == digest && slots_[i].contact_id == contact_id) return;
  }
  slots_[i] = {digest, contact_id};
  ++used_;
}

void IdentityIndex::remove(std::uint64_t digest, std::int64_t contact_id) {
  if (slots_.empty()) return;
  digest = stored(digest);
  std::size_t hole = home(digest);
  for (;; hole = (hole + 1) & mask()) {
    if (slots_[hole].digest == 0) return;
    if (slots_[hole].digest == digest && slots_[hole].contact_id == contact_id) break;
  }
  // Backward-shift deletion keeps every later entry of the run reachable without tombstones.
  for (std::size_t next = (hole + 1) & mask(); slots_[next].digest != 0; next = (next + 1) & mask()) {
    std::size_t want = home(slots_[next].digest);
    bool movable = ((next - want) & mask()) >= ((next - hole) & mask());
    if (movable) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = Slot{};
  --used_;
}

void IdentityIndex::reserve(std::size_t entries) {
  std::size_t wanted = std::bit_ceil(std::max<std::size_t>(64, entries + entries / 3 + 1));
  if (wanted > slots_.size()) grow_to(wanted);
}

void IdentityIndex::clear() {
  std::vector<Slot>().swap(slots_);
  used_ = 0;
}

void IdentityIndex::grow_to(std::size_t slots) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(slots, Slot{});
  for (const Slot& s : old) {
    if (s.digest == 0) continue;
    std::size_t i = home(s.digest);
    while (slots_[i].digest != 0) i = (i + 1) & mask();
    slots_[i] = s;
  }
}

}  // namespace tglead::crm
