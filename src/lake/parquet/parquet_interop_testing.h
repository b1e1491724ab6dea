// Test-only helpers shared by parquet_interop_test.cc and parquet_interop_slowtest.cc: compare a
// RecordBatch with the NDJSON that tests/peers/duckdb_query.mjs or hyparquet_read.mjs print for the same
// rows. Not part of the tandem_parquet library (header-only, included by tests only).
//
// Comparison rules (tests/peers/value_format.mjs describes the peers' format):
//   - a row is first compared as text against the line Column::AppendJson would give; only lines that
//     differ are compared value by value, so millions of rows stay fast;
//   - integers compare as exact decimal text (the peers print numbers beyond 2^53 as strings);
//   - DOUBLE compares by value (NaN equals NaN; "NaN"/"Infinity" strings map to those values),
//     FLOAT by value after rounding the peer's number to float;
//   - DECIMAL compares the exact text with `scale` decimals (we print a number, the peers a string);
//   - DATE, TIMESTAMP, BINARY (hex) and strings compare as text; with `timestamp_ns_as_micros`, a
//     TIMESTAMP(ns) cell equals a peer value that is the same instant truncated to microseconds, toward
//     zero or toward minus infinity (DuckDB reads UTC-adjusted nanosecond timestamps as TIMESTAMPTZ,
//     which has microsecond precision, truncating toward zero).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "columnar/value.h"

namespace tandem::parquet::testing {

struct CompareOptions {
  bool timestamp_ns_as_micros = false;
  size_t max_reported = 5;  // mismatching cells described in the message
};

inline std::string RowJson(const RecordBatch& batch, const std::vector<std::string>& keys, size_t r) {
  std::string s = "{";
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    if (c) s += ',';
    s += keys[c];
    batch.column(c).AppendJson(r, &s);
  }
  s += '}';
  return s;
}

inline bool PeerDouble(const nlohmann::ordered_json& j, double* out) {
  if (j.is_number()) {
    *out = j.get<double>();
    return true;
  }
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "NaN")
      *out = std::numeric_limits<double>::quiet_NaN();
    else if (s == "Infinity")
      *out = std::numeric_limits<double>::infinity();
    else if (s == "-Infinity")
      *out = -std::numeric_limits<double>::infinity();
    else
      return false;
    return true;
  }
  return false;
}

// The peer's value as text: strings unquoted, numbers as nlohmann prints them (exact for integers).
inline std::string PeerText(const nlohmann::ordered_json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

// Empty when cell (c, r) equals the peer's value `j`, else a description of the difference.
inline std::string CompareCell(const Column& col, size_t r, const nlohmann::ordered_json& j,
                               const CompareOptions& options) {
  std::string ours;
  col.AppendJson(r, &ours);
  auto differ = [&] { return "ours " + ours + ", peer " + j.dump(); };
  if (col.IsNull(r) || j.is_null()) return col.IsNull(r) && j.is_null() ? "" : differ();
  switch (col.type().id) {
    case TypeId::kBoolean:
      return j.is_boolean() && j.get<bool>() == (col.Value<uint8_t>(r) != 0) ? "" : differ();
    case TypeId::kInt32: return PeerText(j) == std::to_string(col.Value<int32_t>(r)) ? "" : differ();
    case TypeId::kInt64: return PeerText(j) == std::to_string(col.Value<int64_t>(r)) ? "" : differ();
    case TypeId::kUInt64: return PeerText(j) == std::to_string(col.Value<uint64_t>(r)) ? "" : differ();
    case TypeId::kFloat: {
      double d;
      if (!PeerDouble(j, &d)) return differ();
      float a = col.Value<float>(r), b = static_cast<float>(d);
      return (std::isnan(a) && std::isnan(b)) || a == b ? "" : differ();
    }
    case TypeId::kDouble: {
      double d;
      if (!PeerDouble(j, &d)) return differ();
      double a = col.Value<double>(r);
      return (std::isnan(a) && std::isnan(d)) || a == d ? "" : differ();
    }
    case TypeId::kDecimal: return j.is_string() && j.get<std::string>() == ours ? "" : differ();
    case TypeId::kTimestamp: {
      if (!j.is_string()) return differ();
      const std::string peer = j.get<std::string>();
      if (peer == FormatTimestamp(col.Value<int64_t>(r), col.type().unit)) return "";
      if (options.timestamp_ns_as_micros && col.type().unit == TimeUnit::kNanos) {
        // Truncated either toward zero (DuckDB, also before 1970) or toward minus infinity.
        int64_t ns = col.Value<int64_t>(r);
        int64_t toward_zero = ns / 1000;
        int64_t floor = toward_zero - (ns % 1000 < 0 ? 1 : 0);
        if (peer == FormatTimestamp(toward_zero, TimeUnit::kMicros) ||
            peer == FormatTimestamp(floor, TimeUnit::kMicros)) {
          return "";
        }
      }
      return differ();
    }
    case TypeId::kDate:
      return j.is_string() && j.get<std::string>() == FormatDate(col.Value<int32_t>(r)) ? "" : differ();
    case TypeId::kString: return j.is_string() && j.get<std::string>() == col.GetString(r) ? "" : differ();
    case TypeId::kBinary: {
      static const char kHex[] = "0123456789abcdef";
      std::string hex;
      for (unsigned char ch : col.GetString(r)) {
        hex += kHex[ch >> 4];
        hex += kHex[ch & 15];
      }
      return j.is_string() && j.get<std::string>() == hex ? "" : differ();
    }
  }
  return "unhandled type " + col.type().ToString();
}

// Empty when `batch` and the NDJSON rows are equal (same row count, same keys in the same order, equal
// values); else a message naming the first differences by row and column.
inline std::string CompareWithNdjson(const RecordBatch& batch, std::string_view ndjson,
                                     const CompareOptions& options = {}) {
  std::vector<std::string> keys;
  for (const Field& f : batch.schema().fields) keys.push_back(Value::String(f.name).ToJson() + ":");
  std::string problems;
  size_t reported = 0, mismatched_rows = 0, row = 0, pos = 0;
  auto report = [&](const std::string& what) {
    if (reported++ < options.max_reported) problems += what + "\n";
  };
  while (pos < ndjson.size()) {
    size_t nl = ndjson.find('\n', pos);
    if (nl == std::string_view::npos) nl = ndjson.size();
    std::string_view line = ndjson.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    if (row >= batch.num_rows()) {
      ++row;
      continue;
    }
    if (line != RowJson(batch, keys, row)) {
      bool row_differs = false;
      nlohmann::ordered_json obj = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!obj.is_object() || obj.size() != batch.num_columns()) {
        report("row " + std::to_string(row) + ": peer line has other columns: " + std::string(line));
        row_differs = true;
      } else {
        size_t c = 0;
        for (auto it = obj.begin(); it != obj.end(); ++it, ++c) {
          const std::string& name = batch.schema().fields[c].name;
          std::string diff = it.key() != name ? "peer column is named " + it.key()
                                              : CompareCell(batch.column(c), row, it.value(), options);
          if (!diff.empty()) {
            report("row " + std::to_string(row) + ", column \"" + name + "\": " + diff);
            row_differs = true;
          }
        }
      }
      if (row_differs) ++mismatched_rows;
    }
    ++row;
  }
  if (row != batch.num_rows()) {
    problems +=
        "row count: ours " + std::to_string(batch.num_rows()) + ", peer " + std::to_string(row) + "\n";
  }
  if (mismatched_rows > 0) problems += std::to_string(mismatched_rows) + " rows differ\n";
  return problems;
}

}  // namespace tandem::parquet::testing
