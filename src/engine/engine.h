// Engine: every layer of Tandem in one process — the embedded default of DESIGN.md.
//
//   Ingest(stream, ndjson) ─▶ parse+validate ─▶ Log (group commit, durable) ─▶ speed layer (per view,
//   per epoch) ─▶ acknowledged.   A background thread flushes the log into the lake (Parquet, manifest)
//   every flush_interval; RunBatch() (and a timer every batch_interval) seals a boundary B at the log's
//   durable end, cuts every view's speed epoch at B, makes sure the lake holds every offset < B,
//   recomputes the view over the lake below B (incrementally from the previous batch view, or fully),
//   writes the batch view, and publishes it while dropping the epochs it covers — one atomic step for
//   queries. A query over a view reads (batch view, epochs ≥ its horizon) under one lock and merges them.
//
// Invariant (tested by the property test): for every view, the merged answer equals the recompute
// from scratch over every acknowledged event. For a stream WITH (event_id = 'col') "every acknowledged
// event" means the first event of each id by offset — exactly below the batch horizon B and in SELECT over
// the stream, within a window of W offsets above B (docs/http_api.md "Duplicates").
//
// Exactly-once ingest: Ingest with an idempotency key stores the key in the same log record as the events
// (engine/idempotency.h), so retries append nothing, across crashes (docs/http_api.md "Idempotency-Key").
//
// Data directory layout: docs/formats/data_dir.md. Thread safety: every public method may be called from
// any thread at any time; the engine serialises what must be serialised. Errors: Status/Result; user
// errors (bad SQL, unknown stream, bad rows) are InvalidArgument/NotFound with a message naming the
// problem; the engine stays usable after any error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "common/status.h"

namespace tandem::engine {

struct EngineOptions {
  std::string data_dir;
  int64_t flush_interval_ms = 1000;         // lake writer: flush the log into Parquet this often ...
  int64_t flush_bytes = 64 << 20;           // ... or when this many payload bytes are waiting
  int64_t batch_interval_ms = 60'000;       // batch cycles on a timer; 0 disables the timer
  int64_t compaction_interval_ms = 60'000;  // 0 disables background compaction
  bool background = true;                   // false: no background threads (tests drive flush/batch by hand)
  size_t max_body_bytes = 64 << 20;         // ingest request size limit
  int64_t segment_bytes = 64 << 20;         // log segment size

  // Limits (docs/http_api.md "Limits"). A request over one fails with a Status naming the limit and its
  // value; nothing else is affected. 0 disables a limit unless noted.
  size_t max_line_bytes = 1 << 20;     // one NDJSON line (longer lines are row errors); must be > 0
  size_t max_stream_columns = 1024;    // columns in CREATE STREAM (InvalidArgument above it)
  size_t max_sql_bytes = 1 << 20;      // SQL statement text (ResourceExhausted above it)
  int64_t query_timeout_ms = 30'000;   // SELECT deadline, checked between batches (ResourceExhausted)
  int64_t max_query_rows = 1'000'000;  // rows a SELECT may materialise: merged view rows read and
                                       // result rows (ResourceExhausted)
  int64_t max_query_memory_bytes = int64_t{2} << 30;  // a SELECT's aggregation state or buffered rows,
                                                      // checked after every batch (ResourceExhausted)

  // Idempotent ingest: keys are remembered per stream for this long and at most this many (the oldest
  // are forgotten first). A retry after either limit is treated as a new request.
  int64_t idempotency_retention_ms = 24 * 3600 * 1000;
  size_t idempotency_max_keys = 100'000;
  // Event-id deduplication in the speed layer: an event is dropped when an event with the same id has
  // an offset within the previous `dedup_window_events` offsets (the batch layer drops all duplicates).
  int64_t dedup_window_events = 100'000;
};

// The answer to one SQL statement. DDL statements return no columns and a `tag` ("CREATE STREAM").
struct QueryResult {
  Schema schema;
  RecordBatch rows;
  std::string tag;
};

struct RowError {
  int64_t line = 0;    // counted from 1
  std::string column;  // empty when the whole line is bad
  std::string reason;
};

struct IngestResult {
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t first_offset = -1;  // offset of the first accepted event (-1 when none)
  std::vector<RowError> errors;
  // True when the request's Idempotency-Key was already used with the same body: nothing was appended
  // and this is the original result (errors recomputed by parsing the same bytes again).
  bool replayed = false;
};

struct BatchReport {
  struct View {
    std::string name;
    int64_t version = 0;
    int64_t horizon = 0;
    int64_t rows_read = 0;
    int64_t groups = 0;
    bool full = false;
  };
  std::vector<View> views;
  int64_t duration_ms = 0;
};

class Engine {
 public:
  // Opens (or creates) the data directory and recovers: log tails are checked and torn tails cut,
  // the catalog is re-read, batch views are loaded, and the speed layer replays the log above each
  // view's batch horizon.
  static Result<std::unique_ptr<Engine>> Open(FileSystem* fs, EngineOptions options);
  virtual ~Engine() = default;

  // Runs one SQL statement: CREATE STREAM / CREATE VIEW / DROP / SHOW / DESCRIBE / SELECT.
  virtual Result<QueryResult> Execute(std::string_view sql) = 0;
  // Appends the valid lines of an NDJSON body durably; returns once they are durable and visible.
  //
  // With a non-empty `idempotency_key` (1..255 printable ASCII bytes) the request is exactly-once within
  // the retention window (EngineOptions::idempotency_*), across crashes and restarts: the key is stored
  // in the same log record as the events, so a retry of a request whose events are durable appends
  // nothing and returns the original result with `replayed` set. A key already used with a different body
  // is AlreadyExists (HTTP 422). Concurrent requests with the same key run one at a time: the second
  // waits for the first and then replays it. A request that accepted no line leaves no record: its retry
  // is parsed again and gives the same answer (and the key stays free).
  virtual Result<IngestResult> Ingest(const std::string& stream, std::string_view ndjson,
                                      std::string_view idempotency_key) = 0;
  Result<IngestResult> Ingest(const std::string& stream, std::string_view ndjson) {
    return Ingest(stream, ndjson, std::string_view());
  }
  // One batch cycle over every view now (full = recompute from the whole lake, not incrementally).
  virtual Result<BatchReport> RunBatch(bool full = false) = 0;
  // Flushes every stream's log tail into the lake now.
  virtual Status FlushLake() = 0;
  // Compacts small lake files now; returns how many files were rewritten.
  virtual Result<int64_t> Compact() = 0;

  // Status as JSON (streams, views with batch version, horizon, live speed epochs, lag, freshness).
  virtual std::string StatusJson() = 0;
  // Metrics in the Prometheus text exposition format.
  virtual std::string MetricsText() = 0;

  // Stops background work; further calls fail with Aborted. Called by the destructor too.
  virtual void Close() = 0;
};

}  // namespace tandem::engine
