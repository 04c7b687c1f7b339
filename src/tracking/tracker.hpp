// Applies one Telegram update of one bot to the store: the glue between the
// parsed update, the pure rules of domain/tracking.hpp and the storage.
//
// Contract: `apply_update` must run inside Store::write so that the dedup mark,
// lead changes, transitions, journal rows, queued postbacks and queued bot
// messages commit together (rule 11). It performs no network I/O: outbound
// calls are queued for the senders. Stateless; thread-safety is the store's.
#pragma once

#include <cstdint>

#include "domain/model.hpp"
#include "domain/tracking.hpp"
#include "storage/store.hpp"
#include "telegram/update.hpp"

namespace tglead::tracking {

enum class Outcome { Applied, Duplicate, Ignored };

Outcome apply_update(storage::WriteTx& tx, const domain::Bot& bot, const telegram::Update& update, std::int64_t now);

// Rule 14: applies what getChatMember reported for a lead at `check_time`.
// Re-reads the lead inside the transaction, so a webhook that arrived in the
// meantime wins. Returns Applied when the lead changed.
Outcome apply_member_check(storage::WriteTx& tx, std::int64_t lead_id, const domain::MemberSnapshot& member,
                           std::int64_t check_time);

}  // namespace tglead::tracking
