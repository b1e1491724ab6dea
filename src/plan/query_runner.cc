#include "plan/query_runner.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>

namespace tandem::plan {

namespace {

// Appends a byte encoding of row `row` of `c` to `key` such that two rows encode equally exactly when
// SQL DISTINCT treats them as equal (NULLs equal each other; for floating point -0.0 equals 0.0 and all
// NaNs are equal).
void AppendRowKey(const Column& c, size_t row, std::string* key) {
  if (c.IsNull(row)) {
    key->push_back('\0');
    return;
  }
  key->push_back('\1');
  switch (c.type().id) {
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double v =
          c.type().id == TypeId::kFloat ? static_cast<double>(c.Value<float>(row)) : c.Value<double>(row);
      if (v == 0) v = 0;  // -0.0 -> +0.0
      if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
      char buf[sizeof v];
      std::memcpy(buf, &v, sizeof v);
      key->append(buf, sizeof v);
      return;
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      const std::string_view s = c.GetString(row);
      const uint64_t n = s.size();
      char buf[sizeof n];
      std::memcpy(buf, &n, sizeof n);
      key->append(buf, sizeof n);
      key->append(s);
      return;
    }
    default: {
      const int w = c.type().FixedWidth();
      key->append(reinterpret_cast<const char*>(c.data().data()) + row * w, w);
      return;
    }
  }
}

// The first occurrence of every distinct row of the first `num_columns` columns, in input order.
RecordBatch DistinctRows(const RecordBatch& batch, size_t num_columns) {
  std::unordered_set<std::string> seen;
  std::vector<uint32_t> keep;
  std::string key;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    key.clear();
    for (size_t c = 0; c < num_columns; ++c) AppendRowKey(batch.column(c), r, &key);
    if (seen.insert(key).second) keep.push_back(static_cast<uint32_t>(r));
  }
  if (keep.size() == batch.num_rows()) return batch;
  return exec::TakeBatch(batch, keep);
}

}  // namespace

Result<std::unique_ptr<QueryRunner>> QueryRunner::Make(QueryPlan plan) {
  std::unique_ptr<QueryRunner> runner(new QueryRunner(std::move(plan)));
  const QueryPlan& p = runner->plan_;
  if (p.aggregates) {
    TANDEM_ASSIGN_OR_RETURN(runner->aggregator_, NewAggregatorFor(p));
  } else {
    Schema projected;
    for (size_t i = 0; i < p.projection.size(); ++i) {
      projected.fields.push_back({p.projection_names[i], p.projection[i]->type, true});
    }
    runner->projected_ = RecordBatch::Empty(projected);
  }
  if (!p.has_from) {
    // `SELECT 1`: one row without columns.
    TANDEM_RETURN_IF_ERROR(runner->Consume(RecordBatch(Schema{}, {}, 1)));
  }
  return runner;
}

bool QueryRunner::HaveEnoughRows() const {
  if (!plan_.limit || plan_.distinct || !plan_.order_by.empty()) return false;
  return projected_.num_rows() >=
         static_cast<uint64_t>(*plan_.limit) + static_cast<uint64_t>(plan_.offset.value_or(0));
}

Status QueryRunner::Consume(const RecordBatch& input) {
  if (finished_) return Status::Internal("QueryRunner::Consume after Finish");
  TANDEM_RETURN_IF_ERROR(CheckInputBatch(plan_, input));
  if (input.num_rows() == 0) return Status::OK();
  if (plan_.aggregates) return ConsumeAggregate(plan_, input, aggregator_.get());
  if (HaveEnoughRows()) return Status::OK();
  const RecordBatch* rows = &input;
  RecordBatch filtered;
  if (plan_.where) {
    TANDEM_ASSIGN_OR_RETURN(Column keep, exec::Evaluate(*plan_.where, input));
    TANDEM_ASSIGN_OR_RETURN(filtered, exec::Filter(input, keep));
    rows = &filtered;
    if (rows->num_rows() == 0) return Status::OK();
  }
  TANDEM_ASSIGN_OR_RETURN(RecordBatch projected,
                          exec::Project(*rows, plan_.projection, plan_.projection_names));
  projected_.AppendBatch(
      RecordBatch(projected_.schema(), std::move(projected.mutable_columns()), projected.num_rows()));
  return Status::OK();
}

size_t QueryRunner::MemoryBytes() const {
  if (aggregator_) return aggregator_->MemoryBytes();
  size_t bytes = 0;
  for (size_t c = 0; c < projected_.num_columns(); ++c) {
    const Column& col = projected_.column(c);
    bytes += col.data().capacity() + col.validity().capacity() + col.offsets().capacity() * sizeof(int64_t) +
             col.chars().capacity();
  }
  return bytes;
}

Result<RecordBatch> QueryRunner::Finish() {
  if (finished_) return Status::Internal("QueryRunner::Finish called twice");
  finished_ = true;
  if (plan_.aggregates) {
    TANDEM_ASSIGN_OR_RETURN(RecordBatch finalized, aggregator_->Finalize());
    aggregator_.reset();
    TANDEM_ASSIGN_OR_RETURN(RecordBatch projected, FinishAggregate(plan_, finalized));
    return FinishProjected(std::move(projected));
  }
  return FinishProjected(std::move(projected_));
}

Result<RecordBatch> QueryRunner::FinishProjected(RecordBatch rows) const {
  const size_t visible = plan_.output_schema.fields.size();
  if (plan_.distinct) rows = DistinctRows(rows, visible);
  const size_t offset = static_cast<size_t>(plan_.offset.value_or(0));
  std::optional<size_t> limit;
  if (plan_.limit) limit = static_cast<size_t>(*plan_.limit);
  if (!plan_.order_by.empty()) {
    TANDEM_ASSIGN_OR_RETURN(rows, exec::SortBatch(rows, plan_.order_by, limit, offset));
  } else if (limit || offset > 0) {
    rows = exec::LimitBatch(rows, limit, offset);
  }
  std::vector<Column>& columns = rows.mutable_columns();
  columns.resize(visible);
  return RecordBatch(plan_.output_schema, std::move(columns), rows.num_rows());
}

Result<RecordBatch> RunQuery(QueryPlan plan, const std::vector<RecordBatch>& batches) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<QueryRunner> runner, QueryRunner::Make(std::move(plan)));
  for (const RecordBatch& b : batches) TANDEM_RETURN_IF_ERROR(runner->Consume(b));
  return runner->Finish();
}

}  // namespace tandem::plan
