// HttpServer: Tandem's HTTP/JSON API over an Engine (docs/http_api.md).
//
//   POST /v1/streams/{name}/events   NDJSON body -> {"accepted": n, "rejected": m, "errors": [...]}
//   POST /v1/sql                     SQL text    -> {"columns": [{"name", "type"}], "rows": [[...]]}
//   POST /v1/batch[?full=true]       run a batch cycle now
//   POST /v1/flush, /v1/compact      flush the log into the lake / compact small files now
//   GET  /v1/status, /metrics, /health
//
// Errors are JSON {"error": "..."} with a 4xx status for the client's mistakes (400 bad SQL or body,
// 404 unknown stream or view, 409 already exists, 413 body or SQL text too large, 422 Idempotency-Key
// reused with a different body, 429 a query over its time or row limit) and 5xx for ours.
//
// Ingest honours an `Idempotency-Key` request header (Engine::Ingest): a replayed request gets the
// original response body and status plus the header `Idempotent-Replayed: true`.
// The server owns no engine state; it borrows the Engine, which must outlive it.
// Thread safety: Start/Stop from one thread; requests are served by a thread pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "engine/engine.h"

namespace tandem::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                   // 0: pick a free port (see port())
  size_t max_body_bytes = 64 << 20;  // any request body (413 above it)
  size_t max_sql_bytes = 1 << 20;    // POST /v1/sql body (413 above it)
};

class HttpServer {
 public:
  HttpServer(engine::Engine* engine, HttpServerOptions options);
  ~HttpServer();

  // Binds and starts serving on a background thread.
  Status Start();
  // Stops accepting, finishes in-flight requests, joins the thread.
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  engine::Engine* engine_;
  HttpServerOptions options_;
  int port_ = 0;
  std::thread thread_;
};

// JSON rendering shared with the CLI and tests.
std::string QueryResultToJson(const engine::QueryResult& result);
std::string IngestResultToJson(const engine::IngestResult& result);
// 400 / 404 / 409 / 413 / 500 ... for a non-OK Status (endpoint-independent; the ingest and SQL handlers
// refine AlreadyExists to 422 and ResourceExhausted to 429 where documented).
int HttpStatusFor(const Status& status);
std::string ErrorJson(const Status& status);

}  // namespace tandem::server
