// IngestKeys: the Idempotency-Key of each request `tandem ingest` sends (docs/cli.md, "Idempotency keys").
//
// A key is "tandem-ingest:<prefix>:<chunk index>:<hash of the chunk's bytes, 16 hex digits>". The prefix
// names the input:
//   - a file: "f<hash of its first MiB>-<size in hex>", so re-running the same file (with the same
//     --request-bytes, which fixes the cut points) sends the same keys and the server replays every chunk
//     it already stored instead of storing it again;
//   - a user-given --key-prefix (1-200 printable ASCII characters, no spaces or ':'), for stdin that
//     should be idempotent across runs or a file that must count as new input;
//   - stdin without --key-prefix: "run-<64 random bits>", so retries within the run are idempotent and
//     two runs are two inputs.
// The hash is 64-bit FNV-1a: it guards against accidents (a changed chunk under the same index), not
// against an adversary. Immutable and thread-safe after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"

namespace tandem::cli {

class IngestKeys {
 public:
  // Bytes of the start of a file that go into its identity.
  static constexpr size_t kIdentityBytes = size_t{1} << 20;

  // Keys for a file: hashes its first kIdentityBytes bytes and takes its size.
  static Result<IngestKeys> ForFile(const RandomAccessFile& file);
  // Keys under a user-given prefix; InvalidArgument naming the problem if it is not a valid prefix.
  static Result<IngestKeys> ForPrefix(std::string prefix);
  // Keys for one run over an input without identity (stdin): a random prefix.
  static IngestKeys ForRun();

  const std::string& prefix() const { return prefix_; }
  // The key of chunk `index` whose bytes are `body`.
  std::string KeyFor(int64_t index, std::string_view body) const;

  // 64-bit FNV-1a of `data`, continuing from `hash` (start with kFnvOffset).
  static constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
  static uint64_t Fnv1a64(std::string_view data, uint64_t hash = kFnvOffset);

 private:
  explicit IngestKeys(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string prefix_;
};

}  // namespace tandem::cli
