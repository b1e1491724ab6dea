// The table of embedded dashboard files. Its definition is generated at build time by web/embed.mjs
// (into the build directory) from the output of web/build.mjs; only dashboard_assets.cc reads it.
#pragma once

#include <cstddef>

#include "dashboard/dashboard_assets.h"

namespace tandem::dashboard::internal {

extern const DashboardAsset kDashboardAssets[];
extern const size_t kDashboardAssetCount;

}  // namespace tandem::dashboard::internal
