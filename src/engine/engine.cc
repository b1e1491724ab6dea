#include "engine/engine.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "batch/batch_view_store.h"
#include "columnar/batch_codec.h"
#include "engine/catalog.h"
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
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
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

  std::vector<std::string> column_names() const {
    std::vector<std::string> names;
    for (const Field& f : schema.schema.fields) names.push_back(f.name);
    return names;
  }
};

struct ViewRuntime {
  std::string name;
  std::string sql;
  std::shared_ptr<StreamRuntime> stream;
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

Column StringColumn(const std::vector<std::string>& values) {
  Column c(DataType::String());
  for (const auto& v : values) c.AppendString(v);
  return c;
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(FileSystem* fs, EngineOptions options)
      : fs_(fs), options_(std::move(options)), catalog_(fs, JoinPath(options_.data_dir, "catalog.json")) {}

  ~EngineImpl() override { Close(); }

  Status Init();

  Result<QueryResult> Execute(std::string_view sql) override;
  Result<IngestResult> Ingest(const std::string& stream, std::string_view ndjson) override;
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

  Result<std::shared_ptr<StreamRuntime>> OpenStream(const sql::CreateStreamStmt& stmt);
  // Flushes the stream's durable log records into the lake (all of them, as of the call).
  Status FlushStream(StreamRuntime* s);
  // Calls fn with the stream's events with offsets in [from, durable end): lake first, then log tail.
  // Each call carries events of one log record or one lake row group, with its first offset.
  Status ReadEvents(StreamRuntime* s, int64_t from, const std::function<Status(int64_t, RecordBatch&&)>& fn);
  // Recomputes `v` over the lake below `boundary` and publishes it.
  Result<BatchReport::View> ComputeAndPublish(ViewRuntime* v, int64_t boundary, bool full);
  Result<RecordBatch> MergedViewRows(ViewRuntime* v);
  void BackgroundLoop();
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

  std::atomic<bool> closed_{false};
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  std::thread bg_thread_;

  std::atomic<int64_t> batch_cycles_{0};
  std::atomic<int64_t> queries_{0};
  std::atomic<int64_t> query_errors_{0};
  std::atomic<int64_t> last_batch_ms_{0};
  std::atomic<int64_t> last_batch_duration_ms_{0};
  std::atomic<int64_t> compacted_files_{0};
  std::mutex error_mu_;
  std::string last_error_;  // guarded by error_mu_
};

// ---------------------------------------------------------------------------------------------------
// Opening and recovery

Status EngineImpl::Init() {
  TANDEM_RETURN_IF_ERROR(fs_->CreateDirs(options_.data_dir));
  TANDEM_RETURN_IF_ERROR(catalog_.Load());
  for (const CatalogEntry& e : catalog_.entries()) {
    auto parsed = sql::ParseStatement(e.sql);
    if (!parsed.ok()) return parsed.status().WithContext("catalog entry '" + e.name + "'");
    const sql::Statement& stmt = **parsed;
    Result<QueryResult> r = Status::Internal("unexpected catalog statement");
    if (stmt.kind == sql::StatementKind::kCreateStream) {
      r = CreateStream(stmt.As<sql::CreateStreamStmt>(), /*replaying=*/true);
    } else if (stmt.kind == sql::StatementKind::kCreateView) {
      r = CreateView(stmt.As<sql::CreateViewStmt>(), /*replaying=*/true);
    }
    if (!r.ok()) return r.status().WithContext("recovering '" + e.name + "'");
  }
  if (options_.background) bg_thread_ = std::thread([this] { BackgroundLoop(); });
  return Status::OK();
}

void EngineImpl::Close() {
  if (closed_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(bg_mu_);
  }
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

void EngineImpl::BackgroundLoop() {
  int64_t last_batch = WallMs();
  int64_t last_compact = WallMs();
  while (!closed_.load()) {
    {
      std::unique_lock<std::mutex> lock(bg_mu_);
      bg_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(options_.flush_interval_ms, 10)),
                      [this] { return closed_.load(); });
    }
    if (closed_.load()) break;
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
  if (!r.ok()) query_errors_.fetch_add(1);
  return r;
}

Result<std::shared_ptr<StreamRuntime>> EngineImpl::OpenStream(const sql::CreateStreamStmt& stmt) {
  auto s = std::make_shared<StreamRuntime>();
  s->name = stmt.name;
  s->sql = stmt.ToString();
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
    return Status::InvalidArgument("event_time column \"" + event_time + "\" is not a column of " + stmt.name);
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
  s->dir = JoinPath(JoinPath(options_.data_dir, "streams"), s->name);
  LogOptions log_options;
  log_options.segment_bytes = static_cast<uint64_t>(options_.segment_bytes);
  TANDEM_ASSIGN_OR_RETURN(s->log, Log::Open(fs_, JoinPath(s->dir, "log"), log_options));
  TANDEM_ASSIGN_OR_RETURN(s->lake, lake::LakeWriter::Open(fs_, JoinPath(s->dir, "lake"), s->schema.schema,
                                                           s->schema.event_time_column));
  return s;
}

Result<QueryResult> EngineImpl::CreateStream(const sql::CreateStreamStmt& stmt, bool replaying) {
  if (!ValidObjectName(stmt.name)) {
    return Status::InvalidArgument("stream name \"" + stmt.name +
                                   "\" may only contain letters, digits, '_' and '-' (at most 128)");
  }
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

Result<QueryResult> EngineImpl::CreateView(const sql::CreateViewStmt& stmt, bool replaying) {
  if (!ValidObjectName(stmt.name)) {
    return Status::InvalidArgument("view name \"" + stmt.name +
                                   "\" may only contain letters, digits, '_' and '-' (at most 128)");
  }
  if (!replaying && (FindStream(stmt.name) || FindView(stmt.name))) {
    if (stmt.if_not_exists && FindView(stmt.name)) return QueryResult{{}, {}, "CREATE VIEW"};
    return Status::AlreadyExists("a stream or view named \"" + stmt.name + "\" already exists");
  }
  if (!stmt.query->from) return Status::InvalidArgument("a view needs FROM <stream>");
  const std::string& from = stmt.query->from->name;
  std::shared_ptr<StreamRuntime> s = FindStream(from);
  if (!s) {
    if (FindView(from)) {
      return Status::InvalidArgument(stmt.query->from->pos.ToString() + ": a view reads a stream; \"" + from +
                                     "\" is a view");
    }
    return Status::NotFound(stmt.query->from->pos.ToString() + ": stream \"" + from + "\" does not exist");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::ViewPlan vplan, plan::PlanView(*stmt.query, s->schema.schema));
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
    TANDEM_RETURN_IF_ERROR(ReadEvents(s.get(), v->meta.horizon, [&](int64_t first, RecordBatch&& events) {
      TANDEM_ASSIGN_OR_RETURN(bool applied, v->speed->Apply(first, events));
      if (applied) TANDEM_RETURN_IF_ERROR(v->plan->Consume(events, v->live.get()));
      return Status::OK();
    }));
    v->applied_end = static_cast<int64_t>(s->log->durable_offset());
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

Result<QueryResult> EngineImpl::Drop(const sql::DropStmt& stmt) {
  if (stmt.object == sql::ObjectType::kView) {
    std::shared_ptr<ViewRuntime> v = FindView(stmt.name);
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
  if (!s) {
    if (stmt.if_exists) return QueryResult{{}, {}, "DROP STREAM"};
    return Status::NotFound("stream \"" + stmt.name + "\" does not exist");
  }
  {
    std::shared_lock lock(s->views_mu);
    if (!s->views.empty()) {
      return Status::InvalidArgument("stream \"" + s->name + "\" is read by view \"" + s->views.front()->name +
                                     "\": drop its views first");
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
                   {"events", DataType::Int64(), false}}};
    std::vector<std::string> names, cols, ets;
    Column events(DataType::Int64());
    for (const auto& [name, s] : streams_) {
      names.push_back(name);
      cols.push_back(s->schema.schema.ToString());
      ets.push_back(s->schema.schema.fields[s->schema.event_time_column].name);
      events.Append<int64_t>(static_cast<int64_t>(s->log->durable_offset()));
    }
    const size_t n = names.size();
    return QueryResult{schema,
                       RecordBatch(schema, {StringColumn(names), StringColumn(cols), StringColumn(ets), events}, n),
                       ""};
  }
  Schema schema{{{"name", DataType::String(), false},
                 {"stream", DataType::String(), false},
                 {"definition", DataType::String(), false},
                 {"batch_version", DataType::Int64(), false},
                 {"horizon", DataType::Int64(), false}}};
  std::vector<std::string> names, streams, defs;
  Column versions(DataType::Int64()), horizons(DataType::Int64());
  for (const auto& [name, v] : views_) {
    names.push_back(name);
    streams.push_back(v->stream->name);
    defs.push_back(v->sql);
    std::lock_guard<std::mutex> vlock(v->mu);
    versions.Append<int64_t>(v->meta.version);
    horizons.Append<int64_t>(v->meta.horizon);
  }
  const size_t n = names.size();
  return QueryResult{
      schema,
      RecordBatch(schema, {StringColumn(names), StringColumn(streams), StringColumn(defs), versions, horizons}, n),
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
  return QueryResult{schema, RecordBatch(schema, {StringColumn(names), StringColumn(types), StringColumn(nulls)}, n),
                     ""};
}

Result<RecordBatch> EngineImpl::MergedViewRows(ViewRuntime* v) {
  RecordBatch finalized;
  {
    std::lock_guard<std::mutex> lock(v->mu);
    if (!v->ready) return Status::NotFound("view \"" + v->name + "\" is still being built");
    TANDEM_ASSIGN_OR_RETURN(finalized, v->live->Finalize());
  }
  return v->plan->Finish(finalized);
}

Result<QueryResult> EngineImpl::Select(const sql::SelectStmt& stmt) {
  if (!stmt.from) {
    TANDEM_ASSIGN_OR_RETURN(plan::QueryPlan qp, plan::PlanSelect(stmt, Schema{}));
    Schema out = qp.output_schema;
    TANDEM_ASSIGN_OR_RETURN(RecordBatch rows, plan::RunQuery(std::move(qp), {}));
    return QueryResult{out, std::move(rows), ""};
  }
  const std::string& name = stmt.from->name;
  if (std::shared_ptr<ViewRuntime> v = FindView(name)) {
    TANDEM_ASSIGN_OR_RETURN(plan::QueryPlan qp, plan::PlanSelect(stmt, v->plan->output_schema()));
    TANDEM_ASSIGN_OR_RETURN(RecordBatch rows, MergedViewRows(v.get()));
    Schema out = qp.output_schema;
    TANDEM_ASSIGN_OR_RETURN(RecordBatch result, plan::RunQuery(std::move(qp), {rows}));
    return QueryResult{out, std::move(result), ""};
  }
  if (std::shared_ptr<StreamRuntime> s = FindStream(name)) {
    TANDEM_ASSIGN_OR_RETURN(plan::QueryPlan qp, plan::PlanSelect(stmt, s->schema.schema));
    Schema out = qp.output_schema;
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<plan::QueryRunner> runner, plan::QueryRunner::Make(std::move(qp)));
    TANDEM_RETURN_IF_ERROR(ReadEvents(s.get(), 0, [&](int64_t, RecordBatch&& events) {
      return runner->Consume(events);
    }));
    TANDEM_ASSIGN_OR_RETURN(RecordBatch rows, runner->Finish());
    return QueryResult{out, std::move(rows), ""};
  }
  return Status::NotFound(stmt.from->pos.ToString() + ": no stream or view named \"" + name + "\"");
}

// ---------------------------------------------------------------------------------------------------
// Ingest

Result<IngestResult> EngineImpl::Ingest(const std::string& stream, std::string_view ndjson) {
  if (closed_.load()) return Status::Aborted("the engine is shutting down");
  std::shared_ptr<StreamRuntime> s = FindStream(stream);
  if (!s) return Status::NotFound("stream \"" + stream + "\" does not exist");
  if (ndjson.size() > options_.max_body_bytes) {
    return Status::ResourceExhausted("request body of " + std::to_string(ndjson.size()) +
                                     " bytes exceeds the limit of " + std::to_string(options_.max_body_bytes) +
                                     " bytes");
  }
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
    parser = std::make_unique<ingest::NdjsonParser>(s->schema, limits);
  }
  auto parsed = parser->Parse(ndjson);
  {
    std::lock_guard<std::mutex> lock(s->parser_mu);
    s->parsers.push_back(std::move(parser));
  }
  if (!parsed.ok()) return parsed.status();
  s->requests.fetch_add(1);
  IngestResult result;
  result.accepted = static_cast<int64_t>(parsed->rows.num_rows());
  result.rejected = static_cast<int64_t>(parsed->errors.size());
  for (const ingest::RowError& e : parsed->errors) result.errors.push_back({e.line, e.column, e.reason});
  s->rejected.fetch_add(result.rejected);
  if (result.accepted == 0) return result;

  std::string payload;
  EncodeBatch(parsed->rows, &payload);
  TANDEM_ASSIGN_OR_RETURN(uint64_t first, s->log->AppendDurable(payload, static_cast<uint32_t>(result.accepted)));
  result.first_offset = static_cast<int64_t>(first);
  // Durable: now make it visible. Views are looked up after the append is durable (see CreateView).
  const int64_t end = result.first_offset + result.accepted;
  const int64_t now = WallMs();
  std::shared_lock lock(s->views_mu);
  for (const std::shared_ptr<ViewRuntime>& v : s->views) {
    std::lock_guard<std::mutex> vlock(v->mu);
    TANDEM_ASSIGN_OR_RETURN(bool applied, v->speed->Apply(result.first_offset, parsed->rows));
    if (applied) TANDEM_RETURN_IF_ERROR(v->plan->Consume(parsed->rows, v->live.get()));
    v->applied_end = std::max(v->applied_end, end);
    v->last_apply_ms = now;
  }
  s->accepted.fetch_add(result.accepted);
  s->last_ingest_ms.store(now);
  return result;
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
      TANDEM_ASSIGN_OR_RETURN(RecordBatch events, DecodeBatch(s->schema.schema, rec.payload));
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

Status EngineImpl::ReadEvents(StreamRuntime* s, int64_t from,
                              const std::function<Status(int64_t, RecordBatch&&)>& fn) {
  std::shared_ptr<const lake::Manifest> manifest = s->lake->snapshot();
  const int64_t lake_end = manifest->horizon;
  const int64_t durable = static_cast<int64_t>(s->log->durable_offset());
  if (from < lake_end) {
    std::vector<std::string> columns = s->column_names();
    columns.push_back(lake::kOffsetColumn);
    Schema schema = s->schema.schema;
    TANDEM_RETURN_IF_ERROR(lake::ScanLake(fs_, s->lake->stream_dir(), *manifest, {from, lake_end}, columns,
                                          [&](RecordBatch&& b) {
                                            const int64_t first = b.column(b.num_columns() - 1).Value<int64_t>(0);
                                            std::vector<Column> cols = std::move(b.mutable_columns());
                                            const size_t n = b.num_rows();
                                            cols.pop_back();
                                            return fn(first, RecordBatch(schema, std::move(cols), n));
                                          }));
  }
  int64_t pos = std::max(from, lake_end);
  while (pos < durable) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<LogRecord> records, s->log->Read(static_cast<uint64_t>(pos), 8 << 20));
    if (records.empty()) break;
    for (const LogRecord& rec : records) {
      const int64_t rec_offset = static_cast<int64_t>(rec.offset);
      if (rec_offset >= durable) {
        pos = durable;
        break;
      }
      TANDEM_ASSIGN_OR_RETURN(RecordBatch events, DecodeBatch(s->schema.schema, rec.payload));
      int64_t first = rec_offset;
      if (rec_offset < pos) {
        const int64_t skip = pos - rec_offset;
        events = events.Slice(skip, events.num_rows() - skip);
        first = pos;
      }
      pos = rec_offset + rec.count;
      if (events.num_rows() > 0) TANDEM_RETURN_IF_ERROR(fn(first, std::move(events)));
    }
  }
  return Status::OK();
}

Result<BatchReport::View> EngineImpl::ComputeAndPublish(ViewRuntime* v, int64_t boundary, bool full) {
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
  int64_t rows_read = 0;
  TANDEM_RETURN_IF_ERROR(
      lake::ScanLake(fs_, s->lake->stream_dir(), *manifest, {from, boundary}, columns, [&](RecordBatch&& b) {
        rows_read += static_cast<int64_t>(b.num_rows());
        const size_t n = b.num_rows();
        return v->plan->Consume(RecordBatch(schema, std::move(b.mutable_columns()), n), agg.get());
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
      // Seal the boundary and cut every view's epoch there.
      std::shared_lock lock(s->views_mu);
      views = s->views;
      boundary = static_cast<int64_t>(s->log->durable_offset());
      for (auto& v : views) {
        std::lock_guard<std::mutex> vlock(v->mu);
        v->speed->Cut(boundary);
      }
    }
    int64_t min_horizon = boundary;
    for (auto& v : views) {
      TANDEM_ASSIGN_OR_RETURN(BatchReport::View r, ComputeAndPublish(v.get(), boundary, full));
      min_horizon = std::min(min_horizon, r.horizon);
      report.views.push_back(std::move(r));
    }
    if (views.empty()) TANDEM_RETURN_IF_ERROR(FlushStream(s.get()));
    // The log keeps what the lake does not hold yet and what a restart replays into the speed layer.
    const int64_t keep = std::min(min_horizon, s->lake->horizon());
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
  Column c(DataType::String());
  c.AppendString(s);
  std::string out;
  c.AppendJson(0, &out);
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
    out += "{\"name\":" + JsonStr(name) + ",\"events\":" + std::to_string(durable) +
           ",\"accepted\":" + std::to_string(s->accepted.load()) +
           ",\"rejected\":" + std::to_string(s->rejected.load()) +
           ",\"log_first_offset\":" + std::to_string(s->log->first_offset()) +
           ",\"lake_horizon\":" + std::to_string(m->horizon) + ",\"lake_files\":" + std::to_string(m->files.size()) +
           ",\"lake_lag_events\":" + std::to_string(durable - m->horizon) + "}";
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
      out += "{\"start\":" + std::to_string(e.start) + ",\"end\":" + (e.end < 0 ? "null" : std::to_string(e.end)) +
             ",\"events\":" + std::to_string(e.events) + ",\"groups\":" + std::to_string(e.groups) + "}";
    }
    out += "]}";
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
  for (auto& [n, s] : streams_) out += "tandem_ingest_events_total{stream=\"" + n + "\"} " + std::to_string(s->accepted.load()) + "\n";
  metric("tandem_ingest_rejected_total", "counter", "Lines rejected by validation per stream.");
  for (auto& [n, s] : streams_) out += "tandem_ingest_rejected_total{stream=\"" + n + "\"} " + std::to_string(s->rejected.load()) + "\n";
  metric("tandem_ingest_requests_total", "counter", "Ingest requests per stream.");
  for (auto& [n, s] : streams_) out += "tandem_ingest_requests_total{stream=\"" + n + "\"} " + std::to_string(s->requests.load()) + "\n";
  metric("tandem_log_syncs_total", "counter", "Group commits (write + fdatasync) per stream log.");
  for (auto& [n, s] : streams_) out += "tandem_log_syncs_total{stream=\"" + n + "\"} " + std::to_string(s->log->stats().syncs) + "\n";
  metric("tandem_lake_files", "gauge", "Live Parquet files in the master dataset per stream.");
  for (auto& [n, s] : streams_) out += "tandem_lake_files{stream=\"" + n + "\"} " + std::to_string(s->lake->snapshot()->files.size()) + "\n";
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
  metric("tandem_view_batch_lag_events", "gauge", "Events served by the speed layer (not yet in the batch view).");
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
