#include "exec/sort.h"

#include <gtest/gtest.h>

#include <random>

#include "exec/exec_test_helpers.h"

namespace tandem::exec {
namespace {

using testing::F64;
using testing::I64;
using testing::JsonAll;
using testing::MakeBatch;
using testing::Str;

TEST(SortTest, DirectionsAndNulls) {
  auto b =
      MakeBatch({{"k", I64({3, std::nullopt, 1, 2, std::nullopt})}, {"v", Str({"a", "b", "c", "d", "e"})}});
  auto run = [&](SortKey key) { return JsonAll(SortBatch(b, {key})->column(1)); };
  EXPECT_EQ(run({0, false, SortKey::Nulls::kDefault}), "[\"c\",\"d\",\"a\",\"b\",\"e\"]");  // NULLS LAST
  EXPECT_EQ(run({0, true, SortKey::Nulls::kDefault}), "[\"b\",\"e\",\"a\",\"d\",\"c\"]");   // NULLS FIRST
  EXPECT_EQ(run({0, false, SortKey::Nulls::kFirst}), "[\"b\",\"e\",\"c\",\"d\",\"a\"]");
  EXPECT_EQ(run({0, true, SortKey::Nulls::kLast}), "[\"a\",\"d\",\"c\",\"b\",\"e\"]");
  EXPECT_FALSE(SortBatch(b, {{7}}).ok());
}

TEST(SortTest, StableMultiKeyStringsAndFloats) {
  auto b = MakeBatch({{"s", Str({"b", "a", "b", "a", "B"})},
                      {"x", F64({std::nan(""), 1.0, -0.0, 1.0, 0.0})},
                      {"id", I64({0, 1, 2, 3, 4})}});
  auto out = SortBatch(b, {{0}, {1, true}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(JsonAll(out->column(2)), "[4,1,3,0,2]");  // 'B' < 'a' < 'b'; NaN highest; ties keep input order
  auto floats = SortBatch(b, {{1}});
  EXPECT_EQ(JsonAll(floats->column(2)), "[2,4,1,3,0]");  // -0.0 == 0.0, stable
}

TEST(SortTest, LimitOffsetAndTopN) {
  std::mt19937_64 rng(5);
  Column k(DataType::Int64()), id(DataType::Int64());
  for (int i = 0; i < 1000; ++i) {
    if (rng() % 10 == 0) {
      k.AppendNull();
    } else {
      k.Append<int64_t>(static_cast<int64_t>(rng() % 50));
    }
    id.Append<int64_t>(i);
  }
  auto b = MakeBatch({{"k", k}, {"id", id}});
  auto full = SortBatch(b, {{0, true}});
  ASSERT_TRUE(full.ok());
  for (size_t limit : {0, 1, 5, 37, 400, 2000}) {
    for (size_t offset : {0, 3, 990}) {
      auto top = SortBatch(b, {{0, true}}, limit, offset);  // heap path for small limits
      ASSERT_TRUE(top.ok());
      EXPECT_TRUE(top->Equals(LimitBatch(*full, limit, offset))) << limit << " " << offset;
    }
  }
  EXPECT_EQ(LimitBatch(b, std::nullopt, 998).num_rows(), 2u);
  EXPECT_EQ(LimitBatch(b, 10, 5000).num_rows(), 0u);
}

}  // namespace
}  // namespace tandem::exec
