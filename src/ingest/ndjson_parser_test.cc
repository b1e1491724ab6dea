#include "ingest/ndjson_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tandem::ingest {
namespace {

constexpr int64_t kMay1NoonMicros = 1714564800LL * 1000000;  // 2024-05-01T12:00:00Z

// Columns: 0 ts TIMESTAMP (event time), 1 user_id BIGINT NOT NULL, 2 page VARCHAR, 3 n INTEGER,
// 4 score DOUBLE, 5 f FLOAT, 6 ok BOOLEAN, 7 day DATE, 8 u UBIGINT.
StreamSchema AllTypes() {
  StreamSchema s;
  s.schema.fields = {
      {"ts", DataType::Timestamp(), true}, {"user_id", DataType::Int64(), false},
      {"page", DataType::String(), true},  {"n", DataType::Int32(), true},
      {"score", DataType::Double(), true}, {"f", DataType::Float(), true},
      {"ok", DataType::Boolean(), true},   {"day", DataType::Date(), true},
      {"u", DataType::UInt64(), true},
  };
  s.event_time_column = 0;
  s.event_id_column = 1;
  return s;
}

ParsedBatch MustParse(NdjsonParser& parser, std::string_view body) {
  Result<ParsedBatch> r = parser.Parse(body);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return ParsedBatch{};
  return std::move(r).value();
}

ParsedBatch MustParse(std::string_view body) {
  NdjsonParser parser(AllTypes());
  return MustParse(parser, body);
}

// A line with the required columns (ts, user_id 7) and the members `extra` after them.
std::string Line(std::string_view extra) {
  std::string s = R"({"ts":"2024-05-01T12:00:00Z","user_id":7)";
  if (!extra.empty()) {
    s += ",";
    s += extra;
  }
  s += "}";
  return s;
}

void ExpectRejected(const std::string& line, const std::string& column, const std::string& reason) {
  SCOPED_TRACE(line);
  ParsedBatch b = MustParse(line + "\n");
  EXPECT_EQ(b.rows.num_rows(), 0u);
  EXPECT_EQ(b.lines, 1);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].line, 1);
  EXPECT_EQ(b.errors[0].column, column);
  EXPECT_EQ(b.errors[0].reason, reason);
  EXPECT_EQ(b.errors[0].byte_offset, 0);
  EXPECT_EQ(b.errors[0].byte_length, static_cast<int64_t>(line.size()));
}

// Parses one good line and returns the batch (1 row expected).
ParsedBatch One(const std::string& line) {
  SCOPED_TRACE(line);
  ParsedBatch b = MustParse(line);
  EXPECT_EQ(b.rows.num_rows(), 1u);
  for (const RowError& e : b.errors) ADD_FAILURE() << e.ToString();
  return b;
}

TEST(NdjsonParserTest, EmptyBody) {
  ParsedBatch b = MustParse("");
  EXPECT_EQ(b.rows.num_rows(), 0u);
  EXPECT_EQ(b.rows.num_columns(), 9u);
  EXPECT_TRUE(b.errors.empty());
  EXPECT_EQ(b.lines, 0);
}

TEST(NdjsonParserTest, EveryTypeAccepted) {
  ParsedBatch b = One(R"({"ts":"2024-05-01T12:00:00.25Z","user_id":-42,"page":"/home","n":2147483647,)"
                      R"("score":1.5,"f":0.25,"ok":true,"day":"2024-05-01","u":18446744073709551615})");
  const RecordBatch& r = b.rows;
  ASSERT_EQ(r.num_columns(), 9u);
  EXPECT_EQ(r.column(0).Value<int64_t>(0), kMay1NoonMicros + 250000);
  EXPECT_EQ(r.column(1).Value<int64_t>(0), -42);
  EXPECT_EQ(r.column(2).GetString(0), "/home");
  EXPECT_EQ(r.column(3).Value<int32_t>(0), 2147483647);
  EXPECT_EQ(r.column(4).Value<double>(0), 1.5);
  EXPECT_EQ(r.column(5).Value<float>(0), 0.25f);
  EXPECT_EQ(r.column(6).Value<uint8_t>(0), 1);
  EXPECT_EQ(r.column(7).Value<int32_t>(0), 19844);
  EXPECT_EQ(r.column(8).Value<uint64_t>(0), std::numeric_limits<uint64_t>::max());
  for (size_t c = 0; c < r.num_columns(); ++c) {
    EXPECT_EQ(r.column(c).length(), 1u);
    EXPECT_FALSE(r.column(c).has_nulls()) << c;
    EXPECT_EQ(r.column(c).type(), r.schema().fields[c].type);
  }
  EXPECT_EQ(r.schema().ToString(), AllTypes().schema.ToString());
}

TEST(NdjsonParserTest, MoreAcceptedValues) {
  ParsedBatch b = One(Line(R"("n":-2147483648,"score":3,"f":-1e38,"ok":false,"u":0,"day":"0000-01-01")"));
  EXPECT_EQ(b.rows.column(3).Value<int32_t>(0), -2147483648);
  EXPECT_EQ(b.rows.column(4).Value<double>(0), 3.0);  // integers are numbers
  EXPECT_EQ(b.rows.column(5).Value<float>(0), -1e38f);
  EXPECT_EQ(b.rows.column(6).Value<uint8_t>(0), 0);
  EXPECT_EQ(b.rows.column(7).Value<int32_t>(0), -719528);
  b = One(Line(R"("score":123456789012345678901234567890,"f":1e-50)"));
  EXPECT_EQ(b.rows.column(4).Value<double>(0), 1.2345678901234568e29);
  EXPECT_EQ(b.rows.column(5).Value<float>(0), 0.0f);  // underflow rounds to zero
  b = One(Line(R"("score":-0.0)"));
  EXPECT_TRUE(std::signbit(b.rows.column(4).Value<double>(0)));
}

TEST(NdjsonParserTest, Int64Bounds) {
  ParsedBatch b = One(R"({"ts":0,"user_id":-9223372036854775808})");
  EXPECT_EQ(b.rows.column(1).Value<int64_t>(0), std::numeric_limits<int64_t>::min());
  b = One(R"({"ts":0,"user_id":9223372036854775807})");
  EXPECT_EQ(b.rows.column(1).Value<int64_t>(0), std::numeric_limits<int64_t>::max());
}

TEST(NdjsonParserTest, TimestampForms) {
  struct Case {
    const char* json;
    int64_t micros;
  } cases[] = {
      {R"("2024-05-01T12:00:00Z")", kMay1NoonMicros},
      {R"("2024-05-01t12:00:00z")", kMay1NoonMicros},
      {R"("2024-05-01 12:00:00Z")", kMay1NoonMicros},
      {R"("2024-05-01T14:00:00+02:00")", kMay1NoonMicros},
      {R"("2024-05-01T07:00:00.000001-05:00")", kMay1NoonMicros + 1},
      {R"("2024-05-01T12:00:00.123456789Z")", kMay1NoonMicros + 123456},
      {"1714564800000", kMay1NoonMicros},
      {"1714564800123", kMay1NoonMicros + 123000},
      {"0", 0},
      {"-1", -1000},
      {"-86400000", -86400LL * 1000000},
  };
  for (const Case& c : cases) {
    std::string line = std::string(R"({"user_id":1,"ts":)") + c.json + "}";
    ParsedBatch b = One(line);
    if (b.rows.num_rows() == 1) {
      EXPECT_EQ(b.rows.column(0).Value<int64_t>(0), c.micros) << c.json;
    }
  }
}

TEST(NdjsonParserTest, TimestampUnits) {
  StreamSchema s;
  s.schema.fields = {{"ms", DataType::Timestamp(TimeUnit::kMillis), true},
                     {"ns", DataType::Timestamp(TimeUnit::kNanos), true}};
  NdjsonParser parser(s);
  ParsedBatch b =
      MustParse(parser, R"({"ms":"2024-05-01T12:00:00.123456789Z","ns":"2024-05-01T12:00:00.123456789Z"})"
                        "\n"
                        R"({"ms":5,"ns":5})"
                        "\n"
                        R"({"ns":"2300-01-01T00:00:00Z"})");
  ASSERT_EQ(b.rows.num_rows(), 2u);
  EXPECT_EQ(b.rows.column(0).Value<int64_t>(0), 1714564800123);
  EXPECT_EQ(b.rows.column(1).Value<int64_t>(0), 1714564800123456789);
  EXPECT_EQ(b.rows.column(0).Value<int64_t>(1), 5);
  EXPECT_EQ(b.rows.column(1).Value<int64_t>(1), 5000000);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].line, 3);
  EXPECT_EQ(b.errors[0].column, "ns");
  EXPECT_EQ(b.errors[0].reason,
            R"(expected TIMESTAMP_NS (RFC 3339 string or epoch milliseconds), got "2300-01-01T00:00:00Z" )"
            "(out of the supported range)");
}

TEST(NdjsonParserTest, RejectedValues) {
  const std::string kTs = "expected TIMESTAMP (RFC 3339 string or epoch milliseconds), got ";
  struct Case {
    std::string extra;
    std::string column;
    std::string reason;
  } cases[] = {
      {R"("n":"12")", "n", R"(expected INTEGER (JSON integer), got "12")"},
      {R"("n":3.0)", "n", "expected INTEGER (JSON integer), got 3.0"},
      {R"("n":1e3)", "n", "expected INTEGER (JSON integer), got 1e3"},
      {R"("n":2147483648)", "n", "expected INTEGER (JSON integer), got 2147483648 (out of range)"},
      {R"("n":-2147483649)", "n", "expected INTEGER (JSON integer), got -2147483649 (out of range)"},
      {R"("n":true)", "n", "expected INTEGER (JSON integer), got true"},
      {R"("n":{"a":1})", "n", "expected INTEGER (JSON integer), got an object"},
      {R"("n":[1])", "n", "expected INTEGER (JSON integer), got an array"},
      {R"("u":-1)", "u", "expected UBIGINT (JSON integer), got -1 (out of range)"},
      {R"("u":18446744073709551616)", "u",
       "expected UBIGINT (JSON integer), got 18446744073709551616 (out of range)"},
      {R"("u":1.5)", "u", "expected UBIGINT (JSON integer), got 1.5"},
      {R"("score":"1.5")", "score", R"(expected DOUBLE (JSON number), got "1.5")"},
      {R"("score":1e400)", "score", "expected DOUBLE (JSON number), got 1e400 (out of range)"},
      {R"("score":false)", "score", "expected DOUBLE (JSON number), got false"},
      {R"("f":1e39)", "f", "expected FLOAT (JSON number), got 1e39 (out of range)"},
      {R"("f":-3.5e38)", "f", "expected FLOAT (JSON number), got -3.5e38 (out of range)"},
      {R"("page":42)", "page", "expected VARCHAR (JSON string), got 42"},
      {R"("page":true)", "page", "expected VARCHAR (JSON string), got true"},
      {R"("page":["a"])", "page", "expected VARCHAR (JSON string), got an array"},
      {R"("ok":"true")", "ok", R"(expected BOOLEAN (true or false), got "true")"},
      {R"("ok":1)", "ok", "expected BOOLEAN (true or false), got 1"},
      {R"("day":"2024-02-30")", "day",
       R"(expected DATE ("YYYY-MM-DD" string), got "2024-02-30" (day out of range))"},
      {R"("day":"2024-13-01")", "day",
       R"(expected DATE ("YYYY-MM-DD" string), got "2024-13-01" (month out of range))"},
      {R"("day":19844)", "day", R"(expected DATE ("YYYY-MM-DD" string), got 19844)"},
      {R"("day":"2024-05-01T00:00:00Z")", "day",
       R"(expected DATE ("YYYY-MM-DD" string), got "2024-05-01T00:00:00Z")"},
  };
  for (const Case& c : cases) ExpectRejected(Line(c.extra), c.column, c.reason);

  struct TsCase {
    std::string json;
    std::string reason;
  } ts_cases[] = {
      {R"("yesterday")", kTs + R"("yesterday")"},
      {R"("2024-05-01T25:00:00Z")", kTs + R"("2024-05-01T25:00:00Z" (hour out of range))"},
      {R"("2024-02-30T00:00:00Z")", kTs + R"("2024-02-30T00:00:00Z" (day out of range))"},
      {R"("2024-05-01T12:00:00")", kTs + R"("2024-05-01T12:00:00")"},
      {R"("2024-05-01T12:00:00.1234567891Z")",
       kTs + R"("2024-05-01T12:00:00.1234567891Z" (more than 9 fraction digits))"},
      {"1.5", kTs + "1.5"},
      {"1e12", kTs + "1e12"},
      {"9223372036854775807", kTs + "9223372036854775807 (out of the supported range)"},
      {"9223372036854775808", kTs + "9223372036854775808 (out of range)"},
      {"true", kTs + "true"},
      {R"({"s":1})", kTs + "an object"},
  };
  for (const TsCase& c : ts_cases) {
    ExpectRejected(R"({"user_id":7,"ts":)" + c.json + "}", "ts", c.reason);
  }
}

TEST(NdjsonParserTest, LongValuesAreTruncatedInMessages) {
  std::string big(200, 'x');
  ExpectRejected(Line(R"("n":")" + big + "\""), "n",
                 "expected INTEGER (JSON integer), got \"" + std::string(63, 'x') + "...");
  // The cut never splits a UTF-8 sequence: 62 ASCII bytes then a 2-byte character straddling byte 64.
  std::string s = "\"" + std::string(62, 'a') + "\xC3\xA9" + "tail\"";
  ExpectRejected(Line(R"("n":)" + s), "n",
                 "expected INTEGER (JSON integer), got \"" + std::string(62, 'a') + "...");
}

TEST(NdjsonParserTest, NotNullAndNulls) {
  ExpectRejected(R"({"ts":"2024-05-01T12:00:00Z"})", "user_id",
                 R"(column "user_id" is NOT NULL but missing)");
  ExpectRejected(R"({"ts":"2024-05-01T12:00:00Z","user_id":null})", "user_id",
                 R"(column "user_id" is NOT NULL but null)");
  // The event-time column is NOT NULL although its field is nullable.
  ExpectRejected(R"({"user_id":1})", "ts", R"(column "ts" is NOT NULL but missing)");
  ExpectRejected(R"({"user_id":1,"ts":null})", "ts", R"(column "ts" is NOT NULL but null)");

  ParsedBatch b = MustParse(Line(R"("page":null,"n":null)") + "\n" + Line(R"("page":"p","n":5)") + "\n");
  ASSERT_EQ(b.rows.num_rows(), 2u);
  ASSERT_TRUE(b.errors.empty());
  for (size_t c = 2; c < 9; ++c) {
    const Column& col = b.rows.column(c);
    EXPECT_TRUE(col.IsNull(0)) << c;
    EXPECT_EQ(col.IsNull(1), c > 3) << c;  // page and n are set in row 2, the rest are missing
  }
  EXPECT_EQ(b.rows.column(2).GetString(1), "p");
  EXPECT_EQ(b.rows.column(2).GetString(0), "");
  EXPECT_EQ(b.rows.column(3).Value<int32_t>(1), 5);
  EXPECT_FALSE(b.rows.column(0).has_nulls());
  EXPECT_FALSE(b.rows.column(1).has_nulls());
}

TEST(NdjsonParserTest, UnknownFieldsIgnored) {
  std::string deep = std::string(2000, '[') + std::string(2000, ']');
  std::string deep_obj;
  for (int i = 0; i < 500; ++i) deep_obj += R"({"k":)";
  deep_obj += "1" + std::string(500, '}');
  ParsedBatch b = One(R"({"extra":"x","ts":0,"nested":{"a":[1,2,{"b":null}]},"user_id":5,"deep":)" + deep +
                      R"(,"deep_obj":)" + deep_obj + R"(,"User_ID":"wrong case","big":1e99999,"last":[]})");
  EXPECT_EQ(b.rows.column(1).Value<int64_t>(0), 5);
  // Field names are case-sensitive: "USER_ID" is unknown, so user_id is missing.
  ExpectRejected(R"({"ts":0,"USER_ID":5})", "user_id", R"(column "user_id" is NOT NULL but missing)");
  // A name written with escapes is the same name.
  b = One(R"({"ts":0,"\u0075ser_id":6})");
  EXPECT_EQ(b.rows.column(1).Value<int64_t>(0), 6);
}

TEST(NdjsonParserTest, NestedValueForKnownField) {
  ExpectRejected(Line(R"("page":{"a":{"b":{"c":[1,2,3]}}})"), "page",
                 "expected VARCHAR (JSON string), got an object");
  ExpectRejected(Line(R"("score":[[[[1]]]])"), "score", "expected DOUBLE (JSON number), got an array");
}

TEST(NdjsonParserTest, DuplicateKeys) {
  ExpectRejected(R"({"ts":0,"user_id":1,"user_id":2})", "user_id", R"(duplicate field "user_id")");
  ExpectRejected(R"({"ts":0,"user_id":1,"page":null,"page":"x"})", "page", R"(duplicate field "page")");
  ParsedBatch b = One(R"({"ts":0,"user_id":1,"x":1,"x":2})");  // unknown duplicates are ignored
  EXPECT_EQ(b.rows.num_rows(), 1u);
}

TEST(NdjsonParserTest, NonObjectLines) {
  ExpectRejected("[1,2]", "", "expected a JSON object, got an array");
  ExpectRejected(R"("x")", "", "expected a JSON object, got a string");
  ExpectRejected("42", "", "expected a JSON object, got a number");
  ExpectRejected("true", "", "expected a JSON object, got a boolean");
  ExpectRejected("null", "", "expected a JSON object, got null");
}

TEST(NdjsonParserTest, InvalidJson) {
  ExpectRejected(R"({"ts":0,"user_id":1} {"b":2})", "",
                 "invalid JSON: unexpected content after the object (at byte 21)");
  // simdjson sees that the line does not end with the object's '}' before it reads the object.
  ExpectRejected(R"({"ts":0,"user_id":1}x)", "",
                 "invalid JSON: JSON document ended early in the middle of an object or array.");
  for (std::string line :
       {R"({"ts":0,"user_id":)", R"({"ts":0,"user_id":1)", R"({"ts":0 "user_id":1})",
        R"({"ts":0,"user_id":1,})", R"({ts:0})", R"({"ts":0,"user_id":01})", R"({"ts":0,"user_id":-})",
        R"({"ts":0,"user_id":1,"ok":tru})", "{'a':1}", "}", R"({"ts":0,"user_id":1,"page":"unterminated})",
        "{\"ts\":0,\"page\":\"a\tb\"}", R"({"ts":0,"user_id":1,"page":"\ud800"})",
        R"({"ts":0,"user_id":1,"page":"\x"})"}) {
    SCOPED_TRACE(line);
    ParsedBatch b = MustParse(line);
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_EQ(b.errors[0].column, "");
    EXPECT_EQ(b.errors[0].reason.rfind("invalid JSON: ", 0), 0u) << b.errors[0].reason;
    EXPECT_EQ(b.rows.num_rows(), 0u);
  }
}

TEST(NdjsonParserTest, InvalidJsonNamesSimdjsonErrorAndOffset) {
  ExpectRejected(R"({"ts":0,"user_id":01})", "", "invalid JSON: Problem while parsing a number (at byte 18)");
  ExpectRejected(R"({"ts":0,"user_id":-})", "", "invalid JSON: Problem while parsing a number (at byte 18)");
  ExpectRejected(R"({"ts":0,"user_id":1,"ok":tru})", "",
                 "invalid JSON: Problem while parsing an atom starting with the letter 't' (at byte 25)");
  ExpectRejected(R"({"ts":0,"user_id":1,"page":nul})", "",
                 "invalid JSON: Problem while parsing an atom starting with the letter 'n' (at byte 27)");
  ExpectRejected(
      R"({"ts":0 "user_id":1})", "",
      "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, "
      "missing keys, etc. (at byte 8)");
  ExpectRejected(R"({"ts":0,"user_id":1,"page":"open})", "",
                 "invalid JSON: A string is opened, but never closed.");
}

TEST(NdjsonParserTest, InvalidUtf8) {
  // In a known field, in an unknown field, and in a key: each line is rejected with the offset of the bad
  // byte.
  std::string lines[] = {
      "{\"ts\":0,\"user_id\":1,\"page\":\"ab\xFF\"}", "{\"ts\":0,\"user_id\":1,\"other\":\"\xC3\x28\"}",
      "{\"ts\":0,\"user_id\":1,\"\xED\xA0\x80\":1}",  // an encoded surrogate
  };
  int64_t offsets[] = {30, 29, 21};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ParsedBatch b = MustParse(lines[i] + "\n" + Line(""));
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_EQ(b.errors[0].line, 1);
    EXPECT_EQ(b.errors[0].reason,
              "invalid JSON: The input is not valid UTF-8 (at byte " + std::to_string(offsets[i]) + ")");
    EXPECT_EQ(b.rows.num_rows(), 1u);
  }
  // Valid multi-byte UTF-8 and escapes are kept as UTF-8.
  ParsedBatch b = One(Line(R"("page":"caf\u00e9 \"q\" \\ \n \u0000 \ud83d\ude00 日本")"));
  EXPECT_EQ(b.rows.column(2).GetString(0),
            std::string_view("caf\xC3\xA9 \"q\" \\ \n \0 \xF0\x9F\x98\x80 日本", 27));
}

TEST(NdjsonParserTest, MixedGoodAndBadLinesKeepOrder) {
  std::string body;
  std::vector<int64_t> expected_ids;
  std::vector<int64_t> expected_error_lines;
  for (int i = 1; i <= 300; ++i) {
    if (i % 7 == 0) {
      body += R"({"ts":0,"user_id":)" + std::to_string(i) + R"(,"n":"bad"})" + "\n";
      expected_error_lines.push_back(i);
    } else if (i % 11 == 0) {
      body += "not json\n";
      expected_error_lines.push_back(i);
    } else if (i % 13 == 0) {
      body += "   \t \n";  // blank
    } else {
      body += R"({"ts":)" + std::to_string(i) + R"(,"user_id":)" + std::to_string(i) + R"(,"page":"p)" +
              std::to_string(i) + "\"}\n";
      expected_ids.push_back(i);
    }
  }
  ParsedBatch b = MustParse(body);
  EXPECT_EQ(b.lines, 300);
  ASSERT_EQ(b.rows.num_rows(), expected_ids.size());
  for (size_t r = 0; r < expected_ids.size(); ++r) {
    EXPECT_EQ(b.rows.column(1).Value<int64_t>(r), expected_ids[r]);
    EXPECT_EQ(b.rows.column(0).Value<int64_t>(r), expected_ids[r] * 1000);
    EXPECT_EQ(b.rows.column(2).GetString(r), "p" + std::to_string(expected_ids[r]));
  }
  ASSERT_EQ(b.errors.size(), expected_error_lines.size());
  for (size_t k = 0; k < b.errors.size(); ++k) {
    const RowError& e = b.errors[k];
    EXPECT_EQ(e.line, expected_error_lines[k]);
    // byte_offset/byte_length address the bad line in the body.
    std::string_view text(body.data() + e.byte_offset, e.byte_length);
    if (e.line % 7 == 0) {
      EXPECT_EQ(e.column, "n");
      EXPECT_NE(text.find("\"bad\""), std::string_view::npos) << text;
    } else {
      EXPECT_EQ(text, "not json");
    }
  }
}

TEST(NdjsonParserTest, BlankLinesCrlfAndNoTrailingNewline) {
  std::string body =
      "\r\n" + Line(R"("n":1)") + "\r\n  \r\n\n" + Line(R"("n":"x")") + "\r\n\t\n" + Line(R"("n":3)");
  ParsedBatch b = MustParse(body);
  EXPECT_EQ(b.lines, 7);
  ASSERT_EQ(b.rows.num_rows(), 2u);
  EXPECT_EQ(b.rows.column(3).Value<int32_t>(0), 1);
  EXPECT_EQ(b.rows.column(3).Value<int32_t>(1), 3);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].line, 5);
  EXPECT_EQ(b.errors[0].byte_length, static_cast<int64_t>(Line(R"("n":"x")").size()));  // without "\r\n"

  b = MustParse("\n\n   \n");
  EXPECT_EQ(b.lines, 3);
  EXPECT_EQ(b.rows.num_rows(), 0u);
  EXPECT_TRUE(b.errors.empty());

  b = MustParse(Line("") + "\n");
  EXPECT_EQ(b.lines, 1);
  EXPECT_EQ(b.rows.num_rows(), 1u);

  // A byte order mark before the first line is skipped.
  b = MustParse("\xEF\xBB\xBF" + Line("") + "\n" + Line(""));
  EXPECT_EQ(b.rows.num_rows(), 2u);
  EXPECT_TRUE(b.errors.empty());
}

TEST(NdjsonParserTest, BodyLimit) {
  ParseLimits limits;
  limits.max_body_bytes = 100;
  NdjsonParser parser(AllTypes(), limits);
  std::string body = Line("") + "\n" + Line("") + "\n" + Line("") + "\n";
  ASSERT_GT(body.size(), 100u);
  Result<ParsedBatch> r = parser.Parse(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "request body is " + std::to_string(body.size()) + " bytes, over the limit max_body_bytes=100");
  body = Line("");
  ASSERT_LE(body.size(), 100u);
  EXPECT_EQ(MustParse(parser, body).rows.num_rows(), 1u);
}

TEST(NdjsonParserTest, LineLimit) {
  ParseLimits limits;
  limits.max_line_bytes = 100;
  NdjsonParser parser(AllTypes(), limits);
  std::string long_line = Line(R"("page":")" + std::string(100, 'p') + "\"");
  std::string exact = Line(R"("page":")" + std::string(100 - Line(R"("page":"")").size(), 'q') + "\"");
  ASSERT_EQ(exact.size(), 100u);
  ParsedBatch b = MustParse(parser, Line("") + "\n" + long_line + "\r\n" + exact + "\r\n");
  ASSERT_EQ(b.rows.num_rows(), 2u);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].line, 2);
  EXPECT_EQ(b.errors[0].column, "");
  EXPECT_EQ(b.errors[0].reason,
            "line is " + std::to_string(long_line.size()) + " bytes, over the limit max_line_bytes=100");
}

TEST(NdjsonParserTest, FieldAndStringLimits) {
  ParseLimits limits;
  limits.max_fields_per_object = 4;
  limits.max_string_bytes = 5;
  NdjsonParser parser(AllTypes(), limits);
  ParsedBatch b = MustParse(parser, Line(R"("a":1,"b":2)") + "\n" + Line(R"("a":1,"b":2,"c":3)") + "\n" +
                                        Line(R"("page":"12345")") + "\n" + Line(R"("page":"123456")") + "\n" +
                                        Line(R"("page":"\u00e9\u00e9\u00e9")"));
  ASSERT_EQ(b.rows.num_rows(), 2u);
  ASSERT_EQ(b.errors.size(), 3u);
  EXPECT_EQ(b.errors[0].line, 2);
  EXPECT_EQ(b.errors[0].column, "");
  EXPECT_EQ(b.errors[0].reason, "object has more than 4 fields (max_fields_per_object)");
  EXPECT_EQ(b.errors[1].line, 4);
  EXPECT_EQ(b.errors[1].column, "page");
  EXPECT_EQ(b.errors[1].reason, "VARCHAR value is 6 bytes, over the limit max_string_bytes=5");
  EXPECT_EQ(b.errors[2].line, 5);  // 3 characters, 6 bytes
  EXPECT_EQ(b.errors[2].reason, "VARCHAR value is 6 bytes, over the limit max_string_bytes=5");
}

TEST(NdjsonParserTest, TooManyBadLinesRefusesBody) {
  ParseLimits limits;
  limits.max_row_errors = 3;
  NdjsonParser parser(AllTypes(), limits);
  EXPECT_EQ(MustParse(parser, "x\nx\nx\n" + Line("")).errors.size(), 3u);
  Result<ParsedBatch> r = parser.Parse("x\nx\n" + Line("") + "\nx\nx\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message().rfind(
                "request body has more than 3 bad lines (max_row_errors); the first: line 1: "
                "invalid JSON: ",
                0),
            0u)
      << r.status().message();
}

TEST(NdjsonParserTest, ParserIsReusable) {
  NdjsonParser parser(AllTypes());
  ParsedBatch a = MustParse(parser, Line(R"("page":"first","n":null)") + "\n" + "bad\n");
  ParsedBatch b = MustParse(parser, Line(R"("page":"second")"));
  ASSERT_EQ(a.rows.num_rows(), 1u);
  ASSERT_EQ(b.rows.num_rows(), 1u);
  EXPECT_EQ(a.rows.column(2).GetString(0), "first");
  EXPECT_EQ(b.rows.column(2).GetString(0), "second");
  EXPECT_EQ(a.errors.size(), 1u);
  EXPECT_TRUE(b.errors.empty());
  // A large body after small ones, then a small one again.
  std::string big;
  for (int i = 0; i < 5000; ++i) big += Line(R"("page":")" + std::string(i % 50, 'z') + "\"") + "\n";
  ParsedBatch c = MustParse(parser, big);
  ASSERT_EQ(c.rows.num_rows(), 5000u);
  EXPECT_EQ(c.rows.column(2).GetString(4999).size(), 4999u % 50);
  EXPECT_EQ(MustParse(parser, "").rows.num_rows(), 0u);
}

TEST(NdjsonParserTest, RowErrorToString) {
  RowError e{3, "ts", "bad", 0, 0};
  EXPECT_EQ(e.ToString(), R"(line 3, column "ts": bad)");
  e.column = "";
  EXPECT_EQ(e.ToString(), "line 3: bad");
}

TEST(NdjsonParserTest, SchemaValidation) {
  StreamSchema s = AllTypes();
  EXPECT_TRUE(NdjsonParser::ValidateSchema(s).ok());

  StreamSchema blob = s;
  blob.schema.fields.push_back({"raw", DataType::Binary(), true});
  Status st = NdjsonParser::ValidateSchema(blob);
  EXPECT_EQ(st.code(), StatusCode::kNotSupported);
  EXPECT_EQ(st.message(), R"(column "raw" has type BLOB, which NDJSON ingest does not support)");
  // Parse reports the same error.
  NdjsonParser parser(blob);
  Result<ParsedBatch> r = parser.Parse(Line(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), st.message());

  StreamSchema dec = s;
  dec.schema.fields.push_back({"amount", DataType::Decimal(10, 2), true});
  EXPECT_EQ(NdjsonParser::ValidateSchema(dec).code(), StatusCode::kNotSupported);

  StreamSchema bad_ts = s;
  bad_ts.event_time_column = 1;
  EXPECT_EQ(NdjsonParser::ValidateSchema(bad_ts).message(),
            R"(event-time column "user_id" must be a TIMESTAMP, not BIGINT)");
  bad_ts.event_time_column = 9;
  EXPECT_EQ(NdjsonParser::ValidateSchema(bad_ts).code(), StatusCode::kInvalidArgument);

  StreamSchema bad_id = s;
  bad_id.event_id_column = 4;
  EXPECT_EQ(NdjsonParser::ValidateSchema(bad_id).message(),
            R"(event-id column "score" must be INTEGER, BIGINT, UBIGINT or VARCHAR, not DOUBLE)");

  StreamSchema dup = s;
  dup.schema.fields.push_back({"page", DataType::String(), true});
  EXPECT_EQ(NdjsonParser::ValidateSchema(dup).message(),
            R"(column "page" appears twice in the stream schema)");

  StreamSchema empty;
  EXPECT_EQ(NdjsonParser::ValidateSchema(empty).code(), StatusCode::kInvalidArgument);
}

TEST(NdjsonParserTest, ManyColumnsLookup) {
  // More columns than the lookup table's minimum size, with similar names.
  StreamSchema s;
  for (int i = 0; i < 100; ++i) s.schema.fields.push_back({"c" + std::to_string(i), DataType::Int64(), true});
  NdjsonParser parser(s);
  std::string line = "{";
  for (int i = 99; i >= 0; --i)
    line += "\"c" + std::to_string(i) + "\":" + std::to_string(i * 10) + (i ? "," : "}");
  ParsedBatch b = MustParse(parser, line);
  ASSERT_EQ(b.rows.num_rows(), 1u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.rows.column(i).Value<int64_t>(0), i * 10);
}

}  // namespace
}  // namespace tandem::ingest
