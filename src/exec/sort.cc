#include "exec/sort.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace tandem::exec {

namespace {

using CompareFn = int (*)(const Column&, uint32_t, uint32_t);

template <typename T>
int CompareFixed(const Column& c, uint32_t a, uint32_t b) {
  const T x = c.Values<T>()[a], y = c.Values<T>()[b];
  if constexpr (std::is_floating_point_v<T>) {
    const bool nx = std::isnan(x), ny = std::isnan(y);
    if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
  }
  return x < y ? -1 : (y < x ? 1 : 0);
}

int CompareBytes(const Column& c, uint32_t a, uint32_t b) {
  const int r = c.GetString(a).compare(c.GetString(b));
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

CompareFn PickCompare(TypeId id) {
  switch (id) {
    case TypeId::kBoolean: return CompareFixed<uint8_t>;
    case TypeId::kInt32:
    case TypeId::kDate: return CompareFixed<int32_t>;
    case TypeId::kInt64:
    case TypeId::kTimestamp: return CompareFixed<int64_t>;
    case TypeId::kUInt64: return CompareFixed<uint64_t>;
    case TypeId::kFloat: return CompareFixed<float>;
    case TypeId::kDouble: return CompareFixed<double>;
    case TypeId::kDecimal: return CompareFixed<__int128>;
    case TypeId::kString:
    case TypeId::kBinary: return CompareBytes;
  }
  return CompareBytes;
}

struct BoundKey {
  const Column* column;
  CompareFn compare;
  int direction;  // 1 ascending, -1 descending
  bool nulls_first;
  bool has_nulls;
};

// Strict weak order over row indices: keys, then the index itself (which makes every sort stable).
struct RowLess {
  const std::vector<BoundKey>* keys;
  bool operator()(uint32_t a, uint32_t b) const {
    for (const BoundKey& k : *keys) {
      if (k.has_nulls) {
        const bool na = k.column->IsNull(a), nb = k.column->IsNull(b);
        if (na || nb) {
          if (na && nb) continue;
          return na == k.nulls_first;
        }
      }
      const int c = k.compare(*k.column, a, b);
      if (c != 0) return c * k.direction < 0;
    }
    return a < b;
  }
};

}  // namespace

Result<std::vector<uint32_t>> SortIndices(const RecordBatch& batch, const std::vector<SortKey>& keys,
                                          std::optional<size_t> limit, size_t offset) {
  std::vector<BoundKey> bound;
  for (const SortKey& k : keys) {
    if (k.column >= batch.num_columns()) {
      return Status::InvalidArgument("sort key column " + std::to_string(k.column) +
                                     " is not in the input (" + std::to_string(batch.num_columns()) +
                                     " columns)");
    }
    const Column& c = batch.column(k.column);
    const bool nulls_first =
        k.nulls == SortKey::Nulls::kDefault ? k.descending : k.nulls == SortKey::Nulls::kFirst;
    bound.push_back({&c, PickCompare(c.type().id), k.descending ? -1 : 1, nulls_first, c.has_nulls()});
  }
  const size_t n = batch.num_rows();
  std::vector<uint32_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = static_cast<uint32_t>(i);
  const RowLess less{&bound};
  if (limit.has_value()) {
    const size_t want = std::min(n, *limit + std::min(offset, n));
    if (want < n / 2) {
      std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(want), idx.end(), less);
      idx.resize(want);
      return idx;
    }
    std::sort(idx.begin(), idx.end(), less);
    idx.resize(want);
    return idx;
  }
  std::sort(idx.begin(), idx.end(), less);
  return idx;
}

RecordBatch TakeBatch(const RecordBatch& batch, const std::vector<uint32_t>& indices) {
  std::vector<Column> columns;
  columns.reserve(batch.num_columns());
  for (size_t c = 0; c < batch.num_columns(); ++c) columns.push_back(batch.column(c).Take(indices));
  return RecordBatch(batch.schema(), std::move(columns), indices.size());
}

Result<RecordBatch> SortBatch(const RecordBatch& batch, const std::vector<SortKey>& keys,
                              std::optional<size_t> limit, size_t offset) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<uint32_t> idx, SortIndices(batch, keys, limit, offset));
  const size_t skip = std::min(offset, idx.size());
  idx.erase(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(skip));
  if (limit.has_value() && idx.size() > *limit) idx.resize(*limit);
  return TakeBatch(batch, idx);
}

RecordBatch LimitBatch(const RecordBatch& batch, std::optional<size_t> limit, size_t offset) {
  const size_t n = batch.num_rows();
  const size_t start = std::min(offset, n);
  const size_t count = limit.has_value() ? std::min(*limit, n - start) : n - start;
  if (start == 0 && count == n) return batch;
  return batch.Slice(start, count);
}

}  // namespace tandem::exec
