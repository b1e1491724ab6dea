// Binder: turns a parsed SQL expression (sql::Expr) into a bound, typed exec expression over an input
// Schema.
//
// What it resolves:
//   - column references, unqualified (`user`) or qualified by one of the binder's qualifiers (the FROM
//     name, or its alias when there is one: `e.user`); names match exactly (the lexer already folded
//     unquoted identifiers);
//   - literals, unary and binary operators, IS [NOT] NULL, [NOT] IN, [NOT] BETWEEN, [NOT] LIKE / ILIKE,
//     simple and searched CASE, CAST / `::`, and scalar functions (those of exec::ex::Call, plus
//     coalesce, nullif and concat).
// Typing and implicit casts are the exec builders' (exec/expression.h); this class only adds positions.
//
// Errors are InvalidArgument and start with the position of the node at fault:
//   line 1, column 8: column "usr" does not exist; did you mean "user"?
//   line 1, column 12: <the exec builder's message>
// An aggregate function call (count, sum, ...) is an error here, "aggregate functions are not allowed in
// WHERE", unless the hook (below) takes the node; the planner uses the hook to bind select lists of
// aggregating queries over the aggregate output.
//
// A Binder is cheap, immutable after construction, and may be used from several threads at once (as long
// as its hook may).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "columnar/data_type.h"
#include "common/status.h"
#include "exec/expression.h"
#include "sql/ast.h"

namespace tandem::plan {

class Binder {
 public:
  // Called on every node before it is bound. Returns a bound expression to use for the node instead,
  // a null ExprPtr to bind the node as usual (children are then bound through the hook as well), or an
  // error.
  using Hook = std::function<Result<exec::ExprPtr>(const sql::Expr&)>;

  // `schema`: the input columns; `qualifiers`: the names a column may be qualified with (may be empty);
  // `clause`: where the expression stands, for messages ("WHERE", "GROUP BY", "the select list").
  Binder(const Schema& schema, std::vector<std::string> qualifiers, std::string clause);

  void set_hook(Hook hook) { hook_ = std::move(hook); }

  // Binds `expr`; the result's `type` is the SQL result type.
  exec::ExprResult Bind(const sql::Expr& expr) const;

  // The index in the schema of the column `ref` names, or an error (unknown column with a hint,
  // unknown qualifier). Does not consult the hook.
  Result<int> ResolveColumn(const sql::ColumnRef& ref) const;

  const Schema& schema() const { return schema_; }

 private:
  exec::ExprResult BindNode(const sql::Expr& expr) const;
  exec::ExprResult BindFunction(const sql::FunctionCall& call) const;

  const Schema& schema_;
  std::vector<std::string> qualifiers_;
  std::string clause_;
  Hook hook_;
};

// True when `name` (lower case) is an aggregate function name: the mergeable ones the engine computes
// (count, sum, min, max, avg) and the well-known others (median, count with DISTINCT, string_agg, ...)
// that the planner recognises in order to refuse them clearly.
bool IsAggregateFunctionName(const std::string& name);

// True when `expr` contains an aggregate function call anywhere.
bool ContainsAggregate(const sql::Expr& expr);

// `status` with "line L, column C: " in front of its message (unchanged when `pos` is {0, 0} or the
// status is OK).
Status WithPosition(const Status& status, const sql::SourcePos& pos);

}  // namespace tandem::plan
