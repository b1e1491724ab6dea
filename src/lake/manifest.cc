#include "lake/manifest.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/json_int.h"

namespace tandem::lake {

using nlohmann::json;

std::string Manifest::ToJson() const {
  json j;
  j["format"] = "tandem-lake-manifest";
  j["format_version"] = 1;
  j["version"] = version;
  j["horizon"] = horizon;
  j["next_file_id"] = next_file_id;
  json files_j = json::array();
  for (const LakeFile& f : files) {
    json ranges = json::array();
    for (const OffsetRange& r : f.offset_ranges) ranges.push_back({r.begin, r.end});
    files_j.push_back({{"path", f.path},
                       {"partition", f.partition},
                       {"rows", f.rows},
                       {"bytes", f.bytes},
                       {"offset_ranges", ranges},
                       {"min_event_time", f.min_event_time},
                       {"max_event_time", f.max_event_time}});
  }
  j["files"] = files_j;
  return j.dump(1);
}

Result<Manifest> Manifest::FromJson(const std::string& text, const std::string& source_name) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(source_name + ": not a JSON object");
  try {
    if (j.value("format", "") != "tandem-lake-manifest") {
      return Status::Corruption(source_name + ": not a Tandem lake manifest");
    }
    if (JsonToInt64(j.at("format_version")) != 1) {
      return Status::NotSupported(source_name + ": manifest format_version " +
                                  std::to_string(JsonToInt64(j.at("format_version"))) +
                                  " is newer than this build");
    }
    Manifest m;
    m.version = JsonToInt64(j.at("version"));
    m.horizon = JsonToInt64(j.at("horizon"));
    m.next_file_id = JsonToInt64(j.at("next_file_id"));
    for (const json& fj : j.at("files")) {
      LakeFile f;
      f.path = fj.at("path").get<std::string>();
      f.partition = fj.at("partition").get<std::string>();
      f.rows = JsonToInt64(fj.at("rows"));
      f.bytes = JsonToInt64(fj.at("bytes"));
      for (const json& r : fj.at("offset_ranges")) {
        f.offset_ranges.push_back({JsonToInt64(r.at(0)), JsonToInt64(r.at(1))});
      }
      f.min_event_time = JsonToInt64(fj.at("min_event_time"));
      f.max_event_time = JsonToInt64(fj.at("max_event_time"));
      if (f.path.empty() || f.path.find("..") != std::string::npos || f.path[0] == '/') {
        return Status::Corruption(source_name + ": bad file path '" + f.path + "'");
      }
      m.files.push_back(std::move(f));
    }
    return m;
  } catch (const json::exception& e) {
    return Status::Corruption(source_name + ": " + e.what());
  }
}

ManifestStore::ManifestStore(FileSystem* fs, std::string stream_dir)
    : fs_(fs), manifest_dir_(JoinPath(stream_dir, "_manifest")) {}

std::string ManifestStore::VersionPath(int64_t version) const {
  char name[40];
  std::snprintf(name, sizeof(name), "v%020lld.json", static_cast<long long>(version));
  return JoinPath(manifest_dir_, name);
}

Result<std::vector<int64_t>> ManifestStore::ListVersions() const {
  auto names = fs_->ListDir(manifest_dir_);
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) return std::vector<int64_t>{};
    return names.status();
  }
  std::vector<int64_t> versions;
  for (const std::string& n : *names) {
    // Only complete versions: "v" + 20 digits + ".json" (temporary files end in ".tmp").
    if (n.size() != 26 || n[0] != 'v' || n.substr(21) != ".json") continue;
    if (!std::all_of(n.begin() + 1, n.begin() + 21, [](char c) { return c >= '0' && c <= '9'; })) continue;
    versions.push_back(std::stoll(n.substr(1, 20)));
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<Manifest> ManifestStore::LoadLatest() const {
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> versions, ListVersions());
  if (versions.empty()) return Manifest{};
  const std::string path = VersionPath(versions.back());
  TANDEM_ASSIGN_OR_RETURN(std::string text, fs_->ReadFileToString(path));
  TANDEM_ASSIGN_OR_RETURN(Manifest m, Manifest::FromJson(text, path));
  if (m.version != versions.back()) {
    return Status::Corruption(path + ": holds version " + std::to_string(m.version));
  }
  return m;
}

Status ManifestStore::Publish(Manifest* manifest) {
  std::lock_guard<std::mutex> lock(publish_mu_);
  TANDEM_RETURN_IF_ERROR(fs_->CreateDirs(manifest_dir_));
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> versions, ListVersions());
  const int64_t next = versions.empty() ? 1 : versions.back() + 1;
  Manifest copy = *manifest;
  copy.version = next;
  TANDEM_RETURN_IF_ERROR(fs_->WriteFileAtomically(VersionPath(next), copy.ToJson()));
  manifest->version = next;
  return Status::OK();
}

Status ManifestStore::RemoveOldVersions(int keep) {
  std::lock_guard<std::mutex> lock(publish_mu_);
  TANDEM_ASSIGN_OR_RETURN(std::vector<int64_t> versions, ListVersions());
  for (size_t i = 0; i + keep < versions.size(); ++i) {
    TANDEM_RETURN_IF_ERROR(fs_->RemoveFile(VersionPath(versions[i])));
  }
  return Status::OK();
}

}  // namespace tandem::lake
