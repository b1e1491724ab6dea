#include "columnar/data_type.h"

namespace tandem {

int DataType::FixedWidth() const {
  switch (id) {
    case TypeId::kBoolean: return 1;
    case TypeId::kInt32: return 4;
    case TypeId::kInt64: return 8;
    case TypeId::kUInt64: return 8;
    case TypeId::kFloat: return 4;
    case TypeId::kDouble: return 8;
    case TypeId::kString: return 0;
    case TypeId::kBinary: return 0;
    case TypeId::kDate: return 4;
    case TypeId::kTimestamp: return 8;
    case TypeId::kDecimal: return 16;
  }
  return 0;
}

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt32: return "INTEGER";
    case TypeId::kInt64: return "BIGINT";
    case TypeId::kUInt64: return "UBIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kString: return "VARCHAR";
    case TypeId::kBinary: return "BLOB";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp:
      switch (unit) {
        case TimeUnit::kMillis: return "TIMESTAMP_MS";
        case TimeUnit::kMicros: return "TIMESTAMP";
        case TimeUnit::kNanos: return "TIMESTAMP_NS";
      }
      return "TIMESTAMP";
    case TypeId::kDecimal: return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  return "UNKNOWN";
}

int Schema::FindField(const std::string& name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::ToString() const {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += fields[i].name + " " + fields[i].type.ToString();
    if (!fields[i].nullable) out += " NOT NULL";
  }
  return out;
}

}  // namespace tandem
