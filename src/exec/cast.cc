#include "exec/cast.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "columnar/value.h"

namespace tandem::exec {

namespace {

bool IsIntegral(TypeId id) {
  return id == TypeId::kBoolean || id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kUInt64;
}
bool IsFloating(TypeId id) {
  return id == TypeId::kFloat || id == TypeId::kDouble;
}
bool IsNumeric(TypeId id) {
  return IsIntegral(id) || IsFloating(id) || id == TypeId::kDecimal;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 200)) {
    if (c == '"') out.push_back('\\');
    out.push_back(c);
  }
  if (s.size() > 200) out += "...";
  out += "\"";
  return out;
}

Status CastError(const Column& in, size_t i, const DataType& to, std::string_view reason) {
  std::string shown;
  if (in.type().IsVarWidth()) {
    shown = Quote(in.GetString(i));
  } else {
    in.AppendJson(i, &shown);
  }
  return Status::InvalidArgument("cannot cast " + shown + " (" + in.type().ToString() + ") to " +
                                 to.ToString() + ": " + std::string(reason));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Rescales an unscaled decimal from scale `from` to scale `to`, rounding half away from zero.
// Returns false on overflow of __int128.
bool Rescale(__int128 v, int from, int to, __int128* out) {
  if (to >= from) {
    const __int128 f = Pow10(to - from);
    if (__builtin_mul_overflow(v, f, out)) return false;
    return true;
  }
  const __int128 f = Pow10(from - to);
  __int128 q = v / f, r = v % f;
  if (r < 0) r = -r;
  if (2 * r >= f) q += (v < 0 ? -1 : 1);
  *out = q;
  return true;
}

bool FitsPrecision(__int128 v, int precision) {
  if (precision <= 0 || precision >= 39) return true;
  const __int128 limit = Pow10(precision);
  return v < limit && v > -limit;
}

// Fixed-width output buffer of n values of D.
template <typename D>
D* PrepareFixed(Column* out, size_t n) {
  out->mutable_data().assign(n * sizeof(D), 0);
  return out->MutableValues<D>();
}

// --- integral and decimal sources (read as __int128 with a scale) -------------------------------

template <typename S>
Status CastFromIntegral(const Column& in, int scale, const DataType& to, Column* out) {
  const size_t n = in.length();
  const S* src = in.Values<S>();
  auto get = [&](size_t i) { return static_cast<__int128>(src[i]); };
  auto to_int = [&](size_t i, __int128* v) { return Rescale(get(i), scale, 0, v); };
  switch (to.id) {
    case TypeId::kBoolean: {
      uint8_t* dst = PrepareFixed<uint8_t>(out, n);
      for (size_t i = 0; i < n; ++i) dst[i] = get(i) != 0;
      return Status::OK();
    }
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt64: {
      __int128 lo, hi;
      if (to.id == TypeId::kInt32) {
        lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
      } else if (to.id == TypeId::kInt64) {
        lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
      } else {
        lo = 0, hi = std::numeric_limits<uint64_t>::max();
      }
      auto run = [&](auto* dst) -> Status {
        using D = std::remove_pointer_t<decltype(dst)>;
        for (size_t i = 0; i < n; ++i) {
          __int128 v;
          if (!to_int(i, &v) || v < lo || v > hi) {
            if (in.IsNull(i)) continue;
            return CastError(in, i, to, "out of range");
          }
          dst[i] = static_cast<D>(v);
        }
        return Status::OK();
      };
      if (to.id == TypeId::kInt32) return run(PrepareFixed<int32_t>(out, n));
      if (to.id == TypeId::kInt64) return run(PrepareFixed<int64_t>(out, n));
      return run(PrepareFixed<uint64_t>(out, n));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      const double div = static_cast<double>(Pow10(scale));
      if (to.id == TypeId::kFloat) {
        float* dst = PrepareFixed<float>(out, n);
        for (size_t i = 0; i < n; ++i) dst[i] = static_cast<float>(static_cast<double>(get(i)) / div);
      } else {
        double* dst = PrepareFixed<double>(out, n);
        if (scale == 0) {
          for (size_t i = 0; i < n; ++i) dst[i] = static_cast<double>(src[i]);
        } else {
          for (size_t i = 0; i < n; ++i) dst[i] = static_cast<double>(get(i)) / div;
        }
      }
      return Status::OK();
    }
    case TypeId::kDecimal: {
      __int128* dst = PrepareFixed<__int128>(out, n);
      for (size_t i = 0; i < n; ++i) {
        __int128 v;
        if (!Rescale(get(i), scale, to.scale, &v) || !FitsPrecision(v, to.precision)) {
          if (in.IsNull(i)) continue;
          return CastError(in, i, to, "out of range");
        }
        dst[i] = v;
      }
      return Status::OK();
    }
    default: return Status::Internal("CastFromIntegral: bad target " + to.ToString());
  }
}

template <typename S>
Status CastFromFloating(const Column& in, const DataType& to, Column* out) {
  const size_t n = in.length();
  const S* src = in.Values<S>();
  switch (to.id) {
    case TypeId::kFloat: {
      float* dst = PrepareFixed<float>(out, n);
      for (size_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]);
      return Status::OK();
    }
    case TypeId::kDouble: {
      double* dst = PrepareFixed<double>(out, n);
      for (size_t i = 0; i < n; ++i) dst[i] = static_cast<double>(src[i]);
      return Status::OK();
    }
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt64: {
      // Bounds as doubles: [lo, hi) where hi is a power of two (exactly representable).
      double lo, hi;
      if (to.id == TypeId::kInt32) {
        lo = -2147483648.0, hi = 2147483648.0;
      } else if (to.id == TypeId::kInt64) {
        lo = -9223372036854775808.0, hi = 9223372036854775808.0;
      } else {
        lo = 0.0, hi = 18446744073709551616.0;
      }
      auto run = [&](auto* dst) -> Status {
        using D = std::remove_pointer_t<decltype(dst)>;
        for (size_t i = 0; i < n; ++i) {
          const double v = std::nearbyint(static_cast<double>(src[i]));
          if (!(v >= lo && v < hi)) {
            if (in.IsNull(i)) continue;
            return CastError(in, i, to, std::isnan(v) ? "NaN has no integer value" : "out of range");
          }
          dst[i] = static_cast<D>(v);
        }
        return Status::OK();
      };
      if (to.id == TypeId::kInt32) return run(PrepareFixed<int32_t>(out, n));
      if (to.id == TypeId::kInt64) return run(PrepareFixed<int64_t>(out, n));
      return run(PrepareFixed<uint64_t>(out, n));
    }
    case TypeId::kDecimal: {
      __int128* dst = PrepareFixed<__int128>(out, n);
      const double mult = static_cast<double>(Pow10(to.scale));
      const double limit =
          to.precision > 0 && to.precision < 39 ? static_cast<double>(Pow10(to.precision)) : 1e38;
      for (size_t i = 0; i < n; ++i) {
        const double v = std::round(static_cast<double>(src[i]) * mult);
        if (!(std::fabs(v) < limit)) {
          if (in.IsNull(i)) continue;
          return CastError(in, i, to, "out of range");
        }
        dst[i] = static_cast<__int128>(v);
      }
      return Status::OK();
    }
    default: return Status::Internal("CastFromFloating: bad target " + to.ToString());
  }
}

// --- text ------------------------------------------------------------------------------------------

void AppendInt128(__int128 v, std::string* out) {
  char buf[48];
  int n = 0;
  const bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u > 0);
  if (neg) out->push_back('-');
  while (n > 0) out->push_back(buf[--n]);
}

void FormatValue(const Column& in, size_t i, std::string* out) {
  switch (in.type().id) {
    case TypeId::kBoolean: out->append(in.Value<uint8_t>(i) ? "true" : "false"); return;
    case TypeId::kInt32: out->append(std::to_string(in.Value<int32_t>(i))); return;
    case TypeId::kInt64: out->append(std::to_string(in.Value<int64_t>(i))); return;
    case TypeId::kUInt64: out->append(std::to_string(in.Value<uint64_t>(i))); return;
    case TypeId::kFloat: {
      const float f = in.Value<float>(i);
      if (std::isnan(f) || std::isinf(f)) {
        out->append(FormatDouble(f));
      } else {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, f);
        out->append(buf, r.ptr);
      }
      return;
    }
    case TypeId::kDouble: out->append(FormatDouble(in.Value<double>(i))); return;
    case TypeId::kString:
    case TypeId::kBinary: out->append(in.GetString(i)); return;
    case TypeId::kDate: out->append(FormatDate(in.Value<int32_t>(i))); return;
    case TypeId::kTimestamp: out->append(FormatTimestamp(in.Value<int64_t>(i), in.type().unit)); return;
    case TypeId::kDecimal: out->append(FormatDecimal(in.Value<__int128>(i), in.type().scale)); return;
  }
}

bool ParseBool(std::string_view s, uint8_t* out) {
  s = Trim(s);
  for (const char* t : {"true", "t", "yes", "y", "on", "1"}) {
    if (EqualsIgnoreCase(s, t)) return *out = 1, true;
  }
  for (const char* f : {"false", "f", "no", "n", "off", "0"}) {
    if (EqualsIgnoreCase(s, f)) return *out = 0, true;
  }
  return false;
}

template <typename T>
bool ParseInt(std::string_view s, T* out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  s = Trim(s);
  bool neg = false;
  std::string_view body = s;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    neg = body.front() == '-';
    body.remove_prefix(1);
  }
  if (EqualsIgnoreCase(body, "infinity") || EqualsIgnoreCase(body, "inf")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualsIgnoreCase(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || !((body.front() >= '0' && body.front() <= '9') || body.front() == '.')) return false;
  auto r = std::from_chars(body.data(), body.data() + body.size(), *out);
  if (r.ec != std::errc() || r.ptr != body.data() + body.size()) return false;
  if (neg) *out = -*out;
  return true;
}

bool ParseDecimal(std::string_view s, const DataType& to, __int128* out) {
  s = Trim(s);
  bool neg = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  __int128 v = 0;
  int frac_digits = 0;
  bool seen_dot = false, any = false;
  int round_digit = -1;  // first dropped digit
  for (char c : s) {
    if (c == '.') {
      if (seen_dot) return false;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    any = true;
    if (seen_dot && frac_digits >= to.scale) {
      if (round_digit < 0) round_digit = c - '0';
      continue;
    }
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) return false;
    if (seen_dot) ++frac_digits;
  }
  if (!any) return false;
  for (; frac_digits < to.scale; ++frac_digits) {
    if (__builtin_mul_overflow(v, 10, &v)) return false;
  }
  if (round_digit >= 5) ++v;
  if (neg) v = -v;
  if (!FitsPrecision(v, to.precision)) return false;
  *out = v;
  return true;
}

bool ParseDigits(std::string_view s, size_t pos, size_t count, int64_t* out) {
  if (pos + count > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

// Parses YYYY-MM-DD at the start of s; sets *consumed.
bool ParseDatePrefix(std::string_view s, int64_t* days, size_t* consumed) {
  int64_t y, m, d;
  if (!ParseDigits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !ParseDigits(s, 5, 2, &m) || s[7] != '-' ||
      !ParseDigits(s, 8, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(m))) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  *consumed = 10;
  return true;
}

bool ParseTimestampText(std::string_view s, TimeUnit unit, int64_t* out) {
  s = Trim(s);
  int64_t days;
  size_t pos;
  if (!ParseDatePrefix(s, &days, &pos)) return false;
  const int64_t ups = UnitsPerSecond(unit);
  int64_t secs = 0, frac = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
    ++pos;
    int64_t hh, mm, ss = 0;
    if (!ParseDigits(s, pos, 2, &hh) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !ParseDigits(s, pos + 3, 2, &mm)) {
      return false;
    }
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!ParseDigits(s, pos + 1, 2, &ss)) return false;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int64_t scale = ups;
        size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          scale /= 10;
          frac += (s[pos] - '0') * scale;  // digits beyond the unit add 0 (truncated)
          ++pos;
          ++digits;
        }
        if (digits == 0) return false;
      }
    }
    if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: a leap second, folded into the next minute
    secs = hh * 3600 + mm * 60 + ss;
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int64_t sign = s[pos] == '+' ? 1 : -1;
        int64_t oh, om = 0;
        if (!ParseDigits(s, pos + 1, 2, &oh)) return false;
        pos += 3;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size()) {
          if (!ParseDigits(s, pos, 2, &om)) return false;
          pos += 2;
        }
        if (oh > 23 || om > 59) return false;
        secs -= sign * (oh * 3600 + om * 60);
      } else {
        return false;
      }
    }
    if (pos != s.size()) return false;
  }
  int64_t v;
  if (__builtin_mul_overflow(days * 86400 + secs, ups, &v) || __builtin_add_overflow(v, frac, &v))
    return false;
  *out = v;
  return true;
}

Status CastFromString(const Column& in, const DataType& to, Column* out) {
  const size_t n = in.length();
  auto fail = [&](size_t i, std::string_view what) { return CastError(in, i, to, what); };
  switch (to.id) {
    case TypeId::kString:
    case TypeId::kBinary:
      out->mutable_offsets() = in.offsets();
      out->mutable_chars() = in.chars();
      return Status::OK();
    case TypeId::kBoolean: {
      uint8_t* dst = PrepareFixed<uint8_t>(out, n);
      for (size_t i = 0; i < n; ++i) {
        if (!ParseBool(in.GetString(i), &dst[i]) && in.IsValid(i)) return fail(i, "invalid boolean");
      }
      return Status::OK();
    }
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt64: {
      auto run = [&](auto* dst) -> Status {
        for (size_t i = 0; i < n; ++i) {
          if (!ParseInt(in.GetString(i), &dst[i]) && in.IsValid(i)) {
            return fail(i, "invalid integer or out of range");
          }
        }
        return Status::OK();
      };
      if (to.id == TypeId::kInt32) return run(PrepareFixed<int32_t>(out, n));
      if (to.id == TypeId::kInt64) return run(PrepareFixed<int64_t>(out, n));
      return run(PrepareFixed<uint64_t>(out, n));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      auto run = [&](auto* dst) -> Status {
        using D = std::remove_pointer_t<decltype(dst)>;
        for (size_t i = 0; i < n; ++i) {
          double v = 0;
          if (!ParseDouble(in.GetString(i), &v) && in.IsValid(i))
            return fail(i, "invalid number or out of range");
          dst[i] = static_cast<D>(v);
        }
        return Status::OK();
      };
      if (to.id == TypeId::kFloat) return run(PrepareFixed<float>(out, n));
      return run(PrepareFixed<double>(out, n));
    }
    case TypeId::kDecimal: {
      __int128* dst = PrepareFixed<__int128>(out, n);
      for (size_t i = 0; i < n; ++i) {
        if (!ParseDecimal(in.GetString(i), to, &dst[i]) && in.IsValid(i)) {
          return fail(i, "invalid number or out of range");
        }
      }
      return Status::OK();
    }
    case TypeId::kDate: {
      int32_t* dst = PrepareFixed<int32_t>(out, n);
      for (size_t i = 0; i < n; ++i) {
        if (in.IsNull(i)) continue;
        auto r = ParseDate(in.GetString(i));
        if (!r.ok()) return fail(i, "expected YYYY-MM-DD");
        dst[i] = *r;
      }
      return Status::OK();
    }
    case TypeId::kTimestamp: {
      int64_t* dst = PrepareFixed<int64_t>(out, n);
      for (size_t i = 0; i < n; ++i) {
        if (!ParseTimestampText(in.GetString(i), to.unit, &dst[i]) && in.IsValid(i)) {
          return fail(i, "expected an RFC 3339 timestamp such as 2024-05-01T12:00:00Z");
        }
      }
      return Status::OK();
    }
  }
  return Status::Internal("CastFromString: bad target");
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

int64_t UnitsPerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis: return 1000;
    case TimeUnit::kMicros: return 1000000;
    case TimeUnit::kNanos: return 1000000000;
  }
  return 1000000;
}

std::string FormatDecimal(__int128 unscaled, int32_t scale) {
  std::string digits;
  const bool neg = unscaled < 0;
  AppendInt128(neg ? -unscaled : unscaled, &digits);
  if (scale <= 0) return (neg ? "-" : "") + digits;
  if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  return (neg ? "-" : "") + digits;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

Result<int32_t> ParseDate(std::string_view text) {
  std::string_view s = Trim(text);
  int64_t days;
  size_t consumed;
  if (!ParseDatePrefix(s, &days, &consumed) || consumed != s.size()) {
    return Status::InvalidArgument("invalid DATE " + Quote(text) + ": expected YYYY-MM-DD");
  }
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTimestamp(std::string_view text, TimeUnit unit) {
  int64_t v;
  if (!ParseTimestampText(text, unit, &v)) {
    return Status::InvalidArgument("invalid TIMESTAMP " + Quote(text) +
                                   ": expected RFC 3339 such as 2024-05-01T12:00:00Z");
  }
  return v;
}

bool CanCast(const DataType& from, const DataType& to) {
  if (from == to) return true;
  if (from.id == TypeId::kString || to.id == TypeId::kString) return true;
  if (from.id == TypeId::kBinary || to.id == TypeId::kBinary) return false;
  if (IsNumeric(from.id) && IsNumeric(to.id)) return !(IsFloating(from.id) && to.id == TypeId::kBoolean);
  const bool from_time = from.id == TypeId::kDate || from.id == TypeId::kTimestamp;
  const bool to_time = to.id == TypeId::kDate || to.id == TypeId::kTimestamp;
  return from_time && to_time;
}

Result<Column> CastColumn(const Column& input, const DataType& to) {
  const DataType& from = input.type();
  if (from == to) return input;
  if (!CanCast(from, to)) {
    return Status::InvalidArgument("cannot cast " + from.ToString() + " to " + to.ToString());
  }
  const size_t n = input.length();
  Column out(to);
  Status st;
  if (from.id == TypeId::kString || from.id == TypeId::kBinary) {
    st = CastFromString(input, to, &out);
  } else if (to.id == TypeId::kString) {
    std::string& chars = out.mutable_chars();
    std::vector<int64_t>& offsets = out.mutable_offsets();
    offsets.resize(n + 1);
    for (size_t i = 0; i < n; ++i) {
      if (input.IsValid(i)) FormatValue(input, i, &chars);
      offsets[i + 1] = static_cast<int64_t>(chars.size());
    }
  } else {
    switch (from.id) {
      case TypeId::kBoolean: st = CastFromIntegral<uint8_t>(input, 0, to, &out); break;
      case TypeId::kInt32: st = CastFromIntegral<int32_t>(input, 0, to, &out); break;
      case TypeId::kInt64: st = CastFromIntegral<int64_t>(input, 0, to, &out); break;
      case TypeId::kUInt64: st = CastFromIntegral<uint64_t>(input, 0, to, &out); break;
      case TypeId::kDecimal: st = CastFromIntegral<__int128>(input, from.scale, to, &out); break;
      case TypeId::kFloat: st = CastFromFloating<float>(input, to, &out); break;
      case TypeId::kDouble: st = CastFromFloating<double>(input, to, &out); break;
      case TypeId::kDate: {
        // to TIMESTAMP
        const int64_t per_day = 86400 * UnitsPerSecond(to.unit);
        int64_t* dst = PrepareFixed<int64_t>(&out, n);
        const int32_t* src = input.Values<int32_t>();
        for (size_t i = 0; i < n; ++i) {
          if (__builtin_mul_overflow(static_cast<int64_t>(src[i]), per_day, &dst[i]) && input.IsValid(i)) {
            return CastError(input, i, to, "out of range");
          }
        }
        break;
      }
      case TypeId::kTimestamp: {
        const int64_t* src = input.Values<int64_t>();
        const int64_t from_ups = UnitsPerSecond(from.unit);
        if (to.id == TypeId::kDate) {
          int32_t* dst = PrepareFixed<int32_t>(&out, n);
          const int64_t per_day = 86400 * from_ups;
          for (size_t i = 0; i < n; ++i) dst[i] = static_cast<int32_t>(FloorDiv(src[i], per_day));
        } else {
          const int64_t to_ups = UnitsPerSecond(to.unit);
          int64_t* dst = PrepareFixed<int64_t>(&out, n);
          if (to_ups > from_ups) {
            const int64_t f = to_ups / from_ups;
            for (size_t i = 0; i < n; ++i) {
              if (__builtin_mul_overflow(src[i], f, &dst[i]) && input.IsValid(i)) {
                return CastError(input, i, to, "out of range");
              }
            }
          } else {
            const int64_t f = from_ups / to_ups;
            for (size_t i = 0; i < n; ++i) dst[i] = FloorDiv(src[i], f);
          }
        }
        break;
      }
      default: return Status::InvalidArgument("cannot cast " + from.ToString() + " to " + to.ToString());
    }
  }
  TANDEM_RETURN_IF_ERROR(st);
  out.mutable_validity() = input.validity();
  out.SetLength(n);
  return out;
}

}  // namespace tandem::exec
