#include "cli/ingest_chunker.h"

#include <algorithm>

namespace tandem::cli {

namespace {

constexpr size_t kReadBlock = 1 << 20;

}  // namespace

IngestChunker::IngestChunker(ReadFn read, size_t max_bytes, uint64_t start_offset, int64_t start_line,
                             int64_t start_index)
    : read_(std::move(read)),
      max_bytes_(std::max<size_t>(1, max_bytes)),
      offset_(start_offset),
      line_(start_line),
      index_(start_index) {}

Status IngestChunker::Fill() {
  const size_t old = pending_.size();
  pending_.resize(old + kReadBlock);
  Result<size_t> n = read_(pending_.data() + old, kReadBlock);
  if (!n.ok()) {
    pending_.resize(old);
    return n.status();
  }
  pending_.resize(old + *n);
  if (*n == 0) eof_ = true;
  return Status::OK();
}

Result<bool> IngestChunker::Next(IngestChunk* chunk) {
  // Enough bytes to decide the cut: more than max_bytes, or everything that is left.
  while (!eof_ && pending_.size() <= max_bytes_) TANDEM_RETURN_IF_ERROR(Fill());
  if (pending_.empty()) return false;

  size_t cut = 0;
  if (pending_.size() <= max_bytes_) {
    cut = pending_.size();  // the rest of the input fits
  } else {
    // The last line end within the first max_bytes bytes.
    const size_t nl = pending_.rfind('\n', max_bytes_ - 1);
    if (nl != std::string::npos) {
      cut = nl + 1;
    } else {
      // One line longer than max_bytes: it goes alone, up to its '\n' or the end of the input.
      size_t searched = max_bytes_;
      for (;;) {
        const size_t at = pending_.find('\n', searched);
        if (at != std::string::npos) {
          cut = at + 1;
          break;
        }
        searched = pending_.size();
        if (eof_) {
          cut = pending_.size();
          break;
        }
        TANDEM_RETURN_IF_ERROR(Fill());
      }
    }
  }

  chunk->index = index_++;
  chunk->offset = offset_;
  chunk->first_line = line_;
  chunk->body.assign(pending_, 0, cut);
  pending_.erase(0, cut);
  int64_t lines = std::count(chunk->body.begin(), chunk->body.end(), '\n');
  if (!chunk->body.empty() && chunk->body.back() != '\n') ++lines;
  chunk->lines = lines;
  offset_ += cut;
  line_ += lines;
  return true;
}

}  // namespace tandem::cli
