// The web dashboard's files (docs/dashboard.md), embedded in the binary at build time.
//
// CMake (src/dashboard/CMakeLists.txt) installs web/'s npm dependencies with `npm ci` in the build
// directory, bundles web/ with esbuild and generates a .cc that holds every built file's bytes, so
// `tandem serve` needs nothing at run time and works offline. A server answers `GET /` and
// `GET /assets/...` with FindDashboardAsset; everything else (the JSON API) is not a dashboard asset.
#pragma once

#include <cstddef>
#include <string_view>

namespace tandem::dashboard {

struct DashboardAsset {
  std::string_view path;          // the URL path it is served at: "/assets/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  const unsigned char* data;      // `size` bytes, valid for the life of the program
  size_t size;
};

// The asset served at the URL path `path` (without query string): "/" and "/index.html" are the page,
// "/assets/<name>" a bundled script, style sheet or icon. nullptr for any other path.
const DashboardAsset* FindDashboardAsset(std::string_view path);

// Response headers a server should send with every dashboard asset: everything the page loads comes
// from the same origin (no inline script, no third-party requests), and it may not be framed.
inline constexpr std::string_view kDashboardContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace tandem::dashboard
