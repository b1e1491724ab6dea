#include "ingest/ndjson_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cfloat>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>

#include "ingest/timestamp_parse.h"

namespace tandem::ingest {

namespace od = simdjson::ondemand;

namespace {

// How a schema type is read from JSON and stored.
enum class Kind : uint8_t { kBoolean, kInt32, kInt64, kUInt64, kFloat, kDouble, kString, kDate, kTimestamp };

// Values quoted in error messages are cut to this many bytes (at a UTF-8 boundary) and marked "...".
constexpr size_t kMaxShownValueBytes = 64;

bool IsJsonWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// `raw` (a JSON token as written in the input) for an error message.
std::string ShowValue(std::string_view raw) {
  while (!raw.empty() && IsJsonWhitespace(raw.back())) raw.remove_suffix(1);
  if (raw.size() <= kMaxShownValueBytes) return std::string(raw);
  size_t n = kMaxShownValueBytes;
  while (n > 0 && (static_cast<unsigned char>(raw[n]) & 0xC0) == 0x80) --n;
  std::string out(raw.substr(0, n));
  out += "...";
  return out;
}

// True if `s` is a number by the grammar of RFC 8259 §6.
bool IsJsonNumberSyntax(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

// Offset of the first byte of `s` that is not part of valid UTF-8, or s.size().
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t min;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return n;
}

const char* JsonTypeNoun(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "an unknown value";
}

struct ColumnPlan {
  Kind kind = Kind::kInt64;
  TimeUnit unit = TimeUnit::kMicros;
  bool not_null = false;
  size_t width = 8;  // bytes per value in Column::data
  std::string name;
  std::string expected;  // "expected BIGINT (JSON integer), got "
};

// One column's output buffers, filled row by row and moved into a Column at the end of a body.
struct ColumnBuilder {
  std::vector<uint8_t> data;
  std::vector<uint8_t> validity;
  bool has_null = false;
  std::vector<int64_t> offsets;
  std::string chars;
};

// The value of one column in the row being parsed. Strings point into the simdjson parser's buffer,
// which stays valid until the next line is parsed.
struct Slot {
  bool null = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;
};

// Exact-match lookup of field names to column indices: open addressing over a power-of-two table at
// most half full, keyed by a cheap hash of the length and three bytes, so that a lookup costs a few
// instructions and one name comparison.
class FieldTable {
 public:
  void Build(const std::vector<Field>& fields) {
    size_t size = 16;
    while (size < fields.size() * 2) size *= 2;
    mask_ = size - 1;
    entries_.assign(size, Entry{});
    for (size_t c = 0; c < fields.size(); ++c) {
      std::string_view name = fields[c].name;
      size_t i = Hash(name) & mask_;
      while (entries_[i].column >= 0) i = (i + 1) & mask_;
      entries_[i] = Entry{name, static_cast<int32_t>(c)};
    }
  }

  // The column named exactly `key`, or -1. The names are views of the schema given to Build.
  int Find(std::string_view key) const {
    for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.column < 0) return -1;
      if (e.name.size() == key.size() && std::memcmp(e.name.data(), key.data(), key.size()) == 0)
        return e.column;
    }
  }

 private:
  struct Entry {
    std::string_view name;
    int32_t column = -1;
  };
  static uint32_t Hash(std::string_view s) {
    uint32_t h = static_cast<uint32_t>(s.size());
    if (!s.empty()) {
      h = h * 31 + static_cast<unsigned char>(s[0]);
      h = h * 31 + static_cast<unsigned char>(s[s.size() / 2]);
      h = h * 31 + static_cast<unsigned char>(s.back());
    }
    return (h * 2654435761u) >> 8;
  }
  std::vector<Entry> entries_;
  size_t mask_ = 0;
};

// Lines in the n bytes at p (a final line without '\n' counts), via memchr, which is vectorized.
size_t CountLines(const char* p, size_t n) {
  size_t lines = 0;
  const char* end = p + n;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    ++lines;
    if (nl == nullptr) break;
    p = nl + 1;
  }
  return lines;
}

bool IsSupportedType(TypeId id) {
  return id != TypeId::kBinary && id != TypeId::kDecimal;
}

}  // namespace

std::string RowError::ToString() const {
  if (column.empty()) return fmt::format("line {}: {}", line, reason);
  return fmt::format("line {}, column \"{}\": {}", line, column, reason);
}

class NdjsonParser::Impl {
 public:
  Impl(StreamSchema schema, ParseLimits limits)
      : schema_(std::move(schema)),
        limits_(limits),
        init_status_(ValidateSchema(schema_)),
        json_parser_(std::max<size_t>(limits_.max_line_bytes, 4096)) {
    if (!init_status_.ok()) return;
    const auto& fields = schema_.schema.fields;
    table_.Build(fields);
    plans_.resize(fields.size());
    slots_.resize(fields.size());
    seen_.assign(fields.size(), 0);
    for (size_t c = 0; c < fields.size(); ++c) {
      ColumnPlan& p = plans_[c];
      const DataType& t = fields[c].type;
      p.name = fields[c].name;
      p.not_null = !fields[c].nullable || static_cast<int>(c) == schema_.event_time_column;
      p.unit = t.unit;
      const char* what = "";
      switch (t.id) {
        case TypeId::kBoolean: p.kind = Kind::kBoolean, p.width = 1, what = "true or false"; break;
        case TypeId::kInt32: p.kind = Kind::kInt32, p.width = 4, what = "JSON integer"; break;
        case TypeId::kInt64: p.kind = Kind::kInt64, p.width = 8, what = "JSON integer"; break;
        case TypeId::kUInt64: p.kind = Kind::kUInt64, p.width = 8, what = "JSON integer"; break;
        case TypeId::kFloat: p.kind = Kind::kFloat, p.width = 4, what = "JSON number"; break;
        case TypeId::kDouble: p.kind = Kind::kDouble, p.width = 8, what = "JSON number"; break;
        case TypeId::kString: p.kind = Kind::kString, p.width = 0, what = "JSON string"; break;
        case TypeId::kDate: p.kind = Kind::kDate, p.width = 4, what = "\"YYYY-MM-DD\" string"; break;
        case TypeId::kTimestamp:
          p.kind = Kind::kTimestamp, p.width = 8, what = "RFC 3339 string or epoch milliseconds";
          break;
        case TypeId::kBinary:
        case TypeId::kDecimal: break;  // refused by ValidateSchema
      }
      p.expected = fmt::format("expected {} ({}), got ", t.ToString(), what);
      if (p.not_null) not_null_.push_back(static_cast<int>(c));
    }
  }

  const StreamSchema& schema() const { return schema_; }
  const ParseLimits& limits() const { return limits_; }

  Result<ParsedBatch> Parse(std::string_view body) {
    if (!init_status_.ok()) return init_status_;
    if (body.size() > limits_.max_body_bytes) {
      return Status::ResourceExhausted(fmt::format(
          "request body is {} bytes, over the limit max_body_bytes={}", body.size(), limits_.max_body_bytes));
    }
    // simdjson reads up to SIMDJSON_PADDING bytes past the end of its input (their content does not
    // matter), so the body is copied once into a buffer with room after it; every line is parsed in place.
    size_t need = body.size() + simdjson::SIMDJSON_PADDING;
    if (buffer_capacity_ < need) {
      buffer_.reset(new char[need]);
      buffer_capacity_ = need;
    }
    if (!body.empty()) std::memcpy(buffer_.get(), body.data(), body.size());
    std::memset(buffer_.get() + body.size(), ' ', simdjson::SIMDJSON_PADDING);

    const char* base = buffer_.get();
    const size_t n = body.size();
    StartBody(CountLines(base, n));
    ParsedBatch out;
    size_t pos = 0;
    if (n >= 3 && std::memcmp(base, "\xEF\xBB\xBF", 3) == 0) pos = 3;  // a UTF-8 byte order mark
    int64_t line_no = 0;
    size_t rows = 0;
    while (pos < n) {
      const char* start = base + pos;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', n - pos));
      size_t len = nl != nullptr ? static_cast<size_t>(nl - start) : n - pos;
      size_t next = pos + len + (nl != nullptr ? 1 : 0);
      if (len > 0 && start[len - 1] == '\r') --len;
      ++line_no;
      size_t k = 0;
      while (k < len && IsJsonWhitespace(start[k])) ++k;
      if (k < len) {  // not blank
        bool ok;
        if (len > limits_.max_line_bytes) {
          err_column_ = -1;
          err_reason_ =
              fmt::format("line is {} bytes, over the limit max_line_bytes={}", len, limits_.max_line_bytes);
          ok = false;
        } else {
          ok = ParseLine(start, len, n + simdjson::SIMDJSON_PADDING - pos, rows);
        }
        if (ok) {
          ++rows;
        } else {
          RowError e;
          e.line = line_no;
          if (err_column_ >= 0) e.column = plans_[err_column_].name;
          e.reason = std::move(err_reason_);
          e.byte_offset = static_cast<int64_t>(pos);
          e.byte_length = static_cast<int64_t>(len);
          out.errors.push_back(std::move(e));
          if (limits_.max_row_errors != 0 && out.errors.size() > limits_.max_row_errors) {
            return Status::ResourceExhausted(
                fmt::format("request body has more than {} bad lines (max_row_errors); the first: {}",
                            limits_.max_row_errors, out.errors.front().ToString()));
          }
        }
      }
      pos = next;
    }
    out.lines = line_no;
    out.rows = FinishBody(rows);
    return out;
  }

 private:
  // Sizes the builders for a body of `lines` lines: no body has more rows, so CommitRow writes by index
  // into pre-sized buffers, and FinishBody cuts them to the rows kept.
  void StartBody(size_t lines) {
    builders_.clear();
    builders_.resize(plans_.size());
    for (size_t c = 0; c < plans_.size(); ++c) {
      ColumnBuilder& b = builders_[c];
      b.validity.resize(lines);
      if (plans_[c].kind == Kind::kString) {
        b.offsets.resize(lines + 1);
        b.offsets[0] = 0;
      } else {
        b.data.resize(lines * plans_[c].width);
      }
    }
    lines_capacity_ = lines;
  }

  RecordBatch FinishBody(size_t rows) {
    // Give back the room of bad and blank lines when it is most of the buffers.
    bool shrink = rows < lines_capacity_ / 2;
    std::vector<Column> columns;
    columns.reserve(plans_.size());
    for (size_t c = 0; c < plans_.size(); ++c) {
      ColumnBuilder& b = builders_[c];
      Column col(schema_.schema.fields[c].type);
      if (plans_[c].kind == Kind::kString) {
        b.offsets.resize(rows + 1);
        if (shrink) b.offsets.shrink_to_fit();
        col.mutable_offsets() = std::move(b.offsets);
        col.mutable_chars() = std::move(b.chars);
      } else {
        b.data.resize(rows * plans_[c].width);
        if (shrink) b.data.shrink_to_fit();
        col.mutable_data() = std::move(b.data);
      }
      if (b.has_null) {
        b.validity.resize(rows);
        if (shrink) b.validity.shrink_to_fit();
        col.mutable_validity() = std::move(b.validity);
      }
      col.SetLength(rows);
      columns.push_back(std::move(col));
    }
    builders_.clear();
    return RecordBatch(schema_.schema, std::move(columns), rows);
  }

  template <typename T>
  static void Store(std::vector<uint8_t>* data, size_t row, T v) {
    std::memcpy(data->data() + row * sizeof(T), &v, sizeof(T));
  }

  // Stores the row held in slots_ as row `row` (every column not seen in this line is NULL).
  void CommitRow(size_t row) {
    for (size_t c = 0; c < plans_.size(); ++c) {
      ColumnBuilder& b = builders_[c];
      const Slot& s = slots_[c];
      bool valid = seen_[c] == stamp_ && !s.null;
      b.validity[row] = valid ? 1 : 0;
      b.has_null |= !valid;
      switch (plans_[c].kind) {
        case Kind::kString:
          if (valid) b.chars.append(s.s);
          b.offsets[row + 1] = static_cast<int64_t>(b.chars.size());
          break;
        case Kind::kBoolean: Store<uint8_t>(&b.data, row, valid ? static_cast<uint8_t>(s.i) : 0); break;
        case Kind::kInt32:
        case Kind::kDate: Store<int32_t>(&b.data, row, valid ? static_cast<int32_t>(s.i) : 0); break;
        case Kind::kInt64:
        case Kind::kTimestamp: Store<int64_t>(&b.data, row, valid ? s.i : 0); break;
        case Kind::kUInt64: Store<uint64_t>(&b.data, row, valid ? static_cast<uint64_t>(s.i) : 0); break;
        case Kind::kFloat: Store<float>(&b.data, row, valid ? static_cast<float>(s.d) : 0.0f); break;
        case Kind::kDouble: Store<double>(&b.data, row, valid ? s.d : 0.0); break;
      }
    }
  }

  // Parses one non-blank line of `len` bytes at `p` (with `capacity` readable bytes). Stores it as row
  // `row` and returns true, or returns false with err_column_ and err_reason_ set.
  bool ParseLine(const char* p, size_t len, size_t capacity, size_t row) {
    od::document doc;
    simdjson::error_code err = json_parser_.iterate(p, len, capacity).get(doc);
    if (err) return JsonError(err, p, len, nullptr);
    od::json_type type;
    if ((err = doc.type().get(type))) return JsonError(err, p, len, &doc);
    if (type != od::json_type::object) {
      err_column_ = -1;
      err_reason_ = fmt::format("expected a JSON object, got {}", JsonTypeNoun(type));
      return false;
    }
    od::object obj;
    if ((err = doc.get_object().get(obj))) return JsonError(err, p, len, &doc);
    if (++stamp_ == 0) {  // wrapped: forget every old stamp
      std::fill(seen_.begin(), seen_.end(), 0);
      stamp_ = 1;
    }
    size_t fields = 0;
    for (auto field_result : obj) {
      od::field field;
      if ((err = std::move(field_result).get(field))) return JsonError(err, p, len, &doc);
      if (++fields > limits_.max_fields_per_object && limits_.max_fields_per_object != 0) {
        err_column_ = -1;
        err_reason_ = fmt::format("object has more than {} fields (max_fields_per_object)",
                                  limits_.max_fields_per_object);
        return false;
      }
      std::string_view key;
      if ((err = field.unescaped_key().get(key))) return JsonError(err, p, len, &doc);
      int c = table_.Find(key);
      if (c < 0) continue;  // unknown field: the iteration skips its value
      if (seen_[c] == stamp_) {
        err_column_ = c;
        err_reason_ = fmt::format("duplicate field \"{}\"", plans_[c].name);
        return false;
      }
      seen_[c] = stamp_;
      if (!ReadValue(c, field.value(), p, len, &doc)) return false;
    }
    const char* rest;
    if (!doc.current_location().get(rest)) {
      err_column_ = -1;
      err_reason_ = fmt::format("invalid JSON: unexpected content after the object (at byte {})", rest - p);
      return false;
    }
    for (int c : not_null_) {
      if (seen_[c] != stamp_) {
        err_column_ = c;
        err_reason_ = fmt::format("column \"{}\" is NOT NULL but missing", plans_[c].name);
        return false;
      }
    }
    CommitRow(row);
    return true;
  }

  // Reads the value of column c into slots_[c]; false with the error set.
  bool ReadValue(int c, od::value v, const char* p, size_t len, od::document* doc) {
    const ColumnPlan& plan = plans_[c];
    Slot& slot = slots_[c];
    od::json_type type;
    simdjson::error_code err = v.type().get(type);
    if (err) return JsonError(err, p, len, doc);
    if (type == od::json_type::null) {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return JsonError(simdjson::N_ATOM_ERROR, p, len, doc);
      if (plan.not_null) {
        err_column_ = c;
        err_reason_ = fmt::format("column \"{}\" is NOT NULL but null", plan.name);
        return false;
      }
      slot.null = true;
      return true;
    }
    slot.null = false;
    switch (plan.kind) {
      case Kind::kBoolean: {
        if (type != od::json_type::boolean) return TypeError(c, v, type);
        bool b;
        if (v.get_bool().get(b)) {
          std::string_view raw = v.raw_json_token();
          bool t = !raw.empty() && raw[0] == 't';
          return JsonError(t ? simdjson::T_ATOM_ERROR : simdjson::F_ATOM_ERROR, p, len, doc);
        }
        slot.i = b ? 1 : 0;
        return true;
      }
      case Kind::kInt32:
      case Kind::kInt64: {
        if (type != od::json_type::number) return TypeError(c, v, type);
        int64_t x;
        if ((err = v.get_int64().get(x))) return NumberError(c, v, err, p, len, doc);
        if (plan.kind == Kind::kInt32 &&
            (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())) {
          return OutOfRange(c, v, "out of range");
        }
        slot.i = x;
        return true;
      }
      case Kind::kUInt64: {
        if (type != od::json_type::number) return TypeError(c, v, type);
        uint64_t x;
        if ((err = v.get_uint64().get(x))) return NumberError(c, v, err, p, len, doc);
        slot.i = static_cast<int64_t>(x);
        return true;
      }
      case Kind::kFloat:
      case Kind::kDouble: {
        if (type != od::json_type::number) return TypeError(c, v, type);
        double x;
        if ((err = v.get_double().get(x))) return NumberError(c, v, err, p, len, doc);
        if (plan.kind == Kind::kFloat && (x > FLT_MAX || x < -FLT_MAX))
          return OutOfRange(c, v, "out of range");
        slot.d = x;
        return true;
      }
      case Kind::kString: {
        if (type != od::json_type::string) return TypeError(c, v, type);
        if ((err = v.get_string().get(slot.s))) return JsonError(err, p, len, doc);
        if (limits_.max_string_bytes != 0 && slot.s.size() > limits_.max_string_bytes) {
          err_column_ = c;
          err_reason_ = fmt::format("VARCHAR value is {} bytes, over the limit max_string_bytes={}",
                                    slot.s.size(), limits_.max_string_bytes);
          return false;
        }
        return true;
      }
      case Kind::kDate: {
        if (type != od::json_type::string) return TypeError(c, v, type);
        std::string_view s;
        if ((err = v.get_string().get(s))) return JsonError(err, p, len, doc);
        int32_t days;
        TimeParseError e = ParseIsoDate(s, &days);
        if (e != TimeParseError::kOk) return TimeError(c, v, e);
        slot.i = days;
        return true;
      }
      case Kind::kTimestamp: {
        if (type == od::json_type::string) {
          std::string_view s;
          if ((err = v.get_string().get(s))) return JsonError(err, p, len, doc);
          TimeParseError e = ParseRfc3339(s, plan.unit, &slot.i);
          if (e != TimeParseError::kOk) return TimeError(c, v, e);
          return true;
        }
        if (type != od::json_type::number) return TypeError(c, v, type);
        int64_t ms;
        if ((err = v.get_int64().get(ms))) return NumberError(c, v, err, p, len, doc);
        TimeParseError e = EpochMillisToUnit(ms, plan.unit, &slot.i);
        if (e != TimeParseError::kOk) return TimeError(c, v, e);
        return true;
      }
    }
    return TypeError(c, v, type);
  }

  // The value has the wrong JSON type for column c.
  bool TypeError(int c, od::value& v, od::json_type type) {
    err_column_ = c;
    err_reason_ = plans_[c].expected;
    if (type == od::json_type::object || type == od::json_type::array) {
      err_reason_ += JsonTypeNoun(type);
    } else {
      err_reason_ += ShowValue(v.raw_json_token());
    }
    return false;
  }

  // The value has the right JSON type but is out of the column's range; `why` is appended in parentheses.
  bool OutOfRange(int c, od::value& v, std::string_view why) {
    err_column_ = c;
    err_reason_ = fmt::format("{}{} ({})", plans_[c].expected, ShowValue(v.raw_json_token()), why);
    return false;
  }

  bool TimeError(int c, od::value& v, TimeParseError e) {
    if (e == TimeParseError::kSyntax) return TypeError(c, v, od::json_type::string);
    return OutOfRange(c, v, TimeParseErrorText(e));
  }

  // simdjson refused a number for column c: a fraction or exponent where an integer is expected, a
  // value out of range, or a malformed number.
  bool NumberError(int c, od::value& v, simdjson::error_code err, const char* p, size_t len,
                   od::document* doc) {
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() && IsJsonWhitespace(raw.back())) raw.remove_suffix(1);
    if (!IsJsonNumberSyntax(raw)) return JsonError(simdjson::NUMBER_ERROR, p, len, doc);
    bool integral = raw.find_first_of(".eE") == std::string_view::npos;
    Kind k = plans_[c].kind;
    bool wants_integer = k != Kind::kFloat && k != Kind::kDouble;
    if (wants_integer && !integral) return TypeError(c, v, od::json_type::number);
    return OutOfRange(c, v, "out of range");
  }

  // Invalid JSON; the byte offset within the line is given when simdjson knows it.
  bool JsonError(simdjson::error_code err, const char* p, size_t len, od::document* doc) {
    err_column_ = -1;
    err_reason_ = fmt::format("invalid JSON: {}", simdjson::error_message(err));
    int64_t at = -1;
    if (err == simdjson::UTF8_ERROR) {
      at = static_cast<int64_t>(FirstInvalidUtf8(std::string_view(p, len)));
    } else if (doc != nullptr && err != simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
      // (For an unclosed object simdjson reports the position of its start, which misleads.)
      const char* loc;
      if (!doc->current_location().get(loc) && loc >= p && loc <= p + len) at = loc - p;
    }
    if (at >= 0 && at <= static_cast<int64_t>(len)) err_reason_ += fmt::format(" (at byte {})", at);
    return false;
  }

  StreamSchema schema_;
  ParseLimits limits_;
  Status init_status_;
  od::parser json_parser_;
  FieldTable table_;
  std::vector<ColumnPlan> plans_;
  std::vector<int> not_null_;
  std::vector<ColumnBuilder> builders_;
  size_t lines_capacity_ = 0;  // rows the builders have room for
  std::vector<Slot> slots_;
  std::vector<uint32_t> seen_;  // seen_[c] == stamp_: column c appeared in the current line
  uint32_t stamp_ = 0;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  int err_column_ = -1;
  std::string err_reason_;
};

Status NdjsonParser::ValidateSchema(const StreamSchema& s) {
  const auto& fields = s.schema.fields;
  if (fields.empty()) return Status::InvalidArgument("a stream needs at least one column");
  std::unordered_set<std::string_view> names;
  for (const Field& f : fields) {
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument(fmt::format("column \"{}\" appears twice in the stream schema", f.name));
    }
    if (!IsSupportedType(f.type.id)) {
      return Status::NotSupported(fmt::format(
          "column \"{}\" has type {}, which NDJSON ingest does not support", f.name, f.type.ToString()));
    }
  }
  int n = static_cast<int>(fields.size());
  if (s.event_time_column < -1 || s.event_time_column >= n) {
    return Status::InvalidArgument(fmt::format(
        "event-time column index {} is not a column of the stream (0..{})", s.event_time_column, n - 1));
  }
  if (s.event_time_column >= 0 && fields[s.event_time_column].type.id != TypeId::kTimestamp) {
    const Field& f = fields[s.event_time_column];
    return Status::InvalidArgument(
        fmt::format("event-time column \"{}\" must be a TIMESTAMP, not {}", f.name, f.type.ToString()));
  }
  if (s.event_id_column < -1 || s.event_id_column >= n) {
    return Status::InvalidArgument(fmt::format(
        "event-id column index {} is not a column of the stream (0..{})", s.event_id_column, n - 1));
  }
  if (s.event_id_column >= 0) {
    const Field& f = fields[s.event_id_column];
    TypeId id = f.type.id;
    if (id != TypeId::kInt32 && id != TypeId::kInt64 && id != TypeId::kUInt64 && id != TypeId::kString) {
      return Status::InvalidArgument(
          fmt::format("event-id column \"{}\" must be INTEGER, BIGINT, UBIGINT or VARCHAR, not {}", f.name,
                      f.type.ToString()));
    }
  }
  return Status::OK();
}

NdjsonParser::NdjsonParser(StreamSchema schema, ParseLimits limits)
    : impl_(std::make_unique<Impl>(std::move(schema), limits)) {}
NdjsonParser::~NdjsonParser() = default;
NdjsonParser::NdjsonParser(NdjsonParser&&) noexcept = default;
NdjsonParser& NdjsonParser::operator=(NdjsonParser&&) noexcept = default;

Result<ParsedBatch> NdjsonParser::Parse(std::string_view body) {
  return impl_->Parse(body);
}
const StreamSchema& NdjsonParser::schema() const {
  return impl_->schema();
}
const ParseLimits& NdjsonParser::limits() const {
  return impl_->limits();
}

}  // namespace tandem::ingest
