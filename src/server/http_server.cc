#include "server/http_server.h"

#include <httplib.h>

#include <chrono>

#include "dashboard/dashboard_assets.h"

namespace tandem::server {

std::string QueryResultToJson(const engine::QueryResult& result) {
  std::string out = "{\"columns\":[";
  for (size_t c = 0; c < result.schema.fields.size(); ++c) {
    if (c) out += ',';
    out += "{\"name\":";
    AppendJsonString(result.schema.fields[c].name, &out);
    out += ",\"type\":";
    AppendJsonString(result.schema.fields[c].type.ToString(), &out);
    out += '}';
  }
  out += "],\"rows\":[";
  const RecordBatch& rows = result.rows;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (r) out += ',';
    out += '[';
    for (size_t c = 0; c < rows.num_columns(); ++c) {
      if (c) out += ',';
      rows.column(c).AppendJson(r, &out);
    }
    out += ']';
  }
  out += ']';
  if (!result.tag.empty()) {
    out += ",\"tag\":";
    AppendJsonString(result.tag, &out);
  }
  out += '}';
  return out;
}

std::string IngestResultToJson(const engine::IngestResult& result) {
  std::string out = "{\"accepted\":" + std::to_string(result.accepted) +
                    ",\"rejected\":" + std::to_string(result.rejected) + ",\"errors\":[";
  for (size_t i = 0; i < result.errors.size(); ++i) {
    const engine::RowError& e = result.errors[i];
    if (i) out += ',';
    out += "{\"line\":" + std::to_string(e.line) + ",\"column\":";
    AppendJsonString(e.column, &out);
    out += ",\"reason\":";
    AppendJsonString(e.reason, &out);
    out += '}';
  }
  out += "]}";
  return out;
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotSupported: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kAborted: return 503;
    default: return 500;
  }
}

std::string ErrorJson(const Status& status) {
  std::string out = "{\"error\":";
  AppendJsonString(status.message(), &out);
  out += ",\"code\":";
  AppendJsonString(StatusCodeName(status.code()), &out);
  out += '}';
  return out;
}

struct HttpServer::Impl {
  httplib::Server server;
};

HttpServer::HttpServer(engine::Engine* engine, HttpServerOptions options)
    : impl_(std::make_unique<Impl>()), engine_(engine), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  Stop();
}

namespace {

void SendError(httplib::Response& res, const Status& st) {
  res.status = HttpStatusFor(st);
  res.set_content(ErrorJson(st), "application/json");
}

}  // namespace

Status HttpServer::Start() {
  httplib::Server& s = impl_->server;
  engine::Engine* engine = engine_;
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_keep_alive_max_count(100000);
  s.set_tcp_nodelay(true);  // no Nagle stalls on small responses
  s.set_read_timeout(30, 0);

  s.Post(R"(/v1/streams/([^/]+)/events)", [engine](const httplib::Request& req, httplib::Response& res) {
    const bool keyed = req.has_header("Idempotency-Key");
    const std::string key = keyed ? req.get_header_value("Idempotency-Key") : std::string();
    if (keyed && key.empty()) {
      return SendError(res, Status::InvalidArgument("Idempotency-Key is empty"));
    }
    auto r = engine->Ingest(req.matches[1].str(), req.body, key);
    if (!r.ok()) {
      SendError(res, r.status());
      // The only AlreadyExists of ingest: the key was used with another body.
      if (r.status().code() == StatusCode::kAlreadyExists) res.status = 422;
      return;
    }
    res.status = (r->accepted == 0 && r->rejected > 0) ? 400 : 200;
    if (r->replayed) res.set_header("Idempotent-Replayed", "true");
    res.set_content(IngestResultToJson(*r), "application/json");
  });
  const size_t max_sql_bytes = options_.max_sql_bytes;
  s.Post("/v1/sql", [engine, max_sql_bytes](const httplib::Request& req, httplib::Response& res) {
    if (max_sql_bytes > 0 && req.body.size() > max_sql_bytes) {
      return SendError(
          res, Status::ResourceExhausted("SQL text of " + std::to_string(req.body.size()) +
                                         " bytes exceeds the limit of " + std::to_string(max_sql_bytes) +
                                         " bytes (max_sql_bytes)"));
    }
    auto r = engine->Execute(req.body);
    if (!r.ok()) {
      SendError(res, r.status());
      // A query over its time or row limit: the request was fine, the server refused the work.
      if (r.status().code() == StatusCode::kResourceExhausted) res.status = 429;
      return;
    }
    res.set_content(QueryResultToJson(*r), "application/json");
  });
  s.Post("/v1/batch", [engine](const httplib::Request& req, httplib::Response& res) {
    const bool full = req.has_param("full") && req.get_param_value("full") != "false";
    auto r = engine->RunBatch(full);
    if (!r.ok()) return SendError(res, r.status());
    std::string out = "{\"duration_ms\":" + std::to_string(r->duration_ms) + ",\"views\":[";
    for (size_t i = 0; i < r->views.size(); ++i) {
      const auto& v = r->views[i];
      if (i) out += ',';
      out += "{\"name\":";
      AppendJsonString(v.name, &out);
      out += ",\"version\":" + std::to_string(v.version) + ",\"horizon\":" + std::to_string(v.horizon) +
             ",\"rows_read\":" + std::to_string(v.rows_read) + ",\"groups\":" + std::to_string(v.groups) +
             ",\"full\":" + (v.full ? "true" : "false") + "}";
    }
    out += "]}";
    res.set_content(out, "application/json");
  });
  s.Post("/v1/flush", [engine](const httplib::Request&, httplib::Response& res) {
    Status st = engine->FlushLake();
    if (!st.ok()) return SendError(res, st);
    res.set_content("{\"flushed\":true}", "application/json");
  });
  s.Post("/v1/compact", [engine](const httplib::Request&, httplib::Response& res) {
    auto r = engine->Compact();
    if (!r.ok()) return SendError(res, r.status());
    res.set_content("{\"files_rewritten\":" + std::to_string(*r) + "}", "application/json");
  });
  s.Get("/v1/status", [engine](const httplib::Request&, httplib::Response& res) {
    res.set_content(engine->StatusJson(), "application/json");
  });
  s.Get("/metrics", [engine](const httplib::Request&, httplib::Response& res) {
    res.set_content(engine->MetricsText(), "text/plain; version=0.0.4");
  });
  // The dashboard (docs/dashboard.md): GET / and GET /assets/... from the files embedded at build time.
  auto dashboard = [](const httplib::Request& req, httplib::Response& res) {
    const dashboard::DashboardAsset* a = dashboard::FindDashboardAsset(req.path);
    if (a == nullptr) {
      res.status = 404;  // the error handler writes the JSON error
      return;
    }
    res.set_header("Content-Security-Policy", std::string(dashboard::kDashboardContentSecurityPolicy));
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Cache-Control", "no-cache");
    res.set_content(reinterpret_cast<const char*>(a->data), a->size, std::string(a->content_type));
  };
  s.Get("/", dashboard);
  s.Get(R"(/assets/[^/]+)", dashboard);
  s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"ok\":true}", "application/json");
  });
  const size_t max_body = options_.max_body_bytes;
  s.set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string msg;
    if (res.status == 404) {
      msg = "no such endpoint: " + req.method + " " + req.path;
    } else if (res.status == 413) {
      const std::string length = req.get_header_value("Content-Length");
      msg = "request body" + (length.empty() ? std::string() : " of " + length + " bytes") +
            " exceeds the limit of " + std::to_string(max_body) + " bytes (max_body_bytes)";
    } else {
      msg = "HTTP error " + std::to_string(res.status);
    }
    res.set_content(ErrorJson(Status(StatusCode::kInvalidArgument, msg)), "application/json");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, Status::Internal(what));
  });

  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host);
    if (port_ < 0) return Status::IOError("cannot bind " + options_.host + " to any port");
  } else {
    if (!s.bind_to_port(options_.host, options_.port)) {
      return Status::IOError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (in use?)");
    }
    port_ = options_.port;
  }
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  // Wait until the server accepts connections.
  for (int i = 0; i < 500 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::OK();
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    impl_->server.stop();
    thread_.join();
  }
}

}  // namespace tandem::server
