// `tandem serve | sql | batch | compact`: the server and its clients (`ingest` is ingest_command.cc).
#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command.h"
#include "cli/progress.h"
#include "engine/engine.h"
#include "server/http_server.h"

namespace tandem::cli {

namespace {

using nlohmann::json;

std::atomic<bool> g_stop{false};
void OnSignal(int) {
  g_stop.store(true);
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument("--listen wants HOST:PORT, got \"" + listen + "\"");
  const std::string host = listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    return Status::InvalidArgument("--listen wants HOST:PORT, got \"" + listen + "\"");
  }
  if (port < 0 || port > 65535) return Status::InvalidArgument("port out of range in \"" + listen + "\"");
  return std::make_pair(host, port);
}

Status ErrorFromResponse(const httplib::Result& res, const std::string& server) {
  if (!res) {
    return Status::IOError("cannot reach " + server + ": " + httplib::to_string(res.error()) +
                           " (is `tandem serve` running?)");
  }
  const std::string from = " (HTTP " + std::to_string(res->status) + " from " + server + ")";
  json j = json::parse(res->body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    return Status::InvalidArgument(j["error"].get<std::string>() + from);
  }
  return Status::Internal("unexpected answer" + from + ": " + res->body.substr(0, 500));
}

std::string CellText(const json& v) {
  if (v.is_null()) return "NULL";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// Prints {"columns", "rows"} as an aligned table, psql style.
void PrintTable(const json& result) {
  const json& cols = result["columns"];
  const json& rows = result["rows"];
  if (cols.empty()) {
    std::printf("%s\n", result.value("tag", std::string("OK")).c_str());
    return;
  }
  std::vector<size_t> width(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) width[c] = cols[c]["name"].get<std::string>().size();
  for (const json& row : rows) {
    for (size_t c = 0; c < cols.size(); ++c) width[c] = std::max(width[c], CellText(row[c]).size());
  }
  auto line = [&](const std::vector<std::string>& cells, const std::vector<bool>& right) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) out += " | ";
      const std::string pad(width[c] - cells[c].size(), ' ');
      out += right[c] ? pad + cells[c] : cells[c] + pad;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::printf(" %s\n", out.c_str());
  };
  std::vector<std::string> header;
  std::vector<bool> numeric;
  for (const json& c : cols) {
    header.push_back(c["name"].get<std::string>());
    const std::string t = c["type"].get<std::string>();
    numeric.push_back(t == "BIGINT" || t == "INTEGER" || t == "DOUBLE" || t == "FLOAT" || t == "UBIGINT" ||
                      t.rfind("DECIMAL", 0) == 0);
  }
  line(header, std::vector<bool>(cols.size(), false));
  std::string sep;
  for (size_t c = 0; c < cols.size(); ++c) sep += (c ? "-+-" : "") + std::string(width[c], '-');
  std::printf("-%s-\n", sep.c_str());
  for (const json& row : rows) {
    std::vector<std::string> cells;
    for (size_t c = 0; c < cols.size(); ++c) cells.push_back(CellText(row[c]));
    line(cells, numeric);
  }
  std::printf("(%zu row%s)\n", rows.size(), rows.size() == 1 ? "" : "s");
}

// Sends POST `path` on a worker thread and, while it runs, shows `label` with the elapsed time (the server
// reports no progress for these operations, so nothing more is shown). Returns the answer.
httplib::Result PostShowingElapsed(httplib::Client* client, const std::string& path,
                                   const std::string& label) {
  std::packaged_task<httplib::Result()> task([client, path] { return client->Post(path, "", "text/plain"); });
  std::future<httplib::Result> answer = task.get_future();
  std::thread worker(std::move(task));
  Progress::Options po;
  po.label = label;
  po.terminal = Progress::IsTerminal(stderr);
  Progress progress(stderr, po);
  Progress::Counters waiting;
  waiting.note = "waiting for the server (it does not report progress)";
  while (answer.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
    progress.Update(waiting);
  progress.Finish();
  worker.join();
  return answer.get();
}

}  // namespace

void AddServerCommands(CLI::App* app, Action* action) {
  // serve
  {
    auto* cmd =
        app->add_subcommand("serve", "Run every layer (log, lake, batch, speed, serving) in one process.");
    auto data = std::make_shared<std::string>("tandem-data");
    auto listen = std::make_shared<std::string>("127.0.0.1:8080");
    auto flush_ms = std::make_shared<int64_t>(1000);
    auto batch_ms = std::make_shared<int64_t>(60000);
    cmd->add_option("--data", *data, "Data directory (created if missing)")->capture_default_str();
    cmd->add_option("--listen", *listen, "HOST:PORT for the HTTP API")->capture_default_str();
    cmd->add_option("--flush-interval-ms", *flush_ms, "Lake flush interval")->capture_default_str();
    cmd->add_option("--batch-interval-ms", *batch_ms, "Batch cycle interval (0: only on request)")
        ->capture_default_str();
    // Limits and retention (docs/http_api.md "Limits"); defaults are EngineOptions' own.
    auto limits = std::make_shared<engine::EngineOptions>();
    cmd->add_option("--flush-bytes", limits->flush_bytes,
                    "Also flush the lake as soon as this many log payload bytes wait (0: timer only)")
        ->capture_default_str();
    cmd->add_option("--max-body-bytes", limits->max_body_bytes, "Largest request body (413 above it)")
        ->capture_default_str();
    cmd->add_option("--max-line-bytes", limits->max_line_bytes, "Longest NDJSON line (a row error above it)")
        ->capture_default_str();
    cmd->add_option("--max-sql-bytes", limits->max_sql_bytes, "Longest SQL statement (413 above it)")
        ->capture_default_str();
    cmd->add_option("--max-stream-columns", limits->max_stream_columns, "Most columns in CREATE STREAM")
        ->capture_default_str();
    cmd->add_option("--query-timeout-ms", limits->query_timeout_ms, "SELECT deadline (429 past it; 0: none)")
        ->capture_default_str();
    cmd->add_option("--max-query-rows", limits->max_query_rows,
                    "Rows a SELECT may materialise (429 above it; 0: no limit)")
        ->capture_default_str();
    cmd->add_option(
           "--max-query-memory-bytes", limits->max_query_memory_bytes,
           "Bytes of aggregation state or buffered rows a SELECT may hold (429 above it; 0: no limit)")
        ->capture_default_str();
    cmd->add_option("--idempotency-retention-ms", limits->idempotency_retention_ms,
                    "How long Idempotency-Keys are remembered")
        ->capture_default_str();
    cmd->add_option("--idempotency-max-keys", limits->idempotency_max_keys,
                    "Most Idempotency-Keys remembered per stream (oldest forgotten first)")
        ->capture_default_str();
    cmd->add_option("--dedup-window-events", limits->dedup_window_events,
                    "Speed-layer event-id window, in offsets (the batch layer drops every duplicate)")
        ->capture_default_str();
    cmd->callback([=] {
      *action = [=]() -> Status {
        TANDEM_ASSIGN_OR_RETURN(auto hp, ParseListen(*listen));
        engine::EngineOptions eo = *limits;
        eo.data_dir = *data;
        eo.flush_interval_ms = *flush_ms;
        eo.batch_interval_ms = *batch_ms;
        TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                                engine::Engine::Open(LocalFileSystem(), eo));
        server::HttpServerOptions so;
        so.host = hp.first;
        so.port = hp.second;
        so.max_body_bytes = eo.max_body_bytes;
        so.max_sql_bytes = eo.max_sql_bytes;
        server::HttpServer http(engine.get(), so);
        TANDEM_RETURN_IF_ERROR(http.Start());
        std::signal(SIGINT, OnSignal);
        std::signal(SIGTERM, OnSignal);
        std::fprintf(stderr, "tandem: serving %s on http://%s:%d (Ctrl-C to stop)\n", data->c_str(),
                     hp.first.c_str(), http.port());
        while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::fprintf(stderr, "tandem: stopping\n");
        http.Stop();
        engine->Close();
        return Status::OK();
      };
    });
  }
  // sql
  {
    auto* cmd = app->add_subcommand("sql", "Run one SQL statement on a server and print the result.");
    auto server = std::make_shared<std::string>("http://127.0.0.1:8080");
    auto query = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("--server", *server, "Server URL")->capture_default_str();
    cmd->add_flag("--json", *as_json, "Print the JSON response instead of a table");
    cmd->add_option("query", *query, "The SQL statement")->required();
    cmd->callback([=] {
      *action = [=]() -> Status {
        httplib::Client client(*server);
        client.set_tcp_nodelay(true);
        client.set_read_timeout(600, 0);
        auto res = client.Post("/v1/sql", *query, "text/plain");
        if (!res || res->status != 200) return ErrorFromResponse(res, *server);
        if (*as_json) {
          std::printf("%s\n", res->body.c_str());
        } else {
          PrintTable(json::parse(res->body));
        }
        return Status::OK();
      };
    });
  }
  // batch
  {
    auto* cmd = app->add_subcommand("batch", "Run a batch cycle now: recompute and publish every view.");
    auto server = std::make_shared<std::string>("http://127.0.0.1:8080");
    auto full = std::make_shared<bool>(false);
    cmd->add_option("--server", *server, "Server URL")->capture_default_str();
    cmd->add_flag("--full", *full, "Recompute from the whole lake instead of incrementally");
    cmd->callback([=] {
      *action = [=]() -> Status {
        httplib::Client client(*server);
        client.set_tcp_nodelay(true);
        client.set_read_timeout(3600, 0);
        auto res = PostShowingElapsed(&client, *full ? "/v1/batch?full=true" : "/v1/batch",
                                      *full ? "full batch cycle" : "batch cycle");
        if (!res || res->status != 200) return ErrorFromResponse(res, *server);
        json j = json::parse(res->body);
        for (const json& v : j["views"]) {
          std::printf(
              "%-24s version %lld  horizon %lld  %lld events read  %lld groups%s\n",
              v["name"].get<std::string>().c_str(), static_cast<long long>(v["version"].get<int64_t>()),
              static_cast<long long>(v["horizon"].get<int64_t>()),
              static_cast<long long>(v["rows_read"].get<int64_t>()),
              static_cast<long long>(v["groups"].get<int64_t>()), v["full"].get<bool>() ? "  (full)" : "");
        }
        std::printf("batch cycle took %lld ms\n", static_cast<long long>(j["duration_ms"].get<int64_t>()));
        return Status::OK();
      };
    });
  }
  // compact
  {
    auto* cmd =
        app->add_subcommand("compact", "Compact the lake now: rewrite small Parquet files into larger ones.");
    auto server = std::make_shared<std::string>("http://127.0.0.1:8080");
    cmd->add_option("--server", *server, "Server URL")->capture_default_str();
    cmd->callback([=] {
      *action = [=]() -> Status {
        httplib::Client client(*server);
        client.set_tcp_nodelay(true);
        client.set_read_timeout(3600, 0);
        const auto started = std::chrono::steady_clock::now();
        auto res = PostShowingElapsed(&client, "/v1/compact", "compaction");
        if (!res || res->status != 200) return ErrorFromResponse(res, *server);
        json j = json::parse(res->body, nullptr, false);
        if (!j.is_object() || !j.contains("files_rewritten")) return ErrorFromResponse(res, *server);
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                .count();
        std::printf("compaction rewrote %lld files in %lld ms\n",
                    static_cast<long long>(j["files_rewritten"].get<int64_t>()), static_cast<long long>(ms));
        return Status::OK();
      };
    });
  }
}

}  // namespace tandem::cli
