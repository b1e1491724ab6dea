// Casting between the engine's types, and the text parsers behind CAST from VARCHAR.
//
// Supported: any type to and from VARCHAR; VARCHAR <-> BLOB (the bytes unchanged); among BOOLEAN,
// INTEGER, BIGINT, UBIGINT, FLOAT, DOUBLE and DECIMAL (except floating point -> BOOLEAN); DATE <->
// TIMESTAMP; TIMESTAMP between units. Conversions follow PostgreSQL: DOUBLE -> integer rounds half to
// even, DECIMAL -> integer rounds half away from zero, out-of-range values are errors, TIMESTAMP ->
// DATE keeps the UTC day, a finer TIMESTAMP unit -> a coarser one floors. Text forms: BOOLEAN
// true/t/yes/y/on/1 and false/f/no/n/off/0 (any case); numbers with optional sign and surrounding
// blanks; DOUBLE also NaN, Infinity, -Infinity; DATE YYYY-MM-DD; TIMESTAMP RFC 3339
// ("2024-05-01T12:00:00.5Z", "2024-05-01 12:00:00+02:00", no offset = UTC, date alone = midnight;
// digits of the fraction beyond the unit are truncated). Output text: DOUBLE shortest round-trip
// ("0.1", "NaN", "Infinity"), DATE "YYYY-MM-DD", TIMESTAMP RFC 3339 as in column.h.
// Errors are InvalidArgument and quote the value: `cannot cast "abc" to BIGINT: invalid number`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "common/status.h"

namespace tandem::exec {

// True when CastColumn can convert values of `from` to `to` (it may still fail on a particular value).
bool CanCast(const DataType& from, const DataType& to);
// Every row of `input` converted to `to`; NULL stays NULL. Fails on the first valid row that does not
// convert.
Result<Column> CastColumn(const Column& input, const DataType& to);

Result<int32_t> ParseDate(std::string_view text);
Result<int64_t> ParseTimestamp(std::string_view text, TimeUnit unit);
// Units of `unit` in one second: 1000, 1000000 or 1000000000.
int64_t UnitsPerSecond(TimeUnit unit);
// Decimal text of an unscaled DECIMAL value: FormatDecimal(-1234, 2) == "-12.34".
std::string FormatDecimal(__int128 unscaled, int32_t scale);
// Shortest round-trip text of a double; "NaN", "Infinity", "-Infinity" for the specials.
std::string FormatDouble(double v);

}  // namespace tandem::exec
