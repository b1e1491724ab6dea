// Planner: a parsed SELECT (sql::SelectStmt) bound against an input schema, as a QueryPlan that
// QueryRunner executes, or — for CREATE VIEW — as a ViewPlan that the batch and speed layers run.
//
// A QueryPlan is the pipeline
//   WHERE -> [GROUP BY keys + aggregates] -> HAVING -> projection -> DISTINCT -> ORDER BY -> OFFSET/LIMIT
// with every expression bound (exec::Expression) and typed. Resolution rules, as in PostgreSQL:
//   - A query aggregates when it has GROUP BY or HAVING, or an aggregate call in the select list, HAVING
//     or ORDER BY. Its select list, HAVING and ORDER BY are then bound over the aggregate output (the
//     group keys followed by the aggregate results): a sub-expression equal to a GROUP BY expression
//     (sql::Expr::Equals, or the same once bound: `lower(e.page)` for `GROUP BY lower(page)`) reads
//     that key; an aggregate call reads its result; any other column is an error: `column "page" must appear
//     in the GROUP BY clause or be used in an aggregate function`.
//   - GROUP BY items: an integer is a 1-based position in the select list; a bare name is an input
//     column, else an output alias.
//   - ORDER BY items: an integer is a position in the select list; a bare name is an output column name
//     (alias or derived name), else an input column; any other expression equal to a select item sorts by
//     that item, otherwise by a hidden column computed for the sort (not allowed with DISTINCT).
//     ASC sorts NULLs last and DESC sorts them first unless NULLS FIRST / LAST says otherwise.
//   - `*` and `t.*` expand to the input columns in schema order.
//   - Output names: the alias; else a column's name; else a function's name ("count", "date_trunc");
//     "case" for CASE; a CAST takes its operand's name; else "?column?".
// Aggregates are looked up with exec::LookupAggregate, which refuses those that are not mergeable
// (count(DISTINCT x), median, ...); ad-hoc SELECTs refuse them as well for now, with the same message.
//
// Errors are InvalidArgument with the position of the node at fault ("line 1, column 8: ...").
// Plans are immutable after planning; several threads may run the same plan at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "common/status.h"
#include "exec/aggregate.h"
#include "exec/expression.h"
#include "exec/hash_aggregator.h"
#include "exec/sort.h"
#include "sql/ast.h"

namespace tandem::plan {

// One aggregate call of a query, e.g. `sum(price)`.
struct AggregateSpec {
  std::string function;  // lower-case name: "count", "sum", ...
  bool distinct = false;
  bool star = false;                      // count(*)
  exec::ExprPtr argument;                 // bound over the input; null for count(*)
  exec::AggregateFunction function_spec;  // as resolved by exec::LookupAggregate
  DataType result_type;
  std::string text;  // canonical SQL of the call, "sum(price)"; also its column name in the
                     // aggregate output (made unique with a "#2" suffix if need be), and the
                     // prefix of its state columns
  sql::SourcePos pos;
};

struct QueryPlan {
  Schema input_schema;
  bool has_from = true;  // false for `SELECT 1`: the query runs over one row without columns

  exec::ExprPtr where;  // over the input; null when there is no WHERE

  bool aggregates = false;
  std::vector<exec::ExprPtr> group_keys;  // over the input (after WHERE)
  std::vector<std::string> group_key_names;
  std::vector<AggregateSpec> aggregate_calls;
  // The rows HAVING and the projection of an aggregating query read: group keys, then aggregate results.
  Schema aggregate_schema;
  exec::ExprPtr having;  // over aggregate_schema; null when there is no HAVING

  // Over aggregate_schema (aggregating) or the input. The first `output_schema.fields.size()` columns
  // are the result; any further ones are hidden sort columns, dropped after sorting.
  std::vector<exec::ExprPtr> projection;
  std::vector<std::string> projection_names;
  Schema output_schema;

  bool distinct = false;
  // Keys over the projection's columns; `nulls` is always explicit (kFirst or kLast).
  std::vector<exec::SortKey> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

// Plans an ad-hoc SELECT over rows of `input`.
Result<QueryPlan> PlanSelect(const sql::SelectStmt& select, const Schema& input);

// A view: an aggregating SELECT without DISTINCT / ORDER BY / LIMIT / OFFSET, all of whose aggregates
// are mergeable. The layers run it in two halves:
//   per batch:  plan.Consume(batch, aggregator.get())   (WHERE, then HashAggregator::Consume)
//               aggregators of different batches, epochs or runs merge (HashAggregator::Merge, or
//               ExportStates / ImportStates);
//   at the end: plan.Finish(aggregator->Finalize())     (HAVING and the select list)
// Immutable; shareable between threads.
class ViewPlan {
 public:
  explicit ViewPlan(QueryPlan query) : query_(std::move(query)) {}

  // An empty aggregator for this view's group keys and aggregates. Never null (PlanView has checked
  // that the configuration is valid).
  std::unique_ptr<exec::HashAggregator> NewAggregator() const;
  // Filters `input` (rows of the stream schema: InvalidArgument when its column count or types differ)
  // by WHERE and feeds the rest to `aggregator`.
  Status Consume(const RecordBatch& input, exec::HashAggregator* aggregator) const;
  // HAVING and the select list over HashAggregator::Finalize() output: the view's rows, with
  // output_schema(). Keeps the finalized row order.
  Result<RecordBatch> Finish(const RecordBatch& finalized) const;

  const Schema& stream_schema() const { return query_.input_schema; }
  const Schema& output_schema() const { return query_.output_schema; }
  // The plan of `SELECT <the view's query>`; QueryRunner runs it in one go.
  const QueryPlan& query() const { return query_; }

 private:
  QueryPlan query_;
};

// Plans the SELECT of a CREATE VIEW over events of `stream_schema`. Refusals (InvalidArgument):
//   "a view must aggregate: add GROUP BY or an aggregate function"
//   DISTINCT / ORDER BY / LIMIT / OFFSET ("a view is a set of rows ...")
//   a non-mergeable aggregate (the exec lookup's message, with the call's position)
//   two output columns with the same name;
//   an error of the pipeline run once over no events (both halves), e.g. a constant that cannot be cast.
// A plan returned here is complete: nothing about the definition is left to fail later.
Result<ViewPlan> PlanView(const sql::SelectStmt& select, const Schema& stream_schema);

// The pieces of a plan that QueryRunner and ViewPlan share.
// OK when `batch` has the plan's input column count and types (names are not compared).
Status CheckInputBatch(const QueryPlan& plan, const RecordBatch& batch);
// An empty HashAggregator for `plan`'s group keys and aggregates.
Result<std::unique_ptr<exec::HashAggregator>> NewAggregatorFor(const QueryPlan& plan);
// Filters `input` by `plan`'s WHERE and feeds the remaining rows to `aggregator`.
Status ConsumeAggregate(const QueryPlan& plan, const RecordBatch& input, exec::HashAggregator* aggregator);
// HAVING, then plan.projection (hidden sort columns included), over HashAggregator::Finalize() output.
Result<RecordBatch> FinishAggregate(const QueryPlan& plan, const RecordBatch& finalized);

}  // namespace tandem::plan
