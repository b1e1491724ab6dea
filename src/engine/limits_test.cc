// Limits (docs/http_api.md "Limits"): each one refuses the request that exceeds it with a Status naming the
// limit and its value, and the engine keeps serving everyone else.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "testutil/test_util.h"

namespace tandem::engine {
namespace {

class LimitsTest : public ::testing::Test {
 protected:
  void Open(const std::function<void(EngineOptions*)>& tweak) {
    EngineOptions o;
    o.data_dir = dir_.Join("data");
    o.background = false;
    tweak(&o);
    auto e = Engine::Open(LocalFileSystem(), o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    ASSERT_TRUE(engine_
                    ->Execute("CREATE STREAM s (ts TIMESTAMP NOT NULL, k BIGINT NOT NULL, t VARCHAR) "
                              "WITH (event_time = 'ts')")
                    .ok());
  }
  void Ingest(int records, int rows_per_record) {
    int k = 0;
    for (int r = 0; r < records; ++r) {
      std::string body;
      for (int i = 0; i < rows_per_record; ++i, ++k) {
        body += "{\"ts\": " + std::to_string(1714557600000 + k) + ", \"k\": " + std::to_string(k) + "}\n";
      }
      auto res = engine_->Ingest("s", body);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
    }
  }
  void ExpectError(const std::string& sql, StatusCode code, const std::vector<std::string>& needles) {
    auto r = engine_->Execute(sql);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    for (const std::string& n : needles) {
      EXPECT_NE(r.status().message().find(n), std::string::npos)
          << "'" << n << "' not in: " << r.status().ToString();
    }
  }
  int64_t Count() {
    auto r = engine_->Execute("SELECT count(*) FROM s");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->rows.column(0).Value<int64_t>(0) : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(LimitsTest, SqlTextLength) {
  Open([](EngineOptions* o) { o->max_sql_bytes = 120; });
  std::string sql = "SELECT count(*) FROM s WHERE k > 0";
  while (sql.size() <= 120) sql += " AND k > 0";
  ExpectError(
      sql, StatusCode::kResourceExhausted,
      {"SQL text of " + std::to_string(sql.size()) + " bytes", "limit of 120 bytes", "max_sql_bytes"});
  EXPECT_EQ(Count(), 0);  // a shorter statement still runs
}

TEST_F(LimitsTest, ColumnsInCreateStream) {
  Open([](EngineOptions* o) { o->max_stream_columns = 4; });
  ExpectError(
      "CREATE STREAM wide (ts TIMESTAMP NOT NULL, a BIGINT, b BIGINT, c BIGINT, d BIGINT) "
      "WITH (event_time = 'ts')",
      StatusCode::kInvalidArgument, {"wide", "5 columns", "limit of 4", "max_stream_columns"});
  EXPECT_TRUE(
      engine_->Execute("CREATE STREAM narrow (ts TIMESTAMP NOT NULL, a BIGINT) WITH (event_time = 'ts')")
          .ok());
}

TEST_F(LimitsTest, RowsMaterialisedByAQuery) {
  Open([](EngineOptions* o) { o->max_query_rows = 10; });
  Ingest(2, 10);
  ASSERT_TRUE(engine_->Execute("CREATE VIEW per_k AS SELECT k, count(*) AS n FROM s GROUP BY k").ok());
  ExpectError("SELECT * FROM s", StatusCode::kResourceExhausted,
              {"20 result rows", "limit of 10 rows", "max_query_rows"});
  ExpectError("SELECT k FROM per_k WHERE k < 3", StatusCode::kResourceExhausted,
              {"20 view rows", "limit of 10 rows", "max_query_rows"});
  // Within the limit, all is well: aggregates, LIMIT, WHERE.
  EXPECT_EQ(Count(), 20);
  auto limited = engine_->Execute("SELECT k FROM s ORDER BY k LIMIT 10");
  ASSERT_TRUE(limited.ok()) << limited.status().ToString();
  EXPECT_EQ(limited->rows.num_rows(), 10u);
}

// The memory a SELECT holds between batches (aggregation state, or rows buffered for ORDER BY / the
// result) is capped: the query that exceeds it stops early with a message naming the limit, and small
// queries over the same data still answer.
TEST_F(LimitsTest, QueryMemory) {
  Open([](EngineOptions* o) {
    o->max_query_memory_bytes = 1 << 20;
    o->max_query_rows = 0;
  });
  Ingest(50, 2000);  // 100,000 events, every k distinct
  ExpectError("SELECT k, count(*) AS n FROM s GROUP BY k", StatusCode::kResourceExhausted,
              {"bytes of aggregation state", "limit of 1048576 bytes", "max_query_memory_bytes"});
  ExpectError("SELECT k, t FROM s ORDER BY k DESC", StatusCode::kResourceExhausted,
              {"bytes of buffered rows", "limit of 1048576 bytes", "max_query_memory_bytes"});
  ASSERT_TRUE(engine_->Execute("CREATE VIEW per_k AS SELECT k, count(*) AS n FROM s GROUP BY k").ok());
  ExpectError("SELECT * FROM per_k ORDER BY n", StatusCode::kResourceExhausted,
              {"bytes of buffered rows", "max_query_memory_bytes"});
  // Within the limit, all is well: a global aggregate, few groups, a LIMIT without ORDER BY, the view
  // aggregated further.
  EXPECT_EQ(Count(), 100000);
  auto few = engine_->Execute("SELECT k % 10 AS d, count(*) AS n FROM s GROUP BY k % 10 ORDER BY d");
  ASSERT_TRUE(few.ok()) << few.status().ToString();
  EXPECT_EQ(few->rows.num_rows(), 10u);
  auto limited = engine_->Execute("SELECT k FROM s LIMIT 5");
  ASSERT_TRUE(limited.ok()) << limited.status().ToString();
  EXPECT_EQ(limited->rows.num_rows(), 5u);
  auto total = engine_->Execute("SELECT sum(n) FROM per_k");
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  EXPECT_EQ(total->rows.column(0).Value<int64_t>(0), 100000);
}

TEST_F(LimitsTest, QueryDeadline) {
  // 1 ms cannot cover reading and decoding 50 log records of 2000 events each, so the deadline fires at
  // one of the checks between batches; the message says which limit and how far the scan got.
  Open([](EngineOptions* o) { o->query_timeout_ms = 1; });
  Ingest(50, 2000);
  ExpectError("SELECT k, t FROM s ORDER BY k DESC LIMIT 5", StatusCode::kResourceExhausted,
              {"time limit of 1 ms", "query_timeout_ms", "rows"});
  // Other statements still work.
  EXPECT_TRUE(engine_->Ingest("s", "{\"ts\": 1, \"k\": 1}\n").ok());
  EXPECT_TRUE(engine_->Execute("SHOW STREAMS").ok());
}

TEST_F(LimitsTest, LineLength) {
  Open([](EngineOptions* o) { o->max_line_bytes = 100; });
  const std::string long_line = "{\"ts\": 1, \"k\": 1, \"t\": \"" + std::string(200, 'x') + "\"}";
  auto r = engine_->Ingest("s", long_line + "\n{\"ts\": 1, \"k\": 2}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 1);
  EXPECT_NE(r->errors[0].reason.find("100"), std::string::npos) << r->errors[0].reason;
}

TEST_F(LimitsTest, BodySize) {
  Open([](EngineOptions* o) { o->max_body_bytes = 1000; });
  auto r = engine_->Ingest("s", std::string(1001, '\n'));
  ASSERT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("1001 bytes exceeds the limit of 1000"), std::string::npos);
  EXPECT_TRUE(engine_->Ingest("s", "{\"ts\": 1, \"k\": 1}\n").ok());
  EXPECT_EQ(Count(), 1);
}

}  // namespace
}  // namespace tandem::engine
