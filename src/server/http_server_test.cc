#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "testutil/test_util.h"

namespace tandem::server {
namespace {

using nlohmann::json;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions o;
    o.data_dir = dir_.Join("data");
    o.background = false;
    auto e = engine::Engine::Open(LocalFileSystem(), o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    HttpServerOptions so;
    so.port = 0;
    so.max_body_bytes = 1 << 20;
    server_ = std::make_unique<HttpServer>(engine_.get(), so);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    server_.reset();
    engine_.reset();
  }

  std::pair<int, json> Post(const std::string& path, const std::string& body) {
    auto res = client_->Post(path.c_str(), body, "text/plain");
    if (!res) return {-1, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, IngestAndQueryOverHttp) {
  auto [c1, r1] = Post("/v1/sql",
                       "CREATE STREAM clicks (ts TIMESTAMP NOT NULL, page VARCHAR NOT NULL, ms DOUBLE) "
                       "WITH (event_time = 'ts')");
  ASSERT_EQ(c1, 200) << r1.dump();
  auto [c2, r2] = Post(
      "/v1/sql", "CREATE VIEW pages AS SELECT page, count(*) AS n, avg(ms) AS ms FROM clicks GROUP BY page");
  ASSERT_EQ(c2, 200) << r2.dump();
  auto [c3, r3] = Post("/v1/streams/clicks/events",
                       "{\"ts\": \"2024-05-01T12:00:00Z\", \"page\": \"/a\", \"ms\": 10}\n"
                       "{\"ts\": 1714564800000, \"page\": \"/b\", \"ms\": 20}\n"
                       "{\"ts\": \"2024-05-01T12:00:01Z\", \"page\": 5}\n"
                       "{\"ts\": \"2024-05-01T12:00:02Z\", \"page\": \"/a\"}\n");
  ASSERT_EQ(c3, 200) << r3.dump();
  EXPECT_EQ(r3["accepted"], 3);
  EXPECT_EQ(r3["rejected"], 1);
  ASSERT_EQ(r3["errors"].size(), 1u);
  EXPECT_EQ(r3["errors"][0]["line"], 3);
  EXPECT_EQ(r3["errors"][0]["column"], "page");

  auto [c4, r4] = Post("/v1/sql", "SELECT page, n, ms FROM pages ORDER BY page");
  ASSERT_EQ(c4, 200) << r4.dump();
  EXPECT_EQ(r4["columns"][0]["name"], "page");
  EXPECT_EQ(r4["columns"][1]["type"], "BIGINT");
  EXPECT_EQ(r4["rows"], json::parse(R"([["/a", 2, 10.0], ["/b", 1, 20.0]])"));

  auto [c5, r5] = Post("/v1/batch", "");
  ASSERT_EQ(c5, 200) << r5.dump();
  auto [c6, r6] = Post("/v1/sql", "SELECT max(ts) AS last FROM clicks");
  ASSERT_EQ(c6, 200);
  EXPECT_EQ(r6["rows"][0][0], "2024-05-01T12:00:02Z");

  auto status = client_->Get("/v1/status");
  ASSERT_TRUE(status);
  json st = json::parse(status->body);
  EXPECT_EQ(st["views"][0]["name"], "pages");
  EXPECT_EQ(st["views"][0]["horizon"], 3);
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("tandem_ingest_events_total{stream=\"clicks\"} 3"), std::string::npos);
}

TEST_F(HttpServerTest, MalformedRequestsGetClearErrorsAndTheServerStaysUp) {
  ASSERT_EQ(
      Post("/v1/sql", "CREATE STREAM s (ts TIMESTAMP NOT NULL, n BIGINT NOT NULL) WITH (event_time='ts')")
          .first,
      200);
  auto [c1, r1] = Post("/v1/sql", "SELECT * FORM s");
  EXPECT_EQ(c1, 400);
  EXPECT_NE(r1["error"].get<std::string>().find("line 1"), std::string::npos) << r1.dump();
  auto [c2, r2] = Post("/v1/streams/nope/events", "{}\n");
  EXPECT_EQ(c2, 404);
  EXPECT_NE(r2["error"].get<std::string>().find("nope"), std::string::npos);
  auto [c3, r3] = Post("/v1/streams/s/events", "not json at all\n[1,2]\n");
  EXPECT_EQ(c3, 400);
  EXPECT_EQ(r3["rejected"], 2);
  auto [c4, r4] = Post("/v1/streams/s/events", "{\"ts\": \"2024-01-01T00:00:00Z\"}\n");
  EXPECT_EQ(c4, 400);
  EXPECT_NE(r4["errors"][0]["reason"].get<std::string>().find("NOT NULL"), std::string::npos) << r4.dump();
  auto [c5, r5] = Post("/v1/streams/s/events", std::string(2 << 20, ' '));
  EXPECT_EQ(c5, 413);
  auto [c6, r6] = Post("/v1/nothing", "");
  EXPECT_EQ(c6, 404);
  EXPECT_TRUE(r6.contains("error"));
  auto [c7, r7] = Post("/v1/sql", "SELECT nope FROM s");
  EXPECT_EQ(c7, 400);
  EXPECT_NE(r7["error"].get<std::string>().find("nope"), std::string::npos);

  // Still serving, nothing lost.
  auto [c8, r8] = Post("/v1/streams/s/events", "{\"ts\": \"2024-01-01T00:00:00Z\", \"n\": 7}\n");
  EXPECT_EQ(c8, 200);
  auto [c9, r9] = Post("/v1/sql", "SELECT count(*), sum(n) FROM s");
  EXPECT_EQ(c9, 200);
  EXPECT_EQ(r9["rows"], json::parse("[[1, 7]]"));
}

}  // namespace
}  // namespace tandem::server
