// Tests of `tandem parquet ...`: the NDJSON conversion helpers directly, and the built binary end to end
// (its stdout, stderr and exit code).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/ndjson_convert.h"
#include "common/file_system.h"
#include "testutil/test_util.h"

namespace tandem::cli {
namespace {

using tandem::testing::DuckDbQuery;
using tandem::testing::PeersAvailable;
using tandem::testing::TempDir;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

std::string TandemBin() {
  const char* env = std::getenv("TANDEM_BIN");
  return env && *env ? env : TANDEM_BIN_DEFAULT;
}

// Runs the tandem binary with `args` (already shell-quoted where needed).
CliRun Tandem(const std::string& args) {
  TempDir tmp;
  const std::string out = tmp.Join("out"), err = tmp.Join("err");
  int rc = std::system((TandemBin() + " " + args + " >" + out + " 2>" + err).c_str());
  CliRun r;
  r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

bool Exists(const std::string& path) {
  return std::ifstream(path).good();
}

// ---- helpers --------------------------------------------------------------------------------------

TEST(ParseSchemaSpecTest, AllTypesAndNotNull) {
  auto s = ParseSchemaSpec(
      "a BIGINT NOT NULL, b integer, c DOUBLE, d FLOAT, e VARCHAR, f BOOLEAN, g DATE, \"h i\" TIMESTAMP not "
      "null");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ToString(),
            "a BIGINT NOT NULL, b INTEGER, c DOUBLE, d FLOAT, e VARCHAR, f BOOLEAN, g DATE, h i TIMESTAMP "
            "NOT NULL");
}

TEST(ParseSchemaSpecTest, ErrorsNameTheProblem) {
  auto unknown = ParseSchemaSpec("a BIGINT, b TEXTY");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("column \"b\": unknown type TEXTY"), std::string::npos)
      << unknown.status().message();
  auto dup = ParseSchemaSpec("a BIGINT, a DATE");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("\"a\" is defined twice"), std::string::npos);
  auto no_type = ParseSchemaSpec("a");
  ASSERT_FALSE(no_type.ok());
  EXPECT_NE(no_type.status().message().find("column \"a\" has no type"), std::string::npos);
  auto junk = ParseSchemaSpec("a BIGINT PRIMARY KEY");
  ASSERT_FALSE(junk.ok());
  EXPECT_FALSE(ParseSchemaSpec("").ok());
  EXPECT_FALSE(ParseSchemaSpec("a BIGINT,").ok());
}

TEST(Rfc3339Test, AcceptsOffsetsFractionsAndSeparators) {
  int64_t us = 0;
  ASSERT_TRUE(ParseRfc3339Micros("1970-01-01T00:00:00Z", &us));
  EXPECT_EQ(us, 0);
  ASSERT_TRUE(ParseRfc3339Micros("2024-05-01T12:00:00.5Z", &us));
  EXPECT_EQ(us, 1714564800500000);
  ASSERT_TRUE(ParseRfc3339Micros("2024-05-01 14:00:00.123456+02:00", &us));
  EXPECT_EQ(us, 1714564800123456);
  ASSERT_TRUE(ParseRfc3339Micros("2024-05-01t11:30:00.000000000-00:30", &us));
  EXPECT_EQ(us, 1714564800000000);
  ASSERT_TRUE(ParseRfc3339Micros("1969-12-31T23:59:59.999999Z", &us));
  EXPECT_EQ(us, -1);
  ASSERT_TRUE(ParseRfc3339Micros("2024-02-29T00:00:00Z", &us));
}

TEST(Rfc3339Test, RejectsMalformedAndImpossible) {
  int64_t us;
  for (const char* bad : {"", "abc", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01T12:00Z",
                          "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
                          "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00.1234567Z", "2024-05-01T12:00:00+0200",
                          "2024-05-01T12:00:00Z ", "2024-05-01T12:00:00.1234567891Z"}) {
    EXPECT_FALSE(ParseRfc3339Micros(bad, &us)) << bad;
  }
  // Nanosecond digits are accepted only when they are zero (we store microseconds).
  EXPECT_TRUE(ParseRfc3339Micros("2024-05-01T12:00:00.123456000Z", &us));
  int32_t days;
  EXPECT_TRUE(ParseIsoDate("2024-05-01", &days));
  EXPECT_EQ(days, 19844);
  EXPECT_FALSE(ParseIsoDate("2024-5-01", &days));
  EXPECT_FALSE(ParseIsoDate("2024-04-31", &days));
}

// ---- the binary ---------------------------------------------------------------------------------------

const char* kSchema =
    "id BIGINT NOT NULL, n INTEGER, x DOUBLE, f FLOAT, s VARCHAR, ok BOOLEAN, day DATE, ts TIMESTAMP";

const char* kInput =
    R"({"id": 1, "n": 7, "x": 1.5, "f": 0.1, "s": "hello", "ok": true, "day": "2024-05-01", "ts": "2024-05-01T12:00:00Z"})"
    "\n"
    R"({"id": 2, "n": null, "x": "NaN", "s": "tab\t\"quote\" ünï", "ok": false, "ts": 1714564800123, "extra": [1, 2]})"
    "\n"
    "\n"  // blank lines are skipped
    R"({"ts": "2024-05-01T14:00:00.000001+02:00", "id": -3, "x": -1e300, "day": "1969-12-31", "s": ""})"
    "\r\n";

const char* kExpected =
    R"({"id":1,"n":7,"x":1.5,"f":0.1,"s":"hello","ok":true,"day":"2024-05-01","ts":"2024-05-01T12:00:00Z"})"
    "\n"
    R"({"id":2,"n":null,"x":"NaN","f":null,"s":"tab\t\"quote\" ünï","ok":false,"day":null,"ts":"2024-05-01T12:00:00.123Z"})"
    "\n"
    R"({"id":-3,"n":null,"x":-1e+300,"f":null,"s":"","ok":null,"day":"1969-12-31","ts":"2024-05-01T12:00:00.000001Z"})"
    "\n";

TEST(TandemParquetCli, ConvertThenCatRoundTrips) {
  TempDir dir;
  WriteText(dir.Join("in.ndjson"), kInput);
  CliRun conv = Tandem("parquet convert " + dir.Join("in.ndjson") + " " + dir.Join("out.parquet") +
                       " --schema '" + kSchema + "' --compression snappy --row-group-rows 2");
  ASSERT_EQ(conv.code, 0) << conv.err;
  EXPECT_FALSE(Exists(dir.Join("out.parquet.tmp")));
  CliRun cat = Tandem("parquet cat " + dir.Join("out.parquet"));
  ASSERT_EQ(cat.code, 0) << cat.err;
  EXPECT_EQ(cat.out, kExpected);

  CliRun some = Tandem("parquet cat " + dir.Join("out.parquet") + " --columns ts,id --limit 2");
  ASSERT_EQ(some.code, 0) << some.err;
  EXPECT_EQ(some.out,
            "{\"ts\":\"2024-05-01T12:00:00Z\",\"id\":1}\n{\"ts\":\"2024-05-01T12:00:00.123Z\",\"id\":2}\n");
  CliRun none = Tandem("parquet cat " + dir.Join("out.parquet") + " --limit 0");
  ASSERT_EQ(none.code, 0) << none.err;
  EXPECT_EQ(none.out, "");

  if (PeersAvailable()) {  // DuckDB reads the converted file the same way.
    auto duck = DuckDbQuery("SELECT * FROM read_parquet('" + dir.Join("out.parquet") + "')");
    ASSERT_TRUE(duck.ok()) << duck.status().ToString();
    EXPECT_EQ(*duck, kExpected);
  }
}

TEST(TandemParquetCli, SchemaAndStats) {
  TempDir dir;
  WriteText(dir.Join("in.ndjson"), kInput);
  ASSERT_EQ(Tandem("parquet convert " + dir.Join("in.ndjson") + " " + dir.Join("out.parquet") +
                   " --schema '" + kSchema + "' --row-group-rows 2")
                .code,
            0);
  CliRun schema = Tandem("parquet schema " + dir.Join("out.parquet"));
  ASSERT_EQ(schema.code, 0) << schema.err;
  EXPECT_NE(schema.out.find("3 rows, 2 row groups"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("id      BIGINT     INT64       no"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("ts      TIMESTAMP  INT64       yes"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("s       VARCHAR    BYTE_ARRAY  yes"), std::string::npos) << schema.out;

  CliRun stats = Tandem("parquet stats " + dir.Join("out.parquet"));
  ASSERT_EQ(stats.code, 0) << stats.err;
  EXPECT_NE(stats.out.find("row group 0: 2 rows"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("row group 1: 1 row,"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("ZSTD"), std::string::npos) << stats.out;

  CliRun json = Tandem("parquet stats --json " + dir.Join("out.parquet"));
  ASSERT_EQ(json.code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["num_rows"], 3);
  ASSERT_EQ(doc["row_groups"].size(), 2u);
  const auto& id = doc["row_groups"][0]["columns"][0];
  EXPECT_EQ(id["name"], "id");
  EXPECT_EQ(id["codec"], "ZSTD");
  EXPECT_EQ(id["min"], 1);
  EXPECT_EQ(id["max"], 2);
  EXPECT_EQ(id["null_count"], 0);
  const auto& n = doc["row_groups"][0]["columns"][1];
  EXPECT_EQ(n["null_count"], 1);
}

TEST(TandemParquetCli, BadLineNamesLineColumnAndValueAndLeavesNothing) {
  TempDir dir;
  WriteText(dir.Join("in.ndjson"),
            "{\"id\": 1, \"ts\": \"2024-05-01T12:00:00Z\"}\n{\"id\": 2, \"ts\": 5}\n{\"id\": 3, \"ts\": "
            "\"abc\"}\n");
  const std::string out = dir.Join("out.parquet");
  CliRun r =
      Tandem("parquet convert " + dir.Join("in.ndjson") + " " + out + " --schema 'id BIGINT, ts TIMESTAMP'");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(
      r.err.find("tandem: " + dir.Join("in.ndjson") +
                 ": line 3, column \"ts\": expected TIMESTAMP (RFC 3339 string or epoch milliseconds), got "
                 "\"abc\""),
      std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists(out));
  EXPECT_FALSE(Exists(out + ".tmp"));

  struct Case {
    const char* schema;
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"n INTEGER", R"({"n": 3000000000})", "line 1, column \"n\": expected INTEGER"},
      {"n BIGINT", R"({"n": 1.5})", "line 1, column \"n\": expected BIGINT (an integer), got 1.5"},
      {"n BIGINT NOT NULL", R"({"m": 1})", "line 1, column \"n\": missing in a NOT NULL column"},
      {"n BIGINT NOT NULL", R"({"n": null})", "line 1, column \"n\": null in a NOT NULL column"},
      {"s VARCHAR", R"({"s": {"a": 1}})", "line 1, column \"s\": expected VARCHAR (a string), got an object"},
      {"b BOOLEAN", R"({"b": "yes"})", "line 1, column \"b\": expected BOOLEAN (true or false), got \"yes\""},
      {"d DATE", R"({"d": "2024-02-30"})", "line 1, column \"d\": expected DATE"},
      {"n BIGINT", R"({"n": 1} trailing)", "line 1: "},
      {"n BIGINT", R"([1, 2])", "line 1: expected a JSON object"},
      {"n BIGINT", R"({"n": 1, "n": 2})", "line 1: key \"n\" appears twice"},
      {"n BIGINT", R"({"n": )", "line 1"},
  };
  for (const Case& c : cases) {
    WriteText(dir.Join("bad.ndjson"), c.line);
    CliRun bad =
        Tandem("parquet convert " + dir.Join("bad.ndjson") + " " + out + " --schema '" + c.schema + "'");
    EXPECT_EQ(bad.code, 1) << c.line;
    EXPECT_NE(bad.err.find(c.message), std::string::npos) << c.line << " -> " << bad.err;
    EXPECT_FALSE(Exists(out)) << c.line;
  }
}

TEST(TandemParquetCli, NestedColumnsAreNamedInErrors) {
  if (!PeersAvailable()) GTEST_SKIP() << "tests/peers/node_modules missing: run npm ci in tests/peers";
  TempDir dir;
  const std::string path = dir.Join("nested.parquet");
  auto duck = DuckDbQuery(
      "COPY (SELECT i::BIGINT AS id, [i, i] AS tags, 'n' || i::VARCHAR AS name FROM range(3) r(i)) TO '" +
      path + "' (FORMAT parquet); SELECT 1");
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();

  CliRun all = Tandem("parquet cat " + path);
  EXPECT_EQ(all.code, 1);
  EXPECT_NE(all.err.find("\"tags\""), std::string::npos) << all.err;
  EXPECT_NE(all.err.find("--columns"), std::string::npos) << all.err;
  EXPECT_EQ(all.out, "");

  CliRun asked = Tandem("parquet cat " + path + " --columns id,tags");
  EXPECT_EQ(asked.code, 1);
  EXPECT_NE(asked.err.find("tags"), std::string::npos) << asked.err;

  CliRun ok = Tandem("parquet cat " + path + " --columns name,id");
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "{\"name\":\"n0\",\"id\":0}\n{\"name\":\"n1\",\"id\":1}\n{\"name\":\"n2\",\"id\":2}\n");

  CliRun schema = Tandem("parquet schema " + path);
  ASSERT_EQ(schema.code, 0) << schema.err;
  EXPECT_NE(schema.out.find("unsupported columns"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("tags:"), std::string::npos) << schema.out;
}

TEST(TandemParquetCli, UsageErrorsExitTwoAndFailuresExitOne) {
  EXPECT_EQ(Tandem("").code, 2);
  EXPECT_EQ(Tandem("parquet").code, 2);
  EXPECT_EQ(Tandem("parquet cat").code, 2);
  EXPECT_EQ(Tandem("parquet convert a.ndjson b.parquet").code, 2);  // --schema is required
  EXPECT_EQ(Tandem("parquet cat x.parquet --limit -1").code, 2);
  EXPECT_EQ(Tandem("parquet frobnicate").code, 2);
  CliRun help = Tandem("parquet convert --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("fails on the first bad line"), std::string::npos) << help.out;

  TempDir dir;
  CliRun missing = Tandem("parquet cat " + dir.Join("nope.parquet"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err.rfind("tandem: ", 0), 0u) << missing.err;
  EXPECT_NE(missing.err.find("nope.parquet"), std::string::npos) << missing.err;

  WriteText(dir.Join("in.ndjson"), "{}\n");
  CliRun bad_schema = Tandem("parquet convert " + dir.Join("in.ndjson") + " " + dir.Join("o.parquet") +
                             " --schema 'a DECIMAL'");
  EXPECT_EQ(bad_schema.code, 1);
  EXPECT_NE(bad_schema.err.find("unknown type DECIMAL"), std::string::npos) << bad_schema.err;
  CliRun bad_codec = Tandem("parquet convert " + dir.Join("in.ndjson") + " " + dir.Join("o.parquet") +
                            " --schema 'a BIGINT' --compression brotli");
  EXPECT_EQ(bad_codec.code, 1);
  EXPECT_NE(bad_codec.err.find("brotli"), std::string::npos) << bad_codec.err;
  CliRun no_input = Tandem("parquet convert " + dir.Join("none.ndjson") + " " + dir.Join("o.parquet") +
                           " --schema 'a BIGINT'");
  EXPECT_EQ(no_input.code, 1);
  EXPECT_NE(no_input.err.find("none.ndjson"), std::string::npos) << no_input.err;
  EXPECT_FALSE(Exists(dir.Join("o.parquet")));
}

}  // namespace
}  // namespace tandem::cli
