// `tandem demo`: a clickstream end to end. It starts every layer in this process with an HTTP server,
// creates a stream and three views, sends a realistic clickstream over HTTP (users, pages, countries,
// devices, latencies; late and out-of-order events; a few bad lines), shows the merged answers updating
// live while batch views publish, and ends with a summary that checks the ledger invariant: each view's
// merged answer equals a recompute from scratch over every acknowledged event. The first line it prints
// is the URL of the dashboard (docs/dashboard.md), live while the demo runs; with --forever the traffic
// never stops.
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "cli/command.h"
#include "engine/engine.h"
#include "server/http_server.h"

namespace tandem::cli {

namespace {

using nlohmann::json;

struct DemoView {
  const char* name;
  const char* sql;
};

const DemoView kViews[] = {
    {"page_traffic",
     "SELECT page, count(*) AS views, avg(latency_ms) AS avg_ms, max(latency_ms) AS max_ms FROM clicks GROUP "
     "BY page"},
    {"per_minute",
     "SELECT date_trunc('minute', ts) AS minute, count(*) AS events, "
     "sum(CASE WHEN status >= 500 THEN 1 ELSE 0 END) AS errors, avg(latency_ms) AS avg_ms FROM clicks GROUP "
     "BY 1"},
    {"by_country",
     "SELECT country, device, count(*) AS events, min(ts) AS first_seen, max(ts) AS last_seen "
     "FROM clicks GROUP BY country, device"},
};

class ClickGenerator {
 public:
  explicit ClickGenerator(uint32_t seed) : rng_(seed) {}

  // One request body of `n` lines; `bad` counts the deliberately bad lines.
  std::string Body(int n, int* bad) {
    std::string body;
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    for (int i = 0; i < n; ++i) {
      const int roll = Uniform(0, 999);
      if (roll < 3) {
        body += "{\"ts\": \"yesterday\", \"user_id\": 1, \"page\": \"/\"}\n";
        ++*bad;
        continue;
      }
      if (roll < 5) {
        body += "{\"ts\": " + std::to_string(now_ms) + ", \"page\": \"/cart\"\n";  // truncated JSON
        ++*bad;
        continue;
      }
      json j;
      int64_t ts = now_ms - Uniform(0, 1500);                           // out of order within a second or two
      if (Uniform(0, 49) == 0) ts -= int64_t{Uniform(1, 180)} * 60000;  // late: minutes to hours
      j["ts"] = ts;
      const int64_t user = static_cast<int64_t>(std::pow(Uniform01(), 3) * 20000);  // a few very active users
      j["user_id"] = user;
      j["session"] = "s" + std::to_string(user) + "-" + std::to_string(ts / 1800000);
      j["page"] = Page();
      j["country"] = Pick({"US", "US", "US", "DE", "DE", "FR", "GB", "GB", "IN", "BR", "JP", "CA"});
      j["device"] = Pick({"desktop", "desktop", "mobile", "mobile", "mobile", "tablet"});
      const double latency = std::exp(std::normal_distribution<double>(3.6, 0.6)(rng_));
      j["latency_ms"] = std::round(latency * 10) / 10;
      const int s = Uniform(0, 999);
      j["status"] = s < 960 ? 200 : (s < 990 ? 404 : 503);
      if (Uniform(0, 9) == 0) j["referrer"] = "https://search.example/?q=" + std::to_string(Uniform(1, 99));
      body += j.dump();
      body += '\n';
    }
    return body;
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Uniform01() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::string Pick(std::initializer_list<const char*> options) {
    auto it = options.begin();
    std::advance(it, Uniform(0, static_cast<int>(options.size()) - 1));
    return *it;
  }
  std::string Page() {
    const int r = Uniform(0, 99);
    if (r < 25) return "/";
    if (r < 40) return "/search";
    if (r < 75) return "/product/" + std::to_string(static_cast<int>(std::pow(Uniform01(), 2) * 40));
    if (r < 88) return "/cart";
    if (r < 95) return "/checkout";
    return "/account";
  }
  std::mt19937 rng_;
};

std::string Cell(const json& v, int width) {
  std::string s = v.is_null() ? "NULL" : (v.is_string() ? v.get<std::string>() : v.dump());
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f", v.get<double>());
    s = buf;
  }
  if (static_cast<int>(s.size()) > width) s = s.substr(0, width);
  return std::string(width - s.size(), ' ') + s;
}

}  // namespace

void AddDemoCommand(CLI::App* app, Action* action) {
  auto* cmd =
      app->add_subcommand("demo", "Run a live clickstream through every layer and show merged answers.");
  auto seconds = std::make_shared<int>(30);
  auto forever = std::make_shared<bool>(false);
  auto data = std::make_shared<std::string>();
  auto rate = std::make_shared<int>(20000);
  auto port = std::make_shared<int>(-1);
  cmd->add_option("--seconds", *seconds, "How long to run")->capture_default_str();
  cmd->add_flag("--forever", *forever, "Keep running until Ctrl-C");
  cmd->add_option("--data", *data, "Data directory (default: a fresh temporary one)");
  cmd->add_option("--rate", *rate, "Events per second to send")->capture_default_str();
  cmd->add_option("--port", *port,
                  "HTTP port of the API and the dashboard while the demo runs (0: any free port; default: "
                  "8080, or any free port when 8080 is taken)");
  cmd->callback([=] {
    *action = [=]() -> Status {
      std::string dir = *data;
      if (dir.empty()) {
        char tmpl[] = "/tmp/tandem-demo-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) return Status::IOError("cannot create a temporary directory");
        dir = tmpl;
      }
      engine::EngineOptions eo;
      eo.data_dir = dir;
      eo.flush_interval_ms = 500;
      eo.batch_interval_ms = 5000;
      eo.compaction_interval_ms = 15000;
      TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                              engine::Engine::Open(LocalFileSystem(), eo));
      server::HttpServerOptions so;
      so.port = *port < 0 ? 8080 : *port;
      auto http_owner = std::make_unique<server::HttpServer>(engine.get(), so);
      Status started = http_owner->Start();
      if (!started.ok() && *port < 0) {  // 8080 is taken: any free port will do
        so.port = 0;
        http_owner = std::make_unique<server::HttpServer>(engine.get(), so);
        started = http_owner->Start();
      }
      TANDEM_RETURN_IF_ERROR(started);
      server::HttpServer& http = *http_owner;
      const std::string url = "http://127.0.0.1:" + std::to_string(http.port());
      std::printf("Dashboard: %s/   (live while the demo runs%s)\n", url.c_str(),
                  *forever ? "; Ctrl-C to stop" : "; --forever keeps it running");
      std::printf("Tandem demo: data in %s, HTTP API on %s\n", dir.c_str(), url.c_str());
      std::fflush(stdout);
      std::printf(
          "  try: tandem sql --server %s \"SELECT * FROM page_traffic ORDER BY views DESC LIMIT 5\"\n\n",
          url.c_str());

      httplib::Client client(url);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(120, 0);
      auto sql = [&](const std::string& q) -> Result<json> {
        auto res = client.Post("/v1/sql", q, "text/plain");
        if (!res) return Status::IOError("demo: HTTP request failed");
        json j = json::parse(res->body, nullptr, false);
        if (res->status != 200) return Status::Internal("demo: " + q + ": " + res->body);
        return j;
      };
      TANDEM_RETURN_IF_ERROR(
          sql("CREATE STREAM IF NOT EXISTS clicks (ts TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, session "
              "VARCHAR, "
              "page VARCHAR NOT NULL, country VARCHAR, device VARCHAR, latency_ms DOUBLE, status INTEGER, "
              "referrer VARCHAR) WITH (event_time = 'ts')")
              .status());
      for (const DemoView& v : kViews) {
        TANDEM_RETURN_IF_ERROR(
            sql(std::string("CREATE VIEW IF NOT EXISTS ") + v.name + " AS " + v.sql).status());
      }

      // The generator sends requests of ~200 events at the requested rate over its own connection.
      std::atomic<bool> stop{false};
      std::atomic<int64_t> sent{0}, accepted{0}, rejected{0}, bad_sent{0};
      std::thread producer([&] {
        httplib::Client pc(url);
        pc.set_tcp_nodelay(true);
        ClickGenerator gen(42);
        const int per_request = 200;
        const auto start = std::chrono::steady_clock::now();
        while (!stop.load()) {
          int bad = 0;
          std::string body = gen.Body(per_request, &bad);
          auto res = pc.Post("/v1/streams/clicks/events", body, "application/x-ndjson");
          if (res && (res->status == 200 || res->status == 400)) {
            json j = json::parse(res->body, nullptr, false);
            if (j.is_object()) {
              accepted += j.value("accepted", int64_t{0});
              rejected += j.value("rejected", int64_t{0});
            }
          }
          sent += per_request;
          bad_sent += bad;
          const double due_s = static_cast<double>(sent.load()) / std::max(1, *rate);
          std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(due_s * 1e6)));
        }
      });

      const bool tty = isatty(STDOUT_FILENO);
      const auto t0 = std::chrono::steady_clock::now();
      Status failure;
      int tick = 0;
      while (true) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!*forever && elapsed >= *seconds) break;
        ++tick;
        auto top = sql("SELECT page, views, avg_ms FROM page_traffic ORDER BY views DESC, page LIMIT 5");
        auto minutes =
            sql("SELECT minute, events, errors, avg_ms FROM per_minute ORDER BY minute DESC LIMIT 3");
        json status = json::parse(engine->StatusJson(), nullptr, false);
        if (!top.ok() || !minutes.ok()) {
          failure = top.ok() ? minutes.status() : top.status();
          break;
        }
        if (tty) {
          std::printf("\x1b[2J\x1b[H");
          std::printf("Tandem demo  %5.1fs   dashboard: %s/\n\n", elapsed, url.c_str());
          std::printf("  events accepted %lld   lines rejected %lld   (%.0f events/s)\n\n",
                      static_cast<long long>(accepted.load()), static_cast<long long>(rejected.load()),
                      accepted.load() / std::max(elapsed, 0.001));
          std::printf("  %-24s %8s %10s %14s %8s\n", "view", "batch v", "horizon", "speed epochs", "groups");
          for (const json& v : status["views"]) {
            std::printf("  %-24s %8lld %10lld %14zu %8lld\n", v["name"].get<std::string>().c_str(),
                        static_cast<long long>(v["batch_version"].get<int64_t>()),
                        static_cast<long long>(v["horizon"].get<int64_t>()), v["epochs"].size(),
                        static_cast<long long>(v["groups"].get<int64_t>()));
          }
          std::printf("\n  top pages (merged batch + speed)          %8s %8s\n", "views", "avg ms");
          for (const json& r : (*top)["rows"]) {
            std::printf("  %-40s %s %s\n", r[0].get<std::string>().c_str(), Cell(r[1], 8).c_str(),
                        Cell(r[2], 8).c_str());
          }
          std::printf("\n  last minutes                             %8s %8s %8s\n", "events", "errors",
                      "avg ms");
          for (const json& r : (*minutes)["rows"]) {
            std::printf("  %-40s %s %s %s\n", r[0].get<std::string>().c_str(), Cell(r[1], 8).c_str(),
                        Cell(r[2], 8).c_str(), Cell(r[3], 8).c_str());
          }
          std::fflush(stdout);
        } else if (tick % 5 == 0) {
          const json& v0 = status["views"][0];
          std::printf(
              "[%5.1fs] accepted %lld, rejected %lld; %s: batch v%lld horizon %lld, %zu speed epochs; "
              "top page %s (%s views)\n",
              elapsed, static_cast<long long>(accepted.load()), static_cast<long long>(rejected.load()),
              v0["name"].get<std::string>().c_str(),
              static_cast<long long>(v0["batch_version"].get<int64_t>()),
              static_cast<long long>(v0["horizon"].get<int64_t>()), v0["epochs"].size(),
              (*top)["rows"].empty() ? "-" : (*top)["rows"][0][0].get<std::string>().c_str(),
              (*top)["rows"].empty() ? "0" : (*top)["rows"][0][1].dump().c_str());
          std::fflush(stdout);
        }
      }
      stop.store(true);
      producer.join();
      TANDEM_RETURN_IF_ERROR(failure);

      // Summary: one more batch cycle, then the invariant for every view.
      auto batch = engine->RunBatch(false);
      if (!batch.ok()) return batch.status();
      std::printf(
          "\nSummary\n  events sent %lld (of which %lld deliberately bad): accepted %lld, rejected %lld\n",
          static_cast<long long>(sent.load()), static_cast<long long>(bad_sent.load()),
          static_cast<long long>(accepted.load()), static_cast<long long>(rejected.load()));
      bool all_equal = true;
      for (const DemoView& v : kViews) {
        auto merged = sql(std::string("SELECT * FROM ") + v.name + " ORDER BY 1, 2");
        auto recomputed = sql(std::string(v.sql) + " ORDER BY 1, 2");
        if (!merged.ok() || !recomputed.ok()) return merged.ok() ? recomputed.status() : merged.status();
        const bool equal = (*merged)["rows"] == (*recomputed)["rows"];
        all_equal = all_equal && equal;
        std::printf("  view %-14s %5zu rows   merged (batch ⊕ speed) %s recompute from scratch\n", v.name,
                    (*merged)["rows"].size(), equal ? "==" : "!=");
      }
      json status = json::parse(engine->StatusJson(), nullptr, false);
      for (const json& s : status["streams"]) {
        std::printf("  stream %s: %lld events in the log, lake horizon %lld in %lld Parquet files\n",
                    s["name"].get<std::string>().c_str(), static_cast<long long>(s["events"].get<int64_t>()),
                    static_cast<long long>(s["lake_horizon"].get<int64_t>()),
                    static_cast<long long>(s["lake_files"].get<int64_t>()));
      }
      std::printf("  data directory: %s\n", dir.c_str());
      http.Stop();
      engine->Close();
      if (accepted.load() == 0) return Status::Internal("the demo accepted no events");
      if (!all_equal)
        return Status::Internal("a merged view differs from its recompute: the ledger invariant broke");
      std::printf("  every merged answer equals the recompute from scratch over all acknowledged events\n");
      return Status::OK();
    };
  });
}

}  // namespace tandem::cli
