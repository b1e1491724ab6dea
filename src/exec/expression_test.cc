#include "exec/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "exec/cast.h"
#include "exec/exec_test_helpers.h"

namespace tandem::exec {
namespace {

using testing::Bool;
using testing::Dt;
using testing::F64;
using testing::I32;
using testing::I64;
using testing::JsonAll;
using testing::MakeBatch;
using testing::Str;
using testing::Ts;

class ExpressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    batch_ = MakeBatch({
        {"i", I32({1, 2, std::nullopt, -7, 0})},
        {"b", I64({10, std::numeric_limits<int64_t>::max(), 3, 4, 0})},
        {"d", F64({1.5, -2.0, 0.0, std::nullopt, 10.0})},
        {"s", Str({"apple", "Banana", std::nullopt, "", "héllo"})},
        {"t", Ts({1714564800000000, 1714568400123456, std::nullopt, 0, -1})},  // 2024-05-01T12:00:00Z ...
        {"p", Bool({1, 0, std::nullopt, 1, 0})},
        {"q", Bool({std::nullopt, std::nullopt, std::nullopt, 0, 1})},
    });
  }
  ExprResult C(const std::string& name) { return ex::Col(batch_.schema(), name); }
  // Evaluates and renders as JSON, or returns "error: <message>".
  std::string Run(ExprResult e) {
    if (!e.ok()) return "build error: " + e.status().message();
    auto c = Evaluate(**e, batch_);
    if (!c.ok()) return "error: " + c.status().message();
    EXPECT_EQ(c->length(), batch_.num_rows());
    EXPECT_EQ(c->type(), (*e)->type);
    return JsonAll(*c);
  }
  RecordBatch batch_;
};

ExprResult L(int64_t v) {
  return ex::Lit(Value::Int64(v));
}
ExprResult L32(int32_t v) {
  return ex::Lit(Value::Int32(v));
}
ExprResult LD(double v) {
  return ex::Lit(Value::Double(v));
}
ExprResult LS(const std::string& v) {
  return ex::Lit(Value::String(v));
}

TEST_F(ExpressionTest, ColumnAndLiteral) {
  EXPECT_EQ(Run(C("i")), "[1,2,null,-7,0]");
  EXPECT_EQ(Run(L(5)), "[5,5,5,5,5]");
  EXPECT_EQ(Run(ex::Null()), "[null,null,null,null,null]");
  auto bad = ex::Col(batch_.schema(), "nope");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("unknown column \"nope\""), std::string::npos);
}

TEST_F(ExpressionTest, ArithmeticAndPromotion) {
  auto e = ex::Add(C("i"), L32(1));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->type, DataType::Int32());
  EXPECT_EQ(Run(e), "[2,3,null,-6,1]");
  auto f = ex::Add(C("i"), C("d"));
  EXPECT_EQ((*f)->type, DataType::Double());
  EXPECT_EQ(Run(f), "[2.5,0,null,null,10]");
  auto g = ex::Mul(C("i"), L(3));
  EXPECT_EQ((*g)->type, DataType::Int64());
  EXPECT_EQ(Run(g), "[3,6,null,-21,0]");
  // Integer division truncates toward zero, % keeps the dividend's sign.
  EXPECT_EQ(Run(ex::Div(C("i"), L32(2))), "[0,1,null,-3,0]");
  EXPECT_EQ(Run(ex::Mod(C("i"), L32(2))), "[1,0,null,-1,0]");
  EXPECT_EQ(Run(ex::Div(C("d"), LD(4))), "[0.375,-0.5,0,null,2.5]");
  EXPECT_EQ(Run(ex::Neg(C("i"))), "[-1,-2,null,7,0]");
  // A string literal adopts the numeric type.
  EXPECT_EQ(Run(ex::Add(C("i"), LS("10"))), "[11,12,null,3,10]");
  EXPECT_EQ(Run(ex::Add(C("i"), LS("x"))).substr(0, 12), "build error:");
}

TEST_F(ExpressionTest, ArithmeticErrors) {
  EXPECT_EQ(Run(ex::Div(C("b"), C("i"))), "error: division by zero");  // row 4: 0 / 0
  EXPECT_EQ(Run(ex::Mod(C("b"), L(0))), "error: division by zero");
  EXPECT_EQ(Run(ex::Div(C("d"), LD(0))), "error: division by zero");
  EXPECT_EQ(Run(ex::Add(C("b"), L(1))), "error: BIGINT out of range: 9223372036854775807 + 1");
  EXPECT_EQ(Run(ex::Mul(C("i"), L32(std::numeric_limits<int32_t>::max()))),
            "error: INTEGER out of range: 2 * 2147483647");
  EXPECT_EQ(Run(ex::Div(L(std::numeric_limits<int64_t>::min()), L(-1))).substr(0, 25),
            "error: BIGINT out of rang");
  // NULL rows never raise: i is NULL in row 2, where b / i would otherwise be fine anyway; d is NULL in
  // row 3 and the divisor there is NULL too.
  EXPECT_EQ(Run(ex::Div(C("i"), ex::Cast(C("d"), DataType::Int32()))),
            "[0,-1,null,null,0]");                    // row 2: NULL / 0
  auto nul = batch_.Slice(2, 2);                      // rows with i = NULL, -7
  auto e = ex::Div(L32(1), ex::Sub(C("i"), C("i")));  // NULL - NULL, then -7 - -7 = 0
  auto c = Evaluate(**e, nul);
  EXPECT_EQ(c.status().message(), "division by zero");
  auto only_null = batch_.Slice(2, 1);
  c = Evaluate(**e, only_null);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(JsonAll(*c), "[null]");
  // Type errors at build time.
  EXPECT_EQ(Run(ex::Add(C("s"), L(1))).substr(0, 44), "build error: operator + is not defined for V");
  auto s = ex::Add(C("s"), C("i"));
  EXPECT_NE(s.status().message().find("operator + is not defined for VARCHAR and INTEGER"),
            std::string::npos);
}

TEST_F(ExpressionTest, DateArithmetic) {
  auto batch = MakeBatch({{"day", Dt({19844, std::nullopt})}});
  auto e = ex::Add(ex::Col(0, DataType::Date()), L32(3));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->type, DataType::Date());
  EXPECT_EQ(JsonAll(*Evaluate(**e, batch)), "[\"2024-05-04\",null]");
  auto diff = ex::Sub(ex::Col(0, DataType::Date()), ex::Cast(LS("2024-01-01"), DataType::Date()));
  EXPECT_EQ((*diff)->type, DataType::Int32());
  EXPECT_EQ(JsonAll(*Evaluate(**diff, batch)), "[121,null]");
}

TEST_F(ExpressionTest, Comparisons) {
  EXPECT_EQ(Run(ex::Gt(C("i"), L(0))), "[true,true,null,false,false]");
  EXPECT_EQ(Run(ex::Eq(C("i"), C("d"))), "[false,false,null,null,false]");
  EXPECT_EQ(Run(ex::Lt(C("s"), LS("apple"))), "[false,true,null,true,false]");  // bytewise: 'B' < 'a'
  EXPECT_EQ(Run(ex::Ge(C("t"), LS("2024-05-01T12:00:00Z"))), "[true,true,null,false,false]");
  EXPECT_EQ(Run(ex::Ne(C("p"), ex::Lit(Value::Boolean(true)))), "[false,true,null,false,true]");
  // DATE vs TIMESTAMP compares as TIMESTAMP.
  EXPECT_EQ(Run(ex::Lt(C("t"), ex::Cast(LS("2024-05-01"), DataType::Date()))),
            "[false,false,null,true,true]");
  auto bad = ex::Eq(C("s"), C("i"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("cannot compare s (VARCHAR) = i (INTEGER)"), std::string::npos)
      << bad.status().message();
  EXPECT_NE(Run(ex::Eq(C("t"), LS("yesterday"))).find("cannot cast \"yesterday\" (VARCHAR) to TIMESTAMP"),
            std::string::npos);
}

TEST_F(ExpressionTest, FloatComparisonsFollowPostgres) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto batch = MakeBatch({{"x", F64({nan, -0.0, 1.0, std::numeric_limits<double>::infinity()})}});
  auto x = ex::Col(0, DataType::Double());
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Eq(x, LD(nan)), batch)), "[true,false,false,false]");
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Gt(x, LD(std::numeric_limits<double>::infinity())), batch)),
            "[true,false,false,false]");
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Eq(x, LD(0.0)), batch)), "[false,true,false,false]");
}

TEST_F(ExpressionTest, ThreeValuedLogic) {
  // p: T F N T F;  q: N N N F T
  EXPECT_EQ(Run(ex::And(C("p"), C("q"))), "[null,false,null,false,false]");
  EXPECT_EQ(Run(ex::Or(C("p"), C("q"))), "[true,null,null,true,true]");
  EXPECT_EQ(Run(ex::Not(C("p"))), "[false,true,null,false,true]");
  EXPECT_EQ(Run(ex::And(C("p"), ex::Null())), "[null,false,null,null,false]");
  EXPECT_EQ(Run(ex::Or(ex::Lit(Value::Boolean(true)), ex::Null())), "[true,true,true,true,true]");
  EXPECT_EQ(Run(ex::IsNull(C("q"))), "[true,true,true,false,false]");
  EXPECT_EQ(Run(ex::IsNotNull(C("s"))), "[true,true,false,true,true]");
  EXPECT_EQ(ex::And(C("i"), C("p")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ExpressionTest, InAndBetween) {
  EXPECT_EQ(Run(ex::In(C("i"), {L(1), L(-7)})), "[true,false,null,true,false]");
  // x IN (1, NULL): true if found, else NULL.
  EXPECT_EQ(Run(ex::In(C("i"), {L(1), ex::Null()})), "[true,null,null,null,null]");
  EXPECT_EQ(Run(ex::Not(ex::In(C("s"), {LS("apple"), LS("")}))), "[false,true,null,false,true]");
  EXPECT_EQ(Run(ex::Between(C("i"), L(0), L(1))), "[true,false,null,false,true]");
  EXPECT_EQ(Run(ex::Between(C("t"), LS("2024-05-01"), LS("2024-05-02"))), "[true,true,null,false,false]");
}

TEST_F(ExpressionTest, InSetNodeAndNaryLogic) {
  // Literal items are one kInSet node; mixed with a column item, an OR of the set and `x = item`.
  ExprResult set = ex::In(C("d"), {LD(1.5), LD(std::nan("")), L(10), ex::Null()});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ((*set)->kind, ExprKind::kInSet);
  EXPECT_EQ(Run(set), "[true,null,null,null,true]");
  EXPECT_EQ(Run(ex::In(C("d"), {LD(-0.0)})), "[false,false,true,null,false]");
  EXPECT_EQ(Run(ex::In(C("d"), {ex::Lit(Value::Double(std::nan("")))})), "[false,false,false,null,false]");
  ExprResult mixed = ex::In(C("i"), {L(2), C("i"), ex::Null()});
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ((*mixed)->kind, ExprKind::kOr);
  EXPECT_EQ(Run(mixed), "[true,true,null,true,true]");
  EXPECT_EQ(Run(ex::In(C("s"), {LS("Banana"), LS("héllo")})), "[false,true,null,false,true]");
  EXPECT_EQ(Run(ex::In(C("t"), {LS("2024-05-01 12:00:00")})), "[true,false,null,false,false]");
  EXPECT_EQ(Run(ex::In(C("p"), {ex::Lit(Value::Boolean(false))})), "[false,true,null,false,true]");
  EXPECT_EQ(Run(ex::InList(C("b"), {Value::Int32(4), Value::Double(3.0), Value()}, {})),
            "[null,null,true,true,null]");
  EXPECT_NE(Run(ex::In(C("b"), {LS("x")})).find("build error"), std::string::npos);
  // n-ary AND / OR: three-valued, folded over any number of operands.
  EXPECT_EQ(Run(ex::And(std::vector<ExprResult>{C("p"), C("q"), ex::Lit(Value::Boolean(true))})),
            "[null,false,null,false,false]");
  EXPECT_EQ(Run(ex::Or(std::vector<ExprResult>{C("p"), C("q"), ex::Lit(Value::Boolean(false))})),
            "[true,null,null,true,true]");
  std::vector<ExprResult> many;
  for (int k = 0; k < 100000; ++k) many.push_back(ex::Eq(C("i"), L(k + 100)));
  many.push_back(ex::Eq(C("i"), L(2)));
  EXPECT_EQ(Run(ex::Or(std::move(many))), "[false,true,null,false,false]");
  EXPECT_EQ(Run(ex::Concat(std::vector<ExprResult>{C("s"), LS("-"), C("s")})),
            "[\"apple-apple\",\"Banana-Banana\",null,\"-\",\"héllo-héllo\"]");
}

TEST(ExpressionEmptyBatchTest, BinaryOperatorsOverNoRowsGiveNoRows) {
  // A column against a scalar over 0 rows: 0 rows, not the scalar's one (the dry run of a view found it).
  const RecordBatch empty = MakeBatch({{"i", I32({})}, {"s", Str({})}, {"p", Bool({})}});
  for (ExprResult e : {ex::Eq(ex::Col(empty.schema(), "i"), ex::Lit(Value::Int64(1))),
                       ex::And(ex::Col(empty.schema(), "p"), ex::Lit(Value::Boolean(true))),
                       ex::Like(ex::Col(empty.schema(), "s"), ex::Lit(Value::String("a%"))),
                       ex::In(ex::Col(empty.schema(), "i"), {ex::Lit(Value::Int64(1))})}) {
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    auto c = Evaluate(**e, empty);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->length(), 0u) << (*e)->ToString();
    auto f = Filter(empty, *c);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
  }
}

TEST_F(ExpressionTest, Like) {
  auto like = [&](const std::string& p) { return Run(ex::Like(C("s"), LS(p))); };
  EXPECT_EQ(like("apple"), "[true,false,null,false,false]");
  EXPECT_EQ(like("a%"), "[true,false,null,false,false]");
  EXPECT_EQ(like("%a"), "[false,true,null,false,false]");
  EXPECT_EQ(like("%an%"), "[false,true,null,false,false]");
  EXPECT_EQ(like("%"), "[true,true,null,true,true]");
  EXPECT_EQ(like("_____"), "[true,false,null,false,true]");  // "héllo" is 5 characters, 6 bytes
  EXPECT_EQ(like("h_llo"), "[false,false,null,false,true]");
  EXPECT_EQ(like("%a%a%a"), "[false,true,null,false,false]");
  EXPECT_EQ(like("B%n_n%"), "[false,true,null,false,false]");
  EXPECT_EQ(like(""), "[false,false,null,true,false]");
  auto batch = MakeBatch({{"v", Str({"100%", "100x", "a_b", "axb"})}});
  auto v = ex::Col(0, DataType::String());
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Like(v, LS("100\\%")), batch)), "[true,false,false,false]");
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Like(v, LS("a\\_b")), batch)), "[false,false,true,false]");
  // Pattern from a column.
  auto pats = MakeBatch({{"v", Str({"abc", "abc", std::nullopt})}, {"p", Str({"a%", "b%", "a%"})}});
  EXPECT_EQ(
      JsonAll(*Evaluate(**ex::Like(ex::Col(0, DataType::String()), ex::Col(1, DataType::String())), pats)),
      "[true,false,null]");
}

TEST_F(ExpressionTest, CaseIsLazy) {
  // CASE WHEN i = 0 THEN 0 ELSE 100 / i END never divides by zero.
  auto e = ex::Case({{ex::Eq(C("i"), L32(0)), L32(0)}}, ex::Div(L32(100), C("i")));
  EXPECT_EQ(Run(e), "[100,50,null,-14,0]");
  auto multi = ex::Case({{ex::Gt(C("i"), L32(1)), LS("big")}, {ex::Lt(C("i"), L32(0)), LS("neg")}});
  EXPECT_EQ(Run(multi), "[null,\"big\",null,\"neg\",null]");
  // Mixed numeric branches promote.
  auto mixed = ex::Case({{C("p"), C("i")}}, C("d"));
  EXPECT_EQ((*mixed)->type, DataType::Double());
  EXPECT_EQ(Run(mixed), "[1,-2,0,-7,10]");
  EXPECT_EQ(ex::Case({{C("p"), C("s")}}, C("i")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex::Case({{C("i"), C("s")}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ExpressionTest, CoalesceIsLazy) {
  EXPECT_EQ(Run(ex::Coalesce({C("i"), L32(99)})), "[1,2,99,-7,0]");
  EXPECT_EQ(Run(ex::Coalesce({C("q"), C("p"), ex::Lit(Value::Boolean(false))})),
            "[true,false,false,false,true]");
  // The second argument is evaluated only where the first is NULL (row 2, where i - i is NULL too).
  EXPECT_EQ(Run(ex::Coalesce({C("i"), ex::Div(L32(1), ex::Sub(C("b"), L(10)))})), "[1,2,0,-7,0]");
  EXPECT_EQ(Run(ex::Coalesce({ex::Null(), C("s")})), "[\"apple\",\"Banana\",null,\"\",\"héllo\"]");
}

TEST_F(ExpressionTest, Concat) {
  EXPECT_EQ(Run(ex::Concat(C("s"), LS("!"))), "[\"apple!\",\"Banana!\",null,\"!\",\"héllo!\"]");
  EXPECT_EQ(Run(ex::Concat(LS("#"), C("i"))), "[\"#1\",\"#2\",null,\"#-7\",\"#0\"]");
}

TEST_F(ExpressionTest, Functions) {
  EXPECT_EQ(Run(ex::Call("lower", {C("s")})), "[\"apple\",\"banana\",null,\"\",\"héllo\"]");
  EXPECT_EQ(Run(ex::Call("UPPER", {C("s")})), "[\"APPLE\",\"BANANA\",null,\"\",\"HéLLO\"]");
  EXPECT_EQ(Run(ex::Call("length", {C("s")})), "[5,6,null,0,5]");
  EXPECT_EQ(Run(ex::Call("abs", {C("i")})), "[1,2,null,7,0]");
  EXPECT_EQ(Run(ex::Call("abs", {C("d")})), "[1.5,2,0,null,10]");
  EXPECT_EQ(Run(ex::Call("abs", {L32(std::numeric_limits<int32_t>::min())})).substr(0, 32),
            "error: INTEGER out of range: abs");
  auto batch = MakeBatch({{"x", F64({2.5, 3.5, -2.5, 1.2345, -1.7})}});
  auto x = ex::Col(0, DataType::Double());
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Call("round", {x}), batch)), "[2,4,-2,1,-2]");  // half to even (float8)
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Call("round", {x, L32(2)}), batch)), "[2.5,3.5,-2.5,1.23,-1.7]");
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Call("floor", {x}), batch)), "[2,3,-3,1,-2]");
  EXPECT_EQ(JsonAll(*Evaluate(**ex::Call("ceiling", {x}), batch)), "[3,4,-2,2,-1]");
  EXPECT_EQ(Run(ex::Call("round", {C("b"), L32(-1)})).substr(0, 30), "error: BIGINT out of range: ro");
  EXPECT_EQ(Run(ex::Call("round", {ex::Mul(C("i"), L32(15)), L32(-1)})), "[20,30,null,-110,0]");
  EXPECT_EQ(ex::Call("lower", {C("i")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex::Call("nope", {C("i")}).status().message(), "unknown function nope()");
  EXPECT_EQ(ex::Call("abs", {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ExpressionTest, DateTrunc) {
  // 2024-05-01T12:34:56.789Z (a Wednesday), and a pre-1970 instant.
  auto ts = ParseTimestamp("2024-05-01T12:34:56.789123Z", TimeUnit::kMicros);
  auto old = ParseTimestamp("1969-12-31T23:59:59.5Z", TimeUnit::kMicros);
  ASSERT_TRUE(ts.ok() && old.ok());
  auto batch = MakeBatch({{"t", Ts({*ts, *old, std::nullopt})}});
  auto t = ex::Col(0, DataType::Timestamp());
  auto trunc = [&](const std::string& unit) {
    auto e = ex::Call("date_trunc", {LS(unit), t});
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return JsonAll(*Evaluate(**e, batch));
  };
  EXPECT_EQ(trunc("second"), "[\"2024-05-01T12:34:56Z\",\"1969-12-31T23:59:59Z\",null]");
  EXPECT_EQ(trunc("minute"), "[\"2024-05-01T12:34:00Z\",\"1969-12-31T23:59:00Z\",null]");
  EXPECT_EQ(trunc("HOUR"), "[\"2024-05-01T12:00:00Z\",\"1969-12-31T23:00:00Z\",null]");
  EXPECT_EQ(trunc("day"), "[\"2024-05-01T00:00:00Z\",\"1969-12-31T00:00:00Z\",null]");
  EXPECT_EQ(trunc("week"), "[\"2024-04-29T00:00:00Z\",\"1969-12-29T00:00:00Z\",null]");
  EXPECT_EQ(trunc("month"), "[\"2024-05-01T00:00:00Z\",\"1969-12-01T00:00:00Z\",null]");
  EXPECT_EQ(trunc("quarter"), "[\"2024-04-01T00:00:00Z\",\"1969-10-01T00:00:00Z\",null]");
  EXPECT_EQ(trunc("year"), "[\"2024-01-01T00:00:00Z\",\"1969-01-01T00:00:00Z\",null]");
  EXPECT_EQ(trunc("millisecond"), "[\"2024-05-01T12:34:56.789Z\",\"1969-12-31T23:59:59.5Z\",null]");
  EXPECT_EQ(ex::Call("date_trunc", {LS("fortnight"), t}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ex::Call("date_trunc", {C("s"), t}).status().code(), StatusCode::kInvalidArgument);
  // DATE input is truncated as a TIMESTAMP.
  auto d = ex::Call("date_trunc", {LS("month"), ex::Cast(LS("2024-05-17"), DataType::Date())});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(JsonAll(*Evaluate(**d, batch)),
            "[\"2024-05-01T00:00:00Z\",\"2024-05-01T00:00:00Z\",\"2024-05-01T00:00:00Z\"]");
}

TEST_F(ExpressionTest, Casts) {
  EXPECT_EQ(Run(ex::Cast(C("i"), DataType::String())), "[\"1\",\"2\",null,\"-7\",\"0\"]");
  EXPECT_EQ(Run(ex::Cast(C("d"), DataType::Int32())), "[2,-2,0,null,10]");  // 1.5 -> 2 (half even)
  EXPECT_EQ(Run(ex::Cast(C("d"), DataType::String())), "[\"1.5\",\"-2\",\"0\",null,\"10\"]");
  EXPECT_EQ(Run(ex::Cast(C("t"), DataType::Date())),
            "[\"2024-05-01\",\"2024-05-01\",null,\"1970-01-01\",\"1969-12-31\"]");
  EXPECT_EQ(Run(ex::Cast(C("t"), DataType::String())).substr(0, 26), "[\"2024-05-01T12:00:00Z\",\"2");
  EXPECT_EQ(Run(ex::Cast(C("t"), DataType::Timestamp(TimeUnit::kMillis))),
            "[\"2024-05-01T12:00:00Z\",\"2024-05-01T13:00:00.123Z\",null,\"1970-01-01T00:00:00Z\","
            "\"1969-12-31T23:59:59.999Z\"]");
  EXPECT_EQ(Run(ex::Cast(C("p"), DataType::Int64())), "[1,0,null,1,0]");
  EXPECT_EQ(Run(ex::Cast(C("b"), DataType::Int32())),
            "error: cannot cast 9223372036854775807 (BIGINT) to INTEGER: out of range");
  EXPECT_EQ(Run(ex::Cast(C("s"), DataType::Int64())),
            "error: cannot cast \"apple\" (VARCHAR) to BIGINT: invalid integer or out of range");
  EXPECT_EQ(Run(ex::Cast(LS("abc"), DataType::Int64())).substr(0, 36),
            "build error: cannot cast \"abc\" (VARC");
  EXPECT_EQ(ex::Cast(C("d"), DataType::Boolean()).status().code(), StatusCode::kInvalidArgument);

  auto text = MakeBatch({{"v", Str({" 42 ", "-1.5e3", "NaN", "true", "2024-02-29", std::nullopt})}});
  auto v = ex::Col(0, DataType::String());
  auto cast_row = [&](size_t row, DataType t) -> std::string {
    auto c = CastColumn(text.column(0).Slice(row, 1), t);
    if (!c.ok()) return "error: " + c.status().message();
    return testing::Json(*c, 0);
  };
  EXPECT_EQ(cast_row(0, DataType::Int32()), "42");
  EXPECT_EQ(cast_row(1, DataType::Double()), "-1500");
  EXPECT_EQ(cast_row(2, DataType::Double()), "\"NaN\"");
  EXPECT_EQ(cast_row(3, DataType::Boolean()), "true");
  EXPECT_EQ(cast_row(4, DataType::Date()), "\"2024-02-29\"");
  EXPECT_EQ(cast_row(4, DataType::Timestamp()), "\"2024-02-29T00:00:00Z\"");
  EXPECT_EQ(cast_row(5, DataType::Int64()), "null");
  EXPECT_EQ(cast_row(1, DataType::Decimal(10, 2)).substr(0, 26),
            "error: cannot cast \"-1.5e3");  // no exponents
  EXPECT_EQ(cast_row(2, DataType::Date()),
            "error: cannot cast \"NaN\" (VARCHAR) to DATE: expected YYYY-MM-DD");
  (void)v;
}

TEST(CastTest, Timestamps) {
  auto us = [](const std::string& s) { return ParseTimestamp(s, TimeUnit::kMicros); };
  EXPECT_EQ(*us("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*us("1970-01-01 00:00:01.5"), 1500000);
  EXPECT_EQ(*us("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(*us("1970-01-01T00:00:00-00:30"), 1800000000);
  EXPECT_EQ(*us("1970-01-02"), 86400000000);
  EXPECT_EQ(*us("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00.123456789Z", TimeUnit::kNanos), 123456789);
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00.123456789Z", TimeUnit::kMillis), 123);
  for (const char* bad : {"", "2024-13-01", "2024-02-30", "2024-05-01T25:00:00Z", "2024-05-01T12:00:00Q",
                          "2024-05-01T12", "abc", "2024-05-01T12:00:00.Z"}) {
    auto r = us(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(*ParseDate("2000-02-29"), 11016);
  EXPECT_FALSE(ParseDate("1900-02-29").ok());
}

TEST(CastTest, NumericEdges) {
  auto one = [](Column c, DataType t) -> std::string {
    auto r = CastColumn(c, t);
    if (!r.ok()) return "error: " + r.status().message();
    return JsonAll(*r);
  };
  EXPECT_EQ(one(F64({0.5, 1.5, -0.5, 2.5}), DataType::Int64()), "[0,2,0,2]");
  EXPECT_EQ(one(F64({std::nan("")}), DataType::Int64()),
            "error: cannot cast \"NaN\" (DOUBLE) to BIGINT: NaN has no integer value");
  EXPECT_EQ(one(F64({9.3e18}), DataType::Int64()).find("out of range") != std::string::npos, true);
  EXPECT_EQ(one(I64({-1}), DataType::UInt64()).find("out of range") != std::string::npos, true);
  EXPECT_EQ(one(I64({12345}), DataType::Decimal(7, 2)), "[12345.00]");
  EXPECT_EQ(one(I64({12345}), DataType::Decimal(6, 2)).find("out of range") != std::string::npos, true);
  Column dec(DataType::Decimal(10, 2));
  dec.Append<__int128>(-1250);  // -12.50
  dec.Append<__int128>(1249);
  EXPECT_EQ(one(dec, DataType::Int32()), "[-13,12]");  // half away from zero
  EXPECT_EQ(one(dec, DataType::Double()), "[-12.5,12.49]");
  EXPECT_EQ(one(dec, DataType::String()), "[\"-12.50\",\"12.49\"]");
  EXPECT_EQ(one(Str({"12.345", "-0.004", "x"}).Slice(0, 2), DataType::Decimal(10, 2)), "[12.35,0.00]");
  EXPECT_EQ(one(F64({std::numeric_limits<double>::infinity(), 0.1}), DataType::String()),
            "[\"Infinity\",\"0.1\"]");
}

TEST_F(ExpressionTest, Filter) {
  auto pred = Evaluate(**ex::Gt(C("i"), L32(0)), batch_);
  ASSERT_TRUE(pred.ok());
  auto out = Filter(batch_, *pred);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->num_rows(), 2u);  // NULL counts as false
  EXPECT_EQ(JsonAll(out->column(3)), "[\"apple\",\"Banana\"]");
  EXPECT_FALSE(Filter(batch_, batch_.column(0)).ok());
}

TEST_F(ExpressionTest, ProjectAndToString) {
  auto e = ex::Add(C("i"), ex::Cast(C("d"), DataType::Int32()));
  EXPECT_EQ((*e)->ToString(), "(i + CAST(d AS INTEGER))");
  auto p = Project(batch_, {*e, *ex::Call("lower", {C("s")})}, {"x", "y"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->schema().ToString(), "x INTEGER, y VARCHAR");
  EXPECT_EQ((*e)->columns_used, (std::vector<int>{0, 2}));
}

TEST_F(ExpressionTest, NullSlotsAreZero) {
  auto c = Evaluate(**ex::Add(C("i"), L32(5)), batch_);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->IsNull(2));
  EXPECT_EQ(c->Value<int32_t>(2), 0);
}

}  // namespace
}  // namespace tandem::exec
