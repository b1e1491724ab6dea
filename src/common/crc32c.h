// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78): the checksum of every record and
// header Tandem writes to disk.
//
// Value() and Extend() pick the SSE4.2 crc32 instruction when the CPU has it (decided once, at first
// use) and a slicing-by-8 table otherwise; both paths give identical results. All functions are pure
// and thread-safe.
//
// Mask()/Unmask(): a CRC stored next to data that may itself contain CRCs is stored masked (rotated and
// offset, as LevelDB does), so that the CRC of a string with an embedded CRC is not trivially related.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tandem::crc32c {

// Returns the CRC of the concatenation of the data `crc` was computed over and data[0, n).
uint32_t Extend(uint32_t crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) {
  return Extend(0, data, n);
}
inline uint32_t Value(std::string_view s) {
  return Extend(0, s.data(), s.size());
}

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// The two implementations, exposed for tests and benchmarks. ExtendHardware must only be called when
// HardwareAvailable() is true.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n);
bool HardwareAvailable();

}  // namespace tandem::crc32c
