#include "exec/aggregate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "exec/exec_test_helpers.h"

namespace tandem::exec {
namespace {

using testing::F64;
using testing::I32;
using testing::I64;
using testing::JsonAll;
using testing::Str;

AggregateFunction Lookup(const std::string& name, std::vector<DataType> args) {
  auto f = LookupAggregate(name, false, args);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return *f;
}

// Finalizes one group over `arg` (all rows in group 0).
std::string Agg(const std::string& name, const Column& arg) {
  AggregateFunction f = Lookup(name, {arg.type()});
  auto s = f.CreateStates();
  Status st = s->Update(&arg, arg.length());
  if (!st.ok()) return "error: " + st.message();
  auto c = s->Finalize();
  if (!c.ok()) return "error: " + c.status().message();
  return JsonAll(*c);
}

TEST(AggregateTest, Lookup) {
  auto f = LookupAggregate("COUNT", false, {});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, AggregateKind::kCountStar);
  EXPECT_EQ(Lookup("sum", {DataType::Int32()}).result, DataType::Int64());
  EXPECT_EQ(Lookup("sum", {DataType::Float()}).result, DataType::Double());
  EXPECT_EQ(Lookup("sum", {DataType::Decimal(10, 2)}).result, DataType::Decimal(38, 2));
  EXPECT_EQ(Lookup("avg", {DataType::Int64()}).result, DataType::Double());
  EXPECT_EQ(Lookup("max", {DataType::String()}).result, DataType::String());
  auto distinct = LookupAggregate("count", true, {DataType::Int64()});
  EXPECT_EQ(distinct.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(distinct.status().message(),
            "aggregate count(DISTINCT ...) cannot be maintained incrementally: it is not mergeable; use "
            "approx_count_distinct(x)");
  EXPECT_NE(LookupAggregate("median", false, {DataType::Double()}).status().message().find("not mergeable"),
            std::string::npos);
  EXPECT_NE(
      LookupAggregate("string_agg", false, {DataType::String()}).status().message().find("not mergeable"),
      std::string::npos);
  EXPECT_EQ(LookupAggregate("frobnicate", false, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LookupAggregate("sum", false, {DataType::String()}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LookupAggregate("sum", false, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(LookupAggregate("min", true, {DataType::Int64()}).ok());  // DISTINCT is harmless for min
}

TEST(AggregateTest, Basics) {
  const Column x = I64({5, std::nullopt, -2, 7});
  EXPECT_EQ(Agg("count", x), "[3]");
  EXPECT_EQ(Agg("sum", x), "[10]");
  EXPECT_EQ(Agg("min", x), "[-2]");
  EXPECT_EQ(Agg("max", x), "[7]");
  EXPECT_EQ(Agg("avg", x), "[3.3333333333333335]");
  const Column s = Str({"pear", std::nullopt, "Apple", "apple"});
  EXPECT_EQ(Agg("min", s), "[\"Apple\"]");
  EXPECT_EQ(Agg("max", s), "[\"pear\"]");
  const Column none = I64({std::nullopt, std::nullopt});
  EXPECT_EQ(Agg("count", none), "[0]");
  EXPECT_EQ(Agg("sum", none), "[null]");
  EXPECT_EQ(Agg("avg", none), "[null]");
  EXPECT_EQ(Agg("max", none), "[null]");
  EXPECT_EQ(Agg("sum", F64({0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1})), "[1]");
  EXPECT_EQ(Agg("avg", F64({1e308, 1e308, -1e308})), "[3.333333333333333e+307]");
  EXPECT_EQ(Agg("sum", I32({2147483647, 2147483647})), "[4294967294]");
}

TEST(AggregateTest, SumOverflowIsDecidedOnTheExactTotal) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  // Partial sums leave BIGINT, the total does not: fine in any order.
  EXPECT_EQ(Agg("sum", I64({max, max, -max})), "[9223372036854775807]");
  EXPECT_EQ(Agg("sum", I64({-max, max, max})), "[9223372036854775807]");
  const std::string err = Agg("sum", I64({max, 1}));
  EXPECT_EQ(err,
            "error: sum(BIGINT) is out of range for BIGINT: the exact sum is 9223372036854775808; cast the "
            "argument to DOUBLE or DECIMAL");
}

TEST(AggregateTest, FloatOrderForMinMax) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Agg("max", F64({1.0, nan, std::numeric_limits<double>::infinity()})), "[\"NaN\"]");
  EXPECT_EQ(Agg("min", F64({1.0, nan, -3.0})), "[-3]");
  // -0.0 < +0.0 in the total order, whatever the input order.
  for (auto col : {F64({0.0, -0.0}), F64({-0.0, 0.0})}) {
    auto f = Lookup("min", {DataType::Double()});
    auto s = f.CreateStates();
    ASSERT_TRUE(s->Update(&col, 2).ok());
    EXPECT_TRUE(std::signbit((*s->Finalize()).Value<double>(0)));
  }
}

TEST(AggregateTest, GroupedUpdateMergeAndStateRoundTrip) {
  for (const std::string name : {"count", "sum", "avg", "min", "max", "approx_count_distinct"}) {
    for (const DataType& type : {DataType::Int64(), DataType::Double(), DataType::String()}) {
      if (type.id == TypeId::kString && (name == "sum" || name == "avg")) continue;
      SCOPED_TRACE(name + "(" + type.ToString() + ")");
      AggregateFunction f = Lookup(name, {type});
      Column arg(type);
      std::vector<uint32_t> groups;
      for (int i = 0; i < 100; ++i) {
        if (i % 7 == 0) {
          arg.AppendNull();
        } else if (type.id == TypeId::kInt64) {
          arg.Append<int64_t>(i * 37 % 101 - 50);
        } else if (type.id == TypeId::kDouble) {
          arg.Append<double>((i * 37 % 101 - 50) * 0.1);
        } else {
          arg.AppendString("v" + std::to_string(i * 37 % 101));
        }
        groups.push_back(static_cast<uint32_t>(i % 3));
      }
      // Whole: one states object over all rows.
      auto whole = f.CreateStates();
      whole->Resize(3);
      ASSERT_TRUE(whole->UpdateGrouped(groups.data(), &arg, 100).ok());
      // Parts: two halves, the second with groups permuted, merged back with a group map.
      auto a = f.CreateStates();
      a->Resize(3);
      ASSERT_TRUE(a->UpdateGrouped(groups.data(), &arg, 50).ok());
      auto b = f.CreateStates();
      b->Resize(3);
      std::vector<uint32_t> permuted;
      for (size_t i = 50; i < 100; ++i) permuted.push_back((groups[i] + 1) % 3);
      Column tail = arg.Slice(50, 50);
      ASSERT_TRUE(b->UpdateGrouped(permuted.data(), &tail, 50).ok());
      const uint32_t back[3] = {2, 0, 1};
      ASSERT_TRUE(a->Merge(*b, back).ok());
      auto fw = whole->Finalize();
      auto fa = a->Finalize();
      ASSERT_TRUE(fw.ok() && fa.ok());
      EXPECT_TRUE(fw->Equals(*fa)) << JsonAll(*fw) << " vs " << JsonAll(*fa);
      // Export -> import into fresh states (rows reversed) gives the same finals and the same states.
      std::vector<Column> cols;
      a->ExportStates(&cols);
      ASSERT_EQ(cols.size(), f.StateFields("x").size());
      for (size_t i = 0; i < cols.size(); ++i) EXPECT_EQ(cols[i].type(), f.StateFields("x")[i].type);
      auto c = f.CreateStates();
      c->Resize(3);
      std::vector<const Column*> ptrs;
      for (const Column& col : cols) ptrs.push_back(&col);
      const uint32_t ident[3] = {0, 1, 2};
      ASSERT_TRUE(c->ImportStates(ptrs, ident, 3).ok());
      EXPECT_TRUE(c->Finalize()->Equals(*fa));
      std::vector<Column> again;
      c->ExportStates(&again);
      for (size_t i = 0; i < cols.size(); ++i) EXPECT_TRUE(again[i].Equals(cols[i]));
    }
  }
}

TEST(AggregateTest, ImportRejectsWrongStateTypes) {
  AggregateFunction f = Lookup("sum", {DataType::Double()});
  auto s = f.CreateStates();
  s->Resize(1);
  const Column wrong = I64({1});
  const uint32_t map[1] = {0};
  EXPECT_EQ(s->ImportStates({&wrong}, map, 1).code(), StatusCode::kCorruption);
  Column garbage(DataType::Binary());
  garbage.AppendString("nope");
  EXPECT_EQ(s->ImportStates({&garbage}, map, 1).code(), StatusCode::kCorruption);
}

TEST(AggregateTest, ApproxCountDistinct) {
  Column x(DataType::Int64());
  for (int i = 0; i < 20000; ++i) x.Append<int64_t>(i % 5000);
  const std::string r = Agg("approx_count_distinct", x);
  const int64_t est = std::stoll(r.substr(1, r.size() - 2));
  EXPECT_NEAR(static_cast<double>(est), 5000.0, 5000.0 * 0.06);
  EXPECT_EQ(Agg("approx_count_distinct", I64({1, 1, 2, std::nullopt})), "[2]");
  EXPECT_EQ(Agg("approx_count_distinct", F64({0.0, -0.0})), "[1]");
  EXPECT_EQ(Agg("approx_count_distinct", I64({std::nullopt})), "[0]");
}

}  // namespace
}  // namespace tandem::exec
