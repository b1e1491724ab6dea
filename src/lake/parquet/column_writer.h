// ColumnChunkWriter: encodes a range of one engine Column as one Parquet column chunk (dictionary page,
// data pages v1 or v2, statistics) straight from the Column's buffers.
//
// Internal to the Parquet writer. Codec and scratch buffers are borrowed (shared by the columns of a file).
// One thread at a time. Errors: InvalidArgument for a null in a REQUIRED column; codec failures are passed
// through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/status.h"
#include "lake/parquet/compression.h"
#include "lake/parquet/parquet_format.h"
#include "lake/parquet/parquet_writer.h"

namespace tandem::parquet {

// Buffers reused from chunk to chunk; one set is shared by all columns of a file (they are written in turn).
struct ColumnWriterScratch {
  std::string fixed;                  // dense physical values when they cannot alias the column
  std::vector<uint32_t> rows;         // non-null row indices (BYTE_ARRAY with nulls)
  std::vector<uint32_t> indices;      // dictionary index per dense value
  std::vector<uint32_t> levels;       // definition levels of one page
  std::string dict_fixed;             // dictionary entries (fixed width)
  std::vector<int64_t> dict_offsets;  // dictionary entries (byte arrays)
  std::string dict_chars;
  std::string page;    // uncompressed page body
  std::string values;  // encoded values of one page (v2)
  std::string compressed;
  std::string header;
};

class ColumnChunkWriter {
 public:
  // `codec` and `scratch` are borrowed and must outlive the writer.
  ColumnChunkWriter(const Field& field, const SchemaElement& element, const WriterOptions& options,
                    BlockCodec* codec, ColumnWriterScratch* scratch);

  // Encodes rows [offset, offset + count) of `column` as one column chunk that will start at byte
  // `file_offset` of the file. Appends the chunk's bytes to *out and fills *meta (offsets included).
  Status WriteChunk(const Column& column, size_t offset, size_t count, int64_t file_offset, std::string* out,
                    ColumnMetaData* meta);

 private:
  struct Chunk;  // per-chunk state, defined in the .cc

  Status PreparePhysical(Chunk* c);
  void ComputeStatistics(Chunk* c, ColumnMetaData* meta);
  bool ShouldUseDictionary(const Chunk& c) const;
  void BuildDictionary(Chunk* c);
  Status WriteDictionaryPage(Chunk* c, std::string* out);
  Status WriteDataPages(Chunk* c, std::string* out);
  Status WritePage(Chunk* c, size_t r0, size_t r1, size_t v0, size_t v1, bool dict, std::string* out);
  Status EmitPage(PageHeader* header, std::string* out, Chunk* c);

  Field field_;
  SchemaElement element_;
  PhysicalType physical_;
  int physical_width_;  // bytes per value for fixed-width physical types; 0 for BYTE_ARRAY, BOOLEAN
  WriterOptions options_;
  BlockCodec* codec_;

  ColumnWriterScratch* s_;
};

}  // namespace tandem::parquet
