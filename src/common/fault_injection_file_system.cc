#include "common/fault_injection_file_system.h"

#include <algorithm>
#include <vector>

namespace tandem {
namespace {

// Collapses repeated '/' and drops a trailing '/', so that names and directories compare equal.
std::string Normalize(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Status CrashedError(const std::string& path) {
  return Status::IOError("'" + path + "': simulated crash: the file system is down");
}

Status InjectedError(std::string_view op, const std::string& path) {
  return Status::IOError(std::string(op) + " '" + path + "': injected I/O error");
}

Status NoSpaceError(const std::string& path) {
  return Status::ResourceExhausted("write '" + path + "': No space left on device (injected)");
}

}  // namespace

struct FaultInjectionFileSystem::Handle {
  std::string path;
  uint64_t inode = 0;
  std::unique_ptr<WritableFile> base;
  bool dead = false;  // a crash happened since this handle was opened
};

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionFileSystem* fs, std::unique_ptr<FaultInjectionFileSystem::Handle> h)
      : fs_(fs), h_(std::move(h)) {}
  ~FaultWritableFile() override { fs_->HandleDestroyed(h_.get()); }

  Status Append(std::string_view data) override { return fs_->HandleAppend(h_.get(), data); }
  Status Sync() override { return fs_->HandleSync(h_.get()); }
  Status Close() override { return fs_->HandleClose(h_.get()); }
  uint64_t Size() const override { return fs_->HandleSize(h_.get()); }
  const std::string& path() const override { return h_->path; }

 private:
  FaultInjectionFileSystem* const fs_;
  const std::unique_ptr<FaultInjectionFileSystem::Handle> h_;
};

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base) : base_(base) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

Status FaultInjectionFileSystem::CheckUpLocked(const std::string& path) const {
  return down_ ? CrashedError(path) : Status::OK();
}

bool FaultInjectionFileSystem::TakeFaultLocked(Op op, Effect* effect) {
  ++counts_[op];
  auto it = armed_.find(op);
  if (it == armed_.end()) return false;
  if (--it->second.first > 0) return false;
  *effect = it->second.second;
  armed_.erase(it);
  return true;
}

uint64_t FaultInjectionFileSystem::TrackLocked(const std::string& path) {
  auto it = live_.find(path);
  if (it != live_.end()) return it->second;
  Result<uint64_t> size = base_->FileSize(path);
  if (!size.ok()) return 0;
  uint64_t id = next_inode_++;
  inodes_[id].synced_size = *size;
  live_[path] = id;
  durable_[path] = id;
  return id;
}

Status FaultInjectionFileSystem::PreserveLocked(uint64_t id, const std::string& path) {
  Inode& inode = inodes_[id];
  if (inode.saved) return Status::OK();
  bool durable_ref =
      std::any_of(durable_.begin(), durable_.end(), [&](const auto& e) { return e.second == id; });
  bool other_live = std::any_of(live_.begin(), live_.end(),
                                [&](const auto& e) { return e.second == id && e.first != path; });
  if (!durable_ref || other_live) return Status::OK();
  TANDEM_ASSIGN_OR_RETURN(std::string data, base_->ReadFileToString(path));
  data.resize(std::min<uint64_t>(data.size(), inode.synced_size));
  inode.saved = std::move(data);
  return Status::OK();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::OpenWritable(const std::string& raw,
                                                                             bool truncate) {
  std::string path = Normalize(raw);
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(path));
  Effect effect;
  if (TakeFaultLocked(Op::kCreate, &effect)) return InjectedError("open", path);
  uint64_t id = TrackLocked(path);
  auto base = truncate ? base_->NewWritableFile(path) : base_->NewAppendableFile(path);
  if (!base.ok()) return base.status();
  if (id == 0) {
    id = next_inode_++;
    inodes_[id];
    live_[path] = id;
  } else if (truncate) {
    inodes_[id].synced_size = 0;
  }
  auto h = std::make_unique<Handle>();
  h->path = path;
  h->inode = id;
  h->base = std::move(base).value();
  open_.insert(h.get());
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, std::move(h)));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(const std::string& path) {
  return OpenWritable(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewAppendableFile(const std::string& path) {
  return OpenWritable(path, /*truncate=*/false);
}

Status FaultInjectionFileSystem::HandleAppend(Handle* h, std::string_view data) {
  std::lock_guard<std::mutex> l(mu_);
  if (down_ || h->dead) {
    ++counts_[Op::kAppend];
    return CrashedError(h->path);
  }
  Effect effect;
  bool fault = TakeFaultLocked(Op::kAppend, &effect);
  if (disk_full_) return NoSpaceError(h->path);
  if (!fault) return h->base->Append(data);
  switch (effect) {
    case Effect::kNoSpace: return NoSpaceError(h->path);
    case Effect::kShortWrite:
      TANDEM_RETURN_IF_ERROR(h->base->Append(data.substr(0, data.size() / 2)));
      return Status::IOError("write '" + h->path + "': injected short write (" +
                             std::to_string(data.size() / 2) + " of " + std::to_string(data.size()) +
                             " bytes)");
    case Effect::kIOError: break;
  }
  return InjectedError("write", h->path);
}

Status FaultInjectionFileSystem::HandleSync(Handle* h) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard<std::mutex> l(mu_);
    hook = sync_hook_;
  }
  if (hook) hook(h->path);
  std::lock_guard<std::mutex> l(mu_);
  if (down_ || h->dead) {
    ++counts_[Op::kSync];
    return CrashedError(h->path);
  }
  Effect effect;
  if (TakeFaultLocked(Op::kSync, &effect)) return InjectedError("fdatasync", h->path);
  TANDEM_RETURN_IF_ERROR(h->base->Sync());
  inodes_[h->inode].synced_size = h->base->Size();
  return Status::OK();
}

Status FaultInjectionFileSystem::HandleClose(Handle* h) {
  std::lock_guard<std::mutex> l(mu_);
  if (h->dead) return CrashedError(h->path);
  return h->base->Close();
}

uint64_t FaultInjectionFileSystem::HandleSize(const Handle* h) const {
  std::lock_guard<std::mutex> l(mu_);
  return h->base->Size();
}

void FaultInjectionFileSystem::HandleDestroyed(Handle* h) {
  std::lock_guard<std::mutex> l(mu_);
  open_.erase(h);
  h->base.reset();  // under the mutex: a buffered base file flushes here, never after a crash
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionFileSystem::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(path));
  return base_->NewRandomAccessFile(path);
}

Result<bool> FaultInjectionFileSystem::Exists(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(path));
  return base_->Exists(path);
}

Result<uint64_t> FaultInjectionFileSystem::FileSize(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(path));
  return base_->FileSize(path);
}

Result<std::vector<std::string>> FaultInjectionFileSystem::ListDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(dir));
  return base_->ListDir(dir);
}

Status FaultInjectionFileSystem::CreateDirs(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(dir));
  return base_->CreateDirs(dir);
}

Status FaultInjectionFileSystem::RemoveFile(const std::string& raw) {
  std::string path = Normalize(raw);
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(path));
  Effect effect;
  if (TakeFaultLocked(Op::kRemove, &effect)) return InjectedError("unlink", path);
  uint64_t id = TrackLocked(path);
  if (id != 0) TANDEM_RETURN_IF_ERROR(PreserveLocked(id, path));
  TANDEM_RETURN_IF_ERROR(base_->RemoveFile(path));
  live_.erase(path);
  return Status::OK();
}

Status FaultInjectionFileSystem::Rename(const std::string& raw_from, const std::string& raw_to) {
  std::string from = Normalize(raw_from);
  std::string to = Normalize(raw_to);
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(from));
  Effect effect;
  if (TakeFaultLocked(Op::kRename, &effect)) return InjectedError("rename", from + "' to '" + to);
  uint64_t from_id = TrackLocked(from);
  uint64_t to_id = TrackLocked(to);
  if (to_id != 0 && to_id != from_id) TANDEM_RETURN_IF_ERROR(PreserveLocked(to_id, to));
  TANDEM_RETURN_IF_ERROR(base_->Rename(from, to));
  if (from_id != 0 && from != to) {
    live_.erase(from);
    live_[to] = from_id;
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::Truncate(const std::string& raw, uint64_t size) {
  std::string path = Normalize(raw);
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(path));
  uint64_t id = TrackLocked(path);
  TANDEM_RETURN_IF_ERROR(base_->Truncate(path, size));
  if (id != 0) inodes_[id].synced_size = std::min(inodes_[id].synced_size, size);
  return Status::OK();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& raw) {
  std::string dir = Normalize(raw);
  std::lock_guard<std::mutex> l(mu_);
  TANDEM_RETURN_IF_ERROR(CheckUpLocked(dir));
  Effect effect;
  if (TakeFaultLocked(Op::kSyncDir, &effect)) return InjectedError("fsync directory", dir);
  TANDEM_RETURN_IF_ERROR(base_->SyncDir(dir));
  for (auto it = durable_.begin(); it != durable_.end();) {
    it = DirName(it->first) == dir ? durable_.erase(it) : std::next(it);
  }
  for (const auto& [name, id] : live_) {
    if (DirName(name) == dir) durable_[name] = id;
  }
  return Status::OK();
}

void FaultInjectionFileSystem::FailNth(Op op, uint64_t n, Effect effect) {
  std::lock_guard<std::mutex> l(mu_);
  armed_[op] = {std::max<uint64_t>(n, 1), effect};
}

void FaultInjectionFileSystem::SetDiskFull(bool full) {
  std::lock_guard<std::mutex> l(mu_);
  disk_full_ = full;
}

void FaultInjectionFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> l(mu_);
  armed_.clear();
  disk_full_ = false;
}

void FaultInjectionFileSystem::SetBeforeSyncHook(std::function<void(const std::string& path)> hook) {
  std::lock_guard<std::mutex> l(mu_);
  sync_hook_ = std::move(hook);
}

uint64_t FaultInjectionFileSystem::count(Op op) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = counts_.find(op);
  return it == counts_.end() ? 0 : it->second;
}

Status FaultInjectionFileSystem::SimulateCrash() {
  std::lock_guard<std::mutex> l(mu_);
  Status first_error;
  auto note = [&](Status s) {
    if (!s.ok() && first_error.ok()) first_error = std::move(s);
  };
  // 1. Open handles die; a buffered base file hands its bytes to the base now, so that step 3 cuts them.
  for (Handle* h : open_) {
    if (!h->dead) (void)h->base->Close();
    h->dead = true;
  }
  // 2. Gather the durable bytes of every durable name that is not live under the same inode.
  std::vector<std::pair<std::string, std::string>> restore;
  for (const auto& [name, id] : durable_) {
    auto live = live_.find(name);
    if (live != live_.end() && live->second == id) continue;
    Inode& inode = inodes_[id];
    std::string data;
    const auto inode_id = id;  // clang 14 cannot capture a structured binding
    auto other =
        std::find_if(live_.begin(), live_.end(), [&](const auto& e) { return e.second == inode_id; });
    if (other != live_.end()) {
      Result<std::string> r = base_->ReadFileToString(other->first);
      if (r.ok()) data = std::move(r).value();
      note(r.status());
    } else if (inode.saved) {
      data = *inode.saved;
    }
    data.resize(std::min<uint64_t>(data.size(), inode.synced_size));
    restore.emplace_back(name, std::move(data));
  }
  // 3. Cut unsynced bytes; remove names that were never made durable (or now point elsewhere).
  for (const auto& [name, id] : live_) {
    auto durable = durable_.find(name);
    if (durable != durable_.end() && durable->second == id) {
      Result<uint64_t> size = base_->FileSize(name);
      note(size.status());
      if (size.ok() && *size > inodes_[id].synced_size) note(base_->Truncate(name, inodes_[id].synced_size));
    } else {
      note(base_->RemoveFile(name));
    }
  }
  // 4. Put back what was removed or renamed away without a directory sync.
  for (const auto& [name, data] : restore) {
    Result<std::unique_ptr<WritableFile>> f = base_->NewWritableFile(name);
    note(f.status());
    if (!f.ok()) continue;
    note((*f)->Append(data));
    note((*f)->Sync());
    note((*f)->Close());
  }
  // 5. The surviving state is the new durable and live state.
  std::map<uint64_t, Inode> inodes;
  for (const auto& [name, id] : durable_) {
    Inode& inode = inodes[id];
    inode.synced_size = inodes_[id].synced_size;
  }
  inodes_ = std::move(inodes);
  live_ = durable_;
  down_ = true;
  return first_error;
}

void FaultInjectionFileSystem::Restart() {
  std::lock_guard<std::mutex> l(mu_);
  down_ = false;
}

}  // namespace tandem
