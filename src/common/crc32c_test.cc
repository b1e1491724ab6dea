#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tandem::crc32c {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(Value(""), 0u);
  // RFC 3720 (iSCSI) B.4 test patterns.
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Value(ascending), 0x46DD794Eu);
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) descending[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, PortableKnownVector) {
  EXPECT_EQ(ExtendPortable(0, "123456789", 9), 0xE3069283u);
}

TEST(Crc32cTest, ExtendEqualsValueOfConcatenation) {
  std::string a = "hello, ";
  std::string b = "world of events";
  EXPECT_EQ(Extend(Value(a), b.data(), b.size()), Value(a + b));
}

TEST(Crc32cTest, HardwareAndTableAgreeOnEveryLengthAndAlignment) {
  if (!HardwareAvailable()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937 rng(42);
  std::string data(4096 + 16, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t n = 0; n < 300; ++n) {
      const char* p = data.data() + align;
      ASSERT_EQ(ExtendHardware(0x12345678u, p, n), ExtendPortable(0x12345678u, p, n)) << n << " " << align;
    }
  }
  EXPECT_EQ(ExtendHardware(0, data.data(), data.size()), ExtendPortable(0, data.data(), data.size()));
}

TEST(Crc32cTest, DetectsSingleBitFlips) {
  std::string data(1000, 'x');
  uint32_t good = Value(data);
  for (size_t i = 0; i < data.size(); i += 37) {
    std::string bad = data;
    bad[i] ^= 0x10;
    EXPECT_NE(Value(bad), good);
  }
}

TEST(Crc32cTest, MaskRoundTripsAndChangesValue) {
  uint32_t crc = Value("foo");
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace tandem::crc32c
