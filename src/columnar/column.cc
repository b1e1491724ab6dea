#include "columnar/column.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tandem {

Column::Column(DataType type) : type_(type) {}

size_t Column::null_count() const {
  if (validity_.empty()) return 0;
  size_t n = 0;
  for (uint8_t v : validity_) n += (v == 0);
  return n;
}

void Column::AppendString(std::string_view s) {
  chars_.append(s.data(), s.size());
  offsets_.push_back(static_cast<int64_t>(chars_.size()));
  if (!validity_.empty()) validity_.push_back(1);
  ++length_;
}

void Column::AppendNull() {
  if (validity_.empty()) validity_.assign(length_, 1);
  if (type_.IsVarWidth()) {
    offsets_.push_back(static_cast<int64_t>(chars_.size()));
  } else {
    data_.resize(data_.size() + type_.FixedWidth(), 0);
  }
  validity_.push_back(0);
  ++length_;
}

void Column::AppendFrom(const Column& other, size_t i) {
  if (other.IsNull(i)) {
    AppendNull();
    return;
  }
  if (type_.IsVarWidth()) {
    AppendString(other.GetString(i));
    return;
  }
  const size_t w = type_.FixedWidth();
  data_.insert(data_.end(), other.data_.begin() + i * w, other.data_.begin() + (i + 1) * w);
  if (!validity_.empty()) validity_.push_back(1);
  ++length_;
}

void Column::Reserve(size_t rows, size_t bytes) {
  if (type_.IsVarWidth()) {
    offsets_.reserve(offsets_.size() + rows);
    chars_.reserve(chars_.size() + bytes);
  } else {
    data_.reserve(data_.size() + rows * type_.FixedWidth());
  }
}

Column Column::Slice(size_t offset, size_t count) const {
  Column out(type_);
  out.length_ = count;
  if (!validity_.empty()) {
    out.validity_.assign(validity_.begin() + offset, validity_.begin() + offset + count);
  }
  if (type_.IsVarWidth()) {
    const int64_t base = offsets_[offset];
    out.offsets_.resize(count + 1);
    for (size_t k = 0; k <= count; ++k) out.offsets_[k] = offsets_[offset + k] - base;
    out.chars_.assign(chars_.data() + base, offsets_[offset + count] - base);
  } else {
    const size_t w = type_.FixedWidth();
    out.data_.assign(data_.begin() + offset * w, data_.begin() + (offset + count) * w);
  }
  return out;
}

Column Column::Take(const std::vector<uint32_t>& indices) const {
  Column out(type_);
  out.length_ = indices.size();
  if (!validity_.empty()) {
    out.validity_.resize(indices.size());
    for (size_t k = 0; k < indices.size(); ++k) out.validity_[k] = validity_[indices[k]];
  }
  if (type_.IsVarWidth()) {
    out.offsets_.resize(indices.size() + 1);
    size_t bytes = 0;
    for (uint32_t i : indices) bytes += offsets_[i + 1] - offsets_[i];
    out.chars_.reserve(bytes);
    for (size_t k = 0; k < indices.size(); ++k) {
      std::string_view s = GetString(indices[k]);
      out.chars_.append(s.data(), s.size());
      out.offsets_[k + 1] = static_cast<int64_t>(out.chars_.size());
    }
  } else {
    const size_t w = type_.FixedWidth();
    out.data_.resize(indices.size() * w);
    uint8_t* dst = out.data_.data();
    const uint8_t* src = data_.data();
    switch (w) {
      case 1:
        for (size_t k = 0; k < indices.size(); ++k) dst[k] = src[indices[k]];
        break;
      case 4:
        for (size_t k = 0; k < indices.size(); ++k) std::memcpy(dst + k * 4, src + indices[k] * 4, 4);
        break;
      case 8:
        for (size_t k = 0; k < indices.size(); ++k) std::memcpy(dst + k * 8, src + indices[k] * 8, 8);
        break;
      default:
        for (size_t k = 0; k < indices.size(); ++k) std::memcpy(dst + k * w, src + indices[k] * w, w);
    }
  }
  return out;
}

namespace {

bool FloatSlotEquals(const Column& a, const Column& b, size_t i) {
  if (a.type().id == TypeId::kFloat) {
    float x = a.Value<float>(i), y = b.Value<float>(i);
    if (std::isnan(x) && std::isnan(y)) return true;
    return std::memcmp(&x, &y, sizeof(float)) == 0;
  }
  double x = a.Value<double>(i), y = b.Value<double>(i);
  if (std::isnan(x) && std::isnan(y)) return true;
  return std::memcmp(&x, &y, sizeof(double)) == 0;
}

}  // namespace

bool Column::Equals(const Column& other) const {
  if (type_ != other.type_ || length_ != other.length_) return false;
  const bool is_float = type_.id == TypeId::kFloat || type_.id == TypeId::kDouble;
  const size_t w = type_.FixedWidth();
  for (size_t i = 0; i < length_; ++i) {
    const bool n1 = IsNull(i), n2 = other.IsNull(i);
    if (n1 != n2) return false;
    if (n1) continue;
    if (type_.IsVarWidth()) {
      if (GetString(i) != other.GetString(i)) return false;
    } else if (is_float) {
      if (!FloatSlotEquals(*this, other, i)) return false;
    } else if (std::memcmp(data_.data() + i * w, other.data_.data() + i * w, w) != 0) {
      return false;
    }
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

namespace {

template <typename F>
void AppendJsonFloat(F v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, r.ptr);
  }
}

void AppendInt128(__int128 v, std::string* out) {
  if (v == 0) {
    out->push_back('0');
    return;
  }
  const bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  char buf[48];
  int n = 0;
  while (u > 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) out->push_back('-');
  while (n > 0) out->push_back(buf[--n]);
}

}  // namespace

std::string FormatDecimal(__int128 unscaled, int32_t scale) {
  std::string digits;
  const bool neg = unscaled < 0;
  AppendInt128(unscaled, &digits);  // negates in unsigned arithmetic, so INT128_MIN is fine
  if (neg) digits.erase(0, 1);
  if (scale <= 0) return (neg ? "-" : "") + digits;
  if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale, ".");
  return (neg ? "-" : "") + digits;
}

void Column::AppendJson(size_t i, std::string* out) const {
  if (IsNull(i)) {
    out->append("null");
    return;
  }
  switch (type_.id) {
    case TypeId::kBoolean: out->append(Value<uint8_t>(i) ? "true" : "false"); break;
    case TypeId::kInt32: out->append(std::to_string(Value<int32_t>(i))); break;
    case TypeId::kInt64: out->append(std::to_string(Value<int64_t>(i))); break;
    case TypeId::kUInt64: out->append(std::to_string(Value<uint64_t>(i))); break;
    case TypeId::kFloat: AppendJsonFloat(Value<float>(i), out); break;
    case TypeId::kDouble: AppendJsonFloat(Value<double>(i), out); break;
    case TypeId::kString: AppendJsonString(GetString(i), out); break;
    case TypeId::kBinary: {
      static const char* kHex = "0123456789abcdef";
      out->push_back('"');
      for (unsigned char c : GetString(i)) {
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
      }
      out->push_back('"');
      break;
    }
    case TypeId::kDate:
      out->push_back('"');
      out->append(FormatDate(Value<int32_t>(i)));
      out->push_back('"');
      break;
    case TypeId::kTimestamp:
      out->push_back('"');
      out->append(FormatTimestamp(Value<int64_t>(i), type_.unit));
      out->push_back('"');
      break;
    case TypeId::kDecimal: out->append(FormatDecimal(Value<__int128>(i), type_.scale)); break;
  }
}

RecordBatch RecordBatch::Empty(const Schema& schema) {
  std::vector<Column> cols;
  cols.reserve(schema.fields.size());
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  return RecordBatch(schema, std::move(cols), 0);
}

RecordBatch RecordBatch::Slice(size_t offset, size_t count) const {
  std::vector<Column> cols;
  cols.reserve(columns_.size());
  for (const Column& c : columns_) cols.push_back(c.Slice(offset, count));
  return RecordBatch(schema_, std::move(cols), count);
}

void RecordBatch::AppendBatch(const RecordBatch& other) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    Column& dst = columns_[c];
    const Column& src = other.columns_[c];
    if (src.has_nulls() || dst.has_nulls()) {
      for (size_t i = 0; i < src.length(); ++i) dst.AppendFrom(src, i);
      continue;
    }
    if (dst.type().IsVarWidth()) {
      const int64_t base = static_cast<int64_t>(dst.mutable_chars().size());
      dst.mutable_chars().append(src.chars());
      auto& offs = dst.mutable_offsets();
      for (size_t i = 1; i < src.offsets().size(); ++i) offs.push_back(base + src.offsets()[i]);
    } else {
      dst.mutable_data().insert(dst.mutable_data().end(), src.data().begin(), src.data().end());
    }
    dst.SetLength(dst.length() + src.length());
  }
  num_rows_ += other.num_rows_;
}

bool RecordBatch::Equals(const RecordBatch& other) const {
  if (num_rows_ != other.num_rows_ || columns_.size() != other.columns_.size()) return false;
  for (size_t i = 0; i < schema_.fields.size() && i < other.schema_.fields.size(); ++i) {
    if (schema_.fields[i].name != other.schema_.fields[i].name) return false;
  }
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (!columns_[c].Equals(other.columns_[c])) return false;
  }
  return true;
}

// Proleptic Gregorian conversion by 400-year eras (146097 days each), with March as the first month
// of the computational year so that the leap day falls at its end.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::string FormatDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatTimestamp(int64_t value, TimeUnit unit) {
  int64_t per_sec = unit == TimeUnit::kMillis ? 1000 : unit == TimeUnit::kMicros ? 1000000 : 1000000000;
  int digits = unit == TimeUnit::kMillis ? 3 : unit == TimeUnit::kMicros ? 6 : 9;
  int64_t secs = value / per_sec;
  int64_t frac = value % per_sec;
  if (frac < 0) {
    frac += per_sec;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                        static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                        static_cast<int>(sod % 60));
  std::string out(buf, n);
  if (frac != 0) {
    char fb[16];
    std::snprintf(fb, sizeof(fb), "%0*lld", digits, static_cast<long long>(frac));
    std::string f(fb);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  out += "Z";
  return out;
}

}  // namespace tandem
