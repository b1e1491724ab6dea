// IngestProgressFile: the small file in which `tandem ingest FILE` remembers the last chunk the server
// acknowledged, so that `--resume` can start after it (docs/cli.md, "Progress file").
//
// Default path: FILE.tandem-progress (beside the input; --progress-file overrides). Content: one JSON
// object, e.g.
//   {"format": "tandem-ingest-progress/1", "stream": "clicks", "key_prefix": "f1a2b...-3e8",
//    "file_size": 1000, "request_bytes": 4194304, "chunks": 3, "offset": 750, "lines": 30,
//    "accepted": 29, "rejected": 1, "replayed_chunks": 0}
// `chunks`, `offset` and `lines` say where the next chunk starts (its index, byte offset and the number of
// lines before it); the counts are the totals of the acknowledged chunks. Save() writes a temporary file
// beside the path, syncs it and renames it over the path (FileSystem::WriteFileAtomically), so a crash
// leaves the old or the new checkpoint, never a torn one. Load() refuses a file it cannot read with an
// error naming the path and the problem. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/file_system.h"
#include "common/status.h"

namespace tandem::cli {

struct IngestCheckpoint {
  std::string stream;
  std::string key_prefix;  // IngestKeys::prefix() of the run
  uint64_t file_size = 0;
  uint64_t request_bytes = 0;
  int64_t chunks = 0;   // chunks acknowledged = index of the next chunk
  uint64_t offset = 0;  // byte offset of the next chunk
  int64_t lines = 0;    // lines before the next chunk
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t replayed_chunks = 0;
};

class IngestProgressFile {
 public:
  IngestProgressFile(FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  static std::string DefaultPathFor(const std::string& input) { return input + ".tandem-progress"; }

  const std::string& path() const { return path_; }
  // The saved checkpoint, or nullopt when there is no progress file.
  Result<std::optional<IngestCheckpoint>> Load() const;
  Status Save(const IngestCheckpoint& checkpoint) const;
  // Removes the file; OK if it does not exist.
  Status Remove() const;

 private:
  FileSystem* fs_;
  std::string path_;
};

}  // namespace tandem::cli
