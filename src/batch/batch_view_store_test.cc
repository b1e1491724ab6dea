// BatchViewStore: write-audit-publish round trip, and durability under injected faults
// (docs/reliability.md): for every fault kind at every point of Write + Publish, after SimulateCrash +
// Restart + reopen the current batch view is either the old version or the new one, whole (its horizon
// and its states belong together), and a publish that returned OK is never undone.
#include "batch/batch_view_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/fault_injection_file_system.h"
#include "common/memory_file_system.h"

namespace tandem::batch {
namespace {

using Op = FaultInjectionFileSystem::Op;
using Effect = FaultInjectionFileSystem::Effect;

Schema StatesSchema() {
  return Schema{{{"k", DataType::Int64(), false}, {"n", DataType::Int64(), false}}};
}

// `groups` rows: k = i, n = i * factor.
RecordBatch States(int groups, int64_t factor) {
  RecordBatch b = RecordBatch::Empty(StatesSchema());
  for (int i = 0; i < groups; ++i) {
    b.mutable_column(0).Append<int64_t>(i);
    b.mutable_column(1).Append<int64_t>(i * factor);
  }
  b.set_num_rows(static_cast<size_t>(groups));
  return b;
}

std::vector<std::pair<int64_t, int64_t>> Rows(const RecordBatch& b) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t i = 0; i < b.num_rows(); ++i)
    out.push_back({b.column(0).Value<int64_t>(i), b.column(1).Value<int64_t>(i)});
  return out;
}

TEST(BatchViewStoreTest, NothingPublishedIsVersionZero) {
  MemoryFileSystem fs;
  BatchViewStore store(&fs, "/views/v");
  auto meta = store.LoadCurrentMeta();
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->version, 0);
  EXPECT_EQ(meta->horizon, 0);
}

TEST(BatchViewStoreTest, WriteIsInvisibleUntilPublish) {
  MemoryFileSystem fs;
  BatchViewStore store(&fs, "/views/v");
  BatchViewMeta m1;
  m1.horizon = 100;
  m1.rows_read = 100;
  m1.full = true;
  ASSERT_TRUE(store.Write(States(3, 2), &m1).ok());
  EXPECT_EQ(m1.version, 1);
  EXPECT_EQ(store.LoadCurrentMeta()->version, 0);
  ASSERT_TRUE(store.Publish(m1).ok());
  auto cur = store.LoadCurrentMeta();
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(cur->version, 1);
  EXPECT_EQ(cur->horizon, 100);
  EXPECT_EQ(cur->rows_read, 100);
  EXPECT_TRUE(cur->full);
  auto states = store.LoadStates(*cur);
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  EXPECT_EQ(Rows(*states), Rows(States(3, 2)));
}

TEST(BatchViewStoreTest, KeepsCurrentAndPreviousVersionsOnly) {
  MemoryFileSystem fs;
  BatchViewStore store(&fs, "/views/v");
  for (int i = 1; i <= 4; ++i) {
    BatchViewMeta m;
    m.horizon = i * 10;
    ASSERT_TRUE(store.Write(States(i, i), &m).ok());
    ASSERT_TRUE(store.Publish(m).ok());
  }
  auto names = fs.ListDir("/views/v");
  ASSERT_TRUE(names.ok());
  std::vector<std::string> versions;
  for (const std::string& n : *names) {
    if (n[0] == 'v') versions.push_back(n);
  }
  EXPECT_EQ(versions,
            (std::vector<std::string>{"v00000000000000000003.parquet", "v00000000000000000004.parquet"}));
}

TEST(BatchViewStoreTest, UnpublishedVersionNumberIsNeverReused) {
  MemoryFileSystem fs;
  BatchViewStore store(&fs, "/views/v");
  BatchViewMeta m1, m2, m3;
  m1.horizon = 10;
  ASSERT_TRUE(store.Write(States(1, 1), &m1).ok());
  ASSERT_TRUE(store.Publish(m1).ok());
  m2.horizon = 20;
  ASSERT_TRUE(store.Write(States(2, 2), &m2).ok());  // written, never published (the audit failed)
  m3.horizon = 30;
  ASSERT_TRUE(store.Write(States(3, 3), &m3).ok());
  EXPECT_GT(m3.version, m2.version);
  ASSERT_TRUE(store.Publish(m3).ok());
  auto states = store.LoadStates(*store.LoadCurrentMeta());
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(Rows(*states), Rows(States(3, 3)));
}

// A damaged CURRENT pointer is reported as Corruption naming the file, never read as a wrapped or
// undefined number (nlohmann's get<int64_t>() converts 1e300 with undefined behaviour).
TEST(BatchViewStoreTest, DamagedCurrentPointerIsCorruption) {
  const std::vector<std::string> bad = {
      R"({"version": 1e300, "horizon": 5, "file": "v1.parquet"})",
      R"({"version": 1, "horizon": 18446744073709551615, "file": "v1.parquet"})",
      R"({"version": 1, "horizon": "5", "file": "v1.parquet"})",
      R"({"version": 1, "horizon": 5, "rows_read": 2.5, "file": "v1.parquet"})",
      R"({"version": 1, "horizon": 5, "file": "../v1.parquet"})",
      R"({"version": 1, "horizon": 5})",
      R"([1, 2])",
      R"({"version": 1,)",
  };
  for (const std::string& text : bad) {
    MemoryFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs("/views/v").ok());
    ASSERT_TRUE(fs.WriteFileAtomically("/views/v/CURRENT", text).ok());
    BatchViewStore store(&fs, "/views/v");
    auto meta = store.LoadCurrentMeta();
    ASSERT_FALSE(meta.ok()) << text;
    EXPECT_EQ(meta.status().code(), StatusCode::kCorruption) << text << ": " << meta.status().ToString();
    EXPECT_NE(meta.status().message().find("/views/v/CURRENT"), std::string::npos)
        << meta.status().ToString();
  }
}

TEST(BatchViewStoreFaultTest, FullDiskKeepsThePublishedVersionServing) {
  MemoryFileSystem base;
  FaultInjectionFileSystem fs(&base);
  BatchViewStore store(&fs, "/views/v");
  BatchViewMeta m1;
  m1.horizon = 10;
  ASSERT_TRUE(store.Write(States(3, 1), &m1).ok());
  ASSERT_TRUE(store.Publish(m1).ok());
  fs.SetDiskFull(true);
  for (int attempt = 0; attempt < 3; ++attempt) {
    BatchViewMeta m;
    m.horizon = 20 + attempt;
    Status st = store.Write(States(5, 2), &m);
    if (st.ok()) st = store.Publish(m);
    EXPECT_FALSE(st.ok()) << "a batch view was published on a full disk";
    EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
    auto cur = store.LoadCurrentMeta();
    ASSERT_TRUE(cur.ok());
    EXPECT_EQ(cur->horizon, 10);
  }
  fs.SetDiskFull(false);
  ASSERT_TRUE(fs.SimulateCrash().ok());
  fs.Restart();
  auto cur = store.LoadCurrentMeta();
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(cur->horizon, 10);
  auto states = store.LoadStates(*cur);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(Rows(*states), Rows(States(3, 1)));
  BatchViewMeta m2;
  m2.horizon = 30;
  ASSERT_TRUE(store.Write(States(5, 2), &m2).ok());
  ASSERT_TRUE(store.Publish(m2).ok());
  EXPECT_EQ(store.LoadCurrentMeta()->horizon, 30);
}

struct FaultKind {
  const char* name;
  Op op;
  Effect effect;
};

enum class After { kCrash, kRetryThenCrash, kReopenWithoutCrash };

TEST(BatchViewStoreFaultTest, WriteAndPublishAreAtomicUnderEveryFault) {
  const std::vector<FaultKind> kinds = {
      {"append-eio", Op::kAppend, Effect::kIOError}, {"short-write", Op::kAppend, Effect::kShortWrite},
      {"no-space", Op::kAppend, Effect::kNoSpace},   {"fsync", Op::kSync, Effect::kIOError},
      {"dir-fsync", Op::kSyncDir, Effect::kIOError}, {"rename", Op::kRename, Effect::kIOError},
      {"create", Op::kCreate, Effect::kIOError},     {"remove", Op::kRemove, Effect::kIOError},
  };
  const RecordBatch old_states = States(4, 3);
  const RecordBatch new_states = States(6, 5);
  int points = 0;
  for (const FaultKind& kind : kinds) {
    for (After after : {After::kCrash, After::kRetryThenCrash, After::kReopenWithoutCrash}) {
      bool fired = true;
      for (int n = 1; fired; ++n) {
        ASSERT_LE(n, 200);
        SCOPED_TRACE(std::string(kind.name) + " at call " + std::to_string(n) + ", after mode " +
                     std::to_string(static_cast<int>(after)));
        MemoryFileSystem base;
        FaultInjectionFileSystem fs(&base);
        const std::string dir = "/views/v";
        bool acknowledged = false;
        int64_t acked_version = 0;
        {
          BatchViewStore store(&fs, dir);
          // Two published versions before: the publish under test also deletes the oldest one.
          for (int64_t h : {5, 10}) {
            BatchViewMeta m;
            m.horizon = h;
            ASSERT_TRUE(store.Write(h == 10 ? old_states : States(1, 1), &m).ok());
            ASSERT_TRUE(store.Publish(m).ok());
          }
          auto run = [&]() -> Status {
            BatchViewMeta m;
            m.horizon = 20;
            m.rows_read = 7;
            TANDEM_RETURN_IF_ERROR(store.Write(new_states, &m));
            TANDEM_RETURN_IF_ERROR(store.Publish(m));
            acked_version = m.version;
            return Status::OK();
          };
          const uint64_t before = fs.count(kind.op);
          fs.FailNth(kind.op, static_cast<uint64_t>(n), kind.effect);
          Status st = run();
          fired = fs.count(kind.op) - before >= static_cast<uint64_t>(n);
          fs.ClearFaults();
          if (!fired) {
            EXPECT_TRUE(st.ok()) << st.ToString();
          }
          acknowledged = st.ok();
          if (after == After::kRetryThenCrash) {
            Status retry = run();
            EXPECT_TRUE(retry.ok()) << "retry: " << retry.ToString();
            acknowledged = acknowledged || retry.ok();
          }
          if (after != After::kReopenWithoutCrash) {
            ASSERT_TRUE(fs.SimulateCrash().ok());
            fs.Restart();
          }
        }
        BatchViewStore store(&fs, dir);
        auto meta = store.LoadCurrentMeta();
        ASSERT_TRUE(meta.ok()) << meta.status().ToString();
        auto states = store.LoadStates(*meta);
        ASSERT_TRUE(states.ok()) << "the current version's file is unreadable: "
                                 << states.status().ToString();
        if (meta->horizon == 10) {
          EXPECT_EQ(Rows(*states), Rows(old_states)) << "old horizon with other states: a mix";
          EXPECT_FALSE(acknowledged) << "an acknowledged publish was undone by the crash";
        } else {
          EXPECT_EQ(meta->horizon, 20);
          EXPECT_EQ(meta->rows_read, 7);
          EXPECT_EQ(Rows(*states), Rows(new_states)) << "new horizon with other states: a mix";
          if (acknowledged) {
            EXPECT_GE(meta->version, acked_version);
          }
        }
        // The store keeps working after recovery, with a version above anything seen.
        BatchViewMeta next;
        next.horizon = 30;
        ASSERT_TRUE(store.Write(States(2, 9), &next).ok());
        EXPECT_GT(next.version, meta->version);
        ASSERT_TRUE(store.Publish(next).ok());
        auto reread = store.LoadStates(*store.LoadCurrentMeta());
        ASSERT_TRUE(reread.ok());
        EXPECT_EQ(Rows(*reread), Rows(States(2, 9)));
        ++points;
      }
    }
  }
  EXPECT_GT(points, 40);
}

}  // namespace
}  // namespace tandem::batch
