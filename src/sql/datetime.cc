#include "sql/datetime.h"

#include <cstdio>

namespace tandem::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Civil date from days since the epoch (inverse of DaysFromCivil).
void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;                                       // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

// Reads exactly `n` digits at text[*i].
bool Digits(std::string_view text, size_t* i, int n, int64_t* out) {
  int64_t v = 0;
  for (int k = 0; k < n; ++k) {
    if (*i >= text.size() || text[*i] < '0' || text[*i] > '9') return false;
    v = v * 10 + (text[*i] - '0');
    ++*i;
  }
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* i, char c) {
  if (*i >= text.size() || text[*i] != c) return false;
  ++*i;
  return true;
}

// Parses YYYY-MM-DD at text[*i]; returns days.
std::optional<int64_t> DatePart(std::string_view text, size_t* i) {
  int64_t y, m, d;
  if (!Digits(text, i, 4, &y) || !Expect(text, i, '-') || !Digits(text, i, 2, &m) || !Expect(text, i, '-') ||
      !Digits(text, i, 2, &d)) {
    return std::nullopt;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(m))) return std::nullopt;
  return DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;                                    // [0, 399]
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

std::optional<int32_t> ParseDate(std::string_view text) {
  size_t i = 0;
  auto days = DatePart(text, &i);
  if (!days || i != text.size()) return std::nullopt;
  return static_cast<int32_t>(*days);
}

std::optional<int64_t> ParseTimestampMicros(std::string_view text) {
  size_t i = 0;
  auto days = DatePart(text, &i);
  if (!days) return std::nullopt;
  int64_t hh = 0, mi = 0, ss = 0, frac = 0;
  if (i < text.size() && (text[i] == ' ' || text[i] == 'T')) {
    ++i;
    if (!Digits(text, &i, 2, &hh) || !Expect(text, &i, ':') || !Digits(text, &i, 2, &mi)) {
      return std::nullopt;
    }
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!Digits(text, &i, 2, &ss)) return std::nullopt;
      if (i < text.size() && text[i] == '.') {
        ++i;
        int n = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          if (++n > 6) return std::nullopt;
          frac = frac * 10 + (text[i] - '0');
          ++i;
        }
        if (n == 0) return std::nullopt;
        for (; n < 6; ++n) frac *= 10;
      }
    }
    if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (i < text.size()) {
    if (text[i] == 'Z') {
      ++i;
    } else if (text[i] == '+' || text[i] == '-') {
      int sign = text[i] == '-' ? -1 : 1;
      ++i;
      int64_t oh = 0, om = 0;
      if (!Digits(text, &i, 2, &oh)) return std::nullopt;
      if (i < text.size() && text[i] == ':') {
        ++i;
        if (!Digits(text, &i, 2, &om)) return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
  }
  if (i != text.size()) return std::nullopt;
  return *days * kMicrosPerDay + ((hh * 60 + mi) * 60 + ss - offset_seconds) * kMicrosPerSecond + frac;
}

std::string FormatDate(int64_t days) {
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rem = micros - days * kMicrosPerDay;  // [0, kMicrosPerDay)
  int64_t secs = rem / kMicrosPerSecond;
  int64_t frac = rem % kMicrosPerSecond;
  char buf[64];
  std::snprintf(buf, sizeof(buf), " %02d:%02d:%02d", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out = FormatDate(days) + buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

}  // namespace tandem::sql
