// The local and the in-memory file system must behave the same for every call: each test runs on both.
#include "common/file_system.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/memory_file_system.h"
#include "testutil/test_util.h"

namespace tandem {
namespace {

class FileSystemTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      tmp_ = std::make_unique<testing::TempDir>();
      fs_ = LocalFileSystem();
      root_ = tmp_->path();
    } else {
      mem_ = std::make_unique<MemoryFileSystem>();
      fs_ = mem_.get();
      root_ = "/data/root";
      ASSERT_TRUE(fs_->CreateDirs(root_).ok());
    }
  }

  std::string P(const std::string& name) const { return JoinPath(root_, name); }

  void WriteFile(const std::string& path, std::string_view data) {
    auto f = fs_->NewWritableFile(path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  std::string Read(const std::string& path) {
    auto r = fs_->ReadFileToString(path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "";
  }

  std::unique_ptr<testing::TempDir> tmp_;
  std::unique_ptr<MemoryFileSystem> mem_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

TEST_P(FileSystemTest, WriteSyncCloseAndReadBack) {
  auto f = fs_->NewWritableFile(P("a.txt"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->path(), P("a.txt"));
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(Read(P("a.txt")), "hello world");
  ASSERT_TRUE((*f)->Append("!").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_TRUE((*f)->Close().ok()) << "a second Close is harmless";
  EXPECT_EQ(Read(P("a.txt")), "hello world!");
  auto size = fs_->FileSize(P("a.txt"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 12u);
}

TEST_P(FileSystemTest, AppendOrSyncAfterCloseFails) {
  auto f = fs_->NewWritableFile(P("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Close().ok());
  Status s = (*f)->Append("x");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find(P("a")), std::string::npos) << s.ToString();
  EXPECT_FALSE((*f)->Sync().ok());
}

TEST_P(FileSystemTest, LargeAndManySmallAppends) {
  std::string expected;
  auto f = fs_->NewWritableFile(P("big"));
  ASSERT_TRUE(f.ok());
  for (int i = 0; i < 3000; ++i) {  // crosses the local write buffer many times
    std::string piece(static_cast<size_t>(i % 97) + 1, static_cast<char>('a' + i % 26));
    expected += piece;
    ASSERT_TRUE((*f)->Append(piece).ok());
  }
  std::string huge(300 * 1024, 'z');  // larger than the write buffer
  expected += huge;
  ASSERT_TRUE((*f)->Append(huge).ok());
  ASSERT_TRUE((*f)->Append("tail").ok());
  expected += "tail";
  EXPECT_EQ((*f)->Size(), expected.size());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(Read(P("big")), expected);
}

TEST_P(FileSystemTest, NewWritableFileTruncates) {
  WriteFile(P("f"), "old content");
  WriteFile(P("f"), "new");
  EXPECT_EQ(Read(P("f")), "new");
}

TEST_P(FileSystemTest, AppendableFileContinuesAtEnd) {
  WriteFile(P("f"), "abc");
  auto f = fs_->NewAppendableFile(P("f"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 3u);
  ASSERT_TRUE((*f)->Append("def").ok());
  EXPECT_EQ((*f)->Size(), 6u);
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(Read(P("f")), "abcdef");
  auto g = fs_->NewAppendableFile(P("fresh"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->Size(), 0u);
  ASSERT_TRUE((*g)->Close().ok());
  EXPECT_TRUE(*fs_->Exists(P("fresh")));
}

TEST_P(FileSystemTest, RandomAccessReads) {
  WriteFile(P("r"), "0123456789");
  auto r = fs_->NewRandomAccessFile(P("r"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->path(), P("r"));
  EXPECT_EQ(*(*r)->Size(), 10u);
  uint8_t buf[16];
  auto n = (*r)->ReadAt(3, 4, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 4), "3456");
  n = (*r)->ReadAt(8, 16, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u) << "short only at the end of the file";
  n = (*r)->ReadAt(20, 4, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_P(FileSystemTest, RandomAccessFileSeesLaterAppends) {
  auto w = fs_->NewWritableFile(P("grow"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("abc").ok());
  ASSERT_TRUE((*w)->Sync().ok());
  auto r = fs_->NewRandomAccessFile(P("grow"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*w)->Append("def").ok());
  ASSERT_TRUE((*w)->Sync().ok());
  uint8_t buf[6];
  auto n = (*r)->ReadAt(0, 6, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), *n), "abcdef");
}

TEST_P(FileSystemTest, MissingPathsAreNotFound) {
  EXPECT_EQ(fs_->NewRandomAccessFile(P("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->FileSize(P("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->ListDir(P("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->RemoveFile(P("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->Rename(P("nope"), P("other")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->Truncate(P("nope"), 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->SyncDir(P("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->NewWritableFile(P("nodir/file")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->ReadFileToString(P("nope")).status().code(), StatusCode::kNotFound);
  auto exists = fs_->Exists(P("nope"));
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
  Status s = fs_->RemoveFile(P("nope"));
  EXPECT_NE(s.message().find(P("nope")), std::string::npos) << "names the path: " << s.ToString();
}

TEST_P(FileSystemTest, DirectoriesAndListing) {
  ASSERT_TRUE(fs_->CreateDirs(P("x/y/z")).ok());
  ASSERT_TRUE(fs_->CreateDirs(P("x/y/z")).ok()) << "existing directories are fine";
  ASSERT_TRUE(fs_->CreateDirs(P("x/y/")).ok());
  WriteFile(P("x/b"), "1");
  WriteFile(P("x/a"), "2");
  WriteFile(P("x/y/deep"), "3");
  auto names = fs_->ListDir(P("x"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "y"}));
  EXPECT_TRUE(*fs_->Exists(P("x/y")));
  EXPECT_TRUE(*fs_->Exists(P("x/y/deep")));
  EXPECT_TRUE(fs_->SyncDir(P("x")).ok());
  auto empty = fs_->ListDir(P("x/y/z"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  // A file in the way of a directory.
  EXPECT_FALSE(fs_->CreateDirs(P("x/a/sub")).ok());
  EXPECT_FALSE(fs_->ListDir(P("x/a")).ok());
  EXPECT_FALSE(fs_->RemoveFile(P("x/y")).ok()) << "RemoveFile does not remove directories";
  EXPECT_FALSE(fs_->FileSize(P("x/y")).ok());
  EXPECT_FALSE(fs_->NewRandomAccessFile(P("x/y")).ok());
}

TEST_P(FileSystemTest, RemoveFile) {
  WriteFile(P("gone"), "x");
  ASSERT_TRUE(fs_->RemoveFile(P("gone")).ok());
  EXPECT_FALSE(*fs_->Exists(P("gone")));
  EXPECT_TRUE(fs_->ListDir(root_)->empty());
}

TEST_P(FileSystemTest, RenameReplacesTarget) {
  WriteFile(P("from"), "new");
  WriteFile(P("to"), "old");
  ASSERT_TRUE(fs_->Rename(P("from"), P("to")).ok());
  EXPECT_FALSE(*fs_->Exists(P("from")));
  EXPECT_EQ(Read(P("to")), "new");
  ASSERT_TRUE(fs_->CreateDirs(P("sub")).ok());
  ASSERT_TRUE(fs_->Rename(P("to"), P("sub/moved")).ok());
  EXPECT_EQ(Read(P("sub/moved")), "new");
  EXPECT_EQ(*fs_->ListDir(root_), std::vector<std::string>{"sub"});
  EXPECT_FALSE(fs_->Rename(P("sub/moved"), P("nodir/x")).ok());
}

TEST_P(FileSystemTest, RenameDirectory) {
  ASSERT_TRUE(fs_->CreateDirs(P("d1/inner")).ok());
  WriteFile(P("d1/inner/f"), "payload");
  ASSERT_TRUE(fs_->Rename(P("d1"), P("d2")).ok());
  EXPECT_FALSE(*fs_->Exists(P("d1")));
  EXPECT_EQ(Read(P("d2/inner/f")), "payload");
}

TEST_P(FileSystemTest, WritesToRenamedOpenFileFollowIt) {
  auto w = fs_->NewWritableFile(P("a"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("one").ok());
  ASSERT_TRUE((*w)->Sync().ok());
  ASSERT_TRUE(fs_->Rename(P("a"), P("b")).ok());
  ASSERT_TRUE((*w)->Append("two").ok());
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(Read(P("b")), "onetwo");
  EXPECT_FALSE(*fs_->Exists(P("a")));
}

TEST_P(FileSystemTest, TruncateShrinksAndGrows) {
  WriteFile(P("t"), "0123456789");
  ASSERT_TRUE(fs_->Truncate(P("t"), 4).ok());
  EXPECT_EQ(Read(P("t")), "0123");
  ASSERT_TRUE(fs_->Truncate(P("t"), 6).ok());
  EXPECT_EQ(Read(P("t")), std::string("0123\0\0", 6));
}

TEST_P(FileSystemTest, WriteFileAtomicallyLeavesOnlyTheTarget) {
  ASSERT_TRUE(fs_->WriteFileAtomically(P("manifest"), "v1").ok());
  EXPECT_EQ(Read(P("manifest")), "v1");
  ASSERT_TRUE(fs_->WriteFileAtomically(P("manifest"), "version two").ok());
  EXPECT_EQ(Read(P("manifest")), "version two");
  EXPECT_EQ(*fs_->ListDir(root_), std::vector<std::string>{"manifest"});
  EXPECT_EQ(fs_->WriteFileAtomically(P("nodir/manifest"), "x").code(), StatusCode::kNotFound);
}

TEST_P(FileSystemTest, ReadFileToStringOfEmptyFile) {
  WriteFile(P("empty"), "");
  auto r = fs_->ReadFileToString(P("empty"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
}

TEST_P(FileSystemTest, ConcurrentWritersToDistinctFiles) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      std::string name = P("t" + std::to_string(t));
      for (int round = 0; round < 20; ++round) {
        auto f = fs_->NewWritableFile(name);
        ASSERT_TRUE(f.ok());
        ASSERT_TRUE((*f)->Append(std::string(100, static_cast<char>('a' + t))).ok());
        ASSERT_TRUE((*f)->Sync().ok());
        ASSERT_TRUE((*f)->Close().ok());
        ASSERT_TRUE(fs_->ListDir(root_).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(Read(P("t" + std::to_string(t))), std::string(100, static_cast<char>('a' + t)));
}

INSTANTIATE_TEST_SUITE_P(Both, FileSystemTest, ::testing::Values("local", "memory"),
                         [](const auto& info) { return info.param; });

TEST(PathTest, JoinPath) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
  EXPECT_EQ(JoinPath("a", "/b"), "a/b");
}

TEST(PathTest, DirName) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName("/c"), "/");
  EXPECT_EQ(DirName("/a/b/"), "/a");
  EXPECT_EQ(DirName("a//b"), "a");
  EXPECT_EQ(DirName("/"), "/");
}

}  // namespace
}  // namespace tandem
