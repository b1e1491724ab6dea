// Round trips through ParquetWriter and ParquetReader, plus reading hand-built files (legacy types,
// every encoding), nested-schema refusal, projection, pruning and damaged input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/memory_file_system.h"
#include "lake/parquet/compression.h"
#include "lake/parquet/encoding.h"
#include "lake/parquet/parquet_format.h"
#include "lake/parquet/parquet_reader.h"
#include "lake/parquet/parquet_writer.h"
#include "lake/parquet/thrift_compact.h"

namespace tandem::parquet {
namespace {

// ---------- helpers ----------

class StringFile final : public RandomAccessFile {
 public:
  explicit StringFile(std::string data) : data_(std::move(data)) {}
  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    std::lock_guard<std::mutex> l(mu_);
    reads_.emplace_back(offset, n);
    if (offset >= data_.size()) return size_t{0};
    const size_t k = std::min<size_t>(n, data_.size() - offset);
    std::memcpy(out, data_.data() + offset, k);
    return k;
  }
  Result<uint64_t> Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }
  std::vector<std::pair<uint64_t, size_t>> reads() const {
    std::lock_guard<std::mutex> l(mu_);
    return reads_;
  }

 private:
  std::string data_;
  std::string path_ = "mem.parquet";
  mutable std::mutex mu_;
  mutable std::vector<std::pair<uint64_t, size_t>> reads_;
};

std::string WriteToString(const Schema& schema, const std::vector<RecordBatch>& batches,
                          const WriterOptions& o,
                          const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  MemoryFileSystem fs;
  auto f = fs.NewWritableFile("/t.parquet");
  EXPECT_TRUE(f.ok());
  auto w = ParquetWriter::Open(std::move(*f), schema, o);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const RecordBatch& b : batches) {
    Status st = (*w)->Write(b);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  Status st = (*w)->Close(extra);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto data = fs.ReadFileToString("/t.parquet");
  EXPECT_TRUE(data.ok());
  return *data;
}

Result<std::unique_ptr<ParquetReader>> OpenString(const std::string& data, ReaderOptions o = {}) {
  return ParquetReader::Open(std::make_shared<StringFile>(data), o);
}

std::vector<int> AllColumns(const ParquetReader& r) {
  std::vector<int> v;
  for (size_t i = 0; i < r.schema().fields.size(); ++i) v.push_back(static_cast<int>(i));
  return v;
}

__int128 Pow10(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// Random values of `type`, with extremes mixed in; `null_rate` of them null when nullable.
Column RandomColumn(const DataType& type, size_t n, bool nullable, double null_rate, std::mt19937_64& rng,
                    int cardinality = 0) {
  Column c(type);
  std::uniform_real_distribution<double> u(0, 1);
  auto pick = [&](uint64_t span) {
    return cardinality > 0 ? rng() % static_cast<uint64_t>(cardinality) : rng() % span;
  };
  for (size_t i = 0; i < n; ++i) {
    if (nullable && u(rng) < null_rate) {
      c.AppendNull();
      continue;
    }
    const bool extreme = rng() % 17 == 0;
    switch (type.id) {
      case TypeId::kBoolean: c.Append<uint8_t>(rng() & 1); break;
      case TypeId::kInt32: {
        int32_t v = static_cast<int32_t>(pick(1ull << 32));
        if (extreme)
          v = rng() & 1 ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
        c.Append<int32_t>(v);
        break;
      }
      case TypeId::kInt64:
      case TypeId::kTimestamp: {
        int64_t v = static_cast<int64_t>(cardinality > 0 ? pick(0) : rng());
        if (extreme)
          v = rng() & 1 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
        c.Append<int64_t>(v);
        break;
      }
      case TypeId::kUInt64: {
        uint64_t v = cardinality > 0 ? pick(0) : rng();
        if (extreme) v = rng() & 1 ? 0 : std::numeric_limits<uint64_t>::max();
        c.Append<uint64_t>(v);
        break;
      }
      case TypeId::kFloat: {
        float v = static_cast<float>(static_cast<double>(pick(1000000)) / 7.0 - 5000);
        if (extreme) {
          const float ex[] = {std::nanf(""),
                              -0.0f,
                              0.0f,
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::lowest()};
          v = ex[rng() % 6];
        }
        c.Append<float>(v);
        break;
      }
      case TypeId::kDouble: {
        double v = static_cast<double>(pick(1ull << 40)) / 3.0 - 1e9;
        if (extreme) {
          const double ex[] = {std::nan(""),
                               -0.0,
                               0.0,
                               std::numeric_limits<double>::infinity(),
                               std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::max()};
          v = ex[rng() % 6];
        }
        c.Append<double>(v);
        break;
      }
      case TypeId::kString:
      case TypeId::kBinary: {
        std::string s;
        if (cardinality > 0) {
          s = "value-" + std::to_string(pick(0));
        } else {
          const size_t len = extreme ? (rng() % 20 == 0 ? 100000 : 0) : rng() % 24;
          for (size_t k = 0; k < len; ++k) {
            s.push_back(type.id == TypeId::kString ? static_cast<char>('a' + rng() % 26)
                                                   : static_cast<char>(rng()));
          }
        }
        c.AppendString(s);
        break;
      }
      case TypeId::kDate: c.Append<int32_t>(static_cast<int32_t>(pick(200000)) - 100000); break;
      case TypeId::kDecimal: {
        const __int128 max = Pow10(type.precision) - 1;
        __int128 v = (static_cast<__int128>(rng()) << 64 | rng()) % (max + 1);
        if (rng() & 1) v = -v;
        if (extreme) v = rng() & 1 ? max : -max;
        if (cardinality > 0) v = static_cast<__int128>(pick(0)) * 1000 - 7;
        c.Append<__int128>(v);
        break;
      }
    }
  }
  return c;
}

Schema AllTypesSchema() {
  Schema s;
  const std::vector<DataType> types = {DataType::Boolean(),
                                       DataType::Int32(),
                                       DataType::Int64(),
                                       DataType::UInt64(),
                                       DataType::Float(),
                                       DataType::Double(),
                                       DataType::String(),
                                       DataType::Binary(),
                                       DataType::Date(),
                                       DataType::Timestamp(TimeUnit::kMillis),
                                       DataType::Timestamp(TimeUnit::kMicros),
                                       DataType::Timestamp(TimeUnit::kNanos),
                                       DataType::Decimal(9, 2),
                                       DataType::Decimal(18, 4),
                                       DataType::Decimal(38, 10),
                                       DataType::Decimal(25, 0)};
  for (size_t i = 0; i < types.size(); ++i) {
    s.fields.push_back({"c" + std::to_string(i) + "_" + types[i].ToString(), types[i], true});
    s.fields.push_back({"r" + std::to_string(i), types[i], false});
  }
  return s;
}

RecordBatch RandomBatch(const Schema& s, size_t n, std::mt19937_64& rng, double null_rate = 0.1,
                        int cardinality = 0) {
  std::vector<Column> cols;
  for (const Field& f : s.fields)
    cols.push_back(RandomColumn(f.type, n, f.nullable, null_rate, rng, cardinality));
  return RecordBatch(s, std::move(cols), n);
}

RecordBatch Concat(const Schema& s, const std::vector<RecordBatch>& batches) {
  RecordBatch all = RecordBatch::Empty(s);
  for (const RecordBatch& b : batches) all.AppendBatch(b);
  return all;
}

void ExpectBatchesEqual(const RecordBatch& want, const RecordBatch& got) {
  ASSERT_EQ(want.num_rows(), got.num_rows());
  ASSERT_EQ(want.num_columns(), got.num_columns());
  for (size_t c = 0; c < want.num_columns(); ++c) {
    EXPECT_TRUE(want.column(c).Equals(got.column(c)))
        << "column " << c << " " << want.schema().fields[c].name;
    EXPECT_EQ(want.schema().fields[c].name, got.schema().fields[c].name);
    EXPECT_EQ(want.schema().fields[c].type, got.schema().fields[c].type) << want.schema().fields[c].name;
    EXPECT_EQ(want.schema().fields[c].nullable, got.schema().fields[c].nullable);
  }
}

void RoundTrip(const Schema& schema, const std::vector<RecordBatch>& batches, const WriterOptions& o) {
  const std::string data = WriteToString(schema, batches, o);
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE((*r)->unsupported_columns().empty());
  auto got = (*r)->ReadAll(AllColumns(**r));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectBatchesEqual(Concat(schema, batches), *got);
}

// ---------- round trips ----------

struct CodecCase {
  Compression codec;
  int page_version;
};

class RoundTripTest : public ::testing::TestWithParam<CodecCase> {};

TEST_P(RoundTripTest, AllTypesWithNullsManyRowGroupsAndPages) {
  std::mt19937_64 rng(42);
  const Schema s = AllTypesSchema();
  std::vector<RecordBatch> batches;
  for (size_t n : {700, 1, 0, 1500, 333}) batches.push_back(RandomBatch(s, n, rng));
  WriterOptions o;
  o.compression = GetParam().codec;
  o.data_page_version = GetParam().page_version;
  o.row_group_rows = 1000;
  o.data_page_bytes = 2048;
  RoundTrip(s, batches, o);
}

TEST_P(RoundTripTest, LowCardinalityUsesDictionary) {
  std::mt19937_64 rng(5);
  const Schema s = AllTypesSchema();
  std::vector<RecordBatch> batches = {RandomBatch(s, 5000, rng, 0.2, 40)};
  WriterOptions o;
  o.compression = GetParam().codec;
  o.data_page_version = GetParam().page_version;
  o.data_page_bytes = 512;
  const std::string data = WriteToString(s, batches, o);
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = (*r)->ReadAll(AllColumns(**r));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectBatchesEqual(batches[0], *got);
  // The string column (index 12) must be dictionary-encoded.
  const ColumnChunkInfo& ci = (*r)->info().row_groups[0].columns[12];
  EXPECT_NE(std::find(ci.encodings.begin(), ci.encodings.end(), "RLE_DICTIONARY"), ci.encodings.end())
      << ci.name;
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, RoundTripTest,
    ::testing::Values(CodecCase{Compression::kUncompressed, 1}, CodecCase{Compression::kSnappy, 1},
                      CodecCase{Compression::kGzip, 1}, CodecCase{Compression::kZstd, 1},
                      CodecCase{Compression::kLz4Raw, 1}, CodecCase{Compression::kUncompressed, 2},
                      CodecCase{Compression::kSnappy, 2}, CodecCase{Compression::kGzip, 2},
                      CodecCase{Compression::kZstd, 2}, CodecCase{Compression::kLz4Raw, 2}),
    [](const auto& info) {
      return std::string(CompressionName(info.param.codec)) + "_v" + std::to_string(info.param.page_version);
    });

TEST(ParquetRoundTrip, ZeroRowsGiveAFileWithSchemaAndNoRowGroups) {
  const Schema s = AllTypesSchema();
  const std::string data = WriteToString(s, {}, WriterOptions{});
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->num_row_groups(), 0);
  EXPECT_EQ((*r)->info().num_rows, 0);
  ASSERT_EQ((*r)->schema().fields.size(), s.fields.size());
  for (size_t i = 0; i < s.fields.size(); ++i) {
    EXPECT_EQ((*r)->schema().fields[i].type, s.fields[i].type) << s.fields[i].name;
    EXPECT_EQ((*r)->schema().fields[i].nullable, s.fields[i].nullable);
  }
  auto all = (*r)->ReadAll({0, 5});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->num_rows(), 0u);
  EXPECT_EQ(all->num_columns(), 2u);
}

TEST(ParquetRoundTrip, OneRowAndAllNullColumns) {
  std::mt19937_64 rng(9);
  const Schema s = AllTypesSchema();
  RoundTrip(s, {RandomBatch(s, 1, rng)}, WriterOptions{});
  // Every nullable column entirely null.
  RoundTrip(s, {RandomBatch(s, 300, rng, 1.0)}, WriterOptions{});
}

TEST(ParquetRoundTrip, ExtremeValuesExactly) {
  Schema s;
  s.fields = {
      {"i64", DataType::Int64(), false},        {"u64", DataType::UInt64(), false},
      {"f64", DataType::Double(), false},       {"f32", DataType::Float(), false},
      {"s", DataType::String(), true},          {"d38", DataType::Decimal(38, 38), false},
      {"d18", DataType::Decimal(18, 0), false}, {"tns", DataType::Timestamp(TimeUnit::kNanos), false}};
  RecordBatch b = RecordBatch::Empty(s);
  const int64_t i64[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0, -1};
  const uint64_t u64[] = {0, std::numeric_limits<uint64_t>::max(), 1ull << 63, 12345};
  const double f64[] = {std::nan(""), -0.0, 0.0, -std::numeric_limits<double>::infinity()};
  const float f32[] = {-0.0f, std::nanf(""), std::numeric_limits<float>::denorm_min(), 1.5f};
  const std::string strs[] = {"", std::string(100000, 'x'), std::string("\0\xff\x80", 3), "z"};
  const __int128 d38[] = {Pow10(38) - 1, -(Pow10(38) - 1), 0, -1};
  const __int128 d18[] = {Pow10(18) - 1, -(Pow10(18) - 1), 1, -1};
  for (int i = 0; i < 4; ++i) {
    b.mutable_column(0).Append<int64_t>(i64[i]);
    b.mutable_column(1).Append<uint64_t>(u64[i]);
    b.mutable_column(2).Append<double>(f64[i]);
    b.mutable_column(3).Append<float>(f32[i]);
    if (i == 3) {
      b.mutable_column(4).AppendNull();
    } else {
      b.mutable_column(4).AppendString(strs[i]);
    }
    b.mutable_column(5).Append<__int128>(d38[i]);
    b.mutable_column(6).Append<__int128>(d18[i]);
    b.mutable_column(7).Append<int64_t>(i64[i]);
  }
  b.set_num_rows(4);
  for (bool dict : {true, false}) {
    WriterOptions o;
    o.dictionary = dict;
    RoundTrip(s, {b}, o);
  }
  // -0.0 keeps its sign bit through the file.
  const std::string data = WriteToString(s, {b}, WriterOptions{});
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok());
  auto got = (*r)->ReadRowGroup(0, {2});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(std::signbit(got->column(0).Value<double>(1)));
}

TEST(ParquetRoundTrip, DictionaryFallsBackToPlainWhenItOutgrowsTheLimit) {
  Schema s;
  s.fields = {{"s", DataType::String(), true}, {"i", DataType::Int64(), false}};
  std::mt19937_64 rng(11);
  // 200 distinct values repeated, then many fresh ones: the dictionary fills up part way through.
  RecordBatch b = RecordBatch::Empty(s);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t k = i < 10000 ? rng() % 200 : rng() % 5000;
    if (i % 13 == 0) {
      b.mutable_column(0).AppendNull();
    } else {
      b.mutable_column(0).AppendString("key-" + std::to_string(k));
    }
    b.mutable_column(1).Append<int64_t>(static_cast<int64_t>(k));
  }
  b.set_num_rows(20000);
  for (int v : {1, 2}) {
    WriterOptions o;
    o.dictionary_max_bytes = 4000;
    o.data_page_bytes = 1000;
    o.data_page_version = v;
    const std::string data = WriteToString(s, {b}, o);
    auto r = OpenString(data);
    ASSERT_TRUE(r.ok());
    auto got = (*r)->ReadAll({0, 1});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectBatchesEqual(b, *got);
    const auto& enc = (*r)->info().row_groups[0].columns[0].encodings;
    EXPECT_NE(std::find(enc.begin(), enc.end(), "RLE_DICTIONARY"), enc.end());
    EXPECT_NE(std::find(enc.begin(), enc.end(), "PLAIN"), enc.end());
  }
}

TEST(ParquetRoundTrip, NearlyUniqueColumnsSkipTheDictionary) {
  Schema s;
  s.fields = {{"id", DataType::Int64(), false}, {"u", DataType::String(), false}};
  RecordBatch b = RecordBatch::Empty(s);
  for (int i = 0; i < 50000; ++i) {
    b.mutable_column(0).Append<int64_t>(i * 7919LL);
    b.mutable_column(1).AppendString("user-" + std::to_string(i * 31));
  }
  b.set_num_rows(50000);
  const std::string data = WriteToString(s, {b}, WriterOptions{});
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok());
  for (const ColumnChunkInfo& ci : (*r)->info().row_groups[0].columns) {
    EXPECT_EQ(std::find(ci.encodings.begin(), ci.encodings.end(), "RLE_DICTIONARY"), ci.encodings.end())
        << ci.name;
  }
  auto got = (*r)->ReadAll({0, 1});
  ASSERT_TRUE(got.ok());
  ExpectBatchesEqual(b, *got);
}

TEST(ParquetRoundTrip, WritesThroughTheFileSystemConvenience) {
  MemoryFileSystem fs;
  std::mt19937_64 rng(1);
  const Schema s = AllTypesSchema();
  std::vector<RecordBatch> batches = {RandomBatch(s, 100, rng), RandomBatch(s, 50, rng)};
  ASSERT_TRUE(WriteParquetFile(&fs, "/a.parquet", s, batches).ok());
  auto r = OpenParquetFile(&fs, "/a.parquet");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = (*r)->ReadAll(AllColumns(**r));
  ASSERT_TRUE(got.ok());
  ExpectBatchesEqual(Concat(s, batches), *got);
  EXPECT_EQ((*r)->info().created_by, "tandem version 0.1.0");
  EXPECT_FALSE(OpenParquetFile(&fs, "/missing.parquet").ok());
}

// ---------- metadata, statistics, projection, pruning ----------

TEST(ParquetMetadata, KeyValueMetadataFromOptionsAndClose) {
  Schema s;
  s.fields = {{"x", DataType::Int32(), false}};
  RecordBatch b = RecordBatch::Empty(s);
  b.mutable_column(0).Append<int32_t>(1);
  b.set_num_rows(1);
  WriterOptions o;
  o.key_value_metadata = {{"tandem.offsets", "p0:0-100"}, {"empty", ""}};
  const std::string data = WriteToString(s, {b}, o, {{"horizon", "42"}});
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok());
  const auto& kv = (*r)->info().key_value_metadata;
  ASSERT_EQ(kv.size(), 3u);
  EXPECT_EQ(kv[0], std::make_pair(std::string("tandem.offsets"), std::string("p0:0-100")));
  EXPECT_EQ(kv[1], std::make_pair(std::string("empty"), std::string("")));
  EXPECT_EQ(kv[2], std::make_pair(std::string("horizon"), std::string("42")));
}

TEST(ParquetMetadata, StatisticsUseTheTypesSortOrder) {
  Schema s;
  s.fields = {{"i", DataType::Int64(), true},   {"u", DataType::UInt64(), false},
              {"d", DataType::Double(), false}, {"s", DataType::String(), false},
              {"n", DataType::Int32(), true},   {"dec", DataType::Decimal(30, 2), false},
              {"z", DataType::Float(), false}};
  RecordBatch b = RecordBatch::Empty(s);
  const int64_t iv[] = {5, -3, 9, 0};
  const uint64_t uv[] = {1, std::numeric_limits<uint64_t>::max(), 7, 3};
  const double dv[] = {std::nan(""), 2.5, -1.0, 0.0};
  const char* sv[] = {"b", "\xc3\xa9", "a", "ab"};  // bytewise: "\xc3..." sorts last
  const __int128 decv[] = {-(Pow10(29)), 5, Pow10(29), 0};
  const float zv[] = {0.0f, -0.0f, 0.0f, 0.0f};
  for (int i = 0; i < 4; ++i) {
    if (i == 1) {
      b.mutable_column(0).AppendNull();
    } else {
      b.mutable_column(0).Append<int64_t>(iv[i]);
    }
    b.mutable_column(1).Append<uint64_t>(uv[i]);
    b.mutable_column(2).Append<double>(dv[i]);
    b.mutable_column(3).AppendString(sv[i]);
    b.mutable_column(4).AppendNull();
    b.mutable_column(5).Append<__int128>(decv[i]);
    b.mutable_column(6).Append<float>(zv[i]);
  }
  b.set_num_rows(4);
  const std::string data = WriteToString(s, {b}, WriterOptions{});
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok());
  const auto& cols = (*r)->info().row_groups[0].columns;
  EXPECT_EQ(cols[0].min, Value::Int64(0));
  EXPECT_EQ(cols[0].max, Value::Int64(9));
  EXPECT_EQ(cols[0].null_count, 1);
  EXPECT_EQ(cols[1].min, Value::UInt64(1));
  EXPECT_EQ(cols[1].max, Value::UInt64(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(cols[2].min, Value::Double(-1.0));  // NaN ignored
  EXPECT_EQ(cols[2].max, Value::Double(2.5));
  EXPECT_EQ(cols[3].min, Value::String("a"));
  EXPECT_EQ(cols[3].max, Value::String("\xc3\xa9"));
  EXPECT_FALSE(cols[4].min.has_value());  // all null: no min/max
  EXPECT_FALSE(cols[4].max.has_value());
  EXPECT_EQ(cols[4].null_count, 4);
  EXPECT_EQ(cols[5].min, Value::Decimal(-Pow10(29), 30, 2));
  EXPECT_EQ(cols[5].max, Value::Decimal(Pow10(29), 30, 2));
  ASSERT_TRUE(cols[6].min.has_value());
  EXPECT_TRUE(std::signbit(cols[6].min->double_value()));  // zero minimum written as -0.0
  EXPECT_FALSE(std::signbit(cols[6].max->double_value()));
  EXPECT_EQ(cols[0].physical_type, "INT64");
  EXPECT_EQ(cols[0].codec, "ZSTD");
  EXPECT_EQ(cols[0].num_values, 4);
  EXPECT_GT(cols[0].compressed_bytes, 0);
}

TEST(ParquetProjection, ReadsOnlyTheAskedColumnsInTheAskedOrder) {
  std::mt19937_64 rng(3);
  const Schema s = AllTypesSchema();
  RecordBatch b = RandomBatch(s, 2000, rng);
  WriterOptions o;
  o.row_group_rows = 700;
  const std::string data = WriteToString(s, {b}, o);
  auto file = std::make_shared<StringFile>(data);
  auto r = ParquetReader::Open(file);
  ASSERT_TRUE(r.ok());
  const size_t reads_before = file->reads().size();
  auto got = (*r)->ReadAll({13, 2});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->num_columns(), 2u);
  EXPECT_EQ(got->schema().fields[0].name, s.fields[13].name);
  EXPECT_TRUE(got->column(0).Equals(b.column(13)));
  EXPECT_TRUE(got->column(1).Equals(b.column(2)));
  // Every byte read lies inside the chunks of columns 13 and 2.
  const auto reads = file->reads();
  const auto& groups = (*r)->info().row_groups;
  ASSERT_EQ(groups.size(), 3u);
  for (size_t i = reads_before; i < reads.size(); ++i) {
    // Reads are whole chunks: their sizes must be the compressed sizes of the asked chunks.
    bool inside = false;
    for (size_t g = 0; g < groups.size(); ++g) {
      for (int c : {13, 2}) {
        if (static_cast<int64_t>(reads[i].second) == groups[g].columns[c].compressed_bytes) inside = true;
      }
    }
    EXPECT_TRUE(inside) << "read of " << reads[i].second << " bytes at " << reads[i].first;
  }
  EXPECT_EQ(reads.size() - reads_before, 6u);  // 3 row groups x 2 columns

  auto idx = (*r)->ResolveColumns({s.fields[5].name, s.fields[0].name});
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(*idx, (std::vector<int>{5, 0}));
  auto missing = (*r)->ResolveColumns({"nope"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  EXPECT_EQ((*r)->ReadRowGroup(3, {0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*r)->ReadRowGroup(0, {999}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ParquetPruning, KeepsExactlyTheGroupsThatMayMatch) {
  Schema s;
  s.fields = {{"id", DataType::Int64(), false},
              {"name", DataType::String(), true},
              {"ts", DataType::Timestamp(TimeUnit::kMillis), false},
              {"maybe", DataType::Int32(), true}};
  RecordBatch b = RecordBatch::Empty(s);
  // 4 row groups of 100 rows: ids 0..399, names "g<group>-..", ts = id * 1000 ms, "maybe" null in group 2.
  for (int i = 0; i < 400; ++i) {
    b.mutable_column(0).Append<int64_t>(i);
    b.mutable_column(1).AppendString("g" + std::to_string(i / 100) + "-" + std::to_string(i));
    b.mutable_column(2).Append<int64_t>(static_cast<int64_t>(i) * 1000);
    if (i / 100 == 2) {
      b.mutable_column(3).AppendNull();
    } else {
      b.mutable_column(3).Append<int32_t>(i % 10);
    }
  }
  b.set_num_rows(400);
  WriterOptions o;
  o.row_group_rows = 100;
  const std::string data = WriteToString(s, {b}, o);
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->num_row_groups(), 4);
  using Op = ColumnPredicate::Op;
  auto prune = [&](std::vector<ColumnPredicate> p) { return (*r)->PruneRowGroups(p); };
  EXPECT_EQ(prune({{0, Op::kEq, Value::Int64(150)}}), (std::vector<int>{1}));
  EXPECT_EQ(prune({{0, Op::kEq, Value::Int64(1000)}}), (std::vector<int>{}));
  EXPECT_EQ(prune({{0, Op::kLt, Value::Int64(100)}}), (std::vector<int>{0}));
  EXPECT_EQ(prune({{0, Op::kLe, Value::Int64(100)}}), (std::vector<int>{0, 1}));
  EXPECT_EQ(prune({{0, Op::kGt, Value::Int64(299)}}), (std::vector<int>{3}));
  EXPECT_EQ(prune({{0, Op::kGe, Value::Int64(299)}}), (std::vector<int>{2, 3}));
  EXPECT_EQ(prune({{0, Op::kGe, Value::Int32(150)}, {0, Op::kLt, Value::Int64(250)}}),
            (std::vector<int>{1, 2}));
  EXPECT_EQ(prune({{1, Op::kEq, Value::String("g3-350")}}), (std::vector<int>{3}));
  EXPECT_EQ(prune({{1, Op::kLt, Value::String("g1")}}), (std::vector<int>{0}));
  // Timestamps compare across units: 150 s in microseconds.
  EXPECT_EQ(prune({{2, Op::kEq, Value::Timestamp(150000000, TimeUnit::kMicros)}}), (std::vector<int>{1}));
  // An all-null group never satisfies a comparison.
  EXPECT_EQ(prune({{3, Op::kGe, Value::Int32(0)}}), (std::vector<int>{0, 1, 3}));
  // Incomparable or null predicate values keep everything.
  EXPECT_EQ(prune({{0, Op::kEq, Value::String("x")}}), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(prune({{0, Op::kEq, Value::Null(DataType::Int64())}}), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(prune({}), (std::vector<int>{0, 1, 2, 3}));
}

TEST(ParquetPruning, GroupsWithoutStatisticsAreKept) {
  Schema s;
  s.fields = {{"id", DataType::Int64(), false}};
  RecordBatch b = RecordBatch::Empty(s);
  for (int i = 0; i < 10; ++i) b.mutable_column(0).Append<int64_t>(i);
  b.set_num_rows(10);
  WriterOptions o;
  o.write_statistics = false;
  const std::string data = WriteToString(s, {b}, o);
  auto r = OpenString(data);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->PruneRowGroups({{0, ColumnPredicate::Op::kEq, Value::Int64(1000)}}), (std::vector<int>{0}));
}

// ---------- writer errors ----------

TEST(ParquetWriterErrors, RejectsBadInputWithClearMessages) {
  Schema s;
  s.fields = {{"x", DataType::Int32(), false}};
  MemoryFileSystem fs;
  auto w = ParquetWriter::Open(std::move(fs.NewWritableFile("/w.parquet").value()), s);
  ASSERT_TRUE(w.ok());
  RecordBatch nulls = RecordBatch::Empty(s);
  nulls.mutable_column(0).AppendNull();
  nulls.set_num_rows(1);
  Status st = (*w)->Write(nulls);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'x'"), std::string::npos) << st.message();

  Schema other;
  other.fields = {{"y", DataType::Int32(), false}};
  RecordBatch wrong = RecordBatch::Empty(other);
  EXPECT_EQ((*w)->Write(wrong).code(), StatusCode::kInvalidArgument);
  // The writer survives rejected batches.
  RecordBatch ok = RecordBatch::Empty(s);
  ok.mutable_column(0).Append<int32_t>(7);
  ok.set_num_rows(1);
  EXPECT_TRUE((*w)->Write(ok).ok());
  EXPECT_EQ((*w)->rows_written(), 1);
  EXPECT_TRUE((*w)->Close().ok());
  EXPECT_FALSE((*w)->Write(ok).ok());
  EXPECT_FALSE((*w)->Close().ok());

  // A DECIMAL value with more digits than its precision is refused, and the writer survives it.
  Schema ds;
  ds.fields = {{"d", DataType::Decimal(9, 2), true}};
  auto dw = ParquetWriter::Open(std::move(fs.NewWritableFile("/d.parquet").value()), ds);
  ASSERT_TRUE(dw.ok());
  RecordBatch big = RecordBatch::Empty(ds);
  big.mutable_column(0).Append<__int128>(Pow10(9));
  big.set_num_rows(1);
  Status dst = (*dw)->Write(big);
  EXPECT_EQ(dst.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dst.message().find("DECIMAL(9,2)"), std::string::npos) << dst.message();
  RecordBatch fits = RecordBatch::Empty(ds);
  fits.mutable_column(0).Append<__int128>(-(Pow10(9) - 1));
  fits.set_num_rows(1);
  EXPECT_TRUE((*dw)->Write(fits).ok());
  EXPECT_TRUE((*dw)->Close().ok());

  WriterOptions bad;
  bad.data_page_version = 3;
  EXPECT_EQ(ParquetWriter::Open(std::move(fs.NewWritableFile("/b.parquet").value()), s, bad).status().code(),
            StatusCode::kInvalidArgument);
  Schema dec;
  dec.fields = {{"d", DataType::Decimal(40, 2), true}};
  EXPECT_EQ(ParquetWriter::Open(std::move(fs.NewWritableFile("/c.parquet").value()), dec).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCompression("ZSTD").value(), Compression::kZstd);
  EXPECT_EQ(ParseCompression("none").value(), Compression::kUncompressed);
  EXPECT_EQ(ParseCompression("lz4").value(), Compression::kLz4Raw);
  EXPECT_FALSE(ParseCompression("brotli").ok());
}

// ---------- hand-built files: other writers' layouts ----------

// Builds a one-row-group file from schema leaves and pre-encoded column chunks.
struct HandChunk {
  std::string bytes;  // pages
  PhysicalType type;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values;
  std::optional<Statistics> stats;
};

std::string BuildFile(const std::vector<SchemaElement>& elements, int top_children,
                      const std::vector<HandChunk>& chunks, int64_t num_rows) {
  std::string file = "PAR1";
  FileMetaData m;
  m.version = 1;
  SchemaElement root;
  root.name = "root";
  root.num_children = top_children;
  m.schema.push_back(root);
  for (const SchemaElement& e : elements) m.schema.push_back(e);
  m.num_rows = num_rows;
  if (!chunks.empty()) {
    RowGroup g;
    g.num_rows = num_rows;
    for (size_t i = 0; i < chunks.size(); ++i) {
      ColumnChunk cc;
      cc.meta_data.emplace();
      ColumnMetaData& md = *cc.meta_data;
      md.type = chunks[i].type;
      md.encodings = {Encoding::kPlain};
      md.path_in_schema = {"c" + std::to_string(i)};
      md.codec = chunks[i].codec;
      md.num_values = chunks[i].num_values;
      md.total_compressed_size = static_cast<int64_t>(chunks[i].bytes.size());
      md.total_uncompressed_size = md.total_compressed_size;
      md.data_page_offset = static_cast<int64_t>(file.size());
      md.statistics = chunks[i].stats;
      file += chunks[i].bytes;
      g.columns.push_back(cc);
    }
    m.row_groups.push_back(g);
  }
  std::string footer;
  ThriftCompactWriter w(&footer);
  EncodeFileMetaData(m, &w);
  file += footer;
  const uint32_t len = static_cast<uint32_t>(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  file += "PAR1";
  return file;
}

std::string Page(PageType type, const std::string& body, int32_t n, Encoding enc,
                 Encoding def_enc = Encoding::kRle, const std::string* stored = nullptr) {
  PageHeader h;
  h.type = type;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  const std::string& b = stored ? *stored : body;
  h.compressed_page_size = static_cast<int32_t>(b.size());
  if (type == PageType::kDictionaryPage) {
    h.dictionary_page_header.emplace();
    h.dictionary_page_header->num_values = n;
    h.dictionary_page_header->encoding = Encoding::kPlainDictionary;
  } else {
    h.data_page_header.emplace();
    h.data_page_header->num_values = n;
    h.data_page_header->encoding = enc;
    h.data_page_header->definition_level_encoding = def_enc;
  }
  std::string out;
  ThriftCompactWriter w(&out);
  EncodePageHeader(h, &w);
  return out + b;
}

SchemaElement Leaf(const std::string& name, PhysicalType t, Repetition rep = Repetition::kRequired) {
  SchemaElement e;
  e.name = name;
  e.type = t;
  e.repetition_type = rep;
  return e;
}

template <typename T>
std::string Raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

TEST(ParquetForeignFiles, LegacyTypesEncodingsAndCodecs) {
  std::vector<SchemaElement> el;
  std::vector<HandChunk> ch;
  // c0: INT96 timestamps.
  el.push_back(Leaf("c0", PhysicalType::kInt96));
  {
    std::string body;
    auto put96 = [&](int64_t nanos, int32_t julian) {
      body.append(reinterpret_cast<const char*>(&nanos), 8);
      body.append(reinterpret_cast<const char*>(&julian), 4);
    };
    put96(0, 2440588);                    // 1970-01-01
    put96(3600LL * 1000000000, 2440589);  // 1970-01-02T01:00
    put96(1, 2440587);                    // 1969-12-31 + 1ns
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kPlain), PhysicalType::kInt96,
                  CompressionCodec::kUncompressed, 3, std::nullopt});
  }
  // c1: INT32 UINT_32 converted type -> INT64.
  el.push_back(Leaf("c1", PhysicalType::kInt32));
  el.back().converted_type = ConvertedType::kUint32;
  ch.push_back({Page(PageType::kDataPage, Raw<uint32_t>({0, 4294967295u, 7}), 3, Encoding::kPlain),
                PhysicalType::kInt32, CompressionCodec::kUncompressed, 3, std::nullopt});
  // c2: INT64 TIMESTAMP_MILLIS converted type, DELTA_BINARY_PACKED.
  el.push_back(Leaf("c2", PhysicalType::kInt64));
  el.back().converted_type = ConvertedType::kTimestampMillis;
  {
    const std::vector<int64_t> v = {1000, -5, 1700000000000};
    std::string body;
    EncodeDeltaBinaryPacked64(v.data(), v.size(), &body);
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kDeltaBinaryPacked), PhysicalType::kInt64,
                  CompressionCodec::kUncompressed, 3, std::nullopt});
  }
  // c3: BYTE_ARRAY DECIMAL(10,2) (converted type only), DELTA_LENGTH_BYTE_ARRAY.
  el.push_back(Leaf("c3", PhysicalType::kByteArray));
  el.back().converted_type = ConvertedType::kDecimal;
  el.back().precision = 10;
  el.back().scale = 2;
  {
    const std::string a("\x01\x00", 2), b("\xff", 1), c("\x7f\xff\xff\xff\xff", 5);
    std::vector<std::string_view> vals = {a, b, c};
    std::string body;
    EncodeDeltaLengthByteArray(vals, &body);
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kDeltaLengthByteArray),
                  PhysicalType::kByteArray, CompressionCodec::kUncompressed, 3, std::nullopt});
  }
  // c4: FIXED_LEN_BYTE_ARRAY(5) DECIMAL(11,3) OPTIONAL with BIT_PACKED definition levels.
  el.push_back(Leaf("c4", PhysicalType::kFixedLenByteArray, Repetition::kOptional));
  el.back().type_length = 5;
  el.back().logical_type.emplace();
  el.back().logical_type->kind = LogicalType::Kind::kDecimal;
  el.back().logical_type->decimal_precision = 11;
  el.back().logical_type->decimal_scale = 3;
  {
    std::string body;
    body.push_back(static_cast<char>(0xa0));  // levels 1,0,1 MSB first
    body += std::string("\xff\xff\xff\xff\xfe", 5) + std::string("\x00\x00\x00\x01\x00", 5);
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kPlain, Encoding::kBitPacked),
                  PhysicalType::kFixedLenByteArray, CompressionCodec::kUncompressed, 3, std::nullopt});
  }
  // c5: DOUBLE, BYTE_STREAM_SPLIT, Hadoop-framed LZ4.
  el.push_back(Leaf("c5", PhysicalType::kDouble));
  {
    const std::vector<double> v = {1.5, -2.25, 1e300};
    std::string body;
    EncodeByteStreamSplit(reinterpret_cast<const uint8_t*>(v.data()), v.size(), 8, &body);
    auto lz4 = BlockCodec::Make(CompressionCodec::kLz4Raw);
    std::string block;
    ASSERT_TRUE((*lz4)->Compress(body, &block).ok());
    std::string framed;
    for (uint32_t x : {static_cast<uint32_t>(body.size()), static_cast<uint32_t>(block.size())}) {
      for (int i = 3; i >= 0; --i) framed.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
    }
    framed += block;
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kByteStreamSplit, Encoding::kRle, &framed),
                  PhysicalType::kDouble, CompressionCodec::kLz4, 3, std::nullopt});
  }
  // c6: BYTE_ARRAY UTF8 with a PLAIN_DICTIONARY dictionary page and PLAIN_DICTIONARY data page.
  el.push_back(Leaf("c6", PhysicalType::kByteArray));
  el.back().converted_type = ConvertedType::kUtf8;
  {
    std::string dict;
    for (const char* s : {"x", "yy"}) {
      const uint32_t n = static_cast<uint32_t>(std::strlen(s));
      dict.append(reinterpret_cast<const char*>(&n), 4);
      dict += s;
    }
    std::string idx;
    idx.push_back(1);  // bit width
    RleBitPackedEncoder enc(1);
    for (uint32_t i : {1u, 0u, 1u}) enc.Put(i);
    enc.Finish(&idx);
    ch.push_back({Page(PageType::kDictionaryPage, dict, 2, Encoding::kPlain) +
                      Page(PageType::kDataPage, idx, 3, Encoding::kPlainDictionary),
                  PhysicalType::kByteArray, CompressionCodec::kUncompressed, 3, std::nullopt});
  }
  // c7: INT32 INT_8 -> INT32; c8: FIXED_LEN_BYTE_ARRAY(3) without annotation -> BINARY.
  el.push_back(Leaf("c7", PhysicalType::kInt32));
  el.back().converted_type = ConvertedType::kInt8;
  ch.push_back({Page(PageType::kDataPage, Raw<int32_t>({-128, 127, 0}), 3, Encoding::kPlain),
                PhysicalType::kInt32, CompressionCodec::kUncompressed, 3, std::nullopt});
  el.push_back(Leaf("c8", PhysicalType::kFixedLenByteArray));
  el.back().type_length = 3;
  ch.push_back({Page(PageType::kDataPage, "abcdefghi", 3, Encoding::kPlain), PhysicalType::kFixedLenByteArray,
                CompressionCodec::kUncompressed, 3, std::nullopt});

  // c9, c10: INT32 DELTA_BINARY_PACKED with deltas beyond 32 bits, encoded with 64-bit deltas (as DuckDB
  // does) and by the 32-bit encoder.
  const std::vector<int32_t> extremes = {std::numeric_limits<int32_t>::max(),
                                         std::numeric_limits<int32_t>::min(), 5};
  el.push_back(Leaf("c9", PhysicalType::kInt32));
  {
    const std::vector<int64_t> wide(extremes.begin(), extremes.end());
    std::string body;
    EncodeDeltaBinaryPacked64(wide.data(), wide.size(), &body);
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kDeltaBinaryPacked), PhysicalType::kInt32,
                  CompressionCodec::kUncompressed, 3, std::nullopt});
  }
  el.push_back(Leaf("c10", PhysicalType::kInt32));
  {
    std::string body;
    EncodeDeltaBinaryPacked32(extremes.data(), extremes.size(), &body);
    ch.push_back({Page(PageType::kDataPage, body, 3, Encoding::kDeltaBinaryPacked), PhysicalType::kInt32,
                  CompressionCodec::kUncompressed, 3, std::nullopt});
  }

  const std::string file = BuildFile(el, static_cast<int>(el.size()), ch, 3);
  auto r = OpenString(file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Schema& s = (*r)->schema();
  ASSERT_EQ(s.fields.size(), 11u);
  EXPECT_EQ(s.fields[0].type, DataType::Timestamp(TimeUnit::kNanos));
  EXPECT_EQ(s.fields[1].type, DataType::Int64());
  EXPECT_EQ(s.fields[2].type, DataType::Timestamp(TimeUnit::kMillis));
  EXPECT_EQ(s.fields[3].type, DataType::Decimal(10, 2));
  EXPECT_EQ(s.fields[4].type, DataType::Decimal(11, 3));
  EXPECT_TRUE(s.fields[4].nullable);
  EXPECT_EQ(s.fields[5].type, DataType::Double());
  EXPECT_EQ(s.fields[6].type, DataType::String());
  EXPECT_EQ(s.fields[7].type, DataType::Int32());
  EXPECT_EQ(s.fields[8].type, DataType::Binary());
  auto b = (*r)->ReadAll(AllColumns(**r));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const RecordBatch& got = *b;
  EXPECT_EQ(got.column(0).Value<int64_t>(0), 0);
  EXPECT_EQ(got.column(0).Value<int64_t>(1), 90000LL * 1000000000);
  EXPECT_EQ(got.column(0).Value<int64_t>(2), -86400LL * 1000000000 + 1);
  EXPECT_EQ(got.column(1).Value<int64_t>(1), 4294967295LL);
  EXPECT_EQ(got.column(2).Value<int64_t>(2), 1700000000000);
  EXPECT_EQ(got.column(3).Value<__int128>(0), 256);
  EXPECT_EQ(got.column(3).Value<__int128>(1), -1);
  EXPECT_EQ(got.column(3).Value<__int128>(2), (static_cast<__int128>(1) << 39) - 1);
  EXPECT_EQ(got.column(4).Value<__int128>(0), -2);
  EXPECT_TRUE(got.column(4).IsNull(1));
  EXPECT_EQ(got.column(4).Value<__int128>(2), 256);
  EXPECT_EQ(got.column(5).Value<double>(1), -2.25);
  EXPECT_EQ(got.column(5).Value<double>(2), 1e300);
  EXPECT_EQ(got.column(6).GetString(0), "yy");
  EXPECT_EQ(got.column(6).GetString(1), "x");
  EXPECT_EQ(got.column(7).Value<int32_t>(0), -128);
  EXPECT_EQ(got.column(8).GetString(2), "ghi");
  for (int c : {9, 10}) {
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(got.column(c).Value<int32_t>(i), extremes[i]) << "column c" << c << " row " << i;
  }
}

TEST(ParquetForeignFiles, NestedAndUnsupportedColumnsAreListedNotRead) {
  std::vector<SchemaElement> el;
  el.push_back(Leaf("id", PhysicalType::kInt64));
  // tags: LIST<string> in the three-level layout.
  SchemaElement list;
  list.name = "tags";
  list.repetition_type = Repetition::kOptional;
  list.num_children = 1;
  list.converted_type = ConvertedType::kList;
  el.push_back(list);
  SchemaElement rep;
  rep.name = "list";
  rep.repetition_type = Repetition::kRepeated;
  rep.num_children = 1;
  el.push_back(rep);
  el.push_back(Leaf("element", PhysicalType::kByteArray, Repetition::kOptional));
  // point: STRUCT<x double, y double>.
  SchemaElement st;
  st.name = "point";
  st.repetition_type = Repetition::kOptional;
  st.num_children = 2;
  el.push_back(st);
  el.push_back(Leaf("x", PhysicalType::kDouble));
  el.push_back(Leaf("y", PhysicalType::kDouble));
  // nums: repeated primitive.
  el.push_back(Leaf("nums", PhysicalType::kInt32, Repetition::kRepeated));
  // m: MAP via logical type.
  SchemaElement map;
  map.name = "m";
  map.repetition_type = Repetition::kOptional;
  map.num_children = 1;
  map.logical_type.emplace();
  map.logical_type->kind = LogicalType::Kind::kMap;
  el.push_back(map);
  SchemaElement kv;
  kv.name = "key_value";
  kv.repetition_type = Repetition::kRepeated;
  kv.num_children = 2;
  el.push_back(kv);
  el.push_back(Leaf("key", PhysicalType::kByteArray));
  el.push_back(Leaf("value", PhysicalType::kInt64, Repetition::kOptional));
  // half: FLOAT16.
  el.push_back(Leaf("half", PhysicalType::kFixedLenByteArray));
  el.back().type_length = 2;
  el.back().logical_type.emplace();
  el.back().logical_type->kind = LogicalType::Kind::kFloat16;
  el.push_back(Leaf("name", PhysicalType::kByteArray, Repetition::kOptional));
  el.back().converted_type = ConvertedType::kUtf8;

  const std::string file = BuildFile(el, 7, {}, 0);
  auto r = OpenString(file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Schema& s = (*r)->schema();
  ASSERT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.fields[0].name, "id");
  EXPECT_EQ(s.fields[1].name, "name");
  const auto& u = (*r)->unsupported_columns();
  ASSERT_EQ(u.size(), 5u);
  EXPECT_EQ(u[0].name, "tags");
  EXPECT_EQ(u[0].reason, "LIST column 'tags' (nested types are not supported)");
  EXPECT_EQ(u[1].reason, "STRUCT column 'point' (nested types are not supported)");
  EXPECT_EQ(u[2].reason, "repeated column 'nums' (nested types are not supported)");
  EXPECT_EQ(u[3].reason, "MAP column 'm' (nested types are not supported)");
  EXPECT_NE(u[4].reason.find("FLOAT16"), std::string::npos);
  auto res = (*r)->ResolveColumns({"name", "tags"});
  EXPECT_EQ(res.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(res.status().message().find("LIST column 'tags'"), std::string::npos);
  auto ok = (*r)->ResolveColumns({"name", "id"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<int>{1, 0}));
}

TEST(ParquetForeignFiles, MalformedSchemaTreesAreCorruption) {
  // Root claims more children than there are elements.
  std::vector<SchemaElement> el = {Leaf("a", PhysicalType::kInt32)};
  EXPECT_EQ(OpenString(BuildFile(el, 5, {}, 0)).status().code(), StatusCode::kCorruption);
  // A group claiming a huge number of children.
  SchemaElement g;
  g.name = "g";
  g.num_children = 1 << 30;
  EXPECT_EQ(OpenString(BuildFile({g}, 1, {}, 0)).status().code(), StatusCode::kCorruption);
  // Extra elements beyond the root's children.
  el = {Leaf("a", PhysicalType::kInt32), Leaf("b", PhysicalType::kInt32)};
  EXPECT_EQ(OpenString(BuildFile(el, 1, {}, 0)).status().code(), StatusCode::kCorruption);
}

TEST(ParquetForeignFiles, BadDictionaryIndexAndPageCountsAreCorruption) {
  std::vector<SchemaElement> el = {Leaf("c0", PhysicalType::kInt32)};
  std::string dict = Raw<int32_t>({10, 20});
  std::string idx;
  idx.push_back(2);
  RleBitPackedEncoder enc(2);
  for (uint32_t i : {0u, 3u}) enc.Put(i);
  enc.Finish(&idx);
  HandChunk c{Page(PageType::kDictionaryPage, dict, 2, Encoding::kPlain) +
                  Page(PageType::kDataPage, idx, 2, Encoding::kRleDictionary),
              PhysicalType::kInt32, CompressionCodec::kUncompressed, 2, std::nullopt};
  auto r = OpenString(BuildFile(el, 1, {c}, 2));
  ASSERT_TRUE(r.ok());
  auto b = (*r)->ReadAll({0});
  EXPECT_EQ(b.status().code(), StatusCode::kCorruption);
  EXPECT_NE(b.status().message().find("dictionary index 3"), std::string::npos) << b.status().message();

  // A page claiming more values than the chunk.
  HandChunk big{Page(PageType::kDataPage, Raw<int32_t>({1, 2}), 2000000000, Encoding::kPlain),
                PhysicalType::kInt32, CompressionCodec::kUncompressed, 2, std::nullopt};
  auto r2 = OpenString(BuildFile(el, 1, {big}, 2));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ((*r2)->ReadAll({0}).status().code(), StatusCode::kCorruption);
  // A chunk and row group claiming 2^40 rows backed by one tiny page: refused, no huge allocation.
  HandChunk huge{Page(PageType::kDataPage, Raw<int32_t>({1, 2}), 2, Encoding::kPlain), PhysicalType::kInt32,
                 CompressionCodec::kUncompressed, int64_t{1} << 40, std::nullopt};
  auto r3 = OpenString(BuildFile(el, 1, {huge}, int64_t{1} << 40));
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ((*r3)->ReadAll({0}).status().code(), StatusCode::kCorruption);
}

// ---------- damaged files ----------

std::string SmallMixedFile(Compression codec, int page_version) {
  std::mt19937_64 rng(77);
  const Schema s = AllTypesSchema();
  WriterOptions o;
  o.compression = codec;
  o.data_page_version = page_version;
  o.row_group_rows = 40;
  o.data_page_bytes = 128;
  return WriteToString(s, {RandomBatch(s, 100, rng, 0.2, 8)}, o);
}

// Opens and reads everything; returns the status (never crashes).
Status OpenAndReadAll(const std::string& data) {
  ReaderOptions ro;
  ro.max_page_bytes = 1 << 20;
  auto r = OpenString(data, ro);
  if (!r.ok()) return r.status();
  auto b = (*r)->ReadAll(AllColumns(**r));
  (void)(*r)->PruneRowGroups({{0, ColumnPredicate::Op::kEq, Value::Boolean(true)}});
  return b.status();
}

TEST(ParquetCorruption, TruncationAtEveryOffsetIsAnError) {
  const std::string data = SmallMixedFile(Compression::kZstd, 1);
  ASSERT_TRUE(OpenAndReadAll(data).ok());
  for (size_t len = 0; len < data.size(); ++len) {
    Status st = OpenAndReadAll(data.substr(0, len));
    EXPECT_FALSE(st.ok()) << "truncated to " << len;
  }
}

TEST(ParquetCorruption, BadMagicAndHugeFooterLength) {
  std::string data = SmallMixedFile(Compression::kSnappy, 1);
  std::string head = data;
  head[0] = 'X';
  EXPECT_EQ(OpenAndReadAll(head).code(), StatusCode::kCorruption);
  std::string tail = data;
  tail[tail.size() - 1] = 'X';
  EXPECT_EQ(OpenAndReadAll(tail).code(), StatusCode::kCorruption);
  std::string huge = data;
  const uint32_t len = 0xfffffff0u;
  std::memcpy(huge.data() + huge.size() - 8, &len, 4);
  Status st = OpenAndReadAll(huge);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("footer length"), std::string::npos) << st.message();
  std::string small = data;
  const uint32_t one = 1;
  std::memcpy(small.data() + small.size() - 8, &one, 4);
  EXPECT_FALSE(OpenAndReadAll(small).ok());
  EXPECT_EQ(OpenAndReadAll("PAR1PAR1").code(), StatusCode::kCorruption);
  EXPECT_EQ(OpenAndReadAll("").code(), StatusCode::kCorruption);
}

TEST(ParquetCorruption, FlippedBytesNeverCrash) {
  // Byte positions across several layouts, each flipped once. Not every flip is detectable (a flipped
  // bit in a PLAIN value is just another value), but none may crash, hang or over-allocate, and a file
  // that still opens must give batches of the promised shape.
  for (auto [codec, version] : {std::pair{Compression::kUncompressed, 1}, std::pair{Compression::kZstd, 2},
                                std::pair{Compression::kSnappy, 1}}) {
    const std::string data = SmallMixedFile(codec, version);
    size_t errors = 0;
    // About 700 positions per layout, including every byte of the footer's tail.
    const size_t stride = std::max<size_t>(1, data.size() / 600);
    for (size_t pos = 0; pos < data.size(); pos += pos + 100 >= data.size() ? 1 : stride) {
      std::string d = data;
      d[pos] ^= static_cast<char>(0x5a);
      ReaderOptions ro;
      ro.max_page_bytes = 1 << 20;
      auto r = OpenString(d, ro);
      if (!r.ok()) {
        ++errors;
        continue;
      }
      for (int g = 0; g < (*r)->num_row_groups(); ++g) {
        auto b = (*r)->ReadRowGroup(g, AllColumns(**r));
        if (!b.ok()) {
          ++errors;
          EXPECT_FALSE(b.status().message().empty());
          continue;
        }
        for (size_t c = 0; c < b->num_columns(); ++c) ASSERT_EQ(b->column(c).length(), b->num_rows());
      }
    }
    EXPECT_GT(errors, 0u);
  }
}

TEST(ParquetCorruption, RandomMultiByteDamageNeverCrashes) {
  const std::string data = SmallMixedFile(Compression::kLz4Raw, 1);
  std::mt19937_64 rng(2024);
  for (int iter = 0; iter < 1500; ++iter) {
    std::string d = data;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % d.size();
      switch (rng() % 3) {
        case 0: d[pos] = static_cast<char>(rng()); break;
        case 1: d[pos] = static_cast<char>(0xff); break;
        default: d[pos] = 0; break;
      }
    }
    (void)OpenAndReadAll(d);
  }
}

}  // namespace
}  // namespace tandem::parquet
