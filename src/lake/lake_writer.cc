#include "lake/lake_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "lake/parquet/parquet_reader.h"

namespace tandem::lake {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::vector<OffsetRange> Coalesce(std::vector<OffsetRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const OffsetRange& a, const OffsetRange& b) { return a.begin < b.begin; });
  std::vector<OffsetRange> out;
  for (const OffsetRange& r : ranges) {
    if (!out.empty() && out.back().end >= r.begin) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

bool Intersects(const LakeFile& f, OffsetRange range) {
  for (const OffsetRange& r : f.offset_ranges) {
    if (r.begin < range.end && range.begin < r.end) return true;
  }
  return false;
}

bool Inside(const LakeFile& f, OffsetRange range) {
  for (const OffsetRange& r : f.offset_ranges) {
    if (r.begin < range.begin || r.end > range.end) return false;
  }
  return true;
}

}  // namespace

std::string PartitionForMicros(int64_t micros) {
  return FormatDate(static_cast<int32_t>(FloorDiv(micros, 86400000000LL)));
}

LakeWriter::LakeWriter(FileSystem* fs, std::string stream_dir, Schema schema, int event_time_column,
                       LakeOptions options)
    : fs_(fs),
      stream_dir_(std::move(stream_dir)),
      schema_(std::move(schema)),
      event_time_column_(event_time_column),
      options_(std::move(options)),
      store_(fs_, stream_dir_) {
  file_schema_ = schema_;
  file_schema_.fields.push_back({kOffsetColumn, DataType::Int64(), false});
  buffer_ = RecordBatch::Empty(file_schema_);
}

Result<std::unique_ptr<LakeWriter>> LakeWriter::Open(FileSystem* fs, std::string stream_dir, Schema schema,
                                                     int event_time_column, LakeOptions options) {
  if (event_time_column >= 0 && schema.fields.at(event_time_column).type.id != TypeId::kTimestamp) {
    return Status::InvalidArgument("event time column '" + schema.fields[event_time_column].name +
                                   "' must be a TIMESTAMP");
  }
  std::unique_ptr<LakeWriter> w(
      new LakeWriter(fs, std::move(stream_dir), std::move(schema), event_time_column, std::move(options)));
  TANDEM_RETURN_IF_ERROR(fs->CreateDirs(w->stream_dir_));
  TANDEM_ASSIGN_OR_RETURN(Manifest m, w->store_.LoadLatest());
  w->buffered_end_ = m.horizon;
  w->next_file_id_ = m.next_file_id;
  w->current_ = std::make_shared<const Manifest>(std::move(m));
  TANDEM_RETURN_IF_ERROR(w->RemoveOrphans());
  return w;
}

Status LakeWriter::RemoveOrphans() {
  std::set<std::string> live;
  for (const LakeFile& f : current_->files) live.insert(f.path);
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs_->ListDir(stream_dir_));
  for (const std::string& dir : entries) {
    if (dir.rfind("date=", 0) != 0) continue;
    auto files = fs_->ListDir(JoinPath(stream_dir_, dir));
    if (!files.ok()) continue;  // a plain file named date=..., not ours
    for (const std::string& name : *files) {
      const std::string rel = dir + "/" + name;
      if (!live.count(rel)) TANDEM_RETURN_IF_ERROR(fs_->RemoveFile(JoinPath(stream_dir_, rel)));
    }
  }
  return Status::OK();
}

Status LakeWriter::Append(int64_t first_offset, const RecordBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_offset != buffered_end_) {
    return Status::InvalidArgument("lake append at offset " + std::to_string(first_offset) + ", expected " +
                                   std::to_string(buffered_end_));
  }
  if (batch.num_columns() != schema_.fields.size()) {
    return Status::InvalidArgument("lake append with " + std::to_string(batch.num_columns()) +
                                   " columns, stream has " + std::to_string(schema_.fields.size()));
  }
  RecordBatch with_offset = batch;
  Column offsets(DataType::Int64());
  offsets.Reserve(batch.num_rows());
  for (size_t i = 0; i < batch.num_rows(); ++i)
    offsets.Append<int64_t>(first_offset + static_cast<int64_t>(i));
  with_offset.mutable_columns().push_back(std::move(offsets));
  with_offset = RecordBatch(file_schema_, std::move(with_offset.mutable_columns()), batch.num_rows());
  buffer_.AppendBatch(with_offset);
  buffered_end_ += static_cast<int64_t>(batch.num_rows());
  return Status::OK();
}

int64_t LakeWriter::buffered_end() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buffered_end_;
}

int64_t LakeWriter::buffered_rows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(buffer_.num_rows());
}

std::shared_ptr<const Manifest> LakeWriter::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Status LakeWriter::WriteFile(const std::string& partition, const RecordBatch& rows,
                             std::vector<OffsetRange> ranges, int64_t file_id, LakeFile* out) {
  char name[64];
  std::snprintf(name, sizeof(name), "part-%020lld.parquet", static_cast<long long>(file_id));
  const std::string dir = "date=" + partition;
  const std::string rel = dir + "/" + name;
  TANDEM_RETURN_IF_ERROR(fs_->CreateDirs(JoinPath(stream_dir_, dir)));
  out->path = rel;
  out->partition = partition;
  out->rows = static_cast<int64_t>(rows.num_rows());
  out->offset_ranges = Coalesce(std::move(ranges));
  out->min_event_time = 0;
  out->max_event_time = 0;
  if (event_time_column_ >= 0 && rows.num_rows() > 0) {
    const Column& ts = rows.column(event_time_column_);
    bool first = true;
    for (size_t i = 0; i < ts.length(); ++i) {
      if (ts.IsNull(i)) continue;
      const int64_t v = ts.Value<int64_t>(i);
      if (first || v < out->min_event_time) out->min_event_time = v;
      if (first || v > out->max_event_time) out->max_event_time = v;
      first = false;
    }
  }
  std::string ranges_text;
  for (const OffsetRange& r : out->offset_ranges) {
    if (!ranges_text.empty()) ranges_text += ",";
    ranges_text += std::to_string(r.begin) + "-" + std::to_string(r.end);
  }
  parquet::WriterOptions popts = options_.parquet;
  popts.key_value_metadata.push_back({"tandem.offset_ranges", ranges_text});
  popts.key_value_metadata.push_back({"tandem.partition", partition});
  const std::string path = JoinPath(stream_dir_, rel);
  TANDEM_RETURN_IF_ERROR(parquet::WriteParquetFile(fs_, path, file_schema_, {rows}, popts));
  TANDEM_RETURN_IF_ERROR(fs_->SyncDir(JoinPath(stream_dir_, dir)));
  TANDEM_ASSIGN_OR_RETURN(uint64_t size, fs_->FileSize(path));
  out->bytes = static_cast<int64_t>(size);
  return Status::OK();
}

int64_t LakeWriter::NextFileId(Manifest* next) {
  // Ids are never reused within a process, even when a publish failed: a failed publish may still have
  // renamed its manifest into place, and that manifest lists the files it names.
  const int64_t id = next_file_id_++;
  next->next_file_id = next_file_id_;
  return id;
}

Status LakeWriter::PublishLocked(Manifest next) {
  TANDEM_RETURN_IF_ERROR(store_.Publish(&next));
  auto published = std::make_shared<const Manifest>(std::move(next));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(published);
  return Status::OK();
}

Status LakeWriter::Flush() {
  std::lock_guard<std::mutex> wlock(write_mu_);
  RecordBatch rows;
  int64_t end;
  std::shared_ptr<const Manifest> base;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (buffer_.num_rows() == 0) return Status::OK();
    rows = std::move(buffer_);
    buffer_ = RecordBatch::Empty(file_schema_);
    end = buffered_end_;
    base = current_;
  }
  const int64_t begin = base->horizon;
  // Group row indices by partition.
  std::map<std::string, std::vector<uint32_t>> parts;
  for (size_t i = 0; i < rows.num_rows(); ++i) {
    std::string p = "unknown";
    if (event_time_column_ >= 0 && rows.column(event_time_column_).IsValid(i)) {
      p = PartitionForMicros(rows.column(event_time_column_).Value<int64_t>(i));
    }
    parts[p].push_back(static_cast<uint32_t>(i));
  }
  Manifest next = *base;
  next.horizon = end;
  Status st;
  for (auto& [partition, idx] : parts) {
    std::vector<Column> cols;
    for (size_t c = 0; c < rows.num_columns(); ++c) cols.push_back(rows.column(c).Take(idx));
    RecordBatch part(file_schema_, std::move(cols), idx.size());
    LakeFile f;
    st = WriteFile(partition, part, {{begin, end}}, NextFileId(&next), &f);
    if (!st.ok()) break;
    next.files.push_back(std::move(f));
  }
  if (st.ok()) st = PublishLocked(std::move(next));
  if (!st.ok()) {
    // Put the rows back in front of anything appended meanwhile so that a later flush retries them.
    std::lock_guard<std::mutex> lock(mu_);
    rows.AppendBatch(buffer_);
    buffer_ = std::move(rows);
    return st.WithContext("lake flush of offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                          ")");
  }
  return store_.RemoveOldVersions(3);
}

Result<CompactionResult> LakeWriter::Compact() {
  std::lock_guard<std::mutex> wlock(write_mu_);
  std::shared_ptr<const Manifest> base = snapshot();
  std::map<std::string, std::vector<size_t>> small;  // partition -> indices into base->files
  for (size_t i = 0; i < base->files.size(); ++i) {
    if (base->files[i].bytes < options_.small_file_bytes) small[base->files[i].partition].push_back(i);
  }
  CompactionResult result;
  Manifest next = *base;
  std::set<size_t> removed;
  std::vector<LakeFile> added;
  for (auto& [partition, idx] : small) {
    if (static_cast<int>(idx.size()) < options_.min_files_to_compact) continue;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      return base->files[a].offset_ranges.front().begin < base->files[b].offset_ranges.front().begin;
    });
    RecordBatch merged = RecordBatch::Empty(file_schema_);
    std::vector<OffsetRange> ranges;
    for (size_t i : idx) {
      const LakeFile& f = base->files[i];
      TANDEM_ASSIGN_OR_RETURN(auto reader, parquet::OpenParquetFile(fs_, JoinPath(stream_dir_, f.path)));
      std::vector<int> all(file_schema_.fields.size());
      for (size_t c = 0; c < all.size(); ++c) all[c] = static_cast<int>(c);
      TANDEM_ASSIGN_OR_RETURN(RecordBatch b, reader->ReadAll(all));
      merged.AppendBatch(RecordBatch(file_schema_, std::move(b.mutable_columns()), b.num_rows()));
      ranges.insert(ranges.end(), f.offset_ranges.begin(), f.offset_ranges.end());
      result.bytes_in += f.bytes;
      removed.insert(i);
    }
    LakeFile out;
    TANDEM_RETURN_IF_ERROR(WriteFile(partition, merged, ranges, NextFileId(&next), &out));
    result.bytes_out += out.bytes;
    result.files_in += static_cast<int>(idx.size());
    result.files_out += 1;
    result.partitions += 1;
    added.push_back(std::move(out));
  }
  if (added.empty()) return result;
  // Flushes only add files and advance the horizon; they run under write_mu_ too, so `base` is current.
  next.files.clear();
  std::vector<std::string> doomed;
  for (size_t i = 0; i < base->files.size(); ++i) {
    if (removed.count(i)) {
      doomed.push_back(base->files[i].path);
    } else {
      next.files.push_back(base->files[i]);
    }
  }
  for (LakeFile& f : added) next.files.push_back(std::move(f));
  TANDEM_RETURN_IF_ERROR(PublishLocked(std::move(next)));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::string& p : doomed) doomed_.push_back({std::move(p), NowMs() + options_.grace_period_ms});
  }
  TANDEM_RETURN_IF_ERROR(store_.RemoveOldVersions(3));
  TANDEM_RETURN_IF_ERROR(CollectGarbage());
  return result;
}

Status LakeWriter::CollectGarbage() {
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = NowMs();
    while (!doomed_.empty() && doomed_.front().due_ms <= now) {
      due.push_back(std::move(doomed_.front().path));
      doomed_.pop_front();
    }
  }
  for (const std::string& rel : due) {
    Status st = fs_->RemoveFile(JoinPath(stream_dir_, rel));
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
  }
  return Status::OK();
}

Status ScanLake(FileSystem* fs, const std::string& stream_dir, const Manifest& manifest, OffsetRange range,
                const std::vector<std::string>& columns, const std::function<Status(RecordBatch&&)>& fn) {
  std::vector<const LakeFile*> files;
  for (const LakeFile& f : manifest.files) {
    if (Intersects(f, range)) files.push_back(&f);
  }
  std::sort(files.begin(), files.end(), [](const LakeFile* a, const LakeFile* b) {
    return a->offset_ranges.front().begin < b->offset_ranges.front().begin;
  });
  for (const LakeFile* f : files) {
    const std::string path = JoinPath(stream_dir, f->path);
    TANDEM_ASSIGN_OR_RETURN(auto reader, parquet::OpenParquetFile(fs, path));
    std::vector<std::string> wanted = columns;
    const bool filter = !Inside(*f, range);
    bool added_offset = false;
    if (filter && std::find(wanted.begin(), wanted.end(), kOffsetColumn) == wanted.end()) {
      wanted.push_back(kOffsetColumn);
      added_offset = true;
    }
    TANDEM_ASSIGN_OR_RETURN(std::vector<int> idx, reader->ResolveColumns(wanted));
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      TANDEM_ASSIGN_OR_RETURN(RecordBatch b, reader->ReadRowGroup(rg, idx));
      if (filter) {
        const int off_col =
            static_cast<int>(std::find(wanted.begin(), wanted.end(), kOffsetColumn) - wanted.begin());
        const Column& offsets = b.column(off_col);
        std::vector<uint32_t> keep;
        for (size_t i = 0; i < b.num_rows(); ++i) {
          const int64_t o = offsets.Value<int64_t>(i);
          if (o >= range.begin && o < range.end) keep.push_back(static_cast<uint32_t>(i));
        }
        std::vector<Column> cols;
        Schema schema = b.schema();
        for (size_t c = 0; c < b.num_columns(); ++c) cols.push_back(b.column(c).Take(keep));
        if (added_offset) {
          cols.pop_back();
          schema.fields.pop_back();
        }
        b = RecordBatch(std::move(schema), std::move(cols), keep.size());
      }
      if (b.num_rows() > 0) TANDEM_RETURN_IF_ERROR(fn(std::move(b)));
    }
  }
  return Status::OK();
}

}  // namespace tandem::lake
