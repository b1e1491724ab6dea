// Catalog: the persistent list of streams and views of a data directory, kept as the SQL that created
// them (docs/formats/data_dir.md, catalog.json). The SQL is the single source of truth: on open the engine
// re-parses and re-plans every entry, so a plan is never stored in a second format.
//
// Thread safety: none; the engine guards it. Errors: a damaged catalog.json is Corruption naming it.
#pragma once

#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace tandem::engine {

struct CatalogEntry {
  enum class Kind { kStream, kView };
  Kind kind = Kind::kStream;
  std::string name;
  std::string sql;  // the CREATE statement, canonical text
};

class Catalog {
 public:
  Catalog(FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  Status Load();
  // Adds an entry and persists the catalog atomically.
  Status Add(CatalogEntry entry);
  // Removes the named entry (of that kind) and persists.
  Status Remove(CatalogEntry::Kind kind, const std::string& name);
  const std::vector<CatalogEntry>& entries() const { return entries_; }

 private:
  Status Save();
  FileSystem* fs_;
  std::string path_;
  std::vector<CatalogEntry> entries_;  // creation order
};

}  // namespace tandem::engine
