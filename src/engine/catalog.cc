#include "engine/catalog.h"

#include <nlohmann/json.hpp>

namespace tandem::engine {

using nlohmann::json;

Status Catalog::Load() {
  TANDEM_ASSIGN_OR_RETURN(bool exists, fs_->Exists(path_));
  entries_.clear();
  if (!exists) return Status::OK();
  TANDEM_ASSIGN_OR_RETURN(std::string text, fs_->ReadFileToString(path_));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(path_ + ": not a JSON object");
  try {
    for (const json& e : j.at("entries")) {
      CatalogEntry entry;
      const std::string kind = e.at("kind").get<std::string>();
      if (kind != "stream" && kind != "view")
        return Status::Corruption(path_ + ": unknown entry kind " + kind);
      entry.kind = kind == "stream" ? CatalogEntry::Kind::kStream : CatalogEntry::Kind::kView;
      entry.name = e.at("name").get<std::string>();
      entry.sql = e.at("sql").get<std::string>();
      entries_.push_back(std::move(entry));
    }
  } catch (const json::exception& e) {
    return Status::Corruption(path_ + ": " + e.what());
  }
  return Status::OK();
}

Status Catalog::Save() {
  json entries = json::array();
  for (const CatalogEntry& e : entries_) {
    entries.push_back({{"kind", e.kind == CatalogEntry::Kind::kStream ? "stream" : "view"},
                       {"name", e.name},
                       {"sql", e.sql}});
  }
  json j = {{"format", "tandem-catalog"}, {"format_version", 1}, {"entries", entries}};
  return fs_->WriteFileAtomically(path_, j.dump(1));
}

Status Catalog::Add(CatalogEntry entry) {
  entries_.push_back(std::move(entry));
  Status st = Save();
  if (!st.ok()) entries_.pop_back();
  return st;
}

Status Catalog::Remove(CatalogEntry::Kind kind, const std::string& name) {
  std::vector<CatalogEntry> before = entries_;
  std::erase_if(entries_, [&](const CatalogEntry& e) { return e.kind == kind && e.name == name; });
  Status st = Save();
  if (!st.ok()) entries_ = std::move(before);
  return st;
}

}  // namespace tandem::engine
