// The HTTP side of idempotent ingest and of the limits: Idempotency-Key replays with the original body and
// `Idempotent-Replayed: true`, 422 for a reused key with another body, and 413 / 429 for the limits — with
// a message naming the limit — while the server keeps serving.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "server/http_server.h"
#include "testutil/test_util.h"

namespace tandem::server {
namespace {

using nlohmann::json;

class HttpLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions o;
    o.data_dir = dir_.Join("data");
    o.background = false;
    o.max_query_rows = 5;
    auto e = engine::Engine::Open(LocalFileSystem(), o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    HttpServerOptions so;
    so.port = 0;
    so.max_body_bytes = 1 << 16;
    so.max_sql_bytes = 200;
    server_ = std::make_unique<HttpServer>(engine_.get(), so);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    ASSERT_EQ(
        Post("/v1/sql", "CREATE STREAM s (ts TIMESTAMP NOT NULL, n BIGINT NOT NULL) WITH (event_time='ts')")
            .status,
        200);
  }
  void TearDown() override {
    server_.reset();
    engine_.reset();
  }
  struct Reply {
    int status = -1;
    std::string body;
    std::string replayed;  // the Idempotent-Replayed header
    json j;
  };
  Reply Post(const std::string& path, const std::string& body, const std::string& key = "") {
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Idempotency-Key", key);
    auto res = client_->Post(path.c_str(), headers, body, "text/plain");
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.body = res->body;
    r.replayed = res->get_header_value("Idempotent-Replayed");
    r.j = json::parse(res->body, nullptr, false);
    return r;
  }
  int64_t Count() {
    Reply r = Post("/v1/sql", "SELECT count(*) FROM s");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.j["rows"][0][0].get<int64_t>() : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpLimitsTest, IdempotencyKeyReplaysTheOriginalResponse) {
  const std::string body = "{\"ts\": 1, \"n\": 1}\n{\"ts\": \"bad\", \"n\": 2}\n{\"ts\": 3, \"n\": 3}\n";
  Reply first = Post("/v1/streams/s/events", body, "client-7:req-1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.replayed, "");
  EXPECT_EQ(first.j["accepted"], 2);
  Reply retry = Post("/v1/streams/s/events", body, "client-7:req-1");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.replayed, "true");
  EXPECT_EQ(retry.body, first.body);  // byte for byte the same JSON
  EXPECT_EQ(Count(), 2);

  Reply other = Post("/v1/streams/s/events", "{\"ts\": 9, \"n\": 9}\n", "client-7:req-1");
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_NE(other.j["error"].get<std::string>().find("client-7:req-1"), std::string::npos) << other.body;
  Reply spaced = Post("/v1/streams/s/events", body, "a b");
  EXPECT_EQ(spaced.status, 400) << spaced.body;

  // An all-rejected request: 400, and its retry gives the same 400 (nothing durable to replay).
  Reply bad = Post("/v1/streams/s/events", "nope\n", "client-7:req-2");
  Reply bad_again = Post("/v1/streams/s/events", "nope\n", "client-7:req-2");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad_again.status, 400);
  EXPECT_EQ(bad_again.body, bad.body);
  EXPECT_EQ(Count(), 2);
}

TEST_F(HttpLimitsTest, ConcurrentRetriesOverHttpAppendOnce) {
  const std::string body = "{\"ts\": 1, \"n\": 1}\n{\"ts\": 2, \"n\": 2}\n";
  std::vector<std::thread> threads;
  std::vector<Reply> replies(6);
  for (size_t t = 0; t < replies.size(); ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server_->port());
      auto res = c.Post("/v1/streams/s/events", {{"Idempotency-Key", "dup"}}, body, "text/plain");
      if (res) {
        replies[t].status = res->status;
        replies[t].body = res->body;
        replies[t].replayed = res->get_header_value("Idempotent-Replayed");
      }
    });
  }
  for (auto& th : threads) th.join();
  int originals = 0;
  for (const Reply& r : replies) {
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, replies[0].body);
    originals += r.replayed.empty() ? 1 : 0;
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(Count(), 2);
}

TEST_F(HttpLimitsTest, LimitsAnswerWithTheirNameAndTheServerCarriesOn) {
  Reply long_sql = Post("/v1/sql", "SELECT count(*) FROM s WHERE " + std::string(300, ' ') + "n > 0");
  EXPECT_EQ(long_sql.status, 413) << long_sql.body;
  EXPECT_NE(long_sql.j["error"].get<std::string>().find("max_sql_bytes"), std::string::npos) << long_sql.body;

  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Post("/v1/streams/s/events", "{\"ts\": 1, \"n\": 1}\n{\"ts\": 2, \"n\": 2}\n").status, 200);
  }
  Reply rows = Post("/v1/sql", "SELECT * FROM s");
  EXPECT_EQ(rows.status, 429) << rows.body;
  EXPECT_NE(rows.j["error"].get<std::string>().find("max_query_rows"), std::string::npos) << rows.body;
  EXPECT_NE(rows.j["error"].get<std::string>().find("limit of 5 rows"), std::string::npos) << rows.body;

  Reply big = Post("/v1/streams/s/events", std::string(1 << 17, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.j["error"].get<std::string>().find("max_body_bytes"), std::string::npos) << big.body;

  // Everyone else is fine.
  EXPECT_EQ(Count(), 6);
  Reply ok = Post("/v1/sql", "SELECT * FROM s LIMIT 5");
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("tandem_query_limit_errors_total 1"), std::string::npos) << metrics->body;
}

}  // namespace
}  // namespace tandem::server
