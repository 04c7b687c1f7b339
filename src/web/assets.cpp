#include "web/assets.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "web/embedded.hpp"

namespace tglead::web {

namespace {

struct Found {
  std::string mime;
  std::string etag;
  std::string body;
};

std::optional<Found> find_embedded(std::string_view path) {
  auto files = embedded_files();
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const EmbeddedFile& f, std::string_view p) { return f.path < p; });
  if (it == files.end() || it->path != path) {
    // The table is sorted by CMake's byte order, which matches std::string_view's; fall back to a
    // linear scan anyway so an unexpected order can never hide a file.
    it = std::find_if(files.begin(), files.end(), [&](const EmbeddedFile& f) { return f.path == path; });
    if (it == files.end()) return std::nullopt;
  }
  return Found{std::string(it->mime), std::string(it->etag), std::string(it->body)};
}

std::string mime_of(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json")) return "application/json";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Development mode: TGLEAD_WEB_ROOT=<dir> serves web/ from disk.
std::optional<Found> find_on_disk(const char* root, std::string_view path) {
  if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos) return std::nullopt;
  std::filesystem::path file = std::filesystem::path(root) / std::filesystem::path(std::string(path.substr(1)));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  auto mtime = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
  std::string etag = "\"dev-" + std::to_string(body.str().size()) + "-" + std::to_string(mtime) + "\"";
  return Found{mime_of(path), etag, body.str()};
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  // A comma-separated list; weak validators (W/"...") compare equal for GET (RFC 9110 §13.1.2).
  while (!if_none_match.empty()) {
    std::size_t comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<http::Response> serve_static(const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  std::string_view path = request.path;
  if (path == "/") path = "/index.html";
  if (path.empty() || path.front() != '/') return std::nullopt;

  std::optional<Found> file;
  if (const char* root = std::getenv("TGLEAD_WEB_ROOT"); root && *root) {
    file = find_on_disk(root, path);
  } else {
    file = find_embedded(path);
  }
  if (!file) return std::nullopt;

  http::Response response;
  response.content_type = file->mime;
  response.headers = {
      {"ETag", file->etag},
      // Revalidate every time: names are not content-hashed, and a 304 costs one round trip.
      {"Cache-Control", "no-cache"},
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
  };
  if (path == "/index.html") response.headers.emplace_back("X-Frame-Options", "DENY");
  if (etag_matches(request.header("if-none-match"), file->etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.body = std::move(file->body);
  return response;
}

}  // namespace tglead::web
