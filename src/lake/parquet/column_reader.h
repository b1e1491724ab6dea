// ColumnChunkReader: decodes the pages of one flat column chunk (dictionary page, data pages v1/v2, every
// encoding in encoding.h) into an engine Column.
//
// Internal to the Parquet reader. It reads only from the chunk bytes it is given and never past them;
// every page size, value count and dictionary index is checked before use, and no allocation is sized by
// an unchecked field (page sizes are capped by ReaderOptions::max_page_bytes). Malformed data is a
// Corruption error naming the column and the page; never a crash. Scratch buffers are reused between
// calls: one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/status.h"
#include "lake/parquet/compression.h"
#include "lake/parquet/parquet_reader.h"
#include "lake/parquet/parquet_schema.h"

namespace tandem::parquet {

class ColumnChunkReader {
 public:
  ColumnChunkReader(const LeafColumn& leaf, const Field& field, const ReaderOptions& options)
      : leaf_(leaf), field_(field), options_(options), dict_(field.type), dense_(field.type) {}

  // Decodes exactly `num_values` values from the chunk bytes [data, data+size) (which start at the
  // chunk's first page) into *out, a fresh column of the field's type.
  Status Read(const uint8_t* data, size_t size, BlockCodec* codec, int64_t num_values, Column* out);

 private:
  Status ReadDictionaryPage(const PageHeader& h, const uint8_t* page, BlockCodec* codec);
  Status ReadDataPage(const PageHeader& h, const uint8_t* page, BlockCodec* codec, int64_t remaining,
                      Column* out, int64_t* rows);
  // Decodes `nn` non-null values and appends them to `dst`.
  Status DecodeValues(Encoding enc, const uint8_t* p, size_t size, size_t nn, Column* dst);
  // Appends `n` fixed-width physical values (little-endian, or big-endian FLBA) to dst.
  Status AppendFixed(const uint8_t* raw, size_t n, Column* dst);
  // Appends byte arrays (offsets/chars as DecodePlainByteArrays fills them) to dst.
  Status AppendByteArrays(const std::vector<int64_t>& offsets, const std::string& chars, Column* dst);
  Status GatherDictionary(const uint32_t* idx, size_t n, Column* dst);
  Status Fail(const std::string& what) const;
  int PhysicalWidth() const;

  LeafColumn leaf_;
  Field field_;
  ReaderOptions options_;
  Column dict_;
  bool has_dict_ = false;
  Column dense_;  // non-null values of a page with nulls
  int page_index_ = 0;

  std::vector<uint8_t> buf_;  // decompressed page
  std::vector<uint32_t> levels_;
  std::vector<uint32_t> idx_;
  std::vector<uint8_t> raw_;  // physical values of a page (byte stream split, delta, booleans)
  std::vector<int64_t> tmp_offsets_;
  std::string tmp_chars_;
};

}  // namespace tandem::parquet
