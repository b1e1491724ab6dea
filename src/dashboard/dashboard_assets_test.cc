#include "dashboard/dashboard_assets.h"

#include <gtest/gtest.h>

#include <string>

namespace tandem::dashboard {
namespace {

std::string Body(const DashboardAsset* a) {
  return std::string(reinterpret_cast<const char*>(a->data), a->size);
}

TEST(DashboardAssetsTest, RootIsTheIndexPageThatLoadsTheBundledAssets) {
  const DashboardAsset* root = FindDashboardAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root, FindDashboardAsset("/index.html"));
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  const std::string html = Body(root);
  EXPECT_NE(html.find("<!doctype html>"), std::string::npos);
  // Relative URLs: the page works behind any prefix of the same origin.
  EXPECT_NE(html.find("src=\"assets/app.js\""), std::string::npos);
  EXPECT_NE(html.find("href=\"assets/app.css\""), std::string::npos);
  for (const char* path : {"/assets/app.js", "/assets/app.css"}) {
    const DashboardAsset* a = FindDashboardAsset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_EQ(a->path, path);
    EXPECT_GT(a->size, 1000u) << path;
  }
  EXPECT_EQ(FindDashboardAsset("/assets/app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(FindDashboardAsset("/assets/app.css")->content_type, "text/css; charset=utf-8");
  // uPlot is bundled, not fetched from anywhere.
  EXPECT_NE(Body(FindDashboardAsset("/assets/app.js")).find("u-legend"), std::string::npos);
}

TEST(DashboardAssetsTest, OtherPathsAreNotAssets) {
  for (const char* path : {"", "/v1/status", "/metrics", "/assets/", "/assets/missing.js", "/index.htm",
                           "/assets/../index.html", "/app.js"}) {
    EXPECT_EQ(FindDashboardAsset(path), nullptr) << path;
  }
}

}  // namespace
}  // namespace tandem::dashboard
