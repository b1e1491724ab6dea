#include "lake/lake_writer.h"

#include <gtest/gtest.h>

#include "testutil/test_util.h"

namespace tandem::lake {
namespace {

constexpr int64_t kDay = 86400000000LL;
constexpr int64_t kMay1 = 19844 * kDay;  // 2024-05-01T00:00:00Z

Schema StreamSchema() {
  return Schema{{{"ts", DataType::Timestamp(), false},
                 {"user", DataType::String(), true},
                 {"n", DataType::Int64(), true}}};
}

// Events whose timestamps alternate between two days, so each flush writes two partitions.
RecordBatch Events(int64_t start, int count) {
  RecordBatch b = RecordBatch::Empty(StreamSchema());
  for (int i = 0; i < count; ++i) {
    const int64_t k = start + i;
    b.mutable_column(0).Append<int64_t>(kMay1 + (k % 2) * kDay + k);
    b.mutable_column(1).AppendString("u" + std::to_string(k % 7));
    b.mutable_column(2).Append<int64_t>(k);
  }
  b.set_num_rows(count);
  return b;
}

std::vector<int64_t> ScanN(FileSystem* fs, const LakeWriter& w, OffsetRange range) {
  std::vector<int64_t> ns;
  Status st = ScanLake(fs, w.stream_dir(), *w.snapshot(), range, {"n", "_offset"}, [&](RecordBatch&& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      EXPECT_EQ(b.column(0).Value<int64_t>(i), b.column(1).Value<int64_t>(i));
      ns.push_back(b.column(0).Value<int64_t>(i));
    }
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::sort(ns.begin(), ns.end());
  return ns;
}

std::vector<int64_t> Iota(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

TEST(LakeWriterTest, FlushPartitionsByEventDateAndPublishesHorizon) {
  testing::TempDir dir;
  FileSystem* fs = LocalFileSystem();
  auto w = LakeWriter::Open(fs, dir.Join("clicks"), StreamSchema(), 0);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Append(0, Events(0, 100)).ok());
  EXPECT_EQ((*w)->horizon(), 0);
  ASSERT_TRUE((*w)->Flush().ok());
  auto snap = (*w)->snapshot();
  EXPECT_EQ(snap->horizon, 100);
  ASSERT_EQ(snap->files.size(), 2u);
  EXPECT_EQ(snap->files[0].partition, "2024-05-01");
  EXPECT_EQ(snap->files[1].partition, "2024-05-02");
  EXPECT_EQ(snap->files[0].rows + snap->files[1].rows, 100);
  EXPECT_EQ(snap->files[0].offset_ranges, (std::vector<OffsetRange>{{0, 100}}));
  EXPECT_EQ(ScanN(fs, **w, {0, 100}), Iota(0, 100));
  EXPECT_EQ(ScanN(fs, **w, {10, 20}), Iota(10, 20));
}

TEST(LakeWriterTest, AppendRefusesGaps) {
  testing::TempDir dir;
  auto w = LakeWriter::Open(LocalFileSystem(), dir.Join("s"), StreamSchema(), 0);
  ASSERT_TRUE(w.ok());
  Status st = (*w)->Append(5, Events(5, 1));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("expected 0"), std::string::npos) << st.message();
}

TEST(LakeWriterTest, ReopenSeesPublishedStateAndDropsOrphans) {
  testing::TempDir dir;
  FileSystem* fs = LocalFileSystem();
  {
    auto w = LakeWriter::Open(fs, dir.Join("s"), StreamSchema(), 0);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(0, Events(0, 10)).ok());
    ASSERT_TRUE((*w)->Flush().ok());
    ASSERT_TRUE((*w)->Append(10, Events(10, 5)).ok());  // buffered, never flushed: not in the lake
  }
  // A file written by a flush that crashed before publishing its manifest.
  ASSERT_TRUE(
      fs->WriteFileAtomically(dir.Join("s/date=2024-05-01/part-00000000000000000099.parquet"), "x").ok());
  auto w = LakeWriter::Open(fs, dir.Join("s"), StreamSchema(), 0);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->horizon(), 10);
  EXPECT_EQ((*w)->buffered_end(), 10);
  EXPECT_FALSE(*fs->Exists(dir.Join("s/date=2024-05-01/part-00000000000000000099.parquet")));
  EXPECT_EQ(ScanN(fs, **w, {0, 1000}), Iota(0, 10));
}

TEST(LakeWriterTest, CompactionMergesSmallFilesAndKeepsEveryEventOnce) {
  testing::TempDir dir;
  FileSystem* fs = LocalFileSystem();
  LakeOptions opts;
  opts.grace_period_ms = 0;
  opts.min_files_to_compact = 3;
  auto w = LakeWriter::Open(fs, dir.Join("s"), StreamSchema(), 0, opts);
  ASSERT_TRUE(w.ok());
  for (int k = 0; k < 6; ++k) {
    ASSERT_TRUE((*w)->Append(k * 20, Events(k * 20, 20)).ok());
    ASSERT_TRUE((*w)->Flush().ok());
  }
  EXPECT_EQ((*w)->snapshot()->files.size(), 12u);
  auto before = (*w)->snapshot();
  auto r = (*w)->Compact();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->partitions, 2);
  EXPECT_EQ(r->files_in, 12);
  EXPECT_EQ(r->files_out, 2);
  auto after = (*w)->snapshot();
  ASSERT_EQ(after->files.size(), 2u);
  EXPECT_EQ(after->files[0].offset_ranges, (std::vector<OffsetRange>{{0, 120}}));
  EXPECT_EQ(after->horizon, 120);
  EXPECT_EQ(ScanN(fs, **w, {0, 120}), Iota(0, 120));
  EXPECT_EQ(ScanN(fs, **w, {35, 77}), Iota(35, 77));
  // Old files are gone after the (zero) grace period; a reopen agrees.
  EXPECT_FALSE(*fs->Exists(JoinPath(dir.Join("s"), before->files[0].path)));
  auto w2 = LakeWriter::Open(fs, dir.Join("s"), StreamSchema(), 0);
  ASSERT_TRUE(w2.ok());
  EXPECT_EQ(ScanN(fs, **w2, {0, 120}), Iota(0, 120));
}

TEST(ManifestTest, CorruptManifestIsReportedWithItsPath) {
  testing::TempDir dir;
  FileSystem* fs = LocalFileSystem();
  ASSERT_TRUE(fs->CreateDirs(dir.Join("s/_manifest")).ok());
  ASSERT_TRUE(fs->WriteFileAtomically(dir.Join("s/_manifest/v00000000000000000001.json"), "{not json").ok());
  ManifestStore store(fs, dir.Join("s"));
  auto m = store.LoadLatest();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
  EXPECT_NE(m.status().message().find("v00000000000000000001.json"), std::string::npos);
}

}  // namespace
}  // namespace tandem::lake
