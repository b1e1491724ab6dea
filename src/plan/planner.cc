#include "plan/planner.h"

#include <set>
#include <utility>

#include "plan/binder.h"

namespace tandem::plan {

namespace {

// A select-list entry after `*` expansion.
struct OutputItem {
  const sql::Expr* expr = nullptr;
  std::string name;
  sql::SourcePos pos;
};

std::string DerivedName(const sql::Expr& expr) {
  switch (expr.kind) {
    case sql::ExprKind::kColumnRef: return expr.As<sql::ColumnRef>().column;
    case sql::ExprKind::kFunctionCall: return expr.As<sql::FunctionCall>().name;
    case sql::ExprKind::kCase: return "case";
    case sql::ExprKind::kCast: return DerivedName(*expr.As<sql::CastExpr>().operand);
    default: return "?column?";
  }
}

bool IsBareName(const sql::Expr& expr) {
  return expr.kind == sql::ExprKind::kColumnRef && expr.As<sql::ColumnRef>().table.empty();
}

// The 1-based position an integer literal names, if `expr` is one.
std::optional<int64_t> Ordinal(const sql::Expr& expr) {
  if (expr.kind != sql::ExprKind::kLiteral) return std::nullopt;
  const Value& v = expr.As<sql::Literal>().value;
  if (v.is_null()) return std::nullopt;
  if (v.type().id != TypeId::kInt64 && v.type().id != TypeId::kInt32) return std::nullopt;
  return v.int_value();
}

// `e` as a filter predicate: BOOLEAN (a NULL literal becomes a BOOLEAN NULL), or an error.
exec::ExprResult AsPredicate(const exec::ExprPtr& e, const char* clause, const sql::Expr& at) {
  if (e->type.id == TypeId::kBoolean) return e;
  if (e->IsNullLiteral()) return exec::ex::Null(DataType::Boolean());
  return WithPosition(Status::InvalidArgument(std::string("argument of ") + clause +
                                              " must be type BOOLEAN, not type " + e->type.ToString()),
                      at.pos);
}

// Structural equality of bound expressions: same operations on the same input columns and literals.
bool SameExpression(const exec::Expression& a, const exec::Expression& b) {
  if (a.kind != b.kind || a.type != b.type || a.children.size() != b.children.size()) return false;
  switch (a.kind) {
    case exec::ExprKind::kColumn:
      if (a.column_index != b.column_index) return false;
      break;
    case exec::ExprKind::kLiteral:
      if (!(a.literal == b.literal)) return false;
      break;
    case exec::ExprKind::kArithmetic:
      if (a.arith_op != b.arith_op) return false;
      break;
    case exec::ExprKind::kCompare:
      if (a.compare_op != b.compare_op) return false;
      break;
    case exec::ExprKind::kFunction:
      if (a.function != b.function || a.date_trunc_unit != b.date_trunc_unit ||
          a.round_has_digits != b.round_has_digits || a.round_digits != b.round_digits) {
        return false;
      }
      break;
    case exec::ExprKind::kInSet:
      if (a.in_list_has_null != b.in_list_has_null || a.in_sets.size() != b.in_sets.size()) return false;
      for (size_t i = 0; i < a.in_sets.size(); ++i) {
        if (!(*a.in_sets[i] == *b.in_sets[i])) return false;
      }
      break;
    default: break;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameExpression(*a.children[i], *b.children[i])) return false;
  }
  return true;
}

// Plans one SELECT; keeps the state the binding hooks share.
class SelectPlanner {
 public:
  SelectPlanner(const sql::SelectStmt& select, const Schema& input) : select_(select) {
    if (select.from) plan_.input_schema = input;  // without FROM there are no input columns
    plan_.has_from = select.from.has_value();
    if (select.from)
      qualifiers_.push_back(select.from->alias.empty() ? select.from->name : select.from->alias);
  }

  Result<QueryPlan> Plan();

 private:
  Status ExpandSelectList();
  Status PlanWhere();
  Status ResolveGroupBy();
  bool NeedsAggregation() const;
  Status BindGroupKeys();
  // Binds `expr` over the aggregate output (aggregating) or the input.
  exec::ExprResult BindOutputExpr(const sql::Expr& expr, const std::string& clause);
  Result<exec::ExprPtr> AggregateHook(const sql::Expr& expr);
  Result<exec::ExprPtr> AddAggregate(const sql::FunctionCall& call);
  Status PlanOrderBy();
  Status BuildAggregateSchema();

  const sql::SelectStmt& select_;
  QueryPlan plan_;
  std::vector<std::string> qualifiers_;
  std::vector<sql::ExprPtr> synthesized_;  // column refs made for `*`
  std::vector<OutputItem> items_;
  std::vector<const sql::Expr*> group_exprs_;  // after ordinal / alias resolution
  std::vector<int> group_columns_;             // input column of a bare-column key, else -1
  bool has_expression_keys_ = false;           // some key is not a bare column
  std::vector<const sql::FunctionCall*> aggregate_exprs_;
  std::set<std::string> used_names_;  // of the aggregate output columns

  // `base`, or `base#2`, `base#3`, ... when taken.
  std::string UniqueName(const std::string& base) {
    std::string name = base;
    for (int i = 2; !used_names_.insert(name).second; ++i) name = base + "#" + std::to_string(i);
    return name;
  }
};

Status SelectPlanner::ExpandSelectList() {
  const Schema& input = plan_.input_schema;
  for (const sql::SelectItem& item : select_.items) {
    if (!item.is_star) {
      items_.push_back(
          {item.expr.get(), item.alias.empty() ? DerivedName(*item.expr) : item.alias, item.pos});
      continue;
    }
    if (!select_.from) {
      return WithPosition(Status::InvalidArgument("SELECT * with no tables specified is not valid"),
                          item.pos);
    }
    if (!item.star_table.empty() &&
        std::find(qualifiers_.begin(), qualifiers_.end(), item.star_table) == qualifiers_.end()) {
      return WithPosition(
          Status::InvalidArgument("missing FROM-clause entry for table \"" + item.star_table + "\""),
          item.pos);
    }
    for (const Field& f : input.fields) {
      synthesized_.push_back(std::make_unique<sql::ColumnRef>(item.pos, "", f.name));
      items_.push_back({synthesized_.back().get(), f.name, item.pos});
    }
  }
  return Status::OK();
}

Status SelectPlanner::PlanWhere() {
  if (!select_.where) return Status::OK();
  Binder binder(plan_.input_schema, qualifiers_, "WHERE");
  TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr where, binder.Bind(*select_.where));
  TANDEM_ASSIGN_OR_RETURN(plan_.where, AsPredicate(where, "WHERE", *select_.where));
  return Status::OK();
}

Status SelectPlanner::ResolveGroupBy() {
  for (const sql::ExprPtr& g : select_.group_by) {
    const sql::Expr* resolved = g.get();
    if (std::optional<int64_t> ordinal = Ordinal(*g)) {
      if (*ordinal < 1 || *ordinal > static_cast<int64_t>(items_.size())) {
        return WithPosition(Status::InvalidArgument("GROUP BY position " + std::to_string(*ordinal) +
                                                    " is not in select list"),
                            g->pos);
      }
      resolved = items_[*ordinal - 1].expr;
    } else if (IsBareName(*g) && plan_.input_schema.FindField(g->As<sql::ColumnRef>().column) < 0) {
      // Not an input column: maybe an output alias.
      for (const OutputItem& item : items_) {
        if (item.name == g->As<sql::ColumnRef>().column) {
          resolved = item.expr;
          break;
        }
      }
    }
    if (ContainsAggregate(*resolved)) {
      return WithPosition(Status::InvalidArgument("aggregate functions are not allowed in GROUP BY"), g->pos);
    }
    group_exprs_.push_back(resolved);
  }
  return Status::OK();
}

bool SelectPlanner::NeedsAggregation() const {
  if (!select_.group_by.empty() || select_.having) return true;
  for (const OutputItem& item : items_) {
    if (ContainsAggregate(*item.expr)) return true;
  }
  for (const sql::OrderItem& o : select_.order_by) {
    if (ContainsAggregate(*o.expr)) return true;
  }
  return false;
}

Status SelectPlanner::BindGroupKeys() {
  Binder binder(plan_.input_schema, qualifiers_, "GROUP BY");
  for (const sql::Expr* g : group_exprs_) {
    TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr key, binder.Bind(*g));
    plan_.group_keys.push_back(key);
    plan_.group_key_names.push_back(UniqueName(g->ToString()));
    group_columns_.push_back(key->kind == exec::ExprKind::kColumn ? key->column_index : -1);
    if (key->kind != exec::ExprKind::kColumn) has_expression_keys_ = true;
  }
  return Status::OK();
}

Result<exec::ExprPtr> SelectPlanner::AggregateHook(const sql::Expr& expr) {
  // A GROUP BY expression (or a column naming the same input column as a bare-column key).
  int column = -2;
  for (size_t k = 0; k < group_exprs_.size(); ++k) {
    bool match = expr.Equals(*group_exprs_[k]);
    if (!match && expr.kind == sql::ExprKind::kColumnRef && group_columns_[k] >= 0) {
      if (column == -2) {
        Binder binder(plan_.input_schema, qualifiers_, "");
        TANDEM_ASSIGN_OR_RETURN(column, binder.ResolveColumn(expr.As<sql::ColumnRef>()));
      }
      match = column == group_columns_[k];
    }
    if (match) {
      const exec::ExprPtr& key = plan_.group_keys[k];
      return exec::ex::Col(static_cast<int>(k), key->type, plan_.group_key_names[k]);
    }
  }
  if (expr.kind == sql::ExprKind::kFunctionCall &&
      IsAggregateFunctionName(expr.As<sql::FunctionCall>().name)) {
    return AddAggregate(expr.As<sql::FunctionCall>());
  }
  // An expression written differently from a GROUP BY expression but meaning the same, such as
  // lower(e.page) for GROUP BY lower(page): compare the bound forms.
  if (has_expression_keys_ && expr.kind != sql::ExprKind::kColumnRef &&
      expr.kind != sql::ExprKind::kLiteral && !ContainsAggregate(expr)) {
    Binder binder(plan_.input_schema, qualifiers_, "");
    Result<exec::ExprPtr> bound = binder.Bind(expr);
    if (bound.ok()) {
      for (size_t k = 0; k < plan_.group_keys.size(); ++k) {
        if (group_columns_[k] < 0 && SameExpression(**bound, *plan_.group_keys[k])) {
          return exec::ex::Col(static_cast<int>(k), plan_.group_keys[k]->type, plan_.group_key_names[k]);
        }
      }
    }
  }
  if (expr.kind == sql::ExprKind::kColumnRef) {
    const auto& ref = expr.As<sql::ColumnRef>();
    Binder binder(plan_.input_schema, qualifiers_, "");
    TANDEM_RETURN_IF_ERROR(binder.ResolveColumn(ref).status());  // unknown columns first
    const std::string name = (ref.table.empty() ? "" : ref.table + ".") + ref.column;
    return WithPosition(Status::InvalidArgument("column \"" + name +
                                                "\" must appear in the GROUP BY clause or be used in an "
                                                "aggregate function"),
                        expr.pos);
  }
  return exec::ExprPtr();
}

Result<exec::ExprPtr> SelectPlanner::AddAggregate(const sql::FunctionCall& call) {
  const size_t num_keys = plan_.group_keys.size();
  for (size_t j = 0; j < aggregate_exprs_.size(); ++j) {
    if (call.Equals(*aggregate_exprs_[j])) {
      const AggregateSpec& a = plan_.aggregate_calls[j];
      return exec::ex::Col(static_cast<int>(num_keys + j), a.result_type, a.text);
    }
  }
  AggregateSpec a;
  a.function = call.name;
  a.distinct = call.distinct;
  a.star = call.star;
  a.text = UniqueName(call.ToString());
  a.pos = call.pos;
  std::vector<DataType> arg_types;
  if (call.star) {
    if (call.name != "count") {
      return WithPosition(Status::InvalidArgument(call.name + "(*) is not valid; only count(*) takes *"),
                          call.pos);
    }
  }
  Binder binder(plan_.input_schema, qualifiers_, "aggregate arguments");
  binder.set_hook([](const sql::Expr& e) -> Result<exec::ExprPtr> {
    if (e.kind == sql::ExprKind::kFunctionCall && IsAggregateFunctionName(e.As<sql::FunctionCall>().name)) {
      return WithPosition(Status::InvalidArgument("aggregate function calls cannot be nested"), e.pos);
    }
    return exec::ExprPtr();
  });
  std::vector<exec::ExprPtr> args;
  for (const sql::ExprPtr& arg : call.args) {
    TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr bound, binder.Bind(*arg));
    arg_types.push_back(bound->type);
    args.push_back(std::move(bound));
  }
  Result<exec::AggregateFunction> fn = exec::LookupAggregate(call.name, call.distinct, arg_types);
  if (!fn.ok()) return WithPosition(fn.status(), call.pos);
  a.function_spec = *fn;
  if (!args.empty()) a.argument = args[0];
  a.result_type = fn->result;
  plan_.aggregate_calls.push_back(std::move(a));
  aggregate_exprs_.push_back(&call);
  const AggregateSpec& added = plan_.aggregate_calls.back();
  return exec::ex::Col(static_cast<int>(num_keys + plan_.aggregate_calls.size() - 1), added.result_type,
                       added.text);
}

exec::ExprResult SelectPlanner::BindOutputExpr(const sql::Expr& expr, const std::string& clause) {
  Binder binder(plan_.input_schema, qualifiers_, clause);
  if (plan_.aggregates) {
    binder.set_hook([this](const sql::Expr& e) { return AggregateHook(e); });
  }
  return binder.Bind(expr);
}

Status SelectPlanner::PlanOrderBy() {
  const size_t visible = items_.size();
  for (const sql::OrderItem& o : select_.order_by) {
    int column = -1;
    if (std::optional<int64_t> ordinal = Ordinal(*o.expr)) {
      if (*ordinal < 1 || *ordinal > static_cast<int64_t>(visible)) {
        return WithPosition(Status::InvalidArgument("ORDER BY position " + std::to_string(*ordinal) +
                                                    " is not in select list"),
                            o.expr->pos);
      }
      column = static_cast<int>(*ordinal - 1);
    }
    if (column < 0 && IsBareName(*o.expr)) {
      const std::string& name = o.expr->As<sql::ColumnRef>().column;
      for (size_t i = 0; i < visible; ++i) {
        if (items_[i].name != name) continue;
        if (column >= 0 && !items_[i].expr->Equals(*items_[column].expr)) {
          return WithPosition(Status::InvalidArgument("ORDER BY \"" + name + "\" is ambiguous"), o.expr->pos);
        }
        if (column < 0) column = static_cast<int>(i);
      }
    }
    if (column < 0) {
      for (size_t i = 0; i < visible; ++i) {
        if (o.expr->Equals(*items_[i].expr)) {
          column = static_cast<int>(i);
          break;
        }
      }
    }
    if (column < 0) {
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr e, BindOutputExpr(*o.expr, "ORDER BY"));
      if (plan_.distinct) {
        return WithPosition(
            Status::InvalidArgument("for SELECT DISTINCT, ORDER BY expressions must appear in select list"),
            o.expr->pos);
      }
      column = static_cast<int>(plan_.projection.size());
      plan_.projection.push_back(std::move(e));
      plan_.projection_names.push_back(o.expr->ToString());
    }
    exec::SortKey key;
    key.column = static_cast<size_t>(column);
    key.descending = o.descending;
    const bool nulls_first =
        o.nulls == sql::NullsOrder::kFirst || (o.nulls == sql::NullsOrder::kDefault && o.descending);
    key.nulls = nulls_first ? exec::SortKey::Nulls::kFirst : exec::SortKey::Nulls::kLast;
    plan_.order_by.push_back(key);
  }
  return Status::OK();
}

Status SelectPlanner::BuildAggregateSchema() {
  Schema& s = plan_.aggregate_schema;
  for (size_t k = 0; k < plan_.group_keys.size(); ++k) {
    s.fields.push_back({plan_.group_key_names[k], plan_.group_keys[k]->type, true});
  }
  for (const AggregateSpec& a : plan_.aggregate_calls) s.fields.push_back({a.text, a.result_type, true});
  return Status::OK();
}

Result<QueryPlan> SelectPlanner::Plan() {
  plan_.distinct = select_.distinct;
  plan_.limit = select_.limit;
  plan_.offset = select_.offset;
  TANDEM_RETURN_IF_ERROR(ExpandSelectList());
  TANDEM_RETURN_IF_ERROR(PlanWhere());
  TANDEM_RETURN_IF_ERROR(ResolveGroupBy());
  plan_.aggregates = NeedsAggregation();
  if (plan_.aggregates) TANDEM_RETURN_IF_ERROR(BindGroupKeys());

  for (const OutputItem& item : items_) {
    TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr e, BindOutputExpr(*item.expr, "the select list"));
    plan_.projection.push_back(std::move(e));
    plan_.projection_names.push_back(item.name);
  }
  if (select_.having) {
    TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr having, BindOutputExpr(*select_.having, "HAVING"));
    TANDEM_ASSIGN_OR_RETURN(plan_.having, AsPredicate(having, "HAVING", *select_.having));
  }
  TANDEM_RETURN_IF_ERROR(PlanOrderBy());
  if (plan_.aggregates) TANDEM_RETURN_IF_ERROR(BuildAggregateSchema());

  for (size_t i = 0; i < items_.size(); ++i) {
    plan_.output_schema.fields.push_back({items_[i].name, plan_.projection[i]->type, true});
  }
  return std::move(plan_);
}

}  // namespace

Status CheckInputBatch(const QueryPlan& plan, const RecordBatch& batch) {
  const Schema& expected = plan.input_schema;
  const Schema& got = batch.schema();
  if (got.fields.size() != expected.fields.size() || batch.num_columns() != expected.fields.size()) {
    return Status::InvalidArgument("query input has " + std::to_string(batch.num_columns()) +
                                   " columns, the plan expects " + std::to_string(expected.fields.size()) +
                                   " (" + expected.ToString() + ")");
  }
  for (size_t i = 0; i < expected.fields.size(); ++i) {
    if (batch.column(i).type() != expected.fields[i].type) {
      return Status::InvalidArgument(
          "query input column " + std::to_string(i + 1) + " (\"" + expected.fields[i].name + "\") has type " +
          batch.column(i).type().ToString() + ", the plan expects " + expected.fields[i].type.ToString());
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<exec::HashAggregator>> NewAggregatorFor(const QueryPlan& plan) {
  if (!plan.aggregates) return Status::Internal("NewAggregatorFor: the plan does not aggregate");
  std::vector<exec::GroupKey> keys;
  for (size_t k = 0; k < plan.group_keys.size(); ++k)
    keys.push_back({plan.group_keys[k], plan.group_key_names[k]});
  std::vector<exec::AggregateCall> aggregates;
  for (const AggregateSpec& a : plan.aggregate_calls)
    aggregates.push_back({a.function_spec, a.argument, a.text});
  TANDEM_ASSIGN_OR_RETURN(exec::HashAggregator aggregator,
                          exec::HashAggregator::Make(std::move(keys), std::move(aggregates)));
  return std::make_unique<exec::HashAggregator>(std::move(aggregator));
}

Status ConsumeAggregate(const QueryPlan& plan, const RecordBatch& input, exec::HashAggregator* aggregator) {
  TANDEM_RETURN_IF_ERROR(CheckInputBatch(plan, input));
  if (!plan.where) return aggregator->Consume(input);
  TANDEM_ASSIGN_OR_RETURN(Column keep, exec::Evaluate(*plan.where, input));
  TANDEM_ASSIGN_OR_RETURN(RecordBatch filtered, exec::Filter(input, keep));
  if (filtered.num_rows() == 0) return Status::OK();
  return aggregator->Consume(filtered);
}

Result<RecordBatch> FinishAggregate(const QueryPlan& plan, const RecordBatch& finalized) {
  if (finalized.num_columns() != plan.aggregate_schema.fields.size()) {
    return Status::InvalidArgument("finalized aggregate output has " +
                                   std::to_string(finalized.num_columns()) + " columns, the plan expects " +
                                   std::to_string(plan.aggregate_schema.fields.size()) + " (" +
                                   plan.aggregate_schema.ToString() + ")");
  }
  const RecordBatch* rows = &finalized;
  RecordBatch filtered;
  if (plan.having) {
    TANDEM_ASSIGN_OR_RETURN(Column keep, exec::Evaluate(*plan.having, finalized));
    TANDEM_ASSIGN_OR_RETURN(filtered, exec::Filter(finalized, keep));
    rows = &filtered;
  }
  return exec::Project(*rows, plan.projection, plan.projection_names);
}

std::unique_ptr<exec::HashAggregator> ViewPlan::NewAggregator() const {
  Result<std::unique_ptr<exec::HashAggregator>> made = NewAggregatorFor(query_);
  return made.ok() ? std::move(made).value() : nullptr;
}

Status ViewPlan::Consume(const RecordBatch& input, exec::HashAggregator* aggregator) const {
  return ConsumeAggregate(query_, input, aggregator);
}

Result<RecordBatch> ViewPlan::Finish(const RecordBatch& finalized) const {
  TANDEM_ASSIGN_OR_RETURN(RecordBatch projected, FinishAggregate(query_, finalized));
  return RecordBatch(query_.output_schema, std::move(projected.mutable_columns()), projected.num_rows());
}

Result<QueryPlan> PlanSelect(const sql::SelectStmt& select, const Schema& input) {
  SelectPlanner planner(select, input);
  return planner.Plan();
}

Result<ViewPlan> PlanView(const sql::SelectStmt& select, const Schema& stream_schema) {
  if (select.distinct) {
    return WithPosition(
        Status::InvalidArgument("SELECT DISTINCT is not allowed in a view: a view is a set of "
                                "rows already; GROUP BY the columns instead"),
        select.pos);
  }
  if (!select.order_by.empty()) {
    return WithPosition(Status::InvalidArgument("ORDER BY is not allowed in a view: a view is a set of rows; "
                                                "order them when you query the view"),
                        select.order_by.front().pos);
  }
  if (select.limit || select.offset) {
    return WithPosition(Status::InvalidArgument(std::string(select.limit ? "LIMIT" : "OFFSET") +
                                                " is not allowed in a view: a view is a set of rows; "
                                                "limit them when you query the view"),
                        select.pos);
  }
  TANDEM_ASSIGN_OR_RETURN(QueryPlan plan, PlanSelect(select, stream_schema));
  if (!plan.aggregates) {
    return WithPosition(
        Status::InvalidArgument("a view must aggregate: add GROUP BY or an aggregate function"), select.pos);
  }
  // Checked once here, so that ViewPlan::NewAggregator cannot fail.
  TANDEM_RETURN_IF_ERROR(NewAggregatorFor(plan).status());
  std::set<std::string> names;
  for (size_t i = 0; i < plan.output_schema.fields.size(); ++i) {
    const std::string& name = plan.output_schema.fields[i].name;
    if (!names.insert(name).second) {
      return WithPosition(
          Status::InvalidArgument("column \"" + name +
                                  "\" appears more than once in the view; give each column "
                                  "a distinct name with AS"),
          select.items.size() == plan.output_schema.fields.size() ? select.items[i].pos : select.pos);
    }
  }
  ViewPlan view(std::move(plan));
  // A dry run of both halves over no events: an error that every batch would raise (a constant that
  // does not cast, a division by zero in a constant WHERE) refuses the view now, not at the next ingest.
  std::unique_ptr<exec::HashAggregator> aggregator = view.NewAggregator();
  TANDEM_RETURN_IF_ERROR(
      view.Consume(RecordBatch::Empty(stream_schema), aggregator.get()).WithContext("the view's WHERE"));
  TANDEM_ASSIGN_OR_RETURN(RecordBatch finalized, aggregator->Finalize());
  TANDEM_RETURN_IF_ERROR(view.Finish(finalized).status().WithContext("the view's select list or HAVING"));
  return view;
}

}  // namespace tandem::plan
