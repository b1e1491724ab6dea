// SpeedView: the speed layer's state for one view — partial aggregates per epoch (DESIGN.md §2).
//
// Epoch k holds the aggregate states of exactly the events with offsets in [start_k, end_k); the last
// epoch is open (end = +inf). The engine cuts an epoch at each batch boundary B (Cut) and, once the batch
// view with horizon B is published, drops the epochs below it (DropBelow) in the same critical section,
// so a query never sees an event twice or misses one.
//
// Events are applied by offset, not by arrival time: Apply() puts a record's events into the epoch that
// contains its first offset (a record never straddles a cut: cuts are at durable record boundaries), and
// ignores events below the first epoch (the batch view covers them). So concurrent requests may apply in
// any order.
//
// Not thread-safe: the engine guards each SpeedView with its view's mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "columnar/column.h"
#include "common/status.h"
#include "exec/hash_aggregator.h"
#include "plan/planner.h"

namespace tandem::speed {

class SpeedView {
 public:
  struct EpochInfo {
    int64_t start = 0;
    int64_t end = -1;    // -1: open
    int64_t events = 0;  // events applied
    int64_t groups = 0;
  };

  // One open epoch starting at `start`.
  SpeedView(std::shared_ptr<const plan::ViewPlan> plan, int64_t start);

  // Applies the events of one log record (offsets [first_offset, first_offset + events.num_rows())).
  // Returns false (and does nothing) when the record lies below the first epoch.
  Result<bool> Apply(int64_t first_offset, const RecordBatch& events);
  // Ends the open epoch at `boundary` and opens a new one there. A no-op when boundary <= the open
  // epoch's start.
  void Cut(int64_t boundary);
  // Drops every epoch that ends at or below `horizon`.
  void DropBelow(int64_t horizon);
  // Merges every epoch's states into `into`.
  Status MergeInto(exec::HashAggregator* into) const;

  int64_t start() const { return epochs_.front().start; }
  std::vector<EpochInfo> epochs() const;

 private:
  struct Epoch {
    int64_t start;
    int64_t end;  // -1: open
    int64_t events = 0;
    std::unique_ptr<exec::HashAggregator> states;
  };
  std::shared_ptr<const plan::ViewPlan> plan_;
  std::vector<Epoch> epochs_;  // sorted by start, contiguous, never empty; the last is open
};

}  // namespace tandem::speed
