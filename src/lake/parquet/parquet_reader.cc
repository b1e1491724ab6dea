#include "lake/parquet/parquet_reader.h"

#include <cmath>
#include <cstring>
#include <map>

#include "lake/parquet/column_reader.h"
#include "lake/parquet/compression.h"
#include "lake/parquet/parquet_format.h"
#include "lake/parquet/parquet_schema.h"
#include "lake/parquet/thrift_compact.h"

namespace tandem::parquet {

namespace {

constexpr size_t kFooterTail = 8;  // 4-byte footer length + "PAR1"

__int128 DecimalFromBE(const std::string& b) {
  unsigned __int128 u = 0;
  for (unsigned char c : b) u = (u << 8) | c;
  if (b.size() < 16 && !b.empty() && (static_cast<unsigned char>(b[0]) & 0x80)) {
    u |= ~static_cast<unsigned __int128>(0) << (8 * b.size());
  }
  return static_cast<__int128>(u);
}

template <typename T>
T LoadLE(const std::string& b) {
  T v;
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

// A min/max statistic decoded with the column's engine type; nullopt when it is unusable.
std::optional<Value> DecodeStat(const LeafColumn& leaf, const DataType& type, const std::string& b) {
  switch (leaf.conversion) {
    case ValueConversion::kCopy:
      switch (leaf.physical) {
        case PhysicalType::kBoolean:
          if (b.size() != 1) return std::nullopt;
          return Value::Boolean(b[0] != 0);
        case PhysicalType::kInt32: {
          if (b.size() != 4) return std::nullopt;
          const int32_t v = LoadLE<int32_t>(b);
          if (type.id == TypeId::kDate) return Value::Date(v);
          return Value::Int32(v);
        }
        case PhysicalType::kInt64: {
          if (b.size() != 8) return std::nullopt;
          const int64_t v = LoadLE<int64_t>(b);
          if (type.id == TypeId::kUInt64) return Value::UInt64(static_cast<uint64_t>(v));
          if (type.id == TypeId::kTimestamp) return Value::Timestamp(v, type.unit);
          return Value::Int64(v);
        }
        case PhysicalType::kFloat: {
          if (b.size() != 4) return std::nullopt;
          const float v = LoadLE<float>(b);
          if (std::isnan(v)) return std::nullopt;
          return Value::Float(v);
        }
        case PhysicalType::kDouble: {
          if (b.size() != 8) return std::nullopt;
          const double v = LoadLE<double>(b);
          if (std::isnan(v)) return std::nullopt;
          return Value::Double(v);
        }
        default: return std::nullopt;
      }
    case ValueConversion::kUInt32ToInt64:
      if (b.size() != 4) return std::nullopt;
      return Value::Int64(LoadLE<uint32_t>(b));
    case ValueConversion::kInt32ToDecimal:
      if (b.size() != 4) return std::nullopt;
      return Value::Decimal(LoadLE<int32_t>(b), type.precision, type.scale);
    case ValueConversion::kInt64ToDecimal:
      if (b.size() != 8) return std::nullopt;
      return Value::Decimal(LoadLE<int64_t>(b), type.precision, type.scale);
    case ValueConversion::kFixedToDecimal:
      if (b.size() != static_cast<size_t>(leaf.type_length) || b.empty() || b.size() > 16)
        return std::nullopt;
      return Value::Decimal(DecimalFromBE(b), type.precision, type.scale);
    case ValueConversion::kBytesToDecimal:
      if (b.empty() || b.size() > 16) return std::nullopt;
      return Value::Decimal(DecimalFromBE(b), type.precision, type.scale);
    case ValueConversion::kFixedToBinary:
      if (b.size() != static_cast<size_t>(leaf.type_length)) return std::nullopt;
      return Value::Binary(b);
    case ValueConversion::kBytes: return type.id == TypeId::kString ? Value::String(b) : Value::Binary(b);
    case ValueConversion::kInt96ToTimestamp: return std::nullopt;
  }
  return std::nullopt;
}

std::string JoinPath(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s += '.';
    s += parts[i];
  }
  return s;
}

// Three-way comparison of a statistic with a predicate value across compatible types; nullopt when the
// two cannot be compared exactly.
std::optional<int> CompareForPruning(const Value& a, const Value& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  const TypeId ta = a.type().id, tb = b.type().id;
  auto is_int = [](TypeId t) { return t == TypeId::kInt32 || t == TypeId::kInt64 || t == TypeId::kUInt64; };
  auto as_i128 = [](const Value& v) -> __int128 {
    return v.type().id == TypeId::kUInt64 ? static_cast<__int128>(v.uint_value())
                                          : static_cast<__int128>(v.int_value());
  };
  if (is_int(ta) && is_int(tb)) return cmp(as_i128(a), as_i128(b));
  if (ta == TypeId::kDate && tb == TypeId::kDate) return cmp(a.int_value(), b.int_value());
  if (ta == TypeId::kTimestamp && tb == TypeId::kTimestamp) {
    auto to_ns = [](const Value& v) -> __int128 {
      const __int128 x = v.int_value();
      switch (v.type().unit) {
        case TimeUnit::kMillis: return x * 1000000;
        case TimeUnit::kMicros: return x * 1000;
        case TimeUnit::kNanos: return x;
      }
      return x;
    };
    return cmp(to_ns(a), to_ns(b));
  }
  auto is_dec = [&](TypeId t) { return t == TypeId::kDecimal || is_int(t); };
  if ((ta == TypeId::kDecimal || tb == TypeId::kDecimal) && is_dec(ta) && is_dec(tb)) {
    __int128 x = ta == TypeId::kDecimal ? a.decimal_value() : as_i128(a);
    __int128 y = tb == TypeId::kDecimal ? b.decimal_value() : as_i128(b);
    int sx = ta == TypeId::kDecimal ? a.type().scale : 0;
    int sy = tb == TypeId::kDecimal ? b.type().scale : 0;
    while (sx < sy) {
      if (__builtin_mul_overflow(x, static_cast<__int128>(10), &x)) return std::nullopt;
      ++sx;
    }
    while (sy < sx) {
      if (__builtin_mul_overflow(y, static_cast<__int128>(10), &y)) return std::nullopt;
      ++sy;
    }
    return cmp(x, y);
  }
  auto is_float = [](TypeId t) { return t == TypeId::kFloat || t == TypeId::kDouble; };
  if ((is_float(ta) || is_float(tb)) && (is_float(ta) || is_int(ta)) && (is_float(tb) || is_int(tb))) {
    auto as_double = [&](const Value& v) -> double {
      if (is_float(v.type().id)) return v.double_value();
      return static_cast<double>(as_i128(v));
    };
    const double x = as_double(a), y = as_double(b);
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return cmp(x, y);
  }
  const bool sa = ta == TypeId::kString || ta == TypeId::kBinary,
             sb = tb == TypeId::kString || tb == TypeId::kBinary;
  if (sa && sb) {
    const int c = a.string_value().compare(b.string_value());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (ta == TypeId::kBoolean && tb == TypeId::kBoolean) return cmp(a.bool_value(), b.bool_value());
  return std::nullopt;
}

void AppendColumn(const Column& src, Column* dst) {
  const size_t len = dst->length(), n = src.length();
  if (n == 0) return;
  if (src.has_nulls() || dst->has_nulls()) {
    auto& v = dst->mutable_validity();
    if (v.empty()) v.assign(len, 1);
    if (src.has_nulls()) {
      v.insert(v.end(), src.validity().begin(), src.validity().end());
    } else {
      v.resize(len + n, 1);
    }
  }
  if (src.type().IsVarWidth()) {
    auto& chars = dst->mutable_chars();
    auto& offs = dst->mutable_offsets();
    const int64_t base = static_cast<int64_t>(chars.size());
    chars.append(src.chars());
    offs.reserve(offs.size() + n);
    for (size_t i = 1; i <= n; ++i) offs.push_back(base + src.offsets()[i]);
  } else {
    auto& d = dst->mutable_data();
    d.insert(d.end(), src.data().begin(), src.data().end());
  }
  dst->SetLength(len + n);
}

class ParquetReaderImpl final : public ParquetReader {
 public:
  ParquetReaderImpl(std::shared_ptr<RandomAccessFile> file, ReaderOptions options)
      : file_(std::move(file)), options_(options) {}

  Status Init() {
    TANDEM_ASSIGN_OR_RETURN(uint64_t size, file_->Size());
    const std::string& path = file_->path();
    if (size < 12) {
      return Status::Corruption("parquet file " + path + " has " + std::to_string(size) +
                                " bytes, fewer than the 12 of an empty Parquet file");
    }
    uint8_t head[4], tail[kFooterTail];
    TANDEM_RETURN_IF_ERROR(ReadExact(0, 4, head));
    TANDEM_RETURN_IF_ERROR(ReadExact(size - kFooterTail, kFooterTail, tail));
    if (std::memcmp(tail + 4, "PARE", 4) == 0) {
      return Status::NotSupported("parquet file " + path +
                                  " has an encrypted footer (encryption is not supported)");
    }
    if (std::memcmp(head, "PAR1", 4) != 0 || std::memcmp(tail + 4, "PAR1", 4) != 0) {
      return Status::Corruption("parquet file " + path + " lacks the PAR1 magic at its start or end");
    }
    uint32_t footer_len;
    std::memcpy(&footer_len, tail, 4);
    if (footer_len > size - 12) {
      return Status::Corruption("parquet file " + path + ": footer length " + std::to_string(footer_len) +
                                " exceeds the file size " + std::to_string(size));
    }
    file_size_ = size;
    data_end_ = size - kFooterTail - footer_len;
    std::vector<uint8_t> footer(footer_len);
    TANDEM_RETURN_IF_ERROR(ReadExact(data_end_, footer_len, footer.data()));
    ThriftCompactReader r(footer.data(), footer.size());
    Status st = DecodeFileMetaData(&r, &meta_);
    if (!st.ok()) return st.WithContext("parquet file " + path + " footer");
    if (meta_.encrypted) {
      return Status::NotSupported("parquet file " + path +
                                  " has encrypted columns (encryption is not supported)");
    }
    st = BuildFileSchema(meta_.schema, &fs_);
    if (!st.ok()) return st.WithContext("parquet file " + path);
    if (meta_.column_orders && meta_.column_orders->size() != static_cast<size_t>(fs_.num_leaves)) {
      meta_.column_orders.reset();  // malformed: ignore the orders and with them min_value/max_value
      ignore_min_value_ = true;
    }
    for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
      const RowGroup& rg = meta_.row_groups[g];
      if (rg.columns.size() != static_cast<size_t>(fs_.num_leaves)) {
        return Status::Corruption("parquet file " + path + ": row group " + std::to_string(g) + " has " +
                                  std::to_string(rg.columns.size()) + " column chunks, the schema has " +
                                  std::to_string(fs_.num_leaves) + " leaf columns");
      }
      if (rg.num_rows < 0) {
        return Status::Corruption("parquet file " + path + ": row group " + std::to_string(g) + " has " +
                                  std::to_string(rg.num_rows) + " rows");
      }
    }
    BuildInfo();
    return Status::OK();
  }

  const Schema& schema() const override { return fs_.schema; }
  const std::vector<UnsupportedColumn>& unsupported_columns() const override { return fs_.unsupported; }
  const FileInfo& info() const override { return info_; }
  int num_row_groups() const override { return static_cast<int>(meta_.row_groups.size()); }

  Result<RecordBatch> ReadRowGroup(int row_group, const std::vector<int>& columns) override {
    if (row_group < 0 || static_cast<size_t>(row_group) >= meta_.row_groups.size()) {
      return Status::InvalidArgument("parquet file " + file_->path() + " has " +
                                     std::to_string(meta_.row_groups.size()) + " row groups; asked for " +
                                     std::to_string(row_group));
    }
    const RowGroup& rg = meta_.row_groups[row_group];
    Schema schema;
    std::vector<Column> out;
    out.reserve(columns.size());
    for (int c : columns) {
      if (c < 0 || static_cast<size_t>(c) >= fs_.schema.fields.size()) {
        return Status::InvalidArgument("parquet file " + file_->path() + " has " +
                                       std::to_string(fs_.schema.fields.size()) +
                                       " readable columns; asked for " + std::to_string(c));
      }
      const Field& field = fs_.schema.fields[c];
      schema.fields.push_back(field);
      out.emplace_back(field.type);
      Status st = ReadChunk(rg, fs_.columns[c], field, &out.back());
      if (!st.ok()) {
        return st.WithContext("parquet file " + file_->path() + " row group " + std::to_string(row_group));
      }
    }
    return RecordBatch(std::move(schema), std::move(out), static_cast<size_t>(rg.num_rows));
  }

  std::vector<int> PruneRowGroups(const std::vector<ColumnPredicate>& predicates) const override {
    std::vector<int> keep;
    for (size_t g = 0; g < info_.row_groups.size(); ++g) {
      bool may_match = true;
      for (const ColumnPredicate& p : predicates) {
        if (!MayMatch(g, p)) {
          may_match = false;
          break;
        }
      }
      if (may_match) keep.push_back(static_cast<int>(g));
    }
    return keep;
  }

 private:
  Status ReadExact(uint64_t offset, size_t n, uint8_t* out) const {
    if (n == 0) return Status::OK();
    TANDEM_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(offset, n, out));
    if (got != n) {
      return Status::Corruption("parquet file " + file_->path() + ": short read of " + std::to_string(n) +
                                " bytes at offset " + std::to_string(offset) + " (got " +
                                std::to_string(got) + ")");
    }
    return Status::OK();
  }

  Result<BlockCodec*> Codec(CompressionCodec c) {
    auto it = codecs_.find(static_cast<int32_t>(c));
    if (it != codecs_.end()) return it->second.get();
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<BlockCodec> codec, BlockCodec::Make(c));
    BlockCodec* p = codec.get();
    codecs_[static_cast<int32_t>(c)] = std::move(codec);
    return p;
  }

  Status ReadChunk(const RowGroup& rg, const LeafColumn& leaf, const Field& field, Column* out) {
    const ColumnChunk& cc = rg.columns[leaf.leaf_index];
    const std::string& name = field.name;
    if (cc.file_path) {
      return Status::NotSupported("column '" + name + "' is stored in another file ('" + *cc.file_path +
                                  "')");
    }
    if (!cc.meta_data) {
      if (cc.encrypted) return Status::NotSupported("column '" + name + "' is encrypted");
      return Status::Corruption("column '" + name + "' has no ColumnMetaData");
    }
    const ColumnMetaData& m = *cc.meta_data;
    if (m.type != leaf.physical) {
      return Status::Corruption("column '" + name + "' chunk has physical type " + PhysicalTypeName(m.type) +
                                ", the schema says " + PhysicalTypeName(leaf.physical));
    }
    if (m.num_values != rg.num_rows) {
      return Status::Corruption("column '" + name + "' chunk has " + std::to_string(m.num_values) +
                                " values for a row group of " + std::to_string(rg.num_rows) + " rows");
    }
    int64_t start = m.data_page_offset;
    if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start) {
      start = *m.dictionary_page_offset;
    }
    const int64_t len = m.total_compressed_size;
    if (start < 4 || len < 0 || static_cast<uint64_t>(start) > data_end_ ||
        static_cast<uint64_t>(len) > data_end_ - static_cast<uint64_t>(start)) {
      return Status::Corruption("column '" + name + "' chunk [" + std::to_string(start) + ", +" +
                                std::to_string(len) + ") lies outside the data region [4, " +
                                std::to_string(data_end_) + ")");
    }
    TANDEM_ASSIGN_OR_RETURN(BlockCodec * codec, Codec(m.codec));
    chunk_.resize(static_cast<size_t>(len));
    TANDEM_RETURN_IF_ERROR(ReadExact(static_cast<uint64_t>(start), static_cast<size_t>(len), chunk_.data()));
    ColumnChunkReader reader(leaf, field, options_);
    return reader.Read(chunk_.data(), chunk_.size(), codec, m.num_values, out);
  }

  void BuildInfo() {
    info_.num_rows = meta_.num_rows;
    info_.version = meta_.version;
    info_.created_by = meta_.created_by.value_or("");
    info_.file_size = static_cast<int64_t>(file_size_);
    for (const KeyValue& kv : meta_.key_value_metadata) {
      info_.key_value_metadata.emplace_back(kv.key, kv.value.value_or(""));
    }
    for (const RowGroup& rg : meta_.row_groups) {
      RowGroupInfo gi;
      gi.num_rows = rg.num_rows;
      gi.total_byte_size = rg.total_byte_size;
      for (int leaf = 0; leaf < fs_.num_leaves; ++leaf) {
        ColumnChunkInfo ci;
        ci.name = fs_.leaf_paths[leaf];
        const ColumnChunk& cc = rg.columns[leaf];
        if (cc.meta_data) {
          const ColumnMetaData& m = *cc.meta_data;
          if (!m.path_in_schema.empty()) ci.name = JoinPath(m.path_in_schema);
          ci.physical_type = PhysicalTypeName(m.type);
          ci.codec = CodecName(m.codec);
          for (Encoding e : m.encodings) ci.encodings.push_back(EncodingName(e));
          ci.num_values = m.num_values;
          ci.compressed_bytes = m.total_compressed_size;
          ci.uncompressed_bytes = m.total_uncompressed_size;
          if (m.statistics) {
            const Statistics& s = *m.statistics;
            ci.null_count = s.null_count;
            const int col = fs_.leaf_to_column[leaf];
            if (col >= 0 && m.type == fs_.columns[col].physical) FillMinMax(col, leaf, s, &ci);
          }
        }
        gi.columns.push_back(std::move(ci));
      }
      info_.row_groups.push_back(std::move(gi));
    }
  }

  void FillMinMax(int col, int leaf, const Statistics& s, ColumnChunkInfo* ci) const {
    const LeafColumn& lc = fs_.columns[col];
    const DataType& type = fs_.schema.fields[col].type;
    if (lc.order == StatsOrder::kNone) return;
    bool order_ok = !ignore_min_value_;
    if (meta_.column_orders) {
      const int16_t kind = (*meta_.column_orders)[leaf];
      order_ok = order_ok && (kind == static_cast<int16_t>(ColumnOrderKind::kTypeDefined) ||
                              (kind == static_cast<int16_t>(ColumnOrderKind::kIeee754TotalOrder) &&
                               lc.order == StatsOrder::kFloat));
    }
    const std::string* mn = nullptr;
    const std::string* mx = nullptr;
    if (order_ok && (s.min_value || s.max_value)) {
      mn = s.min_value ? &*s.min_value : nullptr;
      mx = s.max_value ? &*s.max_value : nullptr;
    } else if (lc.legacy_stats_ok) {
      mn = s.min ? &*s.min : nullptr;
      mx = s.max ? &*s.max : nullptr;
    }
    if (mn) ci->min = DecodeStat(lc, type, *mn);
    if (mx) ci->max = DecodeStat(lc, type, *mx);
  }

  bool MayMatch(size_t g, const ColumnPredicate& p) const {
    if (p.column < 0 || static_cast<size_t>(p.column) >= fs_.columns.size()) return true;
    if (p.value.is_null()) return true;
    const ColumnChunkInfo& ci = info_.row_groups[g].columns[fs_.columns[p.column].leaf_index];
    if (ci.null_count && *ci.null_count == ci.num_values && ci.num_values > 0) return false;  // all null
    using Op = ColumnPredicate::Op;
    auto cmp = [&](const std::optional<Value>& stat) -> std::optional<int> {
      if (!stat) return std::nullopt;
      return CompareForPruning(*stat, p.value);
    };
    const std::optional<int> vs_min = cmp(ci.min);  // sign of (min - value)
    const std::optional<int> vs_max = cmp(ci.max);  // sign of (max - value)
    switch (p.op) {
      case Op::kEq: return !((vs_min && *vs_min > 0) || (vs_max && *vs_max < 0));
      case Op::kLt: return !(vs_min && *vs_min >= 0);
      case Op::kLe: return !(vs_min && *vs_min > 0);
      case Op::kGt: return !(vs_max && *vs_max <= 0);
      case Op::kGe: return !(vs_max && *vs_max < 0);
    }
    return true;
  }

  std::shared_ptr<RandomAccessFile> file_;
  ReaderOptions options_;
  uint64_t file_size_ = 0;
  uint64_t data_end_ = 0;  // first byte of the footer
  FileMetaData meta_;
  FileSchema fs_;
  FileInfo info_;
  bool ignore_min_value_ = false;
  std::map<int32_t, std::unique_ptr<BlockCodec>> codecs_;
  std::vector<uint8_t> chunk_;
};

}  // namespace

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(std::shared_ptr<RandomAccessFile> file,
                                                           ReaderOptions options) {
  if (!file) return Status::InvalidArgument("parquet reader: no file");
  auto r = std::make_unique<ParquetReaderImpl>(std::move(file), options);
  TANDEM_RETURN_IF_ERROR(r->Init());
  return std::unique_ptr<ParquetReader>(std::move(r));
}

Result<RecordBatch> ParquetReader::ReadAll(const std::vector<int>& columns) {
  Schema schema;
  for (int c : columns) {
    if (c < 0 || static_cast<size_t>(c) >= this->schema().fields.size()) {
      return Status::InvalidArgument("parquet reader: column index " + std::to_string(c) + " out of range (" +
                                     std::to_string(this->schema().fields.size()) + " readable columns)");
    }
    schema.fields.push_back(this->schema().fields[c]);
  }
  RecordBatch all = RecordBatch::Empty(schema);
  size_t rows = 0;
  for (int g = 0; g < num_row_groups(); ++g) {
    TANDEM_ASSIGN_OR_RETURN(RecordBatch b, ReadRowGroup(g, columns));
    if (g == 0 || rows == 0) {
      rows = b.num_rows();
      all = std::move(b);
      continue;
    }
    for (size_t c = 0; c < columns.size(); ++c) AppendColumn(b.column(c), &all.mutable_column(c));
    rows += b.num_rows();
    all.set_num_rows(rows);
  }
  return all;
}

Result<std::vector<int>> ParquetReader::ResolveColumns(const std::vector<std::string>& names) const {
  std::vector<int> out;
  for (const std::string& n : names) {
    const int i = schema().FindField(n);
    if (i >= 0) {
      out.push_back(i);
      continue;
    }
    for (const UnsupportedColumn& u : unsupported_columns()) {
      if (u.name == n) return Status::NotSupported("cannot read " + u.reason);
    }
    return Status::NotFound("parquet file has no column '" + n + "'");
  }
  return out;
}

Result<std::unique_ptr<ParquetReader>> OpenParquetFile(FileSystem* fs, const std::string& path,
                                                       ReaderOptions options) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->NewRandomAccessFile(path));
  return ParquetReader::Open(std::shared_ptr<RandomAccessFile>(std::move(file)), options);
}

}  // namespace tandem::parquet
