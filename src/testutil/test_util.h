// Helpers for tests: temporary directories and the node-based peers (DuckDB, hyparquet).
#pragma once

#include <string>

#include "common/status.h"

namespace tandem::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The source tree root ($TANDEM_SOURCE_DIR, set by ctest; else the compile-time source dir).
std::string SourceDir();
// tests/peers under the source tree: package.json with @duckdb/node-api, hyparquet, ... installed
// by scripts/setup.sh (npm ci). PeersAvailable() is true when its node_modules exist.
std::string PeersDir();
bool PeersAvailable();

// Runs `command` with /bin/sh; returns its stdout, or an error with its exit code and stderr.
Result<std::string> RunCommand(const std::string& command);

// Runs tests/peers/duckdb_query.mjs: executes `sql` in an in-memory DuckDB and returns the result as
// NDJSON text (one JSON object per row; see that script for value formatting).
Result<std::string> DuckDbQuery(const std::string& sql);

}  // namespace tandem::testing
