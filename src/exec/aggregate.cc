#include "exec/aggregate.h"

// Header-only xxhash: no link dependency for tandem_exec.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "exec/exact_sum.h"

namespace tandem::exec {

namespace {

constexpr int kHllPrecision = 12;
constexpr size_t kHllRegisters = size_t{1} << kHllPrecision;

bool IsIntegerLike(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64;
}
bool IsFloating(TypeId id) {
  return id == TypeId::kFloat || id == TypeId::kDouble;
}

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  return {s.rbegin(), s.rend()};
}

Status CheckColumns(const AggregateFunction& f, const std::vector<const Column*>& columns, size_t rows) {
  const std::vector<Field> fields = f.StateFields("state");
  if (columns.size() != fields.size()) {
    return Status::Corruption(f.ToString() + " state needs " + std::to_string(fields.size()) +
                              " columns, got " + std::to_string(columns.size()));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (columns[i]->type() != fields[i].type) {
      return Status::Corruption(f.ToString() + " state column " + std::to_string(i) + " has type " +
                                columns[i]->type().ToString() + ", expected " + fields[i].type.ToString());
    }
    if (columns[i]->length() < rows) return Status::Corruption(f.ToString() + " state column is too short");
  }
  return Status::OK();
}

// Fixed-width column from a vector of values, with NULL where has[g] == 0 (has may be empty: no nulls).
template <typename T>
Column MakeColumn(const DataType& type, const std::vector<T>& values, const std::vector<uint8_t>& has) {
  Column c(type);
  std::vector<uint8_t>& data = c.mutable_data();
  data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(data.data(), values.data(), data.size());
  if (!has.empty() && std::find(has.begin(), has.end(), 0) != has.end()) {
    c.mutable_validity() = has;
    T* v = c.MutableValues<T>();
    for (size_t g = 0; g < has.size(); ++g) {
      if (!has[g]) v[g] = T{};
    }
  }
  c.SetLength(values.size());
  return c;
}

// Heap bytes of one ExactSum's limbs in a typical column (4 limbs + allocator overhead), for MemoryBytes.
constexpr size_t kExactSumHeapEstimate = 48;

template <typename V>
size_t CapacityBytes(const V& v) {
  return v.capacity() * sizeof(typename V::value_type);
}

// ---------------------------------------------------------------------------------------------
// count(*) and count(x)

class CountStates final : public AggregateStates {
 public:
  explicit CountStates(AggregateFunction f) : AggregateStates(std::move(f)) {}
  void Resize(size_t n) override {
    counts_.resize(n, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    if (arg == nullptr || !arg->has_nulls()) {
      for (size_t i = 0; i < n; ++i) ++counts_[g[i]];
    } else {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) counts_[g[i]] += valid[i];
    }
    return Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const CountStates&>(other);
    for (size_t g = 0; g < o.counts_.size(); ++g) counts_[map[g]] += o.counts_[g];
    return Status::OK();
  }
  Result<Column> Finalize() const override { return MakeColumn(DataType::Int64(), counts_, {}); }
  void ExportStates(std::vector<Column>* out) const override {
    out->push_back(MakeColumn(DataType::Int64(), counts_, {}));
  }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    const int64_t* v = cols[0]->Values<int64_t>();
    for (size_t i = 0; i < n; ++i) {
      if (cols[0]->IsValid(i)) counts_[map[i]] += v[i];
    }
    return Status::OK();
  }

  size_t MemoryBytes() const override { return CapacityBytes(counts_); }

 private:
  std::vector<int64_t> counts_;
};

// ---------------------------------------------------------------------------------------------
// sum: exact integer (128-bit) and exact floating point (ExactSum).

class SumStatesBase : public AggregateStates {
 public:
  using AggregateStates::AggregateStates;
  // The group's sum as a double (meaningful only when has(g)).
  virtual double SumAsDouble(size_t g) const = 0;
  virtual bool Has(size_t g) const = 0;
};

template <typename T>  // T: int32_t, int64_t or __int128 (DECIMAL)
class SumIntStates final : public SumStatesBase {
 public:
  explicit SumIntStates(AggregateFunction f) : SumStatesBase(std::move(f)) {
    scale_ = function_.input.id == TypeId::kDecimal ? function_.input.scale : 0;
  }
  void Resize(size_t n) override {
    sums_.resize(n, 0);
    has_.resize(n, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    const T* v = arg->Values<T>();
    bool overflow = false;
    if (!arg->has_nulls()) {
      for (size_t i = 0; i < n; ++i) overflow |= Add(g[i], v[i]);
    } else {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) {
        if (valid[i]) overflow |= Add(g[i], v[i]);
      }
    }
    return overflow ? OverflowError() : Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const SumIntStates&>(other);
    bool overflow = false;
    for (size_t g = 0; g < o.sums_.size(); ++g) {
      if (o.has_[g]) overflow |= Add(map[g], o.sums_[g]);
    }
    return overflow ? OverflowError() : Status::OK();
  }
  Result<Column> Finalize() const override {
    if (function_.result.id == TypeId::kInt64) {
      std::vector<int64_t> out(sums_.size());
      for (size_t g = 0; g < sums_.size(); ++g) {
        if (!has_[g]) continue;
        if (sums_[g] > std::numeric_limits<int64_t>::max() ||
            sums_[g] < std::numeric_limits<int64_t>::min()) {
          return Status::InvalidArgument(
              function_.ToString() + " is out of range for BIGINT: the exact sum is " +
              Int128ToString(sums_[g]) + "; cast the argument to DOUBLE or DECIMAL");
        }
        out[g] = static_cast<int64_t>(sums_[g]);
      }
      return MakeColumn(function_.result, out, has_);
    }
    const __int128 limit = Pow10(38);
    for (size_t g = 0; g < sums_.size(); ++g) {
      if (has_[g] && (sums_[g] >= limit || sums_[g] <= -limit)) {
        return Status::InvalidArgument(function_.ToString() + " is out of range for DECIMAL(38)");
      }
    }
    return MakeColumn(function_.result, sums_, has_);
  }
  void ExportStates(std::vector<Column>* out) const override {
    out->push_back(MakeColumn(DataType::Decimal(38, scale_), sums_, has_));
  }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    const __int128* v = cols[0]->Values<__int128>();
    bool overflow = false;
    for (size_t i = 0; i < n; ++i) {
      if (cols[0]->IsValid(i)) overflow |= Add(map[i], v[i]);
    }
    return overflow ? OverflowError() : Status::OK();
  }
  double SumAsDouble(size_t g) const override {
    return scale_ == 0 ? static_cast<double>(sums_[g])
                       : static_cast<double>(sums_[g]) / static_cast<double>(Pow10(scale_));
  }
  bool Has(size_t g) const override { return has_[g] != 0; }

  size_t MemoryBytes() const override { return CapacityBytes(sums_) + CapacityBytes(has_); }

 private:
  bool Add(uint32_t g, __int128 v) {
    has_[g] = 1;
    if constexpr (std::is_same_v<T, __int128>) {
      return __builtin_add_overflow(sums_[g], v, &sums_[g]);
    } else {
      sums_[g] += v;  // cannot overflow before 2^63 additions
      return false;
    }
  }
  Status OverflowError() const {
    return Status::InvalidArgument(function_.ToString() + " overflowed its 128-bit accumulator");
  }
  int scale_ = 0;
  std::vector<__int128> sums_;
  std::vector<uint8_t> has_;
};

template <typename T>  // float or double
class SumDoubleStates final : public SumStatesBase {
 public:
  explicit SumDoubleStates(AggregateFunction f) : SumStatesBase(std::move(f)) {}
  void Resize(size_t n) override {
    sums_.resize(n);
    has_.resize(n, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    const T* v = arg->Values<T>();
    if (!arg->has_nulls()) {
      for (size_t i = 0; i < n; ++i) {
        sums_[g[i]].Add(static_cast<double>(v[i]));
        has_[g[i]] = 1;
      }
    } else {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) {
        if (!valid[i]) continue;
        sums_[g[i]].Add(static_cast<double>(v[i]));
        has_[g[i]] = 1;
      }
    }
    return Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const SumDoubleStates&>(other);
    for (size_t g = 0; g < o.sums_.size(); ++g) {
      if (!o.has_[g]) continue;
      sums_[map[g]].Merge(o.sums_[g]);
      has_[map[g]] = 1;
    }
    return Status::OK();
  }
  Result<Column> Finalize() const override {
    std::vector<double> out(sums_.size(), 0.0);
    for (size_t g = 0; g < sums_.size(); ++g) {
      if (has_[g]) out[g] = sums_[g].Finalize();
    }
    return MakeColumn(DataType::Double(), out, has_);
  }
  void ExportStates(std::vector<Column>* out) const override {
    Column c(DataType::Binary());
    for (size_t g = 0; g < sums_.size(); ++g) {
      if (has_[g]) {
        c.AppendString(sums_[g].Serialize());
      } else {
        c.AppendNull();
      }
    }
    out->push_back(std::move(c));
  }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    for (size_t i = 0; i < n; ++i) {
      if (cols[0]->IsNull(i)) continue;
      auto s = ExactSum::Deserialize(cols[0]->GetString(i));
      if (!s.ok()) return s.status().WithContext(function_.ToString() + " state row " + std::to_string(i));
      sums_[map[i]].Merge(*s);
      has_[map[i]] = 1;
    }
    return Status::OK();
  }
  double SumAsDouble(size_t g) const override { return sums_[g].Finalize(); }
  bool Has(size_t g) const override { return has_[g] != 0; }

  // Each ExactSum also holds a few limbs on the heap (a handful for typical data, 67 at most): estimated.
  size_t MemoryBytes() const override {
    return CapacityBytes(sums_) + CapacityBytes(has_) + sums_.size() * kExactSumHeapEstimate;
  }

 private:
  std::vector<ExactSum> sums_;
  std::vector<uint8_t> has_;
};

std::unique_ptr<SumStatesBase> MakeSumStates(const AggregateFunction& f) {
  switch (f.input.id) {
    case TypeId::kInt32: return std::make_unique<SumIntStates<int32_t>>(f);
    case TypeId::kInt64: return std::make_unique<SumIntStates<int64_t>>(f);
    case TypeId::kDecimal: return std::make_unique<SumIntStates<__int128>>(f);
    case TypeId::kFloat: return std::make_unique<SumDoubleStates<float>>(f);
    default: return std::make_unique<SumDoubleStates<double>>(f);
  }
}

// ---------------------------------------------------------------------------------------------
// avg = sum / count

class AvgStates final : public AggregateStates {
 public:
  explicit AvgStates(AggregateFunction f) : AggregateStates(f) {
    AggregateFunction sum = f;
    sum.kind = AggregateKind::kSum;
    sum.result = f.input.id == TypeId::kDecimal ? DataType::Decimal(38, f.input.scale)
                 : IsFloating(f.input.id)       ? DataType::Double()
                                                : DataType::Int64();
    sum_ = MakeSumStates(sum);
  }
  void Resize(size_t n) override {
    sum_->Resize(n);
    counts_.resize(n, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    TANDEM_RETURN_IF_ERROR(sum_->UpdateGrouped(g, arg, n));
    if (!arg->has_nulls()) {
      for (size_t i = 0; i < n; ++i) ++counts_[g[i]];
    } else {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) counts_[g[i]] += valid[i];
    }
    return Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const AvgStates&>(other);
    TANDEM_RETURN_IF_ERROR(sum_->Merge(*o.sum_, map));
    for (size_t g = 0; g < o.counts_.size(); ++g) counts_[map[g]] += o.counts_[g];
    return Status::OK();
  }
  Result<Column> Finalize() const override {
    std::vector<double> out(counts_.size(), 0.0);
    std::vector<uint8_t> has(counts_.size(), 0);
    for (size_t g = 0; g < counts_.size(); ++g) {
      if (counts_[g] == 0) continue;
      has[g] = 1;
      out[g] = sum_->SumAsDouble(g) / static_cast<double>(counts_[g]);
    }
    return MakeColumn(DataType::Double(), out, has);
  }
  void ExportStates(std::vector<Column>* out) const override {
    sum_->ExportStates(out);
    out->push_back(MakeColumn(DataType::Int64(), counts_, {}));
  }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    TANDEM_RETURN_IF_ERROR(sum_->ImportStates({cols[0]}, map, n));
    const int64_t* c = cols[1]->Values<int64_t>();
    for (size_t i = 0; i < n; ++i) {
      if (cols[1]->IsValid(i)) counts_[map[i]] += c[i];
    }
    return Status::OK();
  }

  size_t MemoryBytes() const override { return sum_->MemoryBytes() + CapacityBytes(counts_); }

 private:
  std::unique_ptr<SumStatesBase> sum_;
  std::vector<int64_t> counts_;
};

// ---------------------------------------------------------------------------------------------
// min and max

// Total order for floating point: -0.0 < +0.0, every NaN equal and above +inf.
template <typename T>
bool Less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return !na && nb;
    if (a == b) return std::signbit(a) && !std::signbit(b);
  }
  return a < b;
}

template <typename T>
T Canonical(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(v)) return std::numeric_limits<T>::quiet_NaN();
  }
  return v;
}

template <typename T, bool kMax>
class MinMaxStates final : public AggregateStates {
 public:
  explicit MinMaxStates(AggregateFunction f) : AggregateStates(std::move(f)) {}
  void Resize(size_t n) override {
    values_.resize(n, T{});
    has_.resize(n, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    const T* v = arg->Values<T>();
    if (!arg->has_nulls()) {
      for (size_t i = 0; i < n; ++i) Offer(g[i], v[i]);
    } else {
      const uint8_t* valid = arg->validity().data();
      for (size_t i = 0; i < n; ++i) {
        if (valid[i]) Offer(g[i], v[i]);
      }
    }
    return Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const MinMaxStates&>(other);
    for (size_t g = 0; g < o.values_.size(); ++g) {
      if (o.has_[g]) Offer(map[g], o.values_[g]);
    }
    return Status::OK();
  }
  Result<Column> Finalize() const override { return MakeColumn(function_.result, values_, has_); }
  void ExportStates(std::vector<Column>* out) const override {
    out->push_back(MakeColumn(function_.result, values_, has_));
  }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    return UpdateGrouped(map, cols[0], n);
  }

  size_t MemoryBytes() const override { return CapacityBytes(values_) + CapacityBytes(has_); }

 private:
  void Offer(uint32_t g, T v) {
    if (!has_[g] || (kMax ? Less(values_[g], v) : Less(v, values_[g]))) {
      values_[g] = Canonical(v);
      has_[g] = 1;
    }
  }
  std::vector<T> values_;
  std::vector<uint8_t> has_;
};

template <bool kMax>
class MinMaxStringStates final : public AggregateStates {
 public:
  explicit MinMaxStringStates(AggregateFunction f) : AggregateStates(std::move(f)) {}
  void Resize(size_t n) override {
    values_.resize(n);
    has_.resize(n, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      if (arg->IsValid(i)) Offer(g[i], arg->GetString(i));
    }
    return Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const MinMaxStringStates&>(other);
    for (size_t g = 0; g < o.values_.size(); ++g) {
      if (o.has_[g]) Offer(map[g], o.values_[g]);
    }
    return Status::OK();
  }
  Result<Column> Finalize() const override { return Build(); }
  void ExportStates(std::vector<Column>* out) const override { out->push_back(Build()); }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    return UpdateGrouped(map, cols[0], n);
  }

  size_t MemoryBytes() const override { return CapacityBytes(values_) + CapacityBytes(has_) + string_bytes_; }

 private:
  void Offer(uint32_t g, std::string_view v) {
    if (!has_[g] || (kMax ? std::string_view(values_[g]) < v : v < std::string_view(values_[g]))) {
      string_bytes_ += v.size();
      string_bytes_ -= values_[g].size();
      values_[g].assign(v.data(), v.size());
      has_[g] = 1;
    }
  }
  Column Build() const {
    Column c(function_.result);
    for (size_t g = 0; g < values_.size(); ++g) {
      if (has_[g]) {
        c.AppendString(values_[g]);
      } else {
        c.AppendNull();
      }
    }
    return c;
  }
  std::vector<std::string> values_;
  std::vector<uint8_t> has_;
  size_t string_bytes_ = 0;  // sum of values_[g].size() (short strings live inside the std::string)
};

template <bool kMax>
std::unique_ptr<AggregateStates> MakeMinMax(const AggregateFunction& f) {
  switch (f.input.id) {
    case TypeId::kBoolean: return std::make_unique<MinMaxStates<uint8_t, kMax>>(f);
    case TypeId::kInt32:
    case TypeId::kDate: return std::make_unique<MinMaxStates<int32_t, kMax>>(f);
    case TypeId::kInt64:
    case TypeId::kTimestamp: return std::make_unique<MinMaxStates<int64_t, kMax>>(f);
    case TypeId::kUInt64: return std::make_unique<MinMaxStates<uint64_t, kMax>>(f);
    case TypeId::kFloat: return std::make_unique<MinMaxStates<float, kMax>>(f);
    case TypeId::kDouble: return std::make_unique<MinMaxStates<double, kMax>>(f);
    case TypeId::kDecimal: return std::make_unique<MinMaxStates<__int128, kMax>>(f);
    case TypeId::kString:
    case TypeId::kBinary: return std::make_unique<MinMaxStringStates<kMax>>(f);
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// approx_count_distinct: HyperLogLog

class HllStates final : public AggregateStates {
 public:
  explicit HllStates(AggregateFunction f) : AggregateStates(std::move(f)) {}
  void Resize(size_t n) override {
    regs_.resize(n * kHllRegisters, 0);
    num_groups_ = n;
  }
  Status UpdateGrouped(const uint32_t* g, const Column* arg, size_t n) override {
    const TypeId id = arg->type().id;
    const size_t w = arg->type().IsVarWidth() ? 0 : static_cast<size_t>(arg->type().FixedWidth());
    for (size_t i = 0; i < n; ++i) {
      if (arg->IsNull(i)) continue;
      uint64_t h;
      if (w == 0) {
        const std::string_view s = arg->GetString(i);
        h = XXH64(s.data(), s.size(), 0);
      } else if (id == TypeId::kDouble || id == TypeId::kFloat) {
        // Values equal in SQL hash alike: -0.0 as 0.0, every NaN as one NaN; floats widen to double.
        double d = id == TypeId::kDouble ? arg->Value<double>(i) : static_cast<double>(arg->Value<float>(i));
        if (d == 0) d = 0.0;
        if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
        h = XXH64(&d, sizeof d, 0);
      } else {
        h = XXH64(arg->data().data() + i * w, w, 0);
      }
      Insert(g[i], h);
    }
    return Status::OK();
  }
  Status Merge(const AggregateStates& other, const uint32_t* map) override {
    const auto& o = static_cast<const HllStates&>(other);
    for (size_t g = 0; g < o.num_groups_; ++g) MergeRegisters(map[g], &o.regs_[g * kHllRegisters]);
    return Status::OK();
  }
  Result<Column> Finalize() const override {
    std::vector<int64_t> out(num_groups_);
    for (size_t g = 0; g < num_groups_; ++g) out[g] = Estimate(&regs_[g * kHllRegisters]);
    return MakeColumn(DataType::Int64(), out, {});
  }
  void ExportStates(std::vector<Column>* out) const override {
    Column c(DataType::Binary());
    for (size_t g = 0; g < num_groups_; ++g) {
      c.AppendString(
          std::string_view(reinterpret_cast<const char*>(&regs_[g * kHllRegisters]), kHllRegisters));
    }
    out->push_back(std::move(c));
  }
  Status ImportStates(const std::vector<const Column*>& cols, const uint32_t* map, size_t n) override {
    TANDEM_RETURN_IF_ERROR(CheckColumns(function_, cols, n));
    for (size_t i = 0; i < n; ++i) {
      if (cols[0]->IsNull(i)) continue;
      const std::string_view s = cols[0]->GetString(i);
      if (s.size() != kHllRegisters) {
        return Status::Corruption(function_.ToString() + " state row " + std::to_string(i) + " has " +
                                  std::to_string(s.size()) + " bytes, expected " +
                                  std::to_string(kHllRegisters));
      }
      MergeRegisters(map[i], reinterpret_cast<const uint8_t*>(s.data()));
    }
    return Status::OK();
  }

  size_t MemoryBytes() const override { return CapacityBytes(regs_); }

 private:
  void Insert(uint32_t g, uint64_t h) {
    const size_t idx = h >> (64 - kHllPrecision);
    const uint64_t rest = h << kHllPrecision;
    const uint8_t rank = rest == 0 ? static_cast<uint8_t>(64 - kHllPrecision + 1)
                                   : static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    uint8_t& r = regs_[g * kHllRegisters + idx];
    if (rank > r) r = rank;
  }
  void MergeRegisters(uint32_t g, const uint8_t* other) {
    uint8_t* r = &regs_[g * kHllRegisters];
    for (size_t k = 0; k < kHllRegisters; ++k) r[k] = std::max(r[k], other[k]);
  }
  static int64_t Estimate(const uint8_t* r) {
    const double m = static_cast<double>(kHllRegisters);
    double sum = 0;
    size_t zeros = 0;
    for (size_t k = 0; k < kHllRegisters; ++k) {
      sum += std::ldexp(1.0, -static_cast<int>(r[k]));
      zeros += r[k] == 0;
    }
    const double alpha = 0.7213 / (1.0 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
    return static_cast<int64_t>(std::llround(e));
  }
  std::vector<uint8_t> regs_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

Status AggregateStates::Update(const Column* arg, size_t num_rows) {
  if (num_groups_ == 0) Resize(1);
  if (zeros_.size() < num_rows) zeros_.resize(num_rows, 0);
  return UpdateGrouped(zeros_.data(), arg, num_rows);
}

std::string AggregateFunction::ToString() const {
  switch (kind) {
    case AggregateKind::kCountStar: return "count(*)";
    case AggregateKind::kCount: return "count(" + input.ToString() + ")";
    case AggregateKind::kSum: return "sum(" + input.ToString() + ")";
    case AggregateKind::kMin: return "min(" + input.ToString() + ")";
    case AggregateKind::kMax: return "max(" + input.ToString() + ")";
    case AggregateKind::kAvg: return "avg(" + input.ToString() + ")";
    case AggregateKind::kApproxCountDistinct: return "approx_count_distinct(" + input.ToString() + ")";
  }
  return "?";
}

std::vector<Field> AggregateFunction::StateFields(const std::string& prefix) const {
  auto sum_type = [this]() {
    if (input.id == TypeId::kDecimal) return DataType::Decimal(38, input.scale);
    if (IsFloating(input.id)) return DataType::Binary();
    return DataType::Decimal(38, 0);
  };
  switch (kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount: return {{prefix, DataType::Int64(), false}};
    case AggregateKind::kSum: return {{prefix, sum_type(), true}};
    case AggregateKind::kMin:
    case AggregateKind::kMax: return {{prefix, input, true}};
    case AggregateKind::kAvg:
      return {{prefix + "$sum", sum_type(), true}, {prefix + "$count", DataType::Int64(), false}};
    case AggregateKind::kApproxCountDistinct: return {{prefix, DataType::Binary(), false}};
  }
  return {};
}

std::unique_ptr<AggregateStates> AggregateFunction::CreateStates() const {
  switch (kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount: return std::make_unique<CountStates>(*this);
    case AggregateKind::kSum: return MakeSumStates(*this);
    case AggregateKind::kAvg: return std::make_unique<AvgStates>(*this);
    case AggregateKind::kMin: return MakeMinMax<false>(*this);
    case AggregateKind::kMax: return MakeMinMax<true>(*this);
    case AggregateKind::kApproxCountDistinct: return std::make_unique<HllStates>(*this);
  }
  return nullptr;
}

Result<AggregateFunction> LookupAggregate(const std::string& raw_name, bool distinct,
                                          const std::vector<DataType>& arg_types) {
  const std::string name = Lower(raw_name);
  const std::string shown =
      name + "(" + (distinct ? "DISTINCT " : "") + (arg_types.empty() ? "*" : "...") + ")";
  auto not_mergeable = [&](const std::string& advice) {
    return Status::InvalidArgument("aggregate " + shown +
                                   " cannot be maintained incrementally: it is not mergeable" +
                                   (advice.empty() ? "" : "; " + advice));
  };
  auto args = [&](size_t n) -> Status {
    if (arg_types.size() != n) {
      return Status::InvalidArgument("aggregate " + name + " takes " + std::to_string(n) + " argument" +
                                     (n == 1 ? "" : "s") + ", got " + std::to_string(arg_types.size()));
    }
    return Status::OK();
  };
  AggregateFunction f;
  if (name == "count") {
    if (distinct) return not_mergeable("use approx_count_distinct(x)");
    if (arg_types.empty()) {
      f.kind = AggregateKind::kCountStar;
    } else {
      TANDEM_RETURN_IF_ERROR(args(1));
      f.kind = AggregateKind::kCount;
      f.input = arg_types[0];
    }
    f.result = DataType::Int64();
    return f;
  }
  if (name == "sum" || name == "avg" || name == "mean") {
    if (distinct) return not_mergeable("");
    TANDEM_RETURN_IF_ERROR(args(1));
    const DataType& t = arg_types[0];
    f.input = t;
    f.kind = name == "sum" ? AggregateKind::kSum : AggregateKind::kAvg;
    if (!IsIntegerLike(t.id) && !IsFloating(t.id) && t.id != TypeId::kDecimal) {
      return Status::InvalidArgument(
          "aggregate " + name + " is not defined for " + t.ToString() +
          (t.id == TypeId::kUInt64 ? "; cast the argument to BIGINT or DOUBLE" : ""));
    }
    if (f.kind == AggregateKind::kAvg) {
      f.result = DataType::Double();
    } else if (t.id == TypeId::kDecimal) {
      f.result = DataType::Decimal(38, t.scale);
    } else {
      f.result = IsFloating(t.id) ? DataType::Double() : DataType::Int64();
    }
    return f;
  }
  if (name == "min" || name == "max") {
    TANDEM_RETURN_IF_ERROR(args(1));  // DISTINCT changes nothing for min and max
    f.kind = name == "min" ? AggregateKind::kMin : AggregateKind::kMax;
    f.input = f.result = arg_types[0];
    return f;
  }
  if (name == "approx_count_distinct") {
    TANDEM_RETURN_IF_ERROR(args(1));
    f.kind = AggregateKind::kApproxCountDistinct;
    f.input = arg_types[0];
    f.result = DataType::Int64();
    return f;
  }
  if (name == "median" || name == "percentile_cont" || name == "percentile_disc" || name == "mode" ||
      name == "quantile") {
    return not_mergeable(
        "an exact quantile needs every value; approx_quantile is planned but not available yet");
  }
  if (name == "string_agg" || name == "array_agg" || name == "group_concat" || name == "listagg") {
    return not_mergeable("its result grows with the input");
  }
  if (name == "stddev" || name == "stddev_samp" || name == "stddev_pop" || name == "variance" ||
      name == "var_samp" || name == "var_pop" || name == "approx_quantile" || name == "top_k" ||
      name == "arg_max" || name == "arg_min" || name == "bool_and" || name == "bool_or") {
    return Status::NotSupported("aggregate " + name +
                                " is not implemented yet; available: count, sum, avg, min, "
                                "max, approx_count_distinct");
  }
  return Status::InvalidArgument("unknown aggregate function " + name +
                                 "; available: count, sum, avg, min, max, approx_count_distinct");
}

}  // namespace tandem::exec
