// Serves the dashboard (a single-page app under web/, embedded in the binary).
//
// Contract: answers GET and HEAD for "/" and "/index.html" (the app shell,
// `Cache-Control: no-cache`) and for every embedded file by its path under
// web/ (e.g. "/app.js", "/vendor/uplot.esm.js"), with a strong ETag from the
// content hash; `If-None-Match` with that ETag gives 304. Every answer carries
// the dashboard's security headers (strict CSP, nosniff, same-origin
// referrer policy). Anything else is nullopt: the caller answers 404.
//
// Development: when TGLEAD_WEB_ROOT names a directory, files are read from it
// on every request (same paths and headers, ETag from size+mtime), so the UI
// can be edited without rebuilding.
//
// Thread-safety: stateless; safe to call concurrently.
#pragma once

#include <optional>

#include "http/message.hpp"

namespace tglead::web {

std::optional<http::Response> serve_static(const http::Request& request);

// The Content-Security-Policy sent with every dashboard response.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

}  // namespace tglead::web
