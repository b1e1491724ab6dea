// Parquet value and level encodings (apache/parquet-format Encodings.md), independent of file layout.
//
// Decoders read from a byte span they do not own and never read past its end: truncated or malformed
// input is a Corruption error naming the encoding and what was wrong, never a crash. Output sizes are
// bounded by the caller's `num_values` (which the caller has checked against the page header), never
// by a count read from the data alone. Encoders append to a std::string.
// All functions are thread-compatible (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem::parquet {

// ---- RLE / bit-packed hybrid (levels, dictionary indices, booleans in RLE) ----

// Decodes the hybrid format *without* a length prefix. bit_width in [0, 32].
class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder(const uint8_t* data, size_t size, int bit_width);
  // Decodes exactly n values into out; Corruption if the data ends first.
  Status GetBatch(uint32_t* out, size_t n);

 private:
  Status NextRun();
  const uint8_t* data_;
  const uint8_t* end_;
  int bit_width_;
  // current run state
  bool rle_ = false;
  uint32_t rle_value_ = 0;
  size_t remaining_ = 0;             // values left in current run
  const uint8_t* packed_ = nullptr;  // bit-packed run data
  size_t packed_index_ = 0;          // index of next value within the bit-packed run
};

// Encodes values with the hybrid format (no length prefix): RLE runs for repeats of >= 8, bit-packed
// groups of 8 otherwise.
class RleBitPackedEncoder {
 public:
  explicit RleBitPackedEncoder(int bit_width);
  void Put(uint32_t value);
  void PutBatch(const uint32_t* values, size_t n);
  // Flushes pending values and appends the encoded bytes to out. The encoder is reset.
  void Finish(std::string* out);

 private:
  // Adds `count` copies of `value`.
  void AddRun(uint32_t value, size_t count);
  // Decides the fate of the current repeat (RLE run or literals).
  void EndRepeat();
  // Writes literals_ as bit-packed runs: all of them if `final` (padding the last group with zeros),
  // otherwise only whole groups of 8.
  void FlushLiterals(bool final);
  int bit_width_;
  uint32_t mask_;  // values are masked to bit_width_ bits
  std::string out_;
  std::vector<uint32_t> literals_;  // values of the bit-packed run being built
  uint32_t repeat_value_ = 0;       // trailing run of identical values not yet in literals_
  size_t repeat_count_ = 0;
};

// Number of bits needed for values in [0, max_value].
int BitWidth(uint64_t max_value);

// ---- PLAIN ----
// Fixed-width PLAIN decoding is a bounds-checked memcpy, done by the caller.
// BOOLEAN PLAIN: bit-packed, LSB first.
Status DecodePlainBooleans(const uint8_t* data, size_t size, size_t n, uint8_t* out);
void EncodePlainBooleans(const uint8_t* values, size_t n, std::string* out);
// BYTE_ARRAY PLAIN: 4-byte little-endian length then bytes. Appends n values to (offsets, chars);
// offsets gets n new entries (each the end offset of a value); returns bytes consumed.
Result<size_t> DecodePlainByteArrays(const uint8_t* data, size_t size, size_t n,
                                     std::vector<int64_t>* offsets, std::string* chars);
void EncodePlainByteArray(std::string_view value, std::string* out);

// ---- DELTA_BINARY_PACKED (INT32 and INT64) ----
// Decodes exactly n values (n <= the header's total count, checked); returns bytes consumed.
Result<size_t> DecodeDeltaBinaryPacked32(const uint8_t* data, size_t size, size_t n, int32_t* out);
Result<size_t> DecodeDeltaBinaryPacked64(const uint8_t* data, size_t size, size_t n, int64_t* out);
// Reads only the header's total value count (used by DELTA_LENGTH/DELTA_BYTE_ARRAY).
Result<uint64_t> PeekDeltaBinaryPackedCount(const uint8_t* data, size_t size);
void EncodeDeltaBinaryPacked32(const int32_t* values, size_t n, std::string* out);
void EncodeDeltaBinaryPacked64(const int64_t* values, size_t n, std::string* out);

// ---- DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY ----
// Append n values to (offsets, chars) as DecodePlainByteArrays does; return bytes consumed.
Result<size_t> DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t n,
                                          std::vector<int64_t>* offsets, std::string* chars);
Result<size_t> DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t n, std::vector<int64_t>* offsets,
                                    std::string* chars);
void EncodeDeltaLengthByteArray(const std::vector<std::string_view>& values, std::string* out);
void EncodeDeltaByteArray(const std::vector<std::string_view>& values, std::string* out);

// ---- BYTE_STREAM_SPLIT (FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY) ----
// data holds n values of `width` bytes split into `width` streams; writes n*width bytes to out.
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t n, int width, uint8_t* out);
void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, std::string* out);

// ---- ULEB128 / zigzag varints (shared with the Thrift compact protocol) ----
// Reads a ULEB128 varint of at most 10 bytes at *pos; Corruption on overflow or end of data.
Result<uint64_t> ReadUleb128(const uint8_t* data, size_t size, size_t* pos);
void WriteUleb128(uint64_t v, std::string* out);
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace tandem::parquet
