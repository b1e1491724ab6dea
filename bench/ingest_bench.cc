// Durable ingest throughput and acknowledgement-to-visible latency, over the real HTTP path.
//
// Starts an engine and its HTTP server in this process (data in a temporary directory on local disk),
// creates a clickstream stream and an aggregate view, then:
//  1. Throughput: C client threads, each with a keep-alive connection, POST bodies of B events of about
//     150 bytes until N events are acknowledged. Every acknowledgement means the events are fdatasync'ed
//     in the log (group commit) and applied to the speed layer. Reports events/s and MB/s.
//  2. Freshness: while a background load runs at a fraction of the measured maximum, a probe sends one
//     event with a unique page and, from the moment the ingest request returns (the acknowledgement),
//     queries the view until the event is counted. Reports p50/p99/p99.9 of that ack-to-visible time
//     and of the ingest request itself.
// Usage: tandem_ingest_bench [--events N] [--clients C] [--batch B] [--probes P] [--json FILE]
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "server/http_server.h"

using namespace tandem;
using Clock = std::chrono::steady_clock;

namespace {

std::string MakeBody(std::mt19937& rng, int n, int64_t base_ms) {
  static const char* kPages[] = {"/",        "/search",     "/cart",     "/checkout",
                                 "/account", "/product/17", "/product/3"};
  static const char* kCountries[] = {"US", "DE", "FR", "GB", "IN", "BR", "JP", "CA"};
  std::string body;
  body.reserve(n * 160);
  char line[256];
  for (int i = 0; i < n; ++i) {
    const int len = std::snprintf(
        line, sizeof(line),
        "{\"ts\":%lld,\"user_id\":%u,\"session\":\"s%08x%08x\",\"page\":\"%s\",\"country\":\"%s\","
        "\"device\":\"mobile\",\"latency_ms\":%.1f,\"status\":200}\n",
        static_cast<long long>(base_ms + i), static_cast<unsigned>(rng() % 100000),
        static_cast<unsigned>(rng()), static_cast<unsigned>(rng()), kPages[rng() % 7], kCountries[rng() % 8],
        (rng() % 5000) / 10.0);
    body.append(line, len);
  }
  return body;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t total_events = 2'000'000;
  int clients = 4, batch = 1000, probes = 500;
  std::string json_out;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events"))
      total_events = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--clients"))
      clients = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch"))
      batch = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--probes"))
      probes = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--json"))
      json_out = argv[i + 1];
  }
  char tmpl[] = "/tmp/tandem-ingest-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  engine::EngineOptions eo;
  eo.data_dir = tmpl;
  eo.batch_interval_ms = 0;  // measure ingest, not batch cycles (the lake writer still runs every second)
  auto engine = engine::Engine::Open(LocalFileSystem(), eo);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().ToString().c_str());
    return 1;
  }
  server::HttpServerOptions so;
  so.port = 0;
  server::HttpServer http(engine->get(), so);
  if (!http.Start().ok()) return 1;
  const int port = http.port();
  auto sql = [&](const std::string& q) {
    auto r = (*engine)->Execute(q);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", q.c_str(), r.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(*r);
  };
  sql("CREATE STREAM clicks (ts TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, session VARCHAR, page VARCHAR, "
      "country VARCHAR, device VARCHAR, latency_ms DOUBLE, status INTEGER) WITH (event_time = 'ts')");
  sql("CREATE VIEW pages AS SELECT page, count(*) AS n, avg(latency_ms) AS ms FROM clicks GROUP BY page");

  // 1. Throughput.
  std::vector<std::string> bodies;
  {
    std::mt19937 rng(1);
    for (int i = 0; i < 16; ++i) bodies.push_back(MakeBody(rng, batch, 1714557600000 + i * batch));
  }
  const double avg_event_bytes = static_cast<double>(bodies[0].size()) / batch;
  std::atomic<int64_t> acked{0};
  std::atomic<int64_t> failures{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client cl("127.0.0.1", port);
      cl.set_keep_alive(true);
      cl.set_tcp_nodelay(true);
      size_t k = c;
      while (acked.load() < total_events) {
        auto res = cl.Post("/v1/streams/clicks/events", bodies[k++ % bodies.size()], "application/x-ndjson");
        if (!res || res->status != 200) {
          failures++;
          continue;
        }
        acked += batch;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double eps = acked.load() / secs;
  std::printf(
      "durable ingest: %lld events (%.0f bytes each) in %.2f s = %.0f events/s, %.1f MB/s "
      "(%d clients, %d events per request, %lld failed requests)\n",
      static_cast<long long>(acked.load()), avg_event_bytes, secs, eps, eps * avg_event_bytes / 1e6, clients,
      batch, static_cast<long long>(failures.load()));

  // 2. Freshness under a steady background load of half the measured maximum.
  std::atomic<bool> stop{false};
  const double load_eps = eps / 2;
  std::thread loader([&] {
    httplib::Client cl("127.0.0.1", port);
    cl.set_tcp_nodelay(true);
    const auto start = Clock::now();
    int64_t sent = 0;
    size_t k = 0;
    while (!stop.load()) {
      auto res = cl.Post("/v1/streams/clicks/events", bodies[k++ % bodies.size()], "application/x-ndjson");
      if (res && res->status == 200) sent += batch;
      std::this_thread::sleep_until(start +
                                    std::chrono::microseconds(static_cast<int64_t>(sent / load_eps * 1e6)));
    }
  });
  httplib::Client probe("127.0.0.1", port);
  probe.set_tcp_nodelay(true);
  std::vector<double> visible_ms, ack_ms;
  for (int p = 0; p < probes; ++p) {
    const std::string page = "/probe/" + std::to_string(p);
    const std::string body = "{\"ts\":1714557600000,\"user_id\":1,\"page\":\"" + page + "\"}\n";
    const auto send = Clock::now();
    auto res = probe.Post("/v1/streams/clicks/events", body, "application/x-ndjson");
    const auto ack = Clock::now();
    if (!res || res->status != 200) continue;
    const std::string q = "SELECT n FROM pages WHERE page = '" + page + "'";
    while (true) {
      auto r = probe.Post("/v1/sql", q, "text/plain");
      if (r && r->status == 200 && r->body.find("[[1]]") != std::string::npos) break;
    }
    const auto seen = Clock::now();
    ack_ms.push_back(std::chrono::duration<double, std::milli>(ack - send).count());
    visible_ms.push_back(std::chrono::duration<double, std::milli>(seen - ack).count());
  }
  stop = true;
  loader.join();
  std::printf("ingest request latency under load: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms\n",
              Percentile(ack_ms, 0.5), Percentile(ack_ms, 0.99), Percentile(ack_ms, 0.999));
  std::printf(
      "ack-to-visible (ack until a query over the merged view returns the event): p50 %.3f ms, "
      "p99 %.3f ms, p99.9 %.3f ms (%zu probes)\n",
      Percentile(visible_ms, 0.5), Percentile(visible_ms, 0.99), Percentile(visible_ms, 0.999),
      visible_ms.size());
  if (!json_out.empty()) {
    nlohmann::json j = {
        {"events", acked.load()},
        {"seconds", secs},
        {"events_per_second", eps},
        {"event_bytes", avg_event_bytes},
        {"clients", clients},
        {"events_per_request", batch},
        {"ingest_latency_ms", {{"p50", Percentile(ack_ms, 0.5)}, {"p99", Percentile(ack_ms, 0.99)}}},
        {"ack_to_visible_ms",
         {{"p50", Percentile(visible_ms, 0.5)},
          {"p99", Percentile(visible_ms, 0.99)},
          {"p999", Percentile(visible_ms, 0.999)}}}};
    FILE* f = std::fopen(json_out.c_str(), "w");
    if (f) {
      std::fputs(j.dump(2).c_str(), f);
      std::fclose(f);
    }
  }
  http.Stop();
  (*engine)->Close();
  std::filesystem::remove_all(tmpl);
  return 0;
}
