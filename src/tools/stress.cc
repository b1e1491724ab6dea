// tandem_stress: concurrent ingest with Idempotency-Key headers, batch / flush / compaction cycles at random
// moments, and queries checked against an expected-state oracle kept outside the data directory (in the
// spirit of RocksDB's db_stress). See workload.h for the oracle and docs/reliability.md.
//
// Targets either a running server (--url http://HOST:PORT; its stream `ev` must be absent or empty) or an
// in-process engine + HTTP server over --data DIR (wiped first).
//
// Each phase: N ingest threads, one chaos thread (POST /v1/batch, /v1/batch?full=true, /v1/flush,
// /v1/compact at random moments) and one checker thread that, while ingest runs, asserts
// acked-before-the-query <= SELECT count(*) <= everything sent (a merged read can never lose an
// acknowledged event or invent one). At the end of a phase: retry lost answers with their keys, then the
// exact check (per request exactly once, per key count and sum, total, every view equal to its recompute
// and to the oracle).
//
// Exit status: 0 on success, 1 on any mismatch (the message names it), 2 on usage/environment errors.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "server/http_server.h"
#include "tools/workload.h"

namespace tandem::tools {
namespace {

struct Options {
  std::string url;
  std::string data;
  int phases = 5;
  int phase_ms = 3000;
  int threads = 4;
  int max_events = 20;
  uint64_t seed = 0;
  std::string idempotency = "auto";
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Run(const Options& o) {
  std::mt19937_64 rng(o.seed ? o.seed : std::random_device{}());
  std::string host = "127.0.0.1";
  int port = 0;
  std::unique_ptr<engine::Engine> eng;
  std::unique_ptr<server::HttpServer> srv;
  if (!o.url.empty()) {
    std::string rest = o.url;
    if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "stress: --url wants http://HOST:PORT, got \"%s\"\n", o.url.c_str());
      return 2;
    }
    host = rest.substr(0, colon);
    port = std::atoi(rest.c_str() + colon + 1);
  } else {
    if (o.data.empty()) {
      std::fprintf(stderr, "stress: give --url of a running server or --data DIR for an in-process engine\n");
      return 2;
    }
    std::error_code ec;
    std::filesystem::remove_all(o.data, ec);
    engine::EngineOptions eo;
    eo.data_dir = o.data;
    eo.flush_interval_ms = 50;
    eo.batch_interval_ms = 400;
    eo.compaction_interval_ms = 1000;
    auto opened = engine::Engine::Open(LocalFileSystem(), eo);
    if (!opened.ok()) {
      std::fprintf(stderr, "stress: %s\n", opened.status().ToString().c_str());
      return 2;
    }
    eng = std::move(*opened);
    server::HttpServerOptions so;
    so.port = 0;
    srv = std::make_unique<server::HttpServer>(eng.get(), so);
    Status st = srv->Start();
    if (!st.ok()) {
      std::fprintf(stderr, "stress: %s\n", st.ToString().c_str());
      return 2;
    }
    port = srv->port();
  }
  auto finish = [&](int code) {
    if (srv) srv->Stop();
    if (eng) eng->Close();
    return code;
  };

  HttpTarget admin(host, port, 120);
  Oracle oracle("stress-" + std::to_string(rng() % 1000000000));
  Status st = CreateSchema(admin);
  if (!st.ok()) {
    std::fprintf(stderr, "stress: creating the schema: %s\n", st.ToString().c_str());
    return finish(2);
  }
  auto existing = admin.QueryRows("SELECT count(*) FROM ev");
  if (!existing.ok() || *existing != "[[0]]") {
    std::fprintf(stderr, "stress: stream ev must start empty (found %s); use a fresh data directory\n",
                 existing.ok() ? existing->c_str() : existing.status().ToString().c_str());
    return finish(2);
  }
  bool idempotency = o.idempotency == "on";
  if (o.idempotency == "auto") {
    auto det = DetectIdempotency(admin, oracle, rng);
    if (!det.ok()) {
      std::fprintf(stderr, "stress: %s\n", det.status().ToString().c_str());
      return finish(1);
    }
    idempotency = *det;
  }
  std::fprintf(stderr, "stress: idempotency keys %s\n", idempotency ? "honoured" : "NOT honoured");

  const int64_t start_ms = NowMs();
  int64_t checks = 0;
  for (int phase = 0; phase < o.phases; ++phase) {
    LoadOptions lo;
    lo.host = host;
    lo.port = port;
    lo.threads = o.threads;
    lo.max_events = o.max_events;
    lo.idempotency = idempotency;
    lo.chaos_max_sleep_ms = 150;
    lo.read_timeout_s = 120;
    std::atomic<int64_t> phase_checks{0};  // declared before `load`, whose threads use it
    LoadRun load(&oracle, lo, rng());
    load.Spawn([&]() -> Status {
      HttpTarget http(host, port, 120);
      while (!load.stopped()) {
        const int64_t lower = oracle.AckedEvents();
        auto rows = http.QueryRows("SELECT count(*) FROM ev");
        const int64_t upper = oracle.UpperBoundEvents();
        if (!rows.ok()) return rows.status();
        const int64_t n = nlohmann::json::parse(*rows).at(0).at(0).get<int64_t>();
        if (n < lower || n > upper) {
          return Status::Internal("during ingest SELECT count(*) FROM ev = " + std::to_string(n) +
                                  ", outside [acknowledged before the query " + std::to_string(lower) +
                                  ", everything sent " + std::to_string(upper) + "]");
        }
        phase_checks.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return Status::OK();
    });
    const int64_t until = NowMs() + o.phase_ms;
    while (NowMs() < until && !load.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    load.RequestStop();
    Status first_error = load.Join();
    checks += phase_checks.load();
    if (first_error.ok() && idempotency) first_error = oracle.RetryPending(admin);
    // No server died: a request without an answer is settled by looking (all or nothing, never twice).
    if (first_error.ok()) first_error = oracle.Verify(admin, /*resolve_maybes=*/true);
    const OracleStats s = oracle.stats();
    if (!first_error.ok()) {
      std::fprintf(stderr, "stress: FAILED in phase %d: %s\n", phase, first_error.ToString().c_str());
      return finish(1);
    }
    std::fprintf(stderr,
                 "stress: phase %d/%d verified: %lld requests acked (%lld events), %lld live checks\n",
                 phase + 1, o.phases, static_cast<long long>(s.acked), static_cast<long long>(s.acked_events),
                 static_cast<long long>(checks));
  }
  const OracleStats s = oracle.stats();
  const double secs = (NowMs() - start_ms) / 1000.0;
  std::printf(
      "stress: OK: %d phases in %.1f s; %lld requests acknowledged (%lld events, %.0f events/s), %lld "
      "retried, "
      "%lld replays, %lld duplicate probes, %lld live count checks; views equal to recompute and oracle\n",
      o.phases, secs, static_cast<long long>(s.acked), static_cast<long long>(s.acked_events),
      secs > 0 ? s.acked_events / secs : 0.0, static_cast<long long>(s.retried),
      static_cast<long long>(s.replays), static_cast<long long>(s.duplicate_probes),
      static_cast<long long>(checks));
  return finish(0);
}

}  // namespace
}  // namespace tandem::tools

int main(int argc, char** argv) {
  tandem::tools::Options o;
  CLI::App app{"Concurrent ingest, batch and compaction against Tandem, checked against an oracle"};
  app.add_option("--url", o.url, "A running server, http://HOST:PORT (stream ev absent or empty)");
  app.add_option("--data", o.data, "Run an in-process engine over this directory (wiped first)");
  app.add_option("--phases", o.phases, "Phases (each ends with an exact check)")->capture_default_str();
  app.add_option("--phase-ms", o.phase_ms, "Length of a phase")->capture_default_str();
  app.add_option("--threads", o.threads, "Concurrent ingest threads")->capture_default_str();
  app.add_option("--max-events", o.max_events, "Events per request, at most")->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed (0: random)")->capture_default_str();
  app.add_option("--idempotency", o.idempotency, "auto | on | off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  return tandem::tools::Run(o);
}
