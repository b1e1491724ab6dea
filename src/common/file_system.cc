// The POSIX implementation of FileSystem, and the helpers declared in file_system.h.
#include "common/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace tandem {
namespace {

constexpr size_t kWriteBufferBytes = 64 * 1024;

// "open '/a/b': No such file or directory", with the code that fits errno.
Status PosixError(std::string_view op, const std::string& path, int err) {
  std::string msg = std::string(op) + " '" + path + "': " + std::strerror(err);
  switch (err) {
    case ENOENT: return Status::NotFound(std::move(msg));
    case EEXIST: return Status::AlreadyExists(std::move(msg));
    case ENOSPC:
    case EDQUOT: return Status::ResourceExhausted(std::move(msg));
    default: return Status::IOError(std::move(msg));
  }
}

// Writes all of data at `offset`, retrying on EINTR and short writes.
Status PwriteAll(int fd, const std::string& path, const char* data, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return PosixError("write", path, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::OK();
}

int CloseNoIntr(int fd) {
  // On Linux the descriptor is released even when close() reports EINTR; never retry.
  return ::close(fd);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), written_(size) {
    buffer_.reserve(kWriteBufferBytes);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError("append to '" + path_ + "': file is closed");
    if (buffer_.size() + data.size() <= kWriteBufferBytes) {
      buffer_.append(data);
      return Status::OK();
    }
    TANDEM_RETURN_IF_ERROR(FlushBuffer());
    if (data.size() >= kWriteBufferBytes) {
      Status s = PwriteAll(fd_, path_, data.data(), data.size(), written_);
      // pwrite may have written a prefix before failing; re-read our position so Size() stays honest.
      if (!s.ok()) return ResyncPosition(s);
      written_ += data.size();
      return Status::OK();
    }
    buffer_.append(data);
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return Status::IOError("sync '" + path_ + "': file is closed");
    TANDEM_RETURN_IF_ERROR(FlushBuffer());
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return PosixError("fdatasync", path_, errno);
    }
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = FlushBuffer();
    if (CloseNoIntr(fd_) != 0 && s.ok()) s = PosixError("close", path_, errno);
    fd_ = -1;
    buffer_.clear();
    return s;
  }

  uint64_t Size() const override { return written_ + buffer_.size(); }
  const std::string& path() const override { return path_; }

 private:
  Status FlushBuffer() {
    if (buffer_.empty()) return Status::OK();
    Status s = PwriteAll(fd_, path_, buffer_.data(), buffer_.size(), written_);
    if (!s.ok()) {
      buffer_.clear();  // the bytes are lost; the file holds at most a prefix of them
      return ResyncPosition(s);
    }
    written_ += buffer_.size();
    buffer_.clear();
    return Status::OK();
  }

  Status ResyncPosition(Status s) {
    struct stat st;
    if (::fstat(fd_, &st) == 0) written_ = static_cast<uint64_t>(st.st_size);
    return s;
  }

  const std::string path_;
  int fd_;
  uint64_t written_;    // bytes handed to the OS
  std::string buffer_;  // appended, not yet handed to the OS
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { CloseNoIntr(fd_); }

  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("read", path_, errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    return done;
  }

  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return PosixError("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const int fd_;
};

Result<int> OpenNoIntr(const std::string& path, int flags, std::string_view op) {
  while (true) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd >= 0) return fd;
    if (errno != EINTR) return PosixError(op, path, errno);
  }
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    TANDEM_ASSIGN_OR_RETURN(int fd, OpenNoIntr(path, O_WRONLY | O_CREAT | O_TRUNC, "open"));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0));
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    TANDEM_ASSIGN_OR_RETURN(int fd, OpenNoIntr(path, O_WRONLY | O_CREAT, "open"));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = PosixError("stat", path, errno);
      CloseNoIntr(fd);
      return s;
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    TANDEM_ASSIGN_OR_RETURN(int fd, OpenNoIntr(path, O_RDONLY, "open"));
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      CloseNoIntr(fd);
      return PosixError("open", path, EISDIR);
    }
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return PosixError("stat", path, errno);
  }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
    if (S_ISDIR(st.st_mode)) return PosixError("stat", path, EISDIR);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("opendir", dir, errno);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      struct dirent* e = ::readdir(d);
      if (e == nullptr) {
        int err = errno;
        ::closedir(d);
        if (err != 0) return PosixError("readdir", dir, err);
        break;
      }
      std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDirs(const std::string& dir) override {
    if (dir.empty()) return Status::InvalidArgument("CreateDirs: empty path");
    size_t pos = 0;
    while (true) {
      pos = dir.find('/', pos + 1);
      std::string prefix = dir.substr(0, pos);
      if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0) {
        int err = errno;
        if (err != EEXIST) return PosixError("mkdir", prefix, err);
        struct stat st;
        if (::stat(prefix.c_str(), &st) != 0) return PosixError("stat", prefix, errno);
        if (!S_ISDIR(st.st_mode)) return PosixError("mkdir", prefix, ENOTDIR);
      }
      if (pos == std::string::npos) break;
    }
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return PosixError("rename", from + "' to '" + to, errno);
    return Status::OK();
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    while (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return PosixError("truncate", path, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    TANDEM_ASSIGN_OR_RETURN(int fd, OpenNoIntr(dir, O_RDONLY | O_DIRECTORY, "open directory"));
    Status s;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        s = PosixError("fsync directory", dir, errno);
        break;
      }
    }
    CloseNoIntr(fd);
    return s;
  }
};

}  // namespace

Result<std::string> FileSystem::ReadFileToString(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(auto file, NewRandomAccessFile(path));
  TANDEM_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string data(size, '\0');
  TANDEM_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, size, reinterpret_cast<uint8_t*>(data.data())));
  data.resize(n);
  // The file may have grown since Size(); read on until end of file.
  while (true) {
    char chunk[64 * 1024];
    TANDEM_ASSIGN_OR_RETURN(size_t more,
                            file->ReadAt(data.size(), sizeof(chunk), reinterpret_cast<uint8_t*>(chunk)));
    if (more == 0) break;
    data.append(chunk, more);
  }
  return data;
}

Status FileSystem::WriteFileAtomically(const std::string& path, std::string_view data) {
  static std::atomic<uint64_t> counter{0};
  // Unique per call so that two writers of the same target never share a temporary file.
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  Status s = [&]() -> Status {
    TANDEM_ASSIGN_OR_RETURN(auto file, NewWritableFile(tmp));
    TANDEM_RETURN_IF_ERROR(file->Append(data));
    TANDEM_RETURN_IF_ERROR(file->Sync());
    TANDEM_RETURN_IF_ERROR(file->Close());
    return Rename(tmp, path);
  }();
  if (!s.ok()) {
    (void)RemoveFile(tmp);
    return s;
  }
  return SyncDir(DirName(path));
}

FileSystem* LocalFileSystem() {
  static PosixFileSystem* fs = new PosixFileSystem();  // never destroyed: usable during static teardown
  return fs;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() != '/') out.push_back('/');
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  out.append(b);
  return out;
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  while (slash > 0 && path[slash - 1] == '/') --slash;
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace tandem
