// `tandem ingest STREAM FILE|-`: sends NDJSON to a stream in bounded requests, each with an
// Idempotency-Key derived from the input and the chunk, retrying what failed for want of a server, and
// remembering the last acknowledged chunk so that --resume can pick up after it. docs/cli.md tells the
// whole contract (flags, key derivation, progress file, retry policy, summary, exit status).
#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/command.h"
#include "cli/ingest_chunker.h"
#include "cli/ingest_keys.h"
#include "cli/ingest_progress_file.h"
#include "cli/progress.h"
#include "cli/retry_policy.h"
#include "common/file_system.h"

namespace tandem::cli {

namespace {

using nlohmann::json;

struct IngestFlags {
  std::string server = "http://127.0.0.1:8080";
  std::string stream;
  std::string file = "-";
  uint64_t request_bytes = 4 << 20;
  bool request_bytes_given = false;
  std::string key_prefix;
  bool resume = false;
  std::string progress_file;
  int retries = 10;
  int64_t retry_base_ms = 250;
  int64_t retry_max_ms = 10000;
  int timeout_s = 120;
  int64_t progress_interval_ms = 5000;
  bool quiet = false;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Seconds(int64_t ms) {
  return ms < 10000 ? fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0)
                    : fmt::format("{} s", ms / 1000);
}

// What an httplib failure means, in words a user can act on.
std::string TransportError(httplib::Error e, int timeout_s) {
  switch (e) {
    case httplib::Error::Connection: return "connection refused or host unreachable";
    case httplib::Error::ConnectionTimeout: return "connect timed out";
    case httplib::Error::Read:
      return "connection lost before the answer arrived (server gone, or no answer within " +
             std::to_string(timeout_s) + " s, --timeout)";
    case httplib::Error::Write: return "connection lost while sending the request";
    default: return httplib::to_string(e);
  }
}

// The server's {"error": "..."} message, or the raw body.
std::string ServerMessage(const httplib::Response& res) {
  json j = json::parse(res.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  return res.body.size() > 500 ? res.body.substr(0, 500) + "..." : res.body;
}

struct ChunkAnswer {
  int64_t accepted = 0;
  int64_t rejected = 0;
  bool replayed = false;
  json errors;
};

class IngestRun {
 public:
  explicit IngestRun(const IngestFlags& f)
      : f_(f),
        client_(f.server),
        retry_({.retries = f.retries, .base_delay_ms = f.retry_base_ms, .max_delay_ms = f.retry_max_ms}) {
    client_.set_tcp_nodelay(true);
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(f.timeout_s, 0);
    client_.set_write_timeout(f.timeout_s, 0);
    path_ = "/v1/streams/" + f.stream + "/events";
  }

  Status Run();

 private:
  Status OpenInput();
  Result<ChunkAnswer> Send(const IngestChunk& chunk, const std::string& key);
  std::string ChunkName(const IngestChunk& chunk) const {
    return fmt::format("chunk {} (lines {}-{} of {})", chunk.index, chunk.first_line + 1,
                       chunk.first_line + chunk.lines, name_);
  }
  void SaveProgress();

  const IngestFlags& f_;
  httplib::Client client_;
  RetryPolicy retry_;
  std::string path_;
  std::string name_;  // the input as messages name it
  bool is_stdin_ = false;
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t file_size_ = 0;
  std::optional<IngestKeys> keys_;
  std::optional<IngestProgressFile> progress_file_;
  bool progress_file_broken_ = false;
  std::unique_ptr<Progress> progress_;
  IngestCheckpoint done_;  // totals of the acknowledged chunks and where the next one starts
  int64_t retries_used_ = 0;
  int64_t replayed_chunks_ = 0;  // in this run (done_ also counts those of the run a --resume continues)
  int64_t replayed_events_ = 0;
};

Status IngestRun::OpenInput() {
  is_stdin_ = f_.file == "-";
  if (is_stdin_) {
    name_ = "stdin";
    if (f_.resume || !f_.progress_file.empty()) {
      return Status::InvalidArgument("--resume and --progress-file need a FILE; stdin cannot be resumed");
    }
    if (f_.key_prefix.empty()) {
      keys_ = IngestKeys::ForRun();
    } else {
      TANDEM_ASSIGN_OR_RETURN(IngestKeys k, IngestKeys::ForPrefix(f_.key_prefix));
      keys_ = std::move(k);
    }
    return Status::OK();
  }
  name_ = f_.file;
  auto opened = LocalFileSystem()->NewRandomAccessFile(f_.file);
  if (!opened.ok()) return Status::IOError("cannot open " + f_.file + ": " + opened.status().message());
  file_ = std::move(opened).value();
  TANDEM_ASSIGN_OR_RETURN(file_size_, file_->Size());
  if (f_.key_prefix.empty()) {
    TANDEM_ASSIGN_OR_RETURN(IngestKeys k, IngestKeys::ForFile(*file_));
    keys_ = std::move(k);
  } else {
    TANDEM_ASSIGN_OR_RETURN(IngestKeys k, IngestKeys::ForPrefix(f_.key_prefix));
    keys_ = std::move(k);
  }
  progress_file_.emplace(LocalFileSystem(), f_.progress_file.empty()
                                                ? IngestProgressFile::DefaultPathFor(f_.file)
                                                : f_.progress_file);
  return Status::OK();
}

void IngestRun::SaveProgress() {
  if (!progress_file_ || progress_file_broken_) return;
  Status s = progress_file_->Save(done_);
  if (!s.ok()) {
    progress_file_broken_ = true;
    progress_->Message("tandem: warning: cannot write progress file " + progress_file_->path() + ": " +
                       s.message() + " (carrying on; --resume will start further back)");
  }
}

Result<ChunkAnswer> IngestRun::Send(const IngestChunk& chunk, const std::string& key) {
  const int64_t start = NowMs();
  const httplib::Headers headers = {{"Idempotency-Key", key}};
  for (int attempt = 1;; ++attempt) {
    auto res = client_.Post(path_, headers, chunk.body, "application/x-ndjson");
    std::string why;  // why this attempt did not get an answer to keep
    if (!res) {
      why = TransportError(res.error(), f_.timeout_s);
    } else if (res->status == 200 || res->status == 400) {
      json j = json::parse(res->body, nullptr, false);
      if (j.is_object() && j.contains("accepted") && j.contains("rejected")) {
        ChunkAnswer a;
        a.accepted = j["accepted"].get<int64_t>();
        a.rejected = j["rejected"].get<int64_t>();
        a.replayed = res->get_header_value("Idempotent-Replayed") == "true";
        if (j.contains("errors")) a.errors = std::move(j["errors"]);
        return a;
      }
      return Status::InvalidArgument(fmt::format("{} answered HTTP {} to {}: {}", f_.server, res->status,
                                                 ChunkName(chunk), ServerMessage(*res)));
    } else if (RetryPolicy::IsRetriableHttpStatus(res->status)) {
      why = fmt::format("HTTP {}: {}", res->status, ServerMessage(*res));
    } else {
      std::string hint;
      if (res->status == 404) hint = " (create the stream first: tandem sql \"CREATE STREAM ...\")";
      if (res->status == 413) hint = " (lower --request-bytes, or raise the server's --max-body-bytes)";
      if (res->status == 422) {
        // Keys carry the chunk's hash, so this takes a hash collision or another client using our keys.
        hint =
            " (another request already used this Idempotency-Key with other bytes; give a new --key-prefix)";
      }
      return Status::InvalidArgument(fmt::format("{} answered HTTP {} to {}: {}{}", f_.server, res->status,
                                                 ChunkName(chunk), ServerMessage(*res), hint));
    }
    if (attempt > retry_.retries()) {
      const std::string over = Seconds(NowMs() - start);
      if (!res) {
        return Status::IOError(fmt::format("cannot reach {} after {} attempt{} over {}: {}", f_.server,
                                           attempt, attempt == 1 ? "" : "s", over, why));
      }
      return Status::IOError(fmt::format("{} was still unavailable after {} attempt{} over {}: {}", f_.server,
                                         attempt, attempt == 1 ? "" : "s", over, why));
    }
    const int64_t delay = retry_.DelayMs(attempt);
    ++retries_used_;
    progress_->Message(fmt::format("tandem: {}: {}; retry {} of {} in {}", ChunkName(chunk), why, attempt,
                                   retry_.retries(), Seconds(delay)));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
}

Status IngestRun::Run() {
  TANDEM_RETURN_IF_ERROR(OpenInput());
  done_.stream = f_.stream;
  done_.key_prefix = keys_->prefix();
  done_.file_size = file_size_;
  done_.request_bytes = f_.request_bytes;

  Progress::Options po;
  po.label = "ingest " + f_.stream;
  po.unit = "events";
  po.total_bytes = file_size_;
  po.terminal = !f_.quiet && Progress::IsTerminal(stderr);
  po.plain_interval_ms = f_.progress_interval_ms;
  progress_ = std::make_unique<Progress>(stderr, po);

  // Where to start: the beginning, or after the last acknowledged chunk.
  if (progress_file_) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<IngestCheckpoint> saved, progress_file_->Load());
    if (saved && f_.resume) {
      const std::string pf = progress_file_->path();
      if (saved->stream != f_.stream) {
        return Status::InvalidArgument(
            fmt::format("progress file {} is for stream \"{}\", not \"{}\"", pf, saved->stream, f_.stream));
      }
      if (saved->file_size != file_size_ || saved->key_prefix != keys_->prefix()) {
        return Status::InvalidArgument(fmt::format(
            "progress file {} is for another input (size {} bytes, key prefix {}; {} now has {} bytes, key "
            "prefix {}); remove it or drop --resume",
            pf, saved->file_size, saved->key_prefix, name_, file_size_, keys_->prefix()));
      }
      if (f_.request_bytes_given && saved->request_bytes != f_.request_bytes) {
        return Status::InvalidArgument(fmt::format(
            "progress file {} was written with --request-bytes {}; resume with the same value (or drop "
            "--request-bytes)",
            pf, saved->request_bytes));
      }
      done_ = *saved;
      progress_->Message(fmt::format("tandem: resuming {} after line {} (byte {}, chunk {}) from {}", name_,
                                     done_.lines, done_.offset, done_.chunks, pf));
    } else if (saved && saved->stream == f_.stream && saved->key_prefix == keys_->prefix()) {
      progress_->Message(fmt::format(
          "tandem: {} says {} chunks were acknowledged; sending everything again (their keys make the "
          "server replay them; --resume skips them)",
          progress_file_->path(), saved->chunks));
    } else if (f_.resume) {
      progress_->Message("tandem: no progress file " + progress_file_->path() +
                         "; starting at the beginning");
    }
  }

  uint64_t read_pos = done_.offset;
  IngestChunker::ReadFn read;
  if (is_stdin_) {
    read = [](char* buf, size_t n) -> Result<size_t> {
      const size_t got = std::fread(buf, 1, n, stdin);
      if (got == 0 && std::ferror(stdin)) return Status::IOError("cannot read stdin");
      return got;
    };
  } else {
    read = [this, &read_pos](char* buf, size_t n) -> Result<size_t> {
      TANDEM_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(read_pos, n, reinterpret_cast<uint8_t*>(buf)));
      read_pos += got;
      return got;
    };
  }
  IngestChunker chunker(read, done_.request_bytes, done_.offset, done_.lines, done_.chunks);

  const int64_t start = NowMs();
  const uint64_t start_offset = done_.offset;
  const int64_t start_lines = done_.lines;
  auto counters = [&] {
    Progress::Counters c;
    c.bytes = done_.offset;
    c.count = done_.accepted;
    c.rejected = done_.rejected;
    return c;
  };
  IngestChunk chunk;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool more, chunker.Next(&chunk));
    if (!more) break;
    Result<ChunkAnswer> answer = Send(chunk, keys_->KeyFor(chunk.index, chunk.body));
    if (!answer.ok()) {
      progress_->Finish();
      std::string where =
          fmt::format("{} events accepted before line {} of {}", done_.accepted, chunk.first_line + 1, name_);
      if (progress_file_ && !progress_file_broken_ && done_.chunks > 0) {
        where += "; `--resume` continues from there (" + progress_file_->path() + ")";
      }
      return Status(answer.status().code(), answer.status().message() + "; " + where);
    }
    for (const json& e : answer->errors) {
      const std::string col = e.value("column", std::string());
      progress_->Message(
          fmt::format("{}: line {}{}: {}", name_, chunk.first_line + e.value("line", int64_t{0}),
                      col.empty() ? "" : ", column \"" + col + "\"", e.value("reason", std::string())));
    }
    done_.accepted += answer->accepted;
    done_.rejected += answer->rejected;
    if (answer->replayed) {
      ++done_.replayed_chunks;
      ++replayed_chunks_;
      replayed_events_ += answer->accepted;
    }
    done_.chunks = chunk.index + 1;
    done_.offset = chunk.offset + chunk.body.size();
    done_.lines = chunk.first_line + chunk.lines;
    SaveProgress();
    if (!f_.quiet) progress_->Update(counters());
  }
  progress_->Finish();
  if (progress_file_ && !progress_file_broken_) {
    Status s = progress_file_->Remove();
    if (!s.ok())
      std::fprintf(stderr, "tandem: warning: cannot remove %s: %s\n", progress_file_->path().c_str(),
                   s.message().c_str());
  }

  const int64_t elapsed = std::max<int64_t>(1, NowMs() - start);
  const uint64_t bytes = done_.offset - start_offset;
  const int64_t lines = done_.lines - start_lines;
  auto plural = [](int64_t n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  std::string summary =
      fmt::format("tandem: ingest {}: {} in {}: {} accepted", f_.stream, plural(done_.lines, "line", "lines"),
                  plural(done_.chunks, "chunk", "chunks"), plural(done_.accepted, "event", "events"));
  if (replayed_chunks_ > 0) {
    summary += fmt::format(" ({} replayed: {} of the events were already stored)",
                           plural(replayed_chunks_, "chunk", "chunks"), replayed_events_);
  }
  summary += ", " + plural(done_.rejected, "line", "lines") + " rejected";
  if (retries_used_ > 0)
    summary += fmt::format(", {} retr{}", retries_used_, retries_used_ == 1 ? "y" : "ies");
  if (start_lines > 0) summary += fmt::format(", resumed after line {}", start_lines);
  summary += fmt::format("; sent {} in {} ({} lines/s, {}/s)", Progress::FormatBytes(bytes), Seconds(elapsed),
                         lines * 1000 / elapsed, Progress::FormatBytes(bytes * 1000 / elapsed));
  std::fprintf(stderr, "%s\n", summary.c_str());
  if (done_.rejected > 0) {
    return Status::InvalidArgument(std::to_string(done_.rejected) + " lines were rejected (see above)");
  }
  return Status::OK();
}

}  // namespace

void AddIngestCommand(CLI::App* app, Action* action) {
  auto* cmd = app->add_subcommand(
      "ingest", "Send NDJSON events (a file or stdin) to a stream, exactly once across retries and re-runs.");
  auto f = std::make_shared<IngestFlags>();
  cmd->add_option("--server", f->server, "Server URL")->capture_default_str();
  auto* rb = cmd->add_option("--request-bytes", f->request_bytes,
                             "Most bytes of NDJSON per request (cut at line ends; the cut points are part of "
                             "the idempotency keys)")
                 ->capture_default_str()
                 ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  cmd->add_option(
      "--key-prefix", f->key_prefix,
      "Idempotency-Key prefix instead of the file's identity (stdin: instead of a random run id)");
  cmd->add_flag("--resume", f->resume,
                "Start after the last chunk the server acknowledged (see the progress file)");
  cmd->add_option("--progress-file", f->progress_file,
                  "Where to keep the progress (default FILE.tandem-progress)");
  cmd->add_option("--retries", f->retries,
                  "Retries of one request on connection errors, timeouts, 408, 429, 502, 503, 504, 507")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--retry-base-ms", f->retry_base_ms,
                  "Wait before the first retry (doubled each retry, with jitter)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}));
  cmd->add_option("--retry-max-ms", f->retry_max_ms, "Longest wait between two retries")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}));
  cmd->add_option("--timeout", f->timeout_s, "Seconds to wait for one answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--progress-interval-ms", f->progress_interval_ms,
                  "Time between progress lines when stderr is not a terminal")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}));
  cmd->add_flag("--quiet,-q", f->quiet, "No progress display (bad lines and the summary are still printed)");
  cmd->add_option("stream", f->stream, "Stream name")->required();
  cmd->add_option("file", f->file, "NDJSON file, or - for stdin")->capture_default_str();
  cmd->callback([=] {
    f->request_bytes_given = rb->count() > 0;
    *action = [f]() -> Status {
      IngestRun run(*f);
      return run.Run();
    };
  });
}

}  // namespace tandem::cli
