#include "cli/retry_policy.h"

#include <algorithm>

namespace tandem::cli {

RetryPolicy::RetryPolicy(Options options)
    : options_(options), rng_(options.seed ? options.seed : std::random_device{}()) {
  options_.retries = std::max(0, options_.retries);
  options_.base_delay_ms = std::max<int64_t>(0, options_.base_delay_ms);
  options_.max_delay_ms = std::max(options_.base_delay_ms, options_.max_delay_ms);
}

int64_t RetryPolicy::MaxDelayMs(int retry) const {
  int64_t d = options_.base_delay_ms;
  for (int i = 1; i < retry && d < options_.max_delay_ms; ++i) d *= 2;
  return std::min(d, options_.max_delay_ms);
}

int64_t RetryPolicy::DelayMs(int retry) {
  const int64_t d = MaxDelayMs(retry);
  if (d <= 1) return d;
  std::uniform_int_distribution<int64_t> jitter(d / 2, d);
  return jitter(rng_);
}

int64_t RetryPolicy::MaxTotalWaitMs() const {
  int64_t total = 0;
  for (int r = 1; r <= options_.retries; ++r) total += MaxDelayMs(r);
  return total;
}

bool RetryPolicy::IsRetriableHttpStatus(int status) {
  switch (status) {
    case 408:  // request timeout
    case 429:  // too many requests
    case 502:  // bad gateway (a proxy in front of a restarting server)
    case 503:  // unavailable (shutting down, recovering)
    case 504:  // gateway timeout
    case 507:  // insufficient storage: disk full, may be freed
      return true;
    default: return false;
  }
}

}  // namespace tandem::cli
