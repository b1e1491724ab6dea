#include "cli/ingest_keys.h"

#include <fmt/format.h>

#include <random>
#include <vector>

namespace tandem::cli {

uint64_t IngestKeys::Fnv1a64(std::string_view data, uint64_t hash) {
  constexpr uint64_t kPrime = 0x100000001b3ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= kPrime;
  }
  return hash;
}

Result<IngestKeys> IngestKeys::ForFile(const RandomAccessFile& file) {
  TANDEM_ASSIGN_OR_RETURN(uint64_t size, file.Size());
  std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>(size, kIdentityBytes)));
  size_t got = 0;
  while (got < head.size()) {
    TANDEM_ASSIGN_OR_RETURN(size_t n, file.ReadAt(got, head.size() - got, head.data() + got));
    if (n == 0) break;
    got += n;
  }
  const uint64_t hash = Fnv1a64(std::string_view(reinterpret_cast<const char*>(head.data()), got));
  return IngestKeys(fmt::format("f{:016x}-{:x}", hash, size));
}

Result<IngestKeys> IngestKeys::ForPrefix(std::string prefix) {
  if (prefix.empty() || prefix.size() > 200) {
    return Status::InvalidArgument("--key-prefix must be 1-200 characters, got " +
                                   std::to_string(prefix.size()));
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(prefix[i]);
    if (c <= 0x20 || c >= 0x7f || c == ':') {
      return Status::InvalidArgument(
          fmt::format("--key-prefix \"{}\": character {} (byte 0x{:02x}) is not allowed; use printable "
                      "ASCII without spaces or ':'",
                      prefix, i + 1, c));
    }
  }
  return IngestKeys(std::move(prefix));
}

IngestKeys IngestKeys::ForRun() {
  std::random_device rd;
  const uint64_t r = (uint64_t{rd()} << 32) ^ rd();
  return IngestKeys(fmt::format("run-{:016x}", r));
}

std::string IngestKeys::KeyFor(int64_t index, std::string_view body) const {
  return fmt::format("tandem-ingest:{}:{}:{:016x}", prefix_, index, Fnv1a64(body));
}

}  // namespace tandem::cli
