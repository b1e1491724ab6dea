#include "sql/parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sql/datetime.h"

namespace tandem::sql {
namespace {

// Fully parenthesized prefix form of an expression, to check tree shape independent of ToString.
std::string Tree(const Expr& e) {
  auto kids = [&e](std::string head) {
    e.ForEachChild([&head](const Expr& c) { head += " " + Tree(c); });
    return "(" + head + ")";
  };
  switch (e.kind) {
    case ExprKind::kColumnRef: {
      const auto& c = e.As<ColumnRef>();
      return c.table.empty() ? c.column : c.table + "." + c.column;
    }
    case ExprKind::kLiteral: return LiteralToString(e.As<Literal>().value);
    case ExprKind::kUnary: {
      UnaryOp op = e.As<UnaryExpr>().op;
      return kids(op == UnaryOp::kNot ? "not" : op == UnaryOp::kNegate ? "neg" : "pos");
    }
    case ExprKind::kBinary: return kids(BinaryOpToString(e.As<BinaryExpr>().op));
    case ExprKind::kLogical: return kids(BinaryOpToString(e.As<LogicalExpr>().op));
    case ExprKind::kIsNull: return kids(e.As<IsNullExpr>().negated ? "isnotnull" : "isnull");
    case ExprKind::kInList: return kids(e.As<InListExpr>().negated ? "notin" : "in");
    case ExprKind::kBetween: return kids(e.As<BetweenExpr>().negated ? "notbetween" : "between");
    case ExprKind::kLike: {
      const auto& l = e.As<LikeExpr>();
      return kids(std::string(l.negated ? "not" : "") + (l.case_insensitive ? "ilike" : "like"));
    }
    case ExprKind::kCase: return kids(e.As<CaseExpr>().else_result ? "case+else" : "case");
    case ExprKind::kCast: return kids("cast:" + e.As<CastExpr>().type.ToString());
    case ExprKind::kFunctionCall: {
      const auto& f = e.As<FunctionCall>();
      return kids(f.name + (f.distinct ? ":distinct" : "") + (f.star ? " *" : ""));
    }
  }
  return "?";
}

ExprPtr ParseExpr(std::string_view sql) {
  auto r = ParseExpression(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::string T(std::string_view sql) {
  ExprPtr e = ParseExpr(sql);
  return e ? Tree(*e) : "<error>";
}

StatementPtr Parse(std::string_view sql) {
  auto r = ParseStatement(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::string Canon(std::string_view sql) {
  StatementPtr s = Parse(sql);
  return s ? s->ToString() : "<error>";
}

std::string Error(std::string_view sql) {
  auto r = ParseStatement(sql);
  EXPECT_FALSE(r.ok()) << "unexpectedly parsed: " << sql;
  if (r.ok()) return "<parsed>";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

std::string ExprError(std::string_view sql) {
  auto r = ParseExpression(sql);
  EXPECT_FALSE(r.ok()) << "unexpectedly parsed: " << sql;
  return r.ok() ? "<parsed>" : r.status().message();
}

// Parse -> print -> parse -> print gives the same text.
void ExpectRoundTrip(std::string_view sql) {
  auto first = ParseScript(sql);
  ASSERT_TRUE(first.ok()) << sql << ": " << first.status().ToString();
  for (const auto& stmt : *first) {
    std::string text = stmt->ToString();
    auto again = ParseStatement(text);
    ASSERT_TRUE(again.ok()) << "canonical text does not parse: " << text << ": " << again.status().ToString();
    EXPECT_EQ((*again)->ToString(), text) << "from " << sql;
  }
}

// ---------------------------------------------------------------------------------------------------
// Expressions

TEST(ParserExprTest, ArithmeticPrecedence) {
  EXPECT_EQ(T("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(T("(1 + 2) * 3"), "(* (+ 1 2) 3)");
  EXPECT_EQ(T("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(T("8 / 4 % 3 * 2"), "(* (% (/ 8 4) 3) 2)");
  EXPECT_EQ(T("a || b || c"), "(|| (|| a b) c)");
  EXPECT_EQ(T("a || b + 1"), "(|| a (+ b 1))");
  EXPECT_EQ(T("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(T("- a::int"), "(neg (cast:INTEGER a))");
  EXPECT_EQ(T("+a"), "(pos a)");
  EXPECT_EQ(T("- - a"), "(neg (neg a))");
}

TEST(ParserExprTest, BooleanPrecedence) {
  EXPECT_EQ(T("NOT a = b AND c"), "(AND (not (= a b)) c)");
  EXPECT_EQ(T("a OR b AND c"), "(OR a (AND b c))");
  EXPECT_EQ(T("a AND b OR c AND d"), "(OR (AND a b) (AND c d))");
  EXPECT_EQ(T("NOT NOT a"), "(not (not a))");
  EXPECT_EQ(T("NOT a OR b"), "(OR (not a) b)");
  EXPECT_EQ(T("a = 1 OR b <> 2 AND c != 3"), "(OR (= a 1) (AND (<> b 2) (<> c 3)))");
  // NOT may also open an operand, as in PostgreSQL; it then takes what binds tighter than NOT.
  EXPECT_EQ(T("a = NOT b AND c"), "(AND (= a (not b)) c)");
}

TEST(ParserExprTest, PostgresPrecedenceOfIsBetweenComparison) {
  // IS binds looser than comparison; comparison looser than BETWEEN / IN / LIKE; those looser than ||.
  EXPECT_EQ(T("a = b IS NULL"), "(isnull (= a b))");
  EXPECT_EQ(T("a IS NULL = b"), "(= (isnull a) b)");
  EXPECT_EQ(T("a + 1 IS NOT NULL"), "(isnotnull (+ a 1))");
  EXPECT_EQ(T("NOT a IS NULL"), "(not (isnull a))");
  EXPECT_EQ(T("a BETWEEN 1 AND 2 AND b"), "(AND (between a 1 2) b)");
  EXPECT_EQ(T("a BETWEEN b + 1 AND c * 2"), "(between a (+ b 1) (* c 2))");
  EXPECT_EQ(T("a BETWEEN 1 AND 2 = TRUE"), "(= (between a 1 2) TRUE)");
  EXPECT_EQ(T("x = a BETWEEN 1 AND 2"), "(= x (between a 1 2))");
  EXPECT_EQ(T("a NOT BETWEEN 1 AND 2"), "(notbetween a 1 2)");
  EXPECT_EQ(T("a < b LIKE 'x%'"), "(< a (like b 'x%'))");
  EXPECT_EQ(T("a || 'x' LIKE b || '%'"), "(like (|| a 'x') (|| b '%'))");
  EXPECT_EQ(T("a NOT LIKE 'x' AND b ILIKE 'Y' OR c NOT ILIKE 'z'"),
            "(OR (AND (notlike a 'x') (ilike b 'Y')) (notilike c 'z'))");
  EXPECT_EQ(T("a IN (1, 2, 3) = FALSE"), "(= (in a 1 2 3) FALSE)");
  EXPECT_EQ(T("a + 1 NOT IN (b, c * 2)"), "(notin (+ a 1) b (* c 2))");
  EXPECT_EQ(T("a IS NULL IS NOT NULL"), "(isnotnull (isnull a))");
}

TEST(ParserExprTest, NonAssociativeOperatorsMustBeParenthesized) {
  EXPECT_EQ(ExprError("1 < x < 5"),
            "syntax error at line 1, column 7: comparison operators cannot be chained; use parentheses "
            "(found '<')");
  EXPECT_EQ(ExprError("a = b = c"),
            "syntax error at line 1, column 7: comparison operators cannot be chained; use parentheses "
            "(found '=')");
  EXPECT_EQ(ExprError("a LIKE b LIKE c"),
            "syntax error at line 1, column 10: BETWEEN, IN and LIKE operators cannot be chained; use "
            "parentheses (found 'LIKE')");
  EXPECT_EQ(T("(1 < x) = (x < 5)"), "(= (< 1 x) (< x 5))");
}

TEST(ParserExprTest, Literals) {
  auto lit = [](std::string_view sql) -> Value {
    ExprPtr e = ParseExpr(sql);
    if (!e || e->kind != ExprKind::kLiteral) {
      ADD_FAILURE() << sql << " is not a literal";
      return Value();
    }
    return e->As<Literal>().value;
  };
  EXPECT_EQ(lit("42"), Value::Int64(42));
  EXPECT_EQ(lit("0"), Value::Int64(0));
  EXPECT_EQ(lit("-7"), Value::Int64(-7));
  EXPECT_EQ(lit("9223372036854775807"), Value::Int64(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(lit("-9223372036854775808"), Value::Int64(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(lit("1.5"), Value::Double(1.5));
  EXPECT_EQ(lit(".25"), Value::Double(0.25));
  EXPECT_EQ(lit("-2.5e3"), Value::Double(-2500.0));
  EXPECT_EQ(lit("1e-3"), Value::Double(0.001));
  EXPECT_EQ(lit("3."), Value::Double(3.0));
  EXPECT_EQ(lit("'it''s'"), Value::String("it's"));
  EXPECT_EQ(lit("''"), Value::String(""));
  EXPECT_EQ(lit("TRUE"), Value::Boolean(true));
  EXPECT_EQ(lit("false"), Value::Boolean(false));
  EXPECT_TRUE(lit("NULL").is_null());
  EXPECT_EQ(lit("DATE '1970-01-02'"), Value::Date(1));
  EXPECT_EQ(lit("date '1969-12-31'"), Value::Date(-1));
  EXPECT_EQ(lit("DATE '2024-02-29'"), Value::Date(19782));
  EXPECT_EQ(lit("TIMESTAMP '1970-01-01 00:00:01.5'"), Value::Timestamp(1500000, TimeUnit::kMicros));
  EXPECT_EQ(lit("TIMESTAMP '2024-01-01 00:00:00'"),
            Value::Timestamp(int64_t{1704067200} * 1000000, TimeUnit::kMicros));
  EXPECT_EQ(lit("TIMESTAMP '2024-01-01T02:00:00+02:00'"),
            Value::Timestamp(int64_t{1704067200} * 1000000, TimeUnit::kMicros));
  EXPECT_EQ(lit("TIMESTAMP '2024-01-01'"),
            Value::Timestamp(int64_t{1704067200} * 1000000, TimeUnit::kMicros));
  // -(5) is an operator applied to a literal, not a literal.
  EXPECT_EQ(T("-(5)"), "(neg 5)");
  EXPECT_EQ(T("2 - -3"), "(- 2 -3)");
  EXPECT_EQ(T("-1::int"), "(cast:INTEGER -1)");
}

TEST(ParserExprTest, LiteralErrors) {
  EXPECT_EQ(ExprError("9223372036854775808"),
            "integer literal 9223372036854775808 is out of range for BIGINT at line 1, column 1");
  EXPECT_EQ(ExprError("1 + -9223372036854775809"),
            "integer literal -9223372036854775809 is out of range for BIGINT at line 1, column 6");
  EXPECT_EQ(ExprError("x = 123456789012345678901234567890"),
            "integer literal 123456789012345678901234567890 is out of range for BIGINT at line 1, column 5");
  EXPECT_EQ(ExprError("1e999"), "numeric literal 1e999 is out of range for DOUBLE at line 1, column 1");
  EXPECT_EQ(ExprError("DATE '2023-02-29'"),
            "invalid DATE literal '2023-02-29' at line 1, column 1; expected 'YYYY-MM-DD'");
  EXPECT_EQ(ExprError("TIMESTAMP '2024-01-01 25:00:00'"),
            "invalid TIMESTAMP literal '2024-01-01 25:00:00' at line 1, column 1; expected "
            "'YYYY-MM-DD HH:MM:SS[.ffffff]'");
  EXPECT_EQ(ExprError("TIMESTAMP '2024-01-01 00:00:00.1234567'").substr(0, 25), "invalid TIMESTAMP literal");
}

TEST(ParserExprTest, ColumnsAndFunctions) {
  EXPECT_EQ(T("a"), "a");
  EXPECT_EQ(T("T.Col"), "t.col");
  EXPECT_EQ(T("\"T\".\"Col\""), "T.Col");
  EXPECT_EQ(T("count(*)"), "(count *)");
  EXPECT_EQ(T("COUNT(DISTINCT user_id)"), "(count:distinct user_id)");
  EXPECT_EQ(T("sum(ALL x)"), "(sum x)");
  EXPECT_EQ(T("now()"), "(now)");
  EXPECT_EQ(T("coalesce(a, b + 1, 'x')"), "(coalesce a (+ b 1) 'x')");
  EXPECT_EQ(T("date(ts)"), "(date ts)");   // DATE is a function name when no string follows
  EXPECT_EQ(T("date + 1"), "(+ date 1)");  // ... and a column name otherwise
  EXPECT_EQ(T("first(x) + last(y)"), "(+ (first x) (last y))");
  ExprPtr f = ParseExpr("count(*)");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->As<FunctionCall>().star);
  EXPECT_TRUE(f->As<FunctionCall>().args.empty());
}

TEST(ParserExprTest, CaseAndCast) {
  EXPECT_EQ(T("CASE WHEN a > 1 THEN 'big' WHEN a > 0 THEN 'small' ELSE 'none' END"),
            "(case+else (> a 1) 'big' (> a 0) 'small' 'none')");
  EXPECT_EQ(T("CASE status WHEN 1 THEN 'on' END"), "(case status 1 'on')");
  ExprPtr c = ParseExpr("CASE x WHEN 1 THEN 2 END");
  ASSERT_NE(c, nullptr);
  const auto& ce = c->As<CaseExpr>();
  ASSERT_NE(ce.operand, nullptr);
  EXPECT_EQ(ce.whens.size(), 1u);
  EXPECT_EQ(ce.else_result, nullptr);
  EXPECT_EQ(T("CAST(a AS BIGINT)"), "(cast:BIGINT a)");
  EXPECT_EQ(T("a::double precision"), "(cast:DOUBLE a)");
  EXPECT_EQ(T("a::varchar(20)::text"), "(cast:VARCHAR (cast:VARCHAR(20) a))");
  EXPECT_EQ(T("CAST(x AS decimal(10, 2))"), "(cast:DECIMAL(10,2) x)");
  EXPECT_EQ(T("CAST(ts AS timestamp_ms)"), "(cast:TIMESTAMP_MS ts)");
  EXPECT_EQ(T("x::int4 + y::real"), "(+ (cast:INTEGER x) (cast:FLOAT y))");
}

TEST(ParserExprTest, Positions) {
  ExprPtr e = ParseExpr("a +\n  f(b, 'x' || c)");
  ASSERT_NE(e, nullptr);
  const auto& add = e->As<BinaryExpr>();
  EXPECT_EQ(add.pos, (SourcePos{1, 1}));
  EXPECT_EQ(add.left->pos, (SourcePos{1, 1}));
  const auto& call = add.right->As<FunctionCall>();
  EXPECT_EQ(call.pos, (SourcePos{2, 3}));
  EXPECT_EQ(call.args[0]->pos, (SourcePos{2, 5}));
  EXPECT_EQ(call.args[1]->pos, (SourcePos{2, 8}));
  EXPECT_EQ(call.args[1]->As<BinaryExpr>().right->pos, (SourcePos{2, 15}));
  EXPECT_EQ(ParseExpr("  -5")->pos, (SourcePos{1, 3}));
}

TEST(ParserExprTest, CloneAndEquals) {
  ExprPtr a = ParseExpr("CASE WHEN x IN (1, 2) THEN count(DISTINCT y) ELSE -z::int END || 'q'");
  ExprPtr b = ParseExpr("case when x in (1,2) then COUNT(distinct Y) else - z::int4 end||'q'");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(a->Equals(*b));
  ExprPtr copy = a->Clone();
  EXPECT_TRUE(copy->Equals(*a));
  EXPECT_EQ(copy->ToString(), a->ToString());
  EXPECT_EQ(copy->pos, a->pos);
  EXPECT_FALSE(a->Equals(*ParseExpr("CASE WHEN x IN (1, 3) THEN count(DISTINCT y) ELSE -z::int END || 'q'")));
  EXPECT_FALSE(ParseExpr("count(y)")->Equals(*ParseExpr("count(DISTINCT y)")));
  EXPECT_FALSE(ParseExpr("1")->Equals(*ParseExpr("1.0")));
  EXPECT_TRUE(ParseExpr("CAST(a AS INT)")->Equals(*ParseExpr("a::integer")));
}

TEST(ParserExprTest, ToStringIsCanonical) {
  auto canon = [](std::string_view sql) {
    ExprPtr e = ParseExpr(sql);
    return e ? e->ToString() : "<error>";
  };
  EXPECT_EQ(canon("1+2*3"), "1 + 2 * 3");
  EXPECT_EQ(canon("(1+2)*3"), "(1 + 2) * 3");
  EXPECT_EQ(canon("1-(2-3)"), "1 - (2 - 3)");
  EXPECT_EQ(canon("not a=b and c"), "NOT a = b AND c");
  EXPECT_EQ(canon("not (a and b)"), "NOT (a AND b)");
  EXPECT_EQ(canon("(a or b) and c"), "(a OR b) AND c");
  EXPECT_EQ(canon("a != b"), "a <> b");
  EXPECT_EQ(canon("(a = b) = c"), "(a = b) = c");
  EXPECT_EQ(canon("a = (b = c)"), "a = (b = c)");
  EXPECT_EQ(canon("-(5)"), "-(5)");
  EXPECT_EQ(canon("-(-5)"), "- -5");
  EXPECT_EQ(canon("- - x"), "- -x");
  EXPECT_EQ(canon("-(x + 1)"), "-(x + 1)");
  EXPECT_EQ(canon("(-x)::text"), "(-x)::VARCHAR");
  EXPECT_EQ(canon("Count(*)"), "count(*)");
  EXPECT_EQ(canon("\"Weird Name\" + \"select\" + \"a\"\"b\""), "\"Weird Name\" + \"select\" + \"a\"\"b\"");
  EXPECT_EQ(canon("x BETWEEN (a AND b) AND c"), "x BETWEEN (a AND b) AND c");
  EXPECT_EQ(canon("a = NOT b"), "a = (NOT b)");
  EXPECT_EQ(canon("cast(x as int)"), "CAST(x AS INTEGER)");
  EXPECT_EQ(canon("x::int"), "x::INTEGER");
  EXPECT_EQ(canon("1.0"), "1.0");
  EXPECT_EQ(canon("1e20"), "1e+20");
  EXPECT_EQ(canon("0.1"), "0.1");
  EXPECT_EQ(canon("timestamp '2024-03-01T12:30:00.250Z'"), "TIMESTAMP '2024-03-01 12:30:00.25'");
  EXPECT_EQ(canon("date '1900-03-01'"), "DATE '1900-03-01'");
  EXPECT_EQ(canon("'a''b'"), "'a''b'");
  EXPECT_EQ(canon("case when a then 1 end"), "CASE WHEN a THEN 1 END");
  EXPECT_EQ(canon("x not in (1)"), "x NOT IN (1)");
}

TEST(ParserExprTest, ExpressionErrors) {
  EXPECT_EQ(ExprError("a +"), "syntax error at line 1, column 4: expected an expression, found end of input");
  EXPECT_EQ(ExprError("a IS 5"), "syntax error at line 1, column 6: expected NULL after IS, found '5'");
  EXPECT_EQ(ExprError("a IN 1"), "syntax error at line 1, column 6: expected '(' after IN, found '1'");
  EXPECT_EQ(ExprError("a IN ()"), "syntax error at line 1, column 7: expected an expression, found ')'");
  EXPECT_EQ(ExprError("a BETWEEN 1 OR 2"), "syntax error at line 1, column 13: expected AND, found 'OR'");
  EXPECT_EQ(ExprError("CASE END"), "syntax error at line 1, column 6: expected WHEN, found 'END'");
  EXPECT_EQ(ExprError("CAST(a, INT)"), "syntax error at line 1, column 7: expected AS, found ','");
  EXPECT_EQ(ExprError("a::"), "syntax error at line 1, column 4: expected a type name, found end of input");
  EXPECT_EQ(ExprError("t.*"),
            "syntax error at line 1, column 3: expected a column name after 't.', found '*'");
  EXPECT_EQ(ExprError("a b"), "syntax error at line 1, column 3: expected end of expression, found 'b'");
  EXPECT_EQ(ExprError("x IN (SELECT 1)"), "syntax error at line 1, column 7: subqueries are not supported");
  EXPECT_EQ(ExprError("f(a"), "syntax error at line 1, column 4: expected ',' or ')', found end of input");
}

TEST(ParserExprTest, DeepNestingIsAnErrorNotACrash) {
  auto nested = [](int n) { return std::string(n, '(') + "1" + std::string(n, ')'); };
  EXPECT_NE(ParseExpr(nested(255)), nullptr);
  EXPECT_EQ(ExprError(nested(256)),
            "expression nesting depth 257 exceeds the limit of 256 (max_expression_depth) at line 1, "
            "column 257");
  // Far beyond any stack: still a clean error, naming the limit.
  EXPECT_NE(ExprError(nested(100000)).find("exceeds the limit of 256 (max_expression_depth)"),
            std::string::npos);
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  EXPECT_NE(ExprError(nots + "x").find("(max_expression_depth)"), std::string::npos);
  std::string minus;
  for (int i = 0; i < 5000; ++i) minus += "- ";
  EXPECT_NE(ExprError(minus + "x").find("(max_expression_depth)"), std::string::npos);
  std::string calls;
  for (int i = 0; i < 5000; ++i) calls += "f(";
  EXPECT_NE(ExprError(calls + "1" + std::string(5000, ')')).find("(max_expression_depth)"),
            std::string::npos);
  std::string cases;
  for (int i = 0; i < 5000; ++i) cases += "CASE WHEN x THEN ";
  cases += "1";
  for (int i = 0; i < 5000; ++i) cases += " END";
  EXPECT_NE(ExprError(cases).find("(max_expression_depth)"), std::string::npos);
  // Long left-deep chains of other operators build tall trees without recursion; they are bounded too.
  std::string sum = "1";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  EXPECT_EQ(
      ExprError(sum),
      "expression nesting depth 257 exceeds the limit of 256 (max_expression_depth) at line 1, column 1");
  std::string sum_ok = "1";
  for (int i = 0; i < 255; ++i) sum_ok += " + 1";
  EXPECT_NE(ParseExpr(sum_ok), nullptr);
  std::string casts = "x";
  for (int i = 0; i < 5000; ++i) casts += "::int";
  EXPECT_NE(ExprError(casts).find("(max_expression_depth)"), std::string::npos);
}

TEST(ParserExprTest, AndOrChainsAreOneNode) {
  EXPECT_EQ(T("a OR b OR c"), "(OR a b c)");
  EXPECT_EQ(T("a AND b AND c OR d AND e"), "(OR (AND a b c) (AND d e))");
  // A parenthesized chain stays one operand, and prints back with its parentheses.
  EXPECT_EQ(T("(a OR b) OR c"), "(OR (OR a b) c)");
  EXPECT_EQ(T("a OR (b OR c)"), "(OR a (OR b c))");
  EXPECT_EQ(ParseExpr("(a OR b) OR c")->ToString(), "(a OR b) OR c");
  EXPECT_EQ(ParseExpr("a OR b OR c")->ToString(), "a OR b OR c");
  EXPECT_EQ(ParseExpr("(a AND b) OR NOT (c OR d)")->ToString(), "a AND b OR NOT (c OR d)");
  // 100,000 terms: one node, no depth.
  std::string ors = "x = 0";
  for (int i = 1; i < 100000; ++i) ors += " OR x = " + std::to_string(i);
  ExprPtr e = ParseExpr(ors);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->kind, ExprKind::kLogical);
  EXPECT_EQ(e->As<LogicalExpr>().operands.size(), 100000u);
  EXPECT_EQ(e->ToString(), ors);
  ExprPtr copy = e->Clone();
  EXPECT_TRUE(copy->Equals(*e));
  std::string ands = "x <> 0";
  for (int i = 1; i < 100000; ++i) ands += " AND (x <> " + std::to_string(i) + ")";
  e = ParseExpr(ands);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->As<LogicalExpr>().operands.size(), 100000u);
}

TEST(ParserExprTest, MillionItemInListIsOneNode) {
  std::string sql = "SELECT count(*) FROM ev WHERE id IN (";
  for (int i = 0; i < 1000000; ++i) sql += (i ? ", " : "") + std::to_string(i);
  sql += ")";
  StatementPtr s = Parse(sql);
  ASSERT_NE(s, nullptr);
  const auto& in = s->As<SelectStmt>().where->As<InListExpr>();
  ASSERT_EQ(in.list.size(), 1000000u);
  EXPECT_EQ(in.list[999999]->As<Literal>().value, Value::Int64(999999));
  EXPECT_EQ(s->ToString(), sql);
  // Items may be expressions; their depth counts, their number does not.
  EXPECT_NE(ExprError("x IN (1, " + std::string(1000, '(') + "2" + std::string(1000, ')') + ")")
                .find("(max_expression_depth)"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------------
// Statements

TEST(ParserStmtTest, CreateStream) {
  StatementPtr s = Parse(
      "CREATE STREAM IF NOT EXISTS Clicks (\n"
      "  ts TIMESTAMP NOT NULL,\n"
      "  user_id BIGINT NOT NULL,\n"
      "  \"Page\" VARCHAR(200),\n"
      "  n INT NULL, d DOUBLE, f REAL, ok BOOL, day DATE, s TEXT, amount DECIMAL(12, 2)\n"
      ") WITH (event_time = 'ts', event_id = 'user_id', kafka.topic = 'clicks', retention_days = 7)");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->kind, StatementKind::kCreateStream);
  const auto& c = s->As<CreateStreamStmt>();
  EXPECT_EQ(c.pos, (SourcePos{1, 1}));
  EXPECT_EQ(c.name, "clicks");
  EXPECT_TRUE(c.if_not_exists);
  ASSERT_EQ(c.columns.size(), 10u);
  EXPECT_EQ(c.columns[0].name, "ts");
  EXPECT_EQ(c.columns[0].type.type, DataType::Timestamp(TimeUnit::kMicros));
  EXPECT_TRUE(c.columns[0].not_null);
  EXPECT_EQ(c.columns[0].pos, (SourcePos{2, 3}));
  EXPECT_EQ(c.columns[1].type.type, DataType::Int64());
  EXPECT_EQ(c.columns[2].name, "Page");
  EXPECT_EQ(c.columns[2].type.type, DataType::String());
  EXPECT_EQ(c.columns[2].type.max_length, 200);
  EXPECT_FALSE(c.columns[2].not_null);
  EXPECT_EQ(c.columns[3].type.type, DataType::Int32());
  EXPECT_FALSE(c.columns[3].not_null);
  EXPECT_EQ(c.columns[4].type.type, DataType::Double());
  EXPECT_EQ(c.columns[5].type.type, DataType::Float());
  EXPECT_EQ(c.columns[6].type.type, DataType::Boolean());
  EXPECT_EQ(c.columns[7].type.type, DataType::Date());
  EXPECT_EQ(c.columns[8].type.type, DataType::String());
  EXPECT_EQ(c.columns[8].type.max_length, -1);
  EXPECT_EQ(c.columns[9].type.type, DataType::Decimal(12, 2));
  ASSERT_EQ(c.options.size(), 4u);
  EXPECT_EQ(c.options[0].key, "event_time");
  EXPECT_EQ(c.options[0].value, "ts");
  EXPECT_EQ(c.options[2].key, "kafka.topic");
  EXPECT_EQ(c.options[3].value, "7");
  EXPECT_EQ(c.options[0].pos, (SourcePos{6, 9}));
  EXPECT_EQ(s->ToString(),
            "CREATE STREAM IF NOT EXISTS clicks (ts TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, "
            "\"Page\" VARCHAR(200), n INTEGER, d DOUBLE, f FLOAT, ok BOOLEAN, day DATE, s VARCHAR, "
            "amount DECIMAL(12,2)) WITH (event_time = 'ts', event_id = 'user_id', kafka.topic = 'clicks', "
            "retention_days = '7')");
  // Non-reserved keywords are fine as names.
  EXPECT_EQ(Canon("create stream stream (date date, timestamp timestamp, first int, views int)"),
            "CREATE STREAM stream (date DATE, timestamp TIMESTAMP, first INTEGER, views INTEGER)");
  EXPECT_EQ(Canon("CREATE STREAM if (x BIGINT)"), "CREATE STREAM if (x BIGINT)");
}

TEST(ParserStmtTest, CreateView) {
  std::string sql =
      "CREATE VIEW IF NOT EXISTS page_counts AS\n"
      "  SELECT page, count(*) AS n FROM clicks GROUP BY page ;";
  StatementPtr s = Parse(sql);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->kind, StatementKind::kCreateView);
  const auto& v = s->As<CreateViewStmt>();
  EXPECT_EQ(v.name, "page_counts");
  EXPECT_TRUE(v.if_not_exists);
  EXPECT_EQ(v.query_text, "SELECT page, count(*) AS n FROM clicks GROUP BY page");
  ASSERT_NE(v.query, nullptr);
  EXPECT_EQ(v.query->pos, (SourcePos{2, 3}));
  EXPECT_EQ(v.query->items.size(), 2u);
  EXPECT_EQ(s->ToString(),
            "CREATE VIEW IF NOT EXISTS page_counts AS SELECT page, count(*) AS n FROM clicks GROUP BY page");
  EXPECT_EQ(Error("CREATE VIEW v AS SHOW STREAMS"),
            "syntax error at line 1, column 18: expected SELECT, found 'SHOW'");
  EXPECT_EQ(Error("CREATE VIEW v SELECT 1"),
            "syntax error at line 1, column 15: expected AS, found 'SELECT'");
}

TEST(ParserStmtTest, SelectAllClauses) {
  StatementPtr s = Parse(
      "select distinct c.page, count(*) total, sum(x) as \"Sum\", c.* , *\n"
      "from Clicks AS c where x > 1 and page like '/a%' group by 1, c.page having count(*) > 10\n"
      "order by total desc nulls last, 1, page asc nulls first limit 10 offset 5");
  ASSERT_NE(s, nullptr);
  const auto& q = s->As<SelectStmt>();
  EXPECT_TRUE(q.distinct);
  ASSERT_EQ(q.items.size(), 5u);
  EXPECT_EQ(Tree(*q.items[0].expr), "c.page");
  EXPECT_EQ(q.items[0].alias, "");
  EXPECT_EQ(q.items[1].alias, "total");
  EXPECT_EQ(q.items[2].alias, "Sum");
  EXPECT_TRUE(q.items[3].is_star);
  EXPECT_EQ(q.items[3].star_table, "c");
  EXPECT_EQ(q.items[3].expr, nullptr);
  EXPECT_TRUE(q.items[4].is_star);
  EXPECT_EQ(q.items[4].star_table, "");
  ASSERT_TRUE(q.from.has_value());
  EXPECT_EQ(q.from->name, "clicks");
  EXPECT_EQ(q.from->alias, "c");
  EXPECT_EQ(q.from->pos, (SourcePos{2, 6}));
  EXPECT_EQ(Tree(*q.where), "(AND (> x 1) (like page '/a%'))");
  ASSERT_EQ(q.group_by.size(), 2u);
  EXPECT_EQ(Tree(*q.group_by[0]), "1");
  EXPECT_EQ(Tree(*q.having), "(> (count *) 10)");
  ASSERT_EQ(q.order_by.size(), 3u);
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_EQ(q.order_by[0].nulls, NullsOrder::kLast);
  EXPECT_FALSE(q.order_by[1].descending);
  EXPECT_EQ(q.order_by[1].nulls, NullsOrder::kDefault);
  EXPECT_EQ(q.order_by[2].nulls, NullsOrder::kFirst);
  EXPECT_EQ(q.order_by[2].pos, (SourcePos{3, 36}));
  EXPECT_EQ(q.limit, 10);
  EXPECT_EQ(q.offset, 5);
  EXPECT_EQ(s->ToString(),
            "SELECT DISTINCT c.page, count(*) AS total, sum(x) AS \"Sum\", c.*, * FROM clicks AS c "
            "WHERE x > 1 AND page LIKE '/a%' GROUP BY 1, c.page HAVING count(*) > 10 "
            "ORDER BY total DESC NULLS LAST, 1, page NULLS FIRST LIMIT 10 OFFSET 5");
}

TEST(ParserStmtTest, SelectVariants) {
  EXPECT_EQ(Canon("SELECT 1+1"), "SELECT 1 + 1");
  // The example in docs/sql.md.
  EXPECT_EQ(Canon("select Page, COUNT(*) n from Clicks where not a=b and c group by 1"),
            "SELECT page, count(*) AS n FROM clicks WHERE NOT a = b AND c GROUP BY 1");
  EXPECT_EQ(Canon("select 1 where false"), "SELECT 1 WHERE FALSE");
  EXPECT_EQ(Canon("SELECT * FROM s"), "SELECT * FROM s");
  EXPECT_EQ(Canon("SELECT ALL a FROM s"), "SELECT a FROM s");
  EXPECT_EQ(Canon("SELECT a FROM s OFFSET 3 LIMIT 2"), "SELECT a FROM s LIMIT 2 OFFSET 3");
  EXPECT_EQ(Canon("SELECT a FROM s LIMIT ALL"), "SELECT a FROM s");
  EXPECT_EQ(Canon("SELECT a AS from FROM s"), "SELECT a AS \"from\" FROM s");
  EXPECT_EQ(Canon("SELECT a first FROM s x"), "SELECT a AS first FROM s AS x");
  EXPECT_EQ(Canon("SELECT date '2024-01-01' d"), "SELECT DATE '2024-01-01' AS d");
  EXPECT_EQ(Canon("SELECT a FROM s ORDER BY a DESC, b ASC"), "SELECT a FROM s ORDER BY a DESC, b");
  StatementPtr s = Parse("SELECT 2");
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->As<SelectStmt>().from.has_value());
  EXPECT_FALSE(s->As<SelectStmt>().limit.has_value());
}

TEST(ParserStmtTest, ShowDescribeDrop) {
  StatementPtr show = Parse("show streams");
  ASSERT_NE(show, nullptr);
  EXPECT_EQ(show->As<ShowStmt>().target, ShowTarget::kStreams);
  EXPECT_EQ(Canon("SHOW VIEWS;"), "SHOW VIEWS");
  StatementPtr d = Parse("DESCRIBE \"MyView\"");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->As<DescribeStmt>().name, "MyView");
  EXPECT_EQ(Canon("desc clicks"), "DESCRIBE clicks");
  StatementPtr drop = Parse("DROP VIEW IF EXISTS v1");
  ASSERT_NE(drop, nullptr);
  const auto& dr = drop->As<DropStmt>();
  EXPECT_EQ(dr.object, ObjectType::kView);
  EXPECT_TRUE(dr.if_exists);
  EXPECT_EQ(dr.name, "v1");
  EXPECT_EQ(Canon("drop stream clicks"), "DROP STREAM clicks");
  EXPECT_EQ(Canon("DROP STREAM IF EXISTS s"), "DROP STREAM IF EXISTS s");
  EXPECT_EQ(Canon("DROP STREAM if"), "DROP STREAM if");
}

TEST(ParserStmtTest, Scripts) {
  auto r = ParseScript(
      "-- setup\n"
      "CREATE STREAM s (a BIGINT);\n"
      ";;\n"
      "CREATE VIEW v AS SELECT a, count(*) FROM s GROUP BY a;\n"
      "/* query */ SELECT * FROM v");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0]->kind, StatementKind::kCreateStream);
  EXPECT_EQ((*r)[1]->kind, StatementKind::kCreateView);
  EXPECT_EQ((*r)[1]->pos, (SourcePos{4, 1}));
  EXPECT_EQ((*r)[2]->kind, StatementKind::kSelect);
  EXPECT_EQ((*r)[2]->pos, (SourcePos{5, 13}));
  auto empty = ParseScript("  -- nothing\n;");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto bad = ParseScript("SELECT 1; SELECT 2 3; SELECT 4");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "syntax error at line 1, column 20: expected ';' or end of input, found '3'");
  EXPECT_EQ(Canon("SELECT 1;;"), "SELECT 1");
}

TEST(ParserStmtTest, ErrorMessagesNamePositions) {
  EXPECT_EQ(Error("SELECT a FORM t"), "syntax error at line 1, column 10: expected FROM, found 'FORM'");
  EXPECT_EQ(Error("SELECT a,\n       b FORM t"),
            "syntax error at line 2, column 10: expected FROM, found 'FORM'");
  EXPECT_EQ(Error("SELECT a FROM t WHER x > 1"),
            "syntax error at line 1, column 17: expected end of statement or WHERE, GROUP BY, HAVING, "
            "ORDER BY, LIMIT, OFFSET, found 'WHER'");
  EXPECT_EQ(Error("SELECT a, FROM t"),
            "syntax error at line 1, column 11: expected an expression, found 'FROM'");
  EXPECT_EQ(Error("SELECT * FROM"),
            "syntax error at line 1, column 14: expected stream or view name, found end of input");
  EXPECT_EQ(Error("SELECT 'abc FROM t"), "unterminated string starting at line 1, column 8");
  EXPECT_EQ(Error("SELECT a\nFROM t\nWHERE x = = 1"),
            "syntax error at line 3, column 11: expected an expression, found '='");
  EXPECT_EQ(Error("CREATE STREAM s (a BIGINT, b)"),
            "syntax error at line 1, column 29: expected a type name, found ')'");
  EXPECT_EQ(Error("CREATE STREAM s (a FOO)"),
            "unknown type 'foo' at line 1, column 20; supported: BOOLEAN, INTEGER, BIGINT, UBIGINT, FLOAT, "
            "DOUBLE, VARCHAR, BLOB, DATE, TIMESTAMP, DECIMAL(p,s)");
  EXPECT_EQ(Error("CREATE STREAM s ()"),
            "syntax error at line 1, column 18: expected column name, found ')'");
  EXPECT_EQ(Error("CREATE STREAM select (a INT)"),
            "syntax error at line 1, column 15: expected stream name, found 'select' (a reserved word; write "
            "\"select\" to use it as a name)");
  EXPECT_EQ(Error("CREATE STREAM s (a INT) WITH (event_time 'ts')"),
            "syntax error at line 1, column 42: expected '=', found string 'ts'");
  EXPECT_EQ(Error("CREATE TABLE t (a INT)"),
            "syntax error at line 1, column 8: expected STREAM or VIEW, found 'TABLE'");
  EXPECT_EQ(Error("SELECT count(* FROM t"),
            "syntax error at line 1, column 16: expected ')' after '*', found 'FROM'");
  EXPECT_EQ(Error("SELECT CASE WHEN a THEN 1 FROM t"),
            "syntax error at line 1, column 27: expected WHEN, ELSE or END, found 'FROM'");
  EXPECT_EQ(Error("SELECT 9223372036854775808"),
            "integer literal 9223372036854775808 is out of range for BIGINT at line 1, column 8");
  EXPECT_EQ(Error("DROP TABLE x"),
            "syntax error at line 1, column 6: expected STREAM or VIEW, found 'TABLE'");
  EXPECT_EQ(Error("SELECT a FROM t LIMIT -1"),
            "syntax error at line 1, column 23: expected a non-negative integer after LIMIT, found '-'");
  EXPECT_EQ(
      Error("SELEC 1"),
      "syntax error at line 1, column 1: expected a statement (SELECT, CREATE, SHOW, DESCRIBE or DROP), "
      "found 'SELEC'");
  EXPECT_EQ(
      Error(""),
      "syntax error at line 1, column 1: expected a statement (SELECT, CREATE, SHOW, DESCRIBE or DROP), "
      "found end of input");
  EXPECT_EQ(Error("SELECT (1 + 2"), "syntax error at line 1, column 14: expected ')', found end of input");
  EXPECT_EQ(Error("SELECT 1; SELECT 2"),
            "syntax error at line 1, column 11: expected end of input (only one statement is allowed here), "
            "found 'SELECT'");
  EXPECT_EQ(Error("SELECT a FROM t ORDER a"), "syntax error at line 1, column 23: expected BY, found 'a'");
  EXPECT_EQ(Error("SELECT a FROM t ORDER BY a NULLS"),
            "syntax error at line 1, column 33: expected FIRST or LAST, found end of input");
  EXPECT_EQ(Error("SHOW TABLES"),
            "syntax error at line 1, column 6: expected STREAMS or VIEWS, found 'TABLES'");
  EXPECT_EQ(Error("SELECT a FROM t LIMIT 1 LIMIT 2"),
            "syntax error at line 1, column 25: expected ';' or end of input, found 'LIMIT'");
  EXPECT_EQ(Error("CREATE STREAM s (v VARCHAR(99999999999))"),
            "type argument 99999999999 of varchar is out of range at line 1, column 28");
  EXPECT_EQ(Error("CREATE STREAM s (v DECIMAL(40, 2))"),
            "DECIMAL(40,2) at line 1, column 20: precision must be 1..38 and scale 0..precision");
}

TEST(ParserStmtTest, RoundTrip) {
  const char* cases[] = {
      "CREATE STREAM IF NOT EXISTS \"Events\" (\"Ts\" TIMESTAMP NOT NULL, v DOUBLE) WITH ('a b' = 'it''s')",
      "CREATE STREAM s (a TIMESTAMP_NS, b TIMESTAMP_MS, c UBIGINT, d BLOB, e DECIMAL, f NUMERIC(5))",
      "CREATE VIEW v AS SELECT a % 7 AS k, approx_count_distinct(u), min(ts), max(ts) FROM s GROUP BY 1",
      "SELECT -9223372036854775808, - -1, -(1), 1 - -1, -x, +x, NOT -x",
      "SELECT a FROM s WHERE NOT (a IS NULL OR b IS NOT NULL) AND c NOT BETWEEN -1 AND d + 2",
      "SELECT CASE WHEN a IN (1, 2) THEN 'x' || b ELSE NULL END AS z FROM s ORDER BY z NULLS FIRST",
      "SELECT CASE a WHEN 1 THEN TRUE END, CAST(NULL AS VARCHAR(3)), a::BIGINT::DOUBLE FROM s",
      "SELECT (a = b) = (c < d), a = (b IS NULL), (a LIKE b) LIKE c, a BETWEEN (b BETWEEN c AND d) AND e",
      "SELECT 1.5e-7, 123456789.125, 0.0, -0.0, 1e300 FROM s",
      "SELECT TIMESTAMP '1960-05-06 07:08:09.000001', DATE '0001-01-01', DATE '9999-12-31'",
      "SELECT \"A\".\"B\", \"select\", \"x\"\"y\", t.\"from\" FROM \"T\" AS \"A\"",
      "SELECT a FROM s WHERE a = NOT b AND (NOT c) = d",
      "SELECT (-x)::text, -(x::text), (x + 1)::int, -(1)::int, (-1)::int FROM s",
      "SELECT count(DISTINCT a, b), count(*), f() FROM s GROUP BY a HAVING sum(b) > 0 LIMIT 0 OFFSET 0",
      "SHOW STREAMS; SHOW VIEWS; DESCRIBE s; DROP VIEW IF EXISTS v; DROP STREAM s",
      "SELECT a || b || (c || d), (a + b) * (c - d) / e % f, a - (b + c), a * (b / c)",
      "SELECT NOT NOT a, NOT (a AND b), (NOT a) AND b, a OR (b OR c), (a OR b) OR c",
  };
  for (const char* sql : cases) ExpectRoundTrip(sql);
}

// Random token soup: must never crash, and whatever parses must round-trip.
TEST(ParserFuzzTest, RandomTokenSequencesNeverCrash) {
  const char* vocab[] = {
      "SELECT",
      "FROM",
      "WHERE",
      "GROUP",
      "BY",
      "HAVING",
      "ORDER",
      "LIMIT",
      "OFFSET",
      "AS",
      "DISTINCT",
      "CREATE",
      "STREAM",
      "VIEW",
      "IF",
      "NOT",
      "EXISTS",
      "WITH",
      "SHOW",
      "STREAMS",
      "VIEWS",
      "DESCRIBE",
      "DESC",
      "ASC",
      "DROP",
      "NULLS",
      "FIRST",
      "LAST",
      "AND",
      "OR",
      "IS",
      "NULL",
      "IN",
      "BETWEEN",
      "LIKE",
      "ILIKE",
      "CASE",
      "WHEN",
      "THEN",
      "ELSE",
      "END",
      "CAST",
      "TRUE",
      "FALSE",
      "DATE",
      "TIMESTAMP",
      "BIGINT",
      "INT",
      "VARCHAR",
      "DOUBLE",
      "a",
      "b",
      "t",
      "count",
      "sum",
      "\"Q\"",
      "1",
      "0",
      "42",
      "9223372036854775808",
      "1.5",
      ".5",
      "1e3",
      "'x'",
      "'2024-01-01'",
      "'2024-01-01 00:00:00'",
      "(",
      ")",
      "(",
      ")",
      ",",
      ",",
      ";",
      ".",
      "*",
      "+",
      "-",
      "/",
      "%",
      "=",
      "<>",
      "!=",
      "<",
      "<=",
      ">",
      ">=",
      "||",
      "::",
      "'",
      "\"",
      "--",
      "/*",
      "*/",
      "@",
  };
  constexpr size_t kVocab = sizeof(vocab) / sizeof(vocab[0]);
  std::mt19937 rng(20240601);
  int parsed = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::string sql;
    int n = 1 + static_cast<int>(rng() % 24);
    // Start with a statement keyword most of the time so the parser gets deep enough to matter.
    if (rng() % 4 != 0) sql = (rng() % 2) ? "SELECT " : "CREATE STREAM s (";
    for (int i = 0; i < n; ++i) {
      sql += vocab[rng() % kVocab];
      sql += (rng() % 8 == 0) ? "" : " ";
    }
    auto r = ParseScript(sql);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << sql;
      EXPECT_FALSE(r.status().message().empty());
      continue;
    }
    ++parsed;
    for (const auto& stmt : *r) {
      std::string text = stmt->ToString();
      auto again = ParseStatement(text);
      ASSERT_TRUE(again.ok()) << "from: " << sql << "\ncanonical: " << text << "\n"
                              << again.status().ToString();
      ASSERT_EQ((*again)->ToString(), text) << "from: " << sql;
    }
  }
  EXPECT_GT(parsed, 100);  // the soup must exercise the success path too
  // Raw bytes.
  for (int iter = 0; iter < 5000; ++iter) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 256);
    auto r = ParseScript(bytes);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(DatetimeTest, DatesAndTimestamps) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(ParseDate("2000-02-29"), 11016);
  EXPECT_EQ(ParseDate("1900-02-29"), std::nullopt);
  EXPECT_EQ(ParseDate("2000-1-01"), std::nullopt);
  EXPECT_EQ(ParseDate("2000-01-01 "), std::nullopt);
  EXPECT_EQ(FormatDate(-719162), "0001-01-01");
  EXPECT_EQ(FormatDate(2932896), "9999-12-31");
  EXPECT_EQ(ParseTimestampMicros("1969-12-31 23:59:59.999999"), -1);
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01 00:00:00");
  EXPECT_EQ(ParseTimestampMicros("1970-01-01 00:00"), 0);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01 01:00:00-01:00"), int64_t{7200} * 1000000);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01 00:00:00."), std::nullopt);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01 00:60:00"), std::nullopt);
  for (int64_t days = -719162; days <= 2932896; days += 997) {
    std::string text = FormatDate(days);
    ASSERT_EQ(ParseDate(text), days) << text;
  }
}

}  // namespace
}  // namespace tandem::sql
