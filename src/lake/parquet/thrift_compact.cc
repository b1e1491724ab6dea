#include "lake/parquet/thrift_compact.h"

#include <cstring>

namespace tandem::parquet {

namespace {

const char* TypeName(ThriftType t) {
  switch (t) {
    case ThriftType::kStop: return "stop";
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse: return "bool";
    case ThriftType::kByte: return "byte";
    case ThriftType::kI16: return "i16";
    case ThriftType::kI32: return "i32";
    case ThriftType::kI64: return "i64";
    case ThriftType::kDouble: return "double";
    case ThriftType::kBinary: return "binary";
    case ThriftType::kList: return "list";
    case ThriftType::kSet: return "set";
    case ThriftType::kMap: return "map";
    case ThriftType::kStruct: return "struct";
    case ThriftType::kUuid: return "uuid";
  }
  return "unknown";
}

bool ValidType(uint8_t t) {
  return t <= static_cast<uint8_t>(ThriftType::kUuid);
}

}  // namespace

Status ThriftCompactReader::Fail(const std::string& what) const {
  return Status::Corruption("thrift compact: " + what + " at byte " + std::to_string(pos_));
}

Result<uint64_t> ThriftCompactReader::ReadVarint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= size_) return Fail("varint runs past the end of the data");
    const uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7e) != 0) return Fail("varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return Fail("varint longer than 10 bytes");
}

Status ThriftCompactReader::ReadStructBegin() {
  if (depth_ + 1 >= max_depth_ || depth_ + 1 >= kMaxStack) {
    return Fail("structs nested deeper than " +
                std::to_string(max_depth_ < kMaxStack ? max_depth_ : kMaxStack));
  }
  ++depth_;
  last_field_id_[depth_] = 0;
  return Status::OK();
}

void ThriftCompactReader::ReadStructEnd() {
  if (depth_ > 0) --depth_;
}

Status ThriftCompactReader::ReadFieldBegin(ThriftType* type, int16_t* id) {
  pending_bool_ = -1;
  if (pos_ >= size_) return Fail("struct runs past the end of the data (no stop field)");
  const uint8_t b = data_[pos_++];
  const uint8_t t = b & 0x0f;
  if (t == 0) {
    if (b != 0) return Fail("malformed stop field byte " + std::to_string(b));
    *type = ThriftType::kStop;
    *id = 0;
    return Status::OK();
  }
  if (!ValidType(t)) return Fail("unknown field type " + std::to_string(t));
  const uint8_t delta = b >> 4;
  int32_t field_id;
  if (delta != 0) {
    field_id = last_field_id_[depth_] + delta;
  } else {
    TANDEM_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
    const int64_t v = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
    if (v < INT16_MIN || v > INT16_MAX) return Fail("field id " + std::to_string(v) + " out of i16 range");
    field_id = static_cast<int32_t>(v);
  }
  if (field_id > INT16_MAX) return Fail("field id overflows i16");
  last_field_id_[depth_] = static_cast<int16_t>(field_id);
  *type = static_cast<ThriftType>(t);
  *id = static_cast<int16_t>(field_id);
  if (*type == ThriftType::kBoolTrue || *type == ThriftType::kBoolFalse) {
    pending_bool_ = *type == ThriftType::kBoolTrue ? 1 : 0;
  }
  return Status::OK();
}

Result<bool> ThriftCompactReader::ReadBool() {
  if (pending_bool_ >= 0) {
    const bool v = pending_bool_ == 1;
    pending_bool_ = -1;
    return v;
  }
  if (pos_ >= size_) return Fail("bool runs past the end of the data");
  // List elements: 1 is true; writers disagree on false (0 or 2).
  return data_[pos_++] == 1;
}

Result<int8_t> ThriftCompactReader::ReadByte() {
  if (pos_ >= size_) return Fail("byte runs past the end of the data");
  return static_cast<int8_t>(data_[pos_++]);
}

Result<int16_t> ThriftCompactReader::ReadI16() {
  TANDEM_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  const int64_t v = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  if (v < INT16_MIN || v > INT16_MAX) return Fail("i16 value " + std::to_string(v) + " out of range");
  return static_cast<int16_t>(v);
}

Result<int32_t> ThriftCompactReader::ReadI32() {
  TANDEM_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  const int64_t v = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  if (v < INT32_MIN || v > INT32_MAX) return Fail("i32 value " + std::to_string(v) + " out of range");
  return static_cast<int32_t>(v);
}

Result<int64_t> ThriftCompactReader::ReadI64() {
  TANDEM_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  return static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
}

Result<double> ThriftCompactReader::ReadDouble() {
  if (size_ - pos_ < 8) return Fail("double runs past the end of the data");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  pos_ += 8;
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d;
}

Result<std::string_view> ThriftCompactReader::ReadBinary() {
  TANDEM_ASSIGN_OR_RETURN(uint64_t len, ReadVarint());
  if (len > size_ - pos_) {
    return Fail("binary of " + std::to_string(len) + " bytes but only " + std::to_string(size_ - pos_) +
                " remain");
  }
  std::string_view v(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return v;
}

Status ThriftCompactReader::ReadString(std::string* out) {
  TANDEM_ASSIGN_OR_RETURN(std::string_view v, ReadBinary());
  out->assign(v.data(), v.size());
  return Status::OK();
}

Status ThriftCompactReader::ReadListBegin(ThriftType* elem_type, uint32_t* size) {
  if (pos_ >= size_) return Fail("list header runs past the end of the data");
  const uint8_t b = data_[pos_++];
  const uint8_t t = b & 0x0f;
  if (t == 0 || !ValidType(t)) return Fail("unknown list element type " + std::to_string(t));
  uint64_t n = b >> 4;
  if (n == 15) {
    TANDEM_ASSIGN_OR_RETURN(n, ReadVarint());
  }
  // Every element takes at least one byte, so a longer list cannot fit.
  if (n > size_ - pos_) {
    return Fail("list of " + std::to_string(n) + " elements but only " + std::to_string(size_ - pos_) +
                " bytes remain");
  }
  *elem_type = static_cast<ThriftType>(t);
  *size = static_cast<uint32_t>(n);
  return Status::OK();
}

Status ThriftCompactReader::Skip(ThriftType type) {
  return SkipDepth(type, 0);
}

Status ThriftCompactReader::SkipDepth(ThriftType type, int depth) {
  if (depth_ + depth >= max_depth_ || depth_ + depth >= kMaxStack - 1) {
    return Fail("values nested deeper than " + std::to_string(max_depth_));
  }
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse: return ReadBool().status();
    case ThriftType::kByte: return ReadByte().status();
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64: return ReadVarint().status();
    case ThriftType::kDouble: return ReadDouble().status();
    case ThriftType::kBinary: return ReadBinary().status();
    case ThriftType::kUuid:
      if (size_ - pos_ < 16) return Fail("uuid runs past the end of the data");
      pos_ += 16;
      return Status::OK();
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType elem;
      uint32_t n;
      TANDEM_RETURN_IF_ERROR(ReadListBegin(&elem, &n));
      for (uint32_t i = 0; i < n; ++i) {
        pending_bool_ = -1;
        TANDEM_RETURN_IF_ERROR(SkipDepth(elem, depth + 1));
      }
      return Status::OK();
    }
    case ThriftType::kMap: {
      TANDEM_ASSIGN_OR_RETURN(uint64_t n, ReadVarint());
      if (n == 0) return Status::OK();
      if (n > size_ - pos_) return Fail("map of " + std::to_string(n) + " entries does not fit");
      if (pos_ >= size_) return Fail("map header runs past the end of the data");
      const uint8_t kv = data_[pos_++];
      const uint8_t kt = kv >> 4, vt = kv & 0x0f;
      if (kt == 0 || vt == 0 || !ValidType(kt) || !ValidType(vt)) return Fail("bad map key/value types");
      for (uint64_t i = 0; i < n; ++i) {
        pending_bool_ = -1;
        TANDEM_RETURN_IF_ERROR(SkipDepth(static_cast<ThriftType>(kt), depth + 1));
        pending_bool_ = -1;
        TANDEM_RETURN_IF_ERROR(SkipDepth(static_cast<ThriftType>(vt), depth + 1));
      }
      return Status::OK();
    }
    case ThriftType::kStruct: {
      // Structs keep their own field-id state, so nest through the regular struct stack.
      TANDEM_RETURN_IF_ERROR(ReadStructBegin());
      while (true) {
        ThriftType ft;
        int16_t id;
        TANDEM_RETURN_IF_ERROR(ReadFieldBegin(&ft, &id));
        if (ft == ThriftType::kStop) break;
        TANDEM_RETURN_IF_ERROR(SkipDepth(ft, depth));
      }
      ReadStructEnd();
      return Status::OK();
    }
    case ThriftType::kStop: break;
  }
  return Fail(std::string("cannot skip a value of type ") + TypeName(type));
}

// ---- writer ----

void ThriftCompactWriter::WriteVarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ThriftCompactWriter::StructBegin() {
  if (depth_ + 1 < kMaxStack) ++depth_;
  last_field_id_[depth_] = 0;
}

void ThriftCompactWriter::StructEnd() {
  out_->push_back(0);
  if (depth_ > 0) --depth_;
}

void ThriftCompactWriter::FieldBegin(ThriftType type, int16_t id) {
  const int delta = id - last_field_id_[depth_];
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    WriteI16(id);
  }
  last_field_id_[depth_] = id;
}

void ThriftCompactWriter::FieldBool(int16_t id, bool v) {
  FieldBegin(v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse, id);
}

void ThriftCompactWriter::WriteDouble(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void ThriftCompactWriter::WriteBinary(std::string_view v) {
  WriteVarint(v.size());
  out_->append(v.data(), v.size());
}

void ThriftCompactWriter::ListBegin(ThriftType elem_type, uint32_t size) {
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem_type)));
  } else {
    out_->push_back(static_cast<char>(0xf0 | static_cast<uint8_t>(elem_type)));
    WriteVarint(size);
  }
}

}  // namespace tandem::parquet
