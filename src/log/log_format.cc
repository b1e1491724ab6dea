#include "log/log_format.h"

#include <cstring>

#include "common/crc32c.h"
#include "common/little_endian.h"

namespace tandem::log_format {
namespace {

void PutU32(std::string* out, uint32_t v) {
  AppendLittleEndian<uint32_t>(out, v);
}
void PutU64(std::string* out, uint64_t v) {
  AppendLittleEndian<uint64_t>(out, v);
}
uint32_t GetU32(const uint8_t* p) {
  return LoadLittleEndian<uint32_t>(p);
}
uint64_t GetU64(const uint8_t* p) {
  return LoadLittleEndian<uint64_t>(p);
}

}  // namespace

std::string SegmentFileName(uint64_t base_offset) {
  std::string digits = std::to_string(base_offset);
  return std::string(20 - digits.size(), '0') + digits + ".log";
}

bool ParseSegmentFileName(std::string_view name, uint64_t* base_offset) {
  if (name.size() != 24 || name.substr(20) != ".log") return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *base_offset = v;
  return true;
}

std::string EncodeSegmentHeader(uint64_t base_offset) {
  std::string h(kMagic);
  PutU32(&h, kVersion);
  PutU32(&h, 0);
  PutU64(&h, base_offset);
  PutU32(&h, 0);
  PutU32(&h, crc32c::Mask(crc32c::Value(h.data(), h.size())));
  return h;
}

bool DecodeSegmentHeader(const uint8_t* header, uint64_t* base_offset, std::string* why) {
  if (std::memcmp(header, kMagic.data(), kMagic.size()) != 0) {
    *why = "bad magic (not a Tandem log segment)";
    return false;
  }
  uint32_t crc = crc32c::Unmask(GetU32(header + 28));
  if (crc != crc32c::Value(header, 28)) {
    *why = "segment header CRC mismatch";
    return false;
  }
  uint32_t version = GetU32(header + 8);
  if (version != kVersion) {
    *why = "unsupported segment format version " + std::to_string(version);
    return false;
  }
  if (GetU32(header + 12) != 0 || GetU32(header + 24) != 0) {
    *why = "segment header flags " + std::to_string(GetU32(header + 12)) + " / reserved word " +
           std::to_string(GetU32(header + 24)) + " not zero (a newer format?)";
    return false;
  }
  *base_offset = GetU64(header + 16);
  return true;
}

void AppendRecordHeader(std::string* out, uint64_t offset, uint32_t count, uint32_t length,
                        uint32_t payload_crc) {
  size_t start = out->size();
  PutU32(out, length);
  PutU32(out, 0);  // CRC placeholder
  PutU64(out, offset);
  PutU32(out, count);
  PutU32(out, 0);
  const auto* h = reinterpret_cast<const uint8_t*>(out->data() + start);
  uint32_t crc = crc32c::Extend(payload_crc, h, 4);
  crc = crc32c::Extend(crc, h + 8, kRecordHeaderSize - 8);
  uint32_t masked = crc32c::Mask(crc);
  for (int i = 0; i < 4; ++i) (*out)[start + 4 + i] = static_cast<char>(masked >> (8 * i));
}

RecordHeader DecodeRecordHeader(const uint8_t* header) {
  RecordHeader r;
  r.length = GetU32(header);
  r.masked_crc = GetU32(header + 4);
  r.offset = GetU64(header + 8);
  r.count = GetU32(header + 16);
  r.flags = GetU32(header + 20);
  return r;
}

uint32_t RecordCrc(const uint8_t* header, const uint8_t* payload, size_t length) {
  uint32_t crc = crc32c::Value(payload, length);
  crc = crc32c::Extend(crc, header, 4);
  return crc32c::Extend(crc, header + 8, kRecordHeaderSize - 8);
}

}  // namespace tandem::log_format
