// Client side of bench/run.sh: drives Tandem (HTTP), PostgreSQL (libpq) and Redis (RESP over a socket)
// with the same generated clickstream events and prints one JSON object per run on stdout.
//
//   peers_bench ingest --system tandem|pg|redis --port P --events N --first I --clients C --batch B
//       Durable ingest: C connections each send batches of B events until N are acknowledged.
//       tandem: POST NDJSON; 200 = fdatasync'ed + applied to the speed layer (group commit).
//       pg:     COPY clicks FROM STDIN, one transaction per batch, synchronous_commit on.
//       redis:  B pipelined XADDs per round trip (appendonly yes; appendfsync as the server is configured).
//   peers_bench fresh --system tandem|pg --port P --rate R --probes K --first I
//       Under a steady load of R events/s (batches of 1000), a probe inserts one event with a unique page and
//       then queries the aggregate until the event is counted: reports the ack-to-visible time.
//       pg: the aggregate table is kept by an AFTER INSERT trigger (clicks_fresh -> pages_agg).
//   peers_bench serve --system tandem|pg --port P --kind point|topn --clients C --seconds S --keys K
//       Queries over the 1M-key aggregate: point lookups by user_id (the user of a random event j < K, so
//       the key exists), or a top-N group-by over it.
//
// Event i (deterministic, shared by every system; about 150 bytes as NDJSON):
//   ts = 2024-05-01T00:00:00Z + 10 ms * i, user_id = (i * 7919) % 1'000'000 (so 1M events hit 1M keys),
//   country = kCountries[user_id % 8] (a function of the user), page, device, latency_ms, status, session.
#include <arpa/inet.h>
#include <httplib.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

const char* kPages[] = {"/", "/search", "/cart", "/checkout", "/account", "/product/17", "/product/3"};
const char* kCountries[] = {"US", "DE", "FR", "GB", "IN", "BR", "JP", "CA"};
const char* kDevices[] = {"mobile", "desktop", "tablet"};
constexpr int64_t kBaseMs = 1714521600000;  // 2024-05-01T00:00:00Z
constexpr int64_t kKeys = 1'000'000;

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

struct Event {
  int64_t ts_ms;
  int64_t user;
  const char* page;
  const char* country;
  const char* device;
  double latency;
  int status;
  uint64_t session;
};

Event MakeEvent(int64_t i) {
  const uint64_t h = Mix(static_cast<uint64_t>(i) + 0x9e3779b97f4a7c15ULL);
  Event e;
  e.ts_ms = kBaseMs + 10 * i;
  e.user = (i * 7919) % kKeys;
  e.page = kPages[h % 7];
  e.country = kCountries[e.user % 8];
  e.device = kDevices[(h >> 8) % 3];
  e.latency = static_cast<double>((h >> 16) % 5000) / 10.0;
  e.status = ((h >> 32) % 50) == 0 ? 500 : 200;
  e.session = Mix(h);
  return e;
}

void AppendNdjson(int64_t i, std::string& out) {
  const Event e = MakeEvent(i);
  char line[256];
  const int n = std::snprintf(
      line, sizeof line,
      "{\"ts\":%lld,\"user_id\":%lld,\"session\":\"s%016llx\",\"page\":\"%s\",\"country\":\"%s\","
      "\"device\":\"%s\",\"latency_ms\":%.1f,\"status\":%d}\n",
      static_cast<long long>(e.ts_ms), static_cast<long long>(e.user),
      static_cast<unsigned long long>(e.session), e.page, e.country, e.device, e.latency, e.status);
  out.append(line, n);
}

void AppendCopyText(int64_t i, std::string& out) {
  const Event e = MakeEvent(i);
  const time_t secs = e.ts_ms / 1000;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char line[256];
  const int n = std::snprintf(
      line, sizeof line, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00\t%lld\ts%016llx\t%s\t%s\t%s\t%.1f\t%d\n",
      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
      static_cast<int>(e.ts_ms % 1000), static_cast<long long>(e.user),
      static_cast<unsigned long long>(e.session), e.page, e.country, e.device, e.latency, e.status);
  out.append(line, n);
}

void AppendXadd(int64_t i, std::string& out) {
  std::string json;
  AppendNdjson(i, json);
  json.pop_back();  // no newline
  char head[128];
  const int n = std::snprintf(
      head, sizeof head, "*5\r\n$4\r\nXADD\r\n$6\r\nclicks\r\n$1\r\n*\r\n$1\r\ne\r\n$%zu\r\n", json.size());
  out.append(head, n);
  out += json;
  out += "\r\n";
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

std::string LatJson(const std::vector<double>& v) {
  char b[256];
  std::snprintf(b, sizeof b, "{\"n\":%zu,\"p50\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f}", v.size(),
                Pct(v, 0.5), Pct(v, 0.99), Pct(v, 0.999),
                v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  return b;
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "peers_bench: %s\n", msg.c_str());
  std::exit(1);
}

// ---- PostgreSQL
PGconn* PgConnect(int port) {
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " dbname=bench user=postgres";
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) Die(std::string("pg connect: ") + PQerrorMessage(c));
  return c;
}
void PgExec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
    Die("pg: " + sql + ": " + PQerrorMessage(c));
  PQclear(r);
}
void PgCopy(PGconn* c, const char* table, const std::string& data) {
  const std::string sql = std::string("COPY ") + table + " FROM STDIN";
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) Die(std::string("pg copy: ") + PQerrorMessage(c));
  PQclear(r);
  if (PQputCopyData(c, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(c, nullptr) != 1)
    Die(std::string("pg copy data: ") + PQerrorMessage(c));
  r = PQgetResult(c);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(std::string("pg copy end: ") + PQerrorMessage(c));
  PQclear(r);
  while ((r = PQgetResult(c)) != nullptr) PQclear(r);
}
// Runs a query and returns the first value of the first row ("" when no rows).
std::string PgValue(PGconn* c, const std::string& sql, int* rows = nullptr) {
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) Die("pg: " + sql + ": " + PQerrorMessage(c));
  std::string v = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  if (rows) *rows = PQntuples(r);
  PQclear(r);
  return v;
}

// ---- Redis
int RedisConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) Die("redis connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}
// Sends the pipelined commands and reads `n` replies (each a bulk string, or an error).
void RedisRoundTrip(int fd, const std::string& cmds, int n) {
  size_t off = 0;
  while (off < cmds.size()) {
    ssize_t w = write(fd, cmds.data() + off, cmds.size() - off);
    if (w <= 0) Die("redis write");
    off += static_cast<size_t>(w);
  }
  // Replies to XADD: "$<len>\r\n<id>\r\n" or "-ERR ...\r\n". Count complete replies.
  std::string buf;
  int got = 0;
  size_t pos = 0;
  char tmp[65536];
  while (got < n) {
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r <= 0) Die("redis read");
    buf.append(tmp, static_cast<size_t>(r));
    while (got < n) {
      size_t eol = buf.find("\r\n", pos);
      if (eol == std::string::npos) break;
      if (buf[pos] == '-') Die("redis error: " + buf.substr(pos, eol - pos));
      if (buf[pos] == '$') {
        const long len = std::atol(buf.c_str() + pos + 1);
        if (buf.size() < eol + 2 + static_cast<size_t>(len) + 2) break;
        pos = eol + 2 + static_cast<size_t>(len) + 2;
      } else {
        pos = eol + 2;
      }
      ++got;
    }
  }
}

struct Args {
  std::string mode, system = "tandem", kind = "point";
  int port = 0, clients = 4, batch = 1000, probes = 500, seconds = 10;
  int64_t events = 1'000'000, first = 0, keys = kKeys;
  double rate = 0;
};

// ---- scenarios
void Ingest(const Args& a) {
  std::atomic<int64_t> next_batch{0};
  std::atomic<int64_t> acked{0};
  const int64_t nbatches = (a.events + a.batch - 1) / a.batch;
  std::vector<double> lat_ms;
  std::mutex mu;
  const auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int c = 0; c < a.clients; ++c) {
    ts.emplace_back([&] {
      std::unique_ptr<httplib::Client> http;
      PGconn* pg = nullptr;
      int rfd = -1;
      if (a.system == "tandem") {
        http = std::make_unique<httplib::Client>("127.0.0.1", a.port);
        http->set_keep_alive(true);
        http->set_tcp_nodelay(true);
        http->set_read_timeout(120, 0);
      } else if (a.system == "pg") {
        pg = PgConnect(a.port);
      } else {
        rfd = RedisConnect(a.port);
      }
      std::vector<double> mine;
      std::string body;
      while (true) {
        const int64_t b = next_batch.fetch_add(1);
        if (b >= nbatches) break;
        const int64_t lo = a.first + b * a.batch, hi = std::min(a.first + a.events, lo + a.batch);
        body.clear();
        for (int64_t i = lo; i < hi; ++i) {
          if (a.system == "tandem")
            AppendNdjson(i, body);
          else if (a.system == "pg")
            AppendCopyText(i, body);
          else
            AppendXadd(i, body);
        }
        const auto s = Clock::now();
        if (a.system == "tandem") {
          auto res = http->Post("/v1/streams/clicks/events", body, "application/x-ndjson");
          if (!res || res->status != 200)
            Die("tandem ingest failed: " + (res ? res->body : std::string("no answer")));
        } else if (a.system == "pg") {
          PgCopy(pg, "clicks", body);
        } else {
          RedisRoundTrip(rfd, body, static_cast<int>(hi - lo));
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        acked += hi - lo;
      }
      if (pg) PQfinish(pg);
      if (rfd >= 0) close(rfd);
      std::lock_guard<std::mutex> l(mu);
      lat_ms.insert(lat_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : ts) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::string sample;
  AppendNdjson(a.first, sample);
  std::printf(
      "{\"scenario\":\"ingest\",\"system\":\"%s\",\"events\":%lld,\"seconds\":%.3f,\"events_per_second\":%."
      "0f,"
      "\"event_bytes\":%zu,\"clients\":%d,\"batch\":%d,\"request_ms\":%s}\n",
      a.system.c_str(), static_cast<long long>(acked.load()), secs, acked.load() / secs, sample.size() - 1,
      a.clients, a.batch, LatJson(lat_ms).c_str());
}

void Fresh(const Args& a) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> loaded{0};
  const int load_batch = 1000;
  std::thread loader([&] {
    std::unique_ptr<httplib::Client> http;
    PGconn* pg = nullptr;
    if (a.system == "tandem") {
      http = std::make_unique<httplib::Client>("127.0.0.1", a.port);
      http->set_keep_alive(true);
      http->set_tcp_nodelay(true);
    } else {
      pg = PgConnect(a.port);
    }
    const auto start = Clock::now();
    int64_t i = a.first;
    std::string body;
    while (!stop.load()) {
      body.clear();
      for (int k = 0; k < load_batch; ++k) {
        if (http)
          AppendNdjson(i + k, body);
        else
          AppendCopyText(i + k, body);
      }
      if (http) {
        auto res = http->Post("/v1/streams/clicks/events", body, "application/x-ndjson");
        if (!res || res->status != 200) Die("tandem load failed");
      } else {
        PgCopy(pg, "clicks_fresh", body);
      }
      i += load_batch;
      loaded += load_batch;
      std::this_thread::sleep_until(
          start + std::chrono::microseconds(static_cast<int64_t>(loaded.load() / a.rate * 1e6)));
    }
    if (pg) PQfinish(pg);
  });
  std::unique_ptr<httplib::Client> http;
  PGconn* pg = nullptr;
  if (a.system == "tandem") {
    http = std::make_unique<httplib::Client>("127.0.0.1", a.port);
    http->set_keep_alive(true);
    http->set_tcp_nodelay(true);
  } else {
    pg = PgConnect(a.port);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the load settle
  const auto t0 = Clock::now();
  const int64_t loaded0 = loaded.load();
  std::vector<double> ack_ms, vis_ms;
  int64_t polls = 0;
  for (int p = 0; p < a.probes; ++p) {
    char page[64];
    std::snprintf(page, sizeof page, "/probe/%lld/%d", static_cast<long long>(a.first), p);
    const auto s = Clock::now();
    std::string q;
    if (http) {
      const std::string body =
          std::string("{\"ts\":") + std::to_string(kBaseMs) + ",\"user_id\":1,\"page\":\"" + page + "\"}\n";
      auto res = http->Post("/v1/streams/clicks/events", body, "application/x-ndjson");
      if (!res || res->status != 200) Die("tandem probe failed");
      q = std::string("SELECT n FROM pages WHERE page = '") + page + "'";
    } else {
      PgExec(pg, std::string("INSERT INTO clicks_fresh (ts, user_id, page, latency_ms) VALUES (now(), 1, '") +
                     page + "', 1)");
      q = std::string("SELECT n FROM pages_agg WHERE page = '") + page + "'";
    }
    const auto ack = Clock::now();
    while (true) {
      ++polls;
      if (http) {
        auto r = http->Post("/v1/sql", q, "text/plain");
        if (r && r->status == 200 && r->body.find("[[1]]") != std::string::npos) break;
      } else {
        if (PgValue(pg, q) == "1") break;
      }
    }
    const auto seen = Clock::now();
    ack_ms.push_back(std::chrono::duration<double, std::milli>(ack - s).count());
    vis_ms.push_back(std::chrono::duration<double, std::milli>(seen - ack).count());
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double achieved = (loaded.load() - loaded0) / secs;
  stop = true;
  loader.join();
  if (pg) PQfinish(pg);
  std::printf(
      "{\"scenario\":\"freshness\",\"system\":\"%s\",\"target_rate\":%.0f,\"achieved_rate\":%.0f,\"probes\":%"
      "d,"
      "\"polls_per_probe\":%.2f,\"ingest_ack_ms\":%s,\"ack_to_visible_ms\":%s,\"insert_to_visible_ms\":%s}\n",
      a.system.c_str(), a.rate, achieved, a.probes, static_cast<double>(polls) / a.probes,
      LatJson(ack_ms).c_str(), LatJson(vis_ms).c_str(),
      [&] {
        std::vector<double> tot(ack_ms.size());
        for (size_t k = 0; k < tot.size(); ++k) tot[k] = ack_ms[k] + vis_ms[k];
        return LatJson(tot);
      }()
          .c_str());
}

void Serve(const Args& a) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0};
  std::vector<double> lat_ms;
  std::mutex mu;
  std::vector<std::thread> ts;
  std::atomic<int64_t> bad{0};
  for (int c = 0; c < a.clients; ++c) {
    ts.emplace_back([&, c] {
      std::unique_ptr<httplib::Client> http;
      PGconn* pg = nullptr;
      if (a.system == "tandem") {
        http = std::make_unique<httplib::Client>("127.0.0.1", a.port);
        http->set_keep_alive(true);
        http->set_tcp_nodelay(true);
        http->set_read_timeout(120, 0);
      } else {
        pg = PgConnect(a.port);
      }
      std::vector<double> mine;
      uint64_t k = Mix(static_cast<uint64_t>(c) + 77);
      while (!stop.load()) {
        k = Mix(k);
        std::string q;
        if (a.kind == "point") {
          // a key that exists: the user of event j < keys
          q = "SELECT n, total_ms FROM users WHERE user_id = " +
              std::to_string(static_cast<int64_t>(k % static_cast<uint64_t>(a.keys)) * 7919 % kKeys);
        } else {
          q = "SELECT country, sum(n) AS n FROM users GROUP BY country ORDER BY n DESC LIMIT 5";
        }
        const auto s = Clock::now();
        if (http) {
          auto r = http->Post("/v1/sql", q, "text/plain");
          if (!r || r->status != 200 || r->body.find("[[") == std::string::npos) bad++;
        } else {
          int rows = 0;
          PgValue(pg, q, &rows);
          if (rows == 0) bad++;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        done++;
      }
      if (pg) PQfinish(pg);
      std::lock_guard<std::mutex> l(mu);
      lat_ms.insert(lat_ms.end(), mine.begin(), mine.end());
    });
  }
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(a.seconds));
  stop = true;
  for (auto& t : ts) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf(
      "{\"scenario\":\"serving\",\"system\":\"%s\",\"kind\":\"%s\",\"clients\":%d,\"seconds\":%.2f,"
      "\"queries\":%lld,"
      "\"empty_or_failed\":%lld,\"qps\":%.1f,\"latency_ms\":%s}\n",
      a.system.c_str(), a.kind.c_str(), a.clients, secs, static_cast<long long>(done.load()),
      static_cast<long long>(bad.load()), done.load() / secs, LatJson(lat_ms).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    Die("usage: peers_bench ingest|fresh|serve|gen [options] (see the top of bench/peers_bench.cc)");
  Args a;
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--system")
      a.system = v;
    else if (k == "--kind")
      a.kind = v;
    else if (k == "--port")
      a.port = std::atoi(v.c_str());
    else if (k == "--clients")
      a.clients = std::atoi(v.c_str());
    else if (k == "--batch")
      a.batch = std::atoi(v.c_str());
    else if (k == "--probes")
      a.probes = std::atoi(v.c_str());
    else if (k == "--seconds")
      a.seconds = std::atoi(v.c_str());
    else if (k == "--events")
      a.events = std::atoll(v.c_str());
    else if (k == "--first")
      a.first = std::atoll(v.c_str());
    else if (k == "--keys")
      a.keys = std::atoll(v.c_str());
    else if (k == "--rate")
      a.rate = std::atof(v.c_str());
    else
      Die("unknown option " + k);
  }
  if (a.mode == "ingest")
    Ingest(a);
  else if (a.mode == "fresh")
    Fresh(a);
  else if (a.mode == "serve")
    Serve(a);
  else if (a.mode == "gen") {  // NDJSON of events [first, first+events) on stdout
    std::string out;
    for (int64_t i = a.first; i < a.first + a.events; ++i) {
      AppendNdjson(i, out);
      if (out.size() > (1 << 20)) {
        fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
    fwrite(out.data(), 1, out.size(), stdout);
  } else
    Die("unknown mode " + a.mode);
  return 0;
}
