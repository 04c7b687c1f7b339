// Password hashing with argon2id (libsodium's crypto_pwhash_str).
//
// Contract: hash_password returns a self-describing encoded hash (algorithm,
// parameters and salt inside); verify_password checks a password against it
// in constant time. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tglead::util {

std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, const std::string& encoded_hash);

}  // namespace tglead::util
