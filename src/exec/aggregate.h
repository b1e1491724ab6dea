// Mergeable aggregate functions: resolution (LookupAggregate), and their states for many groups
// (AggregateStates): update, merge, finalize, and conversion to and from typed state columns.
//
// The ledger (DESIGN.md §2) needs every aggregate in a view to be a mergeable state whose merged answer
// equals a recompute from scratch, bit for bit. So:
//   count(*), count(x)   -> BIGINT; state BIGINT.
//   sum(INTEGER|BIGINT)  -> BIGINT, accumulated exactly in 128 bits; a final value outside BIGINT is an
//                           error at Finalize ("sum(...) is out of range for BIGINT") — we return BIGINT
//                           where PostgreSQL returns NUMERIC, and refuse rather than wrap. Because the
//                           check is on the exact total, the outcome does not depend on order or merges.
//                           State DECIMAL(38,0) (NULL = no rows).
//   sum(DECIMAL(p,s))    -> DECIMAL(38,s); state DECIMAL(38,s).
//   sum(FLOAT|DOUBLE)    -> DOUBLE, computed with ExactSum (exact, correctly rounded once), so the result
//                           is independent of order and of how partial states were merged. State BLOB
//                           (ExactSum::Serialize; NULL = no rows).
//   avg(numeric)         -> DOUBLE = exact sum / count (one rounding of the exact sum, then one division).
//                           State: the sum column as above and a BIGINT count.
//   min(x), max(x)       -> x's type, for every orderable type (numbers, VARCHAR and BLOB bytewise,
//                           DATE, TIMESTAMP, BOOLEAN). DOUBLE uses a total order: -0.0 < +0.0, NaN above
//                           +Infinity (as PostgreSQL), so the winner is unique. State: x's type.
//   approx_count_distinct(x) -> BIGINT; HyperLogLog with 2^12 registers (standard error about 1.6%),
//                           hashing the value's canonical bytes with xxhash64 (seed 0), registers merged
//                           by max: merged registers equal registers built from all the rows. State BLOB.
// Every aggregate ignores NULL arguments (count(*) counts rows). Over no rows, count is 0 and the others
// are NULL.
//
// Anything else — count(DISTINCT x), median, string_agg, ... — is refused by LookupAggregate with a
// message that says why and what to use instead. Not thread-safe; one AggregateStates per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "common/status.h"

namespace tandem::exec {

enum class AggregateKind : uint8_t { kCountStar, kCount, kSum, kMin, kMax, kAvg, kApproxCountDistinct };

class AggregateStates;

// A resolved aggregate: which function, on which argument type, with which result type.
struct AggregateFunction {
  AggregateKind kind = AggregateKind::kCountStar;
  DataType input;  // the argument's type (unused for count(*))
  DataType result;

  // "sum(BIGINT)", "count(*)".
  std::string ToString() const;
  // The state columns of this aggregate in a state table, named `prefix` when there is one column and
  // `prefix + "$sum"`, `prefix + "$count"` when there are two (avg).
  std::vector<Field> StateFields(const std::string& prefix) const;
  // Fresh states with zero groups.
  std::unique_ptr<AggregateStates> CreateStates() const;
};

// Resolves `name` (case-insensitive) applied to arguments of `arg_types` (empty for count(*)).
// Non-mergeable or unknown aggregates, and wrong argument types, are InvalidArgument, e.g.
// "aggregate count(DISTINCT ...) cannot be maintained incrementally: it is not mergeable; use
// approx_count_distinct(x)".
Result<AggregateFunction> LookupAggregate(const std::string& name, bool distinct,
                                          const std::vector<DataType>& arg_types);

// The states of one aggregate for groups 0..num_groups()-1, stored column-wise. Every method works on
// whole columns; there is no per-row virtual call.
class AggregateStates {
 public:
  virtual ~AggregateStates() = default;

  const AggregateFunction& function() const { return function_; }
  size_t num_groups() const { return num_groups_; }
  // Grows (or shrinks) to `n` groups; new groups are empty.
  virtual void Resize(size_t n) = 0;

  // Adds row i of `arg` (of type function().input; nullptr for count(*)) to group group_ids[i], for
  // i < num_rows. Every group id must be < num_groups().
  virtual Status UpdateGrouped(const uint32_t* group_ids, const Column* arg, size_t num_rows) = 0;
  // Adds every row to group 0 (created if there are no groups).
  Status Update(const Column* arg, size_t num_rows);
  // Merges group g of `other` (same function) into group group_map[g], for every group of other.
  virtual Status Merge(const AggregateStates& other, const uint32_t* group_map) = 0;
  // The final value of every group, as a column of function().result.
  virtual Result<Column> Finalize() const = 0;
  // Heap bytes held by the states (capacity, not size), for the query memory limit. Constant time.
  virtual size_t MemoryBytes() const = 0;

  // Appends StateFields().size() columns with one row per group.
  virtual void ExportStates(std::vector<Column>* out) const = 0;
  // Merges state row i of `columns` (as written by ExportStates) into group group_map[i], for
  // i < num_rows. Corruption when the columns do not have the state types.
  virtual Status ImportStates(const std::vector<const Column*>& columns, const uint32_t* group_map,
                              size_t num_rows) = 0;

 protected:
  explicit AggregateStates(AggregateFunction f) : function_(std::move(f)) {}
  AggregateFunction function_;
  size_t num_groups_ = 0;

 private:
  std::vector<uint32_t> zeros_;  // group ids for Update
};

}  // namespace tandem::exec
