// The dashboard's files (everything under web/), compiled into the binary by
// cmake/EmbedResources.cmake. Plain data, generated at build time; immutable.
#pragma once

#include <span>
#include <string_view>

namespace tglead::web {

struct EmbeddedFile {
  std::string_view path;  // URL path, e.g. "/index.html", "/vendor/uplot.esm.js"
  std::string_view mime;  // Content-Type
  std::string_view etag;  // quoted strong ETag from the content's SHA-256
  std::string_view body;
};

// Sorted by path.
std::span<const EmbeddedFile> embedded_files();

}  // namespace tglead::web
