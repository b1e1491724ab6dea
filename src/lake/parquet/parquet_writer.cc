#include "lake/parquet/parquet_writer.h"

#include <algorithm>
#include <cctype>

#include "lake/parquet/column_writer.h"
#include "lake/parquet/compression.h"
#include "lake/parquet/parquet_format.h"
#include "lake/parquet/parquet_schema.h"
#include "lake/parquet/thrift_compact.h"

namespace tandem::parquet {

namespace {

constexpr char kMagic[] = "PAR1";
constexpr char kCreatedBy[] = "tandem version 0.1.0";

CompressionCodec ToCodec(Compression c) {
  switch (c) {
    case Compression::kUncompressed: return CompressionCodec::kUncompressed;
    case Compression::kSnappy: return CompressionCodec::kSnappy;
    case Compression::kGzip: return CompressionCodec::kGzip;
    case Compression::kZstd: return CompressionCodec::kZstd;
    case Compression::kLz4Raw: return CompressionCodec::kLz4Raw;
  }
  return CompressionCodec::kUncompressed;
}

// Appends rows [off, off+n) of src to dst (same type) buffer by buffer.
void AppendRows(const Column& src, size_t off, size_t n, Column* dst) {
  if (n == 0) return;
  const size_t len = dst->length();
  if (src.has_nulls() || dst->has_nulls()) {
    auto& v = dst->mutable_validity();
    if (v.empty()) v.assign(len, 1);
    if (src.has_nulls()) {
      v.insert(v.end(), src.validity().begin() + static_cast<std::ptrdiff_t>(off),
               src.validity().begin() + static_cast<std::ptrdiff_t>(off + n));
    } else {
      v.resize(len + n, 1);
    }
  }
  if (src.type().IsVarWidth()) {
    const int64_t* so = src.offsets().data();
    auto& chars = dst->mutable_chars();
    auto& offs = dst->mutable_offsets();
    const int64_t shift = static_cast<int64_t>(chars.size()) - so[off];
    chars.append(src.chars().data() + so[off], static_cast<size_t>(so[off + n] - so[off]));
    offs.reserve(offs.size() + n);
    for (size_t i = 1; i <= n; ++i) offs.push_back(so[off + i] + shift);
  } else {
    const size_t w = static_cast<size_t>(src.type().FixedWidth());
    auto& d = dst->mutable_data();
    const uint8_t* p = src.data().data() + off * w;
    d.insert(d.end(), p, p + n * w);
  }
  dst->SetLength(len + n);
}

class ParquetWriterImpl final : public ParquetWriter {
 public:
  ParquetWriterImpl(std::unique_ptr<WritableFile> file, Schema schema, WriterOptions options)
      : file_(std::move(file)), schema_(std::move(schema)), options_(std::move(options)) {}

  Status Init() {
    if (options_.data_page_version != 1 && options_.data_page_version != 2) {
      return Status::InvalidArgument("parquet writer: data_page_version must be 1 or 2, got " +
                                     std::to_string(options_.data_page_version));
    }
    if (options_.row_group_rows == 0 || options_.row_group_rows > (size_t{1} << 31)) {
      return Status::InvalidArgument("parquet writer: row_group_rows must be in 1..2^31, got " +
                                     std::to_string(options_.row_group_rows));
    }
    if (schema_.fields.empty()) return Status::InvalidArgument("parquet writer: the schema has no columns");
    for (size_t i = 0; i < schema_.fields.size(); ++i) {
      const Field& f = schema_.fields[i];
      if (f.name.empty())
        return Status::InvalidArgument("parquet writer: column " + std::to_string(i) + " has no name");
      for (size_t j = 0; j < i; ++j) {
        if (schema_.fields[j].name == f.name) {
          return Status::InvalidArgument("parquet writer: duplicate column name '" + f.name + "'");
        }
      }
      TANDEM_ASSIGN_OR_RETURN(SchemaElement e, SchemaElementForField(f));
      elements_.push_back(std::move(e));
    }
    const int level = options_.compression == Compression::kGzip ? 0 : options_.compression_level;
    TANDEM_ASSIGN_OR_RETURN(codec_, BlockCodec::Make(ToCodec(options_.compression), level));
    for (size_t i = 0; i < schema_.fields.size(); ++i) {
      columns_.emplace_back(schema_.fields[i], elements_[i], options_, codec_.get(), &scratch_);
    }
    pending_ = RecordBatch::Empty(schema_);
    return Append(std::string_view(kMagic, 4));
  }

  Status Write(const RecordBatch& batch) override {
    TANDEM_RETURN_IF_ERROR(CheckUsable());
    TANDEM_RETURN_IF_ERROR(CheckBatch(batch));
    const size_t n = batch.num_rows();
    const size_t rg = options_.row_group_rows;
    size_t off = 0;
    while (off < n) {
      const size_t buffered = pending_.num_rows();
      if (buffered == 0 && n - off >= rg) {
        TANDEM_RETURN_IF_ERROR(WriteRowGroup(batch, off, rg));
        off += rg;
        continue;
      }
      const size_t take = std::min(rg - buffered, n - off);
      for (size_t c = 0; c < columns_.size(); ++c)
        AppendRows(batch.column(c), off, take, &pending_.mutable_column(c));
      pending_.set_num_rows(buffered + take);
      off += take;
      if (pending_.num_rows() == rg) TANDEM_RETURN_IF_ERROR(FlushPending());
    }
    rows_ += static_cast<int64_t>(n);
    return Status::OK();
  }

  Status Close(const std::vector<std::pair<std::string, std::string>>& extra_metadata) override {
    if (closed_) return Status::InvalidArgument("parquet writer for " + file_->path() + " is already closed");
    TANDEM_RETURN_IF_ERROR(CheckUsable());
    closed_ = true;
    TANDEM_RETURN_IF_ERROR(FlushPending());

    FileMetaData meta;
    meta.version = 1;
    SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(elements_.size());
    meta.schema.push_back(root);
    for (const SchemaElement& e : elements_) meta.schema.push_back(e);
    meta.num_rows = rows_;
    meta.row_groups = std::move(row_groups_);
    for (const auto& [k, v] : options_.key_value_metadata) meta.key_value_metadata.push_back({k, v});
    for (const auto& [k, v] : extra_metadata) meta.key_value_metadata.push_back({k, v});
    meta.created_by = kCreatedBy;
    meta.column_orders.emplace(elements_.size(), static_cast<int16_t>(ColumnOrderKind::kTypeDefined));

    std::string footer;
    ThriftCompactWriter w(&footer);
    EncodeFileMetaData(meta, &w);
    const uint32_t len = static_cast<uint32_t>(footer.size());
    for (int i = 0; i < 4; ++i) footer.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
    footer.append(kMagic, 4);
    TANDEM_RETURN_IF_ERROR(Append(footer));
    if (options_.sync_on_close) TANDEM_RETURN_IF_ERROR(Poison(file_->Sync()));
    return Poison(file_->Close());
  }

  int64_t rows_written() const override { return rows_; }

 private:
  Status CheckUsable() const {
    if (!failed_.ok()) return failed_;
    if (closed_) return Status::InvalidArgument("parquet writer for " + file_->path() + " is closed");
    return Status::OK();
  }

  Status CheckBatch(const RecordBatch& batch) const {
    const Schema& s = batch.schema();
    if (s.fields.size() != schema_.fields.size() || batch.num_columns() != schema_.fields.size()) {
      return Status::InvalidArgument("parquet writer: batch has " + std::to_string(batch.num_columns()) +
                                     " columns, the file's schema has " +
                                     std::to_string(schema_.fields.size()));
    }
    for (size_t i = 0; i < schema_.fields.size(); ++i) {
      const Field& want = schema_.fields[i];
      const Field& got = s.fields[i];
      if (got.name != want.name || got.type != want.type) {
        return Status::InvalidArgument("parquet writer: batch column " + std::to_string(i) + " is '" +
                                       got.name + "' " + got.type.ToString() + ", the file expects '" +
                                       want.name + "' " + want.type.ToString());
      }
      const Column& c = batch.column(i);
      if (c.length() != batch.num_rows()) {
        return Status::InvalidArgument("parquet writer: column '" + want.name + "' has " +
                                       std::to_string(c.length()) + " values in a batch of " +
                                       std::to_string(batch.num_rows()) + " rows");
      }
      if (c.type() != want.type) {
        return Status::InvalidArgument("parquet writer: column '" + want.name + "' holds " +
                                       c.type().ToString() + " values, the schema says " +
                                       want.type.ToString());
      }
      if (want.type.id == TypeId::kDecimal) TANDEM_RETURN_IF_ERROR(CheckDecimals(want, c));
      if (!want.nullable && c.has_nulls() && c.null_count() > 0) {
        return Status::InvalidArgument("parquet writer: column '" + want.name +
                                       "' is NOT NULL but the batch has " + std::to_string(c.null_count()) +
                                       " nulls in it");
      }
    }
    return Status::OK();
  }

  // Every unscaled value must have at most `precision` digits.
  static Status CheckDecimals(const Field& f, const Column& c) {
    __int128 max = 1;
    for (int i = 0; i < f.type.precision; ++i) max *= 10;
    max -= 1;
    for (size_t i = 0; i < c.length(); ++i) {
      if (c.IsNull(i)) continue;
      const __int128 v = c.Value<__int128>(i);
      if (v > max || v < -max) {
        return Status::InvalidArgument("parquet writer: column '" + f.name + "' row " + std::to_string(i) +
                                       " holds a value with more digits than " + f.type.ToString() +
                                       " allows");
      }
    }
    return Status::OK();
  }

  Status Poison(Status st) {
    if (!st.ok() && failed_.ok()) failed_ = st;
    return st;
  }

  Status Append(std::string_view data) {
    TANDEM_RETURN_IF_ERROR(Poison(file_->Append(data)));
    pos_ += static_cast<int64_t>(data.size());
    return Status::OK();
  }

  Status FlushPending() {
    if (pending_.num_rows() == 0) return Status::OK();
    TANDEM_RETURN_IF_ERROR(WriteRowGroup(pending_, 0, pending_.num_rows()));
    pending_ = RecordBatch::Empty(schema_);
    return Status::OK();
  }

  Status WriteRowGroup(const RecordBatch& batch, size_t offset, size_t count) {
    RowGroup g;
    g.num_rows = static_cast<int64_t>(count);
    g.file_offset = pos_;
    int64_t compressed = 0, uncompressed = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      chunk_.clear();
      ColumnChunk cc;
      cc.meta_data.emplace();
      TANDEM_RETURN_IF_ERROR(
          Poison(columns_[i].WriteChunk(batch.column(i), offset, count, pos_, &chunk_, &*cc.meta_data)));
      TANDEM_RETURN_IF_ERROR(Append(chunk_));
      compressed += cc.meta_data->total_compressed_size;
      uncompressed += cc.meta_data->total_uncompressed_size;
      g.columns.push_back(std::move(cc));
    }
    g.total_byte_size = uncompressed;
    g.total_compressed_size = compressed;
    if (row_groups_.size() <= static_cast<size_t>(INT16_MAX))
      g.ordinal = static_cast<int16_t>(row_groups_.size());
    row_groups_.push_back(std::move(g));
    return Status::OK();
  }

  std::unique_ptr<WritableFile> file_;
  Schema schema_;
  WriterOptions options_;
  std::vector<SchemaElement> elements_;
  std::unique_ptr<BlockCodec> codec_;
  ColumnWriterScratch scratch_;
  std::vector<ColumnChunkWriter> columns_;
  RecordBatch pending_;
  std::vector<RowGroup> row_groups_;
  std::string chunk_;
  int64_t pos_ = 0;
  int64_t rows_ = 0;
  bool closed_ = false;
  Status failed_;
};

}  // namespace

Result<Compression> ParseCompression(const std::string& name) {
  std::string n;
  for (char ch : name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  if (n == "uncompressed" || n == "none") return Compression::kUncompressed;
  if (n == "snappy") return Compression::kSnappy;
  if (n == "gzip") return Compression::kGzip;
  if (n == "zstd") return Compression::kZstd;
  if (n == "lz4" || n == "lz4_raw") return Compression::kLz4Raw;
  return Status::InvalidArgument("unknown Parquet compression '" + name +
                                 "' (expected uncompressed, snappy, gzip, zstd or lz4)");
}

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kUncompressed: return "uncompressed";
    case Compression::kSnappy: return "snappy";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kLz4Raw: return "lz4";
  }
  return "unknown";
}

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(std::unique_ptr<WritableFile> file, Schema schema,
                                                           WriterOptions options) {
  if (!file) return Status::InvalidArgument("parquet writer: no file");
  auto w = std::make_unique<ParquetWriterImpl>(std::move(file), std::move(schema), std::move(options));
  TANDEM_RETURN_IF_ERROR(w->Init());
  return std::unique_ptr<ParquetWriter>(std::move(w));
}

Status WriteParquetFile(FileSystem* fs, const std::string& path, const Schema& schema,
                        const std::vector<RecordBatch>& batches, const WriterOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewWritableFile(path));
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<ParquetWriter> writer,
                          ParquetWriter::Open(std::move(file), schema, options));
  for (const RecordBatch& b : batches) TANDEM_RETURN_IF_ERROR(writer->Write(b));
  return writer->Close();
}

}  // namespace tandem::parquet
