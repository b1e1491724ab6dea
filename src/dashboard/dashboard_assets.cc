#include "dashboard/dashboard_assets.h"

#include "dashboard/dashboard_assets_data.h"

namespace tandem::dashboard {

const DashboardAsset* FindDashboardAsset(std::string_view path) {
  if (path == "/") path = "/index.html";
  if (path != "/index.html" && !path.starts_with("/assets/")) return nullptr;
  for (size_t i = 0; i < internal::kDashboardAssetCount; ++i) {
    if (internal::kDashboardAssets[i].path == path) return &internal::kDashboardAssets[i];
  }
  return nullptr;
}

}  // namespace tandem::dashboard
