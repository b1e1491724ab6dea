// Contract for the planner: the abstract syntax tree that the SQL parser (parser.h) produces.
//
// Stability: names and fields here are a contract with exec/planner. Additions are allowed; renames and
// removals are not.
//
// Shape. Expressions and statements are small class hierarchies with a `kind` tag; switch on `kind` and
// downcast with `As<T>()` (checked by assert only). Children are owned through std::unique_ptr; a tree
// is not shared. Every node records the 1-based line and column of its first token (`pos`) so the
// planner can say where an error is ("line 3, column 12: column 'x' does not exist").
//
// Names. Unquoted identifiers are folded to lower case by the lexer; "quoted" identifiers keep their
// case. Names in the AST are therefore the exact names to look up (no further folding).
//
// Literals. A Literal holds a tandem::Value:
//   42 -> BIGINT (Int64); 1.5 / 1e3 -> DOUBLE; 'text' -> VARCHAR; TRUE/FALSE -> BOOLEAN;
//   DATE '2024-01-31' -> DATE (days since epoch); TIMESTAMP '2024-01-31 12:00:00[.ffffff]' -> TIMESTAMP
//   (micros, UTC); NULL -> Value() whose is_null() is true. The parser never produces a typed NULL
//   literal: a null Literal is the untyped NULL keyword and may be coerced to any type.
//   A minus sign directly before a numeric literal is folded into it (so -9223372036854775808 is a
//   BIGINT literal); `-(5)` stays a UnaryExpr.
//
// Ordinals and aliases. In GROUP BY and ORDER BY an integer Literal is a 1-based ordinal of the select
// list, and an unqualified ColumnRef may name an output alias; the parser does not resolve either.
//
// Bounds. Trees produced by the parser have height <= kMaxExpressionDepth, so recursive walks over them
// (ToString, Clone, Equals, destruction, the binder's and planner's own) are safe on an ordinary thread
// stack. Breadth is not bounded: an IN list or a chain of ANDs / ORs (LogicalExpr) of a million items is
// one node with a million children, walked by loops.
//
// ToString() prints canonical SQL: keywords upper case, identifiers quoted only when needed, minimal
// parentheses from operator precedence. Parse(x.ToString()).ToString() == x.ToString() for every tree the
// parser produces.
//
// Thread safety: none needed; nodes are plain data. Concurrent const access is fine.
#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"
#include "columnar/value.h"

namespace tandem::sql {

// Parser limit (max_expression_depth). Nesting deeper than kMaxExpressionDepth — parentheses, function
// calls, unary operators, CASE, or a tree that tall (a chain of 257 `+`) — is the InvalidArgument error
// "expression nesting depth 257 exceeds the limit of 256 (max_expression_depth) at line 1, column 9".
// Why 256: every later walk recurses once per level, and under AddressSanitizer (8 MiB stack) the
// deepest shapes overflow from about 512 levels (nested function calls; all shapes pass at 384); in
// release builds a level costs at most a few KB.
// The parser is the one place that checks it; everything downstream relies on it.
inline constexpr int kMaxExpressionDepth = 256;
// Older names of the same limit.
inline constexpr int kMaxNestingDepth = kMaxExpressionDepth;
inline constexpr int kMaxExpressionHeight = kMaxExpressionDepth;

// 1-based position of a node's first token in the SQL text; column counts UTF-8 characters.
// {0, 0} means "no position" (a node built by code, not parsed).
struct SourcePos {
  int line = 0;
  int column = 0;
  // "line 3, column 12"
  std::string ToString() const;
  bool operator==(const SourcePos&) const = default;
};

// A type as written in SQL: the engine DataType plus an optional VARCHAR(n) length.
struct TypeName {
  DataType type;
  int64_t max_length = -1;  // VARCHAR(n) / CHAR(n): n; otherwise -1
  // "BIGINT", "VARCHAR(20)", "TIMESTAMP", "DECIMAL(10,2)"
  std::string ToString() const;
  bool operator==(const TypeName& o) const { return type == o.type && max_length == o.max_length; }
};

// ---------------------------------------------------------------------------------------------------
// Expressions

enum class ExprKind : uint8_t {
  kColumnRef,     // ColumnRef
  kLiteral,       // Literal
  kUnary,         // UnaryExpr
  kBinary,        // BinaryExpr
  kIsNull,        // IsNullExpr
  kInList,        // InListExpr
  kBetween,       // BetweenExpr
  kLike,          // LikeExpr
  kCase,          // CaseExpr
  kCast,          // CastExpr
  kFunctionCall,  // FunctionCall
  kLogical,       // LogicalExpr
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  Expr(ExprKind k, SourcePos p) : kind(k), pos(p) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  const ExprKind kind;
  SourcePos pos;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  // Canonical SQL text (see the header comment).
  std::string ToString() const;
  // Deep copy, positions included.
  virtual ExprPtr Clone() const = 0;
  // Structural equality; positions and the CAST spelling (CAST(..) vs ::) are ignored. Literals compare
  // by type and value. Useful to match a select item against a GROUP BY expression.
  bool Equals(const Expr& other) const;
  // Calls `fn` on each direct child, left to right (absent optional children are skipped).
  void ForEachChild(const std::function<void(const Expr&)>& fn) const;
};

// `column` or `table.column` (table empty when unqualified).
struct ColumnRef final : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  ColumnRef(SourcePos p, std::string table, std::string column)
      : Expr(kKind, p), table(std::move(table)), column(std::move(column)) {}
  ExprPtr Clone() const override;
  std::string table;
  std::string column;
};

struct Literal final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  Literal(SourcePos p, Value v) : Expr(kKind, p), value(std::move(v)) {}
  ExprPtr Clone() const override;
  Value value;
};

enum class UnaryOp : uint8_t {
  kNegate,  // -x
  kPlus,    // +x
  kNot,     // NOT x
};

struct UnaryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr(SourcePos p, UnaryOp o, ExprPtr e) : Expr(kKind, p), op(o), operand(std::move(e)) {}
  ExprPtr Clone() const override;
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,  // + - * / %
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,  // = <> (also !=) < <= > >=
  kAnd,
  kOr,      // AND OR
  kConcat,  // ||
};

// SQL spelling of an operator: "+", "<>", "AND", "||", ...
const char* BinaryOpToString(BinaryOp op);

struct BinaryExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr(SourcePos p, BinaryOp o, ExprPtr l, ExprPtr r)
      : Expr(kKind, p), op(o), left(std::move(l)), right(std::move(r)) {}
  ExprPtr Clone() const override;
  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
};

// `a AND b AND c ...` or `a OR b OR c ...`: one node for a whole chain of the same operator (op is
// BinaryOp::kAnd or kOr; at least two operands, in source order). The parser never produces a
// BinaryExpr with kAnd / kOr. A parenthesized chain stays a separate operand: `(a OR b) OR c` has two
// operands, `a OR b OR c` three.
struct LogicalExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLogical;
  LogicalExpr(SourcePos p, BinaryOp o, std::vector<ExprPtr> xs)
      : Expr(kKind, p), op(o), operands(std::move(xs)) {}
  ExprPtr Clone() const override;
  BinaryOp op;
  std::vector<ExprPtr> operands;
};

// `operand IS [NOT] NULL`
struct IsNullExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsNull;
  IsNullExpr(SourcePos p, ExprPtr e, bool neg) : Expr(kKind, p), operand(std::move(e)), negated(neg) {}
  ExprPtr Clone() const override;
  ExprPtr operand;
  bool negated;  // IS NOT NULL
};

// `operand [NOT] IN (list...)`; list is never empty.
struct InListExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kInList;
  InListExpr(SourcePos p, ExprPtr e, std::vector<ExprPtr> l, bool neg)
      : Expr(kKind, p), operand(std::move(e)), list(std::move(l)), negated(neg) {}
  ExprPtr Clone() const override;
  ExprPtr operand;
  std::vector<ExprPtr> list;
  bool negated;
};

// `operand [NOT] BETWEEN low AND high` (inclusive on both ends).
struct BetweenExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  BetweenExpr(SourcePos p, ExprPtr e, ExprPtr lo, ExprPtr hi, bool neg)
      : Expr(kKind, p), operand(std::move(e)), low(std::move(lo)), high(std::move(hi)), negated(neg) {}
  ExprPtr Clone() const override;
  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated;
};

// `operand [NOT] LIKE pattern` or ILIKE (case_insensitive). '%' and '_' wildcards, '\' escapes.
struct LikeExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kLike;
  LikeExpr(SourcePos p, ExprPtr e, ExprPtr pat, bool neg, bool ci)
      : Expr(kKind, p), operand(std::move(e)), pattern(std::move(pat)), negated(neg), case_insensitive(ci) {}
  ExprPtr Clone() const override;
  ExprPtr operand;
  ExprPtr pattern;
  bool negated;
  bool case_insensitive;  // ILIKE
};

struct WhenClause {
  ExprPtr condition;  // searched CASE: a boolean; simple CASE: the value compared with CaseExpr::operand
  ExprPtr result;
};

// Searched `CASE WHEN c THEN r ... [ELSE e] END` (operand null) or simple `CASE x WHEN v THEN r ... END`.
// whens is never empty; else_result is null when there is no ELSE (the result is then NULL).
struct CaseExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  CaseExpr(SourcePos p, ExprPtr op, std::vector<WhenClause> w, ExprPtr e)
      : Expr(kKind, p), operand(std::move(op)), whens(std::move(w)), else_result(std::move(e)) {}
  ExprPtr Clone() const override;
  ExprPtr operand;
  std::vector<WhenClause> whens;
  ExprPtr else_result;
};

// `CAST(operand AS type)` or `operand::type` (double_colon records the spelling for ToString).
struct CastExpr final : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  CastExpr(SourcePos p, ExprPtr e, TypeName t, bool dc)
      : Expr(kKind, p), operand(std::move(e)), type(t), double_colon(dc) {}
  ExprPtr Clone() const override;
  ExprPtr operand;
  TypeName type;
  bool double_colon;
};

// `name(args...)`, `name(DISTINCT args...)`, `count(*)` (star = true, args empty). The name is folded
// like any identifier (so COUNT -> "count"); the parser does not know which functions exist.
struct FunctionCall final : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunctionCall;
  FunctionCall(SourcePos p, std::string n, std::vector<ExprPtr> a, bool d, bool s)
      : Expr(kKind, p), name(std::move(n)), args(std::move(a)), distinct(d), star(s) {}
  ExprPtr Clone() const override;
  std::string name;
  std::vector<ExprPtr> args;
  bool distinct;
  bool star;
};

// ---------------------------------------------------------------------------------------------------
// Statements

enum class StatementKind : uint8_t {
  kCreateStream,  // CreateStreamStmt
  kCreateView,    // CreateViewStmt
  kSelect,        // SelectStmt
  kShow,          // ShowStmt
  kDescribe,      // DescribeStmt
  kDrop,          // DropStmt
};

struct Statement {
  Statement(StatementKind k, SourcePos p) : kind(k), pos(p) {}
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  const StatementKind kind;
  SourcePos pos;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  // Canonical SQL text, without a trailing ';'.
  std::string ToString() const;
};
using StatementPtr = std::unique_ptr<Statement>;

// `name TYPE [NOT NULL]` in CREATE STREAM. (`NULL` after the type is accepted and means nullable.)
struct ColumnDef {
  SourcePos pos;
  std::string name;
  TypeName type;
  bool not_null = false;
};

// `key = 'value'` in WITH (...). Keys are identifiers (folded) or 'strings'; values are 'strings',
// numbers, TRUE/FALSE or identifiers, kept as text (the planner validates and converts).
struct WithOption {
  SourcePos pos;
  std::string key;
  std::string value;
};

// CREATE STREAM [IF NOT EXISTS] name (col TYPE [NOT NULL], ...) [WITH (key = 'value', ...)]
struct CreateStreamStmt final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateStream;
  explicit CreateStreamStmt(SourcePos p) : Statement(kKind, p) {}
  std::string name;
  bool if_not_exists = false;
  std::vector<ColumnDef> columns;   // never empty
  std::vector<WithOption> options;  // in source order; duplicates are kept (the planner rejects them)
};

// `FROM name [[AS] alias]`
struct TableRef {
  SourcePos pos;
  std::string name;
  std::string alias;  // empty when none
};

// A select-list entry: `expr [[AS] alias]`, `*` or `table.*`.
struct SelectItem {
  SourcePos pos;
  ExprPtr expr;       // null for a star
  std::string alias;  // empty when none
  bool is_star = false;
  std::string star_table;  // `t.*`: "t"; plain `*`: empty
};

enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

// `expr [ASC|DESC] [NULLS FIRST|LAST]` (an integer literal is an ordinal, see the header comment).
struct OrderItem {
  SourcePos pos;
  ExprPtr expr;
  bool descending = false;
  NullsOrder nulls = NullsOrder::kDefault;  // kDefault: the executor's default (NULLs last for ASC)
};

// SELECT [DISTINCT] items [FROM t [alias]] [WHERE e] [GROUP BY e, ...] [HAVING e]
//   [ORDER BY o, ...] [LIMIT n] [OFFSET n]
struct SelectStmt final : Statement {
  static constexpr StatementKind kKind = StatementKind::kSelect;
  explicit SelectStmt(SourcePos p) : Statement(kKind, p) {}
  bool distinct = false;
  std::vector<SelectItem> items;  // never empty
  std::optional<TableRef> from;   // absent for `SELECT 1 + 1`
  ExprPtr where;                  // null when absent
  std::vector<ExprPtr> group_by;
  ExprPtr having;  // null when absent
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;   // >= 0
  std::optional<int64_t> offset;  // >= 0
};

// CREATE VIEW [IF NOT EXISTS] name AS SELECT ...
struct CreateViewStmt final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateView;
  explicit CreateViewStmt(SourcePos p) : Statement(kKind, p) {}
  std::string name;
  bool if_not_exists = false;
  std::unique_ptr<SelectStmt> query;  // never null
  std::string query_text;             // the SELECT exactly as written (from SELECT to its last token)
};

enum class ShowTarget : uint8_t { kStreams, kViews };

// SHOW STREAMS | SHOW VIEWS
struct ShowStmt final : Statement {
  static constexpr StatementKind kKind = StatementKind::kShow;
  ShowStmt(SourcePos p, ShowTarget t) : Statement(kKind, p), target(t) {}
  ShowTarget target;
};

// DESCRIBE name | DESC name
struct DescribeStmt final : Statement {
  static constexpr StatementKind kKind = StatementKind::kDescribe;
  DescribeStmt(SourcePos p, std::string n) : Statement(kKind, p), name(std::move(n)) {}
  std::string name;
};

enum class ObjectType : uint8_t { kStream, kView };

// DROP STREAM|VIEW [IF EXISTS] name
struct DropStmt final : Statement {
  static constexpr StatementKind kKind = StatementKind::kDrop;
  DropStmt(SourcePos p, ObjectType o, std::string n, bool ie)
      : Statement(kKind, p), object(o), name(std::move(n)), if_exists(ie) {}
  ObjectType object;
  std::string name;
  bool if_exists;
};

// ---------------------------------------------------------------------------------------------------
// Printing helpers (also used by ToString)

// An identifier as SQL: bare when it is lower-case [a-z_][a-z0-9_]* and not a reserved word, otherwise
// "double quoted" with embedded quotes doubled.
std::string QuoteIdentifier(std::string_view name);
// A string literal: 'text' with embedded quotes doubled.
std::string QuoteString(std::string_view text);
// A literal value as SQL that parses back to the same value: 42, -1.5, 'x', TRUE, NULL,
// DATE '2024-01-31', TIMESTAMP '2024-01-31 12:00:00.5'. Types without a literal syntax are printed as
// CAST('text' AS type).
std::string LiteralToString(const Value& value);

}  // namespace tandem::sql
