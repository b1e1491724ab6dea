// MemoryFileSystem: a FileSystem that keeps files and directories in memory, for tests.
//
// It mirrors the local file system's observable behaviour: a file can only be created in an existing
// directory, ListDir returns sorted names of files and subdirectories, a missing path is NotFound, a
// file that is renamed or removed while open keeps receiving the writes of its open WritableFile (like
// an unlinked inode), and a RandomAccessFile sees later appends to its file. Appends are visible to
// readers immediately (there is no user-space buffer), which the local file system only guarantees
// after Sync() or Close(). Nothing is ever lost: Sync() and SyncDir() only check their arguments.
// Paths are normalised ("a//b/./c/" is "a/b/c"); "/" and "." always exist.
//
// Thread safety: fully thread-safe; one mutex guards the namespace, one per file guards its bytes.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/file_system.h"

namespace tandem {

class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem() = default;
  MemoryFileSystem(const MemoryFileSystem&) = delete;
  MemoryFileSystem& operator=(const MemoryFileSystem&) = delete;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;

  // The bytes of one file: shared by the namespace and by open handles.
  struct Node {
    mutable std::mutex mu;
    std::string data;  // guarded by mu
  };

 private:
  std::shared_ptr<Node> FindFileLocked(const std::string& path) const;
  bool IsDirLocked(const std::string& path) const;
  Status CheckParentLocked(const std::string& op, const std::string& path) const;
  Result<std::shared_ptr<Node>> OpenForWrite(const std::string& path, bool truncate);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> files_;  // guarded by mu_; normalised path -> bytes
  std::set<std::string> dirs_;                          // guarded by mu_; normalised paths
};

}  // namespace tandem
