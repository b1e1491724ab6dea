// Fault-injection tests of the lake's durability (docs/reliability.md): for every fault kind (failed
// Nth write, short write, no space, a disk that stays full, failed fsync, failed directory fsync, failed
// rename, create, remove) at every point of a manifest publish, a lake flush and a compaction (loop N =
// 1.. until the operation runs without the fault firing), after SimulateCrash + Restart + reopen the
// lake is either the old state or the new one — every offset below the horizon exactly once with its own
// values — and an operation that returned OK is never undone.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/fault_injection_file_system.h"
#include "common/memory_file_system.h"
#include "lake/lake_writer.h"
#include "lake/manifest.h"

namespace tandem::lake {
namespace {

using Op = FaultInjectionFileSystem::Op;
using Effect = FaultInjectionFileSystem::Effect;

constexpr int64_t kDay = 86400000000LL;
constexpr int64_t kMay1 = 19844 * kDay;  // 2024-05-01T00:00:00Z
constexpr int kMaxPoints = 400;          // a safety net: no operation here does that many calls

struct FaultKind {
  const char* name;
  Op op;
  Effect effect;
  bool stays_full;  // the disk fills at this append and stays full until cleared
};

const std::vector<FaultKind>& Kinds() {
  static const std::vector<FaultKind> kinds = {
      {"append-eio", Op::kAppend, Effect::kIOError, false},
      {"short-write", Op::kAppend, Effect::kShortWrite, false},
      {"no-space", Op::kAppend, Effect::kNoSpace, false},
      {"disk-full", Op::kAppend, Effect::kNoSpace, true},
      {"fsync", Op::kSync, Effect::kIOError, false},
      {"dir-fsync", Op::kSyncDir, Effect::kIOError, false},
      {"rename", Op::kRename, Effect::kIOError, false},
      {"create", Op::kCreate, Effect::kIOError, false},
      {"remove", Op::kRemove, Effect::kIOError, false},
  };
  return kinds;
}

Schema StreamSchema() {
  return Schema{{{"ts", DataType::Timestamp(), false},
                 {"user", DataType::String(), true},
                 {"n", DataType::Int64(), true}}};
}

int64_t TsOf(int64_t k) {
  return kMay1 + (k % 2) * kDay + k;
}
std::string UserOf(int64_t k) {
  return "u" + std::to_string(k % 7);
}

// Events [start, start+count): two event dates, so a flush writes two partitions.
RecordBatch Events(int64_t start, int64_t count) {
  RecordBatch b = RecordBatch::Empty(StreamSchema());
  for (int64_t k = start; k < start + count; ++k) {
    b.mutable_column(0).Append<int64_t>(TsOf(k));
    b.mutable_column(1).AppendString(UserOf(k));
    b.mutable_column(2).Append<int64_t>(k);
  }
  b.set_num_rows(static_cast<size_t>(count));
  return b;
}

LakeOptions Options() {
  LakeOptions o;
  o.grace_period_ms = 0;  // compaction deletes the files it replaced at once: exercise that path too
  return o;
}

// Checks that the lake published on `fs` is a complete, consistent state: every offset below the horizon
// exactly once with its own values, every listed file present with its recorded size, no file that the
// manifest does not list. Returns the horizon (or -1 after a failed assertion).
int64_t CheckLake(FileSystem* fs, const std::string& dir, const std::string& context) {
  SCOPED_TRACE(context);
  auto w = LakeWriter::Open(fs, dir, StreamSchema(), 0, Options());
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return -1;
  std::shared_ptr<const Manifest> m = (*w)->snapshot();
  std::vector<int64_t> seen;
  Status st = ScanLake(fs, dir, *m, {0, m->horizon}, {"ts", "user", "n", "_offset"}, [&](RecordBatch&& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      const int64_t off = b.column(3).Value<int64_t>(i);
      EXPECT_EQ(b.column(2).Value<int64_t>(i), off);
      EXPECT_EQ(b.column(0).Value<int64_t>(i), TsOf(off));
      EXPECT_EQ(std::string(b.column(1).GetString(i)), UserOf(off));
      seen.push_back(off);
    }
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::sort(seen.begin(), seen.end());
  std::vector<int64_t> want;
  for (int64_t i = 0; i < m->horizon; ++i) want.push_back(i);
  EXPECT_EQ(seen, want) << "the lake below horizon " << m->horizon
                        << " does not hold every offset exactly once";
  std::set<std::string> listed;
  for (const LakeFile& f : m->files) {
    listed.insert(f.path);
    auto size = fs->FileSize(dir + "/" + f.path);
    EXPECT_TRUE(size.ok()) << f.path << ": " << size.status().ToString();
    if (size.ok()) {
      EXPECT_EQ(static_cast<int64_t>(*size), f.bytes) << f.path;
    }
  }
  auto entries = fs->ListDir(dir);
  EXPECT_TRUE(entries.ok());
  for (const std::string& d : entries.ok() ? *entries : std::vector<std::string>{}) {
    if (d.rfind("date=", 0) != 0) continue;
    auto files = fs->ListDir(dir + "/" + d);
    for (const std::string& name : files.ok() ? *files : std::vector<std::string>{}) {
      EXPECT_TRUE(listed.count(d + "/" + name)) << "orphan file " << d << "/" << name << " survived reopen";
    }
  }
  // The recovered writer keeps working.
  const int64_t h = m->horizon;
  EXPECT_TRUE((*w)->Append(h, Events(h, 5)).ok());
  st = (*w)->Flush();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ((*w)->horizon(), h + 5);
  return ::testing::Test::HasFailure() ? -1 : h;
}

// What to do after the faulted operation, before the crash.
enum class After {
  kCrash,              // crash at once
  kRetryThenCrash,     // retry the operation without faults (it must succeed, and survive the crash)
  kReopenWithoutCrash  // a process restart without power loss: everything written stays
};

const char* AfterName(After a) {
  switch (a) {
    case After::kCrash: return "crash";
    case After::kRetryThenCrash: return "retry+crash";
    case After::kReopenWithoutCrash: return "reopen";
  }
  return "?";
}

// Runs `setup` fault-free, then `op` with one fault at every point; checks the lake after each. `old_h`
// and `new_h` are the horizons before and after a successful `op`.
void ForEveryFault(const std::function<void(FileSystem*, LakeWriter*)>& setup,
                   const std::function<Status(LakeWriter*)>& op, int64_t old_h, int64_t new_h,
                   int* points_tested) {
  for (const FaultKind& kind : Kinds()) {
    for (After after : {After::kCrash, After::kRetryThenCrash, After::kReopenWithoutCrash}) {
      bool fired = true;
      for (int n = 1; fired; ++n) {
        ASSERT_LE(n, kMaxPoints) << "the operation never completes without the fault";
        const std::string ctx =
            std::string(kind.name) + " at call " + std::to_string(n) + ", then " + AfterName(after);
        SCOPED_TRACE(ctx);
        MemoryFileSystem base;
        FaultInjectionFileSystem fs(&base);
        const std::string dir = "/lake/s";
        bool acknowledged = false;
        {
          auto w = LakeWriter::Open(&fs, dir, StreamSchema(), 0, Options());
          ASSERT_TRUE(w.ok()) << w.status().ToString();
          setup(&fs, w->get());
          ASSERT_FALSE(::testing::Test::HasFailure());
          const uint64_t before = fs.count(kind.op);
          fs.FailNth(kind.op, static_cast<uint64_t>(n), kind.effect);
          Status st = op(w->get());
          fired = fs.count(kind.op) - before >= static_cast<uint64_t>(n);
          if (kind.stays_full && fired) {
            fs.SetDiskFull(true);
            Status again = op(w->get());  // must fail cleanly, not make things worse
            EXPECT_FALSE(again.ok()) << "the operation reported success on a full disk";
          }
          fs.ClearFaults();
          if (!fired) {
            EXPECT_TRUE(st.ok()) << st.ToString();
          }
          acknowledged = st.ok();
          if (after == After::kRetryThenCrash) {
            Status retry = op(w->get());
            EXPECT_TRUE(retry.ok()) << "retry after the fault: " << retry.ToString();
            acknowledged = acknowledged || retry.ok();
          }
          if (after != After::kReopenWithoutCrash) {
            ASSERT_TRUE(fs.SimulateCrash().ok());
            fs.Restart();
          }
        }
        const int64_t h = CheckLake(&fs, dir, ctx);
        ASSERT_GE(h, 0);
        EXPECT_TRUE(h == old_h || h == new_h)
            << "horizon " << h << " is neither " << old_h << " nor " << new_h;
        if (acknowledged) {
          EXPECT_EQ(h, new_h) << "an acknowledged operation was undone by the crash";
        }
        ++*points_tested;
      }
    }
  }
}

TEST(LakeFaultTest, FlushIsAtomicUnderEveryFault) {
  int points = 0;
  ForEveryFault(
      [](FileSystem*, LakeWriter* w) {
        ASSERT_TRUE(w->Append(0, Events(0, 40)).ok());
        ASSERT_TRUE(w->Flush().ok());
        ASSERT_TRUE(w->Append(40, Events(40, 30)).ok());
      },
      [](LakeWriter* w) { return w->Flush(); }, 40, 70, &points);
  EXPECT_GT(points, 50);
}

TEST(LakeFaultTest, FirstFlushIsAtomicUnderEveryFault) {
  int points = 0;
  ForEveryFault([](FileSystem*, LakeWriter* w) { ASSERT_TRUE(w->Append(0, Events(0, 25)).ok()); },
                [](LakeWriter* w) { return w->Flush(); }, 0, 25, &points);
  EXPECT_GT(points, 50);
}

TEST(LakeFaultTest, CompactionIsAtomicUnderEveryFault) {
  int points = 0;
  ForEveryFault(
      [](FileSystem*, LakeWriter* w) {
        for (int i = 0; i < 5; ++i) {
          ASSERT_TRUE(w->Append(i * 10, Events(i * 10, 10)).ok());
          ASSERT_TRUE(w->Flush().ok());
        }
        ASSERT_EQ(w->snapshot()->files.size(), 10u);
      },
      [](LakeWriter* w) -> Status {
        auto r = w->Compact();
        if (!r.ok()) return r.status();
        // The retry after a failed compaction may find less to do; the first successful run does it all.
        return Status::OK();
      },
      50, 50, &points);
  EXPECT_GT(points, 50);
}

TEST(LakeFaultTest, CompactionActuallyCompactsWithoutFaults) {
  // The test above cannot tell "compacted" from "not compacted" by the horizon; make sure the operation
  // it injects faults into does rewrite files.
  MemoryFileSystem base;
  FaultInjectionFileSystem fs(&base);
  auto w = LakeWriter::Open(&fs, "/lake/s", StreamSchema(), 0, Options());
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*w)->Append(i * 10, Events(i * 10, 10)).ok());
    ASSERT_TRUE((*w)->Flush().ok());
  }
  auto r = (*w)->Compact();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files_in, 10);
  EXPECT_EQ(r->files_out, 2);
  ASSERT_TRUE(fs.SimulateCrash().ok());
  fs.Restart();
  auto again = LakeWriter::Open(&fs, "/lake/s", StreamSchema(), 0, Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->snapshot()->files.size(), 2u);
  EXPECT_EQ(CheckLake(&fs, "/lake/s", "after compaction"), 50);
}

TEST(LakeFaultTest, ManifestPublishIsAtomicUnderEveryFault) {
  int points = 0;
  for (const FaultKind& kind : Kinds()) {
    bool fired = true;
    for (int n = 1; fired; ++n) {
      ASSERT_LE(n, kMaxPoints);
      SCOPED_TRACE(std::string(kind.name) + " at call " + std::to_string(n));
      MemoryFileSystem base;
      FaultInjectionFileSystem fs(&base);
      Manifest v1, v2;
      v1.horizon = 10;
      v1.next_file_id = 1;
      v1.files.push_back(
          {"date=2024-05-01/part-00000000000000000000.parquet", "2024-05-01", 10, 100, {{0, 10}}, 1, 2});
      v2 = v1;
      v2.horizon = 20;
      v2.next_file_id = 2;
      v2.files.push_back(
          {"date=2024-05-02/part-00000000000000000001.parquet", "2024-05-02", 10, 90, {{10, 20}}, 3, 4});
      bool acknowledged = false;
      {
        ManifestStore store(&fs, "/lake/s");
        ASSERT_TRUE(store.Publish(&v1).ok());
        const uint64_t before = fs.count(kind.op);
        fs.FailNth(kind.op, static_cast<uint64_t>(n), kind.effect);
        Status st = store.Publish(&v2);
        if (st.ok()) st = store.RemoveOldVersions(1);
        fired = fs.count(kind.op) - before >= static_cast<uint64_t>(n);
        fs.ClearFaults();
        acknowledged = st.ok();
        if (!fired) {
          EXPECT_TRUE(st.ok()) << st.ToString();
        }
        ASSERT_TRUE(fs.SimulateCrash().ok());
        fs.Restart();
      }
      ManifestStore store(&fs, "/lake/s");
      auto latest = store.LoadLatest();
      ASSERT_TRUE(latest.ok()) << latest.status().ToString();
      Manifest got = *latest;
      got.version = 0;
      Manifest want1 = v1, want2 = v2;
      want1.version = want2.version = 0;
      const bool is_old = got.ToJson() == want1.ToJson();
      const bool is_new = got.ToJson() == want2.ToJson();
      EXPECT_TRUE(is_old || is_new) << "recovered manifest is neither version: " << latest->ToJson();
      if (acknowledged) {
        EXPECT_TRUE(is_new) << "an acknowledged publish was undone by the crash";
      }
      // The next publish after recovery gets a fresh, higher version.
      Manifest v3 = *latest;
      ASSERT_TRUE(store.Publish(&v3).ok());
      EXPECT_GT(v3.version, latest->version);
      ++points;
    }
  }
  EXPECT_GT(points, 10);
}

// Regression (found by this test, fixed in lake_writer.cc): when a manifest publish fails AFTER its rename
// (the directory fsync fails), the on-disk latest manifest is the new one but LakeWriter keeps the old one in
// memory; the next flush reuses the same file ids (next_file_id of the old manifest) and overwrites, with
// different rows, the Parquet files that the on-disk manifest lists. If that second flush fails too, a
// restart (no power loss needed) reads the first manifest over the overwritten files: offsets above its
// horizon are returned by scans below it, so the engine replays them from the log again — duplicates.
// The fix: file ids are never reused — LakeWriter keeps next_file_id and advances it for every file written,
// whether or not the publish succeeds.
TEST(LakeFaultTest, FailedPublishThenFailedFlushThenReopenKeepsFilesImmutable) {
  MemoryFileSystem base;
  FaultInjectionFileSystem fs(&base);
  const std::string dir = "/lake/s";
  {
    auto w = LakeWriter::Open(&fs, dir, StreamSchema(), 0, Options());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(0, Events(0, 40)).ok());
    ASSERT_TRUE((*w)->Flush().ok());
    ASSERT_TRUE((*w)->Append(40, Events(40, 30)).ok());
    // Two partition directory syncs, then the manifest directory's: fail that one (after the rename).
    fs.FailNth(Op::kSyncDir, 3);
    ASSERT_FALSE((*w)->Flush().ok());
    ASSERT_TRUE(*base.Exists(dir + "/_manifest/v00000000000000000002.json"));
    ASSERT_TRUE((*w)->Append(70, Events(70, 20)).ok());
    // The second flush rewrites the data files, then fails to write its manifest.
    fs.FailNth(Op::kRename, 1);
    ASSERT_FALSE((*w)->Flush().ok());
  }
  EXPECT_GE(CheckLake(&fs, dir, "reopen after two failed flushes"), 0);
}

}  // namespace
}  // namespace tandem::lake
