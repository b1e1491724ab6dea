// libFuzzer target for the lake manifest reader (Manifest::FromJson, see manifest.h and
// docs/formats/lake.md). Promises checked on arbitrary bytes:
//   - FromJson never crashes, throws or hits undefined behaviour; a rejection is Corruption or
//     NotSupported (a newer format_version) with a message naming the source;
//   - a manifest that parses has only relative file paths without "..";
//   - it round-trips: FromJson(ToJson(m)) succeeds and equals m, and ToJson of that is the same text.
// Corpus: fuzz/corpus/manifest/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_check.h"
#include "lake/manifest.h"

namespace {

bool SameManifest(const tandem::lake::Manifest& a, const tandem::lake::Manifest& b) {
  return a.version == b.version && a.horizon == b.horizon && a.next_file_id == b.next_file_id &&
         a.files == b.files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tandem::lake::Manifest;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = Manifest::FromJson(text, "fuzz.json");
  if (!parsed.ok()) {
    const auto code = parsed.status().code();
    FUZZ_CHECK(code == tandem::StatusCode::kCorruption || code == tandem::StatusCode::kNotSupported);
    FUZZ_CHECK(parsed.status().message().find("fuzz.json") != std::string::npos);
    return 0;
  }
  for (const auto& f : parsed->files) {
    FUZZ_CHECK(!f.path.empty() && f.path[0] != '/' && f.path.find("..") == std::string::npos);
  }
  const std::string json = parsed->ToJson();
  auto again = Manifest::FromJson(json, "fuzz.json (round trip)");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SameManifest(*parsed, *again));
  FUZZ_CHECK(again->ToJson() == json);
  return 0;
}
