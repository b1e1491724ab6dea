#include "lake/parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "lake/parquet/parquet_format.h"

namespace tandem::parquet {
namespace {

const uint8_t* U8(const std::string& s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

TEST(ThriftCompactTest, ScalarsRoundTrip) {
  std::string buf;
  ThriftCompactWriter w(&buf);
  w.StructBegin();
  w.FieldI32(1, -1);
  w.FieldI64(2, std::numeric_limits<int64_t>::min());
  w.FieldI64(3, std::numeric_limits<int64_t>::max());
  w.FieldBool(4, true);
  w.FieldBool(5, false);
  w.FieldBinary(6, std::string("he\0llo", 6));
  w.FieldDouble(7, -2.5);
  w.FieldI16(300, -7);  // long field header (delta > 15)
  w.FieldI8(301, -128);
  w.FieldI32(2, 42);  // field ids may go backwards: long header again
  w.StructEnd();

  ThriftCompactReader r(U8(buf), buf.size());
  ASSERT_TRUE(r.ReadStructBegin().ok());
  ThriftType t;
  int16_t id;
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(id, 1);
  EXPECT_EQ(*r.ReadI32(), -1);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(*r.ReadI64(), std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(*r.ReadI64(), std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(t, ThriftType::kBoolTrue);
  EXPECT_TRUE(*r.ReadBool());
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(id, 5);
  EXPECT_FALSE(*r.ReadBool());
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(*r.ReadBinary(), std::string_view("he\0llo", 6));
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(*r.ReadDouble(), -2.5);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(id, 300);
  EXPECT_EQ(*r.ReadI16(), -7);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(id, 301);
  EXPECT_EQ(*r.ReadByte(), -128);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(id, 2);
  EXPECT_EQ(*r.ReadI32(), 42);
  ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
  EXPECT_EQ(t, ThriftType::kStop);
  r.ReadStructEnd();
  EXPECT_EQ(r.position(), buf.size());
}

TEST(ThriftCompactTest, ListsShortAndLong) {
  for (uint32_t n : {0u, 1u, 14u, 15u, 1000u}) {
    std::string buf;
    ThriftCompactWriter w(&buf);
    w.ListBegin(ThriftType::kI64, n);
    for (uint32_t i = 0; i < n; ++i) w.WriteI64(static_cast<int64_t>(i) * -1000003);
    ThriftCompactReader r(U8(buf), buf.size());
    ThriftType et;
    uint32_t size;
    ASSERT_TRUE(r.ReadListBegin(&et, &size).ok());
    EXPECT_EQ(et, ThriftType::kI64);
    ASSERT_EQ(size, n);
    for (uint32_t i = 0; i < n; ++i) EXPECT_EQ(*r.ReadI64(), static_cast<int64_t>(i) * -1000003);
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(ThriftCompactTest, SkipsUnknownFieldsOfEveryType) {
  std::string buf;
  ThriftCompactWriter w(&buf);
  w.StructBegin();
  w.FieldI32(1, 7);
  w.FieldBool(2, true);
  w.FieldI8(3, 1);
  w.FieldI16(4, 1);
  w.FieldI64(5, 1);
  w.FieldDouble(6, 1.0);
  w.FieldBinary(7, "xyz");
  w.FieldListBegin(8, ThriftType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.StructBegin();
    w.FieldListBegin(1, ThriftType::kBinary, 1);
    w.WriteBinary("q");
    w.StructEnd();
  }
  w.FieldListBegin(9, ThriftType::kBoolTrue, 3);
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteBool(true);
  // A map<i32, string> with 2 entries, written by hand: varint size, key/value type nibbles.
  w.FieldBegin(ThriftType::kMap, 10);
  buf.push_back(2);
  buf.push_back(
      static_cast<char>((static_cast<int>(ThriftType::kI32) << 4) | static_cast<int>(ThriftType::kBinary)));
  w.WriteI32(1);
  w.WriteBinary("a");
  w.WriteI32(2);
  w.WriteBinary("b");
  w.FieldBegin(ThriftType::kMap, 11);  // empty map
  buf.push_back(0);
  w.FieldStructBegin(12);
  w.FieldStructBegin(1);
  w.FieldI32(1, 5);
  w.StructEnd();
  w.StructEnd();
  w.FieldI32(13, 99);
  w.StructEnd();

  ThriftCompactReader r(U8(buf), buf.size());
  ASSERT_TRUE(r.ReadStructBegin().ok());
  int32_t last = 0;
  while (true) {
    ThriftType t;
    int16_t id;
    ASSERT_TRUE(r.ReadFieldBegin(&t, &id).ok());
    if (t == ThriftType::kStop) break;
    if (id == 13) {
      last = *r.ReadI32();
    } else {
      Status st = r.Skip(t);
      ASSERT_TRUE(st.ok()) << "field " << id << ": " << st.ToString();
    }
  }
  EXPECT_EQ(last, 99);
  EXPECT_EQ(r.position(), buf.size());
}

TEST(ThriftCompactTest, TruncatedInputIsCorruptionAtEveryLength) {
  FileMetaData m;
  m.version = 1;
  m.schema.resize(2);
  m.schema[0].name = "schema";
  m.schema[0].num_children = 1;
  m.schema[1].name = "x";
  m.schema[1].type = PhysicalType::kInt64;
  m.num_rows = 10;
  m.created_by = "tandem test";
  m.key_value_metadata.push_back({"k", std::string("v")});
  std::string buf;
  ThriftCompactWriter w(&buf);
  EncodeFileMetaData(m, &w);
  for (size_t len = 0; len < buf.size(); ++len) {
    ThriftCompactReader r(U8(buf), len);
    FileMetaData out;
    Status st = DecodeFileMetaData(&r, &out);
    EXPECT_FALSE(st.ok()) << "length " << len;
    if (!st.ok()) {
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    }
  }
  ThriftCompactReader r(U8(buf), buf.size());
  FileMetaData out;
  ASSERT_TRUE(DecodeFileMetaData(&r, &out).ok());
  EXPECT_EQ(out.schema[1].name, "x");
  EXPECT_EQ(out.created_by, "tandem test");
}

TEST(ThriftCompactTest, RejectsHugeListAndBinaryLengths) {
  // A list header claiming 2^31 elements with three bytes behind it.
  std::string list = {static_cast<char>(0xf5), '\x80', '\x80', '\x80', '\x80', '\x08', 1, 2, 3};
  ThriftCompactReader r(U8(list), list.size());
  ThriftType et;
  uint32_t n;
  Status st = r.ReadListBegin(&et, &n);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);

  std::string bin = {'\xff', '\xff', '\xff', '\xff', '\x0f', 'a'};
  ThriftCompactReader r2(U8(bin), bin.size());
  EXPECT_EQ(r2.ReadBinary().status().code(), StatusCode::kCorruption);

  // An 11-byte varint.
  std::string vi(10, '\xff');
  vi.push_back(1);
  ThriftCompactReader r3(U8(vi), vi.size());
  EXPECT_FALSE(r3.ReadVarint().ok());
}

TEST(ThriftCompactTest, DeepNestingIsRejectedNotRecursedForever) {
  // 10000 nested structs (field 1 of type struct), then nothing: skipping must stop at the depth limit.
  std::string buf(10000, static_cast<char>(0x1c));
  ThriftCompactReader r(U8(buf), buf.size());
  Status st = r.Skip(ThriftType::kStruct);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("nested"), std::string::npos) << st.message();

  // Lists of lists of lists...
  std::string lists(10000, static_cast<char>(0x19));
  ThriftCompactReader r2(U8(lists), lists.size());
  EXPECT_FALSE(r2.Skip(ThriftType::kList).ok());
}

TEST(ThriftCompactTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string buf(rng() % 64, '\0');
    for (char& c : buf) c = static_cast<char>(rng());
    ThriftCompactReader r(U8(buf), buf.size());
    FileMetaData m;
    (void)DecodeFileMetaData(&r, &m);
    ThriftCompactReader r2(U8(buf), buf.size());
    PageHeader h;
    (void)DecodePageHeader(&r2, &h);
  }
}

TEST(ParquetFormatTest, PageHeaderRoundTrip) {
  PageHeader h;
  h.type = PageType::kDataPageV2;
  h.uncompressed_page_size = 1234;
  h.compressed_page_size = 567;
  h.crc = -5;
  h.data_page_header_v2.emplace();
  h.data_page_header_v2->num_values = 100;
  h.data_page_header_v2->num_nulls = 3;
  h.data_page_header_v2->num_rows = 100;
  h.data_page_header_v2->encoding = Encoding::kRleDictionary;
  h.data_page_header_v2->definition_levels_byte_length = 9;
  h.data_page_header_v2->is_compressed = false;
  h.data_page_header_v2->statistics.emplace();
  h.data_page_header_v2->statistics->min_value = "a";
  h.data_page_header_v2->statistics->null_count = 3;
  std::string buf;
  ThriftCompactWriter w(&buf);
  EncodePageHeader(h, &w);
  ThriftCompactReader r(U8(buf), buf.size());
  PageHeader out;
  ASSERT_TRUE(DecodePageHeader(&r, &out).ok());
  EXPECT_EQ(out.type, PageType::kDataPageV2);
  EXPECT_EQ(out.crc, -5);
  ASSERT_TRUE(out.data_page_header_v2.has_value());
  EXPECT_EQ(out.data_page_header_v2->num_nulls, 3);
  EXPECT_EQ(out.data_page_header_v2->encoding, Encoding::kRleDictionary);
  EXPECT_FALSE(out.data_page_header_v2->is_compressed);
  EXPECT_EQ(out.data_page_header_v2->definition_levels_byte_length, 9);
  EXPECT_EQ(out.data_page_header_v2->statistics->min_value, "a");
}

TEST(ParquetFormatTest, MissingRequiredPageFieldIsCorruption) {
  std::string buf;
  ThriftCompactWriter w(&buf);
  w.StructBegin();
  w.FieldI32(1, 0);  // type, but no sizes
  w.StructEnd();
  ThriftCompactReader r(U8(buf), buf.size());
  PageHeader out;
  Status st = DecodePageHeader(&r, &out);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("uncompressed_page_size"), std::string::npos) << st.message();
}

TEST(ParquetFormatTest, SchemaElementWithLogicalTypesRoundTrip) {
  SchemaElement e;
  e.name = "ts";
  e.type = PhysicalType::kInt64;
  e.repetition_type = Repetition::kOptional;
  e.logical_type.emplace();
  e.logical_type->kind = LogicalType::Kind::kTimestamp;
  e.logical_type->is_adjusted_to_utc = true;
  e.logical_type->unit = TimeUnitKind::kNanos;
  std::string buf;
  ThriftCompactWriter w(&buf);
  EncodeSchemaElement(e, &w);
  ThriftCompactReader r(U8(buf), buf.size());
  SchemaElement out;
  ASSERT_TRUE(DecodeSchemaElement(&r, &out).ok());
  ASSERT_TRUE(out.logical_type.has_value());
  EXPECT_EQ(out.logical_type->kind, LogicalType::Kind::kTimestamp);
  EXPECT_EQ(out.logical_type->unit, TimeUnitKind::kNanos);
  EXPECT_TRUE(out.logical_type->is_adjusted_to_utc);
  EXPECT_EQ(out.repetition_type, Repetition::kOptional);
}

}  // namespace
}  // namespace tandem::parquet
