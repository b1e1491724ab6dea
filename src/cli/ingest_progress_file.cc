#include "cli/ingest_progress_file.h"

#include <nlohmann/json.hpp>

namespace tandem::cli {

namespace {

constexpr const char* kFormat = "tandem-ingest-progress/1";

}  // namespace

Result<std::optional<IngestCheckpoint>> IngestProgressFile::Load() const {
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs_->Exists(path_));
  if (!exists) return std::optional<IngestCheckpoint>();
  TANDEM_ASSIGN_OR_RETURN(std::string text, fs_->ReadFileToString(path_));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return Status::Corruption("progress file " + path_ + " " + why +
                              "; remove it to start over (the idempotency keys make a full re-run safe)");
  };
  if (!j.is_object()) return bad("is not a JSON object");
  if (j.value("format", std::string()) != kFormat) {
    return bad(std::string("does not have \"format\": \"") + kFormat + "\"");
  }
  IngestCheckpoint c;
  try {
    c.stream = j.at("stream").get<std::string>();
    c.key_prefix = j.at("key_prefix").get<std::string>();
    c.file_size = j.at("file_size").get<uint64_t>();
    c.request_bytes = j.at("request_bytes").get<uint64_t>();
    c.chunks = j.at("chunks").get<int64_t>();
    c.offset = j.at("offset").get<uint64_t>();
    c.lines = j.at("lines").get<int64_t>();
    c.accepted = j.at("accepted").get<int64_t>();
    c.rejected = j.at("rejected").get<int64_t>();
    c.replayed_chunks = j.at("replayed_chunks").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    return bad(std::string("has a missing or mistyped field (") + e.what() + ")");
  }
  if (c.offset > c.file_size) {
    return bad("says offset " + std::to_string(c.offset) + " beyond the file size " +
               std::to_string(c.file_size));
  }
  return std::optional<IngestCheckpoint>(std::move(c));
}

Status IngestProgressFile::Save(const IngestCheckpoint& c) const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["stream"] = c.stream;
  j["key_prefix"] = c.key_prefix;
  j["file_size"] = c.file_size;
  j["request_bytes"] = c.request_bytes;
  j["chunks"] = c.chunks;
  j["offset"] = c.offset;
  j["lines"] = c.lines;
  j["accepted"] = c.accepted;
  j["rejected"] = c.rejected;
  j["replayed_chunks"] = c.replayed_chunks;
  return fs_->WriteFileAtomically(path_, j.dump() + "\n");
}

Status IngestProgressFile::Remove() const {
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs_->Exists(path_));
  if (!exists) return Status::OK();
  return fs_->RemoveFile(path_);
}

}  // namespace tandem::cli
