#include "ingest/timestamp_parse.h"

#include "columnar/column.h"

namespace tandem::ingest {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// [0000-01-01T00:00:00Z, 10000-01-01T00:00:00Z) in seconds since the epoch: DaysFromCivil(0, 1, 1) is
// -719528 and DaysFromCivil(10000, 1, 1) is 2932897 (checked in timestamp_parse_test.cc).
constexpr int64_t kMinSeconds = -719528 * kSecondsPerDay;
constexpr int64_t kEndSeconds = 2932897 * kSecondsPerDay;

inline bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Reads `n` digits at s[pos..]; false if any is not a digit. The caller checked the length.
inline bool Digits(std::string_view s, size_t pos, int n, int* out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Parses "YYYY-MM-DD" at the start of `s` (s.size() >= 10 checked by the caller).
TimeParseError ParseDatePart(std::string_view s, int64_t* days) {
  int y, m, d;
  if (!Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return TimeParseError::kSyntax;
  }
  if (m < 1 || m > 12) return TimeParseError::kMonth;
  if (d < 1 || d > DaysInMonth(y, m)) return TimeParseError::kDay;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return TimeParseError::kOk;
}

// Seconds plus a non-negative fraction in nanoseconds, to `unit` (floor), with the range check.
TimeParseError ToUnit(int64_t seconds, int64_t nanos, TimeUnit unit, int64_t* out) {
  if (seconds < kMinSeconds || seconds >= kEndSeconds) return TimeParseError::kRange;
  switch (unit) {
    case TimeUnit::kMillis: *out = seconds * 1000 + nanos / 1000000; return TimeParseError::kOk;
    case TimeUnit::kMicros: *out = seconds * 1000000 + nanos / 1000; return TimeParseError::kOk;
    case TimeUnit::kNanos: {
      int64_t v;
      if (__builtin_mul_overflow(seconds, int64_t{1000000000}, &v) || __builtin_add_overflow(v, nanos, &v)) {
        return TimeParseError::kRange;
      }
      *out = v;
      return TimeParseError::kOk;
    }
  }
  return TimeParseError::kRange;
}

}  // namespace

std::string_view TimeParseErrorText(TimeParseError error) {
  switch (error) {
    case TimeParseError::kOk: return "";
    case TimeParseError::kSyntax: return "syntax error";
    case TimeParseError::kMonth: return "month out of range";
    case TimeParseError::kDay: return "day out of range";
    case TimeParseError::kHour: return "hour out of range";
    case TimeParseError::kMinute: return "minute out of range";
    case TimeParseError::kSecond: return "second out of range";
    case TimeParseError::kOffset: return "time zone offset out of range";
    case TimeParseError::kFraction: return "more than 9 fraction digits";
    case TimeParseError::kRange: return "out of the supported range";
  }
  return "unknown error";
}

TimeParseError ParseRfc3339(std::string_view s, TimeUnit unit, int64_t* out) {
  // Shortest form: "YYYY-MM-DDTHH:MM:SSZ" (20 bytes).
  if (s.size() < 20) return TimeParseError::kSyntax;
  int64_t days;
  TimeParseError e = ParseDatePart(s, &days);
  if (e != TimeParseError::kOk) return e;
  char sep = s[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return TimeParseError::kSyntax;
  int hh, mi, ss;
  if (!Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss)) {
    return TimeParseError::kSyntax;
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    size_t n = pos - start;
    if (n == 0) return TimeParseError::kSyntax;
    if (n > 9) return TimeParseError::kFraction;
    for (size_t i = start; i < pos; ++i) nanos = nanos * 10 + (s[i] - '0');
    for (size_t i = n; i < 9; ++i) nanos *= 10;
    if (pos >= s.size()) return TimeParseError::kSyntax;  // the offset is missing
  }
  int offset_seconds = 0;
  char z = s[pos];
  if (z == 'Z' || z == 'z') {
    if (pos + 1 != s.size()) return TimeParseError::kSyntax;
  } else if (z == '+' || z == '-') {
    int oh, om;
    if (pos + 6 != s.size() || !Digits(s, pos + 1, 2, &oh) || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om)) {
      return TimeParseError::kSyntax;
    }
    if (oh > 23 || om > 59) return TimeParseError::kOffset;
    offset_seconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
  } else {
    return TimeParseError::kSyntax;
  }
  if (hh > 23) return TimeParseError::kHour;
  if (mi > 59) return TimeParseError::kMinute;
  if (ss > 60) return TimeParseError::kSecond;
  int64_t seconds = days * kSecondsPerDay + hh * 3600 + mi * 60 + ss - offset_seconds;
  return ToUnit(seconds, nanos, unit, out);
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  int64_t v;
  if (ParseRfc3339(text, TimeUnit::kMicros, &v) != TimeParseError::kOk) return std::nullopt;
  return v;
}

TimeParseError ParseIsoDate(std::string_view s, int32_t* days) {
  if (s.size() != 10) return TimeParseError::kSyntax;
  int64_t d;
  TimeParseError e = ParseDatePart(s, &d);
  if (e != TimeParseError::kOk) return e;
  *days = static_cast<int32_t>(d);  // years 0000-9999 fit easily
  return TimeParseError::kOk;
}

std::optional<int32_t> ParseIsoDate(std::string_view text) {
  int32_t d;
  if (ParseIsoDate(text, &d) != TimeParseError::kOk) return std::nullopt;
  return d;
}

TimeParseError EpochMillisToUnit(int64_t millis, TimeUnit unit, int64_t* out) {
  // Floor division keeps the fraction non-negative for times before 1970.
  int64_t seconds = millis / 1000;
  int64_t rem = millis % 1000;
  if (rem < 0) {
    rem += 1000;
    --seconds;
  }
  return ToUnit(seconds, rem * 1000000, unit, out);
}

}  // namespace tandem::ingest
