// Parquet value and level encodings, written from apache/parquet-format Encodings.md.
//
// Bit unpacking works on groups of 8 values: a group of 8 values of width W occupies exactly W bytes, so
// each value's bit offset is a compile-time constant once W is. Unpack8<T, W> loads 8 bytes (memcpy, so
// alignment does not matter) around each value and shifts; it may read up to W + 9 bytes from the
// group start, so groups closer than that to the end of the input are first copied to a zeroed buffer.
#include "lake/parquet/encoding.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

namespace tandem::parquet {

static_assert(std::endian::native == std::endian::little, "encoding.cc assumes a little-endian host");

namespace {

// Parquet run lengths and value counts fit a signed 32-bit integer.
constexpr uint64_t kMaxRunLength = (uint64_t{1} << 31) - 1;
constexpr uint64_t kMaxDeltaBlockSize = uint64_t{1} << 31;
// Upper bound on the bytes one DELTA_BYTE_ARRAY call may produce (prefixes make output larger than input).
constexpr uint64_t kMaxDeltaByteArrayOutput = (uint64_t{1} << 31) - 1;

// ---- bit unpacking ----

template <typename T, int W, int I>
inline void UnpackOne(const uint8_t* in, T* out) {
  if constexpr (W == 0) {
    out[I] = 0;
  } else {
    constexpr int kBit = I * W;
    constexpr int kByte = kBit / 8;
    constexpr int kShift = kBit % 8;
    uint64_t word;
    std::memcpy(&word, in + kByte, sizeof(word));
    uint64_t v = word >> kShift;
    if constexpr (kShift + W > 64) v |= static_cast<uint64_t>(in[kByte + 8]) << (64 - kShift);
    if constexpr (W < 64) v &= (uint64_t{1} << W) - 1;
    out[I] = static_cast<T>(v);
  }
}

template <typename T, int W, int... I>
inline void Unpack8Impl(const uint8_t* in, T* out, std::integer_sequence<int, I...>) {
  (UnpackOne<T, W, I>(in, out), ...);
}

// Unpacks 8 values of width W from `in`, reading at most W + 9 bytes.
template <typename T, int W>
inline void Unpack8(const uint8_t* in, T* out) {
  Unpack8Impl<T, W>(in, out, std::make_integer_sequence<int, 8>{});
}

// Unpacks `groups` groups of 8 values of width W starting at `in`; `avail` is the number of readable bytes
// from `in` (at least groups * W).
template <typename T, int W>
void UnpackGroups(const uint8_t* in, size_t avail, size_t groups, T* out) {
  if constexpr (W == 0) {
    std::fill_n(out, groups * 8, T{0});
    return;
  }
  constexpr size_t kSafe = static_cast<size_t>(W) + 9;
  size_t g = 0;
  // Groups far enough from the end are read in place.
  if (avail >= kSafe) {
    size_t direct = std::min(groups, (avail - kSafe) / W + 1);
    for (; g < direct; ++g) Unpack8<T, W>(in + g * W, out + g * 8);
  }
  for (; g < groups; ++g) {
    uint8_t buf[64 + 16] = {};
    std::memcpy(buf, in + g * W, W);
    Unpack8<T, W>(buf, out + g * 8);
  }
}

template <typename T>
using UnpackFn = void (*)(const uint8_t*, size_t, size_t, T*);

template <typename T, int... W>
constexpr std::array<UnpackFn<T>, sizeof...(W)> MakeUnpackTable(std::integer_sequence<int, W...>) {
  return {&UnpackGroups<T, W>...};
}

constexpr auto kUnpack32 = MakeUnpackTable<uint32_t>(std::make_integer_sequence<int, 33>{});
constexpr auto kUnpack64 = MakeUnpackTable<uint64_t>(std::make_integer_sequence<int, 65>{});

template <typename T>
inline void UnpackGroupsDispatch(int width, const uint8_t* in, size_t avail, size_t groups, T* out) {
  if constexpr (sizeof(T) == 4) {
    kUnpack32[width](in, avail, groups, out);
  } else {
    kUnpack64[width](in, avail, groups, out);
  }
}

// ---- bit packing ----

// Appends values[0..n) packed LSB-first at `width` bits (values must already fit); pads the final byte.
template <typename T>
void PackValues(const T* values, size_t n, int width, std::string* out) {
  if (width == 0 || n == 0) return;
  size_t base = out->size();
  size_t total_bytes = (n * static_cast<size_t>(width) + 7) / 8;
  out->resize(base + total_bytes);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data() + base);
  uint64_t acc = 0;
  int bits = 0;  // pending bits in acc, always < 8 between values
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = values[i];
    acc |= v << bits;
    int total = bits + width;
    if (total >= 64) {
      std::memcpy(dst, &acc, 8);
      dst += 8;
      acc = bits == 0 ? 0 : v >> (64 - bits);
      total -= 64;
    }
    while (total >= 8) {
      *dst++ = static_cast<uint8_t>(acc & 0xff);
      acc >>= 8;
      total -= 8;
    }
    bits = total;
  }
  if (bits > 0) *dst++ = static_cast<uint8_t>(acc & 0xff);
  assert(dst == reinterpret_cast<uint8_t*>(out->data() + out->size()));
}

Status Truncated(const char* encoding, const std::string& what, size_t need, size_t have) {
  return Status::Corruption(std::string(encoding) + ": " + what + " needs " + std::to_string(need) +
                            " bytes but only " + std::to_string(have) + " remain");
}

}  // namespace

// ---- ULEB128 ----

Result<uint64_t> ReadUleb128(const uint8_t* data, size_t size, size_t* pos) {
  uint64_t result = 0;
  size_t p = *pos;
  for (int i = 0; i < 10; ++i) {
    if (p >= size) return Status::Corruption("ULEB128: varint runs past the end of data");
    uint8_t b = data[p++];
    if (i == 9 && b > 1) return Status::Corruption("ULEB128: varint overflows 64 bits");
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *pos = p;
      return result;
    }
  }
  return Status::Corruption("ULEB128: varint longer than 10 bytes");
}

void WriteUleb128(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

int BitWidth(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - std::countl_zero(max_value);
}

// ---- RLE / bit-packed hybrid decoder ----

RleBitPackedDecoder::RleBitPackedDecoder(const uint8_t* data, size_t size, int bit_width)
    : data_(data), end_(data + size), bit_width_(bit_width) {}

Status RleBitPackedDecoder::NextRun() {
  size_t pos = 0;
  size_t avail = static_cast<size_t>(end_ - data_);
  if (avail == 0)
    return Status::Corruption("RLE/bit-packed hybrid: data ends before all values were decoded");
  Result<uint64_t> header = ReadUleb128(data_, avail, &pos);
  if (!header.ok()) return header.status().WithContext("RLE/bit-packed hybrid: run header");
  data_ += pos;
  avail -= pos;
  uint64_t h = *header;
  if (h & 1) {
    uint64_t groups = h >> 1;
    if (groups > kMaxRunLength / 8) {
      return Status::Corruption("RLE/bit-packed hybrid: bit-packed run header " + std::to_string(groups) +
                                " groups overflows the maximum run length 2^31-1");
    }
    size_t bytes = static_cast<size_t>(groups) * static_cast<size_t>(bit_width_);
    if (bytes > avail) return Truncated("RLE/bit-packed hybrid", "bit-packed run", bytes, avail);
    rle_ = false;
    packed_ = data_;
    packed_index_ = 0;
    remaining_ = static_cast<size_t>(groups) * 8;
    data_ += bytes;
  } else {
    uint64_t count = h >> 1;
    if (count > kMaxRunLength) {
      return Status::Corruption("RLE/bit-packed hybrid: RLE run length " + std::to_string(count) +
                                " overflows the maximum run length 2^31-1");
    }
    size_t value_bytes = static_cast<size_t>(bit_width_ + 7) / 8;
    if (value_bytes > avail) return Truncated("RLE/bit-packed hybrid", "RLE run value", value_bytes, avail);
    uint32_t value = 0;
    for (size_t i = 0; i < value_bytes; ++i) value |= static_cast<uint32_t>(data_[i]) << (8 * i);
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      return Status::Corruption("RLE/bit-packed hybrid: RLE run value " + std::to_string(value) +
                                " does not fit bit width " + std::to_string(bit_width_));
    }
    data_ += value_bytes;
    rle_ = true;
    rle_value_ = value;
    remaining_ = static_cast<size_t>(count);
  }
  return Status::OK();
}

Status RleBitPackedDecoder::GetBatch(uint32_t* out, size_t n) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return Status::Corruption("RLE/bit-packed hybrid: bit width " + std::to_string(bit_width_) +
                              " outside [0, 32]");
  }
  const int w = bit_width_;
  size_t done = 0;
  while (done < n) {
    if (remaining_ == 0) {
      TANDEM_RETURN_IF_ERROR(NextRun());
      continue;
    }
    size_t take = std::min(remaining_, n - done);
    if (rle_) {
      std::fill_n(out + done, take, rle_value_);
    } else {
      size_t in_group = packed_index_ % 8;
      const uint8_t* group = packed_ + (packed_index_ / 8) * static_cast<size_t>(w);
      size_t avail = static_cast<size_t>(end_ - group);
      if (in_group != 0 || take < 8) {
        // Partial group: unpack all 8 (the run holds whole groups) and copy the ones asked for.
        uint32_t tmp[8];
        kUnpack32[w](group, avail, 1, tmp);
        take = std::min(take, 8 - in_group);
        std::copy_n(tmp + in_group, take, out + done);
      } else {
        size_t groups = take / 8;
        take = groups * 8;
        kUnpack32[w](group, avail, groups, out + done);
      }
      packed_index_ += take;
    }
    remaining_ -= take;
    done += take;
  }
  return Status::OK();
}

// ---- RLE / bit-packed hybrid encoder ----

RleBitPackedEncoder::RleBitPackedEncoder(int bit_width)
    : bit_width_(bit_width),
      mask_(bit_width >= 32  ? 0xffffffffu
            : bit_width <= 0 ? 0u
                             : (uint32_t{1} << bit_width) - 1) {
  assert(bit_width >= 0 && bit_width <= 32);
}

void RleBitPackedEncoder::Put(uint32_t value) {
  AddRun(value & mask_, 1);
}

void RleBitPackedEncoder::PutBatch(const uint32_t* values, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t v = values[i] & mask_;
    size_t j = i + 1;
    while (j < n && (values[j] & mask_) == v) ++j;
    AddRun(v, j - i);
    i = j;
  }
}

void RleBitPackedEncoder::AddRun(uint32_t value, size_t count) {
  while (count > 0) {
    if (repeat_count_ > 0 && value != repeat_value_) EndRepeat();
    repeat_value_ = value;
    size_t add = std::min<size_t>(count, kMaxRunLength - repeat_count_);
    repeat_count_ += add;
    count -= add;
    if (repeat_count_ == kMaxRunLength) EndRepeat();
  }
}

void RleBitPackedEncoder::EndRepeat() {
  if (repeat_count_ == 0) return;
  // A bit-packed run holds whole groups of 8, so literals before an RLE run must first be completed to a
  // multiple of 8 with values taken from the repeat.
  size_t need = (8 - literals_.size() % 8) % 8;
  if (repeat_count_ >= need + 8) {
    literals_.insert(literals_.end(), need, repeat_value_);
    repeat_count_ -= need;
    FlushLiterals(/*final=*/false);
    WriteUleb128(static_cast<uint64_t>(repeat_count_) << 1, &out_);
    int value_bytes = (bit_width_ + 7) / 8;
    for (int i = 0; i < value_bytes; ++i)
      out_.push_back(static_cast<char>((repeat_value_ >> (8 * i)) & 0xff));
  } else {
    if (repeat_count_ == 1) {
      literals_.push_back(repeat_value_);
    } else {
      literals_.insert(literals_.end(), repeat_count_, repeat_value_);
    }
    // Keep the buffer bounded: whole groups can always be written as a run of their own.
    if (literals_.size() >= 4096) FlushLiterals(/*final=*/false);
  }
  repeat_count_ = 0;
}

void RleBitPackedEncoder::FlushLiterals(bool final) {
  size_t count = final ? literals_.size() : literals_.size() / 8 * 8;
  if (count == 0) return;
  size_t groups = (count + 7) / 8;
  WriteUleb128((static_cast<uint64_t>(groups) << 1) | 1, &out_);
  size_t padded = groups * 8;
  if (padded > count) {
    // Pad the final group with zeros; only happens when final (count == size).
    literals_.resize(padded, 0);
  }
  PackValues(literals_.data(), padded, bit_width_, &out_);
  literals_.erase(literals_.begin(), literals_.begin() + static_cast<std::ptrdiff_t>(padded));
}

void RleBitPackedEncoder::Finish(std::string* out) {
  EndRepeat();
  FlushLiterals(/*final=*/true);
  out->append(out_);
  out_.clear();
  literals_.clear();
  repeat_count_ = 0;
}

// ---- PLAIN ----

Status DecodePlainBooleans(const uint8_t* data, size_t size, size_t n, uint8_t* out) {
  size_t need = n / 8 + (n % 8 != 0);
  if (need > size) return Truncated("PLAIN BOOLEAN", std::to_string(n) + " values", need, size);
  for (size_t i = 0; i < n; ++i) out[i] = (data[i / 8] >> (i % 8)) & 1;
  return Status::OK();
}

void EncodePlainBooleans(const uint8_t* values, size_t n, std::string* out) {
  for (size_t i = 0; i < n; i += 8) {
    uint8_t b = 0;
    for (size_t j = 0; j < 8 && i + j < n; ++j) b |= static_cast<uint8_t>((values[i + j] != 0) << j);
    out->push_back(static_cast<char>(b));
  }
}

Result<size_t> DecodePlainByteArrays(const uint8_t* data, size_t size, size_t n,
                                     std::vector<int64_t>* offsets, std::string* chars) {
  if (n > size / 4) {
    return Status::Corruption("PLAIN BYTE_ARRAY: " + std::to_string(n) + " values need at least " +
                              std::to_string(n) + "*4 bytes but only " + std::to_string(size) + " remain");
  }
  size_t old_offsets = offsets->size();
  size_t old_chars = chars->size();
  offsets->reserve(old_offsets + n);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    if (size - pos < 4) {
      offsets->resize(old_offsets);
      chars->resize(old_chars);
      return Truncated("PLAIN BYTE_ARRAY", "length of value", 4, size - pos);
    }
    uint32_t len;
    std::memcpy(&len, data + pos, 4);
    pos += 4;
    if (len > size - pos) {
      offsets->resize(old_offsets);
      chars->resize(old_chars);
      return Status::Corruption("PLAIN BYTE_ARRAY: value " + std::to_string(i) + " has length " +
                                std::to_string(len) + " but only " + std::to_string(size - pos) +
                                " bytes remain");
    }
    chars->append(reinterpret_cast<const char*>(data + pos), len);
    pos += len;
    offsets->push_back(static_cast<int64_t>(chars->size()));
  }
  return pos;
}

void EncodePlainByteArray(std::string_view value, std::string* out) {
  uint32_t len = static_cast<uint32_t>(value.size());
  char buf[4];
  std::memcpy(buf, &len, 4);
  out->append(buf, 4);
  out->append(value);
}

// ---- DELTA_BINARY_PACKED ----

namespace {

struct DeltaHeader {
  uint64_t block_size;
  uint64_t miniblocks;
  uint64_t total;
  int64_t first;
};

Result<DeltaHeader> ReadDeltaHeader(const uint8_t* data, size_t size, size_t* pos) {
  DeltaHeader h;
  TANDEM_ASSIGN_OR_RETURN(h.block_size, ReadUleb128(data, size, pos));
  TANDEM_ASSIGN_OR_RETURN(h.miniblocks, ReadUleb128(data, size, pos));
  TANDEM_ASSIGN_OR_RETURN(h.total, ReadUleb128(data, size, pos));
  TANDEM_ASSIGN_OR_RETURN(uint64_t first, ReadUleb128(data, size, pos));
  h.first = ZigZagDecode(first);
  if (h.block_size == 0 || h.block_size % 128 != 0 || h.block_size > kMaxDeltaBlockSize) {
    return Status::Corruption("DELTA_BINARY_PACKED: block size " + std::to_string(h.block_size) +
                              " is not a positive multiple of 128 up to 2^31");
  }
  if (h.miniblocks == 0 || h.block_size % h.miniblocks != 0 || (h.block_size / h.miniblocks) % 32 != 0) {
    return Status::Corruption("DELTA_BINARY_PACKED: " + std::to_string(h.miniblocks) +
                              " miniblocks per block of " + std::to_string(h.block_size) +
                              " values do not give a multiple of 32 values per miniblock");
  }
  if (h.total > kMaxRunLength) {
    return Status::Corruption("DELTA_BINARY_PACKED: total value count " + std::to_string(h.total) +
                              " exceeds 2^31-1");
  }
  return h;
}

// Unpacks `groups` groups of 8 miniblock values of width w (<= 64) into U, keeping the low bits.
template <typename U>
void UnpackMiniblock(int w, const uint8_t* in, size_t avail, size_t groups, U* out) {
  if (sizeof(U) == 8 || w <= 32) {
    UnpackGroupsDispatch<U>(w, in, avail, groups, out);
    return;
  }
  for (size_t g = 0; g < groups; ++g) {
    uint64_t wide[8];
    size_t skip = g * static_cast<size_t>(w);
    kUnpack64[w](in + skip, avail - skip, 1, wide);
    for (int k = 0; k < 8; ++k) out[g * 8 + k] = static_cast<U>(wide[k]);
  }
}

// T is int32_t or int64_t. Arithmetic is modulo 2^bits(T). INT32 streams are accepted with 64-bit min deltas
// and miniblock widths up to 64: writers that compute INT32 deltas in 64 bits (DuckDB does) emit them, and
// the values modulo 2^32 are the same.
template <typename T>
Result<size_t> DecodeDelta(const uint8_t* data, size_t size, size_t n, T* out) {
  using U = std::make_unsigned_t<T>;
  constexpr int kMaxWidth = 64;
  const char* kName = sizeof(T) == 4 ? "DELTA_BINARY_PACKED (INT32)" : "DELTA_BINARY_PACKED (INT64)";
  size_t pos = 0;
  Result<DeltaHeader> hr = ReadDeltaHeader(data, size, &pos);
  if (!hr.ok()) return hr.status().WithContext(kName);
  const DeltaHeader h = *hr;
  if (n > h.total) {
    return Status::Corruption(std::string(kName) + ": asked for " + std::to_string(n) +
                              " values but the header holds " + std::to_string(h.total));
  }
  if constexpr (sizeof(T) == 4) {
    if (h.first < INT32_MIN || h.first > INT32_MAX) {
      return Status::Corruption(std::string(kName) + ": first value " + std::to_string(h.first) +
                                " does not fit 32 bits");
    }
  }
  if (h.total == 0) return pos;
  if (n > 0) out[0] = static_cast<T>(h.first);
  U last = static_cast<U>(h.first);
  size_t produced = n > 0 ? 1 : 0;
  uint64_t remaining = h.total - 1;  // deltas still to read
  const size_t per_mini = static_cast<size_t>(h.block_size / h.miniblocks);
  const size_t mini_count = static_cast<size_t>(h.miniblocks);
  while (remaining > 0) {
    Result<uint64_t> md = ReadUleb128(data, size, &pos);
    if (!md.ok()) return md.status().WithContext(std::string(kName) + ": block min delta");
    const U min_u = static_cast<U>(ZigZagDecode(*md));
    if (mini_count > size - pos) return Truncated(kName, "miniblock bit widths", mini_count, size - pos);
    const uint8_t* widths = data + pos;
    pos += mini_count;
    for (size_t m = 0; m < mini_count && remaining > 0; ++m) {
      int w = widths[m];
      if (w > kMaxWidth) {
        return Status::Corruption(std::string(kName) + ": miniblock bit width " + std::to_string(w) +
                                  " exceeds " + std::to_string(kMaxWidth));
      }
      size_t bytes = per_mini / 8 * static_cast<size_t>(w);
      if (bytes > size - pos) return Truncated(kName, "miniblock", bytes, size - pos);
      size_t count = static_cast<size_t>(std::min<uint64_t>(per_mini, remaining));
      size_t want = std::min(count, n - produced);
      if (want > 0) {
        const uint8_t* mb = data + pos;
        U* dst = reinterpret_cast<U*>(out + produced);
        size_t full = want / 8;
        UnpackMiniblock<U>(w, mb, size - pos, full, dst);
        if (want % 8 != 0) {
          U tmp[8];
          size_t skip = full * static_cast<size_t>(w);
          UnpackMiniblock<U>(w, mb + skip, size - pos - skip, 1, tmp);
          std::copy_n(tmp, want % 8, dst + full * 8);
        }
        for (size_t i = 0; i < want; ++i) {
          last = static_cast<U>(last + min_u + dst[i]);
          dst[i] = last;
        }
        produced += want;
      }
      pos += bytes;
      remaining -= count;
    }
  }
  return pos;
}

template <typename T>
void EncodeDelta(const T* values, size_t n, std::string* out) {
  using U = std::make_unsigned_t<T>;
  constexpr size_t kBlock = 128;
  constexpr size_t kMinis = 4;
  constexpr size_t kPerMini = kBlock / kMinis;
  WriteUleb128(kBlock, out);
  WriteUleb128(kMinis, out);
  WriteUleb128(n, out);
  WriteUleb128(ZigZagEncode(n > 0 ? static_cast<int64_t>(values[0]) : 0), out);
  if (n <= 1) return;
  U deltas[kBlock];
  for (size_t start = 1; start < n; start += kBlock) {
    size_t count = std::min(kBlock, n - start);
    T min_delta = std::numeric_limits<T>::max();
    for (size_t i = 0; i < count; ++i) {
      U d = static_cast<U>(static_cast<U>(values[start + i]) - static_cast<U>(values[start + i - 1]));
      deltas[i] = d;
      min_delta = std::min(min_delta, static_cast<T>(d));
    }
    std::fill(deltas + count, deltas + kBlock, static_cast<U>(min_delta));  // padding packs to zero
    WriteUleb128(ZigZagEncode(static_cast<int64_t>(min_delta)), out);
    uint8_t widths[kMinis] = {};
    size_t minis_used = (count + kPerMini - 1) / kPerMini;
    for (size_t i = 0; i < kBlock; ++i) deltas[i] = static_cast<U>(deltas[i] - static_cast<U>(min_delta));
    for (size_t m = 0; m < minis_used; ++m) {
      U max = 0;
      for (size_t i = 0; i < kPerMini; ++i) max = std::max(max, deltas[m * kPerMini + i]);
      widths[m] = static_cast<uint8_t>(BitWidth(max));
    }
    out->append(reinterpret_cast<const char*>(widths), kMinis);
    for (size_t m = 0; m < minis_used; ++m) PackValues(deltas + m * kPerMini, kPerMini, widths[m], out);
  }
}

}  // namespace

Result<size_t> DecodeDeltaBinaryPacked32(const uint8_t* data, size_t size, size_t n, int32_t* out) {
  return DecodeDelta<int32_t>(data, size, n, out);
}

Result<size_t> DecodeDeltaBinaryPacked64(const uint8_t* data, size_t size, size_t n, int64_t* out) {
  return DecodeDelta<int64_t>(data, size, n, out);
}

Result<uint64_t> PeekDeltaBinaryPackedCount(const uint8_t* data, size_t size) {
  size_t pos = 0;
  Result<DeltaHeader> h = ReadDeltaHeader(data, size, &pos);
  if (!h.ok()) return h.status().WithContext("DELTA_BINARY_PACKED");
  return h->total;
}

void EncodeDeltaBinaryPacked32(const int32_t* values, size_t n, std::string* out) {
  EncodeDelta(values, n, out);
}
void EncodeDeltaBinaryPacked64(const int64_t* values, size_t n, std::string* out) {
  EncodeDelta(values, n, out);
}

// ---- DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY ----

namespace {

// Decodes n lengths (each >= 0) from a DELTA_BINARY_PACKED stream; returns bytes consumed and the sum.
Result<size_t> DecodeLengths(const char* encoding, const char* what, const uint8_t* data, size_t size,
                             size_t n, std::vector<int32_t>* lengths, uint64_t* sum) {
  lengths->resize(n);
  Result<size_t> consumed = DecodeDeltaBinaryPacked32(data, size, n, lengths->data());
  if (!consumed.ok()) return consumed.status().WithContext(std::string(encoding) + ": " + what);
  uint64_t s = 0;
  for (size_t i = 0; i < n; ++i) {
    int32_t len = (*lengths)[i];
    if (len < 0) {
      return Status::Corruption(std::string(encoding) + ": " + what + " of value " + std::to_string(i) +
                                " is " + std::to_string(len));
    }
    s += static_cast<uint64_t>(len);
  }
  *sum = s;
  return consumed;
}

}  // namespace

Result<size_t> DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t n,
                                          std::vector<int64_t>* offsets, std::string* chars) {
  constexpr const char* kName = "DELTA_LENGTH_BYTE_ARRAY";
  std::vector<int32_t> lengths;
  uint64_t sum = 0;
  TANDEM_ASSIGN_OR_RETURN(size_t pos, DecodeLengths(kName, "length", data, size, n, &lengths, &sum));
  if (sum > size - pos) return Truncated(kName, "value bytes", static_cast<size_t>(sum), size - pos);
  chars->append(reinterpret_cast<const char*>(data + pos), static_cast<size_t>(sum));
  int64_t end = static_cast<int64_t>(chars->size() - sum);
  offsets->reserve(offsets->size() + n);
  for (size_t i = 0; i < n; ++i) {
    end += lengths[i];
    offsets->push_back(end);
  }
  return pos + static_cast<size_t>(sum);
}

Result<size_t> DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t n, std::vector<int64_t>* offsets,
                                    std::string* chars) {
  constexpr const char* kName = "DELTA_BYTE_ARRAY";
  std::vector<int32_t> prefix;
  std::vector<int32_t> suffix;
  uint64_t prefix_sum = 0;
  uint64_t suffix_sum = 0;
  TANDEM_ASSIGN_OR_RETURN(size_t pos,
                          DecodeLengths(kName, "prefix length", data, size, n, &prefix, &prefix_sum));
  TANDEM_ASSIGN_OR_RETURN(size_t suffix_len_bytes, DecodeLengths(kName, "suffix length", data + pos,
                                                                 size - pos, n, &suffix, &suffix_sum));
  pos += suffix_len_bytes;
  if (suffix_sum > size - pos)
    return Truncated(kName, "suffix bytes", static_cast<size_t>(suffix_sum), size - pos);
  // Validate every prefix against the previous value before writing anything.
  uint64_t prev_len = 0;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<uint64_t>(prefix[i]) > prev_len) {
      return Status::Corruption(std::string(kName) + ": value " + std::to_string(i) + " has prefix length " +
                                std::to_string(prefix[i]) + " but the previous value has length " +
                                std::to_string(prev_len));
    }
    prev_len = static_cast<uint64_t>(prefix[i]) + static_cast<uint64_t>(suffix[i]);
  }
  uint64_t total = prefix_sum + suffix_sum;
  if (total > kMaxDeltaByteArrayOutput) {
    return Status::ResourceExhausted(std::string(kName) + ": decoded values would take " +
                                     std::to_string(total) + " bytes, more than the limit of " +
                                     std::to_string(kMaxDeltaByteArrayOutput));
  }
  chars->reserve(chars->size() + static_cast<size_t>(total));
  offsets->reserve(offsets->size() + n);
  const char* src = reinterpret_cast<const char*>(data + pos);
  size_t prev_start = chars->size();
  for (size_t i = 0; i < n; ++i) {
    size_t start = chars->size();
    // No reallocation after the reserve above, so the previous value stays in place.
    chars->append(chars->data() + prev_start, static_cast<size_t>(prefix[i]));
    chars->append(src, static_cast<size_t>(suffix[i]));
    src += suffix[i];
    offsets->push_back(static_cast<int64_t>(chars->size()));
    prev_start = start;
  }
  return pos + static_cast<size_t>(suffix_sum);
}

void EncodeDeltaLengthByteArray(const std::vector<std::string_view>& values, std::string* out) {
  std::vector<int32_t> lengths(values.size());
  for (size_t i = 0; i < values.size(); ++i) lengths[i] = static_cast<int32_t>(values[i].size());
  EncodeDeltaBinaryPacked32(lengths.data(), lengths.size(), out);
  for (std::string_view v : values) out->append(v);
}

void EncodeDeltaByteArray(const std::vector<std::string_view>& values, std::string* out) {
  std::vector<int32_t> prefix(values.size());
  std::vector<int32_t> suffix(values.size());
  std::string_view prev;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string_view v = values[i];
    size_t limit = std::min(prev.size(), v.size());
    size_t p = 0;
    while (p < limit && prev[p] == v[p]) ++p;
    prefix[i] = static_cast<int32_t>(p);
    suffix[i] = static_cast<int32_t>(v.size() - p);
    prev = v;
  }
  EncodeDeltaBinaryPacked32(prefix.data(), prefix.size(), out);
  EncodeDeltaBinaryPacked32(suffix.data(), suffix.size(), out);
  for (size_t i = 0; i < values.size(); ++i) out->append(values[i].substr(static_cast<size_t>(prefix[i])));
}

// ---- BYTE_STREAM_SPLIT ----

namespace {

template <int W>
void SplitDecode(const uint8_t* data, size_t stride, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < W; ++k) out[i * W + k] = data[k * stride + i];
  }
}

template <int W>
void SplitEncode(const uint8_t* values, size_t n, uint8_t* out) {
  for (int k = 0; k < W; ++k) {
    for (size_t i = 0; i < n; ++i) out[k * n + i] = values[i * W + k];
  }
}

}  // namespace

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t n, int width, uint8_t* out) {
  if (width <= 0)
    return Status::InvalidArgument("BYTE_STREAM_SPLIT: width " + std::to_string(width) + " is not positive");
  size_t w = static_cast<size_t>(width);
  if (size % w != 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(size) +
                              " bytes is not a multiple of width " + std::to_string(width));
  }
  size_t stride = size / w;  // values in the page: each stream is this long
  if (n > stride) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(n) + " values of width " +
                              std::to_string(width) + " need " + std::to_string(n) + "*" +
                              std::to_string(width) + " bytes but only " + std::to_string(size) +
                              " are present");
  }
  switch (width) {
    case 2: SplitDecode<2>(data, stride, n, out); break;
    case 4: SplitDecode<4>(data, stride, n, out); break;
    case 8: SplitDecode<8>(data, stride, n, out); break;
    default:
      for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < w; ++k) out[i * w + k] = data[k * stride + i];
      }
  }
  return Status::OK();
}

void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, std::string* out) {
  assert(width > 0);
  size_t w = static_cast<size_t>(width);
  size_t base = out->size();
  out->resize(base + n * w);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data() + base);
  switch (width) {
    case 2: SplitEncode<2>(values, n, dst); break;
    case 4: SplitEncode<4>(values, n, dst); break;
    case 8: SplitEncode<8>(values, n, dst); break;
    default:
      for (size_t k = 0; k < w; ++k) {
        for (size_t i = 0; i < n; ++i) dst[k * n + i] = values[i * w + k];
      }
  }
}

}  // namespace tandem::parquet
