// Value: one typed scalar (or a typed NULL). Used for SQL literals, query results, Parquet statistics
// and row-group pruning. Not for bulk data: use Column.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "columnar/column.h"
#include "columnar/data_type.h"

namespace tandem {

class Value {
 public:
  Value() = default;  // a NULL of type BIGINT
  static Value Null(DataType type) {
    Value v;
    v.type_ = type;
    return v;
  }
  static Value Boolean(bool b) { return Value(DataType::Boolean(), Storage(b)); }
  static Value Int32(int32_t x) { return Value(DataType::Int32(), Storage(int64_t{x})); }
  static Value Int64(int64_t x) { return Value(DataType::Int64(), Storage(x)); }
  static Value UInt64(uint64_t x) { return Value(DataType::UInt64(), Storage(x)); }
  static Value Float(float x) { return Value(DataType::Float(), Storage(double{x})); }
  static Value Double(double x) { return Value(DataType::Double(), Storage(x)); }
  static Value String(std::string s) { return Value(DataType::String(), Storage(std::move(s))); }
  static Value Binary(std::string s) { return Value(DataType::Binary(), Storage(std::move(s))); }
  static Value Date(int32_t days) { return Value(DataType::Date(), Storage(int64_t{days})); }
  static Value Timestamp(int64_t t, TimeUnit u) { return Value(DataType::Timestamp(u), Storage(t)); }
  static Value Decimal(__int128 unscaled, int32_t precision, int32_t scale) {
    return Value(DataType::Decimal(precision, scale), Storage(unscaled));
  }
  // Row i of a column as a Value.
  static Value FromColumn(const Column& c, size_t i);

  const DataType& type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }

  // Accessors; the caller must know the physical kind. Int-like types (INT32, INT64, DATE, TIMESTAMP)
  // read as int64; FLOAT and DOUBLE as double; STRING and BINARY as string.
  bool bool_value() const { return std::get<bool>(v_); }
  int64_t int_value() const { return std::get<int64_t>(v_); }
  uint64_t uint_value() const { return std::get<uint64_t>(v_); }
  double double_value() const { return std::get<double>(v_); }
  const std::string& string_value() const { return std::get<std::string>(v_); }
  __int128 decimal_value() const { return std::get<__int128>(v_); }

  // Appends this value to a column of the same type (NULL appends a null).
  void AppendTo(Column* column) const;
  // JSON text as Column::AppendJson would write it.
  std::string ToJson() const;

  // Total order within one type, NULLs first. Both values must have the same TypeId.
  int Compare(const Value& other) const;
  bool operator==(const Value& o) const { return type_ == o.type_ && v_ == o.v_; }

 private:
  using Storage = std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, __int128>;
  Value(DataType t, Storage s) : type_(t), v_(std::move(s)) {}
  DataType type_ = DataType::Int64();
  Storage v_;
};

}  // namespace tandem
