// DataType and Schema: the engine's logical types, shared by Parquet, ingest, SQL and execution.
//
// Physical representation of each type inside a Column (see column.h):
//   kBoolean   uint8_t (0 or 1)          kInt32   int32_t        kInt64  int64_t
//   kUInt64    uint64_t                  kFloat   float          kDouble double
//   kString    UTF-8 bytes (offsets+chars)  kBinary raw bytes (offsets+chars)
//   kDate      int32_t days since 1970-01-01
//   kTimestamp int64_t since 1970-01-01T00:00:00Z in `unit` (UTC, no time zone)
//   kDecimal   __int128 unscaled value; value = unscaled / 10^scale
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tandem {

enum class TypeId : uint8_t {
  kBoolean,
  kInt32,
  kInt64,
  kUInt64,
  kFloat,
  kDouble,
  kString,
  kBinary,
  kDate,
  kTimestamp,
  kDecimal,
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

struct DataType {
  TypeId id = TypeId::kInt64;
  TimeUnit unit = TimeUnit::kMicros;  // kTimestamp only
  int32_t precision = 0;              // kDecimal only
  int32_t scale = 0;                  // kDecimal only

  static DataType Boolean() { return {TypeId::kBoolean}; }
  static DataType Int32() { return {TypeId::kInt32}; }
  static DataType Int64() { return {TypeId::kInt64}; }
  static DataType UInt64() { return {TypeId::kUInt64}; }
  static DataType Float() { return {TypeId::kFloat}; }
  static DataType Double() { return {TypeId::kDouble}; }
  static DataType String() { return {TypeId::kString}; }
  static DataType Binary() { return {TypeId::kBinary}; }
  static DataType Date() { return {TypeId::kDate}; }
  static DataType Timestamp(TimeUnit u = TimeUnit::kMicros) { return {TypeId::kTimestamp, u}; }
  static DataType Decimal(int32_t precision, int32_t scale) {
    return {TypeId::kDecimal, TimeUnit::kMicros, precision, scale};
  }

  // Bytes per value for fixed-width types; 0 for kString and kBinary.
  int FixedWidth() const;
  bool IsVarWidth() const { return id == TypeId::kString || id == TypeId::kBinary; }
  // SQL spelling: BOOLEAN, INTEGER, BIGINT, UBIGINT, FLOAT, DOUBLE, VARCHAR, BLOB, DATE,
  // TIMESTAMP (micros; "TIMESTAMP_MS"/"TIMESTAMP_NS" for the others), DECIMAL(p,s).
  std::string ToString() const;

  bool operator==(const DataType& o) const {
    if (id != o.id) return false;
    if (id == TypeId::kTimestamp) return unit == o.unit;
    if (id == TypeId::kDecimal) return precision == o.precision && scale == o.scale;
    return true;
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
};

struct Schema {
  std::vector<Field> fields;

  // Index of the field named `name` (exact match), or -1.
  int FindField(const std::string& name) const;
  std::string ToString() const;  // "a BIGINT NOT NULL, b VARCHAR"
};

}  // namespace tandem
