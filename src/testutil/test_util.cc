#include "testutil/test_util.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace tandem::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tandem-test-XXXXXX";
  char* p = mkdtemp(tmpl.data());
  if (p == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SourceDir() {
  const char* env = std::getenv("TANDEM_SOURCE_DIR");
  if (env && *env) return env;
#ifdef TANDEM_SOURCE_DIR_DEFAULT
  return TANDEM_SOURCE_DIR_DEFAULT;
#else
  return ".";
#endif
}

std::string PeersDir() {
  return SourceDir() + "/tests/peers";
}

bool PeersAvailable() {
  struct stat st;
  return ::stat((PeersDir() + "/node_modules/@duckdb/node-api").c_str(), &st) == 0;
}

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<std::string> RunCommand(const std::string& command) {
  TempDir tmp;
  const std::string out = tmp.Join("stdout"), err = tmp.Join("stderr");
  const std::string full = "(" + command + ") >" + out + " 2>" + err;
  const int rc = std::system(full.c_str());
  if (rc == -1) return Status::IOError("cannot run command: " + command);
  const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  if (code != 0) {
    return Status::Internal("command failed with exit code " + std::to_string(code) + ": " + command + "\n" +
                            ReadAll(err));
  }
  return ReadAll(out);
}

Result<std::string> DuckDbQuery(const std::string& sql) {
  TempDir tmp;
  const std::string in = tmp.Join("query.sql");
  {
    std::ofstream f(in, std::ios::binary);
    f << sql;
  }
  return RunCommand("node " + PeersDir() + "/duckdb_query.mjs < " + in);
}

}  // namespace tandem::testing
