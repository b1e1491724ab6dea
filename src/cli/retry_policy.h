// RetryPolicy: when and how long `tandem ingest` waits before re-sending a request.
//
// Retried: no answer at all (connection refused or lost, timeouts) and the HTTP statuses that say "later"
// — 408, 429, 502, 503, 504 and 507 (storage full). Never retried: any other status, in particular every
// other 4xx (the request itself is wrong and would fail again) and 500 (a server bug). The idempotency key
// of the request makes every retry harmless.
//
// Retry r (1-based) waits a random time in [d/2, d] with d = min(max_delay_ms, base_delay_ms * 2^(r-1))
// (exponential backoff with jitter, so clients that failed together do not return together). A request
// is sent at most 1 + retries times, so the total wait for one request is at most MaxTotalWaitMs().
// Not thread-safe (the random generator).
#pragma once

#include <cstdint>
#include <random>

namespace tandem::cli {

class RetryPolicy {
 public:
  struct Options {
    int retries = 10;
    int64_t base_delay_ms = 250;
    int64_t max_delay_ms = 10000;
    uint64_t seed = 0;  // 0: from std::random_device
  };

  explicit RetryPolicy(Options options);

  int retries() const { return options_.retries; }
  // The upper bound d of the wait before retry `retry` (1-based).
  int64_t MaxDelayMs(int retry) const;
  // The wait before retry `retry`: random in [MaxDelayMs/2, MaxDelayMs].
  int64_t DelayMs(int retry);
  // Sum of MaxDelayMs over every retry: the longest one request can spend waiting.
  int64_t MaxTotalWaitMs() const;

  static bool IsRetriableHttpStatus(int status);

 private:
  Options options_;
  std::mt19937_64 rng_;
};

}  // namespace tandem::cli
