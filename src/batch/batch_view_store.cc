#include "batch/batch_view_store.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/json_int.h"
#include "lake/parquet/parquet_reader.h"
#include "lake/parquet/parquet_writer.h"

namespace tandem::batch {

using nlohmann::json;

namespace {
constexpr const char* kCurrent = "CURRENT";

std::string VersionFile(int64_t version) {
  char name[48];
  std::snprintf(name, sizeof(name), "v%020lld.parquet", static_cast<long long>(version));
  return name;
}
}  // namespace

BatchViewStore::BatchViewStore(FileSystem* fs, std::string view_dir) : fs_(fs), dir_(std::move(view_dir)) {}

Result<BatchViewMeta> BatchViewStore::LoadCurrentMeta() const {
  const std::string path = JoinPath(dir_, kCurrent);
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs_->Exists(path));
  if (!exists) return BatchViewMeta{};
  TANDEM_ASSIGN_OR_RETURN(std::string text, fs_->ReadFileToString(path));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(path + ": not a JSON object");
  try {
    BatchViewMeta m;
    m.version = JsonToInt64(j.at("version"));
    m.horizon = JsonToInt64(j.at("horizon"));
    m.rows_read = j.contains("rows_read") ? JsonToInt64(j.at("rows_read")) : 0;
    m.full = j.value("full", false);
    m.file = j.at("file").get<std::string>();
    if (m.file.empty() || m.file == ".." || m.file.find('/') != std::string::npos)
      return Status::Corruption(path + ": bad file name " + m.file);
    return m;
  } catch (const json::exception& e) {
    return Status::Corruption(path + ": " + e.what());
  }
}

Result<RecordBatch> BatchViewStore::LoadStates(const BatchViewMeta& meta) const {
  const std::string path = JoinPath(dir_, meta.file);
  TANDEM_ASSIGN_OR_RETURN(auto reader, parquet::OpenParquetFile(fs_, path));
  std::vector<int> all(reader->schema().fields.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  auto batch = reader->ReadAll(all);
  if (!batch.ok()) return batch.status().WithContext(path);
  return batch;
}

Status BatchViewStore::Write(const RecordBatch& states, BatchViewMeta* meta) {
  TANDEM_RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  TANDEM_ASSIGN_OR_RETURN(BatchViewMeta current, LoadCurrentMeta());
  // Never reuse a version number, even one written but not published before a crash.
  int64_t version = current.version + 1;
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  for (const std::string& n : names) {
    if (n.size() == 29 && n[0] == 'v') version = std::max<int64_t>(version, std::atoll(n.c_str() + 1) + 1);
  }
  meta->version = version;
  meta->file = VersionFile(version);
  parquet::WriterOptions opts;
  opts.key_value_metadata = {{"tandem.view.version", std::to_string(version)},
                             {"tandem.view.horizon", std::to_string(meta->horizon)}};
  return parquet::WriteParquetFile(fs_, JoinPath(dir_, meta->file), states.schema(), {states}, opts);
}

Status BatchViewStore::Publish(const BatchViewMeta& meta) {
  json j = {{"version", meta.version},
            {"horizon", meta.horizon},
            {"rows_read", meta.rows_read},
            {"full", meta.full},
            {"file", meta.file}};
  TANDEM_ASSIGN_OR_RETURN(BatchViewMeta previous, LoadCurrentMeta());
  TANDEM_RETURN_IF_ERROR(fs_->WriteFileAtomically(JoinPath(dir_, kCurrent), j.dump()));
  // Keep the new and the previous version; older ones (and unpublished leftovers) go.
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  for (const std::string& n : names) {
    if (n.size() != 29 || n[0] != 'v' || n == meta.file || n == previous.file) continue;
    Status st = fs_->RemoveFile(JoinPath(dir_, n));
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
  }
  return Status::OK();
}

}  // namespace tandem::batch
