// IngestChunker: cuts an NDJSON byte stream (a file or stdin) into request bodies at line boundaries,
// for `tandem ingest`.
//
// Each chunk is a run of whole lines of at most `max_bytes` bytes, except that a single line longer
// than that is a chunk of its own (the server then judges it against its own line limit). The bytes are
// passed through unchanged ("\r\n" stays, blank lines stay, so the server's line numbers within a chunk
// plus the chunk's first_line are line numbers in the whole input); the last line may lack its '\n'.
// The cut points depend only on the bytes and max_bytes, so the same input cut with the same max_bytes
// gives the same chunks every time (the idempotency keys rely on it).
//
// Memory: at most about max(max_bytes, longest line) + one read block. Errors from the read function are
// returned as they are. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace tandem::cli {

struct IngestChunk {
  int64_t index = 0;       // 0-based position of the chunk in the input
  uint64_t offset = 0;     // byte offset of the chunk's first byte in the input
  int64_t first_line = 0;  // lines before the chunk: the server's line i is input line first_line + i
  int64_t lines = 0;       // lines in the chunk (a final line without '\n' counts)
  std::string body;
};

class IngestChunker {
 public:
  // Reads up to n bytes into buf; returns how many were read, 0 at the end of the input.
  using ReadFn = std::function<Result<size_t>(char* buf, size_t n)>;

  // `start_*` describe where `read` begins (for a resumed input: the position after the last acknowledged
  // chunk); they only number the chunks, the reader must already be positioned there.
  IngestChunker(ReadFn read, size_t max_bytes, uint64_t start_offset = 0, int64_t start_line = 0,
                int64_t start_index = 0);

  // Fills *chunk with the next chunk; returns false (and leaves *chunk alone) at the end of the input.
  Result<bool> Next(IngestChunk* chunk);

  // Bytes handed out in chunks so far, plus start_offset.
  uint64_t offset() const { return offset_; }

 private:
  // Reads one more block into pending_; sets eof_ when the input has ended.
  Status Fill();

  ReadFn read_;
  size_t max_bytes_;
  uint64_t offset_;
  int64_t line_;
  int64_t index_;
  std::string pending_;  // read but not yet handed out
  bool eof_ = false;
};

}  // namespace tandem::cli
