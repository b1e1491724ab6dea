// Little-endian integer encoding for Tandem's own binary formats (log segments, idempotency envelopes and
// index). Byte by byte, so the bytes are the same on any host. Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tandem {

// Appends the sizeof(T) bytes of `v`, least significant first. T: an integer type of at most 8 bytes.
template <typename T>
void AppendLittleEndian(std::string* out, T v) {
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i)
    buf[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  out->append(buf, sizeof(T));
}

// Reads sizeof(T) bytes at `p`, least significant first. The caller checks that they exist.
template <typename T>
T LoadLittleEndian(const uint8_t* p) {
  uint64_t x = 0;
  for (size_t i = 0; i < sizeof(T); ++i) x |= uint64_t{p[i]} << (8 * i);
  return static_cast<T>(x);
}

}  // namespace tandem
