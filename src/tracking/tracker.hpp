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
#include "storage/store.hpp"
#include "telegram/update.hpp"

namespace tglead::tracking {

enum class Outcome { Applied, Duplicate, Ignored };

Outcome apply_update(storage::WriteTx& tx, const domain::Bot& bot, const telegram::Update& update, std::int64_t now);

}  // namespace tglead::tracking
