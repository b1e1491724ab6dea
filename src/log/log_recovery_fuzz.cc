// libFuzzer target for log recovery (Log::Open over arbitrary segment files, see log.h "Recovery").
//
// Input layout:
//   byte 0      flags: bits 0-1 = number of segment files - 1; bit 2 = repair CRCs (the harness rewrites
//               the segment-header CRC and walks the records, fixing each record CRC, so that mutations
//               reach the checks behind the CRCs); bit 3 = name each file after the base offset in its
//               own header (bytes 16..23) instead of after its index 0, 1, 2, 3.
//   then, for every segment but the last: u32 little-endian length, then that many bytes (clamped to
//   what is left); the last segment gets the rest.
// The segments are written into a MemoryFileSystem log directory, then Log::Open recovers it. Promises:
//   - Open fails only with Corruption (a clean Status with a message), never crashes or hangs;
//   - otherwise every durable record reads back (Read never fails: recovery verified every CRC), offsets
//     are dense from first_offset() to durable_offset() without wrapping, the record count matches
//     recovery_info(), and the segment files left on disk are exactly a header plus the records read,
//     each file a prefix of what was written (or, for a torn header, a fresh header);
//   - the recovered log accepts a durable append, and reopening it finds the same records plus that one.
// Corpus: fuzz/corpus/log_recovery/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/crc32c.h"
#include "common/little_endian.h"
#include "common/memory_file_system.h"
#include "fuzz/fuzz_check.h"
#include "log/log.h"
#include "log/log_format.h"

namespace {

namespace lf = tandem::log_format;
using tandem::Log;
using tandem::LogOptions;
using tandem::LogRecord;
using tandem::MemoryFileSystem;

constexpr char kDir[] = "log";

uint32_t GetU32(const char* p) {
  return tandem::LoadLittleEndian<uint32_t>(reinterpret_cast<const uint8_t*>(p));
}

uint64_t GetU64(const char* p) {
  return tandem::LoadLittleEndian<uint64_t>(reinterpret_cast<const uint8_t*>(p));
}

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

// Rewrites the segment header CRC and every record CRC that can be located by walking the lengths.
void RepairCrcs(std::string* seg) {
  if (seg->size() < lf::kSegmentHeaderSize) return;
  PutU32(seg->data() + 28, tandem::crc32c::Mask(tandem::crc32c::Value(seg->data(), 28)));
  size_t pos = lf::kSegmentHeaderSize;
  while (seg->size() - pos >= lf::kRecordHeaderSize) {
    const uint32_t length = GetU32(seg->data() + pos);
    if (length > seg->size() - pos - lf::kRecordHeaderSize) break;
    const auto* h = reinterpret_cast<const uint8_t*>(seg->data() + pos);
    PutU32(seg->data() + pos + 4, tandem::crc32c::Mask(lf::RecordCrc(h, h + lf::kRecordHeaderSize, length)));
    pos += lf::kRecordHeaderSize + length;
  }
}

LogOptions FuzzOptions() {
  LogOptions o;
  o.segment_bytes = 512;  // small, so that the append after recovery may roll a segment
  o.max_record_bytes = 1 << 20;
  o.max_concurrent_syncs = 1;
  o.info_log = [](const std::string&) {};
  return o;
}

// Reads every durable record; checks density. Returns them.
std::vector<LogRecord> ReadAll(const Log& log) {
  const uint64_t first = log.first_offset();
  const uint64_t durable = log.durable_offset();
  FUZZ_CHECK(first <= durable);
  FUZZ_CHECK(log.next_offset() == durable);
  std::vector<LogRecord> all;
  uint64_t expected = first;
  while (expected < durable) {
    auto recs = log.Read(expected, 4096);
    FUZZ_CHECK(recs.ok());
    FUZZ_CHECK(!recs->empty());
    for (LogRecord& r : *recs) {
      FUZZ_CHECK(r.offset == expected);
      FUZZ_CHECK(r.count >= 1);
      FUZZ_CHECK(r.offset + r.count > r.offset);  // no wrap-around
      expected = r.offset + r.count;
      all.push_back(std::move(r));
    }
  }
  FUZZ_CHECK(expected == durable);
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const int nsegs = (flags & 3) + 1;
  const bool repair = (flags & 4) != 0;
  const bool name_from_header = (flags & 8) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  // Split the input into segment files.
  std::map<uint64_t, std::string> original;  // base offset -> bytes written
  for (int i = 0; i < nsegs; ++i) {
    std::string seg;
    if (i + 1 < nsegs) {
      if (rest.size() < 4) break;
      const size_t len = std::min<size_t>(GetU32(rest.data()), rest.size() - 4);
      seg.assign(rest.substr(4, len));
      rest.remove_prefix(4 + len);
    } else {
      seg.assign(rest);
    }
    if (repair) RepairCrcs(&seg);
    uint64_t base = static_cast<uint64_t>(i);
    if (name_from_header && seg.size() >= 24) base = GetU64(seg.data() + 16);
    original.emplace(base, std::move(seg));  // a duplicate name keeps the first file
  }

  MemoryFileSystem fs;
  FUZZ_CHECK(fs.CreateDirs(kDir).ok());
  for (const auto& [base, bytes] : original) {
    auto f = fs.NewWritableFile(tandem::JoinPath(kDir, lf::SegmentFileName(base)));
    FUZZ_CHECK(f.ok());
    FUZZ_CHECK((*f)->Append(bytes).ok());
    FUZZ_CHECK((*f)->Close().ok());
  }

  auto opened = Log::Open(&fs, kDir, FuzzOptions());
  if (!opened.ok()) {
    FUZZ_CHECK(opened.status().code() == tandem::StatusCode::kCorruption);
    FUZZ_CHECK(!opened.status().message().empty());
    return 0;
  }
  std::unique_ptr<Log> log = std::move(*opened);
  const std::vector<LogRecord> records = ReadAll(*log);
  FUZZ_CHECK(records.size() == log->recovery_info().records);

  // The files on disk: a header and exactly the records read, in order; each a prefix of its original.
  auto names = fs.ListDir(kDir);
  FUZZ_CHECK(names.ok());
  size_t next = 0;
  for (const std::string& name : *names) {
    uint64_t base = 0;
    FUZZ_CHECK(lf::ParseSegmentFileName(name, &base));
    auto bytes = fs.ReadFileToString(tandem::JoinPath(kDir, name));
    FUZZ_CHECK(bytes.ok());
    const std::string& b = *bytes;
    FUZZ_CHECK(b.size() >= lf::kSegmentHeaderSize);
    uint64_t header_base = 0;
    std::string why;
    FUZZ_CHECK(lf::DecodeSegmentHeader(reinterpret_cast<const uint8_t*>(b.data()), &header_base, &why));
    FUZZ_CHECK(header_base == base);
    auto it = original.find(base);
    if (it != original.end() && it->second.size() >= lf::kSegmentHeaderSize &&
        it->second.compare(0, lf::kSegmentHeaderSize, b, 0, lf::kSegmentHeaderSize) == 0) {
      FUZZ_CHECK(it->second.compare(0, b.size(), b) == 0);  // recovery only cuts
    } else {
      FUZZ_CHECK(b.size() == lf::kSegmentHeaderSize);  // a new segment or a torn header rewritten
    }
    size_t pos = lf::kSegmentHeaderSize;
    while (pos < b.size()) {
      FUZZ_CHECK(next < records.size());
      const LogRecord& r = records[next++];
      FUZZ_CHECK(b.size() - pos >= lf::kRecordHeaderSize);
      lf::RecordHeader h = lf::DecodeRecordHeader(reinterpret_cast<const uint8_t*>(b.data() + pos));
      FUZZ_CHECK(h.offset == r.offset && h.count == r.count && h.length == r.payload.size() && h.flags == 0);
      FUZZ_CHECK(b.size() - pos - lf::kRecordHeaderSize >= h.length);
      FUZZ_CHECK(b.compare(pos + lf::kRecordHeaderSize, h.length, r.payload) == 0);
      pos += lf::kRecordHeaderSize + h.length;
    }
  }
  FUZZ_CHECK(next == records.size());

  // The recovered log works: append, read back, reopen.
  const uint64_t durable = log->durable_offset();
  FUZZ_CHECK(durable <= lf::kMaxOffset);
  auto appended = log->AppendDurable("after recovery", 2);
  if (durable > lf::kMaxOffset - 2) {  // a full log refuses the append, and stays as it was
    FUZZ_CHECK(appended.status().code() == tandem::StatusCode::kResourceExhausted);
    FUZZ_CHECK(log->durable_offset() == durable);
    return 0;
  }
  FUZZ_CHECK(appended.ok() && *appended == durable);
  FUZZ_CHECK(log->durable_offset() == durable + 2);
  auto tail = log->Read(durable, 1 << 20);
  FUZZ_CHECK(tail.ok() && tail->size() == 1 && (*tail)[0].offset == durable && (*tail)[0].count == 2 &&
             (*tail)[0].payload == "after recovery");
  FUZZ_CHECK(log->Close().ok());
  log.reset();

  auto reopened = Log::Open(&fs, kDir, FuzzOptions());
  FUZZ_CHECK(reopened.ok());
  FUZZ_CHECK((*reopened)->recovery_info().truncated_path.empty());
  const std::vector<LogRecord> again = ReadAll(**reopened);
  FUZZ_CHECK(again.size() == records.size() + 1);
  for (size_t i = 0; i < records.size(); ++i) {
    FUZZ_CHECK(again[i].offset == records[i].offset && again[i].count == records[i].count &&
               again[i].payload == records[i].payload);
  }
  return 0;
}
