#include "columnar/batch_codec.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

RecordBatch Sample() {
  Schema schema{{{"ts", DataType::Timestamp(), false},
                 {"user", DataType::String(), true},
                 {"latency", DataType::Double(), true},
                 {"ok", DataType::Boolean(), true}}};
  RecordBatch b = RecordBatch::Empty(schema);
  for (int i = 0; i < 50; ++i) {
    b.mutable_column(0).Append<int64_t>(1700000000000000 + i);
    if (i % 7 == 0) {
      b.mutable_column(1).AppendNull();
    } else {
      b.mutable_column(1).AppendString(std::string(i % 5, 'x'));
    }
    b.mutable_column(2).Append<double>(i * 0.5);
    if (i % 3 == 0) {
      b.mutable_column(3).AppendNull();
    } else {
      b.mutable_column(3).Append<uint8_t>(i % 2);
    }
  }
  b.set_num_rows(50);
  return b;
}

TEST(BatchCodecTest, RoundTrip) {
  RecordBatch b = Sample();
  std::string bytes;
  EncodeBatch(b, &bytes);
  auto back = DecodeBatch(b.schema(), bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->Equals(b));
}

TEST(BatchCodecTest, SlicedBatchRoundTrips) {
  RecordBatch b = Sample().Slice(10, 20);
  std::string bytes;
  EncodeBatch(b, &bytes);
  auto back = DecodeBatch(b.schema(), bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->Equals(b));
}

TEST(BatchCodecTest, EveryTruncationIsCorruption) {
  RecordBatch b = Sample();
  std::string bytes;
  EncodeBatch(b, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodeBatch(b.schema(), std::string_view(bytes.data(), n));
    ASSERT_FALSE(r.ok()) << "truncated at " << n;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

TEST(BatchCodecTest, SchemaMismatchNamesTheColumn) {
  RecordBatch b = Sample();
  std::string bytes;
  EncodeBatch(b, &bytes);
  Schema other = b.schema();
  other.fields[1].type = DataType::Int64();
  auto r = DecodeBatch(other, bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'user'"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace tandem
