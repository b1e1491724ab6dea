// `tandem parquet schema|cat|stats|convert`: look inside Parquet files and make them from NDJSON.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/ndjson_convert.h"
#include "columnar/value.h"
#include "common/file_system.h"
#include "lake/parquet/parquet_reader.h"
#include "lake/parquet/parquet_writer.h"

namespace tandem::cli {
namespace {

using parquet::ParquetReader;

// Buffers stdout writes; flushes every megabyte and at destruction.
class StdoutBuffer {
 public:
  ~StdoutBuffer() { Flush(); }
  std::string& text() { return buf_; }
  void MaybeFlush() {
    if (buf_.size() >= (1u << 20)) Flush();
  }
  void Flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
  }

 private:
  std::string buf_;
};

std::string JsonString(const std::string& s) {
  return Value::String(s).ToJson();
}

// "1 row", "2 rows".
std::string Count(int64_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// Formats rows of text cells as an aligned table (first row is the header).
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

Result<std::unique_ptr<ParquetReader>> Open(const std::string& path) {
  auto reader = parquet::OpenParquetFile(LocalFileSystem(), path);
  if (!reader.ok() && reader.status().message().find(path) == std::string::npos) {
    return reader.status().WithContext(path);
  }
  return reader;
}

// The physical type of a top-level column, from the first row group (empty when there is none).
std::string PhysicalType(const parquet::FileInfo& info, const std::string& name) {
  if (info.row_groups.empty()) return "-";
  for (const auto& chunk : info.row_groups[0].columns) {
    if (chunk.name == name) return chunk.physical_type;
  }
  return "-";
}

Status RunSchema(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(auto reader, Open(path));
  const auto& info = reader->info();
  std::string out = fmt::format("{}: {}, {}, {} bytes, created by {}\n", path, Count(info.num_rows, "row"),
                                Count(static_cast<int64_t>(info.row_groups.size()), "row group"),
                                info.file_size, info.created_by.empty() ? "(unknown)" : info.created_by);
  std::vector<std::vector<std::string>> rows = {{"#", "column", "type", "physical", "nullable"}};
  const Schema& schema = reader->schema();
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const Field& f = schema.fields[i];
    rows.push_back({std::to_string(i), f.name, f.type.ToString(), PhysicalType(info, f.name),
                    f.nullable ? "yes" : "no"});
  }
  out += Table(rows);
  if (!reader->unsupported_columns().empty()) {
    out += "\nunsupported columns (not readable):\n";
    for (const auto& u : reader->unsupported_columns()) out += fmt::format("  {}: {}\n", u.name, u.reason);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return Status::OK();
}

Status RunCat(const std::string& path, const std::vector<std::string>& names, int64_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto reader, Open(path));
  std::vector<int> columns;
  if (!names.empty()) {
    auto resolved = reader->ResolveColumns(names);
    if (!resolved.ok()) return resolved.status().WithContext(path);
    columns = std::move(resolved).value();
  } else {
    if (!reader->unsupported_columns().empty()) {
      const auto& u = reader->unsupported_columns().front();
      return Status::NotSupported(
          fmt::format("{}: column \"{}\" cannot be read: {}; pick readable columns with --columns", path,
                      u.name, u.reason));
    }
    for (size_t i = 0; i < reader->schema().fields.size(); ++i) columns.push_back(static_cast<int>(i));
  }
  std::vector<std::string> keys;
  for (int c : columns) keys.push_back(JsonString(reader->schema().fields[c].name) + ":");
  StdoutBuffer out;
  int64_t printed = 0;
  for (int rg = 0; rg < reader->num_row_groups() && (limit < 0 || printed < limit); ++rg) {
    TANDEM_ASSIGN_OR_RETURN(RecordBatch batch, reader->ReadRowGroup(rg, columns));
    for (size_t r = 0; r < batch.num_rows() && (limit < 0 || printed < limit); ++r, ++printed) {
      std::string& s = out.text();
      s += '{';
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        if (c) s += ',';
        s += keys[c];
        batch.column(c).AppendJson(r, &s);
      }
      s += "}\n";
      out.MaybeFlush();
    }
  }
  return Status::OK();
}

std::string ValueText(const std::optional<Value>& v) {
  return v ? v->ToJson() : "-";
}

Status RunStats(const std::string& path, bool json) {
  TANDEM_ASSIGN_OR_RETURN(auto reader, Open(path));
  const auto& info = reader->info();
  std::string out;
  if (json) {
    out += fmt::format(
        "{{\"file\":{},\"num_rows\":{},\"file_size\":{},\"version\":{},\"created_by\":{},\"row_groups\":[",
        JsonString(path), info.num_rows, info.file_size, info.version, JsonString(info.created_by));
    for (size_t g = 0; g < info.row_groups.size(); ++g) {
      const auto& rg = info.row_groups[g];
      out += fmt::format("{}{{\"num_rows\":{},\"total_byte_size\":{},\"columns\":[", g ? "," : "",
                         rg.num_rows, rg.total_byte_size);
      for (size_t c = 0; c < rg.columns.size(); ++c) {
        const auto& ch = rg.columns[c];
        std::vector<std::string> enc;
        for (const auto& e : ch.encodings) enc.push_back(JsonString(e));
        out += fmt::format(
            "{}{{\"name\":{},\"physical_type\":{},\"codec\":{},\"encodings\":[{}],\"num_values\":{},"
            "\"compressed_bytes\":{},\"uncompressed_bytes\":{},\"min\":{},\"max\":{},\"null_count\":{}}}",
            c ? "," : "", JsonString(ch.name), JsonString(ch.physical_type), JsonString(ch.codec),
            Join(enc, ","), ch.num_values, ch.compressed_bytes, ch.uncompressed_bytes,
            ch.min ? ch.min->ToJson() : "null", ch.max ? ch.max->ToJson() : "null",
            ch.null_count ? std::to_string(*ch.null_count) : "null");
      }
      out += "]}";
    }
    out += "]}\n";
  } else {
    out += fmt::format("{}: {}, {}, {} bytes, format version {}, created by {}\n", path,
                       Count(info.num_rows, "row"),
                       Count(static_cast<int64_t>(info.row_groups.size()), "row group"), info.file_size,
                       info.version, info.created_by.empty() ? "(unknown)" : info.created_by);
    for (size_t g = 0; g < info.row_groups.size(); ++g) {
      const auto& rg = info.row_groups[g];
      out += fmt::format("\nrow group {}: {}, {} bytes uncompressed\n", g, Count(rg.num_rows, "row"),
                         rg.total_byte_size);
      std::vector<std::vector<std::string>> rows = {{"column", "physical", "codec", "encodings", "values",
                                                     "compressed", "uncompressed", "nulls", "min", "max"}};
      for (const auto& ch : rg.columns) {
        rows.push_back(
            {ch.name, ch.physical_type, ch.codec, Join(ch.encodings, ","), std::to_string(ch.num_values),
             std::to_string(ch.compressed_bytes), std::to_string(ch.uncompressed_bytes),
             ch.null_count ? std::to_string(*ch.null_count) : "-", ValueText(ch.min), ValueText(ch.max)});
      }
      out += Table(rows);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return Status::OK();
}

struct ConvertArgs {
  std::string input;
  std::string output;
  std::string schema;
  std::string compression = "zstd";
  size_t row_group_rows = 1 << 20;
};

Status RunConvert(const ConvertArgs& args) {
  ConvertOptions o;
  o.input_path = args.input;
  o.output_path = args.output;
  TANDEM_ASSIGN_OR_RETURN(o.schema, ParseSchemaSpec(args.schema));
  TANDEM_ASSIGN_OR_RETURN(o.writer.compression, parquet::ParseCompression(args.compression));
  if (args.row_group_rows == 0) return Status::InvalidArgument("--row-group-rows must be at least 1");
  o.writer.row_group_rows = args.row_group_rows;
  o.batch_rows = std::min<size_t>(o.batch_rows, args.row_group_rows);
  TANDEM_ASSIGN_OR_RETURN(ConvertStats stats, ConvertNdjsonToParquet(LocalFileSystem(), o));
  std::fprintf(stderr, "tandem: wrote %lld rows from %lld lines to %s\n", static_cast<long long>(stats.rows),
               static_cast<long long>(stats.lines), args.output.c_str());
  return Status::OK();
}

}  // namespace

void AddParquetCommand(CLI::App* app, Action* action) {
  CLI::App* pq = app->add_subcommand("parquet", "Inspect Parquet files and convert NDJSON to Parquet");
  pq->require_subcommand(1);

  {
    auto path = std::make_shared<std::string>();
    CLI::App* cmd = pq->add_subcommand(
        "schema",
        "Print the columns of FILE: name, engine type, Parquet physical type, nullability; nested "
        "columns we cannot read are listed with the reason");
    cmd->add_option("FILE", *path, "Parquet file")->required();
    cmd->callback([action, path] { *action = [path] { return RunSchema(*path); }; });
  }
  {
    auto path = std::make_shared<std::string>();
    auto columns = std::make_shared<std::vector<std::string>>();
    auto limit = std::make_shared<int64_t>(-1);
    CLI::App* cmd = pq->add_subcommand(
        "cat",
        "Print the rows of FILE as NDJSON (one JSON object per row, keys in column order; TIMESTAMP as "
        "RFC 3339 UTC, DATE as YYYY-MM-DD, BLOB as hex, DECIMAL as a number with its scale)");
    cmd->add_option("FILE", *path, "Parquet file")->required();
    cmd->add_option("--columns", *columns, "Columns to print, comma-separated (default: all)")
        ->delimiter(',');
    cmd->add_option("--limit", *limit, "Print at most N rows")->check(CLI::NonNegativeNumber);
    cmd->callback([action, path, columns, limit] {
      *action = [path, columns, limit] { return RunCat(*path, *columns, *limit); };
    });
  }
  {
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = pq->add_subcommand(
        "stats",
        "Print the row groups of FILE and, per column chunk, codec, encodings, sizes, null count, min, max");
    cmd->add_option("FILE", *path, "Parquet file")->required();
    cmd->add_flag("--json", *json, "Print one JSON document instead of tables");
    cmd->callback([action, path, json] { *action = [path, json] { return RunStats(*path, *json); }; });
  }
  {
    auto args = std::make_shared<ConvertArgs>();
    CLI::App* cmd = pq->add_subcommand(
        "convert",
        "Convert NDJSON (one JSON object per line) to a Parquet file.\n"
        "Column types: BIGINT, INTEGER, DOUBLE, FLOAT, VARCHAR, BOOLEAN, DATE (\"YYYY-MM-DD\"), TIMESTAMP "
        "(an RFC "
        "3339 string or epoch milliseconds; stored as microseconds UTC).\n"
        "A missing key or null is NULL; keys not in the schema are ignored.\n"
        "The whole conversion fails on the first bad line, with an error naming the line, column and value; "
        "OUT is written as OUT.tmp and renamed only on success, so nothing half-written is left at OUT.");
    cmd->add_option("IN", args->input, "NDJSON input file")->required();
    cmd->add_option("OUT", args->output, "Parquet output file")->required();
    cmd->add_option("--schema", args->schema, "Columns: \"name TYPE [NOT NULL], ...\"")->required();
    cmd->add_option("--compression", args->compression, "uncompressed, snappy, gzip, zstd or lz4")
        ->capture_default_str();
    cmd->add_option("--row-group-rows", args->row_group_rows, "Rows per row group")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->callback([action, args] { *action = [args] { return RunConvert(*args); }; });
  }
}

}  // namespace tandem::cli
