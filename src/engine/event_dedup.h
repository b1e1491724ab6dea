// Event-id deduplication (DESIGN.md §4, docs/sql.md "event_id"): the pieces the engine composes.
//
// A stream declared WITH (event_id = 'col') counts an event only if it is the FIRST event with that id
// (by offset) — exactly in the batch layer and in SELECT over the stream, and within a window in the
// speed layer: the speed layer drops an event at offset o when an event with the same id has an offset in
// [o - W, o), W = EngineOptions::dedup_window_events. Rows whose id is NULL are never duplicates.
//
// Thread safety: none (the engine guards each instance). Errors: none; these are pure computations.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "columnar/column.h"

namespace tandem::engine {

// The id of row `row` of an event-id column as a hashable key (type-tagged bytes); nullopt for NULL.
std::optional<std::string> EventIdKey(const Column& column, size_t row);

// The rows of `batch` whose keep[i] is non-zero, in order.
RecordBatch FilterRows(const RecordBatch& batch, const std::vector<uint8_t>& keep);

// The speed layer's window: remembers, for every id seen in the last W offsets, its latest offset.
// Observe() must be called in strictly increasing offset order.
class DedupWindow {
 public:
  explicit DedupWindow(int64_t window) : window_(window) {}

  // True when `id` was observed at an offset in [offset - W, offset) (the event is a duplicate to drop).
  // Records the observation either way.
  bool Observe(const std::string& id, int64_t offset);
  // Offsets below this were observed (or skipped): the next Observe must be at or above it.
  int64_t end() const { return end_; }
  void set_end(int64_t end) { end_ = end; }
  size_t size() const { return latest_.size(); }
  int64_t window() const { return window_; }

 private:
  int64_t window_;
  int64_t end_ = 0;
  std::unordered_map<std::string, int64_t> latest_;    // id -> latest offset observed
  std::deque<std::pair<int64_t, std::string>> order_;  // (offset, id) in offset order, for eviction
};

// First occurrence (smallest offset) of each id, for exact deduplication.
using FirstOffsets = std::unordered_map<std::string, int64_t>;

}  // namespace tandem::engine
