// Idempotent ingest: the log-payload envelope that carries an Idempotency-Key durably with its events, and
// the per-stream index of the keys seen within the retention window (docs/formats/log.md "Payload",
// docs/formats/data_dir.md "idempotency.tik", docs/http_api.md "Idempotency-Key").
//
// Exactly-once on retries rests on one rule: a key is made durable in the SAME log record as the events it
// admitted, so after a crash at any moment either both exist or neither does. The index is rebuilt on
// open from the persisted key file (keys whose records the batch layer let the log truncate) plus a replay
// of the envelopes still in the log.
//
// Envelope (only on records ingested with a key; other payloads are the bare batch codec bytes, which
// start with "TBC1"):
//   "TIK1" | u16 key length (1..255) | key bytes | u64 FNV-1a-64 of the request body | i64 wall ms | batch
// All integers little-endian.
//
// Thread safety: the free functions are stateless; IdempotencyIndex is not thread-safe (the engine
// guards it). Errors: damaged bytes give Corruption naming what is wrong, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace tandem::engine {

inline constexpr size_t kMaxIdempotencyKeyBytes = 255;

// OK when `key` is 1..255 bytes of printable ASCII (0x21..0x7e); otherwise InvalidArgument naming why.
Status ValidateIdempotencyKey(std::string_view key);
// FNV-1a 64-bit hash of a request body (stable across builds and platforms).
uint64_t BodyHash(std::string_view body);

struct EnvelopeHeader {
  std::string key;
  uint64_t body_hash = 0;
  int64_t time_ms = 0;
};

// Appends the envelope header to `out`; the caller appends the batch payload after it.
void EncodeEnvelopeHeader(const EnvelopeHeader& header, std::string* out);
// Splits a log payload into its envelope (nullopt for a bare batch payload) and the batch bytes.
Result<std::pair<std::optional<EnvelopeHeader>, std::string_view>> SplitPayload(std::string_view payload);

struct IdempotencyRecord {
  uint64_t body_hash = 0;
  int64_t first_offset = 0;  // the record's first offset
  int64_t count = 0;         // events it holds (= accepted)
  int64_t time_ms = 0;       // wall time of the original request
};

// The keys of one stream seen within the retention window: at most `max_keys` (the oldest by request time
// go first) and none older than `retention_ms` (checked against the `now_ms` passed in).
class IdempotencyIndex {
 public:
  IdempotencyIndex(int64_t retention_ms, size_t max_keys)
      : retention_ms_(retention_ms), max_keys_(max_keys) {}

  // The key's record, or nullopt if it was never seen or has expired.
  std::optional<IdempotencyRecord> Find(const std::string& key, int64_t now_ms) const;
  // Adds or replaces a key, then evicts expired keys and the oldest ones beyond max_keys.
  void Put(const std::string& key, const IdempotencyRecord& record, int64_t now_ms);
  size_t size() const { return keys_.size(); }
  bool dirty() const { return dirty_; }
  void clear_dirty() { dirty_ = false; }
  void mark_dirty() { dirty_ = true; }

  // The key file's bytes: "TIKIDX01" | u32 count | entries (u16 key length, key, u64 hash, i64 first
  // offset, i64 count, i64 time ms) | u32 masked CRC-32C of everything before it.
  std::string Serialize() const;
  // Adds every unexpired entry of a key file; Corruption naming `path` if the bytes are damaged.
  Status Load(std::string_view bytes, const std::string& path, int64_t now_ms);

 private:
  void Evict(int64_t now_ms);

  int64_t retention_ms_;
  size_t max_keys_;
  std::map<std::string, IdempotencyRecord> keys_;
  std::set<std::pair<int64_t, std::string>> by_time_;  // (time_ms, key): eviction order
  bool dirty_ = false;
};

}  // namespace tandem::engine
