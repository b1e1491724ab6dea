// The dashboard's route (docs/dashboard.md): GET / and GET /assets/* answer the embedded files with
// their content type and the same-origin Content-Security-Policy; the JSON API is unchanged.
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "dashboard/dashboard_assets.h"
#include "server/http_server.h"
#include "testutil/test_util.h"

namespace tandem::server {
namespace {

TEST(DashboardRouteTest, ServesThePageAndItsAssets) {
  testing::TempDir dir;
  engine::EngineOptions o;
  o.data_dir = dir.Join("data");
  o.background = false;
  auto e = engine::Engine::Open(LocalFileSystem(), o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  HttpServerOptions so;
  so.port = 0;
  HttpServer server(e->get(), so);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());

  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"), dashboard::kDashboardContentSecurityPolicy);
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(page->body.find("<title>Tandem dashboard</title>"), std::string::npos);

  auto js = client.Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  const dashboard::DashboardAsset* asset = dashboard::FindDashboardAsset("/assets/app.js");
  ASSERT_NE(asset, nullptr);
  EXPECT_EQ(js->body, std::string(reinterpret_cast<const char*>(asset->data), asset->size));

  auto missing = client.Get("/assets/nope.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("\"error\""), std::string::npos);

  auto status = client.Get("/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  server.Stop();
}

}  // namespace
}  // namespace tandem::server
