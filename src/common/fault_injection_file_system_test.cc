#include "common/fault_injection_file_system.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/memory_file_system.h"
#include "testutil/test_util.h"

namespace tandem {
namespace {

using Op = FaultInjectionFileSystem::Op;
using Effect = FaultInjectionFileSystem::Effect;

// Runs on both an in-memory and a local base: the model must not depend on the base.
class FaultInjectionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      tmp_ = std::make_unique<testing::TempDir>();
      base_ = LocalFileSystem();
      dir_ = tmp_->path();
    } else {
      mem_ = std::make_unique<MemoryFileSystem>();
      base_ = mem_.get();
      dir_ = "/db";
      ASSERT_TRUE(base_->CreateDirs(dir_).ok());
    }
    fs_ = std::make_unique<FaultInjectionFileSystem>(base_);
  }

  std::string P(const std::string& name) const { return JoinPath(dir_, name); }

  std::unique_ptr<WritableFile> Create(const std::string& name) {
    auto f = fs_->NewWritableFile(P(name));
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }

  std::string ReadBase(const std::string& name) {
    auto r = base_->ReadFileToString(P(name));
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }
  bool ExistsInBase(const std::string& name) { return *base_->Exists(P(name)); }

  void Crash() {
    ASSERT_TRUE(fs_->SimulateCrash().ok());
    fs_->Restart();
  }

  std::unique_ptr<testing::TempDir> tmp_;
  std::unique_ptr<MemoryFileSystem> mem_;
  FileSystem* base_ = nullptr;
  std::unique_ptr<FaultInjectionFileSystem> fs_;
  std::string dir_;
};

TEST_P(FaultInjectionTest, PassesDataThrough) {
  auto f = Create("a");
  ASSERT_TRUE(f->Append("hello").ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(*fs_->ReadFileToString(P("a")), "hello");
  EXPECT_EQ(*fs_->ListDir(dir_), std::vector<std::string>{"a"});
}

TEST_P(FaultInjectionTest, CrashKeepsSyncedPrefixOnly) {
  auto f = Create("a");
  ASSERT_TRUE(f->Append("durable|").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(f->Append("lost").ok());
  Crash();
  EXPECT_EQ(ReadBase("a"), "durable|");
  EXPECT_FALSE(f->Append("x").ok()) << "handles opened before a crash are dead";
  EXPECT_FALSE(f->Sync().ok());
}

TEST_P(FaultInjectionTest, UnsyncedCloseIsLost) {
  auto f = Create("a");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(f->Append("written but never synced").ok());
  ASSERT_TRUE(f->Close().ok());
  f.reset();
  Crash();
  EXPECT_EQ(ReadBase("a"), "");
}

TEST_P(FaultInjectionTest, CreationWithoutDirSyncIsLost) {
  auto f = Create("new");
  ASSERT_TRUE(f->Append("synced data").ok());
  ASSERT_TRUE(f->Sync().ok());
  Crash();
  EXPECT_FALSE(ExistsInBase("new")) << "the directory entry was never synced";
}

TEST_P(FaultInjectionTest, RemovalWithoutDirSyncIsUndone) {
  auto f = Create("keep");
  ASSERT_TRUE(f->Append("precious").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(fs_->RemoveFile(P("keep")).ok());
  Crash();
  EXPECT_EQ(ReadBase("keep"), "precious");
  // Removal followed by a directory sync is durable.
  ASSERT_TRUE(fs_->RemoveFile(P("keep")).ok());
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  Crash();
  EXPECT_FALSE(ExistsInBase("keep"));
}

TEST_P(FaultInjectionTest, UnsyncedRenameIsUndone) {
  ASSERT_TRUE(fs_->WriteFileAtomically(P("manifest"), "v1").ok());
  // Write v2 like WriteFileAtomically, but without the final directory sync.
  auto tmp = Create("manifest.tmp");
  ASSERT_TRUE(tmp->Append("v2").ok());
  ASSERT_TRUE(tmp->Sync().ok());
  ASSERT_TRUE(tmp->Close().ok());
  ASSERT_TRUE(fs_->Rename(P("manifest.tmp"), P("manifest")).ok());
  EXPECT_EQ(ReadBase("manifest"), "v2");
  Crash();
  EXPECT_EQ(ReadBase("manifest"), "v1") << "the rename was not durable, the old version comes back";
  EXPECT_FALSE(ExistsInBase("manifest.tmp")) << "its creation was not durable either";
}

TEST_P(FaultInjectionTest, SyncedRenameSurvives) {
  ASSERT_TRUE(fs_->WriteFileAtomically(P("manifest"), "v1").ok());
  ASSERT_TRUE(fs_->WriteFileAtomically(P("manifest"), "v2").ok());
  Crash();
  EXPECT_EQ(ReadBase("manifest"), "v2");
  EXPECT_EQ(*base_->ListDir(dir_), std::vector<std::string>{"manifest"});
}

TEST_P(FaultInjectionTest, RenameOfDurableFileWithoutSyncComesBackUnderOldName) {
  auto f = Create("old");
  ASSERT_TRUE(f->Append("abc").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(fs_->Rename(P("old"), P("new")).ok());
  Crash();
  EXPECT_EQ(ReadBase("old"), "abc");
  EXPECT_FALSE(ExistsInBase("new"));
}

TEST_P(FaultInjectionTest, TruncateIsReflectedInDurableSize) {
  auto f = Create("t");
  ASSERT_TRUE(f->Append("0123456789").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(fs_->Truncate(P("t"), 4).ok());
  auto g = fs_->NewAppendableFile(P("t"));
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE((*g)->Append("xy").ok());
  Crash();
  EXPECT_EQ(ReadBase("t"), "0123");
}

TEST_P(FaultInjectionTest, PreexistingFilesAreDurable) {
  auto f = base_->NewWritableFile(P("before"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("from the base").ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto g = fs_->NewAppendableFile(P("before"));
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE((*g)->Append(" plus unsynced").ok());
  Crash();
  EXPECT_EQ(ReadBase("before"), "from the base");
}

TEST_P(FaultInjectionTest, DownUntilRestart) {
  ASSERT_TRUE(fs_->SimulateCrash().ok());
  EXPECT_EQ(fs_->NewWritableFile(P("x")).status().code(), StatusCode::kIOError);
  EXPECT_FALSE(fs_->ListDir(dir_).ok());
  EXPECT_FALSE(fs_->SyncDir(dir_).ok());
  fs_->Restart();
  EXPECT_TRUE(fs_->ListDir(dir_).ok());
  EXPECT_NE(Create("x"), nullptr);
}

TEST_P(FaultInjectionTest, FailNthAppend) {
  auto f = Create("a");
  fs_->FailNth(Op::kAppend, 2);
  EXPECT_TRUE(f->Append("one").ok());
  Status s = f->Append("two");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find(P("a")), std::string::npos) << s.ToString();
  EXPECT_TRUE(f->Append("three").ok()) << "one-shot";
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(*fs_->ReadFileToString(P("a")), "onethree");
  EXPECT_EQ(fs_->count(Op::kAppend), 3u);
}

TEST_P(FaultInjectionTest, ShortWriteWritesHalfThenFails) {
  auto f = Create("a");
  fs_->FailNth(Op::kAppend, 1, Effect::kShortWrite);
  EXPECT_EQ(f->Append("12345678").code(), StatusCode::kIOError);
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(*fs_->ReadFileToString(P("a")), "1234");
}

TEST_P(FaultInjectionTest, NoSpace) {
  auto f = Create("a");
  fs_->FailNth(Op::kAppend, 1, Effect::kNoSpace);
  Status s = f->Append("x");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("No space left"), std::string::npos);
  fs_->SetDiskFull(true);
  EXPECT_EQ(f->Append("y").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(f->Append("z").code(), StatusCode::kResourceExhausted);
  fs_->SetDiskFull(false);
  EXPECT_TRUE(f->Append("w").ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(*fs_->ReadFileToString(P("a")), "w");
}

TEST_P(FaultInjectionTest, FailedSyncDoesNotMakeDataDurable) {
  auto f = Create("a");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());
  ASSERT_TRUE(f->Append("first").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("second").ok());
  fs_->FailNth(Op::kSync, 1);
  EXPECT_EQ(f->Sync().code(), StatusCode::kIOError);
  Crash();
  EXPECT_EQ(ReadBase("a"), "first");
}

TEST_P(FaultInjectionTest, FailRenameSyncDirCreateRemove) {
  auto f = Create("a");
  ASSERT_TRUE(f->Close().ok());
  fs_->FailNth(Op::kRename, 1);
  EXPECT_FALSE(fs_->Rename(P("a"), P("b")).ok());
  EXPECT_TRUE(*fs_->Exists(P("a")));
  EXPECT_TRUE(fs_->Rename(P("a"), P("b")).ok());
  fs_->FailNth(Op::kSyncDir, 1);
  EXPECT_FALSE(fs_->SyncDir(dir_).ok());
  fs_->FailNth(Op::kCreate, 1);
  EXPECT_FALSE(fs_->NewWritableFile(P("c")).ok());
  fs_->FailNth(Op::kRemove, 1);
  EXPECT_FALSE(fs_->RemoveFile(P("b")).ok());
  EXPECT_TRUE(*fs_->Exists(P("b")));
  fs_->FailNth(Op::kRemove, 1);
  fs_->ClearFaults();
  EXPECT_TRUE(fs_->RemoveFile(P("b")).ok());
}

TEST_P(FaultInjectionTest, SyncHookRunsBeforeEverySync) {
  std::atomic<int> calls{0};
  fs_->SetBeforeSyncHook([&](const std::string& path) {
    EXPECT_EQ(path, P("a"));
    ++calls;
  });
  auto f = Create("a");
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Sync().ok());
  fs_->SetBeforeSyncHook(nullptr);
  ASSERT_TRUE(f->Sync().ok());
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(fs_->count(Op::kSync), 3u);
}

TEST_P(FaultInjectionTest, ConcurrentWritersThenCrash) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<std::string> synced(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto f = Create("f" + std::to_string(t));
      ASSERT_NE(f, nullptr);
      ASSERT_TRUE(fs_->SyncDir(dir_).ok());
      std::string all;
      for (int i = 0; i < 50; ++i) {
        std::string piece = std::to_string(i) + ",";
        ASSERT_TRUE(f->Append(piece).ok());
        all += piece;
        if (i % 7 == 0) {
          ASSERT_TRUE(f->Sync().ok());
          synced[t] = all;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  Crash();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(ReadBase("f" + std::to_string(t)), synced[t]);
}

INSTANTIATE_TEST_SUITE_P(Bases, FaultInjectionTest, ::testing::Values("local", "memory"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tandem
