// ParquetReader: reads Apache Parquet files written by Tandem or by anyone else.
//
// Reads through a RandomAccessFile (a byte-range source), so a file can be served by the local file
// system, memory, or an object store. Supports every physical type, PLAIN, PLAIN_DICTIONARY /
// RLE_DICTIONARY, RLE, BIT_PACKED (levels), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages v1 and v2; UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW
// (and the Hadoop-framed LZ4); logical and converted types (STRING/UTF8, DATE, TIMESTAMP, INT96,
// DECIMAL, signed/unsigned INT8-64). INT8/16 and UINT8/16 read as INT32, UINT32 as INT64,
// UINT64 as UINT64, INT96 as TIMESTAMP(ns).
//
// Nested columns (LIST, MAP, STRUCT, repeated fields) are not readable: they are listed in
// unsupported_columns() and asking for one is a NotSupported error naming the column and its type.
//
// Damaged files give Corruption errors; no allocation is sized by an unchecked field (every length is
// checked against the file size or a decoded page size first).
// Thread safety: one thread at a time per reader; separate readers on one file are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "columnar/value.h"
#include "common/file_system.h"
#include "common/status.h"

namespace tandem::parquet {

struct ColumnChunkInfo {
  std::string name;                    // dotted path in the file
  std::string physical_type;           // "INT64", "BYTE_ARRAY", ...
  std::string codec;                   // "ZSTD", "SNAPPY", ...
  std::vector<std::string> encodings;  // "PLAIN", "RLE_DICTIONARY", ...
  int64_t num_values = 0;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
  std::optional<Value> min;  // decoded with the column's logical type, when present and readable
  std::optional<Value> max;
  std::optional<int64_t> null_count;
};

struct RowGroupInfo {
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;
  std::vector<ColumnChunkInfo> columns;  // one per leaf column in the file, file order
};

struct UnsupportedColumn {
  std::string name;    // top-level field name
  std::string reason;  // "LIST column 'tags' (nested types are not supported)"
};

struct FileInfo {
  int64_t num_rows = 0;
  int32_t version = 0;
  std::string created_by;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  std::vector<RowGroupInfo> row_groups;
  int64_t file_size = 0;
};

// A predicate on one column for row-group pruning: column <op> value.
struct ColumnPredicate {
  enum class Op { kEq, kLt, kLe, kGt, kGe };
  int column = 0;  // index into schema()
  Op op = Op::kEq;
  Value value;
};

struct ReaderOptions {
  // Upper bound on any single allocation the reader makes for one page or dictionary (defence against
  // corrupt headers). Files with larger pages are refused with a clear error.
  size_t max_page_bytes = 512u << 20;
};

class ParquetReader {
 public:
  static Result<std::unique_ptr<ParquetReader>> Open(std::shared_ptr<RandomAccessFile> file,
                                                     ReaderOptions options = {});
  virtual ~ParquetReader() = default;

  // The readable (flat) columns, in file order.
  virtual const Schema& schema() const = 0;
  virtual const std::vector<UnsupportedColumn>& unsupported_columns() const = 0;
  virtual const FileInfo& info() const = 0;
  virtual int num_row_groups() const = 0;

  // Reads the listed columns (indices into schema(), any order; output columns follow that order) of
  // row group `row_group`.
  virtual Result<RecordBatch> ReadRowGroup(int row_group, const std::vector<int>& columns) = 0;
  // Reads every row group for the listed columns and concatenates them.
  Result<RecordBatch> ReadAll(const std::vector<int>& columns);

  // Indices of row groups that may hold rows satisfying every predicate (by min/max statistics;
  // a row group without usable statistics is always kept).
  virtual std::vector<int> PruneRowGroups(const std::vector<ColumnPredicate>& predicates) const = 0;

  // Indices of the named columns; NotFound naming the first unknown one, NotSupported for a nested one.
  Result<std::vector<int>> ResolveColumns(const std::vector<std::string>& names) const;
};

Result<std::unique_ptr<ParquetReader>> OpenParquetFile(FileSystem* fs, const std::string& path,
                                                       ReaderOptions options = {});

}  // namespace tandem::parquet
