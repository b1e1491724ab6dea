// NdjsonParser: an NDJSON request body (one JSON object per line) into a columnar batch for one
// stream, with row-level validation (DESIGN.md §4). The accepted format, the type mapping and every
// error message are described in docs/formats/ndjson.md.
//
// A body is parsed line by line. A good line becomes one row of `ParsedBatch::rows` (rows keep the input
// order); a bad line becomes exactly one RowError (the first problem found) and no row, and never
// affects its neighbours. Only a body over a limit (size, too many bad lines) or an unusable schema
// fails the whole call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "common/status.h"

namespace tandem::ingest {

// The schema of a stream as ingest sees it. Fields with nullable == false are NOT NULL.
struct StreamSchema {
  Schema schema;
  // Index of the event-time field (a TIMESTAMP, in any unit), or -1 when the stream has none. The
  // event-time column is NOT NULL whatever its field says.
  int event_time_column = -1;
  // Index of the event-id field used for deduplication (BIGINT, INTEGER, UBIGINT or VARCHAR), or -1.
  // Its nullability is the field's own: a row without an id is simply never a duplicate.
  int event_id_column = -1;
};

// Why one line was rejected.
struct RowError {
  int64_t line = 0;         // 1-based line number in the body; blank lines count
  std::string column;       // the schema field at fault, or "" for a problem with the line as a whole
  std::string reason;       // e.g. `expected BIGINT (JSON integer), got "12"`
  int64_t byte_offset = 0;  // where the line starts in the body (for the quarantine copy)
  int64_t byte_length = 0;  // the line's length, without its '\n' or "\r\n"

  // `line 3, column "ts": <reason>` or `line 3: <reason>`.
  std::string ToString() const;
  bool operator==(const RowError& o) const {
    return line == o.line && column == o.column && reason == o.reason && byte_offset == o.byte_offset &&
           byte_length == o.byte_length;
  }
};

// Limits on one Parse call. Zero disables a limit, except max_body_bytes and max_line_bytes.
struct ParseLimits {
  // A larger body is refused as a whole with ResourceExhausted.
  size_t max_body_bytes = size_t{16} << 20;
  // A longer line (without its line terminator) is a row error.
  size_t max_line_bytes = size_t{1} << 20;
  // An object with more members (known and unknown alike) is a row error.
  size_t max_fields_per_object = 1024;
  // A VARCHAR value longer than this many bytes (after unescaping) is a row error; 0 = no limit.
  size_t max_string_bytes = 0;
  // More bad lines than this in one body refuses the whole body with ResourceExhausted: it is almost
  // surely not NDJSON for this stream, and keeping a reason per line would cost unbounded memory.
  size_t max_row_errors = 10000;
};

struct ParsedBatch {
  RecordBatch rows;              // the good lines, in input order, with the stream's schema
  std::vector<RowError> errors;  // one per bad line, in line order
  int64_t lines = 0;             // lines in the body, blank ones included; a final line without '\n' counts
};

// Not thread-safe: use one parser per thread. A parser is reusable; it keeps its buffers between calls
// so that steady-state parsing allocates only the output batch.
class NdjsonParser {
 public:
  // OK when every field has a type NDJSON ingest supports (all but BLOB and DECIMAL) and the event-time
  // and event-id columns, if any, are in range and of an allowed type. Field names must be unique.
  static Status ValidateSchema(const StreamSchema& schema);

  // An invalid schema is reported by every Parse call (see ValidateSchema), not here.
  explicit NdjsonParser(StreamSchema schema, ParseLimits limits = {});
  ~NdjsonParser();
  NdjsonParser(NdjsonParser&&) noexcept;
  NdjsonParser& operator=(NdjsonParser&&) noexcept;
  NdjsonParser(const NdjsonParser&) = delete;
  NdjsonParser& operator=(const NdjsonParser&) = delete;

  // Parses `body`. Errors: ResourceExhausted when the body is over max_body_bytes or has more than
  // max_row_errors bad lines; the schema's error when it is invalid. An empty body gives zero rows.
  Result<ParsedBatch> Parse(std::string_view body);

  const StreamSchema& schema() const;
  const ParseLimits& limits() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem::ingest
