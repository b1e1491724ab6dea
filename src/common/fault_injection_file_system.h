// FaultInjectionFileSystem: wraps another FileSystem and models what survives a power failure, and
// injects I/O errors, for tests of durability code (the log, the manifest, the lake writer).
//
// What is modelled (a pessimistic but POSIX-legal machine):
//  - File contents: for every file written through this wrapper it remembers how many bytes were made
//    durable by WritableFile::Sync(): a Sync through any handle of the file makes it durable up to the
//    size that handle reports (with an in-memory base that is everything written to the file so far, as
//    fdatasync does). SimulateCrash() truncates each file to that size. Opening an
//    existing file with NewWritableFile (O_TRUNC) makes its durable size 0; Truncate() lowers it.
//  - Directory entries: a file created, renamed or removed is durable under its new name only after
//    SyncDir() of its directory. SimulateCrash() removes names whose creation was not made durable,
//    puts back files whose removal was not, and undoes renames whose target directory was not synced
//    (the file reappears under its old name with its durable bytes; if the source directory was synced
//    but the target's was not, the file is lost, as on a real file system). Content that a removal or a
//    rename-over would destroy is copied into memory at that moment (its durable prefix), so that a crash
//    can restore it.
//  - Not modelled: directories themselves (CreateDirs is durable at once; renaming a directory is passed
//    through without tracking the files below it), a second name for a file (hard links), data synced through
//    a handle after its name was removed, reordering inside a file (a crash keeps exactly the synced prefix,
//    never a hole), files touched only through the base.
//  - Files that existed before the wrapper first saw them count as fully durable.
//
// After SimulateCrash() the machine is "down": every call on this file system and on every handle opened
// before the crash fails with IOError until Restart(). Handles opened before a crash stay dead forever.
//
// Faults: FailNth(op, n, effect) makes the n-th next call of that kind (1 = the next one) fail once;
// SetDiskFull(true) makes every Append fail with ResourceExhausted ("No space left on device") and
// write nothing. Append faults can be kIOError (nothing written), kShortWrite (the first half of the data
// is written, then IOError) or kNoSpace (nothing written, ResourceExhausted). A failed Sync leaves the
// durable size unchanged. Counters of calls make assertions about syncs possible.
//
// Reads (RandomAccessFile) are passed through to the base untouched. Handles must not outlive this object.
//
// Thread safety: fully thread-safe and deterministic: one mutex serialises every call into the base
// (performance is not a goal). The before-sync hook runs outside that mutex, on the syncing thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/file_system.h"

namespace tandem {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  enum class Op { kAppend, kSync, kSyncDir, kRename, kCreate, kRemove };
  enum class Effect { kIOError, kShortWrite, kNoSpace };

  // `base` must outlive this object; it is not owned.
  explicit FaultInjectionFileSystem(FileSystem* base);
  ~FaultInjectionFileSystem() override;
  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

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

  // Arms a one-shot fault: the n-th next call of kind `op` (n >= 1) fails with `effect`. kShortWrite and
  // kNoSpace only make sense for kAppend (for other ops they act as kIOError). Re-arming replaces.
  void FailNth(Op op, uint64_t n, Effect effect = Effect::kIOError);
  void SetDiskFull(bool full);
  // Disarms every fault and the disk-full state.
  void ClearFaults();
  // Called (outside the internal mutex) at the start of every WritableFile::Sync with the file's path;
  // tests use it to hold a sync while other threads queue up. Pass nullptr to remove.
  void SetBeforeSyncHook(std::function<void(const std::string& path)> hook);

  // Drops everything that was not made durable (see above) and takes the machine down.
  Status SimulateCrash();
  // Brings the machine back up after SimulateCrash(); new handles work again.
  void Restart();

  // Number of calls of `op` seen so far (failed ones included).
  uint64_t count(Op op) const;

  // Internal: the state of one open writable handle; public only for the implementation file.
  struct Handle;

 private:
  struct Inode {
    uint64_t synced_size = 0;
    std::optional<std::string> saved;  // durable bytes, kept once no live name refers to the inode
  };

  Status CheckUpLocked(const std::string& path) const;
  // Registers `path` (if it exists in the base and is unknown) as a fully durable file; returns its inode
  // id or 0 if the path is not a file.
  uint64_t TrackLocked(const std::string& path);
  // Before a live name of inode `id` at `path` goes away: copies its durable bytes if a durable name
  // still refers to it and no other live name will.
  Status PreserveLocked(uint64_t id, const std::string& path);
  // Counts a call of `op`; true (and *effect set) when an armed fault fires for it.
  bool TakeFaultLocked(Op op, Effect* effect);
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool truncate);

  friend class FaultWritableFile;
  Status HandleAppend(Handle* h, std::string_view data);
  Status HandleSync(Handle* h);
  Status HandleClose(Handle* h);
  uint64_t HandleSize(const Handle* h) const;
  void HandleDestroyed(Handle* h);

  FileSystem* const base_;
  mutable std::mutex mu_;
  bool down_ = false;                                  // guarded by mu_
  uint64_t next_inode_ = 1;                            // guarded by mu_
  std::map<uint64_t, Inode> inodes_;                   // guarded by mu_
  std::map<std::string, uint64_t> live_;               // guarded by mu_; current names of tracked files
  std::map<std::string, uint64_t> durable_;            // guarded by mu_; names a crash would leave
  std::set<Handle*> open_;                             // guarded by mu_
  std::map<Op, std::pair<uint64_t, Effect>> armed_;    // guarded by mu_; op -> (countdown, effect)
  std::map<Op, uint64_t> counts_;                      // guarded by mu_
  bool disk_full_ = false;                             // guarded by mu_
  std::function<void(const std::string&)> sync_hook_;  // guarded by mu_
};

}  // namespace tandem
