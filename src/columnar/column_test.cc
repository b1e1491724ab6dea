#include "columnar/column.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "columnar/value.h"

namespace tandem {
namespace {

std::string Json(const Column& c, size_t i) {
  std::string s;
  c.AppendJson(i, &s);
  return s;
}

TEST(ColumnTest, AppendWithNullsMaterialisesValidityLazily) {
  Column c(DataType::Int64());
  c.Append<int64_t>(1);
  c.Append<int64_t>(2);
  EXPECT_FALSE(c.has_nulls());
  c.AppendNull();
  c.Append<int64_t>(4);
  ASSERT_EQ(c.length(), 4u);
  EXPECT_EQ(c.null_count(), 1u);
  EXPECT_TRUE(c.IsValid(0));
  EXPECT_TRUE(c.IsNull(2));
  EXPECT_EQ(c.Value<int64_t>(3), 4);
}

TEST(ColumnTest, StringsSliceAndTake) {
  Column c(DataType::String());
  c.AppendString("alpha");
  c.AppendString("");
  c.AppendNull();
  c.AppendString("delta");
  Column s = c.Slice(1, 3);
  ASSERT_EQ(s.length(), 3u);
  EXPECT_EQ(s.GetString(0), "");
  EXPECT_TRUE(s.IsNull(1));
  EXPECT_EQ(s.GetString(2), "delta");
  Column t = c.Take({3, 0, 2});
  EXPECT_EQ(t.GetString(0), "delta");
  EXPECT_EQ(t.GetString(1), "alpha");
  EXPECT_TRUE(t.IsNull(2));
}

TEST(ColumnTest, EqualsTreatsNanAsEqualButDistinguishesNegativeZero) {
  Column a(DataType::Double()), b(DataType::Double());
  a.Append(std::nan(""));
  b.Append(std::nan(""));
  EXPECT_TRUE(a.Equals(b));
  a.Append(0.0);
  b.Append(-0.0);
  EXPECT_FALSE(a.Equals(b));
}

TEST(ColumnTest, JsonFormatting) {
  Column ts(DataType::Timestamp(TimeUnit::kMicros));
  ts.Append<int64_t>(0);
  ts.Append<int64_t>(1714564800123456);  // 2024-05-01T12:00:00.123456Z
  ts.Append<int64_t>(-1);                // one microsecond before the epoch
  EXPECT_EQ(Json(ts, 0), "\"1970-01-01T00:00:00Z\"");
  EXPECT_EQ(Json(ts, 1), "\"2024-05-01T12:00:00.123456Z\"");
  EXPECT_EQ(Json(ts, 2), "\"1969-12-31T23:59:59.999999Z\"");

  Column ms(DataType::Timestamp(TimeUnit::kMillis));
  ms.Append<int64_t>(1714564800500);
  EXPECT_EQ(Json(ms, 0), "\"2024-05-01T12:00:00.5Z\"");

  Column d(DataType::Date());
  d.Append<int32_t>(19844);
  d.Append<int32_t>(-1);
  EXPECT_EQ(Json(d, 0), "\"2024-05-01\"");
  EXPECT_EQ(Json(d, 1), "\"1969-12-31\"");

  Column s(DataType::String());
  s.AppendString("a\"b\\c\n\x01");
  EXPECT_EQ(Json(s, 0), "\"a\\\"b\\\\c\\n\\u0001\"");

  Column dec(DataType::Decimal(10, 2));
  dec.Append<__int128>(-5);
  dec.Append<__int128>(12345);
  EXPECT_EQ(Json(dec, 0), "-0.05");
  EXPECT_EQ(Json(dec, 1), "123.45");

  Column dbl(DataType::Double());
  dbl.Append(0.1);
  dbl.Append(std::numeric_limits<double>::infinity());
  dbl.AppendNull();
  EXPECT_EQ(Json(dbl, 0), "0.1");
  EXPECT_EQ(Json(dbl, 1), "\"Infinity\"");
  EXPECT_EQ(Json(dbl, 2), "null");
}

TEST(ColumnTest, CivilCalendarRoundTripsOverCenturies) {
  for (int64_t days = -800000; days <= 800000; days += 7) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    ASSERT_EQ(DaysFromCivil(y, m, d), days);
  }
  EXPECT_EQ(DaysFromCivil(2000, 2, 29), 11016);
}

TEST(RecordBatchTest, AppendBatchKeepsNullsAndStrings) {
  Schema schema{{{"id", DataType::Int64(), false}, {"name", DataType::String(), true}}};
  RecordBatch a = RecordBatch::Empty(schema);
  a.mutable_column(0).Append<int64_t>(1);
  a.mutable_column(1).AppendString("x");
  a.set_num_rows(1);
  RecordBatch b = RecordBatch::Empty(schema);
  b.mutable_column(0).Append<int64_t>(2);
  b.mutable_column(1).AppendNull();
  b.set_num_rows(1);
  a.AppendBatch(b);
  ASSERT_EQ(a.num_rows(), 2u);
  EXPECT_EQ(a.column(0).Value<int64_t>(1), 2);
  EXPECT_EQ(a.column(1).GetString(0), "x");
  EXPECT_TRUE(a.column(1).IsNull(1));
  EXPECT_TRUE(a.Slice(1, 1).Equals(b));
}

TEST(ValueTest, CompareAndRoundTrip) {
  EXPECT_LT(Value::Null(DataType::Int64()).Compare(Value::Int64(-5)), 0);
  EXPECT_LT(Value::String("ab").Compare(Value::String("b")), 0);
  EXPECT_GT(Value::Double(std::nan("")).Compare(Value::Double(1e308)), 0);
  Column c(DataType::String());
  Value::String("hi").AppendTo(&c);
  EXPECT_EQ(Value::FromColumn(c, 0), Value::String("hi"));
  EXPECT_EQ(Value::Timestamp(0, TimeUnit::kMicros).ToJson(), "\"1970-01-01T00:00:00Z\"");
}

}  // namespace
}  // namespace tandem
