// NDJSON -> Parquet conversion behind `tandem parquet convert`.
//
// Input: one JSON object per line (blank lines are skipped). Each schema column is looked up by key;
// a missing key or a JSON null is NULL (an error for a NOT NULL column); keys not in the schema are
// ignored. Accepted JSON per SQL type:
//   BIGINT, INTEGER  an integer number within the type's range
//   DOUBLE, FLOAT    any number, or the strings "NaN", "Infinity", "-Infinity"
//   VARCHAR          a string
//   BOOLEAN          true or false
//   DATE             a string "YYYY-MM-DD"
//   TIMESTAMP        an RFC 3339 string ("2024-05-01T12:00:00.123Z", "2024-05-01 12:00:00+02:00"; up to
//                    microsecond precision) or an integer number of milliseconds since the Unix epoch.
//                    Stored as TIMESTAMP (microseconds, UTC).
// The conversion stops at the first bad line with an InvalidArgument error naming the file, line, column
// and value: `in.ndjson: line 3, column "ts": expected TIMESTAMP (RFC 3339 string or epoch
// milliseconds), got "abc"`. The output is written to `<out>.tmp` and renamed to `out` only after the
// Parquet footer is written and synced, so a failed conversion leaves nothing at `out`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/data_type.h"
#include "common/file_system.h"
#include "common/status.h"
#include "lake/parquet/parquet_writer.h"

namespace tandem::cli {

// Parses "name TYPE [NOT NULL], ..." with the types BIGINT, INTEGER, DOUBLE, FLOAT, VARCHAR, BOOLEAN,
// DATE, TIMESTAMP (case-insensitive). Names are identifiers or "double-quoted". Duplicate names are an
// error.
Result<Schema> ParseSchemaSpec(std::string_view spec);

// Parses an RFC 3339 date-time into microseconds since the epoch (UTC). Accepts 'T', 't' or ' ' between
// date and time, a fraction of up to 9 digits (digits beyond microseconds must be zero), and 'Z' or a
// ±HH:MM offset. Returns false on anything else.
bool ParseRfc3339Micros(std::string_view text, int64_t* micros);
// Parses "YYYY-MM-DD" into days since 1970-01-01.
bool ParseIsoDate(std::string_view text, int32_t* days);

struct ConvertOptions {
  std::string input_path;
  std::string output_path;
  Schema schema;
  parquet::WriterOptions writer;
  size_t batch_rows = 64 * 1024;  // rows buffered before they are handed to the writer
};

struct ConvertStats {
  int64_t lines = 0;
  int64_t rows = 0;
};

Result<ConvertStats> ConvertNdjsonToParquet(FileSystem* fs, const ConvertOptions& options);

}  // namespace tandem::cli
