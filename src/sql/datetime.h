// Text <-> DATE / TIMESTAMP for SQL typed literals (DATE '2024-01-31', TIMESTAMP '2024-01-31 12:00:00').
//
// Proleptic Gregorian calendar, years 0001..9999, UTC. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::sql {

// Days since 1970-01-01 for the civil date y-m-d (m 1..12, d 1..31; not validated).
int64_t DaysFromCivil(int64_t y, int m, int d);

// 'YYYY-MM-DD' -> days since 1970-01-01; nullopt when malformed or not a real date (2023-02-29).
std::optional<int32_t> ParseDate(std::string_view text);

// 'YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|(+|-)HH[:MM]]' -> microseconds since the epoch, UTC (an
// offset is subtracted). nullopt when malformed, out of range, or with more than 6 fraction digits.
std::optional<int64_t> ParseTimestampMicros(std::string_view text);

// 'YYYY-MM-DD'
std::string FormatDate(int64_t days);
// 'YYYY-MM-DD HH:MM:SS' plus '.f..' (trailing zeros trimmed) when the fraction is not zero.
std::string FormatTimestampMicros(int64_t micros);

}  // namespace tandem::sql
