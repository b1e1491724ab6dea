// FileSystem: the one door through which Tandem touches files.
//
// Every module does its file I/O through this interface so that tests can swap in an in-memory or a
// fault-injecting implementation (see memory_file_system.h, fault_injection_file_system.h), and so that
// an object store can serve the lake later. Paths are '/'-separated strings.
//
// Thread safety: a FileSystem may be used from many threads at once. A single WritableFile or
// RandomAccessFile object may be used from one thread at a time, except RandomAccessFile::ReadAt, which
// is safe to call concurrently.
// Errors: every call returns a Status/Result whose message names the path and what the OS said.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem {

// A byte-range source: a local file, an in-memory buffer, or (later) an object in a store.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `out`; returns how many were read (short only at end of file).
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const = 0;
  virtual Result<uint64_t> Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A file written from start to end. Data is durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Flushes buffers and makes the data durable (fdatasync on the local file system).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file including everything appended so far.
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending at its current end, creating it if absent.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;

  virtual Result<bool> Exists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Names (not paths) of the entries directly in `dir`, sorted. NotFound if `dir` does not exist.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates `dir` and its missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (rename(2) on the local file system).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Shrinks `path` to `size` bytes (used by log recovery to cut a torn tail).
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // Makes directory entries (creates, renames, removes) in `dir` durable (fsync of the directory).
  virtual Status SyncDir(const std::string& dir) = 0;

  // Convenience built on the calls above.
  Result<std::string> ReadFileToString(const std::string& path);
  // Writes `data` to a temporary file beside `path`, syncs it, renames it over `path`, syncs the directory.
  Status WriteFileAtomically(const std::string& path, std::string_view data);
};

// The process-wide local (POSIX) file system. Never null; not owned by the caller.
FileSystem* LocalFileSystem();

// Joins path parts with '/'. JoinPath("a", "b") == "a/b".
std::string JoinPath(std::string_view a, std::string_view b);
// "a/b/c" -> "a/b"; "c" -> ".".
std::string DirName(std::string_view path);

}  // namespace tandem
