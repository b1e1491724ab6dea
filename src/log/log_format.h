// The on-disk format of the event log: constants and the encoding of segment and record headers.
// docs/formats/log.md describes the bytes; this header is its executable form. All integers are
// little-endian. Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::log_format {

// Segment header (32 bytes):
//   0  magic "TNDMLOG1"   8 bytes
//   8  version            u32 (kVersion)
//  12  flags              u32 (0)
//  16  base offset        u64 (equals the number in the file name)
//  24  reserved           u32 (0)
//  28  masked CRC32C of bytes [0, 28)
inline constexpr std::string_view kMagic = "TNDMLOG1";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 32;

// Offsets stay below 2^63 so that every layer can hold them in an int64 (the lake's `_offset` column, batch
// horizons). Append refuses a record that would go past it; recovery treats one that does as corruption.
inline constexpr uint64_t kMaxOffset = (uint64_t{1} << 63) - 1;

// Record header (24 bytes), followed by `length` payload bytes:
//   0  length   u32  payload bytes
//   4  crc      u32  masked CRC32C of: payload, then header bytes [0, 4), then header bytes [8, 24)
//   8  offset   u64  offset of the first event in the record
//  16  count    u32  number of events (>= 1); the record holds offsets [offset, offset + count)
//  20  flags    u32  0 in version 1 (reserved for a payload codec)
inline constexpr size_t kRecordHeaderSize = 24;

// "00000000000000000042.log": the base offset, 20 decimal digits, so names sort like offsets.
std::string SegmentFileName(uint64_t base_offset);
// True (and *base_offset set) when `name` is a segment file name.
bool ParseSegmentFileName(std::string_view name, uint64_t* base_offset);

std::string EncodeSegmentHeader(uint64_t base_offset);
// True (and *base_offset set) when `header` (kSegmentHeaderSize bytes) has the magic, the CRC, version 1 and
// zero flags and reserved words (a non-zero one is a format this build does not know).
// `why` receives the reason on failure.
bool DecodeSegmentHeader(const uint8_t* header, uint64_t* base_offset, std::string* why);

struct RecordHeader {
  uint32_t length = 0;
  uint32_t masked_crc = 0;
  uint64_t offset = 0;
  uint32_t count = 0;
  uint32_t flags = 0;
};

// Appends the 24-byte header of a record to *out. `payload_crc` is crc32c::Value(payload).
void AppendRecordHeader(std::string* out, uint64_t offset, uint32_t count, uint32_t length,
                        uint32_t payload_crc);
RecordHeader DecodeRecordHeader(const uint8_t* header);
// The unmasked CRC a record with this header bytes and payload must carry.
uint32_t RecordCrc(const uint8_t* header, const uint8_t* payload, size_t length);

}  // namespace tandem::log_format
