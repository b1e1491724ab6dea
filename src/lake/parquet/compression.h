// BlockCodec: page compression for Parquet (apache/parquet-format Compression.md).
//
// Compress: UNCOMPRESSED, SNAPPY, GZIP (gzip framing via zlib), ZSTD, LZ4_RAW.
// Decompress: the same plus Hadoop-framed LZ4 (codec LZ4; a raw LZ4 block is accepted as a fallback,
// as older writers produced). Decompression writes into a caller buffer of the exact size the page header
// promises and fails with Corruption when the data would decode to any other size or is malformed;
// it never writes past `out_size`.
// A BlockCodec keeps compression contexts between calls: one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "lake/parquet/parquet_format.h"

namespace tandem::parquet {

class BlockCodec {
 public:
  // NotSupported for LZO, BROTLI and unknown codec ids. `level` is used by ZSTD (and GZIP if in 1..9).
  static Result<std::unique_ptr<BlockCodec>> Make(CompressionCodec codec, int level = 1);
  virtual ~BlockCodec() = default;

  CompressionCodec codec() const { return codec_; }

  // Replaces *out with the compressed form of `in`. Compressing LZ4 (Hadoop) is NotSupported.
  virtual Status Compress(std::string_view in, std::string* out) = 0;
  // Decompresses exactly `out_size` bytes into `out`.
  virtual Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) = 0;

 protected:
  explicit BlockCodec(CompressionCodec codec) : codec_(codec) {}

 private:
  CompressionCodec codec_;
};

}  // namespace tandem::parquet
