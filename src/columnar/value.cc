#include "columnar/value.h"

#include <cmath>

namespace tandem {

Value Value::FromColumn(const Column& c, size_t i) {
  const DataType& t = c.type();
  if (c.IsNull(i)) return Null(t);
  switch (t.id) {
    case TypeId::kBoolean: return Boolean(c.Value<uint8_t>(i) != 0);
    case TypeId::kInt32: return Int32(c.Value<int32_t>(i));
    case TypeId::kInt64: return Int64(c.Value<int64_t>(i));
    case TypeId::kUInt64: return UInt64(c.Value<uint64_t>(i));
    case TypeId::kFloat: return Float(c.Value<float>(i));
    case TypeId::kDouble: return Double(c.Value<double>(i));
    case TypeId::kString: return String(std::string(c.GetString(i)));
    case TypeId::kBinary: return Binary(std::string(c.GetString(i)));
    case TypeId::kDate: return Date(c.Value<int32_t>(i));
    case TypeId::kTimestamp: return Timestamp(c.Value<int64_t>(i), t.unit);
    case TypeId::kDecimal: return Decimal(c.Value<__int128>(i), t.precision, t.scale);
  }
  return Null(t);
}

void Value::AppendTo(Column* column) const {
  if (is_null()) {
    column->AppendNull();
    return;
  }
  switch (type_.id) {
    case TypeId::kBoolean: column->Append<uint8_t>(bool_value() ? 1 : 0); break;
    case TypeId::kInt32:
    case TypeId::kDate: column->Append<int32_t>(static_cast<int32_t>(int_value())); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: column->Append<int64_t>(int_value()); break;
    case TypeId::kUInt64: column->Append<uint64_t>(uint_value()); break;
    case TypeId::kFloat: column->Append<float>(static_cast<float>(double_value())); break;
    case TypeId::kDouble: column->Append<double>(double_value()); break;
    case TypeId::kString:
    case TypeId::kBinary: column->AppendString(string_value()); break;
    case TypeId::kDecimal: column->Append<__int128>(decimal_value()); break;
  }
}

std::string Value::ToJson() const {
  Column c(type_);
  AppendTo(&c);
  std::string out;
  c.AppendJson(0, &out);
  return out;
}

namespace {
template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}
}  // namespace

int Value::Compare(const Value& other) const {
  if (is_null() || other.is_null()) return is_null() == other.is_null() ? 0 : (is_null() ? -1 : 1);
  switch (type_.id) {
    case TypeId::kBoolean: return Cmp(bool_value(), other.bool_value());
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kTimestamp: return Cmp(int_value(), other.int_value());
    case TypeId::kUInt64: return Cmp(uint_value(), other.uint_value());
    case TypeId::kFloat:
    case TypeId::kDouble: {
      // NaN sorts after every other value, as in PostgreSQL.
      const double a = double_value(), b = other.double_value();
      if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) == std::isnan(b) ? 0 : (std::isnan(a) ? 1 : -1);
      return Cmp(a, b);
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      const int c = string_value().compare(other.string_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::kDecimal: return Cmp(decimal_value(), other.decimal_value());
  }
  return 0;
}

}  // namespace tandem
