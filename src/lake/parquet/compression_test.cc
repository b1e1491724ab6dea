#include "lake/parquet/compression.h"

#include <gtest/gtest.h>
#include <lz4.h>

#include <random>
#include <string>
#include <vector>

namespace tandem::parquet {
namespace {

std::string SampleData(size_t n) {
  std::mt19937 rng(3);
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % 7 == 0 ? rng() : 'a' + (i % 13)));
  return s;
}

const uint8_t* U8(const std::string& s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

class CodecTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(CodecTest, RoundTripsManySizes) {
  auto codec = BlockCodec::Make(GetParam(), 3);
  ASSERT_TRUE(codec.ok()) << codec.status().ToString();
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{65536}, size_t{1} << 20}) {
    const std::string in = SampleData(n);
    std::string c;
    ASSERT_TRUE((*codec)->Compress(in, &c).ok());
    std::vector<uint8_t> out(n + 1);
    Status st = (*codec)->Decompress(U8(c), c.size(), out.data(), n);
    ASSERT_TRUE(st.ok()) << n << ": " << st.ToString();
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out.data()), n), in);
  }
}

TEST_P(CodecTest, RefusesWrongExpectedSize) {
  auto codec = BlockCodec::Make(GetParam(), 3);
  ASSERT_TRUE(codec.ok());
  const std::string in = SampleData(5000);
  std::string c;
  ASSERT_TRUE((*codec)->Compress(in, &c).ok());
  std::vector<uint8_t> out(6000);
  for (size_t want : {size_t{4999}, size_t{5001}, size_t{0}}) {
    Status st = (*codec)->Decompress(U8(c), c.size(), out.data(), want);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "expected size " << want;
  }
}

TEST_P(CodecTest, DamagedInputIsAnErrorNotACrash) {
  auto codec = BlockCodec::Make(GetParam(), 3);
  ASSERT_TRUE(codec.ok());
  const std::string in = SampleData(3000);
  std::string c;
  ASSERT_TRUE((*codec)->Compress(in, &c).ok());
  std::vector<uint8_t> out(3000);
  // Truncations must fail for every codec (the output would be short).
  for (size_t len = 0; len < c.size(); len += 1 + c.size() / 50) {
    EXPECT_FALSE((*codec)->Decompress(U8(c), len, out.data(), out.size()).ok()) << "truncated to " << len;
  }
  // Flipped bytes may decode to other bytes of the same size, but never crash or overrun.
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    std::string d = c;
    d[rng() % d.size()] ^= static_cast<char>(1 + rng() % 255);
    (void)(*codec)->Decompress(U8(d), d.size(), out.data(), out.size());
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                           CompressionCodec::kGzip, CompressionCodec::kZstd,
                                           CompressionCodec::kLz4Raw),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(CompressionTest, GzipWritesGzipFraming) {
  auto codec = BlockCodec::Make(CompressionCodec::kGzip);
  ASSERT_TRUE(codec.ok());
  std::string c;
  ASSERT_TRUE((*codec)->Compress("hello hello hello", &c).ok());
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(c[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(c[1]), 0x8b);
}

TEST(CompressionTest, HadoopLz4FramedAndRawBlocksDecode) {
  const std::string a = SampleData(1000), b = SampleData(500);
  auto block = [](const std::string& s) {
    std::string out(LZ4_compressBound(static_cast<int>(s.size())), '\0');
    const int n =
        LZ4_compress_default(s.data(), out.data(), static_cast<int>(s.size()), static_cast<int>(out.size()));
    out.resize(n);
    return out;
  };
  auto be32 = [](uint32_t v, std::string* out) {
    for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string framed;
  for (const std::string* s : {&a, &b}) {
    const std::string c = block(*s);
    be32(static_cast<uint32_t>(s->size()), &framed);
    be32(static_cast<uint32_t>(c.size()), &framed);
    framed += c;
  }
  auto codec = BlockCodec::Make(CompressionCodec::kLz4);
  ASSERT_TRUE(codec.ok());
  std::vector<uint8_t> out(1500);
  ASSERT_TRUE((*codec)->Decompress(U8(framed), framed.size(), out.data(), out.size()).ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out.data()), 1500), a + b);
  EXPECT_FALSE((*codec)->Decompress(U8(framed), framed.size(), out.data(), 1499).ok());

  const std::string raw = block(a);
  std::vector<uint8_t> out2(1000);
  ASSERT_TRUE((*codec)->Decompress(U8(raw), raw.size(), out2.data(), out2.size()).ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out2.data()), 1000), a);
  std::string ignored;
  EXPECT_EQ((*codec)->Compress("x", &ignored).code(), StatusCode::kNotSupported);
}

TEST(CompressionTest, UnsupportedCodecsAreNamed) {
  auto lzo = BlockCodec::Make(CompressionCodec::kLzo);
  ASSERT_FALSE(lzo.ok());
  EXPECT_EQ(lzo.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(lzo.status().message().find("LZO"), std::string::npos);
  auto unknown = BlockCodec::Make(static_cast<CompressionCodec>(99));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotSupported);
}

}  // namespace
}  // namespace tandem::parquet
