// Dashboard login sessions: /auth/login, /auth/logout, /auth/me, and the
// cookie authentication the router uses for /api/* calls made by the dashboard.
//
// Contract: the cookie `tglead_session` is HttpOnly, SameSite=Strict, and
// Secure when the public URL is https; only its SHA-256 is stored. Every
// state-changing (POST) call authenticated by cookie must carry the
// session's CSRF token in `X-CSRF-Token`. Passwords are argon2id. Repeated
// failed logins for one email are slowed down. Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "api/services.hpp"
#include "http/message.hpp"

namespace tglead::api {

// Handles /auth/*; nullopt for other paths.
std::optional<http::Response> handle_auth(Services& services, const http::Request& request);

// The user behind the request's session cookie, checking CSRF for POSTs.
// nullopt when there is no valid session cookie; throws ApiError::access on a CSRF mismatch.
std::optional<domain::User> session_user(Services& services, const http::Request& request);

std::string cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace tglead::api
