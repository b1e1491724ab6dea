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
// from scratch over every acknowledged event.
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
  int64_t flush_interval_ms = 1000;   // lake writer: flush the log into Parquet this often ...
  int64_t flush_bytes = 64 << 20;     // ... or when this many payload bytes are waiting
  int64_t batch_interval_ms = 60'000; // batch cycles on a timer; 0 disables the timer
  int64_t compaction_interval_ms = 60'000;  // 0 disables background compaction
  bool background = true;             // false: no background threads (tests drive flush/batch by hand)
  size_t max_body_bytes = 64 << 20;   // ingest request size limit
  int64_t segment_bytes = 64 << 20;   // log segment size
};

// The answer to one SQL statement. DDL statements return no columns and a `tag` ("CREATE STREAM").
struct QueryResult {
  Schema schema;
  RecordBatch rows;
  std::string tag;
};

struct RowError {
  int64_t line = 0;     // counted from 1
  std::string column;   // empty when the whole line is bad
  std::string reason;
};

struct IngestResult {
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t first_offset = -1;  // offset of the first accepted event (-1 when none)
  std::vector<RowError> errors;
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
  virtual Result<IngestResult> Ingest(const std::string& stream, std::string_view ndjson) = 0;
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
