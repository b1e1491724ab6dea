#include "cli/ndjson_convert.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "columnar/column.h"

namespace tandem::cli {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits on commas outside double quotes.
std::vector<std::string_view> SplitTopLevel(std::string_view spec) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == '"') quoted = !quoted;
    if (spec[i] == ',' && !quoted) {
      parts.push_back(spec.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(spec.substr(start));
  return parts;
}

bool ParseSqlType(const std::string& upper, DataType* type) {
  static const std::pair<const char*, DataType> kTypes[] = {
      {"BIGINT", DataType::Int64()},   {"INTEGER", DataType::Int32()},
      {"DOUBLE", DataType::Double()},  {"FLOAT", DataType::Float()},
      {"VARCHAR", DataType::String()}, {"BOOLEAN", DataType::Boolean()},
      {"DATE", DataType::Date()},      {"TIMESTAMP", DataType::Timestamp(TimeUnit::kMicros)},
  };
  for (const auto& [name, t] : kTypes) {
    if (upper == name) {
      *type = t;
      return true;
    }
  }
  return false;
}

bool ParseDigits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

unsigned DaysInMonth(int64_t y, int64_t m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "YYYY-MM-DD" at the start of `s`; days since the epoch.
bool ParseDatePrefix(std::string_view s, int64_t* days) {
  int64_t y, m, d;
  if (!ParseDigits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !ParseDigits(s, 5, 2, &m) || s[7] != '-' ||
      !ParseDigits(s, 8, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

}  // namespace

bool ParseIsoDate(std::string_view text, int32_t* days) {
  int64_t d;
  if (text.size() != 10 || !ParseDatePrefix(text, &d)) return false;
  *days = static_cast<int32_t>(d);
  return true;
}

bool ParseRfc3339Micros(std::string_view s, int64_t* micros) {
  int64_t days, hh, mm, ss;
  if (!ParseDatePrefix(s, &days) || s.size() < 20) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!ParseDigits(s, 11, 2, &hh) || s[13] != ':' || !ParseDigits(s, 14, 2, &mm) || s[16] != ':' ||
      !ParseDigits(s, 17, 2, &ss)) {
    return false;
  }
  if (hh > 23 || mm > 59 || ss > 59) return false;
  size_t pos = 19;
  int64_t frac_micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      int digit = s[pos] - '0';
      if (digits < 6) {
        frac_micros = frac_micros * 10 + digit;
      } else if (digit != 0) {
        return false;  // more precision than we store
      }
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return false;
    for (size_t i = digits; i < 6; ++i) frac_micros *= 10;
  }
  if (pos >= s.size()) return false;
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int64_t oh, om;
    if (!ParseDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  int64_t seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset_seconds;
  *micros = seconds * 1000000 + frac_micros;
  return true;
}

Result<Schema> ParseSchemaSpec(std::string_view spec) {
  Schema schema;
  if (Trim(spec).empty())
    return Status::InvalidArgument("--schema is empty; expected \"name TYPE [NOT NULL], ...\"");
  for (std::string_view part : SplitTopLevel(spec)) {
    std::string_view p = Trim(part);
    if (p.empty())
      return Status::InvalidArgument(fmt::format("--schema \"{}\": empty column definition", spec));
    Field field;
    std::string_view rest;
    if (p.front() == '"') {
      size_t close = p.find('"', 1);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument(fmt::format("--schema: unterminated quoted name in \"{}\"", p));
      }
      field.name = std::string(p.substr(1, close - 1));
      rest = Trim(p.substr(close + 1));
    } else {
      size_t sp = p.find_first_of(" \t");
      if (sp == std::string_view::npos) {
        return Status::InvalidArgument(fmt::format("--schema: column \"{}\" has no type", p));
      }
      field.name = std::string(p.substr(0, sp));
      rest = Trim(p.substr(sp));
    }
    if (field.name.empty())
      return Status::InvalidArgument(fmt::format("--schema: empty column name in \"{}\"", p));
    std::vector<std::string> words;
    for (size_t i = 0; i < rest.size();) {
      while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
      size_t j = i;
      while (j < rest.size() && !std::isspace(static_cast<unsigned char>(rest[j]))) ++j;
      if (j > i) words.push_back(Upper(rest.substr(i, j - i)));
      i = j;
    }
    if (words.empty())
      return Status::InvalidArgument(fmt::format("--schema: column \"{}\" has no type", field.name));
    if (!ParseSqlType(words[0], &field.type)) {
      return Status::InvalidArgument(
          fmt::format("--schema: column \"{}\": unknown type {} (expected BIGINT, INTEGER, DOUBLE, FLOAT, "
                      "VARCHAR, BOOLEAN, "
                      "DATE or TIMESTAMP)",
                      field.name, words[0]));
    }
    if (words.size() == 3 && words[1] == "NOT" && words[2] == "NULL") {
      field.nullable = false;
    } else if (words.size() == 2 && words[1] == "NULL") {
      field.nullable = true;
    } else if (words.size() != 1) {
      return Status::InvalidArgument(
          fmt::format("--schema: column \"{}\": unexpected \"{}\" after the type (only NOT NULL may follow)",
                      field.name, std::string(rest.substr(rest.find_first_of(" \t") + 1))));
    }
    if (schema.FindField(field.name) >= 0) {
      return Status::InvalidArgument(fmt::format("--schema: column \"{}\" is defined twice", field.name));
    }
    schema.fields.push_back(std::move(field));
  }
  return schema;
}

namespace {

namespace sj = simdjson;

// What a column accepts, for error messages.
std::string Expectation(const DataType& type) {
  switch (type.id) {
    case TypeId::kInt64: return "BIGINT (an integer)";
    case TypeId::kInt32: return "INTEGER (an integer from -2147483648 to 2147483647)";
    case TypeId::kDouble: return "DOUBLE (a number)";
    case TypeId::kFloat: return "FLOAT (a number)";
    case TypeId::kString: return "VARCHAR (a string)";
    case TypeId::kBoolean: return "BOOLEAN (true or false)";
    case TypeId::kDate: return "DATE (a \"YYYY-MM-DD\" string)";
    case TypeId::kTimestamp: return "TIMESTAMP (RFC 3339 string or epoch milliseconds)";
    default: return type.ToString();
  }
}

// The JSON text of a value, shortened for messages.
std::string Shown(sj::ondemand::value& v, sj::ondemand::json_type t) {
  if (t == sj::ondemand::json_type::object) return "an object";
  if (t == sj::ondemand::json_type::array) return "an array";
  std::string_view raw = Trim(v.raw_json_token());
  if (raw.size() > 80) return std::string(raw.substr(0, 77)) + "...";
  return std::string(raw);
}

class LineConverter {
 public:
  explicit LineConverter(const Schema& schema) : schema_(schema), seen_(schema.fields.size()) {
    for (size_t i = 0; i < schema.fields.size(); ++i) index_[schema.fields[i].name] = static_cast<int>(i);
    Reset();
  }

  void Reset() {
    columns_.clear();
    for (const Field& f : schema_.fields) columns_.emplace_back(f.type);
    rows_ = 0;
  }

  size_t rows() const { return rows_; }
  RecordBatch TakeBatch() {
    RecordBatch batch(schema_, std::move(columns_), rows_);
    Reset();
    return batch;
  }

  // Converts one non-blank line; on error, the columns may hold a partial row (the conversion stops).
  Status Convert(const char* data, size_t len, size_t capacity, int64_t line_no) {
    sj::padded_string_view view(data, len, capacity);
    sj::ondemand::document doc;
    if (auto err = parser_.iterate(view).get(doc); err != sj::SUCCESS) {
      return Status::InvalidArgument(
          fmt::format("line {}: invalid JSON ({})", line_no, sj::error_message(err)));
    }
    sj::ondemand::object obj;
    if (auto err = doc.get_object().get(obj); err != sj::SUCCESS) {
      return Status::InvalidArgument(
          fmt::format("line {}: expected a JSON object ({})", line_no, sj::error_message(err)));
    }
    std::fill(seen_.begin(), seen_.end(), false);
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != sj::SUCCESS) {
        return Status::InvalidArgument(fmt::format("line {}: invalid JSON object", line_no));
      }
      auto it = index_.find(key);
      if (it == index_.end()) continue;  // keys outside the schema are ignored
      int c = it->second;
      if (seen_[c]) {
        return Status::InvalidArgument(fmt::format("line {}: key \"{}\" appears twice", line_no, key));
      }
      seen_[c] = true;
      sj::ondemand::value value;
      if (field.value().get(value) != sj::SUCCESS) {
        return Status::InvalidArgument(
            fmt::format("line {}, column \"{}\": invalid JSON value", line_no, key));
      }
      TANDEM_RETURN_IF_ERROR(AppendValue(c, value, line_no));
    }
    // After the object, the document must be exhausted: current_location() is OUT_OF_BOUNDS at the end.
    if (doc.current_location().error() != sj::OUT_OF_BOUNDS) {
      return Status::InvalidArgument(fmt::format("line {}: unexpected text after the JSON object", line_no));
    }
    for (size_t c = 0; c < seen_.size(); ++c) {
      if (!seen_[c]) TANDEM_RETURN_IF_ERROR(AppendNull(static_cast<int>(c), line_no, /*missing=*/true));
    }
    ++rows_;
    return Status::OK();
  }

 private:
  Status AppendNull(int c, int64_t line_no, bool missing) {
    const Field& f = schema_.fields[c];
    if (!f.nullable) {
      return Status::InvalidArgument(fmt::format("line {}, column \"{}\": {} in a NOT NULL column", line_no,
                                                 f.name, missing ? "missing" : "null"));
    }
    columns_[c].AppendNull();
    return Status::OK();
  }

  Status Bad(int c, int64_t line_no, sj::ondemand::value& v, sj::ondemand::json_type t,
             std::string_view why = {}) {
    const Field& f = schema_.fields[c];
    return Status::InvalidArgument(fmt::format("line {}, column \"{}\": expected {}, got {}{}", line_no,
                                               f.name, Expectation(f.type), Shown(v, t), why));
  }

  Status AppendValue(int c, sj::ondemand::value& v, int64_t line_no) {
    sj::ondemand::json_type t;
    if (v.type().get(t) != sj::SUCCESS) {
      return Status::InvalidArgument(
          fmt::format("line {}, column \"{}\": invalid JSON value", line_no, schema_.fields[c].name));
    }
    if (t == sj::ondemand::json_type::null) return AppendNull(c, line_no, /*missing=*/false);
    Column& col = columns_[c];
    switch (col.type().id) {
      case TypeId::kInt64:
      case TypeId::kInt32: {
        int64_t x;
        if (t != sj::ondemand::json_type::number || v.get_int64().get(x) != sj::SUCCESS)
          return Bad(c, line_no, v, t);
        if (col.type().id == TypeId::kInt32) {
          if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) {
            return Bad(c, line_no, v, t);
          }
          col.Append<int32_t>(static_cast<int32_t>(x));
        } else {
          col.Append<int64_t>(x);
        }
        return Status::OK();
      }
      case TypeId::kDouble:
      case TypeId::kFloat: {
        double x;
        if (t == sj::ondemand::json_type::number) {
          if (v.get_double().get(x) != sj::SUCCESS) return Bad(c, line_no, v, t);
        } else if (t == sj::ondemand::json_type::string) {
          std::string_view s;
          if (v.get_string().get(s) != sj::SUCCESS) return Bad(c, line_no, v, t);
          if (s == "NaN") {
            x = std::numeric_limits<double>::quiet_NaN();
          } else if (s == "Infinity") {
            x = std::numeric_limits<double>::infinity();
          } else if (s == "-Infinity") {
            x = -std::numeric_limits<double>::infinity();
          } else {
            return Bad(c, line_no, v, t);
          }
        } else {
          return Bad(c, line_no, v, t);
        }
        if (col.type().id == TypeId::kFloat) {
          if (std::isfinite(x) && std::fabs(x) > std::numeric_limits<float>::max()) {
            return Bad(c, line_no, v, t, " (out of range for FLOAT)");
          }
          col.Append<float>(static_cast<float>(x));
        } else {
          col.Append<double>(x);
        }
        return Status::OK();
      }
      case TypeId::kString: {
        std::string_view s;
        if (t != sj::ondemand::json_type::string || v.get_string().get(s) != sj::SUCCESS) {
          return Bad(c, line_no, v, t);
        }
        col.AppendString(s);
        return Status::OK();
      }
      case TypeId::kBoolean: {
        bool b;
        if (t != sj::ondemand::json_type::boolean || v.get_bool().get(b) != sj::SUCCESS) {
          return Bad(c, line_no, v, t);
        }
        col.Append<uint8_t>(b ? 1 : 0);
        return Status::OK();
      }
      case TypeId::kDate: {
        std::string_view s;
        int32_t days;
        if (t != sj::ondemand::json_type::string || v.get_string().get(s) != sj::SUCCESS ||
            !ParseIsoDate(s, &days)) {
          return Bad(c, line_no, v, t);
        }
        col.Append<int32_t>(days);
        return Status::OK();
      }
      case TypeId::kTimestamp: {
        int64_t micros;
        if (t == sj::ondemand::json_type::string) {
          std::string_view s;
          if (v.get_string().get(s) != sj::SUCCESS || !ParseRfc3339Micros(s, &micros))
            return Bad(c, line_no, v, t);
        } else if (t == sj::ondemand::json_type::number) {
          int64_t millis;
          if (v.get_int64().get(millis) != sj::SUCCESS) return Bad(c, line_no, v, t);
          if (__builtin_mul_overflow(millis, int64_t{1000}, &micros)) {
            return Bad(c, line_no, v, t, " (out of range)");
          }
        } else {
          return Bad(c, line_no, v, t);
        }
        col.Append<int64_t>(micros);
        return Status::OK();
      }
      default:
        return Status::Internal(fmt::format("column \"{}\": type {} is not handled by convert",
                                            schema_.fields[c].name, col.type().ToString()));
    }
  }

  const Schema& schema_;
  std::unordered_map<std::string_view, int> index_;
  std::vector<bool> seen_;
  std::vector<Column> columns_;
  size_t rows_ = 0;
  sj::ondemand::parser parser_;
};

Status ConvertInto(FileSystem* fs, const ConvertOptions& o, parquet::ParquetWriter* writer,
                   ConvertStats* stats) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> in, fs->NewRandomAccessFile(o.input_path));
  TANDEM_ASSIGN_OR_RETURN(uint64_t size, in->Size());
  LineConverter converter(o.schema);
  constexpr size_t kBlock = 8u << 20;
  // buf[0, filled) holds unprocessed input; SIMDJSON_PADDING readable bytes always follow it.
  std::vector<char> buf(kBlock + sj::SIMDJSON_PADDING);
  size_t filled = 0;
  uint64_t offset = 0;
  int64_t line_no = 0;
  bool eof = false;
  while (!eof || filled > 0) {
    if (!eof) {
      if (buf.size() - sj::SIMDJSON_PADDING - filled < kBlock / 2) {
        buf.resize(buf.size() * 2);  // a line longer than the buffer: grow
      }
      size_t want = buf.size() - sj::SIMDJSON_PADDING - filled;
      TANDEM_ASSIGN_OR_RETURN(size_t got,
                              in->ReadAt(offset, want, reinterpret_cast<uint8_t*>(buf.data() + filled)));
      offset += got;
      filled += got;
      if (got == 0 || offset >= size) eof = true;
    }
    size_t pos = 0;
    while (pos < filled) {
      const char* start = buf.data() + pos;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', filled - pos));
      if (nl == nullptr && !eof) break;  // incomplete last line: read more
      size_t len = nl ? static_cast<size_t>(nl - start) : filled - pos;
      size_t next = pos + len + (nl ? 1 : 0);
      ++line_no;
      size_t body = len;
      if (body > 0 && start[body - 1] == '\r') --body;
      if (!Trim(std::string_view(start, body)).empty()) {
        Status st = converter.Convert(start, body, buf.size() - pos, line_no);
        if (!st.ok()) return st.WithContext(o.input_path);
        ++stats->rows;
        if (converter.rows() >= o.batch_rows) TANDEM_RETURN_IF_ERROR(writer->Write(converter.TakeBatch()));
      }
      pos = next;
    }
    std::memmove(buf.data(), buf.data() + pos, filled - pos);
    filled -= pos;
  }
  stats->lines = line_no;
  if (converter.rows() > 0) TANDEM_RETURN_IF_ERROR(writer->Write(converter.TakeBatch()));
  return Status::OK();
}

}  // namespace

Result<ConvertStats> ConvertNdjsonToParquet(FileSystem* fs, const ConvertOptions& o) {
  if (o.schema.fields.empty()) return Status::InvalidArgument("the schema has no columns");
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs->Exists(o.input_path));
  if (!exists) return Status::NotFound(fmt::format("{}: no such file", o.input_path));
  const std::string tmp = o.output_path + ".tmp";
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewWritableFile(tmp));
  auto writer_or = parquet::ParquetWriter::Open(std::move(file), o.schema, o.writer);
  if (!writer_or.ok()) {
    (void)fs->RemoveFile(tmp);
    return writer_or.status();
  }
  std::unique_ptr<parquet::ParquetWriter> writer = std::move(writer_or).value();
  ConvertStats stats;
  Status st = ConvertInto(fs, o, writer.get(), &stats);
  if (st.ok()) st = writer->Close();
  writer.reset();
  if (st.ok()) st = fs->Rename(tmp, o.output_path);
  if (st.ok()) st = fs->SyncDir(DirName(o.output_path));
  if (!st.ok()) {
    (void)fs->RemoveFile(tmp);
    return st;
  }
  return stats;
}

}  // namespace tandem::cli
