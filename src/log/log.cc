#include "log/log.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "common/crc32c.h"
#include "log/log_format.h"

namespace tandem {

namespace lf = log_format;

namespace {

// One sparse-index entry every this many bytes of a segment (and for its first record).
constexpr uint64_t kIndexIntervalBytes = 4096;
// Read-ahead of the buffered reader used by recovery and Read.
constexpr size_t kReadWindowBytes = 1 << 20;

// Reads a file through a window of bytes so that records can be parsed without one read per field.
class WindowReader {
 public:
  WindowReader(const RandomAccessFile* file, uint64_t end, size_t window)
      : file_(file), end_(end), window_(window) {}

  // Returns a pointer to bytes [pos, pos + n), or nullptr if they extend past `end`.
  Result<const uint8_t*> Get(uint64_t pos, size_t n) {
    if (pos + n > end_) return static_cast<const uint8_t*>(nullptr);
    if (pos >= start_ && pos + n <= start_ + buf_.size()) {
      return reinterpret_cast<const uint8_t*>(buf_.data()) + (pos - start_);
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, window_), end_ - pos));
    buf_.resize(want);
    TANDEM_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(pos, want, reinterpret_cast<uint8_t*>(buf_.data())));
    buf_.resize(got);
    start_ = pos;
    if (got < n) return static_cast<const uint8_t*>(nullptr);  // the file is shorter than it was
    return reinterpret_cast<const uint8_t*>(buf_.data());
  }

 private:
  const RandomAccessFile* file_;
  const uint64_t end_;
  const size_t window_;
  uint64_t start_ = 0;
  std::string buf_;
};

}  // namespace

struct Log::Segment {
  struct IndexEntry {
    uint64_t offset;  // first offset of the record at `pos`
    uint64_t pos;
  };
  uint64_t base = 0;
  std::string path;
  // All guarded by Log::mu_.
  uint64_t size = lf::kSegmentHeaderSize;  // bytes including appended-not-written records
  uint64_t end_offset = 0;                 // next offset after the last appended record
  uint64_t durable_size = lf::kSegmentHeaderSize;
  uint64_t durable_end = 0;  // offsets [base, durable_end) are durable
  std::vector<IndexEntry> index;
  std::shared_ptr<RandomAccessFile> reader;  // opened on first Read
};

// Records appended to one segment and not yet written.
struct Log::Chunk {
  std::shared_ptr<Segment> segment;
  std::string bytes;
  uint64_t end_pos = 0;     // segment size after these bytes
  uint64_t end_offset = 0;  // next offset after these records
};

Log::Log(FileSystem* fs, std::string dir, LogOptions options)
    : fs_(fs), dir_(std::move(dir)), options_(std::move(options)) {}

Log::~Log() {
  Status s = Close();
  if (!s.ok()) Info("closing log '" + dir_ + "': " + s.ToString());
}

void Log::Info(const std::string& message) const {
  if (options_.info_log) {
    options_.info_log(message);
  } else {
    std::fprintf(stderr, "tandem log: %s\n", message.c_str());
  }
}

Result<std::unique_ptr<Log>> Log::Open(FileSystem* fs, std::string dir, LogOptions options) {
  if (options.segment_bytes < lf::kSegmentHeaderSize + lf::kRecordHeaderSize) {
    return Status::InvalidArgument(
        fmt::format("log '{}': segment_bytes {} is too small", dir, options.segment_bytes));
  }
  std::unique_ptr<Log> log(new Log(fs, std::move(dir), std::move(options)));
  Status s = log->Recover();
  if (!s.ok()) {
    log->closed_ = true;  // nothing to flush
    return s;
  }
  return log;
}

Status Log::Recover() {
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs_->Exists(dir_));
  if (!exists) {
    if (!options_.create_if_missing) return Status::NotFound("log directory '" + dir_ + "' does not exist");
    TANDEM_RETURN_IF_ERROR(fs_->CreateDirs(dir_));
    TANDEM_RETURN_IF_ERROR(fs_->SyncDir(DirName(dir_)));
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  std::vector<uint64_t> bases;
  for (const std::string& name : names) {
    uint64_t base;
    if (lf::ParseSegmentFileName(name, &base)) bases.push_back(base);
  }
  std::sort(bases.begin(), bases.end());
  if (!bases.empty() && bases.back() > lf::kMaxOffset) {
    return Status::Corruption(fmt::format("log '{}': segment '{}' starts past the largest offset {}", dir_,
                                          lf::SegmentFileName(bases.back()), lf::kMaxOffset));
  }
  uint64_t expected = bases.empty() ? 0 : bases.front();
  for (size_t i = 0; i < bases.size(); ++i) {
    auto seg = std::make_shared<Segment>();
    seg->base = bases[i];
    seg->path = JoinPath(dir_, lf::SegmentFileName(bases[i]));
    TANDEM_RETURN_IF_ERROR(ScanSegment(seg, i + 1 == bases.size(), expected));
    expected = seg->end_offset;
    segments_.push_back(std::move(seg));
  }
  if (segments_.empty()) {
    auto seg = std::make_shared<Segment>();
    seg->path = JoinPath(dir_, lf::SegmentFileName(0));
    segments_.push_back(std::move(seg));
  }
  next_offset_ = durable_offset_ = segments_.back()->end_offset;
  recovery_.segments = segments_.size();
  stats_.segments = segments_.size();
  return OpenActiveSegment();
}

Status Log::ScanSegment(const std::shared_ptr<Segment>& seg, bool is_last, uint64_t expected_base) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs_->NewRandomAccessFile(seg->path));
  TANDEM_ASSIGN_OR_RETURN(uint64_t file_size, file->Size());
  WindowReader reader(file.get(), file_size, kReadWindowBytes);

  TANDEM_ASSIGN_OR_RETURN(const uint8_t* header, reader.Get(0, lf::kSegmentHeaderSize));
  std::string why = "segment shorter than its header";
  uint64_t header_base = 0;
  if (header == nullptr || !lf::DecodeSegmentHeader(header, &header_base, &why)) {
    // A header is synced before any record is written to its segment, so a bad header is a torn creation
    // only in the last segment and only if nothing follows it.
    if (!is_last || file_size > lf::kSegmentHeaderSize) {
      return Status::Corruption(
          fmt::format("log segment '{}': {} (file size {})", seg->path, why, file_size));
    }
    Info(fmt::format("recovery: log segment '{}': {} (file size {}): rewriting its header", seg->path, why,
                     file_size));
    recovery_.truncated_path = seg->path;
    recovery_.truncated_at = 0;
    recovery_.truncated_bytes = file_size;
    recovery_.reason = why;
    TANDEM_ASSIGN_OR_RETURN(auto w, fs_->NewWritableFile(seg->path));
    TANDEM_RETURN_IF_ERROR(w->Append(lf::EncodeSegmentHeader(seg->base)));
    TANDEM_RETURN_IF_ERROR(w->Sync());
    TANDEM_RETURN_IF_ERROR(w->Close());
    header_base = seg->base;
    file_size = lf::kSegmentHeaderSize;
  }
  if (header_base != seg->base) {
    return Status::Corruption(fmt::format("log segment '{}': header says base offset {}, file name says {}",
                                          seg->path, header_base, seg->base));
  }
  if (seg->base != expected_base) {
    return Status::Corruption(
        fmt::format("log segment '{}' starts at offset {} but the previous segment ends at "
                    "offset {} (a segment is missing or overlaps)",
                    seg->path, seg->base, expected_base));
  }

  uint64_t pos = lf::kSegmentHeaderSize;
  uint64_t expected = seg->base;
  uint64_t last_indexed = 0;
  std::string torn;  // why the record at `pos` is not valid
  while (pos < file_size) {
    TANDEM_ASSIGN_OR_RETURN(const uint8_t* h, reader.Get(pos, lf::kRecordHeaderSize));
    if (h == nullptr) {
      torn = fmt::format("incomplete record header ({} bytes)", file_size - pos);
      break;
    }
    lf::RecordHeader rh = lf::DecodeRecordHeader(h);
    if (rh.length > file_size - pos - lf::kRecordHeaderSize) {
      torn = fmt::format("record length {} runs past the end of the file", rh.length);
      break;
    }
    TANDEM_ASSIGN_OR_RETURN(const uint8_t* rec, reader.Get(pos, lf::kRecordHeaderSize + rh.length));
    if (rec == nullptr) {
      torn = "record runs past the end of the file";
      break;
    }
    if (crc32c::Unmask(rh.masked_crc) != lf::RecordCrc(rec, rec + lf::kRecordHeaderSize, rh.length)) {
      torn = fmt::format("record CRC mismatch (length field {})", rh.length);
      break;
    }
    // The CRC is right, so the bytes are what was written: a wrong field is corruption, never a torn write.
    if (rh.flags != 0 || rh.count == 0 || rh.offset != expected || expected > lf::kMaxOffset ||
        rh.count > lf::kMaxOffset - expected) {  // offsets stay below 2^63
      return Status::Corruption(
          fmt::format("log segment '{}': record at byte {} has a valid CRC but offset {} (expected {}), "
                      "count {}, flags {}",
                      seg->path, pos, rh.offset, expected, rh.count, rh.flags));
    }
    if (seg->index.empty() || pos - last_indexed >= kIndexIntervalBytes) {
      seg->index.push_back({rh.offset, pos});
      last_indexed = pos;
    }
    expected += rh.count;
    pos += lf::kRecordHeaderSize + rh.length;
    ++recovery_.records;
  }
  if (!torn.empty()) {
    if (!is_last) {
      return Status::Corruption(
          fmt::format("log segment '{}': {} at byte {} (offset {}); it is not the last segment, so this is "
                      "not a torn write "
                      "and the log cannot be opened without losing data",
                      seg->path, torn, pos, expected));
    }
    Info(fmt::format("recovery: log segment '{}': {} at byte {}: cutting {} bytes; the log ends at offset {}",
                     seg->path, torn, pos, file_size - pos, expected));
    recovery_.truncated_path = seg->path;
    recovery_.truncated_at = pos;
    recovery_.truncated_bytes = file_size - pos;
    recovery_.reason = torn;
    TANDEM_RETURN_IF_ERROR(fs_->Truncate(seg->path, pos));
  }
  seg->size = seg->durable_size = pos;
  seg->end_offset = seg->durable_end = expected;
  return Status::OK();
}

Status Log::OpenActiveSegment() {
  std::shared_ptr<Segment> seg = segments_.back();
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs_->Exists(seg->path));
  if (!exists) {
    TANDEM_ASSIGN_OR_RETURN(auto f, fs_->NewWritableFile(seg->path));
    TANDEM_RETURN_IF_ERROR(f->Append(lf::EncodeSegmentHeader(seg->base)));
    TANDEM_RETURN_IF_ERROR(f->Close());
  }
  TANDEM_ASSIGN_OR_RETURN(uint64_t size, fs_->FileSize(seg->path));
  if (size != seg->size) {
    return Status::Internal(
        fmt::format("log segment '{}': size {} after recovery, expected {}", seg->path, size, seg->size));
  }
  // What recovery kept may so far live only in the page cache (a process crash keeps it there): make it
  // durable before anyone reads it as durable, together with the directory entries.
  TANDEM_RETURN_IF_ERROR(SyncFile(seg->path));
  TANDEM_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  active_segment_ = std::move(seg);
  return Status::OK();
}

Status Log::SyncFile(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(auto f, fs_->NewAppendableFile(path));
  TANDEM_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

Result<uint64_t> Log::AppendLocked(std::unique_lock<std::mutex>& l, std::string_view payload, uint32_t count,
                                   uint32_t payload_crc) {
  // Back-pressure: do not let queued bytes grow without bound while a sync runs.
  while (pending_bytes_ >= options_.max_buffered_bytes && writing_ && failed_.ok() && !closed_)
    io_cv_.wait(l);
  if (closed_) return Status::Aborted("log '" + dir_ + "' is closed");
  if (!failed_.ok()) return failed_;
  if (next_offset_ > lf::kMaxOffset || count > lf::kMaxOffset - next_offset_) {
    return Status::ResourceExhausted(
        fmt::format("log '{}': appending {} events at offset {} would pass the "
                    "largest offset {}",
                    dir_, count, next_offset_, lf::kMaxOffset));
  }

  const uint64_t record_size = lf::kRecordHeaderSize + payload.size();
  Segment* seg = segments_.back().get();
  if (seg->end_offset > seg->base && seg->size + record_size > options_.segment_bytes) {
    auto fresh = std::make_shared<Segment>();
    fresh->base = fresh->end_offset = fresh->durable_end = next_offset_;
    fresh->path = JoinPath(dir_, lf::SegmentFileName(next_offset_));
    segments_.push_back(std::move(fresh));
    seg = segments_.back().get();
    stats_.segments = segments_.size();
  }
  if (pending_.empty() || pending_.back().segment.get() != seg) {
    pending_.push_back(Chunk{segments_.back(), {}, 0, 0});
  }
  Chunk& chunk = pending_.back();
  const uint64_t first = next_offset_;
  if (seg->index.empty() || seg->size - seg->index.back().pos >= kIndexIntervalBytes) {
    seg->index.push_back({first, seg->size});
  }
  lf::AppendRecordHeader(&chunk.bytes, first, count, static_cast<uint32_t>(payload.size()), payload_crc);
  chunk.bytes.append(payload);
  seg->size += record_size;
  seg->end_offset += count;
  chunk.end_pos = seg->size;
  chunk.end_offset = seg->end_offset;
  next_offset_ += count;
  pending_bytes_ += record_size;
  ++stats_.records_appended;
  stats_.events_appended += count;
  stats_.bytes_appended += record_size;
  return first;
}

Result<uint64_t> Log::Append(std::string_view payload, uint32_t count) {
  if (count == 0) return Status::InvalidArgument("log '" + dir_ + "': a record must hold at least one event");
  if (payload.size() > options_.max_record_bytes) {
    return Status::ResourceExhausted(fmt::format("log '{}': record of {} bytes exceeds max_record_bytes {}",
                                                 dir_, payload.size(), options_.max_record_bytes));
  }
  uint32_t crc = crc32c::Value(payload.data(), payload.size());  // outside the lock
  std::unique_lock<std::mutex> l(mu_);
  TANDEM_ASSIGN_OR_RETURN(uint64_t first, AppendLocked(l, payload, count, crc));
  if (pending_bytes_ >= options_.max_buffered_bytes && !writing_) {
    TANDEM_RETURN_IF_ERROR(SyncLocked(l, next_offset_));
  }
  return first;
}

Result<uint64_t> Log::AppendDurable(std::string_view payload, uint32_t count) {
  if (count == 0) return Status::InvalidArgument("log '" + dir_ + "': a record must hold at least one event");
  if (payload.size() > options_.max_record_bytes) {
    return Status::ResourceExhausted(fmt::format("log '{}': record of {} bytes exceeds max_record_bytes {}",
                                                 dir_, payload.size(), options_.max_record_bytes));
  }
  uint32_t crc = crc32c::Value(payload.data(), payload.size());
  std::unique_lock<std::mutex> l(mu_);
  TANDEM_ASSIGN_OR_RETURN(uint64_t first, AppendLocked(l, payload, count, crc));
  TANDEM_RETURN_IF_ERROR(SyncLocked(l, first + count));
  return first;
}

Status Log::Sync() {
  std::unique_lock<std::mutex> l(mu_);
  return SyncLocked(l, next_offset_);
}

Status Log::SyncLocked(std::unique_lock<std::mutex>& l, uint64_t target) {
  const int max_syncs = std::max(1, options_.max_concurrent_syncs);
  while (true) {
    if (durable_offset_ >= target) return Status::OK();
    if (!failed_.ok()) return failed_;
    if (closed_) return Status::Aborted("log '" + dir_ + "' is closed");
    // Offsets in [durable_offset_, next_offset_) are queued, or written with their sync in flight.
    if (writing_ || pending_.empty() || syncs_in_flight_ >= max_syncs) {
      io_cv_.wait(l);
      continue;
    }
    // Writer: take every queued record, hand it to the OS, then sync it.
    writing_ = true;
    std::vector<Chunk> chunks;
    chunks.swap(pending_);
    pending_bytes_ = 0;
    io_cv_.notify_all();  // appenders held back by back-pressure may queue again
    l.unlock();
    std::string sync_path;
    bool created = false;
    Status s = WriteChunks(chunks, &sync_path, &created);
    l.lock();
    writing_ = false;
    if (!s.ok()) {
      failed_ = Status(s.code(),
                       "log '" + dir_ + "' failed and accepts no more writes until reopened: " + s.message());
      io_cv_.notify_all();
      durable_cv_.notify_all();
      return failed_;
    }
    const uint64_t ticket = next_ticket_++;
    ++syncs_in_flight_;
    io_cv_.notify_all();  // the next writer may start while this sync runs
    l.unlock();
    s = SyncFile(sync_path);
    if (s.ok() && created) s = fs_->SyncDir(dir_);
    l.lock();
    --syncs_in_flight_;
    // Accept in write order: a sync only counts once every sync of earlier data has succeeded.
    while (accepted_tickets_ != ticket) io_cv_.wait(l);
    if (s.ok() && failed_.ok()) {
      for (const Chunk& c : chunks) {
        c.segment->durable_size = std::max(c.segment->durable_size, c.end_pos);
        c.segment->durable_end = std::max(c.segment->durable_end, c.end_offset);
      }
      durable_offset_ = std::max(durable_offset_, chunks.back().end_offset);
      ++stats_.syncs;
    } else if (failed_.ok()) {
      failed_ = Status(s.code(),
                       "log '" + dir_ + "' failed and accepts no more writes until reopened: " + s.message());
    }
    ++accepted_tickets_;
    io_cv_.notify_all();
    durable_cv_.notify_all();
  }
}

Status Log::WriteChunks(const std::vector<Chunk>& chunks, std::string* sync_path, bool* created) {
  std::unique_ptr<WritableFile> file;
  for (const Chunk& c : chunks) {
    if (c.segment != active_segment_) {
      if (file) {
        TANDEM_RETURN_IF_ERROR(file->Close());
        file.reset();
      }
      // Roll: the finished segment must be durable before records of the next one are acknowledged
      // (recovery treats damage in a non-last segment as corruption, not as a torn tail).
      TANDEM_RETURN_IF_ERROR(SyncFile(active_segment_->path));
      TANDEM_ASSIGN_OR_RETURN(file, fs_->NewWritableFile(c.segment->path));
      TANDEM_RETURN_IF_ERROR(file->Append(lf::EncodeSegmentHeader(c.segment->base)));
      active_segment_ = c.segment;
      *created = true;
    }
    if (!file) {
      TANDEM_ASSIGN_OR_RETURN(file, fs_->NewAppendableFile(active_segment_->path));
    }
    if (file->Size() + c.bytes.size() != c.end_pos) {
      return Status::Internal(fmt::format("log segment '{}' has {} bytes, expected {}", active_segment_->path,
                                          file->Size(), c.end_pos - c.bytes.size()));
    }
    TANDEM_RETURN_IF_ERROR(file->Append(c.bytes));
  }
  if (file) TANDEM_RETURN_IF_ERROR(file->Close());  // hands the bytes to the OS; SyncFile makes them durable
  *sync_path = active_segment_->path;
  return Status::OK();
}

Result<std::vector<LogRecord>> Log::Read(uint64_t from_offset, size_t max_bytes) const {
  std::shared_ptr<Segment> seg;
  std::shared_ptr<RandomAccessFile> file;
  uint64_t start = 0;
  uint64_t end = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<LogRecord> none;
    if (from_offset >= durable_offset_) return none;
    if (from_offset < segments_.front()->base) {
      return Status::NotFound(
          fmt::format("log '{}': offset {} was removed by retention; the first offset is {}", dir_,
                      from_offset, segments_.front()->base));
    }
    auto it = std::upper_bound(segments_.begin(), segments_.end(), from_offset,
                               [](uint64_t off, const std::shared_ptr<Segment>& s) { return off < s->base; });
    seg = *std::prev(it);
    auto idx = std::upper_bound(seg->index.begin(), seg->index.end(), from_offset,
                                [](uint64_t off, const Segment::IndexEntry& e) { return off < e.offset; });
    if (idx == seg->index.begin()) return Status::Internal("log: no index entry for a durable offset");
    start = std::prev(idx)->pos;
    end = seg->durable_size;
    file = seg->reader;
  }
  if (!file) {
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> opened, fs_->NewRandomAccessFile(seg->path));
    file = std::move(opened);
    std::lock_guard<std::mutex> l(mu_);
    if (!seg->reader) seg->reader = file;
  }
  std::vector<LogRecord> out;
  size_t bytes = 0;
  WindowReader reader(file.get(), end, std::min<size_t>(kReadWindowBytes, max_bytes) + lf::kRecordHeaderSize);
  uint64_t pos = start;
  while (pos < end && (out.empty() || bytes < max_bytes)) {
    TANDEM_ASSIGN_OR_RETURN(const uint8_t* h, reader.Get(pos, lf::kRecordHeaderSize));
    if (h == nullptr) {
      return Status::Corruption(
          fmt::format("log segment '{}': durable record at byte {} is cut short", seg->path, pos));
    }
    lf::RecordHeader rh = lf::DecodeRecordHeader(h);
    TANDEM_ASSIGN_OR_RETURN(const uint8_t* rec, reader.Get(pos, lf::kRecordHeaderSize + uint64_t{rh.length}));
    if (rec == nullptr ||
        crc32c::Unmask(rh.masked_crc) != lf::RecordCrc(rec, rec + lf::kRecordHeaderSize, rh.length)) {
      return Status::Corruption(
          fmt::format("log segment '{}': durable record at byte {} fails its CRC", seg->path, pos));
    }
    if (rh.offset + rh.count > from_offset) {
      out.push_back(
          LogRecord{rh.offset, rh.count,
                    std::string(reinterpret_cast<const char*>(rec) + lf::kRecordHeaderSize, rh.length)});
      bytes += rh.length;
    }
    pos += lf::kRecordHeaderSize + rh.length;
  }
  return out;
}

uint64_t Log::WaitForDurable(uint64_t offset, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> l(mu_);
  durable_cv_.wait_for(l, timeout, [&] { return durable_offset_ > offset || closed_ || !failed_.ok(); });
  return durable_offset_;
}

uint64_t Log::next_offset() const {
  std::lock_guard<std::mutex> l(mu_);
  return next_offset_;
}

uint64_t Log::durable_offset() const {
  std::lock_guard<std::mutex> l(mu_);
  return durable_offset_;
}

uint64_t Log::first_offset() const {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.front()->base;
}

LogStats Log::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

Status Log::TruncateBefore(uint64_t offset) {
  std::lock_guard<std::mutex> serial(truncate_mu_);
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    uint64_t limit = std::min(offset, durable_offset_);
    // segments_[1]->base <= durable_offset_ means segments_[0] was rolled over and closed by a leader.
    // segments_[0] goes only once segments_[1] holds a durable record: a roll whose create or sync failed
    // leaves a successor that may not exist after a crash, and the log must never lose its last durable
    // segment (its end is where offsets continue after recovery).
    while (segments_.size() > 1 && segments_[1]->base <= limit &&
           segments_[1]->durable_end > segments_[1]->base) {
      doomed.push_back(segments_.front());
      segments_.erase(segments_.begin());
    }
    stats_.segments = segments_.size();
  }
  // Oldest first, each removal durable before the next: a crash in between leaves a contiguous log.
  for (size_t i = 0; i < doomed.size(); ++i) {
    Status st = fs_->RemoveFile(doomed[i]->path);
    size_t keep_from = i;  // a failed unlink removed nothing: doomed[i] stays
    if (st.ok()) {
      st = fs_->SyncDir(dir_);
      keep_from = i + 1;  // gone for now; if a crash brings it back, it is contiguous with doomed[i + 1]
    }
    if (!st.ok()) {
      // The segments still on disk stay in the log, at its front, so that the next call removes them
      // oldest first. Forgetting them would leave a stale segment below a gap once newer ones go, and
      // recovery would refuse the directory.
      std::lock_guard<std::mutex> l(mu_);
      segments_.insert(segments_.begin(), doomed.begin() + static_cast<std::ptrdiff_t>(keep_from),
                       doomed.end());
      stats_.segments = segments_.size();
      return st;
    }
  }
  return Status::OK();
}

Status Log::Close() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return Status::OK();
  Status s;
  if (next_offset_ > durable_offset_) s = SyncLocked(l, next_offset_);  // failed_ if the log failed
  while (writing_ || syncs_in_flight_ > 0) io_cv_.wait(l);
  closed_ = true;
  io_cv_.notify_all();
  durable_cv_.notify_all();
  return s;
}

}  // namespace tandem
