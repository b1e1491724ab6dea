// Catalog recovery (issue 16): a definition that cannot run is refused at CREATE, and one that no longer
// parses, binds or plans at Engine::Open is marked failed — reported by SHOW and /v1/status, named by the
// error of SELECT / DESCRIBE, removable by DROP — while the rest of the data directory serves normally.
// Also the IN-list sizes that used to overflow the stack, end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/file_system.h"
#include "engine/engine.h"
#include "testutil/test_util.h"

namespace tandem::engine {
namespace {

using nlohmann::json;

constexpr const char* kStream =
    "CREATE STREAM ev (ts TIMESTAMP NOT NULL, id BIGINT NOT NULL, page VARCHAR) WITH (event_time = 'ts')";

std::string InList(int n, int step = 1) {
  std::string s = "(";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(i * step);
  return s + ")";
}

class CatalogRecoveryTest : public ::testing::Test {
 protected:
  void Open(size_t max_sql_bytes = 1 << 20) {
    engine_.reset();
    EngineOptions o;
    o.data_dir = dir_.Join("data");
    o.background = false;
    o.max_sql_bytes = max_sql_bytes;
    auto e = Engine::Open(LocalFileSystem(), o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
  }
  QueryResult Run(const std::string& sql) {
    auto r = engine_->Execute(sql);
    EXPECT_TRUE(r.ok()) << sql.substr(0, 200) << ": " << r.status().ToString();
    return r.ok() ? std::move(*r) : QueryResult{};
  }
  Status Fails(const std::string& sql) {
    auto r = engine_->Execute(sql);
    EXPECT_FALSE(r.ok()) << sql.substr(0, 200);
    return r.ok() ? Status::OK() : r.status();
  }
  int64_t Count(const std::string& sql) {
    QueryResult r = Run(sql);
    return r.rows.num_rows() == 1 ? r.rows.column(0).Value<int64_t>(0) : -1;
  }
  void Ingest(int from, int to) {
    std::string body;
    for (int i = from; i < to; ++i) {
      body += "{\"ts\": \"2024-05-01T00:00:00Z\", \"id\": " + std::to_string(i) + ", \"page\": \"p" +
              std::to_string(i % 3) + "\"}\n";
    }
    auto r = engine_->Ingest("ev", body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, to - from);
  }
  // SHOW VIEWS / SHOW STREAMS as name -> {state, error}.
  std::map<std::string, std::pair<std::string, std::string>> Shown(const std::string& what) {
    QueryResult r = Run("SHOW " + what);
    std::map<std::string, std::pair<std::string, std::string>> out;
    const size_t state = r.rows.num_columns() - 2, error = r.rows.num_columns() - 1;
    for (size_t i = 0; i < r.rows.num_rows(); ++i) {
      out[std::string(r.rows.column(0).GetString(i))] = {
          std::string(r.rows.column(state).GetString(i)),
          r.rows.column(error).IsNull(i) ? "" : std::string(r.rows.column(error).GetString(i))};
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(CatalogRecoveryTest, PoisonedCatalogOpensAndReportsWhatFailed) {
  Open();
  Run(kStream);
  Run("CREATE VIEW good AS SELECT page, count(*) AS n FROM ev GROUP BY page");
  Ingest(0, 30);
  engine_.reset();

  // catalog.json as older versions wrote it, with entries that do not load any more: the 20,000-item IN
  // list that crashed every start (it loads now), a view that does not bind, one that does not parse, a
  // stream whose definition is refused and a view over that stream.
  json entries = json::array();
  auto add = [&](const char* kind, const std::string& name, const std::string& sql) {
    entries.push_back({{"kind", kind}, {"name", name}, {"sql", sql}});
  };
  add("stream", "ev", kStream);
  add("view", "good", "CREATE VIEW good AS SELECT page, count(*) AS n FROM ev GROUP BY page");
  add("view", "poison",
      "CREATE VIEW poison AS SELECT id, count(*) AS n FROM ev WHERE id IN " + InList(20000, 2) +
          " GROUP BY id");
  add("view", "broken", "CREATE VIEW broken AS SELECT nosuch, count(*) AS n FROM ev GROUP BY nosuch");
  add("view", "garbled", "CREATE VIEW garbled AS SELEC page FROM ev");
  add("stream", "bad", "CREATE STREAM bad (a BIGINT) WITH (event_time = 'a')");
  add("view", "over_bad", "CREATE VIEW over_bad AS SELECT a, count(*) AS n FROM bad GROUP BY a");
  json catalog = {{"format", "tandem-catalog"}, {"format_version", 1}, {"entries", entries}};
  ASSERT_TRUE(LocalFileSystem()->WriteFileAtomically(dir_.Join("data/catalog.json"), catalog.dump(1)).ok());

  Open();
  auto views = Shown("VIEWS");
  EXPECT_EQ(views["good"].first, "serving");
  EXPECT_EQ(views["poison"].first, "serving");
  EXPECT_EQ(views["broken"].first, "failed");
  EXPECT_NE(views["broken"].second.find("column \"nosuch\" does not exist"), std::string::npos)
      << views["broken"].second;
  EXPECT_EQ(views["garbled"].first, "failed");
  EXPECT_NE(views["garbled"].second.find("syntax error"), std::string::npos) << views["garbled"].second;
  EXPECT_EQ(views["over_bad"].first, "failed");
  EXPECT_NE(views["over_bad"].second.find("stream \"bad\" failed to load"), std::string::npos)
      << views["over_bad"].second;
  auto streams = Shown("STREAMS");
  EXPECT_EQ(streams["ev"].first, "serving");
  EXPECT_EQ(streams["bad"].first, "failed");
  EXPECT_NE(streams["bad"].second.find("must be TIMESTAMP"), std::string::npos) << streams["bad"].second;
  const json status = json::parse(engine_->StatusJson());
  ASSERT_EQ(status["failed"].size(), 4u) << status.dump();
  EXPECT_EQ(status["failed"][0]["state"], "failed");

  // The healthy entries work: queries, ingest (which used to kill the server), the poisoned view.
  EXPECT_EQ(Count("SELECT sum(n) FROM good"), 30);
  Ingest(30, 60);
  EXPECT_EQ(Count("SELECT sum(n) FROM good"), 60);
  EXPECT_EQ(Count("SELECT count(*) FROM poison"), 30);  // the even ids of 0..59 (the log is replayed)
  ASSERT_TRUE(engine_->RunBatch().ok());
  EXPECT_EQ(Count("SELECT sum(n) FROM poison"), 30);

  // A failed entry is named, with its reason, by everything that uses it.
  Status select = Fails("SELECT * FROM broken");
  EXPECT_EQ(select.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(select.message().find("view \"broken\" failed to load"), std::string::npos) << select.ToString();
  EXPECT_NE(select.message().find("nosuch"), std::string::npos) << select.ToString();
  EXPECT_NE(Fails("DESCRIBE bad").message().find("stream \"bad\" failed to load"), std::string::npos);
  EXPECT_NE(Fails("CREATE VIEW broken AS SELECT page, count(*) AS n FROM ev GROUP BY page")
                .message()
                .find("DROP VIEW broken"),
            std::string::npos);

  // DROP works on failed entries, and what is dropped stays dropped.
  Run("DROP VIEW broken");
  Run("DROP VIEW garbled");
  Run("DROP VIEW over_bad");
  Run("DROP STREAM bad");
  EXPECT_EQ(Shown("VIEWS").count("broken"), 0u);
  Run("CREATE VIEW broken AS SELECT page, count(*) AS n FROM ev GROUP BY page");
  EXPECT_EQ(Count("SELECT sum(n) FROM broken"), 60);
  Open();
  views = Shown("VIEWS");
  EXPECT_EQ(views.size(), 3u);
  for (const auto& [name, state] : views) EXPECT_EQ(state.first, "serving") << name << ": " << state.second;
  EXPECT_EQ(Shown("STREAMS").size(), 1u);
  EXPECT_EQ(json::parse(engine_->StatusJson())["failed"].size(), 0u);
  EXPECT_EQ(Count("SELECT sum(n) FROM broken"), 60);
  EXPECT_EQ(Count("SELECT count(*) FROM poison"), 30);
}

// A catalog.json nested a million levels deep (hand-edited or damaged) is Corruption, not a stack
// overflow: the JSON parser and its destructor are iterative.
TEST_F(CatalogRecoveryTest, DeeplyNestedCatalogJsonIsCorruption) {
  ASSERT_TRUE(LocalFileSystem()->CreateDirs(dir_.Join("data")).ok());
  const std::string nested =
      "{\"format\": \"tandem-catalog\", \"format_version\": 1, \"entries\": " + std::string(1000000, '[') +
      std::string(1000000, ']') + "}";
  ASSERT_TRUE(LocalFileSystem()->WriteFileAtomically(dir_.Join("data/catalog.json"), nested).ok());
  EngineOptions o;
  o.data_dir = dir_.Join("data");
  o.background = false;
  auto e = Engine::Open(LocalFileSystem(), o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruption) << e.status().ToString();
  EXPECT_NE(e.status().message().find("catalog.json"), std::string::npos) << e.status().ToString();
}

TEST_F(CatalogRecoveryTest, ViewThatCannotRunIsRefusedAtCreate) {
  Open();
  Run(kStream);
  Status div = Fails("CREATE VIEW v AS SELECT page, count(*) AS n FROM ev WHERE 1 / 0 = 1 GROUP BY page");
  EXPECT_NE(div.message().find("division by zero"), std::string::npos) << div.ToString();
  std::string deep = "id";
  for (int i = 0; i < 1000; ++i) deep += " + 1";
  Status depth = Fails("CREATE VIEW v AS SELECT " + deep + " AS k, count(*) AS n FROM ev GROUP BY 1");
  EXPECT_NE(depth.message().find("exceeds the limit of 256 (max_expression_depth)"), std::string::npos)
      << depth.ToString();
  EXPECT_EQ(Shown("VIEWS").size(), 0u);
  Open();  // nothing was written
  EXPECT_EQ(Shown("VIEWS").size(), 0u);
}

// The probe of issue 16: IN lists of 10k, 100k and 1M items over a stream and in a view that is then
// ingested into and reopened. 1M items is about 7 MB of SQL, above the default max_sql_bytes of 1 MiB.
TEST_F(CatalogRecoveryTest, LongInListsAnswerCorrectly) {
  Open(16 << 20);
  Run(kStream);
  Ingest(0, 1000);
  EXPECT_EQ(Count("SELECT count(*) FROM ev WHERE id IN " + InList(10000)), 1000);
  EXPECT_EQ(Count("SELECT count(*) FROM ev WHERE id IN " + InList(100000, 3)), 334);
  EXPECT_EQ(Count("SELECT count(*) FROM ev WHERE id NOT IN " + InList(100000, 3)), 666);
  EXPECT_EQ(Count("SELECT count(*) FROM ev WHERE id IN " + InList(1000000, 2)), 500);
  std::string ors = "id = 0";
  for (int i = 1; i < 100000; ++i) ors += " OR id = " + std::to_string(i * 5);
  EXPECT_EQ(Count("SELECT count(*) FROM ev WHERE " + ors), 200);
  // NULL in the list: NOT IN matches nothing.
  EXPECT_EQ(Count("SELECT count(*) FROM ev WHERE id NOT IN (1, NULL)"), 0);
  Run("CREATE VIEW poison AS SELECT id, count(*) AS n FROM ev WHERE id IN " + InList(20000) + " GROUP BY id");
  Ingest(1000, 1100);
  EXPECT_EQ(Count("SELECT count(*) FROM poison"), 1100);
  Open(16 << 20);
  EXPECT_EQ(Count("SELECT sum(n) FROM poison"), 1100);
}

}  // namespace
}  // namespace tandem::engine
