// Log: the embedded, durable, append-only event log of one stream partition (DESIGN §3 "Log").
//
// A log is a directory of segment files named by their base offset (docs/formats/log.md). Every
// record carries a payload of opaque bytes (the log never interprets it) and a count N >= 1: the record
// holds the N dense offsets [offset, offset + N), so one ingest request can be one record while every
// event in it keeps its own offset. Offsets start at 0, are dense and are never reused.
//
// Writing:
//  - Append() assigns offsets and queues the record in memory; it is not durable and not visible to
//    readers. When more than LogOptions::max_buffered_bytes are queued, Append writes and syncs them.
//  - Sync() makes everything appended so far durable (write + fdatasync, and an fsync of the directory
//    when a new segment was started).
//  - AppendDurable() = Append + Sync with group commit: it returns only once its record is durable.
//    Concurrent callers share syncs: one caller (the writer) writes every queued record to the file and
//    then fdatasyncs it, while the others wait; callers that arrive meanwhile are covered by the next
//    sync. Up to LogOptions::max_concurrent_syncs syncs may be in flight at once (the next writer does
//    not wait for the previous fdatasync to return: the device overlaps them), but they are accepted in
//    the order their data was written, so durable_offset() only grows and a failed sync can never be
//    hidden by a later successful one. This is the call an ingest request uses before acknowledging.
//  - If a write or a sync fails, every caller waiting on that sync gets the error, nothing of it is
//    acknowledged, and the log refuses all further writes with that error (after a failed fdatasync the
//    kernel may have dropped the dirty pages, so retrying could acknowledge lost data). Reopen the log
//    to recover: recovery keeps exactly what is valid on disk.
//
// Reading: Read() returns only durable records (offsets < durable_offset()), so a reader never sees an
// event that was not acknowledged or could vanish in a crash. Readers run concurrently with writers and
// with TruncateBefore().
//
// Recovery (Open): every segment is scanned and every record's CRC verified. A torn or corrupt tail of
// the LAST segment is cut off (and reported through LogOptions::info_log and recovery_info()); a bad
// record in any other segment, a gap between segments or a record with a valid CRC but a wrong offset
// makes Open fail with Corruption naming the file and byte position. Whatever survives recovery is
// synced before Open returns, so it counts as durable.
//
// Thread safety: all methods may be called concurrently. Errors: Status/Result; messages name the log
// directory or segment path.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace tandem {

struct LogOptions {
  // A segment is closed and a new one started before a record would make it larger than this (a record
  // larger than the whole limit gets a segment of its own).
  uint64_t segment_bytes = 64ull << 20;
  // Largest payload Append accepts (ResourceExhausted above it).
  uint32_t max_record_bytes = 64u << 20;
  // Bytes appended but not yet written above which Append writes and syncs itself, and appenders wait
  // while a sync is running (back-pressure).
  uint64_t max_buffered_bytes = 16ull << 20;
  // How many write+fdatasync groups may be in flight at once (>= 1). 1 is the classic leader/follower
  // group commit; more lets a slow-to-flush device overlap flushes.
  int max_concurrent_syncs = 4;
  // Creates the directory when it does not exist; otherwise Open of a missing directory is NotFound.
  bool create_if_missing = true;
  // Receives recovery and close messages. Default: writes them to stderr.
  std::function<void(const std::string& message)> info_log;
};

// One record as read back: the events [offset, offset + count) in `payload`.
struct LogRecord {
  uint64_t offset = 0;
  uint32_t count = 0;
  std::string payload;
};

// What Open found and repaired.
struct LogRecoveryInfo {
  uint64_t segments = 0;         // segment files after recovery
  uint64_t records = 0;          // valid records found
  uint64_t truncated_bytes = 0;  // bytes cut from the tail of the last segment
  uint64_t truncated_at = 0;     // byte position of the cut in `truncated_path`
  std::string truncated_path;    // empty if nothing was cut
  std::string reason;            // why the tail was cut
};

struct LogStats {
  uint64_t records_appended = 0;  // since Open
  uint64_t events_appended = 0;
  uint64_t bytes_appended = 0;  // framed bytes
  uint64_t syncs = 0;           // group commits (each one write + fdatasync), accepted
  uint64_t segments = 0;        // live segment files
};

class Log {
 public:
  // Opens (and recovers) the log in `dir`, creating it if allowed. `fs` must outlive the Log.
  static Result<std::unique_ptr<Log>> Open(FileSystem* fs, std::string dir, LogOptions options = {});

  // Closes the log (see Close); errors go to info_log.
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Queues a record of `count` events; returns the offset of its first event. Not durable until Sync.
  // InvalidArgument if count == 0; ResourceExhausted if the payload exceeds max_record_bytes.
  Result<uint64_t> Append(std::string_view payload, uint32_t count = 1);
  // Makes every record appended before the call durable (group commit: may share the sync of another
  // thread). Returns the error of the write/sync that should have covered them.
  Status Sync();
  // Appends and waits until the record is durable; returns the offset of its first event.
  Result<uint64_t> AppendDurable(std::string_view payload, uint32_t count = 1);

  // Durable records starting with the one that holds `from_offset` (which may begin before it when the
  // record carries several events), in offset order, from one segment at most, until their payload
  // bytes reach `max_bytes` (at least one record is returned when from_offset < durable_offset()).
  // Empty when from_offset >= durable_offset(). NotFound when from_offset was removed by TruncateBefore.
  // Corruption if a durable record fails its CRC (the message names the segment and byte position).
  Result<std::vector<LogRecord>> Read(uint64_t from_offset, size_t max_bytes) const;

  // Blocks until durable_offset() > `offset`, the timeout passes, or the log is closed or failed;
  // returns durable_offset(). Lets a tailing reader wait instead of polling.
  uint64_t WaitForDurable(uint64_t offset, std::chrono::milliseconds timeout) const;

  // The offset the next appended event will get.
  uint64_t next_offset() const;
  // Every event with an offset below this is durable and readable.
  uint64_t durable_offset() const;
  // The smallest offset still stored (raised by TruncateBefore).
  uint64_t first_offset() const;

  // Deletes every segment whose events are all below `offset` (and below durable_offset()), oldest first,
  // each removal made durable before the next, so a crash never leaves a gap. The last segment is never
  // deleted. On an error the segments not removed stay part of the log (the next call retries them, and
  // recovery finds a contiguous log). Readers that already hold a deleted segment open can finish their
  // read. Calls are serialised.
  Status TruncateBefore(uint64_t offset);

  // Syncs everything appended, closes the active segment. Later writes fail with Aborted; reads work.
  Status Close();

  const std::string& dir() const { return dir_; }
  const LogRecoveryInfo& recovery_info() const { return recovery_; }
  LogStats stats() const;

 private:
  struct Segment;
  struct Chunk;

  Log(FileSystem* fs, std::string dir, LogOptions options);
  Status Recover();
  Status ScanSegment(const std::shared_ptr<Segment>& seg, bool is_last, uint64_t expected_base);
  Status OpenActiveSegment();

  Result<uint64_t> AppendLocked(std::unique_lock<std::mutex>& l, std::string_view payload, uint32_t count,
                                uint32_t payload_crc);
  // Waits until offsets below `target` are durable, writing and syncing queued records when it may.
  Status SyncLocked(std::unique_lock<std::mutex>& l, uint64_t target);
  // Writer only, without mu_: appends the chunks to their segment files (rolling segments as needed) and
  // hands them to the OS; sets *sync_path to the file to sync and *created if a segment was started.
  Status WriteChunks(const std::vector<Chunk>& chunks, std::string* sync_path, bool* created);
  // fdatasync of `path` through a fresh handle (handles are single-threaded; syncs overlap).
  Status SyncFile(const std::string& path);
  void Info(const std::string& message) const;

  FileSystem* const fs_;
  const std::string dir_;
  const LogOptions options_;
  LogRecoveryInfo recovery_;  // written by Open only

  std::mutex truncate_mu_;  // serialises TruncateBefore (taken before mu_, never while holding it)
  mutable std::mutex mu_;
  mutable std::condition_variable io_cv_;           // writer/sync state changed, pending_ drained
  mutable std::condition_variable durable_cv_;      // durable_offset_ advanced, or closed/failed
  std::vector<std::shared_ptr<Segment>> segments_;  // guarded by mu_; sorted by base offset, never empty
  std::vector<Chunk> pending_;                      // guarded by mu_; appended, not yet written
  uint64_t pending_bytes_ = 0;                      // guarded by mu_
  uint64_t next_offset_ = 0;                        // guarded by mu_
  uint64_t durable_offset_ = 0;                     // guarded by mu_
  bool writing_ = false;                            // guarded by mu_; a thread holds the writer role
  int syncs_in_flight_ = 0;                         // guarded by mu_
  uint64_t next_ticket_ = 0;                        // guarded by mu_; syncs numbered in write order
  uint64_t accepted_tickets_ = 0;                   // guarded by mu_; syncs [0, this) have been accepted
  bool closed_ = false;                             // guarded by mu_
  Status failed_;                                   // guarded by mu_; sticky write/sync error
  LogStats stats_;                                  // guarded by mu_

  // The segment records are written to. Owned by the thread holding the writer role (or by Open).
  std::shared_ptr<Segment> active_segment_;
};

}  // namespace tandem
