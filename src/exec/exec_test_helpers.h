// Helpers for the exec tests: building columns and batches from literals. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "columnar/value.h"

namespace tandem::exec::testing {

template <typename T>
Column MakeColumn(DataType type, const std::vector<std::optional<T>>& values) {
  Column c(type);
  for (const auto& v : values) {
    if (!v.has_value()) {
      c.AppendNull();
    } else if constexpr (std::is_same_v<T, std::string>) {
      c.AppendString(*v);
    } else {
      c.Append<T>(*v);
    }
  }
  return c;
}

inline Column I32(const std::vector<std::optional<int32_t>>& v) {
  return MakeColumn(DataType::Int32(), v);
}
inline Column I64(const std::vector<std::optional<int64_t>>& v) {
  return MakeColumn(DataType::Int64(), v);
}
inline Column F64(const std::vector<std::optional<double>>& v) {
  return MakeColumn(DataType::Double(), v);
}
inline Column Str(const std::vector<std::optional<std::string>>& v) {
  return MakeColumn(DataType::String(), v);
}
inline Column Bool(const std::vector<std::optional<uint8_t>>& v) {
  return MakeColumn(DataType::Boolean(), v);
}
inline Column Ts(const std::vector<std::optional<int64_t>>& v) {
  return MakeColumn(DataType::Timestamp(), v);
}
inline Column Dt(const std::vector<std::optional<int32_t>>& v) {
  return MakeColumn(DataType::Date(), v);
}

inline RecordBatch MakeBatch(std::vector<std::pair<std::string, Column>> cols) {
  Schema schema;
  std::vector<Column> columns;
  size_t rows = cols.empty() ? 0 : cols[0].second.length();
  for (auto& [name, c] : cols) {
    schema.fields.push_back({name, c.type(), true});
    columns.push_back(std::move(c));
  }
  return RecordBatch(std::move(schema), std::move(columns), rows);
}

// Row i of a column rendered as JSON, for readable expectations.
inline std::string Json(const Column& c, size_t i) {
  std::string s;
  c.AppendJson(i, &s);
  return s;
}
inline std::string JsonAll(const Column& c) {
  std::string s = "[";
  for (size_t i = 0; i < c.length(); ++i) {
    if (i) s += ",";
    c.AppendJson(i, &s);
  }
  return s + "]";
}

}  // namespace tandem::exec::testing

#define EXEC_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  EXEC_ASSERT_OK_AND_ASSIGN_IMPL(TANDEM_CONCAT(_exec_r_, __LINE__), lhs, rexpr)
#define EXEC_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();     \
  lhs = std::move(tmp).value()
#define EXEC_ASSERT_OK(expr)               \
  do {                                     \
    ::tandem::Status _s = (expr);          \
    ASSERT_TRUE(_s.ok()) << _s.ToString(); \
  } while (0)
