#include "common/memory_file_system.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tandem {
namespace {

// Collapses repeated '/', drops "." components and a trailing '/'. Keeps a leading '/'.
std::string Normalize(std::string_view path) {
  std::string out;
  bool absolute = !path.empty() && path.front() == '/';
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (!out.empty() || absolute) out.push_back('/');
      out.append(part);
    }
    i = j;
  }
  if (out.empty()) return absolute ? "/" : ".";
  return out;
}

bool IsRoot(const std::string& p) {
  return p == "/" || p == ".";
}

// True when `path` lies directly in `dir` (both normalised).
bool IsDirectChild(const std::string& dir, const std::string& path) {
  if (IsRoot(dir) && dir == ".") return path.front() != '/' && path.find('/') == std::string::npos;
  std::string prefix = dir == "/" ? "/" : dir + "/";
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         path.find('/', prefix.size()) == std::string::npos;
}

std::string Msg(std::string_view op, const std::string& path, std::string_view what) {
  return std::string(op) + " '" + path + "': " + std::string(what);
}

class MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(std::string path, std::shared_ptr<MemoryFileSystem::Node> node)
      : path_(std::move(path)), node_(std::move(node)) {}

  Status Append(std::string_view data) override {
    if (closed_) return Status::IOError(Msg("append to", path_, "file is closed"));
    std::lock_guard<std::mutex> l(node_->mu);
    node_->data.append(data);
    return Status::OK();
  }
  Status Sync() override {
    if (closed_) return Status::IOError(Msg("sync", path_, "file is closed"));
    return Status::OK();
  }
  Status Close() override {
    closed_ = true;
    return Status::OK();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> l(node_->mu);
    return node_->data.size();
  }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::shared_ptr<MemoryFileSystem::Node> node_;
  bool closed_ = false;
};

class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  MemoryRandomAccessFile(std::string path, std::shared_ptr<MemoryFileSystem::Node> node)
      : path_(std::move(path)), node_(std::move(node)) {}

  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    std::lock_guard<std::mutex> l(node_->mu);
    if (offset >= node_->data.size()) return size_t{0};
    size_t k = std::min<uint64_t>(n, node_->data.size() - offset);
    std::memcpy(out, node_->data.data() + offset, k);
    return k;
  }
  Result<uint64_t> Size() const override {
    std::lock_guard<std::mutex> l(node_->mu);
    return static_cast<uint64_t>(node_->data.size());
  }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::shared_ptr<MemoryFileSystem::Node> node_;
};

}  // namespace

std::shared_ptr<MemoryFileSystem::Node> MemoryFileSystem::FindFileLocked(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

bool MemoryFileSystem::IsDirLocked(const std::string& path) const {
  return IsRoot(path) || dirs_.count(path) > 0;
}

Status MemoryFileSystem::CheckParentLocked(const std::string& op, const std::string& path) const {
  std::string parent = Normalize(DirName(path));
  if (IsDirLocked(parent)) return Status::OK();
  if (FindFileLocked(parent)) return Status::IOError(Msg(op, path, "Not a directory"));
  return Status::NotFound(Msg(op, path, "No such file or directory"));
}

Result<std::shared_ptr<MemoryFileSystem::Node>> MemoryFileSystem::OpenForWrite(const std::string& raw,
                                                                               bool truncate) {
  std::string path = Normalize(raw);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(path)) return Status::IOError(Msg("open", raw, "Is a directory"));
  TANDEM_RETURN_IF_ERROR(CheckParentLocked("open", raw));
  std::shared_ptr<Node> node = FindFileLocked(path);
  if (!node) {
    node = std::make_shared<Node>();
    files_[path] = node;
  } else if (truncate) {
    std::lock_guard<std::mutex> nl(node->mu);
    node->data.clear();
  }
  return node;
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewWritableFile(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(auto node, OpenForWrite(path, /*truncate=*/true));
  return std::unique_ptr<WritableFile>(new MemoryWritableFile(path, std::move(node)));
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewAppendableFile(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(auto node, OpenForWrite(path, /*truncate=*/false));
  return std::unique_ptr<WritableFile>(new MemoryWritableFile(path, std::move(node)));
}

Result<std::unique_ptr<RandomAccessFile>> MemoryFileSystem::NewRandomAccessFile(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(p)) return Status::IOError(Msg("open", path, "Is a directory"));
  auto node = FindFileLocked(p);
  if (!node) return Status::NotFound(Msg("open", path, "No such file or directory"));
  return std::unique_ptr<RandomAccessFile>(new MemoryRandomAccessFile(path, std::move(node)));
}

Result<bool> MemoryFileSystem::Exists(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  return IsDirLocked(p) || FindFileLocked(p) != nullptr;
}

Result<uint64_t> MemoryFileSystem::FileSize(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(p)) return Status::IOError(Msg("stat", path, "Is a directory"));
  auto node = FindFileLocked(p);
  if (!node) return Status::NotFound(Msg("stat", path, "No such file or directory"));
  std::lock_guard<std::mutex> nl(node->mu);
  return static_cast<uint64_t>(node->data.size());
}

Result<std::vector<std::string>> MemoryFileSystem::ListDir(const std::string& dir) {
  std::string d = Normalize(dir);
  std::lock_guard<std::mutex> l(mu_);
  if (!IsDirLocked(d)) {
    if (FindFileLocked(d)) return Status::IOError(Msg("opendir", dir, "Not a directory"));
    return Status::NotFound(Msg("opendir", dir, "No such file or directory"));
  }
  std::vector<std::string> names;
  auto add = [&](const std::string& p) {
    if (IsDirectChild(d, p)) names.push_back(p.substr(p.rfind('/') + 1));
  };
  for (const auto& [p, node] : files_) add(p);
  for (const auto& p : dirs_) add(p);
  std::sort(names.begin(), names.end());
  return names;
}

Status MemoryFileSystem::CreateDirs(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("CreateDirs: empty path");
  std::string d = Normalize(dir);
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> chain;
  for (std::string p = d; !IsRoot(p); p = Normalize(DirName(p))) chain.push_back(p);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (FindFileLocked(*it)) return Status::IOError(Msg("mkdir", *it, "Not a directory"));
    dirs_.insert(*it);
  }
  return Status::OK();
}

Status MemoryFileSystem::RemoveFile(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(p)) return Status::IOError(Msg("unlink", path, "Is a directory"));
  if (files_.erase(p) == 0) return Status::NotFound(Msg("unlink", path, "No such file or directory"));
  return Status::OK();
}

Status MemoryFileSystem::Rename(const std::string& from, const std::string& to) {
  std::string f = Normalize(from);
  std::string t = Normalize(to);
  std::string what = from + "' to '" + to;
  std::lock_guard<std::mutex> l(mu_);
  if (f == t) {
    if (IsDirLocked(f) || FindFileLocked(f)) return Status::OK();
    return Status::NotFound(Msg("rename", what, "No such file or directory"));
  }
  TANDEM_RETURN_IF_ERROR(CheckParentLocked("rename", to));
  if (auto node = FindFileLocked(f)) {
    if (IsDirLocked(t)) return Status::IOError(Msg("rename", what, "Is a directory"));
    files_.erase(f);
    files_[t] = std::move(node);
    return Status::OK();
  }
  if (!IsDirLocked(f) || IsRoot(f)) return Status::NotFound(Msg("rename", what, "No such file or directory"));
  // A directory: move it and everything below it.
  if (FindFileLocked(t)) return Status::IOError(Msg("rename", what, "Not a directory"));
  std::string fp = f + "/";
  if (t.compare(0, fp.size(), fp) == 0)
    return Status::InvalidArgument(Msg("rename", what, "Invalid argument"));
  if (IsDirLocked(t)) {
    for (const auto& p : dirs_) {
      if (p.compare(0, t.size() + 1, t + "/") == 0)
        return Status::IOError(Msg("rename", what, "Directory not empty"));
    }
    for (const auto& [p, n] : files_) {
      if (p.compare(0, t.size() + 1, t + "/") == 0)
        return Status::IOError(Msg("rename", what, "Directory not empty"));
    }
  }
  auto moved = [&](const std::string& p) { return t + p.substr(f.size()); };
  std::set<std::string> dirs;
  for (const auto& p : dirs_) dirs.insert(p == f || p.compare(0, fp.size(), fp) == 0 ? moved(p) : p);
  std::map<std::string, std::shared_ptr<Node>> files;
  for (auto& [p, n] : files_) files[p.compare(0, fp.size(), fp) == 0 ? moved(p) : p] = std::move(n);
  dirs_ = std::move(dirs);
  files_ = std::move(files);
  return Status::OK();
}

Status MemoryFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(p)) return Status::IOError(Msg("truncate", path, "Is a directory"));
  auto node = FindFileLocked(p);
  if (!node) return Status::NotFound(Msg("truncate", path, "No such file or directory"));
  std::lock_guard<std::mutex> nl(node->mu);
  node->data.resize(size, '\0');
  return Status::OK();
}

Status MemoryFileSystem::SyncDir(const std::string& dir) {
  std::string d = Normalize(dir);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(d)) return Status::OK();
  if (FindFileLocked(d)) return Status::IOError(Msg("open directory", dir, "Not a directory"));
  return Status::NotFound(Msg("open directory", dir, "No such file or directory"));
}

}  // namespace tandem
