#include "exec/exact_sum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace tandem::exec {
namespace {

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

double SumOf(const std::vector<double>& xs) {
  ExactSum s;
  for (double x : xs) s.Add(x);
  return s.Finalize();
}

// A slow, independent reference: a dense two's-complement integer in units of 2^-1074 with carries
// propagated on every addition, rounded by letting the hardware round a 64-bit integer whose lowest bit
// carries the sticky information.
double ReferenceSum(const std::vector<double>& xs) {
  constexpr size_t kLimbs = 72;  // 32-bit limbs
  std::vector<uint64_t> acc(kLimbs, 0);
  auto add_shifted = [&](uint64_t m, int p, bool neg) {
    std::vector<uint64_t> v(kLimbs, 0);
    for (int b = 0; b < 53; ++b) {
      if ((m >> b) & 1) {
        const int pos = p + b;
        v[static_cast<size_t>(pos / 32)] |= uint64_t{1} << (pos % 32);
      }
    }
    if (neg) {  // two's complement negate
      uint64_t carry = 1;
      for (size_t i = 0; i < kLimbs; ++i) {
        const uint64_t t = (~v[i] & 0xffffffffu) + carry;
        v[i] = t & 0xffffffffu;
        carry = t >> 32;
      }
    }
    uint64_t carry = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      const uint64_t t = acc[i] + v[i] + carry;
      acc[i] = t & 0xffffffffu;
      carry = t >> 32;
    }
  };
  for (double x : xs) {
    const uint64_t b = Bits(x);
    const uint64_t e = (b >> 52) & 0x7ff, f = b & ((uint64_t{1} << 52) - 1);
    if (e == 0 && f == 0) continue;
    if (e == 0) {
      add_shifted(f, 0, b >> 63);
    } else {
      add_shifted(f | (uint64_t{1} << 52), static_cast<int>(e) - 1, b >> 63);
    }
  }
  const bool neg = (acc[kLimbs - 1] >> 31) & 1;
  if (neg) {
    uint64_t carry = 1;
    for (size_t i = 0; i < kLimbs; ++i) {
      const uint64_t t = (~acc[i] & 0xffffffffu) + carry;
      acc[i] = t & 0xffffffffu;
      carry = t >> 32;
    }
  }
  int top = -1;
  for (int i = static_cast<int>(kLimbs) * 32 - 1; i >= 0; --i) {
    if ((acc[static_cast<size_t>(i / 32)] >> (i % 32)) & 1) {
      top = i;
      break;
    }
  }
  if (top < 0) return 0.0;
  const int low = std::max(0, top - 63);
  uint64_t m = 0;
  for (int i = top; i >= low; --i) m = (m << 1) | ((acc[static_cast<size_t>(i / 32)] >> (i % 32)) & 1);
  for (int i = low - 1; i >= 0; --i) {
    if ((acc[static_cast<size_t>(i / 32)] >> (i % 32)) & 1) {
      m |= 1;  // sticky
      break;
    }
  }
  const double r = std::ldexp(static_cast<double>(m), low - 1074);
  return neg ? -r : r;
}

TEST(ExactSumTest, EmptyIsZero) {
  ExactSum s;
  EXPECT_TRUE(s.IsZero());
  EXPECT_EQ(Bits(s.Finalize()), Bits(0.0));
  s.Add(-0.0);
  EXPECT_EQ(Bits(s.Finalize()), Bits(0.0));
}

TEST(ExactSumTest, KnownCases) {
  EXPECT_EQ(SumOf({0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}), 1.0);  // naive: 0.9999999999999999
  EXPECT_EQ(SumOf({1e100, 1.0, -1e100}), 1.0);                                // naive: 0
  EXPECT_EQ(SumOf({1e308, 1e308, -1e308, -1e308}), 0.0);                      // naive: inf - inf = NaN
  EXPECT_EQ(SumOf({1e308, 1e308, -1e308}), 1e308);
  EXPECT_EQ(SumOf({1e308, 1e308}), std::numeric_limits<double>::infinity());
  EXPECT_EQ(SumOf({-1e308, -1e308}), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(SumOf({1e-300, -1e-300, 5e-324}), 5e-324);
  EXPECT_EQ(SumOf({5e-324, 5e-324, 5e-324}), 1.5e-323);
  EXPECT_EQ(SumOf({3.0, -5.5}), -2.5);
  const double two53 = 9007199254740992.0;
  EXPECT_EQ(SumOf({two53, 1.0}), two53);                              // tie -> even
  EXPECT_EQ(SumOf({two53, 1.0, 2.0}), two53 + 4.0);                   // 2^53+3 is a tie -> even (2^53+4)
  EXPECT_EQ(SumOf({two53, 1.0, std::ldexp(1.0, -60)}), two53 + 2.0);  // above the tie -> up
  EXPECT_EQ(SumOf({-two53, -1.0, -std::ldexp(1.0, -60)}), -(two53 + 2.0));
  // A value whose highest digit is >= 2^31 keeps a zero sign digit above it (digit k weighs
  // 2^(32k - 1074), so 2^237 is bit 31 of digit 40): Finalize must take its bit length from the digit below
  // (UBSan found __builtin_clzll(0) here).
  for (int e : {237, 236, 1, -1000}) {
    const double x = std::ldexp(1.0, e);
    EXPECT_EQ(SumOf({x}), x) << e;
    EXPECT_EQ(SumOf({-x}), -x) << e;
    EXPECT_EQ(SumOf({x, x * 0.5, x * 0.25}), x * 1.75) << e;
  }
  // Largest finite: sums just below the overflow threshold stay finite.
  const double max = std::numeric_limits<double>::max();
  EXPECT_EQ(SumOf({max, std::ldexp(1.0, 969)}), max);  // below half an ulp
  EXPECT_EQ(SumOf({max, std::ldexp(1.0, 970)}),
            std::numeric_limits<double>::infinity());  // tie rounds to even = 2^1024
}

TEST(ExactSumTest, Specials) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(SumOf({1.0, inf}), inf);
  EXPECT_EQ(SumOf({1.0, -inf}), -inf);
  EXPECT_TRUE(std::isnan(SumOf({inf, -inf})));
  EXPECT_TRUE(std::isnan(SumOf({1.0, std::nan("")})));
  // Canonical NaN bits regardless of payload.
  EXPECT_EQ(Bits(SumOf({std::nan("1")})), Bits(SumOf({-std::nan("2")})));
}

std::vector<double> AdversarialData(std::mt19937_64& rng, size_t n) {
  std::vector<double> xs;
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> exp(-1074, 1023);
  for (size_t i = 0; i < n; ++i) {
    switch (kind(rng)) {
      case 0: xs.push_back(1e308); break;
      case 1: xs.push_back(-1e308); break;
      case 2: xs.push_back(1e-300 * unit(rng)); break;
      case 3: xs.push_back(std::ldexp(unit(rng), exp(rng))); break;
      case 4: xs.push_back(5e-324 * (rng() % 7)); break;
      default: xs.push_back(unit(rng) * 1000.0); break;
    }
  }
  return xs;
}

TEST(ExactSumTest, MatchesSlowReference) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 300; ++trial) {
    const std::vector<double> xs = AdversarialData(rng, 1 + rng() % 200);
    const double got = SumOf(xs), want = ReferenceSum(xs);
    ASSERT_EQ(Bits(got), Bits(want)) << "trial " << trial << ": " << got << " vs " << want;
  }
  // Cancellation to tiny results.
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> xs = AdversarialData(rng, 50);
    std::vector<double> neg;
    for (double x : xs) neg.push_back(-x);
    xs.insert(xs.end(), neg.begin(), neg.end());
    xs.push_back(std::ldexp(1.0, -1074) * static_cast<double>(rng() % 1000));
    ASSERT_EQ(Bits(SumOf(xs)), Bits(ReferenceSum(xs)));
  }
}

// Splits xs[lo, hi) at random points and merges the parts in a random tree.
ExactSum RandomTree(const std::vector<double>& xs, size_t lo, size_t hi, std::mt19937_64& rng) {
  if (hi - lo <= 3 || rng() % 4 == 0) {
    ExactSum s;
    for (size_t i = lo; i < hi; ++i) s.Add(xs[i]);
    return s;
  }
  const size_t mid = lo + 1 + rng() % (hi - lo - 1);
  ExactSum a = RandomTree(xs, lo, mid, rng);
  ExactSum b = RandomTree(xs, mid, hi, rng);
  if (rng() % 2) {
    a.Merge(b);
    return a;
  }
  b.Merge(a);
  return b;
}

TEST(ExactSumTest, OrderAndMergeTreeIndependent) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<double> xs = AdversarialData(rng, 500);
    ExactSum whole;
    for (double x : xs) whole.Add(x);
    const std::string bytes = whole.Serialize();
    for (int perm = 0; perm < 5; ++perm) {
      std::shuffle(xs.begin(), xs.end(), rng);
      ExactSum t = RandomTree(xs, 0, xs.size(), rng);
      ASSERT_EQ(t.Serialize(), bytes);
      ASSERT_EQ(Bits(t.Finalize()), Bits(whole.Finalize()));
    }
  }
}

TEST(ExactSumTest, SerializeRoundTrip) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    ExactSum s;
    for (double x : AdversarialData(rng, 100)) s.Add(x);
    if (trial % 10 == 0) s.Add(std::numeric_limits<double>::infinity());
    auto back = ExactSum::Deserialize(s.Serialize());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->Serialize(), s.Serialize());
    EXPECT_EQ(Bits(back->Finalize()), Bits(s.Finalize()));
  }
  EXPECT_EQ(ExactSum::Deserialize("xx").status().code(), StatusCode::kCorruption);
  std::string bad = ExactSum().Serialize();
  bad[5] = 7;  // claims 7 limbs, has none
  EXPECT_EQ(ExactSum::Deserialize(bad).status().code(), StatusCode::kCorruption);
}

TEST(ExactSumTest, ManySmallValues) {
  EXPECT_EQ(Bits(SumOf(std::vector<double>(100000, 0.1))),
            Bits(ReferenceSum(std::vector<double>(100000, 0.1))));
  std::vector<double> xs(200000, 1e-300);
  xs.push_back(1.0);
  EXPECT_EQ(Bits(SumOf(xs)), Bits(ReferenceSum(xs)));
}

}  // namespace
}  // namespace tandem::exec
