// parquet_format: the parquet.thrift structures Tandem reads and writes (apache/parquet-format
// src/main/thrift/parquet.thrift), with compact-protocol encode and decode.
//
// Plain structs, owned by value. Enum fields hold the raw i32 from the file (an enum class with a fixed
// underlying type, so unknown values are representable and never UB); callers check them before use.
// Decoding skips fields Tandem does not know (of any type), and returns Corruption when a required field
// Tandem needs is missing, has the wrong wire type, or the bytes end early. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/parquet/thrift_compact.h"

namespace tandem::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,  // Hadoop-framed LZ4 (deprecated)
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

const char* PhysicalTypeName(PhysicalType t);
const char* EncodingName(Encoding e);
const char* CodecName(CompressionCodec c);

struct Statistics {
  std::optional<std::string> max;  // legacy, signed order
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;
};

enum class TimeUnitKind : uint8_t { kMillis, kMicros, kNanos, kUnknown };

// The LogicalType union: which member is set, plus the members' parameters.
struct LogicalType {
  enum class Kind : uint8_t {
    kString,
    kMap,
    kList,
    kEnum,
    kDecimal,
    kDate,
    kTime,
    kTimestamp,
    kInteger,
    kNull,
    kJson,
    kBson,
    kUuid,
    kFloat16,
    kVariant,
    kGeometry,
    kGeography,
    kOther,
  };
  Kind kind = Kind::kOther;
  int16_t member_id = 0;      // the union field id (for messages about unknown kinds)
  int32_t decimal_scale = 0;  // kDecimal
  int32_t decimal_precision = 0;
  bool is_adjusted_to_utc = false;  // kTime, kTimestamp
  TimeUnitKind unit = TimeUnitKind::kUnknown;
  int8_t bit_width = 0;  // kInteger
  bool is_signed = true;
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
  std::optional<Statistics> statistics;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  bool encrypted = false;  // crypto_metadata or encrypted_column_metadata present
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

// ColumnOrder union member ids.
enum class ColumnOrderKind : int16_t { kTypeDefined = 1, kIeee754TotalOrder = 2, kInt96Timestamp = 3 };

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  // One per leaf column when present; holds the union member id (unknown ids are kept as-is).
  std::optional<std::vector<int16_t>> column_orders;
  bool encrypted = false;  // encryption_algorithm present (plaintext-footer encrypted file)
};

// Decoders: read one struct at the reader's position.
Status DecodeFileMetaData(ThriftCompactReader* r, FileMetaData* out);
Status DecodePageHeader(ThriftCompactReader* r, PageHeader* out);
Status DecodeStatistics(ThriftCompactReader* r, Statistics* out);
Status DecodeSchemaElement(ThriftCompactReader* r, SchemaElement* out);
Status DecodeColumnMetaData(ThriftCompactReader* r, ColumnMetaData* out);

// Encoders: append one struct.
void EncodeFileMetaData(const FileMetaData& m, ThriftCompactWriter* w);
void EncodePageHeader(const PageHeader& h, ThriftCompactWriter* w);
void EncodeStatistics(const Statistics& s, ThriftCompactWriter* w);
void EncodeSchemaElement(const SchemaElement& e, ThriftCompactWriter* w);
void EncodeColumnMetaData(const ColumnMetaData& m, ThriftCompactWriter* w);

}  // namespace tandem::parquet
