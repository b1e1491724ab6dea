// ParquetWriter: writes RecordBatches as one Apache Parquet file (format spec: apache/parquet-format).
//
// Flat schemas only. Type mapping (engine -> Parquet physical / logical):
//   BOOLEAN->BOOLEAN, INT32->INT32, INT64->INT64, UINT64->INT64 + INTEGER(64,false), FLOAT->FLOAT,
//   DOUBLE->DOUBLE, STRING->BYTE_ARRAY + STRING, BINARY->BYTE_ARRAY, DATE->INT32 + DATE,
//   TIMESTAMP(ms|us|ns)->INT64 + TIMESTAMP(isAdjustedToUTC=true, unit), DECIMAL(p,s)->FIXED_LEN_BYTE_ARRAY
//   (or INT32/INT64 for p<=9/p<=18) + DECIMAL.
// Nullable fields are OPTIONAL, others REQUIRED (a null in a REQUIRED column is an InvalidArgument error).
//
// Ownership: the writer owns the WritableFile. Thread safety: one thread at a time.
// Errors: any failed write leaves the file unusable; the caller deletes it. Nothing is durable until
// Close() returns OK with options.sync_on_close (the default).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "common/status.h"

namespace tandem::parquet {

enum class Compression { kUncompressed, kSnappy, kGzip, kZstd, kLz4Raw };

// "uncompressed"|"none", "snappy", "gzip", "zstd", "lz4"|"lz4_raw" (case-insensitive).
Result<Compression> ParseCompression(const std::string& name);
const char* CompressionName(Compression c);

struct WriterOptions {
  Compression compression = Compression::kZstd;
  int compression_level = 1;              // zstd level (gzip uses its default)
  size_t row_group_rows = 1 << 20;        // a row group is cut after this many rows
  size_t data_page_bytes = 1 << 20;       // target uncompressed size of a data page
  bool dictionary = true;                 // dictionary-encode where it pays
  size_t dictionary_max_bytes = 1 << 20;  // fall back to PLAIN when the dictionary grows beyond this
  int data_page_version = 1;              // 1 or 2
  bool write_statistics = true;           // min, max, null_count per column chunk
  bool sync_on_close = true;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

class ParquetWriter {
 public:
  static Result<std::unique_ptr<ParquetWriter>> Open(std::unique_ptr<WritableFile> file, Schema schema,
                                                     WriterOptions options = {});
  virtual ~ParquetWriter() = default;

  // Buffers the rows; writes a row group each time options.row_group_rows rows are buffered.
  // The batch's schema must equal the writer's schema (names and types).
  virtual Status Write(const RecordBatch& batch) = 0;
  // Writes the last row group and the footer. Key-value pairs added here join options' pairs.
  virtual Status Close(const std::vector<std::pair<std::string, std::string>>& extra_metadata = {}) = 0;

  virtual int64_t rows_written() const = 0;
};

// Convenience: writes `batches` to `path` on `fs`.
Status WriteParquetFile(FileSystem* fs, const std::string& path, const Schema& schema,
                        const std::vector<RecordBatch>& batches, const WriterOptions& options = {});

}  // namespace tandem::parquet
