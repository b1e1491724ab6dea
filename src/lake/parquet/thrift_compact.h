// ThriftCompactReader / ThriftCompactWriter: the Thrift compact protocol (apache/thrift
// doc/specs/thrift-compact-protocol.md), hand-written for the Parquet footer and page headers.
//
// The reader decodes from a byte span it does not own and never reads past its end. Every length and
// list size is checked against the bytes that remain (each element takes at least one byte), struct
// nesting is capped at `max_depth`, and unknown fields of any type can be skipped. Malformed input is a
// Corruption error naming what was wrong and where; never a crash, hang or oversized allocation.
// The writer appends to a std::string it does not own.
// Both are thread-compatible: one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tandem::parquet {

// Compact protocol type codes (as they appear in field headers and list headers).
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  // in a field header: a bool field whose value is true; in a list: the bool type
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

class ThriftCompactReader {
 public:
  static constexpr int kDefaultMaxDepth = 32;

  ThriftCompactReader(const uint8_t* data, size_t size, int max_depth = kDefaultMaxDepth)
      : data_(data), size_(size), max_depth_(max_depth) {}

  // Bytes consumed so far.
  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  // Enters a struct (checks the depth limit) / leaves it (after ReadFieldBegin returned kStop).
  Status ReadStructBegin();
  void ReadStructEnd();
  // Reads the next field header of the current struct; *type == kStop at its end. For a bool field the
  // value is taken from the header and returned by the next ReadBool().
  Status ReadFieldBegin(ThriftType* type, int16_t* id);

  Result<bool> ReadBool();
  Result<int8_t> ReadByte();
  Result<int16_t> ReadI16();
  Result<int32_t> ReadI32();
  Result<int64_t> ReadI64();
  Result<double> ReadDouble();
  // A view into the input (valid while the input is).
  Result<std::string_view> ReadBinary();
  Status ReadString(std::string* out);

  // List or set header. *size is at most remaining() (each element needs at least one byte).
  Status ReadListBegin(ThriftType* elem_type, uint32_t* size);

  // Skips one value of `type` (structs, lists, sets and maps recursively, within the depth limit).
  Status Skip(ThriftType type);

  Result<uint64_t> ReadVarint();

 private:
  Status Fail(const std::string& what) const;
  Status SkipDepth(ThriftType type, int depth);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int max_depth_;
  int depth_ = 0;
  static constexpr int kMaxStack = 64;
  int16_t last_field_id_[kMaxStack] = {};
  // A bool field's value, read from its header; -1 when none is pending.
  int pending_bool_ = -1;
};

class ThriftCompactWriter {
 public:
  explicit ThriftCompactWriter(std::string* out) : out_(out) {}

  void StructBegin();
  // Writes the stop byte and leaves the struct.
  void StructEnd();
  void FieldBegin(ThriftType type, int16_t id);

  // Field helpers: header plus value.
  void FieldBool(int16_t id, bool v);
  void FieldI8(int16_t id, int8_t v) {
    FieldBegin(ThriftType::kByte, id);
    WriteByte(v);
  }
  void FieldI16(int16_t id, int16_t v) {
    FieldBegin(ThriftType::kI16, id);
    WriteI16(v);
  }
  void FieldI32(int16_t id, int32_t v) {
    FieldBegin(ThriftType::kI32, id);
    WriteI32(v);
  }
  void FieldI64(int16_t id, int64_t v) {
    FieldBegin(ThriftType::kI64, id);
    WriteI64(v);
  }
  void FieldDouble(int16_t id, double v) {
    FieldBegin(ThriftType::kDouble, id);
    WriteDouble(v);
  }
  void FieldBinary(int16_t id, std::string_view v) {
    FieldBegin(ThriftType::kBinary, id);
    WriteBinary(v);
  }
  // Begins a struct-valued field; end it with StructEnd().
  void FieldStructBegin(int16_t id) {
    FieldBegin(ThriftType::kStruct, id);
    StructBegin();
  }
  void FieldListBegin(int16_t id, ThriftType elem_type, uint32_t size) {
    FieldBegin(ThriftType::kList, id);
    ListBegin(elem_type, size);
  }

  // Bare values (list elements).
  void WriteBool(bool v) { out_->push_back(static_cast<char>(v ? 1 : 2)); }
  void WriteByte(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void WriteI16(int16_t v) { WriteVarint(ZigZag(v)); }
  void WriteI32(int32_t v) { WriteVarint(ZigZag(v)); }
  void WriteI64(int64_t v) { WriteVarint(ZigZag(v)); }
  void WriteDouble(double v);
  void WriteBinary(std::string_view v);
  void ListBegin(ThriftType elem_type, uint32_t size);
  void WriteVarint(uint64_t v);

 private:
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  std::string* out_;
  static constexpr int kMaxStack = 64;
  int depth_ = 0;
  int16_t last_field_id_[kMaxStack] = {};
};

}  // namespace tandem::parquet
