// End-to-end tests of `tandem ingest` (and `tandem batch` / `tandem compact`): the built binary (TANDEM_BIN)
// against a `tandem serve` child on a loopback port with a temporary data directory. They check what a
// user sees (stderr, exit status) and what the server stored (SELECT count(*), sum(x)), including across a
// SIGKILL of the server in the middle of a file, a --resume, a plain re-run and an unreachable server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/progress.h"
#include "testutil/test_util.h"

namespace tandem::cli {
namespace {

using nlohmann::json;
using tandem::testing::TempDir;

std::string TandemBin() {
  const char* env = std::getenv("TANDEM_BIN");
  return env && *env ? env : TANDEM_BIN_DEFAULT;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  return std::ifstream(path).good();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int ExitCode(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

// A `tandem serve` child process. The destructor SIGKILLs it.
class ServeChild {
 public:
  ServeChild(std::string data_dir, std::string log) : data_(std::move(data_dir)), log_(std::move(log)) {}
  ~ServeChild() { Kill(); }

  // Starts the server on `port` (0: a free one it picks) and waits until /health answers.
  Status Start(int port = 0) {
    const size_t log_start = Slurp(log_).size();
    pid_ = fork();
    if (pid_ < 0) return Status::IOError("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      FILE* f = std::fopen(log_.c_str(), "a");
      if (f) {
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
      }
      const std::string bin = TandemBin(), listen = "127.0.0.1:" + std::to_string(port);
      execl(bin.c_str(), bin.c_str(), "serve", "--data", data_.c_str(), "--listen", listen.c_str(),
            "--batch-interval-ms", "0", "--flush-interval-ms", "200", (char*)nullptr);
      std::perror("exec tandem");
      _exit(127);
    }
    // A bound on the wait so that a broken server fails the test instead of hanging it.
    const int64_t deadline = NowMs() + 60000;
    while (NowMs() < deadline) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return Status::Internal("tandem serve exited with " + std::to_string(ExitCode(st)) + ":\n" +
                                Slurp(log_));
      }
      const std::string log = Slurp(log_).substr(log_start);
      const std::string marker = "on http://127.0.0.1:";
      const size_t at = log.find(marker);
      if (at != std::string::npos) {
        port_ = std::atoi(log.c_str() + at + marker.size());
        httplib::Client probe("127.0.0.1", port_);
        probe.set_connection_timeout(1, 0);
        auto res = probe.Get("/health");
        if (res && res->status == 200) return Status::OK();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Status::IOError("tandem serve did not answer /health within 60 s:\n" + Slurp(log_));
  }

  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  json Sql(const std::string& sql) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(120, 0);
    auto res = client.Post("/v1/sql", sql, "text/plain");
    EXPECT_TRUE(res) << "no answer to " << sql;
    if (!res) return json();
    EXPECT_EQ(res->status, 200) << sql << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  // SELECT count(*), sum(x) FROM s.
  std::pair<int64_t, int64_t> CountSum() const {
    json j = Sql("SELECT count(*), sum(x) FROM s");
    if (!j.is_object() || j["rows"].size() != 1) {
      ADD_FAILURE() << "unexpected answer " << j.dump();
      return {-1, -1};
    }
    const json& row = j["rows"][0];
    return {row[0].get<int64_t>(), row[1].is_null() ? 0 : row[1].get<int64_t>()};
  }

 private:
  std::string data_;
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// The NDJSON input of a test: good lines {"ts": ..., "x": L} (L = line number), some bad lines at known
// line numbers (first and last line included, the last one without '\n'), blank lines and CRLF lines.
struct Input {
  std::string text;
  int64_t lines = 0;
  int64_t good = 0;
  int64_t sum = 0;
  std::vector<int64_t> bad_lines;
};

Input MakeInput(int64_t lines, int bad) {
  Input in;
  in.lines = lines;
  std::set<int64_t> bad_set;
  if (bad > 0) {
    bad_set.insert(1);
    bad_set.insert(lines);
    const int64_t step = lines / bad;
    for (int k = 1; k + 2 <= bad; ++k) bad_set.insert(k * step + (k * 37) % (step / 2) + 2);
  }
  in.bad_lines.assign(bad_set.begin(), bad_set.end());
  in.text.reserve(static_cast<size_t>(lines) * 36);
  int kind = 0;
  for (int64_t l = 1; l <= lines; ++l) {
    const char* end = l == lines ? "" : (l % 97 == 0 ? "\r\n" : "\n");
    if (bad_set.count(l)) {
      static const char* kBad[] = {"{\"ts\": 1700000000000, \"x\": \"oops\"}", "this is not json",
                                   "{\"x\": 5}"};
      in.text += kBad[kind++ % 3];
    } else if (l % 100003 == 50) {
      // a blank line: no event, no error, but it counts in the line numbers
    } else {
      in.text += "{\"ts\":" + std::to_string(1700000000000 + l) + ",\"x\":" + std::to_string(l) + "}";
      ++in.good;
      in.sum += l;
    }
    in.text += end;
  }
  return in;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun Tandem(const TempDir& tmp, const std::string& args) {
  const std::string out = tmp.Join("cli.out"), err = tmp.Join("cli.err");
  const int rc = std::system((TandemBin() + " " + args + " >" + out + " 2>" + err).c_str());
  return CliRun{ExitCode(rc), Slurp(out), Slurp(err)};
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every bad line is reported once with its line number in the whole file, and nothing else is.
void ExpectBadLinesReported(const std::string& err, const std::string& file, const Input& in) {
  EXPECT_EQ(Occurrences(err, file + ": line "), in.bad_lines.size()) << err.substr(0, 3000);
  for (int64_t l : in.bad_lines) {
    const std::string a = file + ": line " + std::to_string(l) + ",",
                      b = file + ": line " + std::to_string(l) + ":";
    EXPECT_TRUE(err.find(a) != std::string::npos || err.find(b) != std::string::npos)
        << "line " << l << " not reported";
  }
}

class IngestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServeChild>(tmp_.Join("data"), tmp_.Join("serve.log"));
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    server_->Sql("CREATE STREAM s (ts TIMESTAMP NOT NULL, x BIGINT NOT NULL) WITH (event_time = 'ts')");
  }
  std::string Ingest(const std::string& file, const std::string& flags = "") const {
    return "ingest --server " + server_->url() + " " + flags + " s " + file;
  }

  TempDir tmp_;
  std::unique_ptr<ServeChild> server_;
};

// (a) + (c): a 1M-line file with 100 bad lines; then a plain re-run of it.
TEST_F(IngestCliTest, MillionLinesExactlyOnceBadLinesByFileLineAndARerunReplays) {
  const Input in = MakeInput(1000000, 100);
  ASSERT_EQ(in.bad_lines.size(), 100u);
  const std::string file = tmp_.Join("big.ndjson");
  Write(file, in.text);

  const int64_t t0 = NowMs();
  CliRun first = Tandem(tmp_, Ingest(file, "--request-bytes 1048576 --progress-interval-ms 0"));
  const int64_t ms = NowMs() - t0;
  std::printf("1M lines (%zu bytes) ingested in %lld ms\n", in.text.size(), static_cast<long long>(ms));
  EXPECT_EQ(first.code, 1) << first.err.substr(first.err.size() > 3000 ? first.err.size() - 3000 : 0);
  EXPECT_EQ(server_->CountSum(), std::make_pair(in.good, in.sum));
  ExpectBadLinesReported(first.err, file, in);
  // Progress lines (stderr is a file: plain lines, no control characters) and the summary.
  EXPECT_GT(Occurrences(first.err, "tandem: ingest s: "), 10u);
  EXPECT_NE(first.err.find("% of " + Progress::FormatBytes(in.text.size()) + ", "), std::string::npos)
      << first.err.substr(0, 2000);
  EXPECT_EQ(first.err.find('\r'), std::string::npos);
  EXPECT_EQ(first.err.find('\x1b'), std::string::npos);
  const std::string summary = "tandem: ingest s: 1000000 lines in ";
  const size_t at = first.err.find(summary);
  ASSERT_NE(at, std::string::npos) << first.err.substr(first.err.size() - 2000);
  const std::string tail = first.err.substr(at);
  EXPECT_NE(tail.find("chunks: " + std::to_string(in.good) + " events accepted, 100 lines rejected; sent "),
            std::string::npos)
      << tail;
  EXPECT_NE(tail.find("tandem: 100 lines were rejected (see above)"), std::string::npos) << tail;
  EXPECT_FALSE(Exists(file + ".tandem-progress")) << "a finished run removes its progress file";
  const int64_t chunks = std::atoll(tail.c_str() + summary.size());
  EXPECT_GE(chunks, 30);

  // (c) The same file again: every chunk replayed, nothing added, the bad lines reported again.
  CliRun again = Tandem(tmp_, Ingest(file, "--request-bytes 1048576"));
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(server_->CountSum(), std::make_pair(in.good, in.sum));
  ExpectBadLinesReported(again.err, file, in);
  EXPECT_NE(
      again.err.find(std::to_string(chunks) + " chunks: " + std::to_string(in.good) + " events accepted (" +
                     std::to_string(chunks) + " chunks replayed: " + std::to_string(in.good) +
                     " of the events were already stored), 100 lines rejected"),
      std::string::npos)
      << again.err.substr(again.err.find("tandem: ingest"));

  // batch and compact report their results (the server gives no progress to show while they run).
  CliRun batch = Tandem(tmp_, "batch --server " + server_->url());
  EXPECT_EQ(batch.code, 0) << batch.err;
  EXPECT_NE(batch.out.find("batch cycle took"), std::string::npos) << batch.out;
  CliRun compact = Tandem(tmp_, "compact --server " + server_->url());
  EXPECT_EQ(compact.code, 0) << compact.err;
  EXPECT_NE(compact.out.find("compaction rewrote"), std::string::npos) << compact.out;
  EXPECT_EQ(server_->CountSum(), std::make_pair(in.good, in.sum));
}

// Starts `tandem ARGS` in the background; stdout/stderr go to files in `tmp`.
pid_t StartCli(const TempDir& tmp, const std::string& args) {
  const std::string cmd =
      "exec " + TandemBin() + " " + args + " >" + tmp.Join("bg.out") + " 2>" + tmp.Join("bg.err");
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), (char*)nullptr);
    _exit(127);
  }
  return pid;
}

// Waits (bounded) until the progress file says at least `chunks` chunks were acknowledged, then stops
// the CLI (SIGSTOP) and returns the acknowledged byte offset, or -1 if the run ended first.
int64_t StopAfterChunks(pid_t cli, const std::string& progress_file, int64_t chunks) {
  const int64_t deadline = NowMs() + 60000;
  while (NowMs() < deadline) {
    json j = json::parse(Slurp(progress_file), nullptr, false);
    if (j.is_object() && j.value("chunks", int64_t{0}) >= chunks) {
      kill(cli, SIGSTOP);
      j = json::parse(Slurp(progress_file), nullptr, false);  // the latest, now that it cannot change
      return j.is_object() ? j.value("offset", int64_t{-1}) : -1;
    }
    int st = 0;
    if (waitpid(cli, &st, WNOHANG) == cli) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return -1;
}

// (b) SIGKILL the server in the middle of a file, restart it on the same data dir and port: the CLI's
// retries finish the file and every event is stored exactly once.
TEST_F(IngestCliTest, ServerKilledMidFileRetriesFinishItExactlyOnce) {
  const Input in = MakeInput(300000, 10);
  const std::string file = tmp_.Join("mid.ndjson");
  Write(file, in.text);
  const pid_t cli = StartCli(
      tmp_, Ingest(file, "--request-bytes 65536 --retries 40 --retry-base-ms 20 --retry-max-ms 200"));
  const int64_t offset = StopAfterChunks(cli, file + ".tandem-progress", 5);
  ASSERT_GT(offset, 0) << "the CLI ended before it could be stopped: " << Slurp(tmp_.Join("bg.err"));
  ASSERT_LT(offset, static_cast<int64_t>(in.text.size()));
  const int port = server_->port();
  server_->Kill();
  kill(cli, SIGCONT);  // its next request finds no server and is retried
  // Restart only after the CLI has reported a failed attempt, so the retry path is certainly taken.
  const int64_t deadline = NowMs() + 60000;
  while (Slurp(tmp_.Join("bg.err")).find("; retry 1 of 40") == std::string::npos && NowMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Status s = server_->Start(port);
  ASSERT_TRUE(s.ok()) << s.ToString();
  int st = 0;
  ASSERT_EQ(waitpid(cli, &st, 0), cli);
  const std::string err = Slurp(tmp_.Join("bg.err"));
  EXPECT_EQ(ExitCode(st), 1) << err;  // 1 for the bad lines
  EXPECT_NE(err.find("; retry 1 of 40"), std::string::npos) << err;
  EXPECT_NE(err.find(" retr"), std::string::npos);
  EXPECT_NE(err.find(std::to_string(in.good) + " events accepted"), std::string::npos) << err;
  ExpectBadLinesReported(err, file, in);
  EXPECT_EQ(server_->CountSum(), std::make_pair(in.good, in.sum));
}

// (b') The same kill, but the CLI gives up (no retries); a --resume run after the restart finishes it.
TEST_F(IngestCliTest, ResumeAfterTheCliGaveUpFinishesExactlyOnce) {
  const Input in = MakeInput(300000, 10);
  const std::string file = tmp_.Join("resume.ndjson");
  Write(file, in.text);
  const pid_t cli = StartCli(tmp_, Ingest(file, "--request-bytes 65536 --retries 0"));
  const int64_t offset = StopAfterChunks(cli, file + ".tandem-progress", 5);
  ASSERT_GT(offset, 0) << "the CLI ended before it could be stopped: " << Slurp(tmp_.Join("bg.err"));
  const int port = server_->port();
  server_->Kill();
  kill(cli, SIGCONT);
  int st = 0;
  ASSERT_EQ(waitpid(cli, &st, 0), cli);
  const std::string gave_up = Slurp(tmp_.Join("bg.err"));
  EXPECT_EQ(ExitCode(st), 1);
  EXPECT_NE(gave_up.find("cannot reach " + server_->url() + " after 1 attempt over "), std::string::npos)
      << gave_up;
  EXPECT_NE(gave_up.find("`--resume` continues from there"), std::string::npos) << gave_up;
  ASSERT_TRUE(Exists(file + ".tandem-progress"));
  const json saved = json::parse(Slurp(file + ".tandem-progress"));
  const int64_t resume_line = saved["lines"].get<int64_t>();
  EXPECT_GT(resume_line, 0);

  Status s = server_->Start(port);
  ASSERT_TRUE(s.ok()) << s.ToString();
  CliRun resumed = Tandem(tmp_, Ingest(file, "--resume"));
  EXPECT_EQ(resumed.code, 1) << resumed.err;
  EXPECT_NE(resumed.err.find("tandem: resuming " + file + " after line " + std::to_string(resume_line)),
            std::string::npos)
      << resumed.err;
  EXPECT_NE(resumed.err.find(std::to_string(in.good) + " events accepted"), std::string::npos) << resumed.err;
  EXPECT_NE(resumed.err.find("resumed after line " + std::to_string(resume_line)), std::string::npos);
  EXPECT_EQ(server_->CountSum(), std::make_pair(in.good, in.sum));
  EXPECT_FALSE(Exists(file + ".tandem-progress"));
  // Between the two runs every bad line was reported once (before or after the resume point).
  ExpectBadLinesReported(gave_up + resumed.err, file, in);
}

// stdin: idempotent across runs only under a --key-prefix; without one each run is new input.
TEST_F(IngestCliTest, StdinRunsAreIdempotentUnderAKeyPrefix) {
  const Input in = MakeInput(2000, 0);
  const std::string file = tmp_.Join("small.ndjson");
  Write(file, in.text);
  const std::string url = server_->url();
  CliRun a =
      Tandem(tmp_, "ingest --server " + url + " --key-prefix nightly-1 --request-bytes 8192 s - <" + file);
  EXPECT_EQ(a.code, 0) << a.err;
  CliRun b =
      Tandem(tmp_, "ingest --server " + url + " --key-prefix nightly-1 --request-bytes 8192 s - <" + file);
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.err.find("chunks replayed: " + std::to_string(in.good) + " of the events were already stored"),
            std::string::npos)
      << b.err;
  EXPECT_EQ(server_->CountSum(), std::make_pair(in.good, in.sum));
  CliRun c = Tandem(tmp_, "ingest --server " + url + " s - <" + file);
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(server_->CountSum(), std::make_pair(2 * in.good, 2 * in.sum));
}

// A loopback port nobody listens on (bound and released: nothing else on this machine picks it up in the
// moment between).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// (d) No server: bounded retries, then one message naming the URL, the attempts, the time and the error.
TEST(IngestCliUnreachableTest, NamesTheUrlAttemptsAndLastError) {
  TempDir tmp;
  const std::string file = tmp.Join("few.ndjson");
  Write(file, MakeInput(10, 0).text);
  const std::string url = "http://127.0.0.1:" + std::to_string(FreePort());
  CliRun r = Tandem(tmp, "ingest --server " + url + " --retries 2 --retry-base-ms 10 s " + file);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("retry 1 of 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("retry 2 of 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tandem: cannot reach " + url + " after 3 attempts over "), std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find(": connection refused or host unreachable; 0 events accepted before line 1 of " + file),
      std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("tandem: ingest s:"), std::string::npos) << "no success summary: " << r.err;
}

// A server that accepts the connection and hangs up without answering: the CLI retries and reports the
// lost connection.
TEST(IngestCliUnreachableTest, AServerThatHangsUpIsRetriedAndReported) {
  TempDir tmp;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  // Two attempts: accept each and close it at once.
  std::thread hangup([listener] {
    for (int i = 0; i < 2; ++i) {
      int c = accept(listener, nullptr, nullptr);
      if (c < 0) return;
      close(c);
    }
  });
  const std::string file = tmp.Join("large.ndjson");
  std::string text;
  for (int i = 0; text.size() < (size_t{2} << 20); ++i)
    text += "{\"ts\": 1, \"x\": " + std::to_string(i) + "}\n";
  Write(file, text);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  CliRun r = Tandem(
      tmp, "ingest --server " + url + " --retries 1 --retry-base-ms 10 --request-bytes 4194304 s " + file);
  hangup.join();
  close(listener);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("tandem: cannot reach " + url + " after 2 attempts over "), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("connection lost"), std::string::npos) << r.err;
}

TEST(IngestCliUsageTest, ResumeNeedsAFile) {
  TempDir tmp;
  CliRun r = Tandem(tmp, "ingest --resume s - </dev/null");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("stdin cannot be resumed"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tandem::cli
