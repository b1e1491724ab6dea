// Workload and Oracle: the shared core of tandem_stress and tandem_crash_driver.
//
// The workload is one stream `ev` and two views over it (see kStreamSql, Views()). Every ingest request
// carries a unique request id `req` in each of its events and a unique Idempotency-Key, so the oracle can
// tell, for every request, whether the server holds it zero times, once or more.
//
// The Oracle lives outside the data directory (in the tool's memory) and knows every request the tool
// sent and its fate:
//   - kAcked:   the server answered 200 with the expected accepted count: its events must be present
//               exactly once, forever.
//   - kPending: the answer was lost (connection reset, server killed, 5xx): the events may or may not be
//               there. With idempotency keys the tool retries it with the same key and body and the retry's
//               answer decides; without, Verify() resolves it by looking (all or nothing, never twice).
//   - kDropped: a pending request that Verify() found absent after a restart (it can never appear later,
//               since the server that received it is dead); it must stay absent.
// Verify() then checks, over the whole stream: per request exact presence, per key count and sum of `v`,
// the total count, and every view equal to its recompute from scratch over the stream (both ordered).
//
// Thread safety: Oracle is thread-safe. HttpTarget is one connection: one thread at a time.
// Errors: Status with a message that names the request id, key or view and both numbers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace httplib {
class Client;
}

namespace tandem::tools {

inline constexpr const char* kStreamName = "ev";
inline constexpr const char* kStreamSql =
    "CREATE STREAM IF NOT EXISTS ev (ts TIMESTAMP NOT NULL, req BIGINT NOT NULL, k BIGINT NOT NULL, "
    "v BIGINT NOT NULL, x DOUBLE) WITH (event_time = 'ts')";

struct ViewCheck {
  std::string name;
  std::string create_sql;     // CREATE VIEW ...
  std::string select_view;    // SELECT * FROM view ORDER BY ...
  std::string recompute_sql;  // the view's SELECT over the stream, same order
};
const std::vector<ViewCheck>& Views();

// One HTTP connection to a Tandem server.
class HttpTarget {
 public:
  HttpTarget(const std::string& host, int port, int read_timeout_s = 60);
  ~HttpTarget();
  struct Response {
    bool answered = false;  // false: connection failed or reset (no answer)
    int status = 0;
    std::string body;
    bool replayed = false;  // header Idempotent-Replayed: true
    std::string error;      // transport error when !answered
  };
  Response Post(const std::string& path, const std::string& body, const std::string& idempotency_key = "");
  Response Get(const std::string& path);
  // POST /v1/sql; returns the "rows" array as JSON text, or an error naming the statement.
  Result<std::string> QueryRows(const std::string& sql);
  bool Healthy();

 private:
  std::unique_ptr<httplib::Client> client_;
};

struct Request {
  int64_t id = 0;
  std::string key;   // Idempotency-Key
  std::string body;  // NDJSON (kept until the request is settled)
  int64_t good = 0;  // lines the server must accept
  int64_t sum_v = 0;
  std::map<int64_t, std::pair<int64_t, int64_t>> per_key;  // k -> (count, sum v)
  enum class State { kInFlight, kAcked, kPending, kDropped } state = State::kInFlight;
  int attempts = 0;
};

struct OracleStats {
  int64_t requests = 0;
  int64_t acked = 0;
  int64_t acked_events = 0;
  int64_t pending = 0;
  int64_t dropped = 0;
  int64_t resolved_present = 0;  // pending requests Verify() found applied (no idempotency)
  int64_t retried = 0;           // pending requests retried with their key
  int64_t replays = 0;           // answers carrying Idempotent-Replayed: true
  int64_t duplicate_probes = 0;  // acked requests re-sent on purpose (must replay, append nothing)
};

class Oracle {
 public:
  explicit Oracle(std::string key_prefix) : key_prefix_(std::move(key_prefix)) {}

  // Makes a new request of 1..max_events events (a few with a bad line) from `rng`.
  Request* NewRequest(std::mt19937_64& rng, int max_events);
  // Sends `r` (its first attempt or a retry with the same key) and records the fate.
  // Returns an error only for a definite wrong answer (200 with a wrong accepted count, a 4xx).
  Status Send(HttpTarget& http, Request* r, bool idempotency);
  // Re-sends an acked request with its key: the answer must be a replay with the same accepted count.
  Status ProbeDuplicate(HttpTarget& http, std::mt19937_64& rng);
  // Retries every pending request with its original key and body until answered (idempotency on).
  Status RetryPending(HttpTarget& http);
  // The full check (quiescent server: no ingest in flight). resolve_maybes: decide pending requests by
  // looking (only right when the server that got them is dead or idempotency is off).
  Status Verify(HttpTarget& http, bool resolve_maybes);
  // Bounds while ingest runs: acked-before <= count(*) <= acked + in flight + pending (+ resolved).
  int64_t AckedEvents() const;
  int64_t UpperBoundEvents() const;

  OracleStats stats() const;
  std::vector<Request*> PendingRequests();

 private:
  mutable std::mutex mu_;
  std::string key_prefix_;
  std::vector<std::unique_ptr<Request>> requests_;  // index == id
  OracleStats stats_;
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 4;              // ingest threads
  int max_events = 20;          // events per request, at most
  bool idempotency = true;      // send keys; re-send 1 in 50 acked requests as a duplicate probe
  int chaos_max_sleep_ms = 80;  // the chaos thread waits 0..this between its requests
  int read_timeout_s = 60;
  // true: a chaos request that gets no answer is fine (the server is about to be SIGKILLed), and so is any
  // answer once the run is stopping; false: anything but 200 is an error.
  bool server_may_die = false;
};

// Concurrent load on one server, the part tandem_stress and tandem_crash_driver share: `threads` ingest
// threads sending new requests through the oracle, and one chaos thread posting /v1/batch (40%), /v1/flush
// (30%), /v1/compact (20%) and /v1/batch?full=true (10%) at random moments. The threads start in the
// constructor; Spawn adds more (checkers). Every thread stops at the first error, which Join returns.
// Thread safety: Spawn, RequestStop, Join and stopped from the owning thread; stopped from any thread.
class LoadRun {
 public:
  LoadRun(Oracle* oracle, LoadOptions options, uint64_t seed);
  ~LoadRun();  // RequestStop + Join
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Runs `body` on a new thread; it should loop until stopped(). An error it returns stops the run.
  void Spawn(std::function<Status()> body);
  bool stopped() const { return stop_.load(); }
  // Asks every thread to finish its current request and return.
  void RequestStop() { stop_.store(true); }
  // Waits for every thread; returns the first error any of them reported (OK if none).
  Status Join();

 private:
  void Record(const Status& error);

  Oracle* oracle_;
  LoadOptions options_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  Status first_error_;
  std::vector<std::thread> threads_;
};

// Detects whether the server honours Idempotency-Key (sends one request twice, adds it to the oracle).
Result<bool> DetectIdempotency(HttpTarget& http, Oracle& oracle, std::mt19937_64& rng);
// Creates the stream and the views (IF NOT EXISTS).
Status CreateSchema(HttpTarget& http);

}  // namespace tandem::tools
