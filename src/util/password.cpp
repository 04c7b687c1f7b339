#include "util/password.hpp"

#include <sodium.h>

#include <stdexcept>

#include "util/random.hpp"

namespace tglead::util {

std::string hash_password(std::string_view password) {
  random_unit();  // initialises libsodium
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool verify_password(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.empty()) return false;
  random_unit();
  return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace tglead::util
