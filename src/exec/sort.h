// Sorting, LIMIT and OFFSET over RecordBatches.
//
// Order follows PostgreSQL: values ascending or descending by type (numbers numerically, VARCHAR and
// BLOB bytewise, FALSE < TRUE, DATE/TIMESTAMP chronologically; for floating point -0.0 equals 0.0 and NaN
// is above every other value); NULLs last for ASC and first for DESC unless NULLS FIRST/LAST is given.
// Sorts are stable: rows that compare equal on every key keep their input order, so the output is a
// deterministic function of the input. With a small limit, SortBatch keeps a bounded heap (top-N)
// instead of sorting every row; the result is the same.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "columnar/column.h"
#include "common/status.h"

namespace tandem::exec {

struct SortKey {
  enum class Nulls : uint8_t { kDefault, kFirst, kLast };
  size_t column = 0;  // index into the batch
  bool descending = false;
  Nulls nulls = Nulls::kDefault;
};

// The row order of `batch` under `keys` (a permutation of 0..num_rows-1, or its first limit+offset
// entries when `limit` is set). InvalidArgument if a key names a missing column.
Result<std::vector<uint32_t>> SortIndices(const RecordBatch& batch, const std::vector<SortKey>& keys,
                                          std::optional<size_t> limit = std::nullopt, size_t offset = 0);
// `batch` ordered by `keys`, then OFFSET `offset` rows skipped and at most `limit` rows kept.
Result<RecordBatch> SortBatch(const RecordBatch& batch, const std::vector<SortKey>& keys,
                              std::optional<size_t> limit = std::nullopt, size_t offset = 0);
// Rows [offset, offset + limit) of `batch` (fewer at the end).
RecordBatch LimitBatch(const RecordBatch& batch, std::optional<size_t> limit, size_t offset = 0);
// The rows at `indices`, in that order.
RecordBatch TakeBatch(const RecordBatch& batch, const std::vector<uint32_t>& indices);

}  // namespace tandem::exec
