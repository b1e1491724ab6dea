// Manifest: the list of live Parquet files of one stream's master dataset, and ManifestStore, which
// publishes manifest versions atomically.
//
// On disk (docs/formats/lake.md): <stream_dir>/_manifest/v<20-digit version>.json. A new version is
// written to a temporary file beside the old ones, synced, and published by one rename; readers take the
// highest complete version. Each version is self-contained (the full file list), so a reader that pinned
// version N keeps a consistent view however many versions follow.
//
// Thread safety: ManifestStore serialises publishers with an internal mutex; Load* may run concurrently.
// Errors: a manifest that fails to parse is Corruption naming the file; missing directory means "empty lake".
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace tandem::lake {

// A half-open range [begin, end) of log offsets.
struct OffsetRange {
  int64_t begin = 0;
  int64_t end = 0;
  bool operator==(const OffsetRange&) const = default;
};

struct LakeFile {
  std::string path;       // relative to the stream dir: "date=2024-05-01/part-00000000000000000007.parquet"
  std::string partition;  // the event date, "2024-05-01" ("unknown" for events without an event time)
  int64_t rows = 0;
  int64_t bytes = 0;
  // The file holds exactly the events of this partition whose offsets fall in these ranges.
  std::vector<OffsetRange> offset_ranges;
  int64_t min_event_time = 0;  // microseconds since the epoch, over the file's rows
  int64_t max_event_time = 0;
  bool operator==(const LakeFile&) const = default;
};

struct Manifest {
  int64_t version = 0;  // 0: nothing published yet
  // Every event with offset < horizon is in exactly one file of this manifest (or was rejected before the
  // log). The lake writer advances it; the batch layer seals boundaries at or below it.
  int64_t horizon = 0;
  int64_t next_file_id = 0;
  std::vector<LakeFile> files;

  std::string ToJson() const;
  static Result<Manifest> FromJson(const std::string& text, const std::string& source_name);
};

class ManifestStore {
 public:
  ManifestStore(FileSystem* fs, std::string stream_dir);

  // The highest published version, or an empty Manifest (version 0) when none exists.
  Result<Manifest> LoadLatest() const;
  // Writes `manifest` as version latest+1 (its version field is set accordingly) and publishes it.
  Status Publish(Manifest* manifest);
  // Removes all but the newest `keep` versions.
  Status RemoveOldVersions(int keep);

  const std::string& dir() const { return manifest_dir_; }

 private:
  Result<std::vector<int64_t>> ListVersions() const;
  std::string VersionPath(int64_t version) const;

  FileSystem* fs_;
  std::string manifest_dir_;
  std::mutex publish_mu_;
};

}  // namespace tandem::lake
