// Expression: a bound, typed expression tree, independent of the SQL parser, and its vectorized
// evaluation over a RecordBatch.
//
// Trees are built with the functions in namespace `ex` below. They type-check as they build, insert the
// implicit casts (PostgreSQL-style numeric promotion: INTEGER < BIGINT < DOUBLE; FLOAT computes as
// DOUBLE; a string literal next to a DATE/TIMESTAMP/number/BOOLEAN is parsed as that type; a NULL literal
// takes the type it needs) and return an InvalidArgument error that names the operator and the types when
// the tree makes no sense. Every builder takes `ExprResult` arguments, so calls nest and the first error
// propagates: `ex::Gt(ex::Add(ex::Col(0, DataType::Int64()), ex::Lit(Value::Int64(1))), ex::Lit(...))`.
//
// Evaluation is vectorized: each node runs one type-specialized loop over the whole column (no per-row
// virtual dispatch); literals stay scalars until they meet a column. NULL propagates through arithmetic,
// comparisons and functions; AND/OR/NOT follow SQL three-valued logic. CASE and COALESCE are lazy: a
// branch is evaluated only on the rows that reach it, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never
// divides by zero. Runtime errors (division by zero, integer overflow, a failed cast) name the value and
// abort the evaluation of the whole batch. Rows that are NULL never raise errors.
//
// Shape: chains of AND / OR (and concat()) are one n-ary node, and an IN list's constants one hash-set
// node, so the depth of a tree is that of the SQL it came from, which the parser bounds
// (sql::kMaxExpressionDepth); evaluation, ToString and destruction recurse over that depth only.
//
// Expressions are immutable and shared (ExprPtr); evaluating one from several threads at once is safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "columnar/value.h"
#include "common/status.h"
#include "exec/value_set.h"

namespace tandem::exec {

enum class ExprKind : uint8_t {
  kColumn,      // column_index of the input batch
  kLiteral,     // literal
  kArithmetic,  // children: left, right (already cast to the operation type); arith_op
  kCompare,     // children: left, right (same type after casts); compare_op
  kAnd,         // children: two or more BOOLEAN operands (a whole chain is one node)
  kOr,
  kNot,     // child: one BOOLEAN
  kIsNull,  // child: any
  kIsNotNull,
  kLike,      // children: value, pattern (VARCHAR); LIKE with % and _, escape character '\'
  kCase,      // children: cond0, value0, cond1, value1, ..., else (always present, maybe NULL literal)
  kCast,      // child: the operand; type() is the target type
  kCoalesce,  // children: the candidates, all of type()
  kConcat,    // children: two or more VARCHAR operands, concatenated left to right
  kFunction,  // function with children as arguments
  kInSet,     // x IN (constants): children[g] is x cast to in_sets[g]->type(), one per comparison type
};

enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class Function : uint8_t {
  kDateTrunc,  // children: the TIMESTAMP; unit in `date_trunc_unit`
  kLower,
  kUpper,
  kLength,
  kAbs,
  kRound,  // children: value [, digits (INTEGER literal)]
  kFloor,
  kCeil,
};
enum class DateTruncUnit : uint8_t {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kQuarter,
  kYear
};

class Expression;
using ExprPtr = std::shared_ptr<const Expression>;
using ExprResult = Result<ExprPtr>;

// One node. Construct through the `ex` builders, which guarantee the invariants documented on ExprKind.
class Expression {
 public:
  ExprKind kind = ExprKind::kLiteral;
  DataType type;  // the result type
  std::vector<ExprPtr> children;
  int column_index = -1;  // kColumn
  std::string name;       // kColumn: column name, for messages and ToString (may be empty)
  Value literal;          // kLiteral
  ArithOp arith_op = ArithOp::kAdd;
  CompareOp compare_op = CompareOp::kEq;
  Function function = Function::kLower;
  DateTruncUnit date_trunc_unit = DateTruncUnit::kDay;
  int round_digits = 0;  // kRound with two arguments
  bool round_has_digits = false;
  // kInSet: the constants of the list grouped by the type each is compared in (one group unless the
  // list mixes types, e.g. `i IN (1, 2.5)`), and whether the list held a NULL.
  std::vector<std::shared_ptr<const ValueSet>> in_sets;
  bool in_list_has_null = false;
  std::vector<int> columns_used;  // sorted, distinct input column indices read by this subtree

  bool IsLiteral() const { return kind == ExprKind::kLiteral; }
  bool IsNullLiteral() const { return kind == ExprKind::kLiteral && literal.is_null(); }
  // SQL-like rendering for messages and tests: "(a + 1)", "CAST(s AS BIGINT)".
  std::string ToString() const;
};

// Evaluates `expr` over every row of `batch`; the result has batch.num_rows() rows and type expr.type.
Result<Column> Evaluate(const Expression& expr, const RecordBatch& batch);
// The rows of `batch` where `predicate` (BOOLEAN, batch.num_rows() rows) is true; NULL counts as false.
Result<RecordBatch> Filter(const RecordBatch& batch, const Column& predicate);
// Evaluates `exprs` and returns them as a batch with the given field names.
Result<RecordBatch> Project(const RecordBatch& batch, const std::vector<ExprPtr>& exprs,
                            const std::vector<std::string>& names);

namespace ex {

// Column `index` of the input batch, of type `type`.
ExprResult Col(int index, DataType type, std::string name = "");
// The column called `name` in `schema`; InvalidArgument "unknown column \"x\"" when absent.
ExprResult Col(const Schema& schema, const std::string& name);
ExprResult Lit(Value value);
ExprResult Null(DataType type = DataType::Int64());

ExprResult Arithmetic(ArithOp op, ExprResult left, ExprResult right);
ExprResult Add(ExprResult left, ExprResult right);
ExprResult Sub(ExprResult left, ExprResult right);
ExprResult Mul(ExprResult left, ExprResult right);
ExprResult Div(ExprResult left, ExprResult right);
ExprResult Mod(ExprResult left, ExprResult right);
// Unary minus, as 0 - x in x's type.
ExprResult Neg(ExprResult operand);

ExprResult Compare(CompareOp op, ExprResult left, ExprResult right);
ExprResult Eq(ExprResult left, ExprResult right);
ExprResult Ne(ExprResult left, ExprResult right);
ExprResult Lt(ExprResult left, ExprResult right);
ExprResult Le(ExprResult left, ExprResult right);
ExprResult Gt(ExprResult left, ExprResult right);
ExprResult Ge(ExprResult left, ExprResult right);

ExprResult And(ExprResult left, ExprResult right);
ExprResult Or(ExprResult left, ExprResult right);
// One node for `a AND b AND c ...` / `a OR b OR c ...` (at least one operand; one operand is returned
// as it is, after its BOOLEAN check).
ExprResult And(std::vector<ExprResult> operands);
ExprResult Or(std::vector<ExprResult> operands);
ExprResult Not(ExprResult operand);
ExprResult IsNull(ExprResult operand);
ExprResult IsNotNull(ExprResult operand);
// x IN (a, b, ...): the three-valued answer of x = a OR x = b OR ... — true when some item equals x;
// otherwise NULL when x is NULL or some item is NULL; otherwise false. Literal items go into a hash set
// (one kInSet node, one lookup per row), each cast to the type `x = item` would compare in (a string
// literal next to a number is parsed as that number's type; BIGINT next to DOUBLE compares as DOUBLE);
// other items become `x = item` terms of one n-ary OR.
ExprResult In(ExprResult value, std::vector<ExprResult> list);
// The same with the literal items given as values (cheaper for long lists: no node per item).
// `constants` and `others` may not both be empty.
ExprResult InList(ExprResult value, std::vector<Value> constants, std::vector<ExprResult> others);
// x BETWEEN lo AND hi as x >= lo AND x <= hi.
ExprResult Between(ExprResult value, ExprResult low, ExprResult high);
ExprResult Like(ExprResult value, ExprResult pattern);
// CASE WHEN c0 THEN v0 ... ELSE e END; `otherwise` may be an error-free null ExprPtr for "no ELSE".
ExprResult Case(std::vector<std::pair<ExprResult, ExprResult>> whens, ExprResult otherwise = ExprPtr());
ExprResult Cast(ExprResult operand, DataType type);
ExprResult Coalesce(std::vector<ExprResult> args);
ExprResult Concat(ExprResult left, ExprResult right);
// a || b || c ... as one node (at least two operands).
ExprResult Concat(std::vector<ExprResult> operands);
// A scalar function by SQL name (case-insensitive): date_trunc, lower, upper, length, abs, round,
// floor, ceil (ceiling). date_trunc's first argument must be a string literal.
ExprResult Call(const std::string& name, std::vector<ExprResult> args);

// The common type two operands are promoted to for comparison / CASE / COALESCE, or an error naming
// both types. Exposed for the planner.
Result<DataType> CommonType(const DataType& a, const DataType& b);

}  // namespace ex
}  // namespace tandem::exec
