#include "engine/engine.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_set>

#include "batch/batch_view_store.h"
#include "columnar/batch_codec.h"
#include "engine/catalog.h"
#include "engine/event_dedup.h"
#include "engine/idempotency.h"
#include "exec/hash_aggregator.h"
#include "ingest/ndjson_parser.h"
#include "lake/lake_writer.h"
#include "log/log.h"
#include "plan/planner.h"
#include "plan/query_runner.h"
#include "speed/speed_view.h"
#include "sql/parser.h"

namespace tandem::engine {

namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ViewRuntime;

struct StreamRuntime {
  std::string name;
  std::string sql;
  ingest::StreamSchema schema;
  std::string dir;
  std::unique_ptr<Log> log;
  std::unique_ptr<lake::LakeWriter> lake;
  std::mutex lake_mu;  // serialises feeding the lake from the log

  std::shared_mutex views_mu;
  std::vector<std::shared_ptr<ViewRuntime>> views;  // guarded by views_mu

  std::mutex parser_mu;
  std::vector<std::unique_ptr<ingest::NdjsonParser>> parsers;  // guarded by parser_mu: idle parsers

  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> last_ingest_ms{0};
  std::atomic<int64_t> replays{0};     // idempotent retries answered without appending
  std::atomic<int64_t> duplicates{0};  // events dropped by the speed layer's event-id window

  // The latest rejected lines, oldest first, at most kRecentRejections (GET /v1/status, the dashboard).
  struct Rejection {
    int64_t at_ms = 0;
    int64_t line = 0;
    std::string column;
    std::string reason;
  };
  static constexpr size_t kRecentRejections = 10;
  std::mutex rejections_mu;
  std::deque<Rejection> rejections;  // guarded by rejections_mu

  // Idempotent ingest. A keyed request is "in flight" from its lookup until its key is in the index.
  std::mutex idem_mu;
  std::condition_variable idem_cv;
  std::set<std::string> idem_in_flight;    // guarded by idem_mu
  std::unique_ptr<IdempotencyIndex> idem;  // guarded by idem_mu
  // Held shared by a keyed request from its append until its key is in the index, and exclusively by the
  // batch cycle while it snapshots the index before truncating the log: no key can fall in between.
  std::shared_mutex idem_append_mu;

  // Event-id deduplication in the speed layer (event_id_column >= 0). Records are observed by the window
  // strictly in offset order: each request queues its record and the thread that finds the head of the
  // queue processes everything in order.
  struct PendingDedup {
    const RecordBatch* rows;
    std::vector<uint8_t>* keep;
    bool done = false;
  };
  std::mutex dedup_mu;
  std::condition_variable dedup_cv;
  std::unique_ptr<DedupWindow> window;           // guarded by dedup_mu
  std::map<int64_t, PendingDedup*> dedup_queue;  // guarded by dedup_mu; by first offset

  bool dedup() const { return schema.event_id_column >= 0; }
  std::string idempotency_path() const { return JoinPath(dir, "idempotency.tik"); }

  std::vector<std::string> column_names() const {
    std::vector<std::string> names;
    for (const Field& f : schema.schema.fields) names.push_back(f.name);
    return names;
  }
};

struct ViewRuntime {
  std::string name;
  std::string sql;
  std::shared_ptr<StreamRuntime> stream;  // its `views` points back: ~EngineImpl breaks the cycle
  std::shared_ptr<const plan::ViewPlan> plan;
  std::unique_ptr<batch::BatchViewStore> store;

  std::mutex mu;  // guards everything below
  batch::BatchViewMeta meta;
  std::unique_ptr<exec::HashAggregator> batch_states;  // the published batch view's states (null: none)
  std::unique_ptr<speed::SpeedView> speed;
  std::unique_ptr<exec::HashAggregator> live;  // batch_states ⊕ every speed epoch
  int64_t applied_end = 0;                     // highest offset + 1 applied by the speed layer
  int64_t last_publish_ms = 0;
  int64_t last_apply_ms = 0;
  bool ready = false;  // published at least once: queries may read it
  // Bumped whenever `live` changes; the view's finalized rows are cached per generation so that queries
  // over an unchanged view (point lookups, dashboards) do not finalize and sort every group again.
  uint64_t generation = 0;
  uint64_t cached_generation = 0;
  std::shared_ptr<const RecordBatch> cached_rows;  // null: nothing cached
};

// A catalog entry whose definition no longer parses, binds or plans (found at Engine::Open): kept in the
// catalog and reported, never run; only DROP works on it. Its stream's log and lake stay as they were.
struct FailedDefinition {
  CatalogEntry entry;
  std::string stream;  // a view: the stream it reads (empty when the SQL does not parse)
  std::string error;
};

bool ValidObjectName(const std::string& n) {
  if (n.empty() || n.size() > 128) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

Status RemoveTree(FileSystem* fs, const std::string& dir) {
  auto names = fs->ListDir(dir);
  if (!names.ok()) return names.status().code() == StatusCode::kNotFound ? Status::OK() : names.status();
  for (const std::string& n : *names) {
    const std::string p = JoinPath(dir, n);
    auto sub = fs->ListDir(p);
    if (sub.ok()) {
      TANDEM_RETURN_IF_ERROR(RemoveTree(fs, p));
    } else {
      TANDEM_RETURN_IF_ERROR(fs->RemoveFile(p));
    }
  }
  return Status::OK();
}

// Decodes a log record's payload: a bare batch, or an idempotency envelope around one.
Result<RecordBatch> DecodeRecord(const Schema& schema, std::string_view payload) {
  TANDEM_ASSIGN_OR_RETURN(auto split, SplitPayload(payload));
  return DecodeBatch(schema, split.second);
}

// A SELECT's limits: a deadline and a cap on the runner's memory checked between batches, and a cap on
// rows materialised.
struct QueryBudget {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int64_t timeout_ms = 0;
  int64_t max_rows = 0;
  int64_t max_memory_bytes = 0;
  int64_t rows_scanned = 0;

  Status CheckMemory(const plan::QueryRunner& runner) const {
    const auto bytes = static_cast<int64_t>(runner.MemoryBytes());
    if (max_memory_bytes > 0 && bytes > max_memory_bytes) {
      return Status::ResourceExhausted(
          "query holds " + std::to_string(bytes) + " bytes of " +
          (runner.plan().aggregates ? "aggregation state" : "buffered rows") + " after scanning " +
          std::to_string(rows_scanned) + " rows, over the limit of " + std::to_string(max_memory_bytes) +
          " bytes (max_query_memory_bytes); narrow it with WHERE, fewer groups or LIMIT without ORDER BY");
    }
    return Status::OK();
  }

  Status CheckTime() const {
    if (timeout_ms > 0 && std::chrono::steady_clock::now() > deadline) {
      return Status::ResourceExhausted("query exceeded the time limit of " + std::to_string(timeout_ms) +
                                       " ms (query_timeout_ms) after scanning " +
                                       std::to_string(rows_scanned) +
                                       " rows; narrow it with WHERE or raise the limit");
    }
    return Status::OK();
  }
  Status CheckRows(int64_t rows, const char* what) const {
    if (max_rows > 0 && rows > max_rows) {
      return Status::ResourceExhausted(std::string("query materialises ") + std::to_string(rows) + " " +
                                       what + ", over the limit of " + std::to_string(max_rows) +
                                       " rows (max_query_rows); add LIMIT, WHERE or GROUP BY");
    }
    return Status::OK();
  }
};

Column StringColumn(const std::vector<std::string>& values) {
  Column c(DataType::String());
  for (const auto& v : values) c.AppendString(v);
  return c;
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(FileSystem* fs, EngineOptions options)
      : fs_(fs), options_(std::move(options)), catalog_(fs, JoinPath(options_.data_dir, "catalog.json")) {}

  ~EngineImpl() override {
    Close();
    // A view holds its stream and the stream lists its views: break the cycle, or neither is freed
    // (LeakSanitizer found it).
    for (auto& [name, s] : streams_) {
      std::unique_lock lock(s->views_mu);
      s->views.clear();
    }
  }

  Status Init();

  Result<QueryResult> Execute(std::string_view sql) override;
  using Engine::Ingest;
  Result<IngestResult> Ingest(const std::string& stream, std::string_view ndjson,
                              std::string_view idempotency_key) override;
  Result<BatchReport> RunBatch(bool full) override;
  Status FlushLake() override;
  Result<int64_t> Compact() override;
  std::string StatusJson() override;
  std::string MetricsText() override;
  void Close() override;

 private:
  // DDL and queries.
  Result<QueryResult> CreateStream(const sql::CreateStreamStmt& stmt, bool replaying);
  Result<QueryResult> CreateView(const sql::CreateViewStmt& stmt, bool replaying);
  Result<QueryResult> Select(const sql::SelectStmt& stmt);
  Result<QueryResult> Show(const sql::ShowStmt& stmt);
  Result<QueryResult> Describe(const sql::DescribeStmt& stmt);
  Result<QueryResult> Drop(const sql::DropStmt& stmt);

  // The checks of a stream's or view's definition, which touch no data: a failure here at Open marks the
  // catalog entry failed (FailedDefinition) instead of failing the engine.
  Result<std::shared_ptr<StreamRuntime>> DefineStream(const sql::CreateStreamStmt& stmt);
  Result<plan::ViewPlan> DefineView(const sql::CreateViewStmt& stmt, std::shared_ptr<StreamRuntime>* stream);
  // The error of a statement that uses the failed catalog entry `name`; OK when `name` has not failed.
  Status FailedError(const std::string& name);
  bool IsFailed(const std::string& name, CatalogEntry::Kind kind) {
    std::shared_lock lock(catalog_mu_);
    auto it = failed_.find(name);
    return it != failed_.end() && it->second.entry.kind == kind;
  }
  Result<std::shared_ptr<StreamRuntime>> OpenStream(const sql::CreateStreamStmt& stmt);
  // Flushes the stream's durable log records into the lake (all of them, as of the call).
  Status FlushStream(StreamRuntime* s);
  // Calls fn with the stream's events with offsets in [from, to) (to < 0: the durable end): lake first,
  // then log tail. Each call carries the events of one log record or one lake row group and the offset of
  // every row. `columns` projects (empty: every column of the stream, in schema order).
  using EventFn = std::function<Status(RecordBatch&&, const std::vector<int64_t>& offsets)>;
  Status ReadEvents(StreamRuntime* s, int64_t from, int64_t to, const std::vector<std::string>& columns,
                    const EventFn& fn);
  // The first (smallest) offset of every event id below `to` (exact deduplication).
  Result<FirstOffsets> FirstOffsetsBelow(StreamRuntime* s, int64_t to, QueryBudget* budget);
  // The offsets in [from, to) that the speed layer's window drops (window seeded from [from - W, from)).
  Result<std::unordered_set<int64_t>> WindowDrops(StreamRuntime* s, int64_t from, int64_t to);
  // Runs the record [first, first + rows) through the stream's window in offset order; returns its keep mask.
  std::vector<uint8_t> SpeedKeep(StreamRuntime* s, int64_t first, const RecordBatch& rows);
  // Writes the stream's idempotency key file if keys changed (before the log may drop their records).
  Status PersistKeys(StreamRuntime* s);
  // Recomputes `v` over the lake below `boundary` and publishes it. For a stream with an event id,
  // `first` (nullable: computed here) holds the first offset of every id below the boundary.
  Result<BatchReport::View> ComputeAndPublish(ViewRuntime* v, int64_t boundary, bool full,
                                              const FirstOffsets* first = nullptr);
  // The view's merged rows (batch ⊕ speed, finalized, HAVING and select list applied). Shared and immutable.
  Result<std::shared_ptr<const RecordBatch>> MergedViewRows(ViewRuntime* v);
  void BackgroundLoop();
  // Counts `appended_bytes` of log payload towards flush_bytes and wakes the background loop to flush the
  // lake once they reach it (the timer flushes every flush_interval_ms regardless).
  void RequestFlushPast(int64_t appended_bytes);
  void RecordError(const Status& st);

  std::shared_ptr<StreamRuntime> FindStream(const std::string& name) {
    std::shared_lock lock(catalog_mu_);
    auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : it->second;
  }
  std::shared_ptr<ViewRuntime> FindView(const std::string& name) {
    std::shared_lock lock(catalog_mu_);
    auto it = views_.find(name);
    return it == views_.end() ? nullptr : it->second;
  }

  FileSystem* fs_;
  const EngineOptions options_;

  std::mutex ddl_mu_;    // serialises DDL
  std::mutex batch_mu_;  // serialises batch cycles and view backfills
  std::shared_mutex catalog_mu_;
  Catalog catalog_;                                                // guarded by ddl_mu_
  std::map<std::string, std::shared_ptr<StreamRuntime>> streams_;  // guarded by catalog_mu_
  std::map<std::string, std::shared_ptr<ViewRuntime>> views_;      // guarded by catalog_mu_
  std::map<std::string, FailedDefinition> failed_;                 // guarded by catalog_mu_ (+ ddl_mu_)

  std::atomic<bool> closed_{false};
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool flush_wanted_ = false;                // guarded by bg_mu_: flush_bytes reached, flush now
  std::atomic<int64_t> unflushed_bytes_{0};  // log payload bytes appended since the last lake flush started
  std::thread bg_thread_;

  std::atomic<int64_t> batch_cycles_{0};
  std::atomic<int64_t> queries_{0};
  std::atomic<int64_t> query_errors_{0};
  std::atomic<int64_t> last_batch_ms_{0};
  std::atomic<int64_t> last_batch_duration_ms_{0};
  std::atomic<int64_t> compacted_files_{0};
  std::atomic<int64_t> limit_errors_{0};
  std::mutex error_mu_;
  std::string last_error_;  // guarded by error_mu_
};

// ---------------------------------------------------------------------------------------------------
// Opening and recovery

Status EngineImpl::Init() {
  TANDEM_RETURN_IF_ERROR(fs_->CreateDirs(options_.data_dir));
  TANDEM_RETURN_IF_ERROR(catalog_.Load());
  for (const CatalogEntry& e : catalog_.entries()) {
    // A definition that fails to parse, bind or plan (written by an older version, or over a stream that
    // failed) is marked failed and skipped; errors reading data still fail the open.
    FailedDefinition failed{e, "", ""};
    auto parsed = sql::ParseStatement(e.sql);
    Status definition = parsed.status();
    const sql::Statement* stmt = parsed.ok() ? parsed->get() : nullptr;
    const bool kind_ok = stmt != nullptr && (e.kind == CatalogEntry::Kind::kStream
                                                 ? stmt->kind == sql::StatementKind::kCreateStream
                                                 : stmt->kind == sql::StatementKind::kCreateView);
    if (definition.ok() && !kind_ok)
      definition = Status::InvalidArgument("not a CREATE statement of its kind");
    if (definition.ok() && e.kind == CatalogEntry::Kind::kStream) {
      definition = DefineStream(stmt->As<sql::CreateStreamStmt>()).status();
    } else if (definition.ok()) {
      const auto& view = stmt->As<sql::CreateViewStmt>();
      if (view.query->from) failed.stream = view.query->from->name;
      std::shared_ptr<StreamRuntime> unused;
      definition = DefineView(view, &unused).status();
    }
    if (!definition.ok()) {
      failed.error = definition.message();
      std::unique_lock lock(catalog_mu_);
      failed_.emplace(e.name, std::move(failed));
      continue;
    }
    Result<QueryResult> r = e.kind == CatalogEntry::Kind::kStream
                                ? CreateStream(stmt->As<sql::CreateStreamStmt>(), /*replaying=*/true)
                                : CreateView(stmt->As<sql::CreateViewStmt>(), /*replaying=*/true);
    if (!r.ok()) return r.status().WithContext("recovering '" + e.name + "'");
  }
  if (options_.background) bg_thread_ = std::thread([this] { BackgroundLoop(); });
  return Status::OK();
}

void EngineImpl::Close() {
  if (closed_.exchange(true)) return;
  { std::lock_guard<std::mutex> lock(bg_mu_); }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  std::unique_lock lock(catalog_mu_);
  for (auto& [name, s] : streams_) {
    if (s->log) (void)s->log->Close();
  }
}

void EngineImpl::RecordError(const Status& st) {
  std::lock_guard<std::mutex> lock(error_mu_);
  last_error_ = st.ToString();
  std::fprintf(stderr, "tandem: background: %s\n", last_error_.c_str());
}

void EngineImpl::RequestFlushPast(int64_t appended_bytes) {
  const int64_t waiting = unflushed_bytes_.fetch_add(appended_bytes) + appended_bytes;
  if (!options_.background || options_.flush_bytes <= 0 || waiting < options_.flush_bytes) return;
  {
    std::lock_guard<std::mutex> lock(bg_mu_);
    if (flush_wanted_) return;
    flush_wanted_ = true;
  }
  bg_cv_.notify_all();
}

void EngineImpl::BackgroundLoop() {
  int64_t last_batch = WallMs();
  int64_t last_compact = WallMs();
  while (!closed_.load()) {
    {
      std::unique_lock<std::mutex> lock(bg_mu_);
      bg_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(options_.flush_interval_ms, 10)),
                      [this] { return closed_.load() || flush_wanted_; });
      flush_wanted_ = false;
    }
    if (closed_.load()) break;
    unflushed_bytes_.store(0);
    Status st = FlushLake();
    if (!st.ok()) RecordError(st);
    const int64_t now = WallMs();
    if (options_.batch_interval_ms > 0 && now - last_batch >= options_.batch_interval_ms) {
      last_batch = now;
      auto r = RunBatch(false);
      if (!r.ok()) RecordError(r.status());
    }
    if (options_.compaction_interval_ms > 0 && now - last_compact >= options_.compaction_interval_ms) {
      last_compact = now;
      auto r = Compact();
      if (!r.ok()) RecordError(r.status());
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Statements

Result<QueryResult> EngineImpl::Execute(std::string_view text) {
  if (closed_.load()) return Status::Aborted("the engine is shutting down");
  queries_.fetch_add(1);
  if (options_.max_sql_bytes > 0 && text.size() > options_.max_sql_bytes) {
    query_errors_.fetch_add(1);
    limit_errors_.fetch_add(1);
    return Status::ResourceExhausted("SQL text of " + std::to_string(text.size()) +
                                     " bytes exceeds the limit of " + std::to_string(options_.max_sql_bytes) +
                                     " bytes (max_sql_bytes)");
  }
  auto parsed = sql::ParseStatement(text);
  if (!parsed.ok()) {
    query_errors_.fetch_add(1);
    return parsed.status();
  }
  const sql::Statement& stmt = **parsed;
  Result<QueryResult> r = Status::Internal("unhandled statement");
  switch (stmt.kind) {
    case sql::StatementKind::kCreateStream: {
      std::lock_guard<std::mutex> lock(ddl_mu_);
      r = CreateStream(stmt.As<sql::CreateStreamStmt>(), false);
      break;
    }
    case sql::StatementKind::kCreateView: {
      std::lock_guard<std::mutex> lock(ddl_mu_);
      r = CreateView(stmt.As<sql::CreateViewStmt>(), false);
      break;
    }
    case sql::StatementKind::kSelect: r = Select(stmt.As<sql::SelectStmt>()); break;
    case sql::StatementKind::kShow: r = Show(stmt.As<sql::ShowStmt>()); break;
    case sql::StatementKind::kDescribe: r = Describe(stmt.As<sql::DescribeStmt>()); break;
    case sql::StatementKind::kDrop: {
      std::lock_guard<std::mutex> lock(ddl_mu_);
      r = Drop(stmt.As<sql::DropStmt>());
      break;
    }
  }
  if (!r.ok()) {
    query_errors_.fetch_add(1);
    if (r.status().code() == StatusCode::kResourceExhausted) limit_errors_.fetch_add(1);
  }
  return r;
}

Result<std::shared_ptr<StreamRuntime>> EngineImpl::DefineStream(const sql::CreateStreamStmt& stmt) {
  auto s = std::make_shared<StreamRuntime>();
  s->name = stmt.name;
  s->sql = stmt.ToString();
  if (options_.max_stream_columns > 0 && stmt.columns.size() > options_.max_stream_columns) {
    return Status::InvalidArgument("CREATE STREAM " + stmt.name + " has " +
                                   std::to_string(stmt.columns.size()) + " columns, over the limit of " +
                                   std::to_string(options_.max_stream_columns) + " (max_stream_columns)");
  }
  for (const sql::ColumnDef& c : stmt.columns) {
    if (s->schema.schema.FindField(c.name) >= 0) {
      return Status::InvalidArgument(c.pos.ToString() + ": column \"" + c.name + "\" is defined twice");
    }
    s->schema.schema.fields.push_back({c.name, c.type.type, !c.not_null});
  }
  std::string event_time, event_id;
  for (const sql::WithOption& o : stmt.options) {
    if (o.key == "event_time") {
      event_time = o.value;
    } else if (o.key == "event_id") {
      event_id = o.value;
    } else {
      return Status::InvalidArgument(o.pos.ToString() + ": unknown stream option '" + o.key +
                                     "' (known: event_time, event_id)");
    }
  }
  if (event_time.empty()) {
    return Status::InvalidArgument("CREATE STREAM " + stmt.name +
                                   " needs WITH (event_time = '<column>'): the lake partitions events by it");
  }
  s->schema.event_time_column = s->schema.schema.FindField(event_time);
  if (s->schema.event_time_column < 0) {
    return Status::InvalidArgument("event_time column \"" + event_time + "\" is not a column of " +
                                   stmt.name);
  }
  Field& et = s->schema.schema.fields[s->schema.event_time_column];
  if (et.type.id != TypeId::kTimestamp) {
    return Status::InvalidArgument("event_time column \"" + event_time + "\" must be TIMESTAMP, not " +
                                   et.type.ToString());
  }
  et.nullable = false;
  if (!event_id.empty()) {
    s->schema.event_id_column = s->schema.schema.FindField(event_id);
    if (s->schema.event_id_column < 0) {
      return Status::InvalidArgument("event_id column \"" + event_id + "\" is not a column of " + stmt.name);
    }
  }
  TANDEM_RETURN_IF_ERROR(ingest::NdjsonParser::ValidateSchema(s->schema));
  return s;
}

Result<std::shared_ptr<StreamRuntime>> EngineImpl::OpenStream(const sql::CreateStreamStmt& stmt) {
  TANDEM_ASSIGN_OR_RETURN(std::shared_ptr<StreamRuntime> s, DefineStream(stmt));
  s->dir = JoinPath(JoinPath(options_.data_dir, "streams"), s->name);
  LogOptions log_options;
  log_options.segment_bytes = static_cast<uint64_t>(options_.segment_bytes);
  TANDEM_ASSIGN_OR_RETURN(s->log, Log::Open(fs_, JoinPath(s->dir, "log"), log_options));
  TANDEM_ASSIGN_OR_RETURN(s->lake, lake::LakeWriter::Open(fs_, JoinPath(s->dir, "lake"), s->schema.schema,
                                                          s->schema.event_time_column));
  if (static_cast<int64_t>(s->log->next_offset()) < s->lake->horizon()) {
    return Status::Corruption("stream " + s->name + ": the log ends at offset " +
                              std::to_string(s->log->next_offset()) +
                              " but the lake already holds offsets up to " +
                              std::to_string(s->lake->horizon()) + "; refusing to reuse offsets");
  }
  // Idempotency keys: the persisted file (keys whose records the log may have dropped), then every
  // envelope still in the log.
  const int64_t now = WallMs();
  s->idem =
      std::make_unique<IdempotencyIndex>(options_.idempotency_retention_ms, options_.idempotency_max_keys);
  TANDEM_ASSIGN_OR_RETURN(bool have_keys, fs_->Exists(s->idempotency_path()));
  if (have_keys) {
    TANDEM_ASSIGN_OR_RETURN(std::string bytes, fs_->ReadFileToString(s->idempotency_path()));
    TANDEM_RETURN_IF_ERROR(s->idem->Load(bytes, s->idempotency_path(), now));
  }
  const uint64_t durable = s->log->durable_offset();
  bool logged_keys = false;
  for (uint64_t pos = s->log->first_offset(); pos < durable;) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<LogRecord> records, s->log->Read(pos, 8 << 20));
    if (records.empty()) break;
    for (const LogRecord& rec : records) {
      pos = rec.offset + rec.count;
      TANDEM_ASSIGN_OR_RETURN(auto split, SplitPayload(rec.payload));
      if (!split.first) continue;
      logged_keys = true;
      s->idem->Put(
          split.first->key,
          {split.first->body_hash, static_cast<int64_t>(rec.offset), rec.count, split.first->time_ms}, now);
    }
  }
  // Keys replayed from the log stay dirty: the next batch cycle persists them before it truncates the log.
  if (!logged_keys) s->idem->clear_dirty();
  // The speed layer's event-id window, seeded with the ids of the last W durable offsets.
  if (s->dedup()) {
    s->window = std::make_unique<DedupWindow>(options_.dedup_window_events);
    const int64_t end = static_cast<int64_t>(durable);
    std::vector<std::pair<int64_t, std::string>> seen;
    const std::vector<std::string> cols = {s->schema.schema.fields[s->schema.event_id_column].name};
    TANDEM_RETURN_IF_ERROR(ReadEvents(s.get(), std::max<int64_t>(0, end - options_.dedup_window_events), end,
                                      cols, [&](RecordBatch&& b, const std::vector<int64_t>& offsets) {
                                        for (size_t i = 0; i < b.num_rows(); ++i) {
                                          if (auto id = EventIdKey(b.column(0), i))
                                            seen.emplace_back(offsets[i], *id);
                                        }
                                        return Status::OK();
                                      }));
    std::sort(seen.begin(), seen.end());
    for (const auto& [off, id] : seen) s->window->Observe(id, off);
    s->window->set_end(end);
  }
  return s;
}

Result<QueryResult> EngineImpl::CreateStream(const sql::CreateStreamStmt& stmt, bool replaying) {
  if (!ValidObjectName(stmt.name)) {
    return Status::InvalidArgument("stream name \"" + stmt.name +
                                   "\" may only contain letters, digits, '_' and '-' (at most 128)");
  }
  if (!replaying) TANDEM_RETURN_IF_ERROR(FailedError(stmt.name));
  if (!replaying && (FindStream(stmt.name) || FindView(stmt.name))) {
    if (stmt.if_not_exists && FindStream(stmt.name)) return QueryResult{{}, {}, "CREATE STREAM"};
    return Status::AlreadyExists("a stream or view named \"" + stmt.name + "\" already exists");
  }
  if (!replaying) {
    // A stream created anew starts empty even if an old one of the same name left files behind.
    TANDEM_RETURN_IF_ERROR(RemoveTree(fs_, JoinPath(JoinPath(options_.data_dir, "streams"), stmt.name)));
  }
  TANDEM_ASSIGN_OR_RETURN(std::shared_ptr<StreamRuntime> s, OpenStream(stmt));
  if (!replaying) TANDEM_RETURN_IF_ERROR(catalog_.Add({CatalogEntry::Kind::kStream, s->name, s->sql}));
  std::unique_lock lock(catalog_mu_);
  streams_[s->name] = s;
  return QueryResult{{}, {}, "CREATE STREAM"};
}

Result<plan::ViewPlan> EngineImpl::DefineView(const sql::CreateViewStmt& stmt,
                                              std::shared_ptr<StreamRuntime>* stream) {
  if (!ValidObjectName(stmt.name)) {
    return Status::InvalidArgument("view name \"" + stmt.name +
                                   "\" may only contain letters, digits, '_' and '-' (at most 128)");
  }
  if (!stmt.query->from) return Status::InvalidArgument("a view needs FROM <stream>");
  const std::string& from = stmt.query->from->name;
  std::shared_ptr<StreamRuntime> s = FindStream(from);
  if (!s) {
    if (FindView(from)) {
      return Status::InvalidArgument(stmt.query->from->pos.ToString() + ": a view reads a stream; \"" + from +
                                     "\" is a view");
    }
    if (Status failed = FailedError(from); !failed.ok()) {
      return Status::NotFound(stmt.query->from->pos.ToString() + ": " + failed.message());
    }
    return Status::NotFound(stmt.query->from->pos.ToString() + ": stream \"" + from + "\" does not exist");
  }
  // Binds, plans and dry-runs the whole pipeline (plan::PlanView): a view that could not run is refused
  // here, before anything is written.
  TANDEM_ASSIGN_OR_RETURN(plan::ViewPlan vplan, plan::PlanView(*stmt.query, s->schema.schema));
  *stream = std::move(s);
  return vplan;
}

Status EngineImpl::FailedError(const std::string& name) {
  std::shared_lock lock(catalog_mu_);
  auto it = failed_.find(name);
  if (it == failed_.end()) return Status::OK();
  const FailedDefinition& f = it->second;
  const char* kind = f.entry.kind == CatalogEntry::Kind::kStream ? "stream" : "view";
  return Status::InvalidArgument(std::string(kind) + " \"" + f.entry.name +
                                 "\" failed to load when the data directory was opened: " + f.error +
                                 "; DROP " +
                                 (f.entry.kind == CatalogEntry::Kind::kStream ? "STREAM " : "VIEW ") +
                                 f.entry.name + " and create it again");
}

// g++ 12 reports a false -Wfree-nonheap-object for the Result<unordered_set> of WindowDrops below once
// DefineView was split out of this function (the Status inside a variant it cannot see is live).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
Result<QueryResult> EngineImpl::CreateView(const sql::CreateViewStmt& stmt, bool replaying) {
  if (!replaying) TANDEM_RETURN_IF_ERROR(FailedError(stmt.name));
  if (!replaying && (FindStream(stmt.name) || FindView(stmt.name))) {
    if (stmt.if_not_exists && FindView(stmt.name)) return QueryResult{{}, {}, "CREATE VIEW"};
    return Status::AlreadyExists("a stream or view named \"" + stmt.name + "\" already exists");
  }
  std::shared_ptr<StreamRuntime> s;
  TANDEM_ASSIGN_OR_RETURN(plan::ViewPlan vplan, DefineView(stmt, &s));
  auto v = std::make_shared<ViewRuntime>();
  v->name = stmt.name;
  v->sql = stmt.ToString();
  v->stream = s;
  v->plan = std::make_shared<const plan::ViewPlan>(std::move(vplan));
  const std::string view_dir = JoinPath(JoinPath(options_.data_dir, "views"), v->name);
  v->store = std::make_unique<batch::BatchViewStore>(fs_, view_dir);

  std::lock_guard<std::mutex> batch_lock(batch_mu_);
  if (replaying) {
    // Recovery: the published batch view, then the speed layer replays every event above its horizon.
    TANDEM_ASSIGN_OR_RETURN(v->meta, v->store->LoadCurrentMeta());
    v->live = v->plan->NewAggregator();
    if (v->meta.version > 0) {
      TANDEM_ASSIGN_OR_RETURN(RecordBatch states, v->store->LoadStates(v->meta));
      v->batch_states = v->plan->NewAggregator();
      TANDEM_RETURN_IF_ERROR(v->batch_states->ImportStates(states));
      TANDEM_RETURN_IF_ERROR(v->live->Merge(*v->batch_states));
    }
    v->speed = std::make_unique<speed::SpeedView>(v->plan, v->meta.horizon);
    v->applied_end = v->meta.horizon;
    // With an event id, the replay drops what the speed layer's window dropped when the events came in.
    const int64_t durable = static_cast<int64_t>(s->log->durable_offset());
    const int64_t end = std::max(durable, s->lake->horizon());
    std::unordered_set<int64_t> drops;
    if (s->dedup()) {
      TANDEM_ASSIGN_OR_RETURN(drops, WindowDrops(s.get(), v->meta.horizon, end));
    }
    TANDEM_RETURN_IF_ERROR(ReadEvents(
        s.get(), v->meta.horizon, end, {}, [&](RecordBatch&& events, const std::vector<int64_t>& offsets) {
          if (!drops.empty()) {
            std::vector<uint8_t> keep(events.num_rows(), 1);
            for (size_t i = 0; i < keep.size(); ++i) keep[i] = drops.count(offsets[i]) ? 0 : 1;
            events = FilterRows(events, keep);
          }
          if (events.num_rows() == 0) return Status::OK();
          TANDEM_ASSIGN_OR_RETURN(bool applied, v->speed->Apply(offsets.front(), events));
          if (applied) TANDEM_RETURN_IF_ERROR(v->plan->Consume(events, v->live.get()));
          return Status::OK();
        }));
    v->applied_end = durable;
    v->ready = true;
    v->last_publish_ms = WallMs();
    {
      std::unique_lock lock(s->views_mu);
      s->views.push_back(v);
    }
    std::unique_lock lock(catalog_mu_);
    views_[v->name] = v;
    return QueryResult{{}, {}, "CREATE VIEW"};
  }

  // A new view: clear leftovers of an older view of the same name, register with the speed layer at the
  // log's durable end D (atomically with respect to ingest, which looks views up after its append is
  // durable), then fill it from the existing data below D and publish.
  TANDEM_RETURN_IF_ERROR(RemoveTree(fs_, view_dir));
  {
    std::unique_lock lock(s->views_mu);
    const int64_t d = static_cast<int64_t>(s->log->durable_offset());
    v->speed = std::make_unique<speed::SpeedView>(v->plan, d);
    v->live = v->plan->NewAggregator();
    v->applied_end = d;
    s->views.push_back(v);
  }
  auto report = ComputeAndPublish(v.get(), v->speed->start(), /*full=*/true);
  Status st = report.status();
  if (st.ok()) st = catalog_.Add({CatalogEntry::Kind::kView, v->name, v->sql});
  if (!st.ok()) {
    std::unique_lock lock(s->views_mu);
    std::erase(s->views, v);
    return st;
  }
  std::unique_lock lock(catalog_mu_);
  views_[v->name] = v;
  return QueryResult{{}, {}, "CREATE VIEW"};
}

#pragma GCC diagnostic pop

Result<QueryResult> EngineImpl::Drop(const sql::DropStmt& stmt) {
  if (stmt.object == sql::ObjectType::kView) {
    std::shared_ptr<ViewRuntime> v = FindView(stmt.name);
    if (!v && IsFailed(stmt.name, CatalogEntry::Kind::kView)) {
      std::lock_guard<std::mutex> batch_lock(batch_mu_);
      TANDEM_RETURN_IF_ERROR(catalog_.Remove(CatalogEntry::Kind::kView, stmt.name));
      {
        std::unique_lock lock(catalog_mu_);
        failed_.erase(stmt.name);
      }
      TANDEM_RETURN_IF_ERROR(RemoveTree(fs_, JoinPath(JoinPath(options_.data_dir, "views"), stmt.name)));
      return QueryResult{{}, {}, "DROP VIEW"};
    }
    if (!v) {
      if (stmt.if_exists) return QueryResult{{}, {}, "DROP VIEW"};
      return Status::NotFound("view \"" + stmt.name + "\" does not exist");
    }
    std::lock_guard<std::mutex> batch_lock(batch_mu_);
    TANDEM_RETURN_IF_ERROR(catalog_.Remove(CatalogEntry::Kind::kView, v->name));
    {
      std::unique_lock lock(v->stream->views_mu);
      std::erase(v->stream->views, v);
    }
    {
      std::unique_lock lock(catalog_mu_);
      views_.erase(v->name);
    }
    TANDEM_RETURN_IF_ERROR(RemoveTree(fs_, JoinPath(JoinPath(options_.data_dir, "views"), v->name)));
    return QueryResult{{}, {}, "DROP VIEW"};
  }
  std::shared_ptr<StreamRuntime> s = FindStream(stmt.name);
  if (!s && IsFailed(stmt.name, CatalogEntry::Kind::kStream)) {
    // Its data was never opened: dropping removes the entry and the files, as for any stream.
    std::lock_guard<std::mutex> batch_lock(batch_mu_);
    TANDEM_RETURN_IF_ERROR(catalog_.Remove(CatalogEntry::Kind::kStream, stmt.name));
    {
      std::unique_lock lock(catalog_mu_);
      failed_.erase(stmt.name);
    }
    TANDEM_RETURN_IF_ERROR(RemoveTree(fs_, JoinPath(JoinPath(options_.data_dir, "streams"), stmt.name)));
    return QueryResult{{}, {}, "DROP STREAM"};
  }
  if (!s) {
    if (stmt.if_exists) return QueryResult{{}, {}, "DROP STREAM"};
    return Status::NotFound("stream \"" + stmt.name + "\" does not exist");
  }
  {
    std::shared_lock lock(s->views_mu);
    if (!s->views.empty()) {
      return Status::InvalidArgument("stream \"" + s->name + "\" is read by view \"" +
                                     s->views.front()->name + "\": drop its views first");
    }
  }
  std::lock_guard<std::mutex> batch_lock(batch_mu_);
  TANDEM_RETURN_IF_ERROR(catalog_.Remove(CatalogEntry::Kind::kStream, s->name));
  {
    std::unique_lock lock(catalog_mu_);
    streams_.erase(s->name);
  }
  std::lock_guard<std::mutex> lake_lock(s->lake_mu);
  (void)s->log->Close();
  TANDEM_RETURN_IF_ERROR(RemoveTree(fs_, s->dir));
  return QueryResult{{}, {}, "DROP STREAM"};
}

Result<QueryResult> EngineImpl::Show(const sql::ShowStmt& stmt) {
  std::shared_lock lock(catalog_mu_);
  if (stmt.target == sql::ShowTarget::kStreams) {
    Schema schema{{{"name", DataType::String(), false},
                   {"columns", DataType::String(), false},
                   {"event_time", DataType::String(), false},
                   {"events", DataType::Int64(), false},
                   {"state", DataType::String(), false},
                   {"error", DataType::String(), true}}};
    std::vector<std::string> names, cols, ets, states;
    Column events(DataType::Int64()), errors(DataType::String());
    for (const auto& [name, s] : streams_) {
      names.push_back(name);
      cols.push_back(s->schema.schema.ToString());
      ets.push_back(s->schema.schema.fields[s->schema.event_time_column].name);
      events.Append<int64_t>(static_cast<int64_t>(s->log->durable_offset()));
      states.push_back("serving");
      errors.AppendNull();
    }
    for (const auto& [name, f] : failed_) {
      if (f.entry.kind != CatalogEntry::Kind::kStream) continue;
      names.push_back(name);
      cols.push_back("");
      ets.push_back("");
      events.Append<int64_t>(0);
      states.push_back("failed");
      errors.AppendString(f.error);
    }
    const size_t n = names.size();
    return QueryResult{schema,
                       RecordBatch(schema,
                                   {StringColumn(names), StringColumn(cols), StringColumn(ets), events,
                                    StringColumn(states), errors},
                                   n),
                       ""};
  }
  Schema schema{{{"name", DataType::String(), false},
                 {"stream", DataType::String(), false},
                 {"definition", DataType::String(), false},
                 {"batch_version", DataType::Int64(), false},
                 {"horizon", DataType::Int64(), false},
                 {"state", DataType::String(), false},
                 {"error", DataType::String(), true}}};
  std::vector<std::string> names, streams, defs, states;
  Column versions(DataType::Int64()), horizons(DataType::Int64()), errors(DataType::String());
  for (const auto& [name, v] : views_) {
    names.push_back(name);
    streams.push_back(v->stream->name);
    defs.push_back(v->sql);
    states.push_back("serving");
    errors.AppendNull();
    std::lock_guard<std::mutex> vlock(v->mu);
    versions.Append<int64_t>(v->meta.version);
    horizons.Append<int64_t>(v->meta.horizon);
  }
  for (const auto& [name, f] : failed_) {
    if (f.entry.kind != CatalogEntry::Kind::kView) continue;
    names.push_back(name);
    streams.push_back(f.stream);
    defs.push_back(f.entry.sql);
    states.push_back("failed");
    errors.AppendString(f.error);
    versions.Append<int64_t>(0);
    horizons.Append<int64_t>(0);
  }
  const size_t n = names.size();
  return QueryResult{schema,
                     RecordBatch(schema,
                                 {StringColumn(names), StringColumn(streams), StringColumn(defs), versions,
                                  horizons, StringColumn(states), errors},
                                 n),
                     ""};
}

Result<QueryResult> EngineImpl::Describe(const sql::DescribeStmt& stmt) {
  const Schema* described = nullptr;
  std::shared_ptr<StreamRuntime> s = FindStream(stmt.name);
  std::shared_ptr<ViewRuntime> v = FindView(stmt.name);
  if (s) {
    described = &s->schema.schema;
  } else if (v) {
    described = &v->plan->output_schema();
  } else if (Status failed = FailedError(stmt.name); !failed.ok()) {
    return failed;
  } else {
    return Status::NotFound("no stream or view named \"" + stmt.name + "\"");
  }
  Schema schema{{{"column_name", DataType::String(), false},
                 {"column_type", DataType::String(), false},
                 {"null", DataType::String(), false}}};
  std::vector<std::string> names, types, nulls;
  for (const Field& f : described->fields) {
    names.push_back(f.name);
    types.push_back(f.type.ToString());
    nulls.push_back(f.nullable ? "YES" : "NO");
  }
  const size_t n = names.size();
  return QueryResult{
      schema, RecordBatch(schema, {StringColumn(names), StringColumn(types), StringColumn(nulls)}, n), ""};
}

Result<std::shared_ptr<const RecordBatch>> EngineImpl::MergedViewRows(ViewRuntime* v) {
  RecordBatch finalized;
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(v->mu);
    if (!v->ready) return Status::NotFound("view \"" + v->name + "\" is still being built");
    if (v->cached_rows && v->cached_generation == v->generation) return v->cached_rows;
    generation = v->generation;
    TANDEM_ASSIGN_OR_RETURN(finalized, v->live->Finalize());
  }
  TANDEM_ASSIGN_OR_RETURN(RecordBatch rows, v->plan->Finish(finalized));
  auto shared = std::make_shared<const RecordBatch>(std::move(rows));
  std::lock_guard<std::mutex> lock(v->mu);
  if (v->generation == generation) {
    v->cached_rows = shared;
    v->cached_generation = generation;
  }
  return shared;
}

Result<QueryResult> EngineImpl::Select(const sql::SelectStmt& stmt) {
  if (!stmt.from) {
    TANDEM_ASSIGN_OR_RETURN(plan::QueryPlan qp, plan::PlanSelect(stmt, Schema{}));
    Schema out = qp.output_schema;
    TANDEM_ASSIGN_OR_RETURN(RecordBatch rows, plan::RunQuery(std::move(qp), {}));
    return QueryResult{out, std::move(rows), ""};
  }
  const std::string& name = stmt.from->name;
  QueryBudget budget;
  budget.timeout_ms = options_.query_timeout_ms;
  budget.max_rows = options_.max_query_rows;
  budget.max_memory_bytes = options_.max_query_memory_bytes;
  if (budget.timeout_ms > 0) {
    budget.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(budget.timeout_ms);
  }
  if (std::shared_ptr<ViewRuntime> v = FindView(name)) {
    TANDEM_ASSIGN_OR_RETURN(plan::QueryPlan qp, plan::PlanSelect(stmt, v->plan->output_schema()));
    TANDEM_ASSIGN_OR_RETURN(std::shared_ptr<const RecordBatch> rows, MergedViewRows(v.get()));
    TANDEM_RETURN_IF_ERROR(budget.CheckRows(static_cast<int64_t>(rows->num_rows()), "view rows"));
    Schema out = qp.output_schema;
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<plan::QueryRunner> runner,
                            plan::QueryRunner::Make(std::move(qp)));
    TANDEM_RETURN_IF_ERROR(runner->Consume(*rows));
    budget.rows_scanned = static_cast<int64_t>(rows->num_rows());
    TANDEM_RETURN_IF_ERROR(budget.CheckMemory(*runner));
    TANDEM_ASSIGN_OR_RETURN(RecordBatch result, runner->Finish());
    TANDEM_RETURN_IF_ERROR(budget.CheckTime());
    TANDEM_RETURN_IF_ERROR(budget.CheckRows(static_cast<int64_t>(result.num_rows()), "result rows"));
    return QueryResult{out, std::move(result), ""};
  }
  if (std::shared_ptr<StreamRuntime> s = FindStream(name)) {
    TANDEM_ASSIGN_OR_RETURN(plan::QueryPlan qp, plan::PlanSelect(stmt, s->schema.schema));
    Schema out = qp.output_schema;
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<plan::QueryRunner> runner,
                            plan::QueryRunner::Make(std::move(qp)));
    // One snapshot end for both passes. With an event id, SELECT sees each id once: its first event.
    const int64_t end = std::max(static_cast<int64_t>(s->log->durable_offset()), s->lake->horizon());
    FirstOffsets first;
    if (s->dedup()) {
      TANDEM_ASSIGN_OR_RETURN(first, FirstOffsetsBelow(s.get(), end, &budget));
    }
    const int id_col = s->schema.event_id_column;
    TANDEM_RETURN_IF_ERROR(
        ReadEvents(s.get(), 0, end, {}, [&](RecordBatch&& events, const std::vector<int64_t>& offsets) {
          budget.rows_scanned += static_cast<int64_t>(events.num_rows());
          if (id_col >= 0) {
            std::vector<uint8_t> keep(events.num_rows(), 1);
            const Column& ids = events.column(static_cast<size_t>(id_col));
            for (size_t i = 0; i < keep.size(); ++i) {
              if (auto id = EventIdKey(ids, i)) {
                auto it = first.find(*id);
                keep[i] = it == first.end() || it->second == offsets[i];
              }
            }
            events = FilterRows(events, keep);
          }
          TANDEM_RETURN_IF_ERROR(runner->Consume(events));
          TANDEM_RETURN_IF_ERROR(budget.CheckMemory(*runner));
          return budget.CheckTime();
        }));
    TANDEM_ASSIGN_OR_RETURN(RecordBatch rows, runner->Finish());
    TANDEM_RETURN_IF_ERROR(budget.CheckTime());
    TANDEM_RETURN_IF_ERROR(budget.CheckRows(static_cast<int64_t>(rows.num_rows()), "result rows"));
    return QueryResult{out, std::move(rows), ""};
  }
  TANDEM_RETURN_IF_ERROR(FailedError(name).WithContext(stmt.from->pos.ToString()));
  return Status::NotFound(stmt.from->pos.ToString() + ": no stream or view named \"" + name + "\"");
}

// ---------------------------------------------------------------------------------------------------
// Ingest

// Keeps the last StreamRuntime::kRecentRejections of `errors` (reasons cut to 300 bytes on a UTF-8
// boundary) as the stream's latest rejections.
void RememberRejections(StreamRuntime* s, const std::vector<RowError>& errors) {
  const int64_t now = WallMs();
  const size_t n = std::min(errors.size(), StreamRuntime::kRecentRejections);
  std::lock_guard<std::mutex> lock(s->rejections_mu);
  for (size_t i = errors.size() - n; i < errors.size(); ++i) {
    std::string reason = errors[i].reason;
    if (reason.size() > 300) {
      size_t cut = 300;
      while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
      reason.resize(cut);
      reason += "...";
    }
    s->rejections.push_back({now, errors[i].line, errors[i].column, std::move(reason)});
  }
  while (s->rejections.size() > StreamRuntime::kRecentRejections) s->rejections.pop_front();
}

Result<IngestResult> EngineImpl::Ingest(const std::string& stream, std::string_view ndjson,
                                        std::string_view idempotency_key) {
  if (closed_.load()) return Status::Aborted("the engine is shutting down");
  std::shared_ptr<StreamRuntime> s = FindStream(stream);
  if (!s) return Status::NotFound("stream \"" + stream + "\" does not exist");
  if (ndjson.size() > options_.max_body_bytes) {
    return Status::ResourceExhausted("request body of " + std::to_string(ndjson.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(options_.max_body_bytes) + " bytes");
  }
  // Idempotency: wait while the same key is in flight, then either replay its record or own the key.
  const bool keyed = !idempotency_key.empty();
  const std::string key(idempotency_key);
  uint64_t body_hash = 0;
  std::optional<IdempotencyRecord> prior;
  if (keyed) {
    TANDEM_RETURN_IF_ERROR(ValidateIdempotencyKey(key));
    body_hash = BodyHash(ndjson);
    std::unique_lock lock(s->idem_mu);
    s->idem_cv.wait(lock, [&] { return s->idem_in_flight.count(key) == 0; });
    prior = s->idem->Find(key, WallMs());
    if (prior && prior->body_hash != body_hash) {
      return Status::AlreadyExists(
          "Idempotency-Key \"" + key + "\" was already used on stream \"" + s->name +
          "\" with a different request body (its request appended " + std::to_string(prior->count) +
          " events at offset " + std::to_string(prior->first_offset) + "); use a new key for a new request");
    }
    if (!prior) s->idem_in_flight.insert(key);
  }
  struct InFlight {
    StreamRuntime* s;
    const std::string* key;
    ~InFlight() {
      if (!key) return;
      {
        std::lock_guard<std::mutex> lock(s->idem_mu);
        s->idem_in_flight.erase(*key);
      }
      s->idem_cv.notify_all();
    }
  } in_flight{s.get(), keyed && !prior ? &key : nullptr};

  std::unique_ptr<ingest::NdjsonParser> parser;
  {
    std::lock_guard<std::mutex> lock(s->parser_mu);
    if (!s->parsers.empty()) {
      parser = std::move(s->parsers.back());
      s->parsers.pop_back();
    }
  }
  if (!parser) {
    ingest::ParseLimits limits;
    limits.max_body_bytes = options_.max_body_bytes;
    limits.max_line_bytes = options_.max_line_bytes;
    parser = std::make_unique<ingest::NdjsonParser>(s->schema, limits);
  }
  auto parsed = parser->Parse(ndjson);
  {
    std::lock_guard<std::mutex> lock(s->parser_mu);
    s->parsers.push_back(std::move(parser));
  }
  if (!parsed.ok()) return parsed.status();
  IngestResult result;
  result.accepted = static_cast<int64_t>(parsed->rows.num_rows());
  result.rejected = static_cast<int64_t>(parsed->errors.size());
  for (const ingest::RowError& e : parsed->errors) result.errors.push_back({e.line, e.column, e.reason});
  if (prior) {
    // A retry: the same bytes parse to the same errors; the accepted events are already durable.
    result.accepted = prior->count;
    result.first_offset = prior->first_offset;
    result.replayed = true;
    s->replays.fetch_add(1);
    return result;
  }
  s->requests.fetch_add(1);
  s->rejected.fetch_add(result.rejected);
  if (!result.errors.empty()) RememberRejections(s.get(), result.errors);
  if (result.accepted == 0) return result;

  std::string payload;
  const int64_t now = WallMs();
  if (keyed) EncodeEnvelopeHeader({key, body_hash, now}, &payload);
  EncodeBatch(parsed->rows, &payload);
  {
    std::shared_lock<std::shared_mutex> append_lock(s->idem_append_mu, std::defer_lock);
    if (keyed) append_lock.lock();
    TANDEM_ASSIGN_OR_RETURN(uint64_t first,
                            s->log->AppendDurable(payload, static_cast<uint32_t>(result.accepted)));
    result.first_offset = static_cast<int64_t>(first);
    RequestFlushPast(static_cast<int64_t>(payload.size()));
    if (keyed) {
      std::lock_guard<std::mutex> lock(s->idem_mu);
      s->idem->Put(key, {body_hash, result.first_offset, result.accepted, now}, now);
    }
  }
  // Durable: now make it visible. Views are looked up after the append is durable (see CreateView).
  const RecordBatch* rows = &parsed->rows;
  RecordBatch kept;
  if (s->dedup()) {
    std::vector<uint8_t> keep = SpeedKeep(s.get(), result.first_offset, parsed->rows);
    kept = FilterRows(parsed->rows, keep);
    s->duplicates.fetch_add(static_cast<int64_t>(parsed->rows.num_rows() - kept.num_rows()));
    rows = &kept;
  }
  const int64_t end = result.first_offset + result.accepted;
  std::shared_lock lock(s->views_mu);
  for (const std::shared_ptr<ViewRuntime>& v : s->views) {
    std::lock_guard<std::mutex> vlock(v->mu);
    if (rows->num_rows() > 0) {
      TANDEM_ASSIGN_OR_RETURN(bool applied, v->speed->Apply(result.first_offset, *rows));
      if (applied) {
        ++v->generation;
        TANDEM_RETURN_IF_ERROR(v->plan->Consume(*rows, v->live.get()));
      }
    }
    v->applied_end = std::max(v->applied_end, end);
    v->last_apply_ms = now;
  }
  s->accepted.fetch_add(result.accepted);
  s->last_ingest_ms.store(now);
  return result;
}

std::vector<uint8_t> EngineImpl::SpeedKeep(StreamRuntime* s, int64_t first, const RecordBatch& rows) {
  std::vector<uint8_t> keep(rows.num_rows(), 1);
  StreamRuntime::PendingDedup mine{&rows, &keep};
  const size_t id_col = static_cast<size_t>(s->schema.event_id_column);
  std::unique_lock lock(s->dedup_mu);
  s->dedup_queue[first] = &mine;
  // Every record below ours is durable too, so its request thread will queue it: whoever finds the head
  // of the queue processes the queue in offset order.
  bool progressed = false;
  while (!s->dedup_queue.empty() && s->dedup_queue.begin()->first == s->window->end()) {
    const int64_t f = s->dedup_queue.begin()->first;
    StreamRuntime::PendingDedup* p = s->dedup_queue.begin()->second;
    s->dedup_queue.erase(s->dedup_queue.begin());
    const Column& ids = p->rows->column(id_col);
    for (size_t i = 0; i < p->rows->num_rows(); ++i) {
      if (auto id = EventIdKey(ids, i)) {
        if (s->window->Observe(*id, f + static_cast<int64_t>(i))) (*p->keep)[i] = 0;
      }
    }
    s->window->set_end(f + static_cast<int64_t>(p->rows->num_rows()));
    p->done = true;
    progressed = true;
  }
  if (progressed) s->dedup_cv.notify_all();
  s->dedup_cv.wait(lock, [&] { return mine.done; });
  return keep;
}

Status EngineImpl::PersistKeys(StreamRuntime* s) {
  std::string bytes;
  {
    std::unique_lock<std::shared_mutex> append_lock(s->idem_append_mu);  // no keyed append half-way
    std::lock_guard<std::mutex> lock(s->idem_mu);
    if (!s->idem->dirty()) return Status::OK();
    bytes = s->idem->Serialize();
    s->idem->clear_dirty();
  }
  Status st = fs_->WriteFileAtomically(s->idempotency_path(), bytes);
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(s->idem_mu);
    s->idem->mark_dirty();  // retried by the next cycle; the log keeps nothing it would need meanwhile
  }
  return st;
}

// ---------------------------------------------------------------------------------------------------
// Lake, batch, compaction

Status EngineImpl::FlushStream(StreamRuntime* s) {
  std::lock_guard<std::mutex> lock(s->lake_mu);
  const int64_t target = static_cast<int64_t>(s->log->durable_offset());
  while (s->lake->buffered_end() < target) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<LogRecord> records,
                            s->log->Read(static_cast<uint64_t>(s->lake->buffered_end()),
                                         static_cast<size_t>(options_.flush_bytes)));
    if (records.empty()) break;
    for (const LogRecord& rec : records) {
      const int64_t rec_offset = static_cast<int64_t>(rec.offset);
      const int64_t cur = s->lake->buffered_end();
      if (rec_offset + static_cast<int64_t>(rec.count) <= cur) continue;  // already in the lake
      TANDEM_ASSIGN_OR_RETURN(RecordBatch events, DecodeRecord(s->schema.schema, rec.payload));
      if (rec_offset < cur) events = events.Slice(cur - rec_offset, events.num_rows() - (cur - rec_offset));
      TANDEM_RETURN_IF_ERROR(s->lake->Append(std::max(rec_offset, cur), events));
    }
    TANDEM_RETURN_IF_ERROR(s->lake->Flush());
  }
  // Rows left buffered by an earlier failed flush are retried here.
  return s->lake->Flush();
}

Status EngineImpl::FlushLake() {
  std::vector<std::shared_ptr<StreamRuntime>> streams;
  {
    std::shared_lock lock(catalog_mu_);
    for (auto& [n, s] : streams_) streams.push_back(s);
  }
  for (auto& s : streams) TANDEM_RETURN_IF_ERROR(FlushStream(s.get()).WithContext("stream " + s->name));
  return Status::OK();
}

Status EngineImpl::ReadEvents(StreamRuntime* s, int64_t from, int64_t to,
                              const std::vector<std::string>& columns, const EventFn& fn) {
  std::shared_ptr<const lake::Manifest> manifest = s->lake->snapshot();
  const int64_t durable = static_cast<int64_t>(s->log->durable_offset());
  if (to < 0) to = std::max(durable, manifest->horizon);
  // The projection, as schema field indexes.
  std::vector<size_t> proj;
  Schema schema;
  if (columns.empty()) {
    for (size_t i = 0; i < s->schema.schema.fields.size(); ++i) proj.push_back(i);
    schema = s->schema.schema;
  } else {
    for (const std::string& c : columns) {
      const int i = s->schema.schema.FindField(c);
      if (i < 0) return Status::Internal("no column " + c + " in stream " + s->name);
      proj.push_back(static_cast<size_t>(i));
      schema.fields.push_back(s->schema.schema.fields[static_cast<size_t>(i)]);
    }
  }
  std::vector<std::string> names;
  for (const Field& f : schema.fields) names.push_back(f.name);
  names.push_back(lake::kOffsetColumn);
  std::vector<int64_t> offsets;
  // Every event of [from, pos) has been passed to fn. The lake part comes from the pinned manifest; the
  // rest from the log. A batch cycle running meanwhile may flush more of the log into the lake and then
  // truncate the log below its new horizon: when the log no longer holds `pos`, a newer manifest does, so
  // the scan goes on from `pos` in the lake (it never stops with an error or skips events because of it).
  int64_t pos = from;
  const int64_t log_to = std::min(to, std::max(durable, manifest->horizon));
  while (pos < log_to) {
    const int64_t lake_to = std::min(manifest->horizon, log_to);
    if (pos < lake_to) {
      TANDEM_RETURN_IF_ERROR(
          lake::ScanLake(fs_, s->lake->stream_dir(), *manifest, {pos, lake_to}, names, [&](RecordBatch&& b) {
            const size_t n = b.num_rows();
            if (n == 0) return Status::OK();
            std::vector<Column> cols = std::move(b.mutable_columns());
            const Column& off = cols.back();
            offsets.resize(n);
            for (size_t i = 0; i < n; ++i) offsets[i] = off.Value<int64_t>(i);
            cols.pop_back();
            return fn(RecordBatch(schema, std::move(cols), n), offsets);
          }));
      pos = lake_to;
      continue;
    }
    Result<std::vector<LogRecord>> read = s->log->Read(static_cast<uint64_t>(pos), 8 << 20);
    if (!read.ok()) {
      if (static_cast<int64_t>(s->log->first_offset()) > pos) {
        std::shared_ptr<const lake::Manifest> newer = s->lake->snapshot();
        if (newer->horizon > pos) {
          manifest = std::move(newer);
          continue;
        }
      }
      return read.status();
    }
    const std::vector<LogRecord>& records = *read;
    if (records.empty()) break;
    for (const LogRecord& rec : records) {
      const int64_t rec_offset = static_cast<int64_t>(rec.offset);
      if (rec_offset >= log_to) {
        pos = log_to;
        break;
      }
      TANDEM_ASSIGN_OR_RETURN(RecordBatch events, DecodeRecord(s->schema.schema, rec.payload));
      int64_t first = rec_offset;
      if (rec_offset < pos) {
        const int64_t skip = pos - rec_offset;
        events = events.Slice(skip, events.num_rows() - skip);
        first = pos;
      }
      if (rec_offset + rec.count > log_to) events = events.Slice(0, static_cast<size_t>(log_to - first));
      pos = rec_offset + rec.count;
      if (events.num_rows() == 0) continue;
      if (!columns.empty()) {
        std::vector<Column> cols;
        for (size_t i : proj) cols.push_back(std::move(events.mutable_column(i)));
        const size_t n = events.num_rows();
        events = RecordBatch(schema, std::move(cols), n);
      }
      offsets.resize(events.num_rows());
      for (size_t i = 0; i < offsets.size(); ++i) offsets[i] = first + static_cast<int64_t>(i);
      TANDEM_RETURN_IF_ERROR(fn(std::move(events), offsets));
    }
  }
  return Status::OK();
}

Result<FirstOffsets> EngineImpl::FirstOffsetsBelow(StreamRuntime* s, int64_t to, QueryBudget* budget) {
  FirstOffsets first;
  const std::vector<std::string> cols = {
      s->schema.schema.fields[static_cast<size_t>(s->schema.event_id_column)].name};
  TANDEM_RETURN_IF_ERROR(
      ReadEvents(s, 0, to, cols, [&](RecordBatch&& b, const std::vector<int64_t>& offsets) {
        for (size_t i = 0; i < b.num_rows(); ++i) {
          if (auto id = EventIdKey(b.column(0), i)) {
            auto [it, inserted] = first.try_emplace(std::move(*id), offsets[i]);
            if (!inserted) it->second = std::min(it->second, offsets[i]);
          }
        }
        if (budget) {
          budget->rows_scanned += static_cast<int64_t>(b.num_rows());
          return budget->CheckTime();
        }
        return Status::OK();
      }));
  return first;
}

Result<std::unordered_set<int64_t>> EngineImpl::WindowDrops(StreamRuntime* s, int64_t from, int64_t to) {
  std::vector<std::pair<int64_t, std::string>> seen;
  const std::vector<std::string> cols = {
      s->schema.schema.fields[static_cast<size_t>(s->schema.event_id_column)].name};
  TANDEM_RETURN_IF_ERROR(ReadEvents(s, std::max<int64_t>(0, from - options_.dedup_window_events), to, cols,
                                    [&](RecordBatch&& b, const std::vector<int64_t>& offsets) {
                                      for (size_t i = 0; i < b.num_rows(); ++i) {
                                        if (auto id = EventIdKey(b.column(0), i))
                                          seen.emplace_back(offsets[i], *id);
                                      }
                                      return Status::OK();
                                    }));
  std::sort(seen.begin(), seen.end());
  DedupWindow window(options_.dedup_window_events);
  std::unordered_set<int64_t> drops;
  for (const auto& [off, id] : seen) {
    if (window.Observe(id, off) && off >= from) drops.insert(off);
  }
  return drops;
}

Result<BatchReport::View> EngineImpl::ComputeAndPublish(ViewRuntime* v, int64_t boundary, bool full,
                                                        const FirstOffsets* first) {
  StreamRuntime* s = v->stream.get();
  TANDEM_RETURN_IF_ERROR(FlushStream(s));
  std::shared_ptr<const lake::Manifest> manifest = s->lake->snapshot();
  if (manifest->horizon < boundary) {
    return Status::Internal("lake horizon " + std::to_string(manifest->horizon) + " is below the boundary " +
                            std::to_string(boundary));
  }
  batch::BatchViewMeta prev;
  std::unique_ptr<exec::HashAggregator> agg = v->plan->NewAggregator();
  {
    std::lock_guard<std::mutex> lock(v->mu);
    prev = v->meta;
    if (!full && v->batch_states) TANDEM_RETURN_IF_ERROR(agg->Merge(*v->batch_states));
  }
  const bool incremental = !full && prev.version > 0;
  const int64_t from = incremental ? prev.horizon : 0;
  BatchReport::View report;
  report.name = v->name;
  report.full = !incremental;
  if (incremental && from == boundary) {  // nothing new below the boundary
    report.version = prev.version;
    report.horizon = prev.horizon;
    report.groups = static_cast<int64_t>(agg->num_groups());
    return report;
  }
  std::vector<std::string> columns = s->column_names();
  const Schema& schema = s->schema.schema;
  // With an event id the batch layer is exact: an event counts only if it is its id's first (by offset)
  // among every event below the boundary, the previous batch ranges included.
  FirstOffsets local_first;
  if (s->dedup()) {
    if (!first) {
      TANDEM_ASSIGN_OR_RETURN(local_first, FirstOffsetsBelow(s, boundary, nullptr));
      first = &local_first;
    }
    columns.push_back(lake::kOffsetColumn);
  }
  const size_t id_col = static_cast<size_t>(s->schema.event_id_column);
  int64_t rows_read = 0;
  TANDEM_RETURN_IF_ERROR(
      lake::ScanLake(fs_, s->lake->stream_dir(), *manifest, {from, boundary}, columns, [&](RecordBatch&& b) {
        rows_read += static_cast<int64_t>(b.num_rows());
        const size_t n = b.num_rows();
        std::vector<Column> cols = std::move(b.mutable_columns());
        if (!s->dedup()) return v->plan->Consume(RecordBatch(schema, std::move(cols), n), agg.get());
        const Column offsets = std::move(cols.back());
        cols.pop_back();
        RecordBatch events(schema, std::move(cols), n);
        std::vector<uint8_t> keep(n, 1);
        for (size_t i = 0; i < n; ++i) {
          if (auto id = EventIdKey(events.column(id_col), i)) {
            auto it = first->find(*id);
            keep[i] = it == first->end() || it->second == offsets.Value<int64_t>(i);
          }
        }
        return v->plan->Consume(FilterRows(events, keep), agg.get());
      }));
  TANDEM_ASSIGN_OR_RETURN(RecordBatch states, agg->ExportStates());
  batch::BatchViewMeta meta;
  meta.horizon = boundary;
  meta.rows_read = rows_read;
  meta.full = !incremental;
  TANDEM_RETURN_IF_ERROR(v->store->Write(states, &meta));
  TANDEM_RETURN_IF_ERROR(v->store->Publish(meta));
  // Publish to queries: the new batch view and the drop of the epochs it covers, in one critical section.
  std::lock_guard<std::mutex> lock(v->mu);
  v->speed->DropBelow(boundary);
  auto live = v->plan->NewAggregator();
  TANDEM_RETURN_IF_ERROR(live->Merge(*agg));
  TANDEM_RETURN_IF_ERROR(v->speed->MergeInto(live.get()));
  v->live = std::move(live);
  ++v->generation;
  v->batch_states = std::move(agg);
  v->meta = meta;
  v->ready = true;
  v->last_publish_ms = WallMs();
  report.version = meta.version;
  report.horizon = meta.horizon;
  report.rows_read = rows_read;
  report.groups = static_cast<int64_t>(v->batch_states->num_groups());
  return report;
}

Result<BatchReport> EngineImpl::RunBatch(bool full) {
  if (closed_.load()) return Status::Aborted("the engine is shutting down");
  std::lock_guard<std::mutex> batch_lock(batch_mu_);
  const int64_t start = WallMs();
  BatchReport report;
  std::vector<std::shared_ptr<StreamRuntime>> streams;
  {
    std::shared_lock lock(catalog_mu_);
    for (auto& [n, s] : streams_) streams.push_back(s);
  }
  for (auto& s : streams) {
    std::vector<std::shared_ptr<ViewRuntime>> views;
    int64_t boundary;
    {
      // Seal the boundary and cut every view's epoch there, excluding ingest (which applies under
      // views_mu shared, after its append is durable): every record applied so far then ends at or
      // below the boundary, and every record at or above it is applied after the cut, into the new
      // open epoch. With a shared lock a record made durable after the boundary was read could be
      // applied into the epoch being closed, and dropped with it when the batch view (which does not
      // cover it) was published.
      std::unique_lock lock(s->views_mu);
      views = s->views;
      boundary = static_cast<int64_t>(s->log->durable_offset());
      for (auto& v : views) {
        std::lock_guard<std::mutex> vlock(v->mu);
        v->speed->Cut(boundary);
      }
    }
    int64_t min_horizon = boundary;
    FirstOffsets first;
    if (s->dedup() && !views.empty()) {
      TANDEM_RETURN_IF_ERROR(FlushStream(s.get()));
      TANDEM_ASSIGN_OR_RETURN(first, FirstOffsetsBelow(s.get(), boundary, nullptr));
    }
    for (auto& v : views) {
      TANDEM_ASSIGN_OR_RETURN(BatchReport::View r,
                              ComputeAndPublish(v.get(), boundary, full, s->dedup() ? &first : nullptr));
      min_horizon = std::min(min_horizon, r.horizon);
      report.views.push_back(std::move(r));
    }
    if (views.empty()) TANDEM_RETURN_IF_ERROR(FlushStream(s.get()));
    // The log keeps what the lake does not hold yet and what a restart replays into the speed layer.
    const int64_t keep = std::min(min_horizon, s->lake->horizon());
    // Keys whose records the truncation may drop are persisted first.
    TANDEM_RETURN_IF_ERROR(PersistKeys(s.get()));
    TANDEM_RETURN_IF_ERROR(s->log->TruncateBefore(static_cast<uint64_t>(keep)));
  }
  batch_cycles_.fetch_add(1);
  report.duration_ms = WallMs() - start;
  last_batch_ms_.store(WallMs());
  last_batch_duration_ms_.store(report.duration_ms);
  return report;
}

Result<int64_t> EngineImpl::Compact() {
  std::vector<std::shared_ptr<StreamRuntime>> streams;
  {
    std::shared_lock lock(catalog_mu_);
    for (auto& [n, s] : streams_) streams.push_back(s);
  }
  int64_t rewritten = 0;
  for (auto& s : streams) {
    TANDEM_ASSIGN_OR_RETURN(lake::CompactionResult r, s->lake->Compact());
    TANDEM_RETURN_IF_ERROR(s->lake->CollectGarbage());
    rewritten += r.files_in;
  }
  compacted_files_.fetch_add(rewritten);
  return rewritten;
}

// ---------------------------------------------------------------------------------------------------
// Status and metrics

std::string JsonStr(const std::string& s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string EngineImpl::StatusJson() {
  const int64_t now = WallMs();
  std::string out = "{\"streams\":[";
  std::shared_lock lock(catalog_mu_);
  bool first = true;
  for (auto& [name, s] : streams_) {
    if (!first) out += ',';
    first = false;
    auto m = s->lake->snapshot();
    const int64_t durable = static_cast<int64_t>(s->log->durable_offset());
    size_t keys = 0;
    {
      std::lock_guard<std::mutex> klock(s->idem_mu);
      keys = s->idem->size();
    }
    out += "{\"name\":" + JsonStr(name) + ",\"events\":" + std::to_string(durable) +
           ",\"idempotency_keys\":" + std::to_string(keys) +
           ",\"idempotent_replays\":" + std::to_string(s->replays.load()) +
           ",\"duplicates_dropped\":" + std::to_string(s->duplicates.load()) +
           ",\"accepted\":" + std::to_string(s->accepted.load()) +
           ",\"rejected\":" + std::to_string(s->rejected.load()) +
           ",\"log_first_offset\":" + std::to_string(s->log->first_offset()) +
           ",\"lake_horizon\":" + std::to_string(m->horizon) +
           ",\"lake_files\":" + std::to_string(m->files.size()) +
           ",\"lake_lag_events\":" + std::to_string(durable - m->horizon) + ",\"last_ingest_age_ms\":" +
           std::to_string(s->last_ingest_ms.load() ? now - s->last_ingest_ms.load() : -1);
    // Lake files per event-date partition, so small files and their compaction are visible.
    struct PartitionStats {
      int64_t files = 0, rows = 0, bytes = 0, min_bytes = 0, max_bytes = 0;
    };
    std::map<std::string, PartitionStats> partitions;
    int64_t lake_bytes = 0;
    for (const lake::LakeFile& f : m->files) {
      PartitionStats& p = partitions[f.partition];
      p.min_bytes = p.files == 0 ? f.bytes : std::min(p.min_bytes, f.bytes);
      p.max_bytes = std::max(p.max_bytes, f.bytes);
      ++p.files;
      p.rows += f.rows;
      p.bytes += f.bytes;
      lake_bytes += f.bytes;
    }
    out += ",\"lake_bytes\":" + std::to_string(lake_bytes) + ",\"lake_partitions\":[";
    for (auto it = partitions.begin(); it != partitions.end(); ++it) {
      if (it != partitions.begin()) out += ',';
      const PartitionStats& p = it->second;
      out += "{\"partition\":" + JsonStr(it->first) + ",\"files\":" + std::to_string(p.files) +
             ",\"rows\":" + std::to_string(p.rows) + ",\"bytes\":" + std::to_string(p.bytes) +
             ",\"min_file_bytes\":" + std::to_string(p.min_bytes) +
             ",\"max_file_bytes\":" + std::to_string(p.max_bytes) + "}";
    }
    out += "],\"recent_rejections\":[";
    {
      std::lock_guard<std::mutex> rlock(s->rejections_mu);
      for (size_t i = 0; i < s->rejections.size(); ++i) {
        const StreamRuntime::Rejection& r = s->rejections[i];
        if (i) out += ',';
        out += "{\"age_ms\":" + std::to_string(now - r.at_ms) + ",\"line\":" + std::to_string(r.line) +
               ",\"column\":" + JsonStr(r.column) + ",\"reason\":" + JsonStr(r.reason) + "}";
      }
    }
    out += "]}";
  }
  out += "],\"views\":[";
  first = true;
  for (auto& [name, v] : views_) {
    if (!first) out += ',';
    first = false;
    std::lock_guard<std::mutex> vlock(v->mu);
    const int64_t durable = static_cast<int64_t>(v->stream->log->durable_offset());
    out += "{\"name\":" + JsonStr(name) + ",\"stream\":" + JsonStr(v->stream->name) +
           ",\"batch_version\":" + std::to_string(v->meta.version) +
           ",\"horizon\":" + std::to_string(v->meta.horizon) +
           ",\"batch_lag_events\":" + std::to_string(durable - v->meta.horizon) +
           ",\"speed_lag_events\":" + std::to_string(std::max<int64_t>(0, durable - v->applied_end)) +
           ",\"batch_age_ms\":" + std::to_string(v->last_publish_ms ? now - v->last_publish_ms : -1) +
           ",\"freshness_ms\":" + std::to_string(v->last_apply_ms ? now - v->last_apply_ms : -1) +
           ",\"groups\":" + std::to_string(v->live->num_groups()) + ",\"epochs\":[";
    bool ef = true;
    for (const auto& e : v->speed->epochs()) {
      if (!ef) out += ',';
      ef = false;
      out += "{\"start\":" + std::to_string(e.start) +
             ",\"end\":" + (e.end < 0 ? "null" : std::to_string(e.end)) +
             ",\"events\":" + std::to_string(e.events) + ",\"groups\":" + std::to_string(e.groups) + "}";
    }
    out += "]}";
  }
  out += "],\"failed\":[";
  first = true;
  for (auto& [name, f] : failed_) {
    if (!first) out += ',';
    first = false;
    out += std::string("{\"kind\":") +
           (f.entry.kind == CatalogEntry::Kind::kStream ? "\"stream\"" : "\"view\"") +
           ",\"name\":" + JsonStr(name) + ",\"state\":\"failed\",\"error\":" + JsonStr(f.error) +
           ",\"definition\":" + JsonStr(f.entry.sql) + "}";
  }
  out += "],\"batch\":{\"cycles\":" + std::to_string(batch_cycles_.load()) +
         ",\"last_duration_ms\":" + std::to_string(last_batch_duration_ms_.load()) +
         ",\"last_age_ms\":" + std::to_string(last_batch_ms_.load() ? now - last_batch_ms_.load() : -1) + "}";
  {
    std::lock_guard<std::mutex> elock(error_mu_);
    out += ",\"last_background_error\":" + (last_error_.empty() ? std::string("null") : JsonStr(last_error_));
  }
  out += "}";
  return out;
}

std::string EngineImpl::MetricsText() {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  std::shared_lock lock(catalog_mu_);
  metric("tandem_ingest_events_total", "counter", "Events accepted (durable) per stream.");
  for (auto& [n, s] : streams_)
    out += "tandem_ingest_events_total{stream=\"" + n + "\"} " + std::to_string(s->accepted.load()) + "\n";
  metric("tandem_ingest_rejected_total", "counter", "Lines rejected by validation per stream.");
  for (auto& [n, s] : streams_)
    out += "tandem_ingest_rejected_total{stream=\"" + n + "\"} " + std::to_string(s->rejected.load()) + "\n";
  metric("tandem_ingest_requests_total", "counter", "Ingest requests per stream.");
  for (auto& [n, s] : streams_)
    out += "tandem_ingest_requests_total{stream=\"" + n + "\"} " + std::to_string(s->requests.load()) + "\n";
  metric("tandem_ingest_idempotent_replays_total", "counter", "Retried requests answered from their key.");
  for (auto& [n, s] : streams_)
    out += "tandem_ingest_idempotent_replays_total{stream=\"" + n + "\"} " +
           std::to_string(s->replays.load()) + "\n";
  metric("tandem_speed_duplicates_dropped_total", "counter",
         "Events dropped by the speed layer's event-id window.");
  for (auto& [n, s] : streams_)
    out += "tandem_speed_duplicates_dropped_total{stream=\"" + n + "\"} " +
           std::to_string(s->duplicates.load()) + "\n";
  metric("tandem_log_syncs_total", "counter", "Group commits (write + fdatasync) per stream log.");
  for (auto& [n, s] : streams_)
    out += "tandem_log_syncs_total{stream=\"" + n + "\"} " + std::to_string(s->log->stats().syncs) + "\n";
  metric("tandem_lake_files", "gauge", "Live Parquet files in the master dataset per stream.");
  for (auto& [n, s] : streams_)
    out +=
        "tandem_lake_files{stream=\"" + n + "\"} " + std::to_string(s->lake->snapshot()->files.size()) + "\n";
  metric("tandem_lake_lag_events", "gauge", "Durable events not yet in the lake per stream.");
  for (auto& [n, s] : streams_) {
    out += "tandem_lake_lag_events{stream=\"" + n + "\"} " +
           std::to_string(static_cast<int64_t>(s->log->durable_offset()) - s->lake->horizon()) + "\n";
  }
  metric("tandem_view_batch_horizon", "gauge", "Offset boundary of the published batch view.");
  for (auto& [n, v] : views_) {
    std::lock_guard<std::mutex> vlock(v->mu);
    out += "tandem_view_batch_horizon{view=\"" + n + "\"} " + std::to_string(v->meta.horizon) + "\n";
  }
  metric("tandem_view_batch_lag_events", "gauge",
         "Events served by the speed layer (not yet in the batch view).");
  for (auto& [n, v] : views_) {
    std::lock_guard<std::mutex> vlock(v->mu);
    out += "tandem_view_batch_lag_events{view=\"" + n + "\"} " +
           std::to_string(static_cast<int64_t>(v->stream->log->durable_offset()) - v->meta.horizon) + "\n";
  }
  metric("tandem_batch_cycles_total", "counter", "Batch cycles run.");
  out += "tandem_batch_cycles_total " + std::to_string(batch_cycles_.load()) + "\n";
  metric("tandem_queries_total", "counter", "SQL statements executed.");
  out += "tandem_queries_total " + std::to_string(queries_.load()) + "\n";
  metric("tandem_query_errors_total", "counter", "SQL statements that failed.");
  out += "tandem_query_errors_total " + std::to_string(query_errors_.load()) + "\n";
  metric("tandem_query_limit_errors_total", "counter",
         "SQL statements refused by a limit (size, time, rows).");
  out += "tandem_query_limit_errors_total " + std::to_string(limit_errors_.load()) + "\n";
  metric("tandem_compacted_files_total", "counter", "Small lake files rewritten by compaction.");
  out += "tandem_compacted_files_total " + std::to_string(compacted_files_.load()) + "\n";
  return out;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(FileSystem* fs, EngineOptions options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("the engine needs a data directory");
  auto engine = std::make_unique<EngineImpl>(fs, std::move(options));
  TANDEM_RETURN_IF_ERROR(engine->Init());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace tandem::engine
