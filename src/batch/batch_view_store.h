// BatchViewStore: the published batch views of one view, on disk (docs/formats/batch_view.md).
//
// A batch view version is a Parquet file of the view's aggregate STATES (HashAggregator::ExportStates:
// group keys + serialized states), not of final values, so that the next incremental batch and the
// serving layer can merge into it. Its key-value metadata records the horizon (the offset boundary B_k:
// the view covers exactly the stream's events with offset < B_k), the version, and the audit result.
//
// Write-audit-publish: Write() puts the new version beside the current one; Publish() makes it current
// with one atomic rename of the CURRENT pointer file. Until Publish, readers (and a restart) see the old
// version. Old versions beyond `keep` are deleted after a publish.
//
// Thread safety: one writer at a time (the batch layer); Load may run concurrently with Write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "columnar/column.h"
#include "common/file_system.h"
#include "common/status.h"

namespace tandem::batch {

struct BatchViewMeta {
  int64_t version = 0;  // 0: no batch view yet (horizon 0, no states)
  int64_t horizon = 0;
  int64_t rows_read = 0;  // events folded in by the cycle that produced it
  bool full = false;      // produced by a full recompute
  std::string file;       // relative file name, e.g. "v00000000000000000003.parquet"
};

class BatchViewStore {
 public:
  BatchViewStore(FileSystem* fs, std::string view_dir);

  // The current (published) version's metadata; version 0 when nothing was published.
  Result<BatchViewMeta> LoadCurrentMeta() const;
  // Reads the states of a published version (schema as written).
  Result<RecordBatch> LoadStates(const BatchViewMeta& meta) const;
  // Writes `states` as the next version (meta.version is assigned) without publishing it.
  Status Write(const RecordBatch& states, BatchViewMeta* meta);
  // Makes `meta` the current version (atomic), then removes versions older than the previous one.
  Status Publish(const BatchViewMeta& meta);

 private:
  FileSystem* fs_;
  std::string dir_;
};

}  // namespace tandem::batch
