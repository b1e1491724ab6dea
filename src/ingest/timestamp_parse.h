// Parsing of RFC 3339 timestamps and ISO 8601 dates from text, for NDJSON ingest and anyone else who
// reads timestamps from users (SQL literals, CLI flags, HTTP query parameters).
//
// Accepted timestamp form (RFC 3339 §5.6, with the two relaxations the RFC itself allows):
//   YYYY-MM-DD ('T' | 't' | ' ') HH:MM:SS [ '.' 1-9 digits ] ( 'Z' | 'z' | ('+' | '-') HH:MM )
// The offset is required: a timestamp without one names no instant. Years are 0000-9999; month, day,
// hour (00-23), minute and offset (hours 00-23, minutes 00-59) are range-checked against the calendar
// (2024-02-30 is rejected, 2024-02-29 is not). Second 60 (a leap second) is accepted and read as the
// first second of the next minute, as PostgreSQL does. Fraction digits finer than the target unit are
// truncated toward the past (the result is the floor of the exact instant).
// The result must lie in [0000-01-01T00:00:00Z, 9999-12-31T23:59:59.999999999Z] and fit an int64 in
// the target unit (TIMESTAMP_NS covers 1677-09-21 .. 2262-04-11 only).
//
// All functions are pure and thread-safe; none allocates.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "columnar/data_type.h"

namespace tandem::ingest {

// Why a timestamp, date or epoch value was rejected.
enum class TimeParseError : uint8_t {
  kOk = 0,
  kSyntax,    // not of the accepted form at all
  kMonth,     // month not in 01-12
  kDay,       // day not in the month
  kHour,      // hour not in 00-23
  kMinute,    // minute not in 00-59
  kSecond,    // second not in 00-60
  kOffset,    // offset hours not in 00-23 or minutes not in 00-59
  kFraction,  // more than 9 fraction digits
  kRange,     // the instant is outside the supported range or the unit's int64 range
};

// A short English phrase for the error ("day out of range"); "" for kOk.
std::string_view TimeParseErrorText(TimeParseError error);

// Parses `text` as an RFC 3339 timestamp. On success stores the time since 1970-01-01T00:00:00Z in
// `unit` into *out and returns kOk; otherwise returns the first problem found and leaves *out alone.
TimeParseError ParseRfc3339(std::string_view text, TimeUnit unit, int64_t* out);

// Microseconds since the epoch, or nullopt if `text` is not an accepted RFC 3339 timestamp.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Parses "YYYY-MM-DD" (exactly that: 4-digit year 0000-9999, 2-digit month and day, valid in the
// calendar). On success stores days since 1970-01-01 into *days and returns kOk.
TimeParseError ParseIsoDate(std::string_view text, int32_t* days);
std::optional<int32_t> ParseIsoDate(std::string_view text);

// Converts milliseconds since the epoch (negative is before 1970) to `unit`, with the same range
// rule as ParseRfc3339 (kRange when outside it).
TimeParseError EpochMillisToUnit(int64_t millis, TimeUnit unit, int64_t* out);

}  // namespace tandem::ingest
