// QueryRunner: executes a QueryPlan (planner.h) over a stream of input batches.
//
// The pipeline: WHERE -> aggregate (HashAggregator) or project -> HAVING -> DISTINCT -> ORDER BY ->
// OFFSET / LIMIT -> the output columns. The serving layer uses it to run a SELECT over a view's merged rows
// or over a stream's lake and log-tail batches; Consume() takes them one at a time, so only the
// aggregation state (aggregating queries) or the projected rows (others) are held in memory.
//
// Batches must have the plan's input schema (same number of columns and the same types; names are not
// checked). For a plan without FROM (`SELECT 1`) Make() feeds the single empty row itself and the caller
// consumes nothing.
//
// Result: a RecordBatch with plan.output_schema. Without ORDER BY the row order is unspecified (for an
// aggregating query it is the HashAggregator's key order, so an equal input gives equal bytes).
// Errors: evaluation errors (division by zero, a failed cast) from Consume or Finish; after an error the
// runner must not be used further. Not thread-safe.
#pragma once

#include <memory>

#include "columnar/column.h"
#include "common/status.h"
#include "exec/hash_aggregator.h"
#include "plan/planner.h"

namespace tandem::plan {

class QueryRunner {
 public:
  static Result<std::unique_ptr<QueryRunner>> Make(QueryPlan plan);

  // Runs one input batch through WHERE and the aggregation or projection.
  Status Consume(const RecordBatch& input);
  // The query's rows. Call once, after the last Consume().
  Result<RecordBatch> Finish();
  // Heap bytes the runner holds between batches: the aggregation state, or the projected rows buffered
  // for ORDER BY / DISTINCT / the result. Constant time (per column). Finish may briefly need about as
  // much again (sorting, the output copy).
  size_t MemoryBytes() const;

  const QueryPlan& plan() const { return plan_; }

 private:
  explicit QueryRunner(QueryPlan plan) : plan_(std::move(plan)) {}

  // HAVING, DISTINCT, ORDER BY, OFFSET / LIMIT and dropping hidden columns, over the projected rows.
  Result<RecordBatch> FinishProjected(RecordBatch projected) const;
  // True once enough rows are buffered to answer a LIMIT without ORDER BY or DISTINCT.
  bool HaveEnoughRows() const;

  QueryPlan plan_;
  std::unique_ptr<exec::HashAggregator> aggregator_;  // aggregating plans
  RecordBatch projected_;                             // other plans: projection of the rows so far
  bool finished_ = false;
};

// Runs `plan` over `batches` in one go.
Result<RecordBatch> RunQuery(QueryPlan plan, const std::vector<RecordBatch>& batches);

}  // namespace tandem::plan
