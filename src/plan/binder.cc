#include "plan/binder.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace tandem::plan {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
int EditDistance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The schema column closest to `name`, or "" when none is close enough to suggest.
std::string ClosestColumn(const Schema& schema, const std::string& name) {
  const std::string lower = Lower(name);
  // A column differing only in case: the user forgot to quote it.
  for (const Field& f : schema.fields) {
    if (Lower(f.name) == lower) return f.name;
  }
  // Long names tolerate more typos; very short ones only one.
  const int limit = std::max<int>(1, static_cast<int>(name.size() + 1) / 3);
  std::string best;
  int best_distance = limit + 1;
  for (const Field& f : schema.fields) {
    const int d = EditDistance(lower, Lower(f.name));
    if (d < best_distance) {
      best_distance = d;
      best = f.name;
    }
  }
  return best;
}

bool IsNumeric(const DataType& t) {
  switch (t.id) {
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal: return true;
    default: return false;
  }
}

exec::ExprResult Prefixed(exec::ExprResult result, const sql::SourcePos& pos) {
  if (result.ok()) return result;
  return WithPosition(result.status(), pos);
}

exec::ExprResult ToVarchar(exec::ExprPtr e) {
  if (e->type.id == TypeId::kString || e->IsNullLiteral()) return e;
  return exec::ex::Cast(std::move(e), DataType::String());
}

}  // namespace

Status WithPosition(const Status& status, const sql::SourcePos& pos) {
  if (status.ok() || (pos.line == 0 && pos.column == 0)) return status;
  return status.WithContext(pos.ToString());
}

bool IsAggregateFunctionName(const std::string& name) {
  static const char* const kNames[] = {
      "count", "sum", "min", "max", "avg", "mean",
      // Recognised so that they are refused with a clear message rather than "unknown function".
      "median", "mode", "quantile", "quantile_cont", "quantile_disc", "percentile_cont", "percentile_disc",
      "string_agg", "group_concat", "listagg", "list", "array_agg", "stddev", "stddev_pop", "stddev_samp",
      "variance", "var_pop", "var_samp", "bool_and", "bool_or", "every", "bit_and", "bit_or", "first", "last",
      "any_value", "arg_max", "arg_min", "approx_count_distinct", "approx_quantile", "top_k", "product",
      "count_if", "countif", "sum_if", "entropy", "kurtosis", "skewness", "corr", "covar_pop", "covar_samp",
      "mad", "histogram"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

bool ContainsAggregate(const sql::Expr& expr) {
  if (expr.kind == sql::ExprKind::kFunctionCall &&
      IsAggregateFunctionName(expr.As<sql::FunctionCall>().name)) {
    return true;
  }
  bool found = false;
  expr.ForEachChild([&](const sql::Expr& child) {
    if (!found && ContainsAggregate(child)) found = true;
  });
  return found;
}

Binder::Binder(const Schema& schema, std::vector<std::string> qualifiers, std::string clause)
    : schema_(schema), qualifiers_(std::move(qualifiers)), clause_(std::move(clause)) {}

exec::ExprResult Binder::Bind(const sql::Expr& expr) const {
  if (hook_) {
    TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr replaced, hook_(expr));
    if (replaced) return replaced;
  }
  return BindNode(expr);
}

Result<int> Binder::ResolveColumn(const sql::ColumnRef& ref) const {
  if (!ref.table.empty() &&
      std::find(qualifiers_.begin(), qualifiers_.end(), ref.table) == qualifiers_.end()) {
    return WithPosition(Status::InvalidArgument("missing FROM-clause entry for table \"" + ref.table + "\""),
                        ref.pos);
  }
  const int index = schema_.FindField(ref.column);
  if (index >= 0) return index;
  std::string message =
      "column \"" + (ref.table.empty() ? "" : ref.table + ".") + ref.column + "\" does not exist";
  const std::string hint = ClosestColumn(schema_, ref.column);
  if (!hint.empty()) message += "; did you mean \"" + hint + "\"?";
  return WithPosition(Status::InvalidArgument(std::move(message)), ref.pos);
}

exec::ExprResult Binder::BindNode(const sql::Expr& expr) const {
  namespace ex = exec::ex;
  switch (expr.kind) {
    case sql::ExprKind::kColumnRef: {
      const auto& ref = expr.As<sql::ColumnRef>();
      TANDEM_ASSIGN_OR_RETURN(int index, ResolveColumn(ref));
      const Field& f = schema_.fields[index];
      return Prefixed(ex::Col(index, f.type, f.name), expr.pos);
    }
    case sql::ExprKind::kLiteral: {
      const auto& lit = expr.As<sql::Literal>();
      // The untyped NULL keyword: the exec builders coerce a NULL literal to the type it needs.
      if (lit.value.is_null()) return Prefixed(ex::Null(), expr.pos);
      return Prefixed(ex::Lit(lit.value), expr.pos);
    }
    case sql::ExprKind::kUnary: {
      const auto& u = expr.As<sql::UnaryExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr operand, Bind(*u.operand));
      switch (u.op) {
        case sql::UnaryOp::kNegate: return Prefixed(ex::Neg(operand), expr.pos);
        case sql::UnaryOp::kNot: return Prefixed(ex::Not(operand), expr.pos);
        case sql::UnaryOp::kPlus:
          if (!IsNumeric(operand->type) && !operand->IsNullLiteral()) {
            return WithPosition(
                Status::InvalidArgument("operator does not exist: + " + operand->type.ToString()), expr.pos);
          }
          return operand;
      }
      return Status::Internal("unknown unary operator");
    }
    case sql::ExprKind::kBinary: {
      const auto& b = expr.As<sql::BinaryExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr left, Bind(*b.left));
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr right, Bind(*b.right));
      exec::ExprResult r = Status::Internal("unknown binary operator");
      switch (b.op) {
        case sql::BinaryOp::kAdd: r = ex::Add(left, right); break;
        case sql::BinaryOp::kSub: r = ex::Sub(left, right); break;
        case sql::BinaryOp::kMul: r = ex::Mul(left, right); break;
        case sql::BinaryOp::kDiv: r = ex::Div(left, right); break;
        case sql::BinaryOp::kMod: r = ex::Mod(left, right); break;
        case sql::BinaryOp::kEq: r = ex::Eq(left, right); break;
        case sql::BinaryOp::kNe: r = ex::Ne(left, right); break;
        case sql::BinaryOp::kLt: r = ex::Lt(left, right); break;
        case sql::BinaryOp::kLe: r = ex::Le(left, right); break;
        case sql::BinaryOp::kGt: r = ex::Gt(left, right); break;
        case sql::BinaryOp::kGe: r = ex::Ge(left, right); break;
        case sql::BinaryOp::kAnd: r = ex::And(left, right); break;
        case sql::BinaryOp::kOr: r = ex::Or(left, right); break;
        case sql::BinaryOp::kConcat:
          // Like PostgreSQL and DuckDB, `||` turns a non-text operand into text.
          r = ex::Concat(ToVarchar(left), ToVarchar(right));
          break;
      }
      return Prefixed(std::move(r), expr.pos);
    }
    case sql::ExprKind::kLogical: {
      const auto& l = expr.As<sql::LogicalExpr>();
      std::vector<exec::ExprResult> operands;
      operands.reserve(l.operands.size());
      for (const sql::ExprPtr& o : l.operands) {
        TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr bound, Bind(*o));
        operands.emplace_back(std::move(bound));
      }
      return Prefixed(
          l.op == sql::BinaryOp::kAnd ? ex::And(std::move(operands)) : ex::Or(std::move(operands)), expr.pos);
    }
    case sql::ExprKind::kIsNull: {
      const auto& n = expr.As<sql::IsNullExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr operand, Bind(*n.operand));
      return Prefixed(n.negated ? ex::IsNotNull(operand) : ex::IsNull(operand), expr.pos);
    }
    case sql::ExprKind::kInList: {
      const auto& in = expr.As<sql::InListExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr operand, Bind(*in.operand));
      // Constants become members of one hash set (exec::ex::InList); no node per item is kept.
      std::vector<Value> constants;
      std::vector<exec::ExprResult> others;
      for (const sql::ExprPtr& item : in.list) {
        TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr bound, Bind(*item));
        if (bound->IsLiteral()) {
          constants.push_back(bound->literal);
        } else {
          others.emplace_back(std::move(bound));
        }
      }
      exec::ExprResult r = ex::InList(operand, std::move(constants), std::move(others));
      if (in.negated) r = ex::Not(std::move(r));
      return Prefixed(std::move(r), expr.pos);
    }
    case sql::ExprKind::kBetween: {
      const auto& bt = expr.As<sql::BetweenExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr operand, Bind(*bt.operand));
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr low, Bind(*bt.low));
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr high, Bind(*bt.high));
      exec::ExprResult r = ex::Between(operand, low, high);
      if (bt.negated) r = ex::Not(std::move(r));
      return Prefixed(std::move(r), expr.pos);
    }
    case sql::ExprKind::kLike: {
      const auto& l = expr.As<sql::LikeExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr operand, Bind(*l.operand));
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr pattern, Bind(*l.pattern));
      exec::ExprResult r = Status::Internal("unreachable");
      if (l.case_insensitive) {
        // ILIKE: both sides lower-cased (ASCII, as exec's lower does), then LIKE.
        r = ex::Like(ex::Call("lower", {operand}), ex::Call("lower", {pattern}));
      } else {
        r = ex::Like(operand, pattern);
      }
      if (l.negated) r = ex::Not(std::move(r));
      return Prefixed(std::move(r), expr.pos);
    }
    case sql::ExprKind::kCase: {
      const auto& c = expr.As<sql::CaseExpr>();
      exec::ExprPtr operand;
      if (c.operand) {
        TANDEM_ASSIGN_OR_RETURN(operand, Bind(*c.operand));
      }
      std::vector<std::pair<exec::ExprResult, exec::ExprResult>> whens;
      whens.reserve(c.whens.size());
      for (const sql::WhenClause& w : c.whens) {
        TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr cond, Bind(*w.condition));
        TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr result, Bind(*w.result));
        if (operand) {
          // Simple CASE: `CASE x WHEN v` is `CASE WHEN x = v`.
          TANDEM_ASSIGN_OR_RETURN(cond, Prefixed(ex::Eq(operand, cond), w.condition->pos));
        }
        whens.emplace_back(std::move(cond), std::move(result));
      }
      exec::ExprPtr otherwise;
      if (c.else_result) {
        TANDEM_ASSIGN_OR_RETURN(otherwise, Bind(*c.else_result));
      }
      return Prefixed(ex::Case(std::move(whens), otherwise), expr.pos);
    }
    case sql::ExprKind::kCast: {
      const auto& c = expr.As<sql::CastExpr>();
      TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr operand, Bind(*c.operand));
      // VARCHAR(n): the length is not enforced (as in DuckDB).
      return Prefixed(ex::Cast(operand, c.type.type), expr.pos);
    }
    case sql::ExprKind::kFunctionCall: return BindFunction(expr.As<sql::FunctionCall>());
  }
  return Status::Internal("unknown expression kind");
}

exec::ExprResult Binder::BindFunction(const sql::FunctionCall& call) const {
  namespace ex = exec::ex;
  if (IsAggregateFunctionName(call.name)) {
    return WithPosition(Status::InvalidArgument("aggregate functions are not allowed in " + clause_),
                        call.pos);
  }
  if (call.star) {
    return WithPosition(Status::InvalidArgument(call.name + "(*) is not a function; only count(*) takes *"),
                        call.pos);
  }
  if (call.distinct) {
    return WithPosition(
        Status::InvalidArgument("DISTINCT specified, but " + call.name + " is not an aggregate function"),
        call.pos);
  }
  std::vector<exec::ExprPtr> args;
  args.reserve(call.args.size());
  for (const sql::ExprPtr& a : call.args) {
    TANDEM_ASSIGN_OR_RETURN(exec::ExprPtr bound, Bind(*a));
    args.push_back(std::move(bound));
  }
  auto results = [&args] { return std::vector<exec::ExprResult>(args.begin(), args.end()); };
  if (call.name == "coalesce") {
    return Prefixed(ex::Coalesce(results()), call.pos);
  }
  if (call.name == "nullif") {
    if (args.size() != 2) {
      return WithPosition(
          Status::InvalidArgument("nullif takes 2 arguments, got " + std::to_string(args.size())), call.pos);
    }
    // nullif(a, b) = CASE WHEN a = b THEN NULL ELSE a END, typed like a.
    std::vector<std::pair<exec::ExprResult, exec::ExprResult>> whens;
    whens.emplace_back(ex::Eq(args[0], args[1]), ex::Null(args[0]->type));
    return Prefixed(ex::Case(std::move(whens), args[0]), call.pos);
  }
  if (call.name == "concat") {
    // concat(a, b, ...) treats NULL as the empty string, as in PostgreSQL and DuckDB.
    if (args.empty()) {
      return WithPosition(Status::InvalidArgument("concat needs at least one argument"), call.pos);
    }
    std::vector<exec::ExprResult> texts;
    texts.reserve(args.size());
    for (const exec::ExprPtr& a : args) {
      texts.push_back(ex::Coalesce({ToVarchar(a), ex::Lit(Value::String(""))}));
    }
    // One n-ary node however many arguments (not a chain as deep as the argument list).
    return Prefixed(texts.size() == 1 ? std::move(texts[0]) : ex::Concat(std::move(texts)), call.pos);
  }
  return Prefixed(ex::Call(call.name, results()), call.pos);
}

}  // namespace tandem::plan
