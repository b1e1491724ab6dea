// libFuzzer target for NdjsonParser: parses arbitrary bytes as an NDJSON body for a stream with every
// supported type and checks the parser's promises (see ndjson_parser.h):
//   - Parse succeeds unless a limit is hit (and then says ResourceExhausted);
//   - rows + errors == non-blank lines, and `lines` counts every line;
//   - errors are in line order, one per line, each addressing its line in the body;
//   - every row is valid for the schema: NOT NULL columns have no nulls, timestamps and dates are in
//     range, strings are valid UTF-8, buffers have the right sizes.
// Corpus: fuzz/corpus/ndjson/.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/ndjson_parser.h"

namespace {

using tandem::Column;
using tandem::DataType;
using tandem::TimeUnit;
using tandem::TypeId;
using tandem::ingest::NdjsonParser;
using tandem::ingest::ParsedBatch;
using tandem::ingest::StreamSchema;

void Check(bool ok) {
  if (!ok) std::abort();
}

StreamSchema FuzzSchema() {
  StreamSchema s;
  s.schema.fields = {
      {"ts", DataType::Timestamp(), true},
      {"id", DataType::Int64(), false},
      {"s", DataType::String(), true},
      {"i", DataType::Int32(), true},
      {"d", DataType::Double(), true},
      {"f", DataType::Float(), true},
      {"b", DataType::Boolean(), true},
      {"day", DataType::Date(), true},
      {"u", DataType::UInt64(), true},
      {"ms", DataType::Timestamp(TimeUnit::kMillis), true},
      {"ns", DataType::Timestamp(TimeUnit::kNanos), true},
  };
  s.event_time_column = 0;
  s.event_id_column = 1;
  return s;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static NdjsonParser* parser = [] {
    tandem::ingest::ParseLimits limits;
    limits.max_line_bytes = 4096;
    limits.max_fields_per_object = 64;
    limits.max_string_bytes = 256;
    return new NdjsonParser(FuzzSchema(), limits);
  }();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = parser->Parse(body);
  if (!result.ok()) {
    Check(result.status().code() == tandem::StatusCode::kResourceExhausted);
    return 0;
  }
  const ParsedBatch& out = *result;

  // Count lines and non-blank lines independently (a leading byte order mark is skipped).
  std::string_view rest = body;
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  int64_t lines = 0, non_blank = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    ++lines;
    if (!IsBlank(line)) ++non_blank;
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  Check(out.lines == lines);
  Check(static_cast<int64_t>(out.rows.num_rows() + out.errors.size()) == non_blank);

  int64_t prev_line = 0;
  for (const auto& e : out.errors) {
    Check(e.line > prev_line && e.line <= lines);
    prev_line = e.line;
    Check(!e.reason.empty());
    Check(e.byte_offset >= 0 && e.byte_length >= 0 &&
          static_cast<size_t>(e.byte_offset + e.byte_length) <= body.size());
    std::string_view line = body.substr(e.byte_offset, e.byte_length);
    Check(line.find('\n') == std::string_view::npos && !IsBlank(line));
  }

  const auto& schema = out.rows.schema();
  const size_t n = out.rows.num_rows();
  Check(out.rows.num_columns() == schema.fields.size());
  for (size_t c = 0; c < out.rows.num_columns(); ++c) {
    const Column& col = out.rows.column(c);
    const auto& field = schema.fields[c];
    Check(col.type() == field.type);
    Check(col.length() == n);
    Check(col.validity().empty() || col.validity().size() == n);
    bool not_null = !field.nullable || static_cast<int>(c) == 0;
    if (not_null) Check(!col.has_nulls());
    if (col.type().IsVarWidth()) {
      Check(col.offsets().size() == n + 1 && col.offsets()[0] == 0);
      Check(static_cast<size_t>(col.offsets()[n]) == col.chars().size());
      for (size_t r = 0; r < n; ++r) {
        Check(col.offsets()[r] <= col.offsets()[r + 1]);
        Check(col.GetString(r).size() <= 256);
        Check(ValidUtf8(col.GetString(r)));
        if (col.IsNull(r)) Check(col.GetString(r).empty());
      }
      continue;
    }
    Check(col.data().size() == n * static_cast<size_t>(col.type().FixedWidth()));
    for (size_t r = 0; r < n; ++r) {
      if (col.IsNull(r)) continue;
      switch (col.type().id) {
        case TypeId::kBoolean: Check(col.Value<uint8_t>(r) <= 1); break;
        case TypeId::kDate: {
          int32_t d = col.Value<int32_t>(r);
          Check(d >= -719528 && d < 2932897);  // 0000-01-01 .. 9999-12-31
          break;
        }
        case TypeId::kTimestamp: {
          int64_t v = col.Value<int64_t>(r);
          int64_t per_second = col.type().unit == TimeUnit::kMillis   ? 1000
                               : col.type().unit == TimeUnit::kMicros ? 1000000
                                                                      : 0;
          if (per_second != 0) {
            Check(v >= -719528LL * 86400 * per_second && v < 2932897LL * 86400 * per_second);
          }
          break;
        }
        default: break;
      }
    }
  }
  return 0;
}
