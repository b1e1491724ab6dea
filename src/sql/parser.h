// Parser: SQL text -> AST (ast.h). Hand-written recursive descent; expressions by precedence climbing.
//
// Grammar: docs/sql.md. Operator precedence, loosest first (as in PostgreSQL):
//   OR < AND < NOT < IS [NOT] NULL < comparisons (= <> != < <= > >=, non-associative)
//   < [NOT] BETWEEN / IN / LIKE / ILIKE (non-associative) < || < + - < * / % < unary + - < ::
//
// Errors are InvalidArgument Statuses naming the position, e.g.
//   "syntax error at line 1, column 10: expected FROM, found 'FORM'"
//   "unterminated string starting at line 2, column 8"
//   "integer literal 9223372036854775808 is out of range for BIGINT at line 1, column 8"
//   "expression nesting depth 257 exceeds the limit of 256 (max_expression_depth) at line 1, column 257"
// No exception escapes; any byte string is safe to pass: recursion and the height of the trees built are
// bounded by kMaxExpressionDepth (ast.h), checked here and nowhere else. Chains of AND / OR become one
// LogicalExpr, IN lists one InListExpr, so their length is not a depth. Time and memory are linear in the
// length of `sql`; the length is the caller's limit. All functions are thread-safe (no shared state).
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/ast.h"

namespace tandem::sql {

// Exactly one statement; a trailing ';' is allowed. Empty input is an error.
Result<StatementPtr> ParseStatement(std::string_view sql);

// Zero or more statements separated by ';' (empty statements between semicolons are skipped).
Result<std::vector<StatementPtr>> ParseScript(std::string_view sql);

// One expression and nothing else (used for CHECK constraints, view audits and tests).
Result<ExprPtr> ParseExpression(std::string_view sql);

}  // namespace tandem::sql
