// Which contacts of one workspace may hold a Telegram id, a username or a
// phone: the store's writer answers dedup look-ups from this instead of unique
// SQL indexes (issue 6: random keys in those indexes made every imported
// contact cost ~15 µs of B-tree and WAL work; see docs/benchmarks.md,
// "Contact import").
//
// Contract: the index maps a 64-bit digest of (kind, value) to contact ids.
// Its owner keeps it *complete*: every identifier a contact holds has an entry
// for that contact. It need not be exact: an entry may outlive the
// identifier (the contact changed or was deleted since), and two values may
// share a digest, so every candidate must be checked against the contact
// itself. Username digests fold ASCII case (as username_key() does), so
// "@Alice" and "@alice" meet. Memory: 16 bytes a slot, slots at most 3/4
// full (64-128 MiB for 1M contacts with a username, a phone and, for half of
// them, a Telegram id).
// Thread-safety: none; the owner serialises access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tglead::crm {

enum class IdentityKind : std::uint8_t { Username = 1, Phone = 2, Telegram = 3 };

// The dedup digests of one contact's identifiers; 0 for one it lacks.
struct IdentityKeys {
  std::uint64_t telegram = 0, username = 0, phone = 0;
  std::uint64_t of(IdentityKind kind) const {
    return kind == IdentityKind::Telegram ? telegram : kind == IdentityKind::Username ? username : phone;
  }
};
IdentityKeys identity_keys(std::int64_t telegram_id, std::string_view username, std::string_view phone);

class IdentityIndex {
 public:
  static std::uint64_t digest(IdentityKind kind, std::string_view value);
  static std::uint64_t telegram_digest(std::int64_t telegram_id);

  // Adding an entry that exists already changes nothing.
  void add(std::uint64_t digest, std::int64_t contact_id);
  void remove(std::uint64_t digest, std::int64_t contact_id);
  // Calls `visit(contact_id)` for each entry of `digest` until it returns true; true if one did.
  template <class Visit>
  bool any_of(std::uint64_t digest, Visit&& visit) const {
    if (slots_.empty()) return false;
    digest = stored(digest);
    for (std::size_t i = home(digest);; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.digest == 0) return false;
      if (s.digest == digest && visit(s.contact_id)) return true;
    }
  }

  // A hint that `digest` is looked up or added soon: its slot is fetched into the CPU cache.
  void prefetch(std::uint64_t digest) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(stored(digest))]);
  }

  void reserve(std::size_t entries);
  void clear();
  std::size_t size() const { return used_; }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t digest = 0;  // 0: empty
    std::int64_t contact_id = 0;
  };
  static std::uint64_t stored(std::uint64_t digest) { return digest == 0 ? 1 : digest; }
  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(std::uint64_t digest) const { return static_cast<std::size_t>(digest >> 7) & mask(); }
  void grow_to(std::size_t slots);

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace tglead::crm
