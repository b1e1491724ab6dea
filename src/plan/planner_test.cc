#include "plan/planner.h"

#include <gtest/gtest.h>

#include <string>

#include "sql/parser.h"

namespace tandem::plan {
namespace {

Schema EventSchema() {
  return Schema{{{"page", DataType::String(), true},
                 {"user", DataType::String(), true},
                 {"ts", DataType::Timestamp(), true},
                 {"latency", DataType::Double(), true},
                 {"bytes", DataType::Int64(), true}}};
}

Result<sql::StatementPtr> Parse(const std::string& sql) {
  return sql::ParseStatement(sql);
}

Result<QueryPlan> Plan(const std::string& sql) {
  TANDEM_ASSIGN_OR_RETURN(sql::StatementPtr stmt, Parse(sql));
  if (stmt->kind != sql::StatementKind::kSelect) return Status::InvalidArgument("not a SELECT");
  return PlanSelect(stmt->As<sql::SelectStmt>(), EventSchema());
}

Result<ViewPlan> View(const std::string& sql) {
  TANDEM_ASSIGN_OR_RETURN(sql::StatementPtr stmt, Parse(sql));
  if (stmt->kind == sql::StatementKind::kCreateView) {
    return PlanView(*stmt->As<sql::CreateViewStmt>().query, EventSchema());
  }
  return PlanView(stmt->As<sql::SelectStmt>(), EventSchema());
}

std::string PlanError(const std::string& sql) {
  auto r = Plan(sql);
  if (r.ok()) return "OK";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

std::string ViewError(const std::string& sql) {
  auto r = View(sql);
  if (r.ok()) return "OK";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

std::vector<std::string> Names(const Schema& s) {
  std::vector<std::string> out;
  for (const Field& f : s.fields) out.push_back(f.name);
  return out;
}

using Strings = std::vector<std::string>;

TEST(PlannerTest, SimpleProjection) {
  auto p = Plan(
      "SELECT page, bytes * 2 AS double_bytes, lower(user), CAST(bytes AS VARCHAR), 1 + 1, "
      "CASE WHEN bytes > 0 THEN 1 END FROM events WHERE latency > 0.5");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->aggregates);
  ASSERT_NE(p->where, nullptr);
  EXPECT_EQ(Names(p->output_schema), (Strings{"page", "double_bytes", "lower", "bytes", "?column?", "case"}));
  EXPECT_EQ(p->output_schema.fields[1].type, DataType::Int64());
  EXPECT_EQ(p->output_schema.fields[3].type, DataType::String());
  EXPECT_EQ(p->projection.size(), 6u);
}

TEST(PlannerTest, StarExpansion) {
  auto p = Plan("SELECT *, e.page AS p2 FROM events AS e");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(Names(p->output_schema), (Strings{"page", "user", "ts", "latency", "bytes", "p2"}));
  EXPECT_EQ(PlanError("SELECT x.* FROM events e"),
            "line 1, column 8: missing FROM-clause entry for table \"x\"");
  EXPECT_EQ(PlanError("SELECT *"), "line 1, column 8: SELECT * with no tables specified is not valid");
  EXPECT_EQ(PlanError("SELECT * FROM events GROUP BY page"),
            "line 1, column 8: column \"user\" must appear in the GROUP BY clause or be used in an aggregate "
            "function");
}

TEST(PlannerTest, AggregateBinding) {
  auto p = Plan(
      "SELECT date_trunc('hour', ts) AS hour, page, count(*), sum(latency) / count(*) AS mean, "
      "max(bytes) - min(bytes) FROM events GROUP BY date_trunc('hour', ts), 2 "
      "HAVING count(*) > 1 ORDER BY count(*) DESC, 1");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->aggregates);
  ASSERT_EQ(p->group_keys.size(), 2u);
  // count(*) is computed once, however often it appears.
  ASSERT_EQ(p->aggregate_calls.size(), 4u);
  EXPECT_EQ(p->aggregate_calls[0].text, "count(*)");
  EXPECT_EQ(p->aggregate_calls[1].text, "sum(latency)");
  EXPECT_EQ(Names(p->aggregate_schema), (Strings{"date_trunc('hour', ts)", "page", "count(*)", "sum(latency)",
                                                 "max(bytes)", "min(bytes)"}));
  EXPECT_EQ(Names(p->output_schema), (Strings{"hour", "page", "count", "mean", "?column?"}));
  EXPECT_EQ(p->output_schema.fields[0].type, DataType::Timestamp());
  EXPECT_EQ(p->output_schema.fields[3].type, DataType::Double());
  ASSERT_NE(p->having, nullptr);
  ASSERT_EQ(p->order_by.size(), 2u);
  EXPECT_EQ(p->order_by[0].column, 2u);
  EXPECT_TRUE(p->order_by[0].descending);
  EXPECT_EQ(p->order_by[0].nulls, exec::SortKey::Nulls::kFirst);  // PostgreSQL: DESC puts NULLs first
  EXPECT_EQ(p->order_by[1].column, 0u);
  EXPECT_EQ(p->order_by[1].nulls, exec::SortKey::Nulls::kLast);
  EXPECT_EQ(p->projection.size(), 5u);  // no hidden sort column needed
}

TEST(PlannerTest, AggregateWithoutGroupBy) {
  auto p = Plan("SELECT count(*), count(user), avg(latency) FROM events");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->aggregates);
  EXPECT_TRUE(p->group_keys.empty());
  EXPECT_EQ(Names(p->output_schema), (Strings{"count", "count", "avg"}));
  EXPECT_EQ(p->output_schema.fields[0].type, DataType::Int64());
  EXPECT_EQ(p->output_schema.fields[2].type, DataType::Double());
}

TEST(PlannerTest, GroupByAliasOrdinalAndQualifiedColumns) {
  auto p = Plan("SELECT lower(page) AS p, count(*) FROM events e GROUP BY p");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->group_key_names, (Strings{"lower(page)"}));
  // e.page and page name the same input column.
  auto q = Plan("SELECT e.page, count(*) FROM events e GROUP BY page");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  auto r = Plan("SELECT page, count(*) FROM events e GROUP BY e.page ORDER BY e.page");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Expressions that mean the same as a GROUP BY expression match it, however they are written.
  auto m = Plan(
      "SELECT lower(e.page), date_trunc('HOUR', e.ts) FROM events e "
      "GROUP BY lower(page), date_trunc('hour', ts)");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->projection[0]->kind, exec::ExprKind::kColumn);
  EXPECT_EQ(m->projection[1]->kind, exec::ExprKind::kColumn);
  // An input column wins over an output alias in GROUP BY (PostgreSQL).
  auto s = Plan("SELECT lower(user) AS page FROM events GROUP BY page");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.status().message(),
      "line 1, column 14: column \"user\" must appear in the GROUP BY clause or be used in an aggregate "
      "function");
}

TEST(PlannerTest, GroupByErrors) {
  EXPECT_EQ(
      PlanError("SELECT page, user, count(*) FROM events GROUP BY page"),
      "line 1, column 14: column \"user\" must appear in the GROUP BY clause or be used in an aggregate "
      "function");
  EXPECT_EQ(PlanError("SELECT page, count(*) FROM events"),
            "line 1, column 8: column \"page\" must appear in the GROUP BY clause or be used in an aggregate "
            "function");
  EXPECT_EQ(
      PlanError("SELECT count(*) FROM events HAVING bytes > 1"),
      "line 1, column 36: column \"bytes\" must appear in the GROUP BY clause or be used in an aggregate "
      "function");
  EXPECT_EQ(
      PlanError("SELECT page FROM events GROUP BY page ORDER BY user"),
      "line 1, column 48: column \"user\" must appear in the GROUP BY clause or be used in an aggregate "
      "function");
  EXPECT_EQ(PlanError("SELECT date_trunc('day', ts), count(*) FROM events GROUP BY date_trunc('hour', ts)"),
            "line 1, column 26: column \"ts\" must appear in the GROUP BY clause or be used in an aggregate "
            "function");
  EXPECT_EQ(PlanError("SELECT page FROM events GROUP BY 3"),
            "line 1, column 34: GROUP BY position 3 is not in select list");
  EXPECT_EQ(PlanError("SELECT count(*) AS c FROM events GROUP BY 1"),
            "line 1, column 43: aggregate functions are not allowed in GROUP BY");
  EXPECT_EQ(PlanError("SELECT page FROM events GROUP BY page, count(*)"),
            "line 1, column 40: aggregate functions are not allowed in GROUP BY");
  EXPECT_EQ(PlanError("SELECT sum(count(*)) FROM events"),
            "line 1, column 12: aggregate function calls cannot be nested");
  EXPECT_EQ(PlanError("SELECT page FROM events WHERE count(*) > 1"),
            "line 1, column 31: aggregate functions are not allowed in WHERE");
  EXPECT_EQ(PlanError("SELECT sum(*) FROM events"),
            "line 1, column 8: sum(*) is not valid; only count(*) takes *");
  EXPECT_EQ(PlanError("SELECT sum(latency, bytes) FROM events"),
            "line 1, column 8: aggregate sum takes 1 argument, got 2");
  EXPECT_EQ(PlanError("SELECT count(*) FROM events GROUP BY usr"),
            "line 1, column 38: column \"usr\" does not exist; did you mean \"user\"?");
}

TEST(PlannerTest, ClauseTypeErrors) {
  EXPECT_EQ(PlanError("SELECT page FROM events WHERE bytes"),
            "line 1, column 31: argument of WHERE must be type BOOLEAN, not type BIGINT");
  EXPECT_EQ(PlanError("SELECT page FROM events GROUP BY page HAVING count(*)"),
            "line 1, column 46: argument of HAVING must be type BOOLEAN, not type BIGINT");
  // A non-mergeable aggregate is refused in ad-hoc queries too, with the exec lookup's message.
  const std::string msg = PlanError("SELECT count(DISTINCT user) FROM events");
  EXPECT_EQ(
      msg.rfind("line 1, column 8: aggregate count(DISTINCT ...) cannot be maintained incrementally", 0), 0u)
      << msg;
}

TEST(PlannerTest, OrderBy) {
  auto p = Plan(
      "SELECT page AS p, bytes FROM events ORDER BY p DESC NULLS LAST, 2, latency ASC NULLS FIRST, "
      "bytes + 1");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->order_by.size(), 4u);
  EXPECT_EQ(p->order_by[0].column, 0u);
  EXPECT_TRUE(p->order_by[0].descending);
  EXPECT_EQ(p->order_by[0].nulls, exec::SortKey::Nulls::kLast);
  EXPECT_EQ(p->order_by[1].column, 1u);
  EXPECT_EQ(p->order_by[2].column, 2u);  // hidden column: latency
  EXPECT_EQ(p->order_by[2].nulls, exec::SortKey::Nulls::kFirst);
  EXPECT_EQ(p->order_by[3].column, 3u);  // hidden column: bytes + 1
  EXPECT_EQ(p->projection.size(), 4u);
  EXPECT_EQ(p->output_schema.fields.size(), 2u);

  EXPECT_EQ(PlanError("SELECT page FROM events ORDER BY 2"),
            "line 1, column 34: ORDER BY position 2 is not in select list");
  EXPECT_EQ(PlanError("SELECT DISTINCT page FROM events ORDER BY user"),
            "line 1, column 43: for SELECT DISTINCT, ORDER BY expressions must appear in select list");
  EXPECT_EQ(PlanError("SELECT page AS x, user AS x FROM events ORDER BY x"),
            "line 1, column 50: ORDER BY \"x\" is ambiguous");
  auto d = Plan("SELECT DISTINCT page FROM events ORDER BY page DESC LIMIT 3 OFFSET 1");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->distinct);
  EXPECT_EQ(d->limit, 3);
  EXPECT_EQ(d->offset, 1);
}

TEST(PlannerTest, SelectWithoutFrom) {
  auto p = Plan("SELECT 1 + 2 AS three, 'x' || 'y'");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->has_from);
  EXPECT_EQ(PlanError("SELECT page"), "line 1, column 8: column \"page\" does not exist");
}

TEST(PlannerTest, ViewRefusals) {
  EXPECT_EQ(ViewError("SELECT page, bytes FROM events"),
            "line 1, column 1: a view must aggregate: add GROUP BY or an aggregate function");
  EXPECT_EQ(
      ViewError("CREATE VIEW v AS SELECT page, count(*) FROM events GROUP BY page ORDER BY page"),
      "line 1, column 75: ORDER BY is not allowed in a view: a view is a set of rows; order them when you "
      "query the view");
  EXPECT_EQ(
      ViewError("SELECT page, count(*) FROM events GROUP BY page LIMIT 10"),
      "line 1, column 1: LIMIT is not allowed in a view: a view is a set of rows; limit them when you query "
      "the view");
  EXPECT_EQ(ViewError("SELECT page, count(*) FROM events GROUP BY page OFFSET 10"),
            "line 1, column 1: OFFSET is not allowed in a view: a view is a set of rows; limit them when you "
            "query the view");
  EXPECT_EQ(
      ViewError("SELECT DISTINCT page, count(*) FROM events GROUP BY page"),
      "line 1, column 1: SELECT DISTINCT is not allowed in a view: a view is a set of rows already; GROUP BY "
      "the columns instead");
  const std::string distinct =
      ViewError("CREATE VIEW v AS SELECT page, count(DISTINCT user) FROM events GROUP BY page");
  EXPECT_EQ(distinct.rfind(
                "line 1, column 31: aggregate count(DISTINCT ...) cannot be maintained incrementally", 0),
            0u)
      << distinct;
  const std::string median = ViewError("SELECT page,\n  median(latency) FROM events GROUP BY page");
  EXPECT_EQ(median.rfind("line 2, column 3: ", 0), 0u) << median;
  EXPECT_NE(median.find("median"), std::string::npos) << median;
  EXPECT_EQ(
      ViewError("SELECT page, count(*), count(user) FROM events GROUP BY page"),
      "line 1, column 24: column \"count\" appears more than once in the view; give each column a distinct "
      "name with AS");
}

TEST(PlannerTest, ViewThatCannotRunIsRefusedAtPlanning) {
  // PlanView runs the pipeline once over no events: what every batch would raise is an error now.
  const std::string div = ViewError("SELECT page, count(*) AS n FROM events WHERE 1 / 0 = 1 GROUP BY page");
  EXPECT_NE(div.find("the view's WHERE"), std::string::npos) << div;
  EXPECT_NE(div.find("division by zero"), std::string::npos) << div;
  const std::string select =
      ViewError("SELECT page, count(*) + (9223372036854775807 + 1) AS n FROM events GROUP BY page");
  EXPECT_NE(select.find("BIGINT out of range"), std::string::npos) << select;
  // A literal that does not cast fails at bind time, with its position.
  EXPECT_NE(ViewError("SELECT page, count(*) AS n FROM events WHERE bytes IN (1, 'x') GROUP BY page")
                .find("line 1, column 46"),
            std::string::npos);
  // The old poison: 20,000 constants are one set node; planning and the dry run pass.
  std::string poison = "SELECT page, count(*) AS n FROM events WHERE bytes IN (";
  for (int i = 0; i < 20000; ++i) poison += (i ? ", " : "") + std::to_string(i);
  poison += ") GROUP BY page";
  EXPECT_EQ(ViewError(poison), "OK");
}

TEST(PlannerTest, ViewPlan) {
  auto v = View(
      "CREATE VIEW v AS SELECT date_trunc('minute', ts) AS minute, page, count(*) AS hits, "
      "sum(bytes) AS bytes, avg(latency) AS latency FROM events WHERE page <> '' "
      "GROUP BY 1, page HAVING count(*) > 0");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(Names(v->output_schema()), (Strings{"minute", "page", "hits", "bytes", "latency"}));
  EXPECT_EQ(v->query().group_keys.size(), 2u);
  EXPECT_EQ(v->query().aggregate_calls.size(), 3u);  // count(*) once, for the list and HAVING
  EXPECT_EQ(v->stream_schema().fields.size(), 5u);
}

}  // namespace
}  // namespace tandem::plan
