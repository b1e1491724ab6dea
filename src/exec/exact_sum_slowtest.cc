#include <gtest/gtest.h>

#include <cstring>

#include "exec/exact_sum.h"

namespace tandem::exec {
namespace {

TEST(ExactSumSlowTest, ManyAdditionsAcrossNormalization) {
  // More additions than the carry-settling interval (2^29): the Add path must agree with building the
  // same multiset by merging doubling accumulators (a different path through the code).
  const double x = 0.1;
  const int64_t n = (int64_t{1} << 29) + 12345;
  ExactSum added;
  for (int64_t i = 0; i < n; ++i) added.Add(x);
  ExactSum power, acc;
  power.Add(x);
  for (int64_t rem = n; rem > 0; rem >>= 1) {
    if (rem & 1) acc.Merge(power);
    const ExactSum copy = power;
    power.Merge(copy);
  }
  EXPECT_EQ(added.Serialize(), acc.Serialize());
  EXPECT_EQ(added.Finalize(), acc.Finalize());
  EXPECT_EQ(added.Finalize(), 53687091.2 + 1234.5);  // n * 0.1000000000000000055511151231257827, rounded
}

}  // namespace
}  // namespace tandem::exec
