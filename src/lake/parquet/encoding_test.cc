#include "lake/parquet/encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tandem::parquet {
namespace {

const std::vector<size_t> kLengths = {0, 1, 7, 8, 9, 127, 128, 129, 1000};

std::vector<uint8_t> Bytes(std::initializer_list<int> b) {
  std::vector<uint8_t> v;
  for (int x : b) v.push_back(static_cast<uint8_t>(x));
  return v;
}

std::vector<uint8_t> ToBytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// ---- ULEB128 / zigzag / BitWidth ----

TEST(Uleb128, RoundTripsBoundaries) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{16383}, uint64_t{16384},
                     uint64_t{1} << 35, uint64_t{1} << 63, std::numeric_limits<uint64_t>::max()}) {
    std::string s;
    WriteUleb128(v, &s);
    EXPECT_LE(s.size(), 10u);
    size_t pos = 0;
    auto r = ReadUleb128(reinterpret_cast<const uint8_t*>(s.data()), s.size(), &pos);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, v);
    EXPECT_EQ(pos, s.size());
  }
  std::string s;
  WriteUleb128(300, &s);
  EXPECT_EQ(s, std::string("\xac\x02", 2));
}

TEST(Uleb128, RejectsOverflowAndTruncation) {
  // 10th byte may only carry bit 63.
  auto over = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  size_t pos = 0;
  auto r = ReadUleb128(over.data(), over.size(), &pos);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(pos, 0u);
  auto eleven = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  pos = 0;
  EXPECT_EQ(ReadUleb128(eleven.data(), eleven.size(), &pos).status().code(), StatusCode::kCorruption);
  auto truncated = Bytes({0x80, 0x80});
  pos = 0;
  EXPECT_EQ(ReadUleb128(truncated.data(), truncated.size(), &pos).status().code(), StatusCode::kCorruption);
  pos = 0;
  EXPECT_EQ(ReadUleb128(nullptr, 0, &pos).status().code(), StatusCode::kCorruption);
}

TEST(ZigZag, Extremes) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::max()), std::numeric_limits<uint64_t>::max() - 1);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::min()), std::numeric_limits<uint64_t>::max());
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{12345}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
  }
}

TEST(BitWidth, Values) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(3), 2);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(0xffffffffu), 32);
  EXPECT_EQ(BitWidth(std::numeric_limits<uint64_t>::max()), 64);
}

// ---- RLE / bit-packed hybrid ----

enum class Dist { kConstant, kSmallRange, kFullRange, kExtremes, kRuns };
const Dist kDists[] = {Dist::kConstant, Dist::kSmallRange, Dist::kFullRange, Dist::kExtremes, Dist::kRuns};

std::vector<uint32_t> MakeLevels(Dist dist, size_t n, int width, std::mt19937_64& rng) {
  uint32_t mask = width == 32 ? 0xffffffffu : (uint32_t{1} << width) - 1;
  std::vector<uint32_t> v(n);
  uint32_t c = static_cast<uint32_t>(rng()) & mask;
  for (size_t i = 0; i < n; ++i) {
    switch (dist) {
      case Dist::kConstant: v[i] = c; break;
      case Dist::kSmallRange: v[i] = static_cast<uint32_t>(rng() % 3) & mask; break;
      case Dist::kFullRange: v[i] = static_cast<uint32_t>(rng()) & mask; break;
      case Dist::kExtremes: v[i] = (rng() & 1) ? mask : 0; break;
      case Dist::kRuns:
        // Runs of random length 1..20 mixed with random values.
        if (i == 0 || rng() % 6 == 0) c = static_cast<uint32_t>(rng()) & mask;
        v[i] = c;
        break;
    }
  }
  return v;
}

std::string EncodeLevels(const std::vector<uint32_t>& values, int width, bool one_by_one) {
  RleBitPackedEncoder enc(width);
  if (one_by_one) {
    for (uint32_t v : values) enc.Put(v);
  } else {
    enc.PutBatch(values.data(), values.size());
  }
  std::string out;
  enc.Finish(&out);
  return out;
}

TEST(RleBitPacked, SpecBitPackingExample) {
  // Encodings.md: 0..7 at bit width 3 pack to 10001000 11000110 11111010.
  auto data = Bytes({0x03, 0x88, 0xC6, 0xFA});
  RleBitPackedDecoder dec(data.data(), data.size(), 3);
  std::vector<uint32_t> out(8);
  ASSERT_TRUE(dec.GetBatch(out.data(), 8).ok());
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(ToBytes(EncodeLevels({0, 1, 2, 3, 4, 5, 6, 7}, 3, false)), data);
}

TEST(RleBitPacked, HandBuiltRleRuns) {
  struct Case {
    int width;
    std::vector<uint8_t> bytes;
    std::vector<uint32_t> want;
  };
  std::vector<Case> cases = {
      {3, Bytes({0x0A, 0x07}), {7, 7, 7, 7, 7}},
      {9, Bytes({0x06, 0x2C, 0x01}), {300, 300, 300}},
      {32, Bytes({0x04, 0xff, 0xff, 0xff, 0xff}), {0xffffffffu, 0xffffffffu}},
      {0, Bytes({0x10}), {0, 0, 0, 0, 0, 0, 0, 0}},
      // A zero-length RLE run is skipped; then 2 x 1.
      {1, Bytes({0x00, 0x00, 0x04, 0x01}), {1, 1}},
      // RLE run of 2 x 5, then one bit-packed group at width 4: 1..8.
      {4, Bytes({0x04, 0x05, 0x03, 0x21, 0x43, 0x65, 0x87}), {5, 5, 1, 2, 3, 4, 5, 6, 7, 8}},
  };
  for (const Case& c : cases) {
    RleBitPackedDecoder dec(c.bytes.data(), c.bytes.size(), c.width);
    std::vector<uint32_t> out(c.want.size());
    Status st = dec.GetBatch(out.data(), out.size());
    ASSERT_TRUE(st.ok()) << "width " << c.width << ": " << st.ToString();
    EXPECT_EQ(out, c.want) << "width " << c.width;
    // Asking for one more value than the data holds fails (except the bit-packed padding case).
  }
}

TEST(RleBitPacked, RoundTripEveryWidthAndDistribution) {
  std::mt19937_64 rng(42);
  const size_t kChunks[] = {1, 3, 5, 8, 13, 64};
  for (int width = 0; width <= 32; ++width) {
    for (Dist dist : kDists) {
      for (size_t n : kLengths) {
        std::vector<uint32_t> values = MakeLevels(dist, n, width, rng);
        bool one_by_one = (n + static_cast<size_t>(width)) % 2 == 0;
        std::string enc = EncodeLevels(values, width, one_by_one);
        std::vector<uint8_t> data = ToBytes(enc);  // exact-size heap buffer: ASan sees over-reads
        {
          RleBitPackedDecoder dec(data.data(), data.size(), width);
          std::vector<uint32_t> out(n);
          Status st = dec.GetBatch(out.data(), n);
          ASSERT_TRUE(st.ok()) << "width " << width << " n " << n << ": " << st.ToString();
          ASSERT_EQ(out, values) << "width " << width << " n " << n << " dist " << static_cast<int>(dist);
        }
        {
          // Same data decoded in uneven batches, crossing group and run boundaries.
          size_t chunk = kChunks[(n + static_cast<size_t>(width)) % std::size(kChunks)];
          RleBitPackedDecoder dec(data.data(), data.size(), width);
          std::vector<uint32_t> out(n);
          for (size_t done = 0; done < n; done += chunk) {
            size_t k = std::min(chunk, n - done);
            ASSERT_TRUE(dec.GetBatch(out.data() + done, k).ok()) << "width " << width << " n " << n;
          }
          ASSERT_EQ(out, values) << "chunked, width " << width << " n " << n;
        }
      }
    }
  }
}

TEST(RleBitPacked, LongRunsUseRle) {
  std::vector<uint32_t> values(1000, 5);
  // One RLE run: ULEB128(2000) is 2 bytes, the value 1 byte.
  EXPECT_EQ(EncodeLevels(values, 3, false).size(), 3u);
  EXPECT_EQ(EncodeLevels(values, 3, true).size(), 3u);
  // Three literals are completed to a group of 8 with five of the repeats, the other 995 are one RLE run.
  values.insert(values.begin(), {1, 2, 3});
  std::string enc = EncodeLevels(values, 3, false);
  EXPECT_EQ(enc.size(), 1u + 3u + 2u + 1u);
  // Values wider than 8 bits store the RLE value in ceil(width / 8) bytes.
  std::vector<uint32_t> wide(100, 0x123456);
  EXPECT_EQ(EncodeLevels(wide, 21, false), std::string("\xc8\x01\x56\x34\x12", 5));
}

TEST(RleBitPacked, DecoderReturnsOnlyValuesAskedFor) {
  // Three values pad to one group of 8; the decoder hands out exactly what is asked.
  std::vector<uint32_t> values = {17, 4, 31};
  std::vector<uint8_t> data = ToBytes(EncodeLevels(values, 5, false));
  ASSERT_EQ(data.size(), 1u + 5u);
  RleBitPackedDecoder dec(data.data(), data.size(), 5);
  std::vector<uint32_t> out(3, 99);
  ASSERT_TRUE(dec.GetBatch(out.data(), 3).ok());
  EXPECT_EQ(out, values);
  // The run holds 8 values (3 + padding); a 9th does not exist.
  RleBitPackedDecoder dec2(data.data(), data.size(), 5);
  std::vector<uint32_t> out9(9);
  EXPECT_EQ(dec2.GetBatch(out9.data(), 9).code(), StatusCode::kCorruption);
}

TEST(RleBitPacked, TruncatedAtEveryByteFails) {
  std::mt19937_64 rng(7);
  for (int width : {0, 1, 3, 8, 13, 17, 32}) {
    std::vector<uint32_t> values = MakeLevels(Dist::kRuns, 300, width, rng);
    values.resize(400, 1);  // ends with an RLE run
    std::string enc = EncodeLevels(values, width, false);
    for (size_t len = 0; len < enc.size(); ++len) {
      std::vector<uint8_t> prefix(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(len));
      RleBitPackedDecoder dec(prefix.data(), prefix.size(), width);
      std::vector<uint32_t> out(values.size());
      EXPECT_FALSE(dec.GetBatch(out.data(), out.size()).ok()) << "width " << width << " len " << len;
    }
  }
}

TEST(RleBitPacked, RejectsRunHeaderOverflow) {
  std::vector<uint32_t> out(4);
  std::string s;
  WriteUleb128(uint64_t{1} << 32, &s);  // RLE run of 2^31 values
  s.push_back(1);
  RleBitPackedDecoder dec(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 1);
  EXPECT_EQ(dec.GetBatch(out.data(), 4).code(), StatusCode::kCorruption);

  s.clear();
  WriteUleb128((uint64_t{1} << 29) | 1, &s);  // 2^28 groups = 2^31 values
  s.append(64, '\0');
  RleBitPackedDecoder dec2(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 0);
  EXPECT_EQ(dec2.GetBatch(out.data(), 4).code(), StatusCode::kCorruption);

  auto eleven = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01});
  RleBitPackedDecoder dec3(eleven.data(), eleven.size(), 1);
  EXPECT_EQ(dec3.GetBatch(out.data(), 4).code(), StatusCode::kCorruption);

  // A run of 2^31-1 at width 0 is valid; only what is asked for is produced.
  s.clear();
  WriteUleb128(((uint64_t{1} << 31) - 1) << 1, &s);
  RleBitPackedDecoder dec4(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 0);
  EXPECT_TRUE(dec4.GetBatch(out.data(), 4).ok());
}

TEST(RleBitPacked, RejectsRleValueWiderThanBitWidth) {
  std::vector<uint32_t> out(1);
  auto w3 = Bytes({0x02, 0x08});
  RleBitPackedDecoder d1(w3.data(), w3.size(), 3);
  Status st = d1.GetBatch(out.data(), 1);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("RLE"), std::string::npos) << st.message();
  auto w9 = Bytes({0x02, 0x00, 0x02});  // 512 needs 10 bits
  RleBitPackedDecoder d2(w9.data(), w9.size(), 9);
  EXPECT_EQ(d2.GetBatch(out.data(), 1).code(), StatusCode::kCorruption);
  auto w0 = Bytes({0x02});  // width 0: no value byte, value 0
  RleBitPackedDecoder d3(w0.data(), w0.size(), 0);
  ASSERT_TRUE(d3.GetBatch(out.data(), 1).ok());
  EXPECT_EQ(out[0], 0u);
}

TEST(RleBitPacked, RejectsRunPastEndAndBadWidth) {
  std::vector<uint32_t> out(8);
  auto packed = Bytes({0x03, 1, 2, 3});  // one group at width 8 needs 8 bytes
  RleBitPackedDecoder d1(packed.data(), packed.size(), 8);
  EXPECT_EQ(d1.GetBatch(out.data(), 1).code(), StatusCode::kCorruption);
  auto rle = Bytes({0x04, 0x01});  // value needs 2 bytes at width 16
  RleBitPackedDecoder d2(rle.data(), rle.size(), 16);
  EXPECT_EQ(d2.GetBatch(out.data(), 1).code(), StatusCode::kCorruption);
  auto ok = Bytes({0x04, 0x01});
  RleBitPackedDecoder d3(ok.data(), ok.size(), 33);
  EXPECT_FALSE(d3.GetBatch(out.data(), 1).ok());
  RleBitPackedDecoder d4(ok.data(), ok.size(), -1);
  EXPECT_FALSE(d4.GetBatch(out.data(), 1).ok());
  RleBitPackedDecoder d5(nullptr, 0, 1);
  EXPECT_TRUE(d5.GetBatch(out.data(), 0).ok());
  EXPECT_EQ(d5.GetBatch(out.data(), 1).code(), StatusCode::kCorruption);
}

TEST(RleBitPacked, EncoderIsReusableAfterFinish) {
  RleBitPackedEncoder enc(4);
  std::vector<uint32_t> a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  enc.PutBatch(a.data(), a.size());
  std::string first;
  enc.Finish(&first);
  std::vector<uint32_t> b(20, 3);
  enc.PutBatch(b.data(), b.size());
  std::string second;
  enc.Finish(&second);
  EXPECT_EQ(second, EncodeLevels(b, 4, false));
  std::string empty;
  enc.Finish(&empty);
  EXPECT_TRUE(empty.empty());
}

// ---- PLAIN ----

TEST(PlainBooleans, RoundTripAndTruncation) {
  std::mt19937_64 rng(3);
  for (size_t n : kLengths) {
    std::vector<uint8_t> values(n);
    for (auto& v : values) v = static_cast<uint8_t>(rng() % 3);  // 2 means true as well
    std::string enc;
    EncodePlainBooleans(values.data(), n, &enc);
    ASSERT_EQ(enc.size(), (n + 7) / 8);
    std::vector<uint8_t> data = ToBytes(enc);
    std::vector<uint8_t> out(n);
    ASSERT_TRUE(DecodePlainBooleans(data.data(), data.size(), n, out.data()).ok());
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], values[i] != 0 ? 1 : 0) << i;
    if (n > 0) {
      EXPECT_EQ(DecodePlainBooleans(data.data(), data.size() - 1, n, out.data()).code(),
                StatusCode::kCorruption);
    }
  }
  auto byte = Bytes({0b10100101});
  std::vector<uint8_t> out(8);
  ASSERT_TRUE(DecodePlainBooleans(byte.data(), 1, 8, out.data()).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 0, 1, 0, 0, 1, 0, 1}));
}

std::vector<std::string> RandomStrings(size_t n, std::mt19937_64& rng, bool shared_prefixes) {
  std::vector<std::string> v(n);
  for (auto& s : v) {
    size_t len = rng() % 4 == 0 ? 0 : rng() % 40;
    for (size_t i = 0; i < len; ++i)
      s.push_back(static_cast<char>(shared_prefixes ? 'a' + rng() % 3 : rng()));
  }
  if (shared_prefixes) std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> Split(const std::vector<int64_t>& offsets, const std::string& chars, size_t from) {
  std::vector<std::string> out;
  int64_t start = from == 0 ? 0 : offsets[from - 1];
  for (size_t i = from; i < offsets.size(); ++i) {
    out.push_back(chars.substr(static_cast<size_t>(start), static_cast<size_t>(offsets[i] - start)));
    start = offsets[i];
  }
  return out;
}

TEST(PlainByteArrays, RoundTripAppends) {
  std::mt19937_64 rng(5);
  for (size_t n : kLengths) {
    std::vector<std::string> values = RandomStrings(n, rng, false);
    std::string enc;
    for (const auto& v : values) EncodePlainByteArray(v, &enc);
    enc += "trailing";
    std::vector<uint8_t> data = ToBytes(enc);
    std::vector<int64_t> offsets = {3};
    std::string chars = "pre";
    auto r = DecodePlainByteArrays(data.data(), data.size(), n, &offsets, &chars);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, enc.size() - 8);
    ASSERT_EQ(offsets.size(), n + 1);
    EXPECT_EQ(chars.substr(0, 3), "pre");
    EXPECT_EQ(Split(offsets, chars, 1), values);
  }
}

TEST(PlainByteArrays, LengthPastEndIsCorruption) {
  std::string enc;
  EncodePlainByteArray("hello", &enc);
  EncodePlainByteArray("world", &enc);
  for (size_t len = 0; len < enc.size(); ++len) {
    std::vector<uint8_t> prefix(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(len));
    std::vector<int64_t> offsets;
    std::string chars;
    auto r = DecodePlainByteArrays(prefix.data(), prefix.size(), 2, &offsets, &chars);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << len;
    EXPECT_TRUE(offsets.empty());  // nothing half-appended
    EXPECT_TRUE(chars.empty());
  }
  auto huge = Bytes({0xff, 0xff, 0xff, 0x7f, 'a'});
  std::vector<int64_t> offsets;
  std::string chars;
  EXPECT_EQ(DecodePlainByteArrays(huge.data(), huge.size(), 1, &offsets, &chars).status().code(),
            StatusCode::kCorruption);
}

// ---- DELTA_BINARY_PACKED ----

// Independent test-side encoder with any block layout; writes `junk` into the bit widths of unused
// miniblocks and into padding bits, which readers must accept.
template <typename T>
std::string EncodeDeltaLayout(const std::vector<T>& values, uint64_t block, uint64_t minis, bool junk) {
  using U = std::make_unsigned_t<T>;
  std::string out;
  WriteUleb128(block, &out);
  WriteUleb128(minis, &out);
  WriteUleb128(values.size(), &out);
  WriteUleb128(ZigZagEncode(values.empty() ? 0 : values[0]), &out);
  size_t per_mini = block / minis;
  for (size_t start = 1; start < values.size(); start += block) {
    size_t count = std::min<size_t>(block, values.size() - start);
    std::vector<U> deltas(count);
    T min = std::numeric_limits<T>::max();
    for (size_t i = 0; i < count; ++i) {
      deltas[i] = static_cast<U>(static_cast<U>(values[start + i]) - static_cast<U>(values[start + i - 1]));
      min = std::min(min, static_cast<T>(deltas[i]));
    }
    WriteUleb128(ZigZagEncode(min), &out);
    size_t used = (count + per_mini - 1) / per_mini;
    std::vector<int> widths(minis, junk ? 0xAB : 0);
    for (size_t m = 0; m < used; ++m) {
      U max = 0;
      for (size_t i = m * per_mini; i < std::min(count, (m + 1) * per_mini); ++i) {
        max = std::max<U>(max, static_cast<U>(deltas[i] - static_cast<U>(min)));
      }
      widths[m] = BitWidth(max);
    }
    for (int w : widths) out.push_back(static_cast<char>(w));
    for (size_t m = 0; m < used; ++m) {
      // Bit by bit, LSB first.
      std::vector<uint8_t> bytes(per_mini * static_cast<size_t>(widths[m]) / 8, 0);
      for (size_t i = 0; i < per_mini; ++i) {
        size_t idx = m * per_mini + i;
        U rel = idx < count ? static_cast<U>(deltas[idx] - static_cast<U>(min))
                            : (junk ? static_cast<U>(~U{0}) : 0);
        for (int b = 0; b < widths[m]; ++b) {
          size_t bit = i * static_cast<size_t>(widths[m]) + static_cast<size_t>(b);
          if ((rel >> b) & 1) bytes[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
        }
      }
      out.append(bytes.begin(), bytes.end());
    }
  }
  return out;
}

template <typename T>
std::vector<T> MakeInts(Dist dist, size_t n, std::mt19937_64& rng) {
  std::vector<T> v(n);
  T c = static_cast<T>(rng());
  for (size_t i = 0; i < n; ++i) {
    switch (dist) {
      case Dist::kConstant: v[i] = c; break;
      case Dist::kSmallRange: v[i] = static_cast<T>(1000 + static_cast<int>(rng() % 7)); break;
      case Dist::kFullRange: v[i] = static_cast<T>(rng()); break;
      case Dist::kExtremes:
        v[i] = (rng() & 1) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
        break;
      case Dist::kRuns: v[i] = static_cast<T>(i * 3 + rng() % 2); break;  // increasing
    }
  }
  return v;
}

template <typename T>
Result<size_t> DecodeDelta(const std::vector<uint8_t>& d, size_t n, T* out) {
  if constexpr (sizeof(T) == 4) {
    return DecodeDeltaBinaryPacked32(d.data(), d.size(), n, out);
  } else {
    return DecodeDeltaBinaryPacked64(d.data(), d.size(), n, out);
  }
}

template <typename T>
std::string EncodeDelta(const std::vector<T>& v) {
  std::string s;
  if constexpr (sizeof(T) == 4) {
    EncodeDeltaBinaryPacked32(v.data(), v.size(), &s);
  } else {
    EncodeDeltaBinaryPacked64(v.data(), v.size(), &s);
  }
  return s;
}

TEST(DeltaBinaryPacked, SpecExample1) {
  // Encodings.md example 1 (1..5) with a valid block size: 128 values, 4 miniblocks.
  auto want = Bytes({0x80, 0x01, 0x04, 0x05, 0x02,  // header: block 128, 4 minis, 5 values, first 1
                     0x02, 0, 0, 0, 0});            // min delta 1, all widths 0, no data
  std::vector<int32_t> values = {1, 2, 3, 4, 5};
  EXPECT_EQ(ToBytes(EncodeDelta(values)), want);
  std::vector<int32_t> out(5);
  auto r = DecodeDeltaBinaryPacked32(want.data(), want.size(), 5, out.data());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, want.size());
  EXPECT_EQ(out, values);
}

TEST(DeltaBinaryPacked, SpecExample2) {
  // Example 2 (7,5,3,1,2,3,4,5): min delta -2, relative deltas 0,0,0,3,3,3,3 at bit width 2; the miniblock
  // holds 32 values (8 bytes), padded with zeros.
  auto want = Bytes({0x80, 0x01, 0x04, 0x08, 0x0E,  // header: first value 7
                     0x03, 2, 0, 0, 0,              // min delta -2, widths
                     0xC0, 0x3F, 0, 0, 0, 0, 0, 0});
  std::vector<int64_t> values = {7, 5, 3, 1, 2, 3, 4, 5};
  EXPECT_EQ(ToBytes(EncodeDelta(values)), want);
  std::vector<int64_t> out(8);
  auto r = DecodeDeltaBinaryPacked64(want.data(), want.size(), 8, out.data());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, want.size());
  EXPECT_EQ(out, values);
}

TEST(DeltaBinaryPacked, SpecLiteralBlockSizeEightIsRejected) {
  // The spec's examples use block size 8 "to keep the examples short" and say it is invalid.
  auto spec = Bytes({0x08, 0x01, 0x05, 0x02, 0x02, 0x00});
  std::vector<int32_t> out(5);
  auto r = DecodeDeltaBinaryPacked32(spec.data(), spec.size(), 5, out.data());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("block size"), std::string::npos) << r.status().message();
}

template <typename T>
void RoundTripAll() {
  std::mt19937_64 rng(sizeof(T));
  for (Dist dist : kDists) {
    for (size_t n : kLengths) {
      std::vector<T> values = MakeInts<T>(dist, n, rng);
      std::string enc = EncodeDelta(values);
      std::vector<uint8_t> data = ToBytes(enc);
      std::vector<T> out(n);
      auto r = DecodeDelta<T>(data, n, out.data());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, data.size()) << "n " << n;
      ASSERT_EQ(out, values) << "n " << n << " dist " << static_cast<int>(dist);
      // Fewer values than the header holds: same bytes consumed; trailing bytes are not consumed.
      std::vector<uint8_t> longer = data;
      longer.insert(longer.end(), {0xde, 0xad, 0xbe, 0xef});
      std::vector<T> half(n / 2);
      auto r2 = DecodeDelta<T>(longer, n / 2, half.data());
      ASSERT_TRUE(r2.ok()) << r2.status().ToString();
      EXPECT_EQ(*r2, data.size());
      EXPECT_TRUE(std::equal(half.begin(), half.end(), values.begin()));
      // Other layouts, with junk in unused widths and padding bits.
      for (auto [block, minis] : {std::pair<uint64_t, uint64_t>{128, 1}, {256, 8}, {1024, 4}, {128, 4}}) {
        for (bool junk : {false, true}) {
          std::vector<uint8_t> other = ToBytes(EncodeDeltaLayout(values, block, minis, junk));
          std::vector<T> out2(n);
          auto r3 = DecodeDelta<T>(other, n, out2.data());
          ASSERT_TRUE(r3.ok()) << r3.status().ToString() << " block " << block << " minis " << minis;
          EXPECT_EQ(*r3, other.size());
          ASSERT_EQ(out2, values) << "block " << block << " minis " << minis << " junk " << junk;
          if (block == 128 && minis == 4 && !junk) {
            EXPECT_EQ(other, data);
          }
        }
      }
    }
  }
}

TEST(DeltaBinaryPacked, RoundTrip32) {
  RoundTripAll<int32_t>();
}
TEST(DeltaBinaryPacked, RoundTrip64) {
  RoundTripAll<int64_t>();
}

template <typename T>
void EveryMiniblockWidth() {
  using U = std::make_unsigned_t<T>;
  constexpr int kBits = sizeof(T) * 8;
  std::mt19937_64 rng(19);
  for (int w = 0; w < kBits; ++w) {
    // Deltas in [0, 2^w) with both ends present, so every miniblock packs at exactly width w.
    U max_delta = static_cast<U>((U{1} << w) - 1);
    std::vector<T> values(300);
    U acc = static_cast<U>(rng());
    for (size_t i = 0; i < values.size(); ++i) {
      U d = i % 32 == 1 ? 0 : i % 32 == 2 ? max_delta : static_cast<U>(rng() & max_delta);
      acc = static_cast<U>(acc + d);
      values[i] = static_cast<T>(acc);
    }
    std::vector<uint8_t> data = ToBytes(EncodeDelta(values));
    size_t pos = 0;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(ReadUleb128(data.data(), data.size(), &pos).ok());
    ASSERT_EQ(static_cast<int>(data[pos]), w);
    std::vector<T> out(values.size());
    for (size_t n : {values.size(), size_t{45}}) {  // 45: a partial group inside the second miniblock
      auto r = DecodeDelta<T>(data, n, out.data());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, data.size());
      ASSERT_TRUE(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), values.begin()))
          << "width " << w << " n " << n;
    }
  }
}

TEST(DeltaBinaryPacked, EveryMiniblockWidth32) {
  EveryMiniblockWidth<int32_t>();
}
TEST(DeltaBinaryPacked, EveryMiniblockWidth64) {
  EveryMiniblockWidth<int64_t>();
}

TEST(DeltaBinaryPacked, ExtremesWrapAround) {
  std::vector<int64_t> v64 = {std::numeric_limits<int64_t>::min(),
                              std::numeric_limits<int64_t>::max(),
                              std::numeric_limits<int64_t>::min(),
                              0,
                              -1,
                              std::numeric_limits<int64_t>::max()};
  std::vector<uint8_t> d64 = ToBytes(EncodeDelta(v64));
  std::vector<int64_t> o64(v64.size());
  ASSERT_TRUE(DecodeDelta<int64_t>(d64, v64.size(), o64.data()).ok());
  EXPECT_EQ(o64, v64);
  std::vector<int32_t> v32 = {INT32_MIN, INT32_MAX, INT32_MIN, 0, -1, INT32_MAX, INT32_MAX};
  std::vector<uint8_t> d32 = ToBytes(EncodeDelta(v32));
  size_t pos = 0;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(ReadUleb128(d32.data(), d32.size(), &pos).ok());  // header, min delta
  EXPECT_EQ(static_cast<int>(d32[pos]), 32);  // deltas wrap in 32 bits, so the width stays at 32
  std::vector<int32_t> o32(v32.size());
  ASSERT_TRUE(DecodeDelta<int32_t>(d32, v32.size(), o32.data()).ok());
  EXPECT_EQ(o32, v32);
}

TEST(DeltaBinaryPacked, TruncatedAtEveryByteFails) {
  std::mt19937_64 rng(11);
  std::vector<int64_t> values = MakeInts<int64_t>(Dist::kFullRange, 300, rng);
  std::vector<int64_t> small = MakeInts<int64_t>(Dist::kConstant, 200, rng);  // zero-width miniblocks
  for (const auto& v : {values, small}) {
    std::string enc = EncodeDelta(v);
    for (size_t len = 0; len < enc.size(); ++len) {
      std::vector<uint8_t> prefix(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(len));
      std::vector<int64_t> out(v.size());
      EXPECT_FALSE(DecodeDelta<int64_t>(prefix, v.size(), out.data()).ok()) << len;
      std::vector<int64_t> none;
      EXPECT_FALSE(DecodeDelta<int64_t>(prefix, 0, none.data()).ok()) << len;
    }
  }
}

std::vector<uint8_t> DeltaHeader(uint64_t block, uint64_t minis, uint64_t total, int64_t first) {
  std::string s;
  WriteUleb128(block, &s);
  WriteUleb128(minis, &s);
  WriteUleb128(total, &s);
  WriteUleb128(ZigZagEncode(first), &s);
  return ToBytes(s);
}

TEST(DeltaBinaryPacked, AbsurdHeadersAreCorruption) {
  std::vector<int64_t> out(4);
  std::vector<int32_t> out32(4);
  auto expect_corrupt = [&](std::vector<uint8_t> d, size_t n, const char* what) {
    d.resize(d.size() + 64, 0);  // plenty of zero bytes after the header
    EXPECT_EQ(DecodeDelta<int64_t>(d, n, out.data()).status().code(), StatusCode::kCorruption) << what;
    EXPECT_EQ(DecodeDelta<int32_t>(d, n, out32.data()).status().code(), StatusCode::kCorruption) << what;
  };
  expect_corrupt(DeltaHeader(128, 4, uint64_t{1} << 40, 0), 2, "total count 2^40");
  std::vector<uint8_t> huge = DeltaHeader(128, 4, uint64_t{1} << 40, 0);
  EXPECT_EQ(PeekDeltaBinaryPackedCount(huge.data(), huge.size()).status().code(), StatusCode::kCorruption);
  expect_corrupt(DeltaHeader(0, 4, 4, 0), 2, "block size 0");
  expect_corrupt(DeltaHeader(100, 4, 4, 0), 2, "block size 100");
  expect_corrupt(DeltaHeader(uint64_t{1} << 40, 4, 4, 0), 2, "block size 2^40");
  expect_corrupt(DeltaHeader(128, 0, 4, 0), 2, "0 miniblocks");
  expect_corrupt(DeltaHeader(128, 3, 4, 0), 2, "3 miniblocks");
  expect_corrupt(DeltaHeader(128, 8, 4, 0), 2, "16 values per miniblock");
  expect_corrupt(DeltaHeader(128, 4, 4, 0), 5, "more values asked than present");
  // Bit width 200 in the first miniblock.
  std::vector<uint8_t> w200 = DeltaHeader(128, 4, 4, 0);
  w200.insert(w200.end(), {0x00, 200, 0, 0, 0});
  expect_corrupt(w200, 4, "bit width 200");
  // Width 65 is too wide for both.
  std::vector<uint8_t> w65 = DeltaHeader(128, 4, 4, 0);
  w65.insert(w65.end(), {0x00, 65, 0, 0, 0});
  expect_corrupt(w65, 4, "bit width 65");
  // Unused miniblocks may carry any width: only the first of four is needed for 3 deltas.
  std::vector<uint8_t> junk = DeltaHeader(128, 4, 4, 10);
  junk.insert(junk.end(), {0x02, 0, 255, 255, 255});
  EXPECT_TRUE(DecodeDelta<int64_t>(junk, 4, out.data()).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{10, 11, 12, 13}));
  // The first value must fit 32 bits for INT32.
  std::vector<uint8_t> first = DeltaHeader(128, 4, 1, int64_t{1} << 40);
  EXPECT_TRUE(DecodeDelta<int64_t>(first, 1, out.data()).ok());
  EXPECT_EQ(DecodeDelta<int32_t>(first, 1, out32.data()).status().code(), StatusCode::kCorruption);
}

TEST(DeltaBinaryPacked, Int32AcceptsDeltasComputedIn64Bits) {
  // Writers that compute INT32 deltas in 64 bits (DuckDB) produce min deltas beyond 32 bits and miniblock
  // widths up to 33; modulo 2^32 the values are the same.
  std::mt19937_64 rng(23);
  for (size_t n : kLengths) {
    std::vector<int32_t> v32 = MakeInts<int32_t>(n % 2 ? Dist::kExtremes : Dist::kFullRange, n, rng);
    std::vector<int64_t> v64(v32.begin(), v32.end());
    std::vector<uint8_t> data = ToBytes(EncodeDelta(v64));
    if (n > 8) {
      size_t pos = 0;
      for (int i = 0; i < 5; ++i) ASSERT_TRUE(ReadUleb128(data.data(), data.size(), &pos).ok());
      EXPECT_EQ(static_cast<int>(data[pos]), 33) << n;
    }
    std::vector<int32_t> out(n);
    auto r = DecodeDelta<int32_t>(data, n, out.data());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, data.size());
    EXPECT_EQ(out, v32) << n;
  }
}

TEST(DeltaBinaryPacked, PeekCount) {
  std::vector<int32_t> values(77, 4);
  std::vector<uint8_t> d = ToBytes(EncodeDelta(values));
  auto r = PeekDeltaBinaryPackedCount(d.data(), d.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 77u);
  EXPECT_FALSE(PeekDeltaBinaryPackedCount(d.data(), 2).ok());
}

// ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY ----

std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return std::vector<std::string_view>(v.begin(), v.end());
}

TEST(DeltaLengthByteArray, SpecExample) {
  std::vector<std::string> values = {"Hello", "World", "Foobar", "ABCDEF"};
  std::string enc;
  EncodeDeltaLengthByteArray(Views(values), &enc);
  std::string want = EncodeDelta(std::vector<int32_t>{5, 5, 6, 6}) + "HelloWorldFoobarABCDEF";
  EXPECT_EQ(enc, want);
  std::vector<uint8_t> data = ToBytes(enc);
  std::vector<int64_t> offsets;
  std::string chars;
  auto r = DecodeDeltaLengthByteArray(data.data(), data.size(), 4, &offsets, &chars);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, data.size());
  EXPECT_EQ(offsets, (std::vector<int64_t>{5, 10, 16, 22}));
  EXPECT_EQ(chars, "HelloWorldFoobarABCDEF");
}

TEST(DeltaByteArray, SpecExample) {
  std::vector<std::string> values = {"axis", "axle", "babble", "babyhood"};
  std::string enc;
  EncodeDeltaByteArray(Views(values), &enc);
  std::string want = EncodeDelta(std::vector<int32_t>{0, 2, 0, 3}) +
                     EncodeDelta(std::vector<int32_t>{4, 2, 6, 5}) + "axislebabbleyhood";
  EXPECT_EQ(enc, want);
  std::vector<uint8_t> data = ToBytes(enc);
  std::vector<int64_t> offsets;
  std::string chars;
  auto r = DecodeDeltaByteArray(data.data(), data.size(), 4, &offsets, &chars);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, data.size());
  EXPECT_EQ(Split(offsets, chars, 0), values);
}

TEST(DeltaByteArrays, RoundTripAppendsAndTruncation) {
  std::mt19937_64 rng(13);
  for (bool front : {false, true}) {
    for (size_t n : kLengths) {
      std::vector<std::string> values = RandomStrings(n, rng, true);
      std::string enc;
      if (front) {
        EncodeDeltaByteArray(Views(values), &enc);
      } else {
        EncodeDeltaLengthByteArray(Views(values), &enc);
      }
      std::vector<uint8_t> data = ToBytes(enc + "tail");
      std::vector<int64_t> offsets = {2};
      std::string chars = "xy";
      auto r = front ? DecodeDeltaByteArray(data.data(), data.size(), n, &offsets, &chars)
                     : DecodeDeltaLengthByteArray(data.data(), data.size(), n, &offsets, &chars);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, enc.size());
      EXPECT_EQ(chars.substr(0, 2), "xy");
      ASSERT_EQ(Split(offsets, chars, 1), values) << "front " << front << " n " << n;
      if (n > 200) continue;  // truncation is quadratic; the short cases cover every kind of byte
      for (size_t len = 0; len < enc.size(); ++len) {
        std::vector<uint8_t> prefix(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(len));
        std::vector<int64_t> o;
        std::string c;
        auto t = front ? DecodeDeltaByteArray(prefix.data(), prefix.size(), n, &o, &c)
                       : DecodeDeltaLengthByteArray(prefix.data(), prefix.size(), n, &o, &c);
        EXPECT_FALSE(t.ok()) << "front " << front << " n " << n << " len " << len;
      }
    }
  }
}

TEST(DeltaByteArrays, BadLengthsAreCorruption) {
  std::vector<int64_t> offsets;
  std::string chars;
  auto run = [&](const std::string& enc, bool front) {
    std::vector<uint8_t> d = ToBytes(enc);
    offsets.clear();
    chars.clear();
    auto r = front ? DecodeDeltaByteArray(d.data(), d.size(), 2, &offsets, &chars)
                   : DecodeDeltaLengthByteArray(d.data(), d.size(), 2, &offsets, &chars);
    return r.status();
  };
  // Negative length.
  Status st = run(EncodeDelta(std::vector<int32_t>{3, -1}) + "abc", false);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("DELTA_LENGTH_BYTE_ARRAY"), std::string::npos) << st.message();
  // Lengths past the end of the data.
  EXPECT_EQ(run(EncodeDelta(std::vector<int32_t>{3, 4}) + "abcdef", false).code(), StatusCode::kCorruption);
  // Prefix longer than the previous value.
  std::string suffixes = EncodeDelta(std::vector<int32_t>{2, 1});
  EXPECT_EQ(run(EncodeDelta(std::vector<int32_t>{0, 3}) + suffixes + "abc", true).code(),
            StatusCode::kCorruption);
  // First value with a prefix.
  EXPECT_EQ(run(EncodeDelta(std::vector<int32_t>{1, 0}) + suffixes + "abc", true).code(),
            StatusCode::kCorruption);
  // Negative prefix and negative suffix length.
  EXPECT_EQ(run(EncodeDelta(std::vector<int32_t>{0, -1}) + suffixes + "abc", true).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(
      run(EncodeDelta(std::vector<int32_t>{0, 0}) + EncodeDelta(std::vector<int32_t>{4, -1}) + "abc", true)
          .code(),
      StatusCode::kCorruption);
  EXPECT_TRUE(offsets.empty());
  EXPECT_TRUE(chars.empty());
  // The valid version of the same: "ab", "abc".
  ASSERT_TRUE(run(EncodeDelta(std::vector<int32_t>{0, 2}) + suffixes + "abc", true).ok());
  EXPECT_EQ(chars, "ababc");
}

// ---- BYTE_STREAM_SPLIT ----

TEST(ByteStreamSplit, SpecExample) {
  auto values = Bytes({0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6});
  auto want = Bytes({0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6});
  std::string enc;
  EncodeByteStreamSplit(values.data(), 3, 4, &enc);
  EXPECT_EQ(ToBytes(enc), want);
  std::vector<uint8_t> out(12);
  ASSERT_TRUE(DecodeByteStreamSplit(want.data(), want.size(), 3, 4, out.data()).ok());
  EXPECT_EQ(out, values);
}

TEST(ByteStreamSplit, RoundTripAnyWidth) {
  std::mt19937_64 rng(17);
  for (int width : {1, 2, 3, 4, 5, 8, 12, 16}) {
    for (size_t n : kLengths) {
      std::vector<uint8_t> values(n * static_cast<size_t>(width));
      for (auto& b : values) b = static_cast<uint8_t>(rng());
      std::string enc;
      EncodeByteStreamSplit(values.data(), n, width, &enc);
      ASSERT_EQ(enc.size(), values.size());
      std::vector<uint8_t> data = ToBytes(enc);
      std::vector<uint8_t> out(values.size());
      ASSERT_TRUE(DecodeByteStreamSplit(data.data(), data.size(), n, width, out.data()).ok());
      EXPECT_EQ(out, values) << "width " << width << " n " << n;
      if (n > 1) {
        // Fewer values than the page holds: streams are still page-length apart.
        std::vector<uint8_t> part((n - 1) * static_cast<size_t>(width));
        ASSERT_TRUE(DecodeByteStreamSplit(data.data(), data.size(), n - 1, width, part.data()).ok());
        EXPECT_TRUE(std::equal(part.begin(), part.end(), values.begin()));
        EXPECT_EQ(DecodeByteStreamSplit(data.data(), data.size(), n + 1, width, out.data()).code(),
                  StatusCode::kCorruption);
      }
      if (width > 1 && n > 0) {
        EXPECT_EQ(DecodeByteStreamSplit(data.data(), data.size() - 1, n, width, out.data()).code(),
                  StatusCode::kCorruption);
      }
    }
  }
  uint8_t b = 0;
  EXPECT_EQ(DecodeByteStreamSplit(&b, 1, 1, 0, &b).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tandem::parquet
