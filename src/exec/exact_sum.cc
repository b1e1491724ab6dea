#include "exec/exact_sum.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace tandem::exec {

namespace {
constexpr int64_t kDigitMask = 0xffffffffLL;
constexpr int64_t kHalfDigit = int64_t{1} << 31;
}  // namespace

void ExactSum::Ensure(int32_t first, int32_t end) {
  if (limbs_.empty()) {
    lo_ = first;
    limbs_.assign(static_cast<size_t>(end - first), 0);
    return;
  }
  if (first < lo_) {
    limbs_.insert(limbs_.begin(), static_cast<size_t>(lo_ - first), 0);
    lo_ = first;
  }
  const int32_t cur_end = lo_ + static_cast<int32_t>(limbs_.size());
  if (end > cur_end) limbs_.resize(limbs_.size() + static_cast<size_t>(end - cur_end), 0);
}

void ExactSum::Add(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const uint64_t exp = (bits >> 52) & 0x7ff;
  const uint64_t frac = bits & ((uint64_t{1} << 52) - 1);
  const bool neg = (bits >> 63) != 0;
  if (exp == 0x7ff) {
    flags_ |= frac != 0 ? kNaN : (neg ? kNegInf : kPosInf);
    return;
  }
  uint64_t m;
  int32_t p;  // x = m * 2^(p - 1074)
  if (exp == 0) {
    if (frac == 0) return;
    m = frac;
    p = 0;
  } else {
    m = frac | (uint64_t{1} << 52);
    p = static_cast<int32_t>(exp) - 1;
  }
  const int32_t k = p >> 5;
  const unsigned __int128 v = static_cast<unsigned __int128>(m) << (p & 31);
  const int32_t end = k + 3;
  if (limbs_.empty() || k < lo_ || end > lo_ + static_cast<int32_t>(limbs_.size())) Ensure(k, end);
  int64_t* limb = limbs_.data() + (k - lo_);
  const int64_t d0 = static_cast<int64_t>(v & 0xffffffffu);
  const int64_t d1 = static_cast<int64_t>((v >> 32) & 0xffffffffu);
  const int64_t d2 = static_cast<int64_t>(v >> 64);
  if (neg) {
    limb[0] -= d0;
    limb[1] -= d1;
    limb[2] -= d2;
  } else {
    limb[0] += d0;
    limb[1] += d1;
    limb[2] += d2;
  }
  if (++pending_ >= kNormalizeEvery) Normalize();
}

void ExactSum::Merge(const ExactSum& other) {
  flags_ |= other.flags_;
  if (other.limbs_.empty()) return;
  Ensure(other.lo_, other.lo_ + static_cast<int32_t>(other.limbs_.size()));
  int64_t* dst = limbs_.data() + (other.lo_ - lo_);
  for (size_t i = 0; i < other.limbs_.size(); ++i) dst[i] += other.limbs_[i];
  // Both sides hold limbs below 2^61 in magnitude (normalized at most 2^29 additions ago), so the
  // sum cannot overflow; settle it now so the bound holds again.
  Normalize();
}

void ExactSum::Normalize() {
  pending_ = 0;
  if (limbs_.empty()) return;
  int64_t carry = 0;
  const size_t n = limbs_.size();
  for (size_t i = 0; i + 1 < n; ++i) {
    const int64_t v = limbs_[i] + carry;
    carry = v >> 32;  // arithmetic shift: floor division by 2^32
    limbs_[i] = v & kDigitMask;
  }
  int64_t top = limbs_[n - 1] + carry;
  while (top >= kHalfDigit || top < -kHalfDigit) {
    limbs_.back() = top & kDigitMask;
    top >>= 32;
    limbs_.push_back(top);
  }
  limbs_.back() = top;
  // Trim redundant sign limbs at the top.
  while (limbs_.size() > 1) {
    const int64_t t = limbs_.back();
    const int64_t below = limbs_[limbs_.size() - 2];
    if (t == 0 && below < kHalfDigit) {
      limbs_.pop_back();
    } else if (t == -1 && below >= kHalfDigit) {
      limbs_.pop_back();
      limbs_.back() = below - (int64_t{1} << 32);
    } else {
      break;
    }
  }
  // Trim zero limbs at the bottom.
  size_t zeros = 0;
  while (zeros < limbs_.size() && limbs_[zeros] == 0) ++zeros;
  if (zeros == limbs_.size()) {
    limbs_.clear();
    lo_ = 0;
  } else if (zeros > 0) {
    limbs_.erase(limbs_.begin(), limbs_.begin() + static_cast<std::ptrdiff_t>(zeros));
    lo_ += static_cast<int32_t>(zeros);
  }
}

bool ExactSum::IsZero() const {
  ExactSum copy = *this;
  copy.Normalize();
  return copy.limbs_.empty() && copy.flags_ == 0;
}

double ExactSum::Finalize() const {
  if (flags_ != 0) {
    if ((flags_ & kNaN) || ((flags_ & kPosInf) && (flags_ & kNegInf))) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    return (flags_ & kPosInf) ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity();
  }
  ExactSum mag = *this;
  mag.Normalize();
  if (mag.limbs_.empty()) return 0.0;
  const bool negative = mag.limbs_.back() < 0;
  if (negative) {
    for (int64_t& l : mag.limbs_) l = -l;
    mag.Normalize();
  }
  // All digits are now in [0, 2^32). The top one may be a 0 kept above a digit >= 2^31 (as a sign digit),
  // so the bit length comes from the highest nonzero digit (there is one: the value is not zero).
  // __builtin_clzll(0) is undefined.
  const std::vector<int64_t>& d = mag.limbs_;
  size_t top_index = d.size() - 1;
  while (d[top_index] == 0) --top_index;
  const int64_t bitlen =
      32 * static_cast<int64_t>(top_index) + (64 - __builtin_clzll(static_cast<uint64_t>(d[top_index])));
  const int64_t base_exp = 32 * static_cast<int64_t>(mag.lo_) - 1074;  // weight of bit 0 of d[0]
  auto bit = [&d](int64_t i) -> uint64_t {
    return (static_cast<uint64_t>(d[static_cast<size_t>(i >> 5)]) >> (i & 31)) & 1u;
  };
  double result;
  if (bitlen <= 53) {
    uint64_t m = 0;
    for (int64_t i = bitlen - 1; i >= 0; --i) m = (m << 1) | bit(i);
    result = std::ldexp(static_cast<double>(m), static_cast<int>(base_exp));
  } else {
    const int64_t shift = bitlen - 53;
    uint64_t m = 0;
    for (int64_t i = bitlen - 1; i >= shift; --i) m = (m << 1) | bit(i);
    const uint64_t round = bit(shift - 1);
    const int64_t r = shift - 1;  // position of the round bit
    const size_t rl = static_cast<size_t>(r >> 5);
    bool sticky = (static_cast<uint64_t>(d[rl]) & ((uint64_t{1} << (r & 31)) - 1)) != 0;
    for (size_t i = 0; i < rl && !sticky; ++i) sticky = d[i] != 0;
    if (round && (sticky || (m & 1))) ++m;  // m may become 2^53, still exact in a double
    const int64_t e = base_exp + shift;
    result = std::ldexp(static_cast<double>(m), static_cast<int>(e));
  }
  return negative ? -result : result;
}

std::string ExactSum::Serialize() const {
  ExactSum c = *this;
  c.Normalize();
  std::string out;
  out.reserve(9 + 4 * c.limbs_.size());
  out.push_back(static_cast<char>(c.flags_));
  auto put32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put32(static_cast<uint32_t>(c.limbs_.empty() ? 0 : c.lo_));
  put32(static_cast<uint32_t>(c.limbs_.size()));
  for (int64_t l : c.limbs_) put32(static_cast<uint32_t>(l & kDigitMask));
  return out;
}

Result<ExactSum> ExactSum::Deserialize(std::string_view bytes) {
  auto get32 = [&bytes](size_t pos) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[pos + i])) << (8 * i);
    return v;
  };
  if (bytes.size() < 9)
    return Status::Corruption("exact sum state: " + std::to_string(bytes.size()) + " bytes, need at least 9");
  ExactSum s;
  s.flags_ = static_cast<uint8_t>(bytes[0]);
  if (s.flags_ & ~(kNaN | kPosInf | kNegInf)) return Status::Corruption("exact sum state: unknown flags");
  const int32_t lo = static_cast<int32_t>(get32(1));
  const uint32_t n = get32(5);
  if (n > 80 || bytes.size() != 9 + 4 * static_cast<size_t>(n) || lo < 0 ||
      lo + static_cast<int64_t>(n) > 80) {
    return Status::Corruption("exact sum state: bad limb window (lo " + std::to_string(lo) + ", n " +
                              std::to_string(n) + ", " + std::to_string(bytes.size()) + " bytes)");
  }
  s.lo_ = lo;
  s.limbs_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t v = get32(9 + 4 * static_cast<size_t>(i));
    s.limbs_[i] = (i + 1 == n) ? static_cast<int64_t>(static_cast<int32_t>(v)) : static_cast<int64_t>(v);
  }
  return s;
}

}  // namespace tandem::exec
