// libFuzzer target: ParquetReader on arbitrary bytes. It must never crash, hang, leak or allocate without
// bound: damaged input gives a Status, nothing else. Exercises the footer and schema, every row group
// with all columns (in file order and reversed), statistics, and row-group pruning with predicates built
// from the file's own statistics. Seed corpus: fuzz/corpus/parquet_reader/. Run: scripts/fuzz.sh.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "lake/parquet/parquet_reader.h"

namespace {

// A RandomAccessFile over the fuzzer's bytes (not copied; valid for one LLVMFuzzerTestOneInput call).
class SpanFile final : public tandem::RandomAccessFile {
 public:
  SpanFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  tandem::Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    if (offset >= size_) return size_t{0};
    size_t k = std::min<uint64_t>(n, size_ - offset);
    if (k > 0) std::memcpy(out, data_ + offset, k);
    return k;
  }
  tandem::Result<uint64_t> Size() const override { return uint64_t{size_}; }
  const std::string& path() const override { return path_; }

 private:
  const uint8_t* data_;
  size_t size_;
  std::string path_ = "fuzz-input.parquet";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tandem::parquet::ColumnPredicate;
  tandem::parquet::ReaderOptions options;
  options.max_page_bytes = 16u << 20;  // keep single allocations far below libFuzzer's RSS limit
  auto reader = tandem::parquet::ParquetReader::Open(std::make_shared<SpanFile>(data, size), options);
  if (!reader.ok()) return 0;
  auto& r = **reader;
  const tandem::Schema& schema = r.schema();
  (void)r.unsupported_columns();
  const auto& info = r.info();

  std::vector<int> all, reversed;
  std::vector<std::string> names;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    all.push_back(static_cast<int>(i));
    reversed.insert(reversed.begin(), static_cast<int>(i));
    names.push_back(schema.fields[i].name);
  }
  (void)r.ResolveColumns(names);
  for (const auto& u : r.unsupported_columns()) (void)r.ResolveColumns({u.name});

  for (int g = 0; g < r.num_row_groups(); ++g) {
    auto batch = r.ReadRowGroup(g, all);
    if (batch.ok()) {
      // Touch every value so that sanitizers see any out-of-bounds buffer.
      std::string sink;
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        for (size_t row = 0; row < batch->num_rows() && row < 4096; ++row)
          batch->column(c).AppendJson(row, &sink);
      }
    }
    (void)r.ReadRowGroup(g, reversed);
  }
  (void)r.ReadRowGroup(r.num_row_groups(), all);  // out of range: an error, not a crash
  (void)r.ReadRowGroup(-1, all);

  // Pruning with predicates taken from the statistics (each operator), plus a NULL literal.
  std::vector<ColumnPredicate> predicates;
  if (!info.row_groups.empty()) {
    const auto& chunks = info.row_groups[0].columns;
    for (size_t c = 0; c < schema.fields.size(); ++c) {
      for (const auto& chunk : chunks) {
        if (chunk.name != schema.fields[c].name || !chunk.min) continue;
        if (chunk.min->type().id != schema.fields[c].type.id) continue;
        for (auto op : {ColumnPredicate::Op::kEq, ColumnPredicate::Op::kLt, ColumnPredicate::Op::kLe,
                        ColumnPredicate::Op::kGt, ColumnPredicate::Op::kGe}) {
          predicates.push_back({static_cast<int>(c), op, *chunk.min});
          (void)r.PruneRowGroups({predicates.back()});
        }
        if (chunk.max && chunk.max->type().id == schema.fields[c].type.id) {
          predicates.push_back({static_cast<int>(c), ColumnPredicate::Op::kLe, *chunk.max});
        }
      }
    }
  }
  (void)r.PruneRowGroups(predicates);
  return 0;
}
