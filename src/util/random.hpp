// Unpredictable tokens (API keys, webhook secrets, postback transaction ids)
// from libsodium's CSPRNG.
//
// Contract: thread-safe; the first call initialises libsodium and aborts the
// process if the system offers no entropy (nothing secure can run without it).
#pragma once

#include <cstddef>
#include <string>

namespace tglead::util {

// `bytes` random bytes as URL-safe base64 without padding: [A-Za-z0-9_-] only,
// which also satisfies Telegram's secret_token alphabet.
std::string random_token(std::size_t bytes);

// `bytes` random bytes as lowercase hex.
std::string random_hex(std::size_t bytes);

// Uniform in [0, 1), for retry jitter.
double random_unit();

}  // namespace tglead::util
