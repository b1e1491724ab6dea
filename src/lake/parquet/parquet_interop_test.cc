// Interoperability of our Parquet reader and writer with independent implementations:
// DuckDB (tests/peers/duckdb_query.mjs), hyparquet and hyparquet-writer, and a file written by Polars
// (vega-datasets flights-3m.parquet). Every comparison covers all rows of the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "lake/parquet/parquet_interop_testing.h"
#include "lake/parquet/parquet_reader.h"
#include "lake/parquet/parquet_writer.h"
#include "testutil/test_util.h"

namespace tandem::parquet {
namespace {

using tandem::parquet::testing::CompareOptions;
using tandem::parquet::testing::CompareWithNdjson;
using tandem::testing::DuckDbQuery;
using tandem::testing::PeersAvailable;
using tandem::testing::PeersDir;
using tandem::testing::RunCommand;
using tandem::testing::TempDir;

#define SKIP_WITHOUT_PEERS()                                      \
  if (!PeersAvailable())                                          \
  GTEST_SKIP() << "tests/peers/node_modules missing: run npm ci " \
                  "in tests/peers"

// SQL string literal for a path.
std::string Lit(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The footer's codec name for DuckDB's COMPRESSION option (also our CompressionName()).
std::string ParquetCodecName(const std::string& duckdb_name) {
  if (duckdb_name == "lz4") return "LZ4_RAW";
  std::string up = duckdb_name;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return up;
}

std::string Quote(const std::string& s) {
  return "'" + s + "'";
}  // shell; our temp paths have no quotes

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Schema AllTypesSchema() {
  Schema s;
  s.fields = {
      {"b", DataType::Boolean()},
      {"i32", DataType::Int32()},
      {"i64", DataType::Int64(), /*nullable=*/false},
      {"u64", DataType::UInt64()},
      {"f", DataType::Float()},
      {"d", DataType::Double()},
      {"s", DataType::String()},
      {"s_dict", DataType::String(), /*nullable=*/false},
      {"bin", DataType::Binary()},
      {"dt", DataType::Date()},
      {"ts_ms", DataType::Timestamp(TimeUnit::kMillis)},
      {"ts_us", DataType::Timestamp(TimeUnit::kMicros)},
      {"ts_ns", DataType::Timestamp(TimeUnit::kNanos)},
      {"dec9", DataType::Decimal(9, 2)},
      {"dec18", DataType::Decimal(18, 4)},
      {"dec38", DataType::Decimal(38, 10)},
  };
  return s;
}

// Deterministic rows of every type: nulls (~1 in 9 per nullable column), extremes, NaN and infinities,
// empty strings and binaries, dates and timestamps before and after the epoch.
RecordBatch AllTypesBatch(size_t rows, uint64_t seed) {
  Schema schema = AllTypesSchema();
  std::vector<Column> cols;
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  static const char* kWords[] = {"",          "a",    "ascii", "ünïcödé", "日本", "with \"quotes\"",
                                 "new\nline", "tab\t"};
  uint64_t st = seed;
  for (size_t r = 0; r < rows; ++r) {
    uint64_t x = SplitMix(&st);
    uint64_t y = SplitMix(&st);
    for (size_t c = 0; c < cols.size(); ++c) {
      Column& col = cols[c];
      if (schema.fields[c].nullable && ((x >> (c * 3)) % 9 == 0)) {
        col.AppendNull();
        continue;
      }
      int64_t sx = static_cast<int64_t>(x);
      switch (c) {
        case 0: col.Append<uint8_t>((y >> 7) & 1); break;
        case 1:
          col.Append<int32_t>(r % 50 == 0 ? INT32_MIN : r % 51 == 0 ? INT32_MAX : static_cast<int32_t>(y));
          break;
        case 2: col.Append<int64_t>(r % 40 == 0 ? INT64_MIN : r % 41 == 0 ? INT64_MAX : sx); break;
        case 3: col.Append<uint64_t>(r % 30 == 0 ? UINT64_MAX : y); break;
        case 4: {
          float v = static_cast<float>(static_cast<int32_t>(y)) / 1024.0f;
          if (r % 97 == 1) v = std::numeric_limits<float>::quiet_NaN();
          if (r % 97 == 2) v = -std::numeric_limits<float>::infinity();
          col.Append<float>(v);
          break;
        }
        case 5: {
          double v = static_cast<double>(sx) / 3.0e7;
          if (r % 89 == 1) v = std::numeric_limits<double>::quiet_NaN();
          if (r % 89 == 2) v = std::numeric_limits<double>::infinity();
          if (r % 89 == 3) v = 1e-300;
          col.Append<double>(v);
          break;
        }
        case 6:
          col.AppendString(std::string(kWords[y % 8]) + (y % 3 ? std::to_string(y % 100000) : ""));
          break;
        case 7: col.AppendString(kWords[x % 5]); break;
        case 8: {
          std::string bytes;
          for (size_t k = 0; k < y % 9; ++k) bytes += static_cast<char>((y >> (k * 7)) & 0xff);
          col.AppendString(bytes);
          break;
        }
        case 9: col.Append<int32_t>(static_cast<int32_t>(y % 100000) - 50000); break;
        case 10:
          col.Append<int64_t>(static_cast<int64_t>(y % 8'000'000'000'000ULL) - 2'000'000'000'000LL);
          break;
        case 11:
          col.Append<int64_t>(static_cast<int64_t>(y % 8'000'000'000'000'000ULL) - 2'000'000'000'000'000LL);
          break;
        case 12: col.Append<int64_t>(sx / 4); break;  // about 1897..2043
        case 13: col.Append<__int128>(static_cast<__int128>(sx % 1'000'000'000)); break;
        case 14: col.Append<__int128>(static_cast<__int128>(sx % 1'000'000'000'000'000'000LL)); break;
        case 15: {
          __int128 v = static_cast<__int128>(static_cast<int64_t>(x % 1'000'000'000'000'000'000ULL)) *
                           1'000'000'000'000'000'000LL +
                       static_cast<__int128>(y % 1'000'000'000'000'000'000ULL);
          col.Append<__int128>((y & 1) ? -v : v);
          break;
        }
      }
    }
  }
  return RecordBatch(schema, std::move(cols), rows);
}

// Columns hyparquet reads exactly (it converts DECIMAL through a double: only dec9 is exact).
RecordBatch WithoutWideDecimals(const RecordBatch& batch, std::vector<std::string>* names) {
  Schema schema;
  std::vector<Column> cols;
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const Field& f = batch.schema().fields[c];
    if (f.type.id == TypeId::kDecimal && f.type.precision > 15) continue;
    schema.fields.push_back(f);
    cols.push_back(batch.column(c));
    names->push_back(f.name);
  }
  return RecordBatch(schema, std::move(cols), batch.num_rows());
}

std::string HyparquetRead(const std::string& path, const std::vector<std::string>& columns) {
  std::string cmd = "node " + PeersDir() + "/hyparquet_read.mjs " + Quote(path);
  if (!columns.empty()) {
    cmd += " --columns ";
    for (size_t i = 0; i < columns.size(); ++i) cmd += (i ? "," : "") + columns[i];
  }
  auto out = RunCommand(cmd);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

Result<RecordBatch> ReadWithUs(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(auto reader, OpenParquetFile(LocalFileSystem(), path));
  std::vector<int> all;
  for (size_t i = 0; i < reader->schema().fields.size(); ++i) all.push_back(static_cast<int>(i));
  return reader->ReadAll(all);
}

// The comparison itself: equal rows pass whatever the peer's number spelling, any difference is found.
TEST(CompareWithNdjsonTest, AcceptsEqualValuesAndFindsDifferences) {
  Schema schema;
  schema.fields = {{"i", DataType::Int64()},          {"u", DataType::UInt64()},
                   {"d", DataType::Double()},         {"f", DataType::Float()},
                   {"dec", DataType::Decimal(20, 2)}, {"ts", DataType::Timestamp(TimeUnit::kNanos)},
                   {"s", DataType::String()}};
  std::vector<Column> cols;
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  cols[0].Append<int64_t>(INT64_MAX);
  cols[1].Append<uint64_t>(UINT64_MAX);
  cols[2].Append<double>(std::numeric_limits<double>::quiet_NaN());
  cols[3].Append<float>(0.1f);
  cols[4].Append<__int128>(-1230);
  cols[5].Append<int64_t>(-1'500);  // 1969-12-31T23:59:59.9999985Z
  cols[6].AppendNull();
  RecordBatch batch(schema, std::move(cols), 1);
  const std::string good =
      R"({"i":"9223372036854775807","u":"18446744073709551615","d":"NaN","f":0.10000000149011612,)"
      R"("dec":"-12.30","ts":"1969-12-31T23:59:59.9999985Z","s":null})"
      "\n";
  EXPECT_EQ(CompareWithNdjson(batch, good), "");
  CompareOptions micros;
  micros.timestamp_ns_as_micros = true;
  for (const char* truncated : {"1969-12-31T23:59:59.999998Z", "1969-12-31T23:59:59.999999Z"}) {
    std::string line = good;
    line.replace(line.find("1969-12-31T23:59:59.9999985Z"), 28, truncated);
    EXPECT_NE(CompareWithNdjson(batch, line), "");
    EXPECT_EQ(CompareWithNdjson(batch, line, micros), "");
  }
  auto with = [&](const std::string& from, const std::string& to) {
    std::string line = good;
    line.replace(line.find(from), from.size(), to);
    return line;
  };
  EXPECT_NE(CompareWithNdjson(batch, with("9223372036854775807", "9223372036854775806")), "");
  EXPECT_NE(CompareWithNdjson(batch, with("\"NaN\"", "1.5")), "");
  EXPECT_NE(CompareWithNdjson(batch, with("0.10000000149011612", "0.2")), "");
  EXPECT_NE(CompareWithNdjson(batch, with("-12.30", "-12.3")), "");
  EXPECT_NE(CompareWithNdjson(batch, with("\"s\":null", "\"s\":\"\"")), "");
  EXPECT_NE(CompareWithNdjson(batch, with("\"s\":null", "\"t\":null")), "");
  EXPECT_NE(CompareWithNdjson(batch, ""), "");           // missing row
  EXPECT_NE(CompareWithNdjson(batch, good + good), "");  // extra row
}

// ---------------------------------------------------------------------------------------------------
// (a) DuckDB reads every kind of file our writer produces, with our values.

struct WriterVariant {
  std::string name;
  Compression compression;
  int page_version;
  bool dictionary;
  size_t rows;
  size_t row_group_rows;
  size_t data_page_bytes;
};

void PrintTo(const WriterVariant& v, std::ostream* os) {
  *os << v.name;
}

class WriterInteropTest : public ::testing::TestWithParam<WriterVariant> {};

TEST_P(WriterInteropTest, DuckDbAndHyparquetReadOurFile) {
  SKIP_WITHOUT_PEERS();
  const WriterVariant& v = GetParam();
  TempDir dir;
  const std::string path = dir.Join(v.name + ".parquet");
  RecordBatch batch = AllTypesBatch(v.rows, 7 + v.rows);
  WriterOptions options;
  options.compression = v.compression;
  options.data_page_version = v.page_version;
  options.dictionary = v.dictionary;
  options.row_group_rows = v.row_group_rows;
  options.data_page_bytes = v.data_page_bytes;
  ASSERT_TRUE(WriteParquetFile(LocalFileSystem(), path, batch.schema(), {batch}, options).ok());

  auto duck = DuckDbQuery("SELECT * FROM read_parquet(" + Lit(path) + ")");
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  CompareOptions ns_tolerant;
  ns_tolerant.timestamp_ns_as_micros = true;  // DuckDB reads UTC nanosecond timestamps as TIMESTAMPTZ (us)
  EXPECT_EQ(CompareWithNdjson(batch, *duck, ns_tolerant), "");

  // Row groups as we cut them (checked where there are several).
  size_t expected_groups = (v.rows + v.row_group_rows - 1) / v.row_group_rows;
  if (expected_groups > 1) {
    auto groups =
        DuckDbQuery("SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(" + Lit(path) + ")");
    ASSERT_TRUE(groups.ok()) << groups.status().ToString();
    EXPECT_EQ(*groups, "{\"n\":" + std::to_string(expected_groups) + "}\n");
  }

  // hyparquet reads nanoseconds exactly; wide decimals only approximately, so they are left out.
  std::vector<std::string> names;
  RecordBatch exact = WithoutWideDecimals(batch, &names);
  EXPECT_EQ(CompareWithNdjson(exact, HyparquetRead(path, names)), "");

  // And our own reader agrees with what we wrote, and sees the encodings and codec we asked for.
  auto ours = ReadWithUs(path);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  EXPECT_TRUE(ours->Equals(batch));
  auto reader = OpenParquetFile(LocalFileSystem(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_row_groups(), static_cast<int>(expected_groups));
  bool any_dictionary = false;
  for (const auto& rg : (*reader)->info().row_groups) {
    for (const auto& ch : rg.columns) {
      EXPECT_EQ(ch.codec, ParquetCodecName(CompressionName(v.compression)));
      for (const auto& e : ch.encodings) any_dictionary |= e == "RLE_DICTIONARY" || e == "PLAIN_DICTIONARY";
    }
  }
  if (v.rows > 0) {
    EXPECT_EQ(any_dictionary, v.dictionary);
  }
}

// DuckDB sees the column types we meant (the same for every writer variant).
TEST(WriterInteropTypesTest, DuckDbSeesOurTypes) {
  SKIP_WITHOUT_PEERS();
  TempDir dir;
  const std::string path = dir.Join("types.parquet");
  RecordBatch batch = AllTypesBatch(10, 1);
  ASSERT_TRUE(WriteParquetFile(LocalFileSystem(), path, batch.schema(), {batch}).ok());
  auto types = DuckDbQuery("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" +
                           Lit(path) + "))");
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(*types,
            "{\"column_name\":\"b\",\"column_type\":\"BOOLEAN\"}\n"
            "{\"column_name\":\"i32\",\"column_type\":\"INTEGER\"}\n"
            "{\"column_name\":\"i64\",\"column_type\":\"BIGINT\"}\n"
            "{\"column_name\":\"u64\",\"column_type\":\"UBIGINT\"}\n"
            "{\"column_name\":\"f\",\"column_type\":\"FLOAT\"}\n"
            "{\"column_name\":\"d\",\"column_type\":\"DOUBLE\"}\n"
            "{\"column_name\":\"s\",\"column_type\":\"VARCHAR\"}\n"
            "{\"column_name\":\"s_dict\",\"column_type\":\"VARCHAR\"}\n"
            "{\"column_name\":\"bin\",\"column_type\":\"BLOB\"}\n"
            "{\"column_name\":\"dt\",\"column_type\":\"DATE\"}\n"
            "{\"column_name\":\"ts_ms\",\"column_type\":\"TIMESTAMP WITH TIME ZONE\"}\n"
            "{\"column_name\":\"ts_us\",\"column_type\":\"TIMESTAMP WITH TIME ZONE\"}\n"
            "{\"column_name\":\"ts_ns\",\"column_type\":\"TIMESTAMP WITH TIME ZONE\"}\n"
            "{\"column_name\":\"dec9\",\"column_type\":\"DECIMAL(9,2)\"}\n"
            "{\"column_name\":\"dec18\",\"column_type\":\"DECIMAL(18,4)\"}\n"
            "{\"column_name\":\"dec38\",\"column_type\":\"DECIMAL(38,10)\"}\n");
}

INSTANTIATE_TEST_SUITE_P(
    Variants, WriterInteropTest,
    ::testing::Values(
        WriterVariant{"uncompressed_v1_dict", Compression::kUncompressed, 1, true, 3000, 1 << 20, 1 << 20},
        WriterVariant{"snappy_v1_dict", Compression::kSnappy, 1, true, 3000, 1 << 20, 1 << 20},
        WriterVariant{"gzip_v1_dict", Compression::kGzip, 1, true, 3000, 1 << 20, 1 << 20},
        WriterVariant{"zstd_v1_dict", Compression::kZstd, 1, true, 3000, 1 << 20, 1 << 20},
        WriterVariant{"lz4_v1_dict", Compression::kLz4Raw, 1, true, 3000, 1 << 20, 1 << 20},
        WriterVariant{"zstd_v2_dict", Compression::kZstd, 2, true, 3000, 1 << 20, 1 << 20},
        WriterVariant{"snappy_v2_plain", Compression::kSnappy, 2, false, 3000, 1 << 20, 1 << 20},
        WriterVariant{"uncompressed_v1_plain", Compression::kUncompressed, 1, false, 3000, 1 << 20, 1 << 20},
        WriterVariant{"lz4_v2_plain", Compression::kLz4Raw, 2, false, 3000, 1 << 20, 1 << 20},
        WriterVariant{"gzip_v2_dict", Compression::kGzip, 2, true, 3000, 1 << 20, 1 << 20},
        // Many row groups and many small pages.
        WriterVariant{"zstd_many_groups_small_pages", Compression::kZstd, 1, true, 5000, 97, 512},
        WriterVariant{"snappy_v2_many_groups", Compression::kSnappy, 2, false, 5000, 1000, 2048},
        // No rows at all.
        WriterVariant{"zstd_zero_rows", Compression::kZstd, 1, true, 0, 1 << 20, 1 << 20}),
    [](const ::testing::TestParamInfo<WriterVariant>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------------
// (b) Our reader reads files written by DuckDB: every codec, Parquet format v1 and v2.

// A table with every type DuckDB maps onto ours, with nulls in each column (none in `id`).
const char* kDuckDbTable = R"sql(
CREATE TABLE t AS SELECT
  i::INTEGER AS id,
  CASE WHEN i % 7 = 1 THEN NULL ELSE i % 3 = 0 END AS b,
  CASE WHEN i % 11 = 2 THEN NULL ELSE ((i * 37) % 256 - 128)::TINYINT END AS i8,
  CASE WHEN i % 11 = 3 THEN NULL ELSE ((i * 7919) % 65536 - 32768)::SMALLINT END AS i16,
  CASE WHEN i % 11 = 4 THEN NULL ELSE ((hash(i) % 4294967296)::BIGINT - 2147483648)::INTEGER END AS i32,
  CASE WHEN i % 11 = 5 THEN NULL ELSE (hash(i)::HUGEINT - 9223372036854775807)::BIGINT END AS i64,
  CASE WHEN i % 13 = 1 THEN NULL ELSE (i % 256)::UTINYINT END AS u8,
  CASE WHEN i % 13 = 2 THEN NULL ELSE (i * 13 % 65536)::USMALLINT END AS u16,
  CASE WHEN i % 13 = 3 THEN NULL ELSE (hash(i) % 4294967296)::UINTEGER END AS u32,
  CASE WHEN i % 13 = 4 THEN NULL ELSE hash(i * 3)::UBIGINT END AS u64,
  CASE WHEN i % 17 = 1 THEN NULL WHEN i % 17 = 2 THEN 'nan'::FLOAT ELSE ((i * 31) % 1000 - 500) / 8.0 END::FLOAT AS f,
  CASE WHEN i % 17 = 3 THEN NULL WHEN i % 17 = 4 THEN '-inf'::DOUBLE ELSE (hash(i) % 1000000007) / 7.0 - 1e6 END::DOUBLE AS d,
  CASE WHEN i % 19 = 1 THEN NULL WHEN i % 19 = 2 THEN '' ELSE 'row ' || (i * 7 % 1000)::VARCHAR END AS s_low_card,
  CASE WHEN i % 19 = 3 THEN NULL ELSE md5(i::VARCHAR) || (CASE WHEN i % 5 = 0 THEN ' ünï' ELSE '' END) END AS s_unique,
  CASE WHEN i % 23 = 1 THEN NULL ELSE unhex(substr(md5(i::VARCHAR), 1, (i % 9) * 2)) END AS bin,
  CASE WHEN i % 23 = 2 THEN NULL ELSE DATE '1970-01-01' + ((hash(i) % 80000)::INTEGER - 30000) END AS dt,
  CASE WHEN i % 29 = 1 THEN NULL ELSE make_timestamp((hash(i) % 4000000000000000)::BIGINT - 1000000000000000) END AS ts,
  CASE WHEN i % 29 = 2 THEN NULL ELSE make_timestamp((hash(i) % 4000000000000000)::BIGINT)::TIMESTAMP_MS END AS ts_ms,
  CASE WHEN i % 29 = 3 THEN NULL ELSE make_timestamp_ns((hash(i) % 4000000000000000000)::BIGINT - 1000000000000000000) END AS ts_ns,
  CASE WHEN i % 29 = 4 THEN NULL ELSE make_timestamp((hash(i * 5) % 4000000000000000)::BIGINT)::TIMESTAMPTZ END AS ts_tz,
  CASE WHEN i % 31 = 1 THEN NULL ELSE ((i * 37) % 19999 - 9999) / 10 END::DECIMAL(4,1) AS dec4,
  CASE WHEN i % 31 = 2 THEN NULL ELSE ((hash(i) % 1999999999)::BIGINT - 999999999) / 100 END::DECIMAL(9,2) AS dec9,
  CASE WHEN i % 31 = 3 THEN NULL ELSE ((hash(i) % 1999999999999999)::BIGINT - 999999999999999) / 1000 END::DECIMAL(18,3) AS dec18,
  CASE WHEN i % 31 = 4 THEN NULL ELSE ((CASE WHEN i % 2 = 0 THEN '-' ELSE '' END)
    || ((hash(i) % 1000000000000000000)::HUGEINT * (hash(i + 1) % 1000000000000)::HUGEINT)::VARCHAR
    || '.' || lpad((hash(i + 2) % 100000)::VARCHAR, 5, '0')) END::DECIMAL(38,5) AS dec38
FROM range(6000) r(i);
)sql";

struct DuckDbFileVariant {
  std::string codec;    // DuckDB's COMPRESSION name
  std::string version;  // PARQUET_VERSION: V1 or V2
};

void PrintTo(const DuckDbFileVariant& v, std::ostream* os) {
  *os << v.codec << "_" << v.version;
}

class DuckDbFileTest : public ::testing::TestWithParam<DuckDbFileVariant> {};

TEST_P(DuckDbFileTest, WeReadWhatDuckDbReads) {
  SKIP_WITHOUT_PEERS();
  const auto& v = GetParam();
  TempDir dir;
  const std::string path = dir.Join("duck.parquet");
  auto duck = DuckDbQuery(std::string(kDuckDbTable) + "COPY t TO " + Lit(path) +
                          " (FORMAT parquet, COMPRESSION " + v.codec + ", PARQUET_VERSION " + v.version +
                          ", ROW_GROUP_SIZE 2048); SELECT * FROM " + Lit(path));
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  auto reader = OpenParquetFile(LocalFileSystem(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->unsupported_columns().empty());
  ASSERT_EQ((*reader)->schema().fields.size(), 24u) << (*reader)->schema().ToString();
  EXPECT_GE((*reader)->num_row_groups(), 2);
  std::vector<int> all;
  for (int i = 0; i < 24; ++i) all.push_back(i);
  auto batch = (*reader)->ReadAll(all);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows(), 6000u);
  EXPECT_EQ(CompareWithNdjson(*batch, *duck), "");

  // Which encodings the file used, so that a v2 file is known to exercise the delta decoders.
  std::map<std::string, int> encodings;
  for (const auto& rg : (*reader)->info().row_groups) {
    for (const auto& ch : rg.columns) {
      EXPECT_EQ(ch.codec, ParquetCodecName(v.codec));
      for (const auto& e : ch.encodings) ++encodings[e];
    }
  }
  if (v.version == "V2") {
    EXPECT_TRUE(encodings.count("DELTA_BINARY_PACKED")) << "DuckDB did not use DELTA_BINARY_PACKED";
    EXPECT_TRUE(encodings.count("DELTA_LENGTH_BYTE_ARRAY") || encodings.count("DELTA_BYTE_ARRAY"));
  }
  std::string used;
  for (const auto& [e, n] : encodings) used += e + " ";
  RecordProperty("encodings", used);
}

INSTANTIATE_TEST_SUITE_P(Codecs, DuckDbFileTest,
                         ::testing::Values(DuckDbFileVariant{"uncompressed", "V1"},
                                           DuckDbFileVariant{"snappy", "V1"}, DuckDbFileVariant{"gzip", "V1"},
                                           DuckDbFileVariant{"zstd", "V1"}, DuckDbFileVariant{"lz4", "V1"},
                                           DuckDbFileVariant{"uncompressed", "V2"},
                                           DuckDbFileVariant{"snappy", "V2"}, DuckDbFileVariant{"zstd", "V2"},
                                           DuckDbFileVariant{"lz4", "V2"}),
                         [](const ::testing::TestParamInfo<DuckDbFileVariant>& info) {
                           return info.param.codec + "_" + info.param.version;
                         });

// DuckDB writes BYTE_STREAM_SPLIT for floating point columns when asked per column (v2 files).
TEST(DuckDbFileTest, ByteStreamSplitFloats) {
  SKIP_WITHOUT_PEERS();
  TempDir dir;
  const std::string path = dir.Join("bss.parquet");
  auto duck = DuckDbQuery(
      "CREATE TABLE t AS SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE i / 7.0 END::DOUBLE AS d, "
      "CASE WHEN i % 9 = 0 THEN NULL ELSE i / 3.0 END::FLOAT AS f FROM range(5000) r(i); "
      "COPY t TO " +
      Lit(path) + " (FORMAT parquet, PARQUET_VERSION V2); SELECT * FROM " + Lit(path));
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  auto batch = ReadWithUs(path);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(CompareWithNdjson(*batch, *duck), "");
}

// ---------------------------------------------------------------------------------------------------
// (c) Files from hyparquet-writer (DATA_PAGE_V2, its own encoders) read equal to DuckDB and hyparquet.

class HyparquetFileTest : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(HyparquetFileTest, WeReadWhatOthersRead) {
  SKIP_WITHOUT_PEERS();
  const auto& [codec, encoding] = GetParam();
  TempDir dir;
  const std::string path = dir.Join("hyparquet.parquet");
  auto written = RunCommand("node " + PeersDir() + "/hyparquet_write.mjs " + Quote(path) +
                            " --rows 2500 --codec " + codec + " --encoding " + encoding);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto batch = ReadWithUs(path);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows(), 2500u);
  ASSERT_EQ(batch->num_columns(), 15u);

  auto duck = DuckDbQuery("SELECT * FROM read_parquet(" + Lit(path) + ")");
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  CompareOptions ns_tolerant;
  ns_tolerant.timestamp_ns_as_micros = true;
  EXPECT_EQ(CompareWithNdjson(*batch, *duck, ns_tolerant), "");

  std::vector<std::string> names;
  RecordBatch exact = WithoutWideDecimals(*batch, &names);
  EXPECT_EQ(CompareWithNdjson(exact, HyparquetRead(path, names)), "");
}

INSTANTIATE_TEST_SUITE_P(Variants, HyparquetFileTest,
                         ::testing::Values(std::make_pair("SNAPPY", "default"),
                                           std::make_pair("UNCOMPRESSED", "default"),
                                           std::make_pair("SNAPPY", "plain"),
                                           std::make_pair("SNAPPY", "delta"),
                                           std::make_pair("UNCOMPRESSED", "byte_stream_split")),
                         [](const auto& info) { return info.param.first + "_" + info.param.second; });

// ---------------------------------------------------------------------------------------------------
// (d) flights-3m.parquet (written by Polars: 3M rows, 11 row groups, ZSTD, dictionaries). The fast check
// compares the whole first row group row by row and, over all 3M rows, per-column count, min, max, sum
// and a position-weighted sum (which changes if any value moves or changes), plus the exact multiset of
// each string column. parquet_interop_slowtest.cc compares every row.

std::string FlightsPath() {
  return PeersDir() + "/node_modules/vega-datasets/data/flights-3m.parquet";
}

std::string Int128Text(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

// A JSON number or string as decimal text (DuckDB prints HUGEINT beyond 2^53 as a string).
std::string NumText(const nlohmann::ordered_json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

TEST(FlightsTest, FirstRowGroupRowByRowAndAggregatesOverAllRows) {
  SKIP_WITHOUT_PEERS();
  auto reader = OpenParquetFile(LocalFileSystem(), FlightsPath());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const Schema& schema = (*reader)->schema();
  ASSERT_EQ(schema.ToString().substr(0, 4), "date") << schema.ToString();
  ASSERT_EQ(schema.fields.size(), 5u);
  ASSERT_EQ((*reader)->info().num_rows, 3000000);
  std::vector<int> all = {0, 1, 2, 3, 4};

  // Row group 0, row by row.
  auto rg0 = (*reader)->ReadRowGroup(0, all);
  ASSERT_TRUE(rg0.ok()) << rg0.status().ToString();
  auto duck_rg0 = DuckDbQuery("SELECT * EXCLUDE (file_row_number) FROM read_parquet(" + Lit(FlightsPath()) +
                              ", file_row_number = true) WHERE file_row_number < " +
                              std::to_string(rg0->num_rows()) + " ORDER BY file_row_number");
  ASSERT_TRUE(duck_rg0.ok()) << duck_rg0.status().ToString();
  EXPECT_EQ(CompareWithNdjson(*rg0, *duck_rg0), "");

  // All rows: aggregates computed here and in DuckDB.
  constexpr int64_t kP = 1000003;
  struct IntAgg {
    int64_t count = 0, min = INT64_MAX, max = INT64_MIN;
    __int128 sum = 0, weighted = 0;
  };
  std::vector<IntAgg> ints(3);  // date (as epoch micros), delay, distance
  std::vector<std::map<std::string, int64_t>> strings(2);
  std::vector<__int128> string_weighted(2, 0);
  int64_t row = 0;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto batch = (*reader)->ReadRowGroup(g, all);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (size_t r = 0; r < batch->num_rows(); ++r, ++row) {
      const __int128 w = row % kP + 1;
      for (int c = 0; c < 3; ++c) {
        const Column& col = batch->column(c);
        if (col.IsNull(r)) continue;
        int64_t v = col.Value<int64_t>(r);
        if (c == 0) {
          ASSERT_EQ(col.type().id, TypeId::kTimestamp);
          if (col.type().unit == TimeUnit::kMillis) v *= 1000;
          if (col.type().unit == TimeUnit::kNanos) v /= 1000;
        }
        IntAgg& a = ints[c];
        ++a.count;
        a.min = std::min(a.min, v);
        a.max = std::max(a.max, v);
        a.sum += v;
        a.weighted += w * v;
      }
      for (int c = 0; c < 2; ++c) {
        const Column& col = batch->column(3 + c);
        if (col.IsNull(r)) continue;
        ++strings[c][std::string(col.GetString(r))];
        string_weighted[c] += w * static_cast<__int128>(col.GetString(r).size());
      }
    }
  }
  ASSERT_EQ(row, 3000000);

  const std::string src = "read_parquet(" + Lit(FlightsPath()) + ", file_row_number = true)";
  std::string sql = "SELECT count(*) AS n";
  const char* int_exprs[] = {"epoch_us(date)", "delay", "distance"};
  for (const char* e : int_exprs) {
    std::string x = std::string("(") + e + ")";
    sql += ", count(" + x + "), min(" + x + "), max(" + x + "), sum(" + x + "::HUGEINT), sum(" + x +
           "::HUGEINT * (file_row_number % " + std::to_string(kP) + " + 1))";
  }
  for (const char* s : {"origin", "destination"}) {
    sql +=
        std::string(", sum(strlen(") + s + ")::HUGEINT * (file_row_number % " + std::to_string(kP) + " + 1))";
  }
  sql += " FROM " + src;
  auto agg = DuckDbQuery(sql);
  ASSERT_TRUE(agg.ok()) << agg.status().ToString();
  std::vector<std::string> duck_vals, our_vals;
  // The ordered variant keeps the keys in SELECT order.
  nlohmann::ordered_json oj = nlohmann::ordered_json::parse(*agg);
  for (auto it = oj.begin(); it != oj.end(); ++it) duck_vals.push_back(NumText(it.value()));
  our_vals.push_back("3000000");
  for (const IntAgg& a : ints) {
    our_vals.push_back(std::to_string(a.count));
    our_vals.push_back(std::to_string(a.min));
    our_vals.push_back(std::to_string(a.max));
    our_vals.push_back(Int128Text(a.sum));
    our_vals.push_back(Int128Text(a.weighted));
  }
  for (__int128 w : string_weighted) our_vals.push_back(Int128Text(w));
  EXPECT_EQ(our_vals, duck_vals);

  // Exact multisets of the string columns.
  for (int c = 0; c < 2; ++c) {
    const std::string name = c == 0 ? "origin" : "destination";
    auto groups =
        DuckDbQuery("SELECT " + name + " AS v, count(*) AS n FROM " + src + " GROUP BY ALL ORDER BY v");
    ASSERT_TRUE(groups.ok()) << groups.status().ToString();
    std::string ours;
    for (const auto& [v, n] : strings[c]) {
      ours += "{\"v\":" + Value::String(v).ToJson() + ",\"n\":" + std::to_string(n) + "}\n";
    }
    EXPECT_EQ(ours, *groups) << name;
  }
}

// ---------------------------------------------------------------------------------------------------
// (e) Nested columns written by DuckDB: left out of schema(), listed as unsupported, refused by name.

TEST(NestedTest, NestedColumnsAreListedAndRefused) {
  SKIP_WITHOUT_PEERS();
  TempDir dir;
  const std::string path = dir.Join("nested.parquet");
  auto duck = DuckDbQuery(
      "COPY (SELECT i::BIGINT AS id, [i, i + 1] AS tags, {'a': i, 'b': 'x' || i::VARCHAR} AS st, "
      "MAP {'k': i} AS m, 'name ' || i::VARCHAR AS name FROM range(100) r(i)) TO " +
      Lit(path) + " (FORMAT parquet); SELECT id, name FROM " + Lit(path));
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  auto reader = OpenParquetFile(LocalFileSystem(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->schema().ToString(), "id BIGINT, name VARCHAR");
  const auto& unsupported = (*reader)->unsupported_columns();
  ASSERT_EQ(unsupported.size(), 3u);
  EXPECT_EQ(unsupported[0].name, "tags");
  EXPECT_EQ(unsupported[1].name, "st");
  EXPECT_EQ(unsupported[2].name, "m");
  for (const auto& u : unsupported) EXPECT_NE(u.reason.find(u.name), std::string::npos) << u.reason;

  auto tags = (*reader)->ResolveColumns({"id", "tags"});
  ASSERT_FALSE(tags.ok());
  EXPECT_EQ(tags.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(tags.status().message().find("tags"), std::string::npos) << tags.status().message();
  auto missing = (*reader)->ResolveColumns({"nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos) << missing.status().message();

  auto cols = (*reader)->ResolveColumns({"id", "name"});
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  auto batch = (*reader)->ReadAll(*cols);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(CompareWithNdjson(*batch, *duck), "");
}

}  // namespace
}  // namespace tandem::parquet
