#include "exec/value_set.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace tandem::exec {

namespace {

uint64_t DoubleKey(double d) {
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  if (d == 0) d = 0.0;  // -0.0 == 0.0
  uint64_t k;
  std::memcpy(&k, &d, sizeof(k));
  return k;
}

}  // namespace

ValueSet::ValueSet(const Column& values) : type_(values.type()), distinct_(values.type()) {
  const bool bytes = UsesBytes();
  if (bytes) {
    bytes_.reserve(values.length());
  } else {
    fixed_.reserve(values.length());
  }
  for (size_t i = 0; i < values.length(); ++i) {
    if (values.IsNull(i)) continue;
    bool inserted;
    if (bytes) {
      char buf[16];
      inserted = bytes_.emplace(BytesKey(values, i, buf)).second;
    } else {
      inserted = fixed_.insert(FixedKey(values, i)).second;
    }
    if (inserted) distinct_.AppendFrom(values, i);
  }
}

bool ValueSet::UsesBytes() const {
  return type_.id == TypeId::kString || type_.id == TypeId::kBinary || type_.id == TypeId::kDecimal;
}

uint64_t ValueSet::FixedKey(const Column& column, size_t i) const {
  switch (type_.id) {
    case TypeId::kBoolean: return column.Value<uint8_t>(i) != 0;
    case TypeId::kInt32:
    case TypeId::kDate: return static_cast<uint64_t>(static_cast<int64_t>(column.Value<int32_t>(i)));
    case TypeId::kInt64:
    case TypeId::kTimestamp: return static_cast<uint64_t>(column.Value<int64_t>(i));
    case TypeId::kUInt64: return column.Value<uint64_t>(i);
    case TypeId::kFloat: return DoubleKey(static_cast<double>(column.Value<float>(i)));
    case TypeId::kDouble: return DoubleKey(column.Value<double>(i));
    default: return 0;  // not reached: the other types use BytesKey
  }
}

std::string_view ValueSet::BytesKey(const Column& column, size_t i, char (&buf)[16]) {
  if (column.type().id == TypeId::kDecimal) {
    const __int128 v = column.Value<__int128>(i);
    std::memcpy(buf, &v, sizeof(buf));
    return std::string_view(buf, sizeof(buf));
  }
  return column.GetString(i);
}

bool ValueSet::Contains(const Column& column, size_t i) const {
  if (UsesBytes()) {
    char buf[16];
    return bytes_.find(BytesKey(column, i, buf)) != bytes_.end();
  }
  return fixed_.count(FixedKey(column, i)) != 0;
}

bool ValueSet::operator==(const ValueSet& other) const {
  if (type_ != other.type_ || size() != other.size()) return false;
  for (size_t i = 0; i < distinct_.length(); ++i) {
    if (!other.Contains(distinct_, i)) return false;
  }
  return true;
}

}  // namespace tandem::exec
