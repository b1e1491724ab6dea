// ExactSum: an exact, order-independent accumulator for sums of doubles.
//
// Every finite double is m * 2^e with a 53-bit integer m and e >= -1074, so every finite double is an
// integer multiple of 2^-1074. ExactSum keeps the sum as a big fixed-point integer in units of 2^-1074
// (base-2^32 digits held in int64 limbs, so additions need no carry propagation; carries are settled
// every 2^29 additions). Only the window of limbs that values actually touched is stored, so a typical
// column (prices, latencies) uses a handful of limbs rather than the 67 of the full exponent range.
// NaN and the infinities are tracked as flags.
//
// Because integer addition is associative, the state after any sequence of Add and Merge calls depends
// only on the multiset of values added: any order, any split into parts merged in any tree, gives the
// same Finalize() bits and the same Serialize() bytes. Finalize() rounds the exact sum once, to nearest
// with ties to even. Special values: any NaN, or both +inf and -inf, gives NaN (the canonical quiet NaN);
// else +inf or -inf if one was added; an exact zero sum is +0.0 (also for sums of -0.0).
// Finite sums whose magnitude is at least 2^1024 round to +/-inf (IEEE overflow).
//
// Not thread-safe. Copyable. Capacity: up to 2^63 additions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem::exec {

class ExactSum {
 public:
  ExactSum() = default;

  void Add(double x);
  // Adds another accumulator's exact value (and its NaN/inf flags) to this one.
  void Merge(const ExactSum& other);
  // The exact sum rounded to the nearest double (ties to even); see the class comment for specials.
  double Finalize() const;
  // True when nothing but zeros has been added.
  bool IsZero() const;

  // Canonical bytes: equal exact values (and flags) serialize to equal bytes.
  // Layout (little endian): u8 flags (1 NaN, 2 +inf, 4 -inf), i32 index of the lowest limb,
  // u32 number of limbs n, then n 32-bit two's-complement digits, lowest first; only the last digit
  // is signed. Zero is flags, 0, 0.
  std::string Serialize() const;
  static Result<ExactSum> Deserialize(std::string_view bytes);

  bool operator==(const ExactSum& other) const { return Serialize() == other.Serialize(); }

 private:
  static constexpr uint32_t kNormalizeEvery = 1u << 29;
  static constexpr uint8_t kNaN = 1, kPosInf = 2, kNegInf = 4;

  // Makes limbs [first, end) (global indices) part of the window.
  void Ensure(int32_t first, int32_t end);
  // Settles carries: every limb in [0, 2^32) except the top one, which is in [-2^31, 2^31); trims
  // zero limbs at the bottom and redundant sign limbs at the top.
  void Normalize();

  int32_t lo_ = 0;  // global index of limbs_[0]; limb i weighs 2^(32 * (lo_ + i) - 1074)
  std::vector<int64_t> limbs_;
  uint32_t pending_ = 0;  // additions since the last Normalize
  uint8_t flags_ = 0;
};

}  // namespace tandem::exec
