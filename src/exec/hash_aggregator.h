// HashAggregator: GROUP BY over columnar batches with mergeable aggregate states.
//
// One plan — N group keys (expressions of any type) and M aggregates — runs in both layers: the batch
// layer consumes millions of rows, the speed layer a few hundred. Consume() evaluates the keys and the
// aggregate arguments vectorized, maps rows to group ids through an open-addressing hash table keyed by
// an encoding of the key values (NULL is a group of its own, as in SQL; -0.0 groups with 0.0 and every
// NaN with every other NaN, and the group's key is the canonical 0.0 / NaN), then updates each
// aggregate's states column-wise.
//
// Merge() folds another aggregator of the same plan into this one; ExportStates()/ImportStates() turn the
// groups into a state table (key columns + AggregateFunction::StateFields columns) and back, so the batch
// layer can persist a view as states and the serving layer can merge batch and speed states. Export and
// Finalize order groups by their keys (ascending, NULLs last), so equal aggregators give identical
// batches: any split of the input into chunks, aggregated in any tree of merges, finalizes to the same
// bytes as one aggregator over all rows (DESIGN.md §2).
//
// A global aggregate (no keys) always has exactly one group: over zero rows it finalizes to one row
// (count 0, sum NULL). Memory: per group, the encoded key plus each aggregate's state (8-24 bytes for
// count/sum/min/max of fixed-width types, a few dozen for sum(DOUBLE), 4 KiB for approx_count_distinct).
// Not thread-safe; use one aggregator per thread and Merge.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/status.h"
#include "exec/aggregate.h"
#include "exec/expression.h"

namespace tandem::exec {

struct GroupKey {
  ExprPtr expr;
  std::string name;  // output column name
};

struct AggregateCall {
  AggregateFunction function;
  ExprPtr argument;  // nullptr for count(*); otherwise of type function.input
  std::string name;  // output column name; also the prefix of its state columns
};

class HashAggregator {
 public:
  // InvalidArgument when an argument's type differs from its function's input type, or a name repeats.
  static Result<HashAggregator> Make(std::vector<GroupKey> keys, std::vector<AggregateCall> aggregates);

  HashAggregator(HashAggregator&&) = default;
  HashAggregator& operator=(HashAggregator&&) = default;

  // Aggregates every row of `batch`, whose columns the key and argument expressions refer to.
  // On error (e.g. an overflow while evaluating an argument) the aggregator is unchanged if the error
  // came from evaluation; an aggregate overflow may leave a partial update — discard the aggregator.
  Status Consume(const RecordBatch& batch);
  // Merges the groups of `other` (same plan) into this aggregator.
  Status Merge(const HashAggregator& other);

  // Key columns then state columns, one row per group, ordered by key.
  Result<RecordBatch> ExportStates() const;
  // Merges a state table (as ExportStates writes it, in any row order) into this aggregator.
  Status ImportStates(const RecordBatch& states);
  // Key columns then one column per aggregate (its final value), one row per group, ordered by key.
  Result<RecordBatch> Finalize() const;

  size_t num_groups() const { return num_groups_; }
  // Heap bytes held (hash table, keys, aggregate states), for the query memory limit. Constant time.
  size_t MemoryBytes() const;
  Schema StateSchema() const;
  Schema OutputSchema() const;

 private:
  struct Slot {
    uint64_t hash;
    uint32_t group;  // kEmpty when unused
  };
  static constexpr uint32_t kEmpty = 0xffffffffu;

  HashAggregator(std::vector<GroupKey> keys, std::vector<AggregateCall> aggregates);
  // Appends to `group_ids` the group of each row of `key_columns` (all of the same length), inserting
  // new groups; processes rows in cache-sized chunks.
  void AssignGroups(const std::vector<const Column*>& key_columns, size_t num_rows,
                    std::vector<uint32_t>* group_ids);
  uint32_t FindOrInsert(const char* key, size_t len, uint64_t hash);
  void Grow();
  void ResizeStates();
  // The key columns decoded from the stored key bytes, one row per group.
  std::vector<Column> DecodeKeys() const;
  // Row order of groups sorted by key.
  Result<std::vector<uint32_t>> SortedGroupOrder(const std::vector<Column>& key_columns) const;
  Status CheckSamePlan(const HashAggregator& other) const;

  std::vector<GroupKey> keys_;
  std::vector<AggregateCall> aggregates_;
  std::vector<std::unique_ptr<AggregateStates>> states_;

  size_t num_groups_ = 0;
  std::vector<Slot> table_;               // power-of-two size, at most half full
  std::string key_arena_;                 // encoded keys of all groups, back to back
  std::vector<uint64_t> key_offsets_{0};  // group g's key is key_arena_[key_offsets_[g], key_offsets_[g+1])

  // Scratch buffers reused across Consume calls (no per-row allocation).
  std::string scratch_keys_;
  std::vector<uint32_t> scratch_offsets_;
  std::vector<uint32_t> scratch_groups_;
};

}  // namespace tandem::exec
