#include "tools/workload.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace tandem::tools {

using nlohmann::json;

const std::vector<ViewCheck>& Views() {
  static const std::vector<ViewCheck> views = {
      {"byk",
       "CREATE VIEW IF NOT EXISTS byk AS SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, "
       "avg(x) AS ax FROM ev GROUP BY k",
       "SELECT * FROM byk ORDER BY k",
       "SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, avg(x) AS ax FROM ev GROUP BY k "
       "ORDER BY k"},
      {"byday",
       "CREATE VIEW IF NOT EXISTS byday AS SELECT date_trunc('day', ts) AS d, count(*) AS n, sum(x) AS sx, "
       "approx_count_distinct(req) AS reqs FROM ev GROUP BY date_trunc('day', ts)",
       "SELECT * FROM byday ORDER BY d",
       "SELECT date_trunc('day', ts) AS d, count(*) AS n, sum(x) AS sx, approx_count_distinct(req) AS reqs "
       "FROM ev GROUP BY date_trunc('day', ts) ORDER BY d"},
  };
  return views;
}

// ---------------------------------------------------------------------------------------------------
// HttpTarget

HttpTarget::HttpTarget(const std::string& host, int port, int read_timeout_s)
    : client_(std::make_unique<httplib::Client>(host, port)) {
  client_->set_connection_timeout(2, 0);
  client_->set_read_timeout(read_timeout_s, 0);
  client_->set_write_timeout(30, 0);
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
}

HttpTarget::~HttpTarget() = default;

namespace {
HttpTarget::Response ToResponse(const httplib::Result& res) {
  HttpTarget::Response out;
  if (!res) {
    out.error = httplib::to_string(res.error());
    return out;
  }
  out.answered = true;
  out.status = res->status;
  out.body = res->body;
  out.replayed = res->get_header_value("Idempotent-Replayed") == "true";
  return out;
}
}  // namespace

HttpTarget::Response HttpTarget::Post(const std::string& path, const std::string& body,
                                      const std::string& idempotency_key) {
  httplib::Headers headers;
  if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
  return ToResponse(client_->Post(path, headers, body, "application/x-ndjson"));
}

HttpTarget::Response HttpTarget::Get(const std::string& path) {
  return ToResponse(client_->Get(path));
}

Result<std::string> HttpTarget::QueryRows(const std::string& sql) {
  Response r = Post("/v1/sql", sql);
  if (!r.answered) return Status::IOError("query \"" + sql + "\": no answer (" + r.error + ")");
  if (r.status != 200) {
    return Status::Internal("query \"" + sql + "\": HTTP " + std::to_string(r.status) + ": " + r.body);
  }
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("rows"))
    return Status::Corruption("query \"" + sql + "\": bad answer " + r.body);
  return j["rows"].dump();
}

bool HttpTarget::Healthy() {
  Response r = Get("/health");
  return r.answered && r.status == 200;
}

// ---------------------------------------------------------------------------------------------------
// Oracle

Request* Oracle::NewRequest(std::mt19937_64& rng, int max_events) {
  auto r = std::make_unique<Request>();
  std::lock_guard<std::mutex> lock(mu_);
  r->id = static_cast<int64_t>(requests_.size());
  r->key = key_prefix_ + "-" + std::to_string(r->id);
  const int n = 1 + static_cast<int>(rng() % static_cast<uint64_t>(std::max(1, max_events)));
  const bool with_bad_line = rng() % 20 == 0;
  const int bad_at = with_bad_line ? static_cast<int>(rng() % static_cast<uint64_t>(n + 1)) : -1;
  char line[256];
  for (int i = 0; i <= n; ++i) {
    if (i == bad_at) {
      // Rejected by validation (k is NOT NULL): must not count, and must not take its neighbours along.
      std::snprintf(line, sizeof(line), "{\"ts\":\"2024-05-01T00:00:00Z\",\"req\":%lld,\"v\":1}\n",
                    static_cast<long long>(r->id));
      r->body += line;
    }
    if (i == n) break;
    const int day = 1 + static_cast<int>(rng() % 5);
    const int64_t secs = static_cast<int64_t>(rng() % 86400);
    const int64_t micros = static_cast<int64_t>(rng() % 1000000);
    const int64_t k = static_cast<int64_t>(rng() % 37);
    const int64_t v = static_cast<int64_t>(rng() % 2001) - 1000;
    const double x = static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) / 7.0;
    std::snprintf(line, sizeof(line),
                  "{\"ts\":\"2024-05-%02dT%02lld:%02lld:%02lld.%06lldZ\",\"req\":%lld,\"k\":%lld,\"v\":%lld,"
                  "\"x\":%.17g}\n",
                  day, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), static_cast<long long>(micros),
                  static_cast<long long>(r->id), static_cast<long long>(k), static_cast<long long>(v), x);
    r->body += line;
    r->good += 1;
    r->sum_v += v;
    auto& pk = r->per_key[k];
    pk.first += 1;
    pk.second += v;
  }
  stats_.requests += 1;
  requests_.push_back(std::move(r));
  return requests_.back().get();
}

Status Oracle::Send(HttpTarget& http, Request* r, bool idempotency) {
  HttpTarget::Response res =
      http.Post(std::string("/v1/streams/") + kStreamName + "/events", r->body, r->key);
  std::lock_guard<std::mutex> lock(mu_);
  r->attempts += 1;
  if (r->attempts > 1) stats_.retried += 1;
  if (res.answered && res.replayed) {
    stats_.replays += 1;
    if (r->attempts == 1) {
      return Status::Internal("request " + std::to_string(r->id) + ": a fresh Idempotency-Key (" + r->key +
                              ") was answered as a replay");
    }
  }
  if (!res.answered || res.status >= 500) {
    if (r->state != Request::State::kPending) stats_.pending += 1;
    r->state = Request::State::kPending;
    return Status::OK();
  }
  if (res.status != 200) {
    return Status::Internal("request " + std::to_string(r->id) + ": HTTP " + std::to_string(res.status) +
                            ": " + res.body);
  }
  json j = json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.contains("accepted")) {
    return Status::Corruption("request " + std::to_string(r->id) + ": bad answer " + res.body);
  }
  const int64_t accepted = j["accepted"].get<int64_t>();
  if (accepted != r->good) {
    return Status::Internal("request " + std::to_string(r->id) + ": server accepted " +
                            std::to_string(accepted) + " events, the request holds " +
                            std::to_string(r->good) + " valid ones" +
                            (res.replayed ? " (replayed answer)" : ""));
  }
  if (r->state == Request::State::kPending) stats_.pending -= 1;
  r->state = Request::State::kAcked;
  stats_.acked += 1;
  stats_.acked_events += r->good;
  // Keep a sample of bodies for duplicate probes; drop the rest to bound memory.
  if (r->id % 16 != 0) std::string().swap(r->body);
  return Status::OK();
}

Status Oracle::ProbeDuplicate(HttpTarget& http, std::mt19937_64& rng) {
  Request* r = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Only recent requests: the server remembers a bounded number of keys (EngineOptions::
    // idempotency_max_keys, 100000 by default) and may rightly treat an older key as new.
    const size_t recent = std::min<size_t>(requests_.size(), 20000);
    for (int tries = 0; tries < 8 && recent > 0; ++tries) {
      Request* c = requests_[requests_.size() - 1 - rng() % recent].get();
      if (c->state == Request::State::kAcked && !c->body.empty()) {
        r = c;
        break;
      }
    }
  }
  if (!r) return Status::OK();
  HttpTarget::Response res =
      http.Post(std::string("/v1/streams/") + kStreamName + "/events", r->body, r->key);
  if (!res.answered || res.status >= 500) return Status::OK();  // the server went away: nothing to learn
  std::lock_guard<std::mutex> lock(mu_);
  stats_.duplicate_probes += 1;
  if (!res.replayed) {
    // The server appended the request again: the oracle counts it twice so that the report stays exact.
    return Status::Internal("request " + std::to_string(r->id) + " re-sent with its Idempotency-Key " +
                            r->key + " was not answered as a replay (HTTP " + std::to_string(res.status) +
                            ": " + res.body + "): a client retry appended it twice");
  }
  stats_.replays += 1;
  json j = json::parse(res.body, nullptr, false);
  if (res.status != 200 || j.is_discarded() || !j.contains("accepted") ||
      j["accepted"].get<int64_t>() != r->good) {
    return Status::Internal("request " + std::to_string(r->id) + ": replay answered HTTP " +
                            std::to_string(res.status) + " " + res.body + ", the original accepted " +
                            std::to_string(r->good));
  }
  return Status::OK();
}

std::vector<Request*> Oracle::PendingRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Request*> out;
  for (auto& r : requests_) {
    if (r->state == Request::State::kPending || r->state == Request::State::kInFlight) out.push_back(r.get());
  }
  return out;
}

Status Oracle::RetryPending(HttpTarget& http) {
  for (Request* r : PendingRequests()) {
    for (int attempt = 0;; ++attempt) {
      TANDEM_RETURN_IF_ERROR(Send(http, r, /*idempotency=*/true));
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (r->state == Request::State::kAcked) break;
      }
      if (attempt >= 50) {
        return Status::IOError("request " + std::to_string(r->id) + " still unanswered after 50 retries");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return Status::OK();
}

int64_t Oracle::AckedEvents() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.acked_events;
}

int64_t Oracle::UpperBoundEvents() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& r : requests_) {
    if (r->state != Request::State::kDropped) n += r->good;
  }
  return n;
}

OracleStats Oracle::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

namespace {

Result<json> Rows(HttpTarget& http, const std::string& sql) {
  TANDEM_ASSIGN_OR_RETURN(std::string text, http.QueryRows(sql));
  return json::parse(text);
}

}  // namespace

Status Oracle::Verify(HttpTarget& http, bool resolve_maybes) {
  TANDEM_ASSIGN_OR_RETURN(
      json per_req, Rows(http, "SELECT req, count(*) AS n, sum(v) AS s FROM ev GROUP BY req ORDER BY req"));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<char> seen(requests_.size(), 0);
  for (const json& row : per_req) {
    const int64_t id = row.at(0).get<int64_t>();
    const int64_t n = row.at(1).get<int64_t>();
    const int64_t s = row.at(2).get<int64_t>();
    if (id < 0 || id >= static_cast<int64_t>(requests_.size())) {
      return Status::Internal("the stream holds " + std::to_string(n) + " events of request " +
                              std::to_string(id) + ", which this tool never sent");
    }
    Request& r = *requests_[id];
    seen[id] = 1;
    const bool whole = n == r.good && s == r.sum_v;
    switch (r.state) {
      case Request::State::kAcked:
        if (!whole) {
          return Status::Internal("acknowledged request " + std::to_string(id) + " (key " + r.key +
                                  ") holds " + std::to_string(n) + " events with sum(v) " +
                                  std::to_string(s) + "; expected " + std::to_string(r.good) + " and " +
                                  std::to_string(r.sum_v) + (n > r.good ? " (DUPLICATED)" : " (LOST)"));
        }
        break;
      case Request::State::kDropped:
        return Status::Internal("request " + std::to_string(id) +
                                " was absent after an earlier restart but now holds " + std::to_string(n) +
                                " events");
      case Request::State::kPending:
      case Request::State::kInFlight:
        if (!whole) {
          return Status::Internal("unacknowledged request " + std::to_string(id) + " holds " +
                                  std::to_string(n) + " events with sum(v) " + std::to_string(s) +
                                  "; it must hold all " + std::to_string(r.good) + " (sum " +
                                  std::to_string(r.sum_v) + ") or none");
        }
        if (resolve_maybes) {
          if (r.state == Request::State::kPending) stats_.pending -= 1;
          r.state = Request::State::kAcked;
          stats_.acked += 1;
          stats_.acked_events += r.good;
          stats_.resolved_present += 1;
          std::string().swap(r.body);
        }
        break;
    }
  }
  for (auto& rp : requests_) {
    Request& r = *rp;
    if (seen[r.id]) continue;
    if (r.state == Request::State::kAcked) {
      return Status::Internal("acknowledged request " + std::to_string(r.id) + " (key " + r.key + ", " +
                              std::to_string(r.good) + " events) is missing: LOST");
    }
    if (resolve_maybes && (r.state == Request::State::kPending || r.state == Request::State::kInFlight)) {
      if (r.state == Request::State::kPending) stats_.pending -= 1;
      r.state = Request::State::kDropped;
      stats_.dropped += 1;
      std::string().swap(r.body);
    }
  }
  // Per key and total, over every request now known to be present.
  std::map<int64_t, std::pair<int64_t, int64_t>> expect;
  int64_t total = 0;
  for (auto& rp : requests_) {
    if (!seen[rp->id]) continue;
    for (const auto& [k, cs] : rp->per_key) {
      expect[k].first += cs.first;
      expect[k].second += cs.second;
    }
    total += rp->good;
  }
  TANDEM_ASSIGN_OR_RETURN(json per_key,
                          Rows(http, "SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k ORDER BY k"));
  if (per_key.size() != expect.size()) {
    return Status::Internal("the stream has " + std::to_string(per_key.size()) + " keys, the oracle " +
                            std::to_string(expect.size()));
  }
  for (const json& row : per_key) {
    const int64_t k = row.at(0).get<int64_t>();
    auto it = expect.find(k);
    if (it == expect.end() || it->second.first != row.at(1).get<int64_t>() ||
        it->second.second != row.at(2).get<int64_t>()) {
      return Status::Internal(
          "key " + std::to_string(k) + ": stream says count " + row.at(1).dump() + ", sum " +
          row.at(2).dump() + "; the oracle expects " +
          (it == expect.end() ? std::string("no such key")
                              : std::to_string(it->second.first) + ", " + std::to_string(it->second.second)));
    }
  }
  TANDEM_ASSIGN_OR_RETURN(json count, Rows(http, "SELECT count(*) FROM ev"));
  if (count.at(0).at(0).get<int64_t>() != total) {
    return Status::Internal("SELECT count(*) FROM ev = " + count.at(0).at(0).dump() +
                            ", the oracle expects " + std::to_string(total));
  }
  for (const ViewCheck& v : Views()) {
    TANDEM_ASSIGN_OR_RETURN(std::string merged, http.QueryRows(v.select_view));
    TANDEM_ASSIGN_OR_RETURN(std::string recomputed, http.QueryRows(v.recompute_sql));
    if (merged != recomputed) {
      return Status::Internal("view " + v.name + " differs from its recompute from scratch:\n  view:      " +
                              merged.substr(0, 2000) + "\n  recompute: " + recomputed.substr(0, 2000));
    }
    // The view's counts must also match the oracle (the recompute could share a bug with the view).
    if (v.name == "byk") {
      json rows = json::parse(merged);
      if (rows.size() != expect.size()) {
        return Status::Internal("view byk has " + std::to_string(rows.size()) + " keys, the oracle " +
                                std::to_string(expect.size()));
      }
      for (const json& row : rows) {
        auto it = expect.find(row.at(0).get<int64_t>());
        if (it == expect.end() || it->second.first != row.at(1).get<int64_t>() ||
            it->second.second != row.at(2).get<int64_t>()) {
          return Status::Internal("view byk row " + row.dump() + " disagrees with the oracle");
        }
      }
    }
  }
  return Status::OK();
}

LoadRun::LoadRun(Oracle* oracle, LoadOptions options, uint64_t seed)
    : oracle_(oracle), options_(std::move(options)) {
  for (int t = 0; t < options_.threads; ++t) {
    Spawn([this, seed, t]() -> Status {
      std::mt19937_64 rng(seed + static_cast<uint64_t>(t));
      HttpTarget http(options_.host, options_.port, options_.read_timeout_s);
      while (!stopped()) {
        Request* r = oracle_->NewRequest(rng, options_.max_events);
        TANDEM_RETURN_IF_ERROR(oracle_->Send(http, r, options_.idempotency));
        if (options_.idempotency && rng() % 50 == 0)
          TANDEM_RETURN_IF_ERROR(oracle_->ProbeDuplicate(http, rng));
      }
      return Status::OK();
    });
  }
  Spawn([this, seed]() -> Status {
    std::mt19937_64 rng(seed + 1000);
    HttpTarget http(options_.host, options_.port, options_.read_timeout_s);
    const uint64_t span = static_cast<uint64_t>(std::max(1, options_.chaos_max_sleep_ms));
    while (!stopped()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % span));
      const uint64_t pick = rng() % 10;
      const char* path = pick < 4   ? "/v1/batch"
                         : pick < 7 ? "/v1/flush"
                         : pick < 9 ? "/v1/compact"
                                    : "/v1/batch?full=true";
      HttpTarget::Response r = http.Post(path, "");
      if (r.answered && r.status == 200) continue;
      if (options_.server_may_die && (!r.answered || stopped())) continue;
      return Status::Internal(
          std::string(path) + " failed: " +
          (r.answered ? "HTTP " + std::to_string(r.status) + " " + r.body : "no answer (" + r.error + ")"));
    }
    return Status::OK();
  });
}

LoadRun::~LoadRun() {
  RequestStop();
  (void)Join();
}

void LoadRun::Spawn(std::function<Status()> body) {
  threads_.emplace_back([this, body = std::move(body)] {
    Status st = body();
    if (!st.ok()) Record(st);
  });
}

void LoadRun::Record(const Status& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_error_.ok()) first_error_ = error;
  stop_.store(true);
}

Status LoadRun::Join() {
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  return first_error_;
}

Result<bool> DetectIdempotency(HttpTarget& http, Oracle& oracle, std::mt19937_64& rng) {
  Request* r = oracle.NewRequest(rng, 3);
  const std::string body = r->body;
  TANDEM_RETURN_IF_ERROR(oracle.Send(http, r, false));
  if (r->state != Request::State::kAcked) return Status::IOError("the idempotency probe got no answer");
  HttpTarget::Response again = http.Post(std::string("/v1/streams/") + kStreamName + "/events", body, r->key);
  if (!again.answered || again.status != 200) {
    return Status::IOError("the idempotency probe's second send failed: HTTP " +
                           std::to_string(again.status) + " " + again.error);
  }
  if (again.replayed) return true;
  // No idempotency: the probe is in the stream twice. Account for it so the oracle stays exact.
  r->good *= 2;
  r->sum_v *= 2;
  for (auto& [k, cs] : r->per_key) {
    cs.first *= 2;
    cs.second *= 2;
  }
  std::string().swap(r->body);
  return false;
}

Status CreateSchema(HttpTarget& http) {
  TANDEM_RETURN_IF_ERROR(http.QueryRows(kStreamSql).status());
  for (const ViewCheck& v : Views()) TANDEM_RETURN_IF_ERROR(http.QueryRows(v.create_sql).status());
  return Status::OK();
}

}  // namespace tandem::tools
