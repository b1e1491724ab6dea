#include "exec/hash_aggregator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <random>

#include "exec/exact_sum.h"
#include "exec/exec_test_helpers.h"

namespace tandem::exec {
namespace {

using testing::F64;
using testing::I64;
using testing::JsonAll;
using testing::MakeBatch;
using testing::Str;

// Input: k1 VARCHAR key, k2 BIGINT (grouped by k2 % 5), x BIGINT, y DOUBLE, s VARCHAR; all with NULLs.
RecordBatch RandomInput(std::mt19937_64& rng, size_t n) {
  Column k1(DataType::String()), k2(DataType::Int64()), x(DataType::Int64()), y(DataType::Double()),
      s(DataType::String());
  static const char* kNames[] = {"alpha", "beta", "", "gamma", "Alpha", "delta-with-a-longer-name"};
  const double specials[] = {1e308, -1e308, 1e-300, -0.0, 0.0, 0.1, 3.5};
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 11 == 0) {
      k1.AppendNull();
    } else {
      k1.AppendString(kNames[rng() % 6]);
    }
    if (rng() % 13 == 0) {
      k2.AppendNull();
    } else {
      k2.Append<int64_t>(static_cast<int64_t>(rng() % 40) - 20);
    }
    if (rng() % 7 == 0) {
      x.AppendNull();
    } else {
      x.Append<int64_t>(static_cast<int64_t>(rng() % 2000001) - 1000000);
    }
    if (rng() % 9 == 0) {
      y.AppendNull();
    } else if (rng() % 4 == 0) {
      y.Append<double>(specials[rng() % 7]);
    } else {
      y.Append<double>(
          std::ldexp(static_cast<double>(rng() % 1000000) - 500000.0, static_cast<int>(rng() % 60) - 40));
    }
    if (rng() % 5 == 0) {
      s.AppendNull();
    } else {
      s.AppendString("s" + std::to_string(rng() % 500));
    }
  }
  return MakeBatch({{"k1", k1}, {"k2", k2}, {"x", x}, {"y", y}, {"s", s}});
}

HashAggregator MakePlan(bool with_keys = true) {
  const RecordBatch empty =
      MakeBatch({{"k1", Str({})}, {"k2", I64({})}, {"x", I64({})}, {"y", F64({})}, {"s", Str({})}});
  const Schema& sc = empty.schema();
  std::vector<GroupKey> keys;
  if (with_keys) {
    keys.push_back({*ex::Col(sc, "k1"), "k1"});
    keys.push_back({*ex::Mod(ex::Col(sc, "k2"), ex::Lit(Value::Int64(5))), "k2mod"});
  }
  auto call = [&](const std::string& fn, const std::string& col, const std::string& name) {
    ExprPtr arg = col.empty() ? nullptr : *ex::Col(sc, col);
    std::vector<DataType> types;
    if (arg) types.push_back(arg->type);
    auto f = LookupAggregate(fn, false, types);
    EXPECT_TRUE(f.ok());
    return AggregateCall{*f, arg, name};
  };
  std::vector<AggregateCall> aggs = {
      call("count", "", "n"),
      call("count", "y", "ny"),
      call("sum", "x", "sx"),
      call("sum", "y", "sy"),
      call("avg", "y", "ay"),
      call("avg", "x", "ax"),
      call("min", "s", "mins"),
      call("max", "s", "maxs"),
      call("min", "y", "miny"),
      call("max", "x", "maxx"),
      call("approx_count_distinct", "s", "ds"),
  };
  auto agg = HashAggregator::Make(std::move(keys), std::move(aggs));
  EXPECT_TRUE(agg.ok()) << agg.status().ToString();
  return std::move(agg).value();
}

// Row-at-a-time reference for the exact aggregates.
struct RefGroup {
  int64_t n = 0, ny = 0, nx = 0;
  __int128 sx = 0;
  ExactSum sy;
  std::optional<std::string> mins, maxs;
  std::optional<double> miny;
  std::optional<int64_t> maxx;
};
struct KeyLess {  // ascending, NULLs last
  template <typename T>
  static int Cmp(const std::optional<T>& a, const std::optional<T>& b) {
    if (!a || !b) return a.has_value() == b.has_value() ? 0 : (a ? -1 : 1);
    return *a < *b ? -1 : (*b < *a ? 1 : 0);
  }
  bool operator()(const std::pair<std::optional<std::string>, std::optional<int64_t>>& a,
                  const std::pair<std::optional<std::string>, std::optional<int64_t>>& b) const {
    const int c = Cmp(a.first, b.first);
    return c != 0 ? c < 0 : Cmp(a.second, b.second) < 0;
  }
};

bool TotalLess(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return !std::isnan(a) && std::isnan(b);
  if (a == b) return std::signbit(a) && !std::signbit(b);
  return a < b;
}

void CheckAgainstReference(const RecordBatch& input, const RecordBatch& out) {
  std::map<std::pair<std::optional<std::string>, std::optional<int64_t>>, RefGroup, KeyLess> groups;
  const Column &k1 = input.column(0), &k2 = input.column(1), &x = input.column(2), &y = input.column(3),
               &s = input.column(4);
  for (size_t i = 0; i < input.num_rows(); ++i) {
    std::optional<std::string> a;
    if (k1.IsValid(i)) a = std::string(k1.GetString(i));
    std::optional<int64_t> b;
    if (k2.IsValid(i)) b = k2.Value<int64_t>(i) % 5;
    RefGroup& g = groups[{a, b}];
    ++g.n;
    if (y.IsValid(i)) {
      ++g.ny;
      g.sy.Add(y.Value<double>(i));
      const double v = y.Value<double>(i);
      if (!g.miny || TotalLess(v, *g.miny)) g.miny = v;
    }
    if (x.IsValid(i)) {
      ++g.nx;
      g.sx += x.Value<int64_t>(i);
      if (!g.maxx || x.Value<int64_t>(i) > *g.maxx) g.maxx = x.Value<int64_t>(i);
    }
    if (s.IsValid(i)) {
      const std::string v(s.GetString(i));
      if (!g.mins || v < *g.mins) g.mins = v;
      if (!g.maxs || v > *g.maxs) g.maxs = v;
    }
  }
  ASSERT_EQ(out.num_rows(), groups.size());
  size_t r = 0;
  for (const auto& [key, g] : groups) {
    SCOPED_TRACE("group row " + std::to_string(r));
    EXPECT_EQ(out.column(0).IsNull(r), !key.first.has_value());
    if (key.first) {
      EXPECT_EQ(out.column(0).GetString(r), *key.first);
    }
    EXPECT_EQ(out.column(1).IsNull(r), !key.second.has_value());
    if (key.second) {
      EXPECT_EQ(out.column(1).Value<int64_t>(r), *key.second);
    }
    EXPECT_EQ(out.column(2).Value<int64_t>(r), g.n);
    EXPECT_EQ(out.column(3).Value<int64_t>(r), g.ny);
    EXPECT_EQ(out.column(4).IsNull(r), g.nx == 0);
    if (g.nx) {
      EXPECT_EQ(out.column(4).Value<int64_t>(r), static_cast<int64_t>(g.sx));
    }
    EXPECT_EQ(out.column(5).IsNull(r), g.ny == 0);
    if (g.ny) {
      const double want = g.sy.Finalize();
      EXPECT_EQ(std::memcmp(&want, out.column(5).data().data() + r * 8, 8), 0);
      EXPECT_EQ(out.column(6).Value<double>(r), want / static_cast<double>(g.ny));
    }
    if (g.nx) {
      EXPECT_EQ(out.column(7).Value<double>(r), static_cast<double>(g.sx) / static_cast<double>(g.nx));
    }
    EXPECT_EQ(out.column(8).IsNull(r), !g.mins.has_value());
    if (g.mins) {
      EXPECT_EQ(out.column(8).GetString(r), *g.mins);
    }
    if (g.maxs) {
      EXPECT_EQ(out.column(9).GetString(r), *g.maxs);
    }
    if (g.miny) {
      const double got = out.column(10).Value<double>(r);
      EXPECT_EQ(std::memcmp(&got, &*g.miny, 8), 0);
    }
    EXPECT_EQ(out.column(11).IsNull(r), !g.maxx.has_value());
    if (g.maxx) {
      EXPECT_EQ(out.column(11).Value<int64_t>(r), *g.maxx);
    }
    ++r;
  }
}

// Aggregates rows [lo, hi) by splitting them at random, consuming the parts in random sub-aggregators
// (some passing through ExportStates/ImportStates), and merging in a random tree.
HashAggregator RandomTree(const RecordBatch& input, size_t lo, size_t hi, std::mt19937_64& rng, int depth) {
  if (hi - lo < 20 || depth > 6 || rng() % 5 == 0) {
    HashAggregator agg = MakePlan();
    size_t pos = lo;
    while (pos < hi) {  // a few Consume calls of random sizes, some empty
      const size_t len = std::min(hi - pos, static_cast<size_t>(rng() % 200));
      EXPECT_TRUE(agg.Consume(input.Slice(pos, len)).ok());
      pos += len;
    }
    if (rng() % 3 == 0) {
      HashAggregator restored = MakePlan();
      auto states = agg.ExportStates();
      EXPECT_TRUE(states.ok());
      // Import in a shuffled row order: the import must not care.
      std::vector<uint32_t> order(states->num_rows());
      for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
      std::shuffle(order.begin(), order.end(), rng);
      RecordBatch shuffled = *states;
      std::vector<Column> cols;
      for (size_t c = 0; c < states->num_columns(); ++c) cols.push_back(states->column(c).Take(order));
      shuffled = RecordBatch(states->schema(), std::move(cols), order.size());
      EXPECT_TRUE(restored.ImportStates(shuffled).ok());
      return restored;
    }
    return agg;
  }
  const size_t mid = lo + 1 + rng() % (hi - lo - 1);
  HashAggregator a = RandomTree(input, lo, mid, rng, depth + 1);
  HashAggregator b = RandomTree(input, mid, hi, rng, depth + 1);
  if (rng() % 2) {
    EXPECT_TRUE(a.Merge(b).ok());
    return a;
  }
  EXPECT_TRUE(b.Merge(a).ok());
  return b;
}

TEST(HashAggregatorTest, MergeTreesEqualOneAggregatorAndReference) {
  std::mt19937_64 rng(2024);
  for (int trial = 0; trial < 12; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const RecordBatch input = RandomInput(rng, 200 + rng() % 3000);
    HashAggregator whole = MakePlan();
    ASSERT_TRUE(whole.Consume(input).ok());
    auto expected = whole.Finalize();
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    CheckAgainstReference(input, *expected);
    auto expected_states = whole.ExportStates();
    ASSERT_TRUE(expected_states.ok());
    for (int t = 0; t < 4; ++t) {
      HashAggregator tree = RandomTree(input, 0, input.num_rows(), rng, 0);
      auto got = tree.Finalize();
      ASSERT_TRUE(got.ok());
      EXPECT_TRUE(got->Equals(*expected));
      auto states = tree.ExportStates();
      ASSERT_TRUE(states.ok());
      EXPECT_TRUE(states->Equals(*expected_states));  // same state bytes, not just the same answers
    }
  }
}

TEST(HashAggregatorTest, StateRoundTripPreservesEverything) {
  std::mt19937_64 rng(99);
  const RecordBatch input = RandomInput(rng, 2000);
  HashAggregator a = MakePlan();
  ASSERT_TRUE(a.Consume(input).ok());
  auto states = a.ExportStates();
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->schema().ToString(), a.StateSchema().ToString());
  HashAggregator b = MakePlan();
  ASSERT_TRUE(b.ImportStates(*states).ok());
  EXPECT_EQ(b.num_groups(), a.num_groups());
  EXPECT_TRUE(b.ExportStates()->Equals(*states));
  EXPECT_TRUE(b.Finalize()->Equals(*a.Finalize()));
  // Importing the same states twice doubles the counts.
  ASSERT_TRUE(b.ImportStates(*states).ok());
  EXPECT_EQ(b.Finalize()->column(2).Value<int64_t>(0), 2 * a.Finalize()->column(2).Value<int64_t>(0));
  // A state table of another shape is refused.
  EXPECT_EQ(b.ImportStates(input).code(), StatusCode::kInvalidArgument);
}

TEST(HashAggregatorTest, GlobalAggregateHasOneRowEvenWithoutInput) {
  HashAggregator g = MakePlan(/*with_keys=*/false);
  auto out = g.Finalize();
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->num_rows(), 1u);
  EXPECT_EQ(out->schema().fields[0].name, "n");
  EXPECT_EQ(testing::Json(out->column(0), 0), "0");     // count(*)
  EXPECT_EQ(testing::Json(out->column(2), 0), "null");  // sum(x)
  EXPECT_EQ(testing::Json(out->column(4), 0), "null");  // avg(y)
  EXPECT_EQ(testing::Json(out->column(10), 0), "0");    // approx_count_distinct
  // Empty batches change nothing; merging two empty globals still gives one row.
  std::mt19937_64 rng(1);
  const RecordBatch input = RandomInput(rng, 10);
  ASSERT_TRUE(g.Consume(input.Slice(0, 0)).ok());
  HashAggregator h = MakePlan(false);
  ASSERT_TRUE(g.Merge(h).ok());
  EXPECT_TRUE(g.Finalize()->Equals(*out));
  ASSERT_TRUE(h.Consume(input).ok());
  ASSERT_TRUE(g.Merge(h).ok());
  EXPECT_EQ(g.Finalize()->column(0).Value<int64_t>(0), 10);
  auto states = g.ExportStates();
  HashAggregator r = MakePlan(false);
  ASSERT_TRUE(r.ImportStates(*states).ok());
  EXPECT_TRUE(r.Finalize()->Equals(*g.Finalize()));
}

// MemoryBytes (the query memory limit) counts what the groups hold: with approx_count_distinct every group
// carries its HyperLogLog registers (4 KiB), so the estimate is at least that per group; it grows with the
// groups and a merge, and a global aggregate stays small.
TEST(HashAggregatorTest, MemoryBytesFollowsTheGroups) {
  std::mt19937_64 rng(7);
  HashAggregator g = MakePlan();
  const size_t empty = g.MemoryBytes();
  ASSERT_TRUE(g.Consume(RandomInput(rng, 2000)).ok());
  ASSERT_GT(g.num_groups(), 20u);
  EXPECT_GE(g.MemoryBytes(), g.num_groups() * 4096);
  EXPECT_GT(g.MemoryBytes(), empty);
  HashAggregator global = MakePlan(/*with_keys=*/false);
  ASSERT_TRUE(global.Consume(RandomInput(rng, 2000)).ok());
  EXPECT_LT(global.MemoryBytes(), size_t{256} << 10);
  EXPECT_GE(global.MemoryBytes(), size_t{4096});
}

TEST(HashAggregatorTest, NullAndFloatKeys) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto input = MakeBatch({{"k", F64({1.0, std::nullopt, -0.0, 0.0, nan, -nan, std::nullopt})},
                          {"v", I64({1, 2, 3, 4, 5, 6, 7})}});
  auto f = LookupAggregate("sum", false, {DataType::Int64()});
  auto agg = HashAggregator::Make({{*ex::Col(0, DataType::Double()), "k"}},
                                  {{*f, *ex::Col(1, DataType::Int64()), "s"}});
  ASSERT_TRUE(agg.ok());
  ASSERT_TRUE(agg->Consume(input).ok());
  auto out = agg->Finalize();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(JsonAll(out->column(0)), "[0,1,\"NaN\",null]");  // -0.0 folds into 0.0; NULLs last
  EXPECT_FALSE(std::signbit(out->column(0).Value<double>(0)));
  EXPECT_EQ(JsonAll(out->column(1)), "[7,1,11,9]");
}

TEST(HashAggregatorTest, ErrorsArePropagated) {
  auto f = LookupAggregate("sum", false, {DataType::Int64()});
  // Wrong argument type for the function.
  auto bad = HashAggregator::Make({}, {{*f, *ex::Col(0, DataType::Double()), "s"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  // Duplicate output names.
  auto dup = HashAggregator::Make({{*ex::Col(0, DataType::Int64()), "s"}},
                                  {{*f, *ex::Col(0, DataType::Int64()), "s"}});
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  // A runtime error while evaluating an argument fails Consume.
  auto agg = HashAggregator::Make(
      {}, {{*f, *ex::Div(ex::Col(0, DataType::Int64()), ex::Lit(Value::Int64(0))), "s"}});
  ASSERT_TRUE(agg.ok());
  EXPECT_EQ(agg->Consume(MakeBatch({{"x", I64({1})}})).message(), "division by zero");
  // BIGINT overflow of the final sum surfaces at Finalize.
  auto ov = HashAggregator::Make({}, {{*f, *ex::Col(0, DataType::Int64()), "s"}});
  ASSERT_TRUE(ov->Consume(MakeBatch({{"x", I64({std::numeric_limits<int64_t>::max(), 1})}})).ok());
  EXPECT_EQ(ov->Finalize().status().code(), StatusCode::kInvalidArgument);
}

TEST(HashAggregatorTest, ManyGroupsGrowTheTable) {
  Column k(DataType::Int64()), v(DataType::Int64());
  for (int i = 0; i < 100000; ++i) {
    k.Append<int64_t>((i * 7919) % 50000);
    v.Append<int64_t>(1);
  }
  auto f = LookupAggregate("count", false, {});
  auto agg = HashAggregator::Make({{*ex::Col(0, DataType::Int64()), "k"}}, {{*f, nullptr, "n"}});
  ASSERT_TRUE(agg->Consume(MakeBatch({{"k", k}, {"v", v}})).ok());
  EXPECT_EQ(agg->num_groups(), 50000u);
  auto out = agg->Finalize();
  ASSERT_TRUE(out.ok());
  for (size_t r = 0; r < out->num_rows(); ++r) {
    ASSERT_EQ(out->column(0).Value<int64_t>(r), static_cast<int64_t>(r));
    ASSERT_EQ(out->column(1).Value<int64_t>(r), 2);
  }
}

}  // namespace
}  // namespace tandem::exec
