// ParquetSchema: the mapping between Parquet schema elements and engine fields, in both directions.
//
// Reading: BuildFileSchema walks the flattened schema tree of a footer (checking every num_children
// against the elements that remain and the nesting depth), and decides for each top-level field whether
// it is a readable flat primitive column (with its engine type and the value conversion the reader
// applies) or unsupported (nested, repeated, or a type the engine lacks), with a reason naming it.
// Writing: SchemaElementForField gives the leaf element Tandem writes for an engine field.
// Pure functions on values; thread-compatible. Corruption for malformed trees, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "columnar/data_type.h"
#include "common/status.h"
#include "lake/parquet/parquet_format.h"
#include "lake/parquet/parquet_reader.h"

namespace tandem::parquet {

// How the reader turns physical values into the engine representation.
enum class ValueConversion : uint8_t {
  kCopy,              // same bytes: BOOLEAN(as uint8), INT32, INT64, FLOAT, DOUBLE
  kUInt32ToInt64,     // INT32 annotated UINT_32 -> engine INT64 (zero-extended)
  kInt32ToDecimal,    // INT32 DECIMAL -> __int128
  kInt64ToDecimal,    // INT64 DECIMAL -> __int128
  kFixedToDecimal,    // FIXED_LEN_BYTE_ARRAY DECIMAL (big-endian two's complement) -> __int128
  kBytesToDecimal,    // BYTE_ARRAY DECIMAL -> __int128
  kInt96ToTimestamp,  // INT96 (nanos of day, Julian day) -> TIMESTAMP(ns)
  kFixedToBinary,     // FIXED_LEN_BYTE_ARRAY -> BINARY
  kBytes,             // BYTE_ARRAY -> STRING / BINARY
};

// Order of min_value/max_value for a readable column (from its logical type).
enum class StatsOrder : uint8_t { kSigned, kUnsigned, kBytes, kFloat, kNone };

struct LeafColumn {
  int leaf_index = 0;  // index of the column chunk in each row group
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  int max_def = 0;          // 0 (REQUIRED) or 1 (OPTIONAL)
  ValueConversion conversion = ValueConversion::kCopy;
  StatsOrder order = StatsOrder::kNone;
  bool legacy_stats_ok = false;  // the deprecated min/max fields use the same (signed) order
};

struct FileSchema {
  Schema schema;                    // readable top-level columns, file order
  std::vector<LeafColumn> columns;  // parallel to schema.fields
  std::vector<UnsupportedColumn> unsupported;
  int num_leaves = 0;
  std::vector<std::string> leaf_paths;  // dotted path of every leaf, file order
  std::vector<int> leaf_to_column;      // index into schema.fields, or -1
};

Status BuildFileSchema(const std::vector<SchemaElement>& elements, FileSchema* out);

// The leaf element Tandem writes for `field` (see parquet_writer.h for the mapping). InvalidArgument for
// a DECIMAL outside precision 1..38 / scale 0..precision.
Result<SchemaElement> SchemaElementForField(const Field& field);

// Bytes of a FIXED_LEN_BYTE_ARRAY holding any unscaled DECIMAL of `precision` digits.
int DecimalByteWidth(int precision);

}  // namespace tandem::parquet
