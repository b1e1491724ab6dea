// Column and RecordBatch: the engine's columnar batches.
//
// A Column is a typed vector of values with optional validity. Fixed-width values live contiguously in
// `data` (see data_type.h for the C++ type of each TypeId); strings and binaries live in `chars` with
// `offsets` (length()+1 entries, offsets[0] == 0). A null slot still occupies a value (zero / empty).
// `validity` is empty when the column has no nulls, otherwise one byte per row (1 = valid, 0 = null).
//
// The same RecordBatch flows through Parquet reading and writing, NDJSON ingest, the batch layer (a
// million rows from a row group) and the speed layer (a few hundred fresh events).
// Not thread-safe for mutation; concurrent reads are fine.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"

namespace tandem {

class Column {
 public:
  Column() = default;
  explicit Column(DataType type);

  const DataType& type() const { return type_; }
  size_t length() const { return length_; }
  bool has_nulls() const { return !validity_.empty(); }
  size_t null_count() const;

  bool IsNull(size_t i) const { return !validity_.empty() && validity_[i] == 0; }
  bool IsValid(size_t i) const { return !IsNull(i); }

  // Fixed-width access. T must be the physical type of type().id (see data_type.h).
  template <typename T>
  T Value(size_t i) const {
    T v;
    std::memcpy(&v, data_.data() + i * sizeof(T), sizeof(T));
    return v;
  }
  template <typename T>
  const T* Values() const {
    return reinterpret_cast<const T*>(data_.data());
  }
  template <typename T>
  T* MutableValues() {
    return reinterpret_cast<T*>(data_.data());
  }

  // Variable-width access (kString, kBinary).
  std::string_view GetString(size_t i) const {
    return std::string_view(chars_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }

  // Appending. The value type must match the column type.
  template <typename T>
  void Append(T v) {
    size_t pos = data_.size();
    data_.resize(pos + sizeof(T));
    std::memcpy(data_.data() + pos, &v, sizeof(T));
    if (!validity_.empty()) validity_.push_back(1);
    ++length_;
  }
  void AppendString(std::string_view s);
  void AppendNull();
  // Appends row `i` of `other` (same type).
  void AppendFrom(const Column& other, size_t i);
  // Reserves room for `rows` more values (and `bytes` more string bytes).
  void Reserve(size_t rows, size_t bytes = 0);

  // Raw buffers, for encoders and decoders that fill a column in bulk. After filling, call
  // SetLength(n); `validity` may be left empty when there are no nulls.
  std::vector<uint8_t>& mutable_data() { return data_; }
  std::vector<uint8_t>& mutable_validity() { return validity_; }
  std::vector<int64_t>& mutable_offsets() { return offsets_; }
  std::string& mutable_chars() { return chars_; }
  const std::vector<uint8_t>& data() const { return data_; }
  const std::vector<uint8_t>& validity() const { return validity_; }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const std::string& chars() const { return chars_; }
  void SetLength(size_t n) { length_ = n; }

  // Rows [offset, offset+count) as a new column.
  Column Slice(size_t offset, size_t count) const;
  // Rows at `indices` as a new column.
  Column Take(const std::vector<uint32_t>& indices) const;

  // Same type, same length, same nulls, same values (NaN equals NaN; -0.0 equals 0.0 for this purpose
  // is NOT assumed: bits must match for floats unless both are NaN).
  bool Equals(const Column& other) const;

  // Appends row i as a JSON value: null, true/false, numbers (doubles with shortest round-trip text;
  // NaN and infinities as strings "NaN", "Infinity", "-Infinity"), strings JSON-escaped, binary as a
  // hex string, DATE as "YYYY-MM-DD", TIMESTAMP as RFC 3339 UTC ("2024-05-01T12:00:00.123456Z", the
  // fraction trimmed of trailing zeros), DECIMAL as a JSON number with exactly `scale` decimals.
  void AppendJson(size_t i, std::string* out) const;

 private:
  DataType type_;
  size_t length_ = 0;
  std::vector<uint8_t> validity_;
  std::vector<uint8_t> data_;
  std::vector<int64_t> offsets_{0};
  std::string chars_;
};

class RecordBatch {
 public:
  RecordBatch() = default;
  RecordBatch(Schema schema, std::vector<Column> columns, size_t num_rows)
      : schema_(std::move(schema)), columns_(std::move(columns)), num_rows_(num_rows) {}
  // An empty batch with one empty column per field.
  static RecordBatch Empty(const Schema& schema);

  const Schema& schema() const { return schema_; }
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }
  std::vector<Column>& mutable_columns() { return columns_; }
  void set_num_rows(size_t n) { num_rows_ = n; }

  RecordBatch Slice(size_t offset, size_t count) const;
  // Appends all rows of `other`, which must have the same schema.
  void AppendBatch(const RecordBatch& other);
  bool Equals(const RecordBatch& other) const;

 private:
  Schema schema_;
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
};

// Calendar helpers shared by Parquet, ingest, SQL and formatting. All UTC, proleptic Gregorian.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);
// "2024-05-01"
std::string FormatDate(int32_t days);
// RFC 3339 UTC with the fraction trimmed: "2024-05-01T12:00:00Z", "...:00.5Z", "...:00.123456Z".
std::string FormatTimestamp(int64_t value, TimeUnit unit);
// Appends `s` as a JSON string literal (quoted; ", \ and control characters escaped).
void AppendJsonString(std::string_view s, std::string* out);
// An unscaled decimal as text with exactly `scale` decimals: (12345, 2) -> "123.45".
std::string FormatDecimal(__int128 unscaled, int32_t scale);

}  // namespace tandem
