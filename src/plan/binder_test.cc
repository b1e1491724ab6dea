#include "plan/binder.h"

#include <gtest/gtest.h>

#include <string>

#include "sql/parser.h"

namespace tandem::plan {
namespace {

Schema TestSchema() {
  return Schema{{{"user", DataType::String(), true},
                 {"n", DataType::Int64(), true},
                 {"x", DataType::Double(), true},
                 {"ts", DataType::Timestamp(), true},
                 {"Mixed", DataType::Int32(), true}}};
}

// Rows: ("Ann", 1, 0.5, 2024-05-01T10:20:30Z, 7), (NULL, NULL, NULL, NULL, NULL), ("bob", 3, -2, ..., 9).
RecordBatch TestBatch() {
  const Schema schema = TestSchema();
  std::vector<Column> cols;
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  cols[0].AppendString("Ann");
  cols[0].AppendNull();
  cols[0].AppendString("bob");
  cols[1].Append<int64_t>(1);
  cols[1].AppendNull();
  cols[1].Append<int64_t>(3);
  cols[2].Append<double>(0.5);
  cols[2].AppendNull();
  cols[2].Append<double>(-2);
  const int64_t ts = 1714558830LL * 1000000;  // 2024-05-01T10:20:30Z
  cols[3].Append<int64_t>(ts);
  cols[3].AppendNull();
  cols[3].Append<int64_t>(ts + 3600LL * 1000000);
  cols[4].Append<int32_t>(7);
  cols[4].AppendNull();
  cols[4].Append<int32_t>(9);
  return RecordBatch(schema, std::move(cols), 3);
}

// Binds the first select item of `sql` (a SELECT ... FROM t [alias]).
exec::ExprResult BindItem(const std::string& sql) {
  auto stmt = sql::ParseStatement(sql);
  if (!stmt.ok()) return stmt.status();
  const auto& select = (*stmt)->As<sql::SelectStmt>();
  std::vector<std::string> qualifiers;
  if (select.from) qualifiers.push_back(select.from->alias.empty() ? select.from->name : select.from->alias);
  static const Schema schema = TestSchema();
  if (select.where) return Binder(schema, qualifiers, "WHERE").Bind(*select.where);
  return Binder(schema, qualifiers, "the select list").Bind(*select.items[0].expr);
}

std::string BindError(const std::string& sql) {
  auto r = BindItem(sql);
  if (r.ok()) return "OK: " + (*r)->ToString();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

// Evaluates the first select item of `sql` over TestBatch() as JSON texts, one per row.
std::vector<std::string> Eval(const std::string& sql) {
  auto e = BindItem(sql);
  EXPECT_TRUE(e.ok()) << sql << ": " << e.status().ToString();
  if (!e.ok()) return {};
  auto col = exec::Evaluate(**e, TestBatch());
  EXPECT_TRUE(col.ok()) << sql << ": " << col.status().ToString();
  if (!col.ok()) return {};
  std::vector<std::string> out;
  for (size_t i = 0; i < col->length(); ++i) {
    std::string s;
    col->AppendJson(i, &s);
    out.push_back(s);
  }
  return out;
}

using Rows = std::vector<std::string>;

TEST(BinderTest, UnknownColumnNamesPositionAndHint) {
  EXPECT_EQ(BindError("SELECT usr FROM t"),
            "line 1, column 8: column \"usr\" does not exist; did you mean \"user\"?");
  EXPECT_EQ(BindError("SELECT 1 + uesr FROM t"),
            "line 1, column 12: column \"uesr\" does not exist; did you mean \"user\"?");
  EXPECT_EQ(BindError("SELECT\n  n,\n  zzzzzz FROM t WHERE zzzzzz > 1"),
            "line 3, column 23: column \"zzzzzz\" does not exist");
  // A column that differs only in case: the hint shows the name to quote.
  EXPECT_EQ(BindError("SELECT mixed FROM t"),
            "line 1, column 8: column \"mixed\" does not exist; did you mean \"Mixed\"?");
  EXPECT_EQ(BindError("SELECT \"Mixed\" FROM t"), "OK: Mixed");
}

TEST(BinderTest, QualifiedColumns) {
  EXPECT_EQ(BindError("SELECT t.n FROM t"), "OK: n");
  EXPECT_EQ(BindError("SELECT e.n FROM t AS e"), "OK: n");
  // With an alias, the table's own name no longer qualifies (as in PostgreSQL).
  EXPECT_EQ(BindError("SELECT t.n FROM t AS e"),
            "line 1, column 8: missing FROM-clause entry for table \"t\"");
  EXPECT_EQ(BindError("SELECT t.nn FROM t"),
            "line 1, column 8: column \"t.nn\" does not exist; did you mean \"n\"?");
}

TEST(BinderTest, BuilderErrorsCarryTheNodePosition) {
  const std::string msg = BindError("SELECT 1 FROM t WHERE n > 1 AND user + 1 > 2");
  EXPECT_EQ(msg.rfind("line 1, column 33: operator + is not defined for VARCHAR and BIGINT", 0), 0u) << msg;
  const std::string like = BindError("SELECT n LIKE 'a%' FROM t");
  EXPECT_EQ(like.rfind("line 1, column 8: LIKE needs VARCHAR operands", 0), 0u) << like;
  const std::string fn = BindError("SELECT 2 * nosuch(n) FROM t");
  EXPECT_EQ(fn, "line 1, column 12: unknown function nosuch()");
  const std::string where = BindError("SELECT 1 FROM t WHERE sum(n) > 1");
  EXPECT_EQ(where, "line 1, column 23: aggregate functions are not allowed in WHERE");
  EXPECT_EQ(BindError("SELECT +user FROM t"), "line 1, column 8: operator does not exist: + VARCHAR");
  EXPECT_EQ(BindError("SELECT lower(DISTINCT user) FROM t"),
            "line 1, column 8: DISTINCT specified, but lower is not an aggregate function");
}

TEST(BinderTest, EvaluatesEveryConstruct) {
  EXPECT_EQ(Eval("SELECT n + 1 FROM t"), (Rows{"2", "null", "4"}));
  EXPECT_EQ(Eval("SELECT -n FROM t"), (Rows{"-1", "null", "-3"}));
  EXPECT_EQ(Eval("SELECT NOT (n > 1) FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT user IS NULL FROM t"), (Rows{"false", "true", "false"}));
  EXPECT_EQ(Eval("SELECT user IS NOT NULL FROM t"), (Rows{"true", "false", "true"}));
  EXPECT_EQ(Eval("SELECT n IN (1, 2) FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT n NOT IN (1, 2) FROM t"), (Rows{"false", "null", "true"}));
  EXPECT_EQ(Eval("SELECT n NOT IN (1, NULL) FROM t"), (Rows{"false", "null", "null"}));
  EXPECT_EQ(Eval("SELECT x BETWEEN 0 AND 1 FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT x NOT BETWEEN 0 AND 1 FROM t"), (Rows{"false", "null", "true"}));
  EXPECT_EQ(Eval("SELECT user LIKE 'A%' FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT user NOT LIKE 'A%' FROM t"), (Rows{"false", "null", "true"}));
  EXPECT_EQ(Eval("SELECT user ILIKE 'a%' FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT user NOT ILIKE 'B_B' FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT CASE WHEN n = 1 THEN 'one' WHEN n > 1 THEN 'many' END FROM t"),
            (Rows{"\"one\"", "null", "\"many\""}));
  EXPECT_EQ(Eval("SELECT CASE n WHEN 1 THEN 10 WHEN 3 THEN 30 ELSE 0 END FROM t"), (Rows{"10", "0", "30"}));
  EXPECT_EQ(Eval("SELECT CAST(n AS VARCHAR) FROM t"), (Rows{"\"1\"", "null", "\"3\""}));
  EXPECT_EQ(Eval("SELECT x::BIGINT FROM t"), (Rows{"0", "null", "-2"}));
  EXPECT_EQ(Eval("SELECT user || '!' FROM t"), (Rows{"\"Ann!\"", "null", "\"bob!\""}));
  EXPECT_EQ(Eval("SELECT user || n FROM t"), (Rows{"\"Ann1\"", "null", "\"bob3\""}));
  EXPECT_EQ(Eval("SELECT concat(user, '-', n) FROM t"), (Rows{"\"Ann-1\"", "\"-\"", "\"bob-3\""}));
  EXPECT_EQ(Eval("SELECT coalesce(n, 0) FROM t"), (Rows{"1", "0", "3"}));
  EXPECT_EQ(Eval("SELECT nullif(n, 3) FROM t"), (Rows{"1", "null", "null"}));
  EXPECT_EQ(Eval("SELECT upper(user) FROM t"), (Rows{"\"ANN\"", "null", "\"BOB\""}));
  EXPECT_EQ(Eval("SELECT date_trunc('hour', ts) FROM t"),
            (Rows{"\"2024-05-01T10:00:00Z\"", "null", "\"2024-05-01T11:00:00Z\""}));
  EXPECT_EQ(Eval("SELECT ts > '2024-05-01 11:00:00' FROM t"), (Rows{"false", "null", "true"}));
  EXPECT_EQ(Eval("SELECT \"Mixed\" * 2 FROM t"), (Rows{"14", "null", "18"}));
  EXPECT_EQ(Eval("SELECT NULL FROM t"), (Rows{"null", "null", "null"}));
}

TEST(BinderTest, HookReplacesNodes) {
  static const Schema schema = TestSchema();
  Binder binder(schema, {"t"}, "HAVING");
  binder.set_hook([](const sql::Expr& e) -> Result<exec::ExprPtr> {
    if (e.kind == sql::ExprKind::kFunctionCall) return exec::ex::Lit(Value::Int64(100));
    return exec::ExprPtr();
  });
  auto parsed = sql::ParseExpression("n + count(*)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto bound = binder.Bind(**parsed);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  auto col = exec::Evaluate(**bound, TestBatch());
  ASSERT_TRUE(col.ok());
  EXPECT_EQ(col->Value<int64_t>(0), 101);
  EXPECT_TRUE(col->IsNull(1));
  EXPECT_EQ(col->Value<int64_t>(2), 103);
}

TEST(BinderTest, ContainsAggregate) {
  auto a = sql::ParseExpression("1 + coalesce(sum(x), 0)");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(ContainsAggregate(**a));
  auto b = sql::ParseExpression("lower(user) || 'x'");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(ContainsAggregate(**b));
}

// IN lists of 10k, 100k and 1M constants: one hash-set node (no chain as deep as the list), the same
// three-valued answers as the short lists above.
TEST(BinderTest, LongInListsAreOneSetLookup) {
  for (int size : {10000, 100000, 1000000}) {
    SCOPED_TRACE(size);
    std::string list;
    list.reserve(static_cast<size_t>(size) * 8);
    for (int i = 0; i < size; ++i) list += (i ? ", " : "") + std::to_string(i + 2);  // 2 .. size+1
    auto bound = BindItem("SELECT n IN (" + list + ") FROM t");
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    EXPECT_EQ((*bound)->kind, exec::ExprKind::kInSet);
    EXPECT_EQ((*bound)->in_sets.at(0)->size(), static_cast<size_t>(size));
    EXPECT_EQ(Eval("SELECT n IN (" + list + ") FROM t"), (Rows{"false", "null", "true"}));
    EXPECT_EQ(Eval("SELECT n NOT IN (" + list + ") FROM t"), (Rows{"true", "null", "false"}));
    // A NULL in the list: no match is NULL, for IN and NOT IN alike.
    EXPECT_EQ(Eval("SELECT n IN (" + list + ", NULL) FROM t"), (Rows{"null", "null", "true"}));
    EXPECT_EQ(Eval("SELECT n NOT IN (NULL, " + list + ") FROM t"), (Rows{"null", "null", "false"}));
  }
}

TEST(BinderTest, InListConstantsTakeTheComparisonTypes) {
  // BIGINT against DOUBLE compares as DOUBLE, against a string literal as BIGINT: as `n = item` would.
  EXPECT_EQ(Eval("SELECT n IN (0.5, 3.0) FROM t"), (Rows{"false", "null", "true"}));
  EXPECT_EQ(Eval("SELECT n IN ('1', 2.5) FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT x IN (0.5, -2) FROM t"), (Rows{"true", "null", "true"}));
  EXPECT_EQ(Eval("SELECT x IN (-0.0, 0.5) FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT \"Mixed\" IN (7, 8000000000) FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT ts IN ('2024-05-01 10:20:30', NULL) FROM t"), (Rows{"true", "null", "null"}));
  EXPECT_EQ(Eval("SELECT user IN ('Ann', 'ann', n || '') FROM t"), (Rows{"true", "null", "false"}));
  EXPECT_EQ(Eval("SELECT NULL IN (1, 2) FROM t"), (Rows{"null", "null", "null"}));
  EXPECT_EQ(Eval("SELECT 3 IN (n, 1) FROM t"), (Rows{"false", "null", "true"}));
  EXPECT_NE(BindError("SELECT n IN (1, 'abc') FROM t").find("line 1, column 8"), std::string::npos);
  EXPECT_NE(BindError("SELECT n IN (1, TRUE) FROM t").find("cannot be matched"), std::string::npos);
}

TEST(BinderTest, AndOrChainsOf100kTermsAreOneNode) {
  std::string ors = "n = 0";
  for (int i = 1; i < 100000; ++i) ors += " OR n = " + std::to_string(i * 3);
  auto bound = BindItem("SELECT " + ors + " FROM t");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ((*bound)->kind, exec::ExprKind::kOr);
  EXPECT_EQ((*bound)->children.size(), 100000u);
  EXPECT_EQ(Eval("SELECT " + ors + " FROM t"), (Rows{"false", "null", "true"}));
  std::string ands = "n <> 0";
  for (int i = 1; i < 100000; ++i) ands += " AND n <> " + std::to_string(i * 3);
  EXPECT_EQ(Eval("SELECT " + ands + " FROM t"), (Rows{"true", "null", "false"}));
  std::string mixed = "n IS NULL";
  for (int i = 1; i < 100000; ++i) mixed += " OR x > 1000 AND n = " + std::to_string(i);
  EXPECT_EQ(Eval("SELECT " + mixed + " FROM t"), (Rows{"false", "true", "false"}));
  // concat() of 10,000 arguments is one node too.
  std::string args = "user";
  for (int i = 0; i < 9999; ++i) args += ", 'x'";
  auto c = Eval("SELECT length(concat(" + args + ")) FROM t");
  EXPECT_EQ(c, (Rows{"10002", "9999", "10002"}));
}

// The deepest expressions the parser accepts bind and evaluate (the recursion left is bounded by
// max_expression_depth, and fits the stack).
TEST(BinderTest, DeepestAcceptedExpressionsEvaluate) {
  std::string neg;
  for (int i = 0; i < 127; ++i) neg += "-(";
  neg += "n" + std::string(127, ')');
  EXPECT_EQ(Eval("SELECT " + neg + " FROM t"), (Rows{"-1", "null", "-3"}));
  std::string abs;
  for (int i = 0; i < 254; ++i) abs += "abs(";
  abs += "n" + std::string(254, ')');
  EXPECT_EQ(Eval("SELECT " + abs + " FROM t"), (Rows{"1", "null", "3"}));
  std::string cases;
  for (int i = 0; i < 250; ++i) cases += "CASE WHEN n > " + std::to_string(i % 2) + " THEN ";
  cases += "n";
  for (int i = 0; i < 250; ++i) cases += " ELSE 0 END";
  EXPECT_EQ(Eval("SELECT " + cases + " FROM t"), (Rows{"0", "0", "3"}));
  std::string sum = "n";
  for (int i = 0; i < 255; ++i) sum += " + \"Mixed\"";
  EXPECT_EQ(Eval("SELECT " + sum + " FROM t"), (Rows{"1786", "null", "2298"}));
  std::string too_deep = "n";
  for (int i = 0; i < 256; ++i) too_deep += " + 1";
  auto r = sql::ParseStatement("SELECT " + too_deep + " FROM t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      "expression nesting depth 257 exceeds the limit of 256 (max_expression_depth) at line 1, column 8");
}

}  // namespace
}  // namespace tandem::plan
