#include "columnar/batch_codec.h"

#include <cstring>

namespace tandem {

namespace {

constexpr char kMagic[4] = {'T', 'B', 'C', '1'};

void PutU32(uint32_t v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), 4);
}
void PutU64(uint64_t v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), 8);
}

class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  bool Read(void* dst, size_t n) {
    if (n > data_.size() - pos_) return false;
    std::memcpy(dst, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n, const char** p) {
    if (n > data_.size() - pos_) return false;
    *p = data_.data() + pos_;
    pos_ += n;
    return true;
  }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

// Layout (little endian): "TBC1" u32 num_rows u32 num_columns, then per column:
//   u8 type_id, u8 has_validity, [num_rows validity bytes],
//   fixed width: num_rows * width value bytes;
//   strings: u64 total_bytes, num_rows u32 lengths, total_bytes of characters.
void EncodeBatch(const RecordBatch& batch, std::string* out) {
  out->append(kMagic, 4);
  const uint32_t rows = static_cast<uint32_t>(batch.num_rows());
  PutU32(rows, out);
  PutU32(static_cast<uint32_t>(batch.num_columns()), out);
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const Column& col = batch.column(c);
    out->push_back(static_cast<char>(col.type().id));
    out->push_back(col.has_nulls() ? 1 : 0);
    if (col.has_nulls()) out->append(reinterpret_cast<const char*>(col.validity().data()), rows);
    if (col.type().IsVarWidth()) {
      const auto& offs = col.offsets();
      PutU64(static_cast<uint64_t>(offs[rows] - offs[0]), out);
      for (uint32_t i = 0; i < rows; ++i) PutU32(static_cast<uint32_t>(offs[i + 1] - offs[i]), out);
      out->append(col.chars().data() + offs[0], offs[rows] - offs[0]);
    } else {
      out->append(reinterpret_cast<const char*>(col.data().data()), size_t{rows} * col.type().FixedWidth());
    }
  }
}

Result<RecordBatch> DecodeBatch(const Schema& schema, std::string_view payload) {
  Cursor cur(payload);
  char magic[4];
  if (!cur.Read(magic, 4) || std::memcmp(magic, kMagic, 4) != 0) {
    return Status::Corruption("batch payload does not start with magic TBC1");
  }
  uint32_t rows = 0, ncols = 0;
  if (!cur.Read(&rows, 4) || !cur.Read(&ncols, 4))
    return Status::Corruption("batch payload header truncated");
  if (ncols != schema.fields.size()) {
    return Status::Corruption("batch payload has " + std::to_string(ncols) + " columns, the schema has " +
                              std::to_string(schema.fields.size()));
  }
  // Every row costs at least one byte per column except for zero-width columns; bound rows by the payload.
  if (ncols > 0 && rows > cur.remaining()) {
    return Status::Corruption("batch payload claims " + std::to_string(rows) + " rows in " +
                              std::to_string(cur.remaining()) + " bytes");
  }
  std::vector<Column> cols;
  cols.reserve(ncols);
  for (uint32_t c = 0; c < ncols; ++c) {
    const Field& f = schema.fields[c];
    uint8_t tag = 0, has_validity = 0;
    if (!cur.Read(&tag, 1) || !cur.Read(&has_validity, 1))
      return Status::Corruption("column header truncated");
    if (tag != static_cast<uint8_t>(f.type.id)) {
      return Status::Corruption("column '" + f.name + "' has type tag " + std::to_string(tag) +
                                ", expected " + f.type.ToString());
    }
    Column col(f.type);
    const char* p = nullptr;
    if (has_validity) {
      if (!cur.Skip(rows, &p)) return Status::Corruption("validity of column '" + f.name + "' truncated");
      col.mutable_validity().assign(p, p + rows);
    }
    if (f.type.IsVarWidth()) {
      uint64_t total = 0;
      if (!cur.Read(&total, 8) || total > cur.remaining()) {
        return Status::Corruption("string bytes of column '" + f.name + "' truncated");
      }
      const char* lens = nullptr;
      if (!cur.Skip(size_t{rows} * 4, &lens))
        return Status::Corruption("lengths of '" + f.name + "' truncated");
      auto& offs = col.mutable_offsets();
      offs.resize(size_t{rows} + 1);
      uint64_t acc = 0;
      for (uint32_t i = 0; i < rows; ++i) {
        uint32_t len;
        std::memcpy(&len, lens + size_t{i} * 4, 4);
        acc += len;
        offs[i + 1] = static_cast<int64_t>(acc);
      }
      if (acc != total) return Status::Corruption("string lengths of column '" + f.name + "' do not add up");
      if (!cur.Skip(total, &p))
        return Status::Corruption("string bytes of column '" + f.name + "' truncated");
      col.mutable_chars().assign(p, total);
    } else {
      const size_t bytes = size_t{rows} * f.type.FixedWidth();
      if (!cur.Skip(bytes, &p)) return Status::Corruption("values of column '" + f.name + "' truncated");
      col.mutable_data().assign(p, p + bytes);
    }
    col.SetLength(rows);
    cols.push_back(std::move(col));
  }
  if (cur.remaining() != 0) {
    return Status::Corruption(std::to_string(cur.remaining()) + " unexpected bytes after batch payload");
  }
  return RecordBatch(schema, std::move(cols), rows);
}

}  // namespace tandem
