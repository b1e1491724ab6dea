// The fields of Engine::StatusJson that the dashboard reads (docs/http_api.md, docs/dashboard.md): lake
// files per partition with their sizes, the latest rejections, the age of the last ingest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/memory_file_system.h"
#include "engine/engine.h"

namespace tandem::engine {
namespace {

using nlohmann::json;

class StatusJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.data_dir = "/data";
    o.background = false;
    auto e = Engine::Open(&fs_, o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    ASSERT_TRUE(
        engine_
            ->Execute("CREATE STREAM s (ts TIMESTAMP NOT NULL, k BIGINT NOT NULL) WITH (event_time = 'ts')")
            .ok());
  }
  json Stream() { return json::parse(engine_->StatusJson()).at("streams").at(0); }

  MemoryFileSystem fs_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(StatusJsonTest, LakePartitionsCountFilesRowsAndBytesPerEventDate) {
  json s = Stream();
  EXPECT_EQ(s.at("lake_bytes"), 0);
  EXPECT_TRUE(s.at("lake_partitions").empty());
  EXPECT_EQ(s.at("last_ingest_age_ms"), -1);
  // Two flushes into 2024-05-01 (two files), one into 2024-05-02.
  ASSERT_TRUE(engine_
                  ->Ingest("s",
                           "{\"ts\": \"2024-05-01T10:00:00Z\", \"k\": 1}\n"
                           "{\"ts\": \"2024-05-01T11:00:00Z\", \"k\": 2}\n")
                  .ok());
  ASSERT_TRUE(engine_->FlushLake().ok());
  ASSERT_TRUE(engine_
                  ->Ingest("s",
                           "{\"ts\": \"2024-05-01T12:00:00Z\", \"k\": 3}\n"
                           "{\"ts\": \"2024-05-02T00:00:01Z\", \"k\": 4}\n")
                  .ok());
  ASSERT_TRUE(engine_->FlushLake().ok());
  s = Stream();
  EXPECT_GE(s.at("last_ingest_age_ms").get<int64_t>(), 0);
  const json& parts = s.at("lake_partitions");
  ASSERT_EQ(parts.size(), 2u) << parts.dump();
  EXPECT_EQ(parts[0].at("partition"), "2024-05-01");
  EXPECT_EQ(parts[0].at("files"), 2);
  EXPECT_EQ(parts[0].at("rows"), 3);
  EXPECT_EQ(parts[1].at("partition"), "2024-05-02");
  EXPECT_EQ(parts[1].at("files"), 1);
  EXPECT_EQ(parts[1].at("rows"), 1);
  int64_t total = 0;
  for (const json& p : parts) {
    EXPECT_GT(p.at("min_file_bytes").get<int64_t>(), 0);
    EXPECT_LE(p.at("min_file_bytes").get<int64_t>(), p.at("max_file_bytes").get<int64_t>());
    EXPECT_LE(p.at("max_file_bytes").get<int64_t>(), p.at("bytes").get<int64_t>());
    total += p.at("bytes").get<int64_t>();
  }
  EXPECT_EQ(parts[1].at("min_file_bytes"), parts[1].at("bytes"));
  EXPECT_EQ(s.at("lake_bytes"), total);
  EXPECT_EQ(s.at("lake_files"), 3);
}

TEST_F(StatusJsonTest, RecentRejectionsKeepTheLastTenOldestFirst) {
  EXPECT_TRUE(Stream().at("recent_rejections").empty());
  std::string body = "{\"ts\": \"2024-05-01T10:00:00Z\", \"k\": 1}\n";
  for (int i = 0; i < 12; ++i)
    body += "{\"ts\": \"2024-05-01T10:00:00Z\", \"k\": \"x" + std::to_string(i) + "\"}\n";
  auto r = engine_->Ingest("s", body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rejected, 12);
  ASSERT_TRUE(engine_->Ingest("s", "not json\n").ok());
  const json rej = Stream().at("recent_rejections");
  ASSERT_EQ(rej.size(), 10u) << rej.dump();
  // Lines 2..13 of the first request were rejected; the last 9 of them remain, then the second request's.
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(rej[i].at("line"), 5 + i);
    EXPECT_EQ(rej[i].at("column"), "k");
    EXPECT_FALSE(rej[i].at("reason").get<std::string>().empty());
    EXPECT_GE(rej[i].at("age_ms").get<int64_t>(), 0);
  }
  EXPECT_EQ(rej[9].at("line"), 1);
  EXPECT_EQ(rej[9].at("column"), "");
  EXPECT_EQ(Stream().at("rejected"), 13);
}

}  // namespace
}  // namespace tandem::engine
