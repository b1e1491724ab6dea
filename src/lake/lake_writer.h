// LakeWriter: turns acknowledged log events into the stream's master dataset — immutable Parquet files
// partitioned by event date, listed by atomically published manifests (see manifest.h and
// docs/formats/lake.md) — and compacts small files.
//
// Files are never appended to: a flush writes new files, compaction writes a new file and swaps the
// manifest, so no reader or concurrent flush ever sees a file change. Files that a newer manifest no
// longer lists are deleted after `grace_period_ms` (readers pin a manifest snapshot for a query's
// duration); on Open, files that no manifest lists (a crash between writing a file and publishing) are
// deleted.
//
// Each file has the stream's columns plus `_offset BIGINT NOT NULL`, the event's log offset, so any
// offset range can be selected exactly.
//
// Thread safety: all methods may be called from any thread; flushes and compactions serialise on an
// internal mutex. snapshot() is cheap and never blocks on I/O.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "common/status.h"
#include "lake/manifest.h"
#include "lake/parquet/parquet_writer.h"

namespace tandem::lake {

inline constexpr const char* kOffsetColumn = "_offset";

struct LakeOptions {
  parquet::WriterOptions parquet;
  int64_t grace_period_ms = 30'000;
  // Compaction merges the files of a partition smaller than this into one file.
  int64_t small_file_bytes = 32 << 20;
  // ...but only when the partition has at least this many small files.
  int min_files_to_compact = 4;
};

struct CompactionResult {
  int partitions = 0;
  int files_in = 0;
  int files_out = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
};

class LakeWriter {
 public:
  // `schema` is the stream's schema; `event_time_column` indexes a TIMESTAMP column of it (or -1: every
  // event lands in partition "unknown").
  static Result<std::unique_ptr<LakeWriter>> Open(FileSystem* fs, std::string stream_dir, Schema schema,
                                                  int event_time_column, LakeOptions options = {});

  // Buffers events with offsets [first_offset, first_offset + batch.num_rows()). first_offset must equal
  // buffered_end(): the lake receives the log in order, without gaps.
  Status Append(int64_t first_offset, const RecordBatch& batch);
  // Writes buffered events as one file per event-date partition and publishes a manifest whose horizon
  // is buffered_end(). A no-op when nothing is buffered.
  Status Flush();
  // Rewrites small files of each partition into one (see LakeOptions) and publishes the swap.
  Result<CompactionResult> Compact();
  // Deletes files dropped from the manifest more than grace_period_ms ago.
  Status CollectGarbage();

  std::shared_ptr<const Manifest> snapshot() const;
  int64_t horizon() const { return snapshot()->horizon; }
  int64_t buffered_end() const;
  int64_t buffered_rows() const;
  const Schema& file_schema() const { return file_schema_; }
  const std::string& stream_dir() const { return stream_dir_; }

 private:
  LakeWriter(FileSystem* fs, std::string stream_dir, Schema schema, int event_time_column,
             LakeOptions options);
  Status RemoveOrphans();
  // Writes `rows` (file schema) as a new file of `partition`; fills `out`.
  Status WriteFile(const std::string& partition, const RecordBatch& rows, std::vector<OffsetRange> ranges,
                   int64_t file_id, LakeFile* out);
  Status PublishLocked(Manifest next);
  // A fresh file id (see next_file_id_); records the next one in `next`.
  int64_t NextFileId(Manifest* next);

  FileSystem* fs_;
  const std::string stream_dir_;
  const Schema schema_;
  Schema file_schema_;
  const int event_time_column_;
  const LakeOptions options_;
  ManifestStore store_;

  mutable std::mutex mu_;
  std::shared_ptr<const Manifest> current_;  // guarded by mu_
  RecordBatch buffer_;                       // guarded by mu_; file schema (with _offset)
  int64_t buffered_end_ = 0;                 // guarded by mu_
  std::mutex write_mu_;                      // serialises Flush and Compact
  int64_t next_file_id_ = 0;                 // guarded by write_mu_; never reused within a process
  struct Doomed {
    std::string path;
    int64_t due_ms;
  };
  std::deque<Doomed> doomed_;  // guarded by mu_
};

// Reads the events of `manifest` whose offsets fall in `range`, calling `fn` with batches of the
// requested `columns` (names from the stream schema, plus "_offset" if wanted), file by file in offset
// order of their first range. Files that do not intersect `range` are not opened.
Status ScanLake(FileSystem* fs, const std::string& stream_dir, const Manifest& manifest, OffsetRange range,
                const std::vector<std::string>& columns, const std::function<Status(RecordBatch&&)>& fn);

// "2024-05-01" for a timestamp in microseconds.
std::string PartitionForMicros(int64_t micros);

}  // namespace tandem::lake
