#include "ingest/timestamp_parse.h"

#include <gtest/gtest.h>

#include <random>

#include "columnar/column.h"

namespace tandem::ingest {
namespace {

constexpr int64_t kMay1Noon = 1714564800;  // 2024-05-01T12:00:00Z in seconds

TimeParseError Err(std::string_view s, TimeUnit unit = TimeUnit::kMicros) {
  int64_t v = 0;
  return ParseRfc3339(s, unit, &v);
}

int64_t Micros(std::string_view s) {
  auto v = ParseRfc3339(s);
  EXPECT_TRUE(v.has_value()) << s;
  return v.value_or(0);
}

TEST(TimestampParseTest, RangeConstantsMatchCalendar) {
  // timestamp_parse.cc hard-codes these day numbers.
  EXPECT_EQ(DaysFromCivil(0, 1, 1), -719528);
  EXPECT_EQ(DaysFromCivil(10000, 1, 1), 2932897);
}

TEST(TimestampParseTest, BasicUtc) {
  EXPECT_EQ(Micros("2024-05-01T12:00:00Z"), kMay1Noon * 1000000);
  EXPECT_EQ(Micros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Micros("2024-05-01t12:00:00z"), kMay1Noon * 1000000);
  EXPECT_EQ(Micros("2024-05-01 12:00:00Z"), kMay1Noon * 1000000);
}

TEST(TimestampParseTest, Fractions) {
  EXPECT_EQ(Micros("2024-05-01T12:00:00.5Z"), kMay1Noon * 1000000 + 500000);
  EXPECT_EQ(Micros("2024-05-01T12:00:00.123Z"), kMay1Noon * 1000000 + 123000);
  EXPECT_EQ(Micros("2024-05-01T12:00:00.123456Z"), kMay1Noon * 1000000 + 123456);
  // Digits finer than the unit are truncated.
  EXPECT_EQ(Micros("2024-05-01T12:00:00.123456789Z"), kMay1Noon * 1000000 + 123456);
  int64_t v = 0;
  ASSERT_EQ(ParseRfc3339("2024-05-01T12:00:00.123456789Z", TimeUnit::kNanos, &v), TimeParseError::kOk);
  EXPECT_EQ(v, kMay1Noon * 1000000000 + 123456789);
  ASSERT_EQ(ParseRfc3339("2024-05-01T12:00:00.123456789Z", TimeUnit::kMillis, &v), TimeParseError::kOk);
  EXPECT_EQ(v, kMay1Noon * 1000 + 123);
  EXPECT_EQ(Err("2024-05-01T12:00:00.1234567890Z"), TimeParseError::kFraction);
  EXPECT_EQ(Err("2024-05-01T12:00:00.Z"), TimeParseError::kSyntax);
  EXPECT_EQ(Err("2024-05-01T12:00:00.5"), TimeParseError::kSyntax);
}

TEST(TimestampParseTest, Offsets) {
  EXPECT_EQ(Micros("2024-05-01T14:00:00+02:00"), kMay1Noon * 1000000);
  EXPECT_EQ(Micros("2024-05-01T06:30:00-05:30"), kMay1Noon * 1000000);
  EXPECT_EQ(Micros("2024-05-01T12:00:00-00:00"), kMay1Noon * 1000000);
  EXPECT_EQ(Micros("2024-05-02T11:59:00+23:59"), kMay1Noon * 1000000);
  EXPECT_EQ(Micros("2024-05-01T14:00:00.25+02:00"), kMay1Noon * 1000000 + 250000);
  EXPECT_EQ(Err("2024-05-01T12:00:00+24:00"), TimeParseError::kOffset);
  EXPECT_EQ(Err("2024-05-01T12:00:00+02:60"), TimeParseError::kOffset);
  EXPECT_EQ(Err("2024-05-01T12:00:00+0200"), TimeParseError::kSyntax);
  EXPECT_EQ(Err("2024-05-01T12:00:00+02"), TimeParseError::kSyntax);
  EXPECT_EQ(Err("2024-05-01T12:00:00"), TimeParseError::kSyntax);  // no offset: no instant
  EXPECT_EQ(Err("2024-05-01T12:00:00ZZ"), TimeParseError::kSyntax);
  EXPECT_EQ(Err("2024-05-01T12:00:00+02:00 "), TimeParseError::kSyntax);
}

TEST(TimestampParseTest, CalendarChecks) {
  EXPECT_EQ(Err("2024-02-30T00:00:00Z"), TimeParseError::kDay);
  EXPECT_EQ(Err("2023-02-29T00:00:00Z"), TimeParseError::kDay);
  EXPECT_EQ(Err("1900-02-29T00:00:00Z"), TimeParseError::kDay);
  EXPECT_EQ(Err("2000-02-29T00:00:00Z"), TimeParseError::kOk);
  EXPECT_EQ(Err("2024-02-29T00:00:00Z"), TimeParseError::kOk);
  EXPECT_EQ(Err("2024-04-31T00:00:00Z"), TimeParseError::kDay);
  EXPECT_EQ(Err("2024-01-00T00:00:00Z"), TimeParseError::kDay);
  EXPECT_EQ(Err("2024-13-01T00:00:00Z"), TimeParseError::kMonth);
  EXPECT_EQ(Err("2024-00-01T00:00:00Z"), TimeParseError::kMonth);
  EXPECT_EQ(Err("2024-05-01T25:00:00Z"), TimeParseError::kHour);
  EXPECT_EQ(Err("2024-05-01T24:00:00Z"), TimeParseError::kHour);
  EXPECT_EQ(Err("2024-05-01T12:60:00Z"), TimeParseError::kMinute);
  EXPECT_EQ(Err("2024-05-01T12:00:61Z"), TimeParseError::kSecond);
}

TEST(TimestampParseTest, LeapSecondIsNextSecond) {
  EXPECT_EQ(Micros("2016-12-31T23:59:60Z"), Micros("2017-01-01T00:00:00Z"));
  EXPECT_EQ(Micros("2016-12-31T23:59:60.5Z"), Micros("2017-01-01T00:00:00.5Z"));
}

TEST(TimestampParseTest, Syntax) {
  for (std::string_view s :
       {"", "yesterday", "2024-05-01", "2024-5-01T12:00:00Z", "2024-05-01X12:00:00Z", "2024-05-01T12-00-00Z",
        " 2024-05-01T12:00:00Z", "2024-05-01T1:00:00Z", "+2024-05-01T12:00:00Z", "20240501T120000Z",
        "2024-05-01T12:00:0aZ", "2024-05-01T12:00Z", "1714564800"}) {
    EXPECT_EQ(Err(s), TimeParseError::kSyntax) << s;
    EXPECT_FALSE(ParseRfc3339(s).has_value()) << s;
  }
}

TEST(TimestampParseTest, BeforeEpochFloors) {
  EXPECT_EQ(Micros("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(Micros("1969-12-31T23:59:59.9999999Z"), -1);  // -0.1 us floors to -1 us
  EXPECT_EQ(Micros("1969-12-31T23:59:59Z"), -1000000);
  EXPECT_EQ(Micros("1900-01-01T00:00:00Z"), -2208988800LL * 1000000);
}

TEST(TimestampParseTest, SupportedRange) {
  EXPECT_EQ(Micros("0000-01-01T00:00:00Z"), -719528LL * 86400 * 1000000);
  EXPECT_EQ(Micros("9999-12-31T23:59:59.999999Z"), 2932897LL * 86400 * 1000000 - 1);
  EXPECT_EQ(Err("0000-01-01T00:00:00+00:01"), TimeParseError::kRange);
  EXPECT_EQ(Err("9999-12-31T23:59:59-00:01"), TimeParseError::kRange);
  // Nanoseconds in an int64 span 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z.
  EXPECT_EQ(Err("2262-04-11T23:47:16.854775807Z", TimeUnit::kNanos), TimeParseError::kOk);
  EXPECT_EQ(Err("2262-04-11T23:47:16.854775808Z", TimeUnit::kNanos), TimeParseError::kRange);
  EXPECT_EQ(Err("2262-04-12T00:00:00Z", TimeUnit::kNanos), TimeParseError::kRange);
  EXPECT_EQ(Err("1677-09-21T00:00:00Z", TimeUnit::kNanos), TimeParseError::kRange);
  EXPECT_EQ(Err("1677-09-22T00:00:00Z", TimeUnit::kNanos), TimeParseError::kOk);
}

TEST(TimestampParseTest, RoundTripsFormatTimestamp) {
  std::mt19937_64 rng(42);
  const int64_t lo = -719528LL * 86400 * 1000000;
  const int64_t hi = 2932897LL * 86400 * 1000000 - 1;
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    int64_t v = i == 0 ? lo : i == 1 ? hi : dist(rng);
    if (i % 3 == 0) v -= v % 1000000;  // also whole seconds
    std::string text = FormatTimestamp(v, TimeUnit::kMicros);
    auto back = ParseRfc3339(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(*back, v) << text;
  }
}

TEST(DateParseTest, Dates) {
  EXPECT_EQ(ParseIsoDate("2024-05-01"), std::optional<int32_t>(19844));
  EXPECT_EQ(ParseIsoDate("1970-01-01"), std::optional<int32_t>(0));
  EXPECT_EQ(ParseIsoDate("1969-12-31"), std::optional<int32_t>(-1));
  EXPECT_EQ(ParseIsoDate("0000-01-01"), std::optional<int32_t>(-719528));
  int32_t d = 0;
  EXPECT_EQ(ParseIsoDate("2024-02-30", &d), TimeParseError::kDay);
  EXPECT_EQ(ParseIsoDate("2024-13-01", &d), TimeParseError::kMonth);
  for (std::string_view s :
       {"2024-5-01", "2024-05-01T00:00:00Z", "2024/05/01", "", "20240501", " 2024-05-01"}) {
    EXPECT_EQ(ParseIsoDate(s, &d), TimeParseError::kSyntax) << s;
  }
}

TEST(EpochMillisTest, Units) {
  int64_t v = 0;
  ASSERT_EQ(EpochMillisToUnit(1714564800123, TimeUnit::kMicros, &v), TimeParseError::kOk);
  EXPECT_EQ(v, 1714564800123000);
  ASSERT_EQ(EpochMillisToUnit(-1, TimeUnit::kMicros, &v), TimeParseError::kOk);
  EXPECT_EQ(v, -1000);
  ASSERT_EQ(EpochMillisToUnit(-1, TimeUnit::kNanos, &v), TimeParseError::kOk);
  EXPECT_EQ(v, -1000000);
  ASSERT_EQ(EpochMillisToUnit(-1001, TimeUnit::kMillis, &v), TimeParseError::kOk);
  EXPECT_EQ(v, -1001);
  EXPECT_EQ(EpochMillisToUnit(std::numeric_limits<int64_t>::max(), TimeUnit::kMicros, &v),
            TimeParseError::kRange);
  EXPECT_EQ(EpochMillisToUnit(std::numeric_limits<int64_t>::min(), TimeUnit::kMillis, &v),
            TimeParseError::kRange);
  EXPECT_EQ(EpochMillisToUnit(10000000000000000, TimeUnit::kNanos, &v), TimeParseError::kRange);
  ASSERT_EQ(EpochMillisToUnit(253402300799999, TimeUnit::kMicros, &v),
            TimeParseError::kOk);  // 9999-12-31T23:59:59.999
  EXPECT_EQ(EpochMillisToUnit(253402300800000, TimeUnit::kMicros, &v), TimeParseError::kRange);
}

TEST(TimeParseErrorTest, Texts) {
  EXPECT_EQ(TimeParseErrorText(TimeParseError::kOk), "");
  EXPECT_EQ(TimeParseErrorText(TimeParseError::kDay), "day out of range");
}

}  // namespace
}  // namespace tandem::ingest
