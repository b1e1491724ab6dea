// parquet_bench: our Parquet writer and reader against DuckDB's, single thread, on the same clickstream.
//
//   parquet_bench [--rows N] [--dir SCRATCH] [--peers tests/peers] [--results bench/results] [--repeat R]
//
// 1. Generates N rows of a clickstream (event_time TIMESTAMP, user_id BIGINT, session_id VARCHAR, page
//    VARCHAR (300 URLs), country VARCHAR (50), device VARCHAR (4), latency_ms DOUBLE, status INTEGER,
//    bytes BIGINT, referrer VARCHAR ~30% NULL) deterministically, 64K rows at a time, and feeds every
//    batch to two writers: ours with ZSTD level 1 (timed: only the Write/Close calls, not the generation)
//    and an UNCOMPRESSED one (untimed) that is the neutral copy DuckDB loads.
// 2. DuckDB (threads=1) loads the neutral file into a table, then times COPY TO parquet ZSTD at its default
//    level and at level 1.
// 3. Read work, the same on both sides: decode all ten columns of every row and compute count(*), sum of
//    event_time (epoch us), user_id, status, bytes, latency_ms, the byte lengths of every string column and
//    count(referrer). Ours: ParquetReader::ReadRowGroup + a loop; DuckDB: one SELECT of those aggregates.
//    Each reader reads both files (ours and DuckDB's); the aggregates must agree (checked).
// Prints a table and writes <results>/<date>-parquet.json and .md with the machine description.
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "lake/parquet/parquet_reader.h"
#include "lake/parquet/parquet_writer.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "parquet_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Schema ClickSchema() {
  Schema s;
  s.fields = {
      {"event_time", DataType::Timestamp(TimeUnit::kMicros), false},
      {"user_id", DataType::Int64(), false},
      {"session_id", DataType::String(), false},
      {"page", DataType::String(), false},
      {"country", DataType::String(), false},
      {"device", DataType::String(), false},
      {"latency_ms", DataType::Double(), false},
      {"status", DataType::Int32(), false},
      {"bytes", DataType::Int64(), false},
      {"referrer", DataType::String(), true},
  };
  return s;
}

struct Dictionaries {
  std::vector<std::string> pages, countries, devices, referrers;
  Dictionaries() {
    const char* sections[] = {"products", "blog", "docs", "cart",  "account",
                              "search",   "help", "news", "deals", "about"};
    for (int i = 0; i < 300; ++i)
      pages.push_back(fmt::format("/{}/item-{}", sections[i % 10], i * 37 % 1000));
    const char* cc[] = {"US", "DE", "FR", "GB", "IN", "BR", "JP", "CN", "CA", "AU", "ES", "IT", "NL",
                        "SE", "PL", "MX", "KR", "RU", "TR", "AR", "ZA", "NG", "EG", "ID", "TH", "VN",
                        "PH", "MY", "SG", "NZ", "IE", "BE", "CH", "AT", "DK", "NO", "FI", "PT", "GR",
                        "CZ", "HU", "RO", "UA", "IL", "SA", "AE", "CL", "CO", "PE", "KE"};
    for (const char* c : cc) countries.push_back(c);
    devices = {"desktop", "mobile", "tablet", "bot"};
    for (int i = 0; i < 100; ++i)
      referrers.push_back(fmt::format("https://ref{}.example.com/path/{}", i % 40, i));
  }
};

// Rows [start, start+n) of the clickstream; adds the in-memory size of the values to *bytes.
RecordBatch Generate(const Dictionaries& d, uint64_t start, size_t n, uint64_t* bytes) {
  Schema schema = ClickSchema();
  std::vector<Column> cols;
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  for (auto& c : cols) c.Reserve(n, n * 16);
  const int64_t t0 = 1714521600000000;  // 2024-05-01T00:00:00Z
  for (uint64_t i = start; i < start + n; ++i) {
    uint64_t a = Mix(i), b = Mix(i ^ 0x5555), c = Mix(i + 0x1234567);
    int64_t user = static_cast<int64_t>((a % 1000) * (a % 1000) + (b % 1000));  // skewed towards small ids
    cols[0].Append<int64_t>(t0 + static_cast<int64_t>(i) * 8640 + static_cast<int64_t>(a % 5000));
    cols[1].Append<int64_t>(user);
    std::string session = fmt::format("s-{:x}-{:x}", user, (i / 20) % 100000);
    cols[2].AppendString(session);
    const std::string& page = d.pages[(a >> 20) % 300 * ((b >> 7) % 4 == 0 ? 1 : 0) + (b >> 33) % 60];
    cols[3].AppendString(page);
    const std::string& country = d.countries[(c >> 11) % 50 * ((c >> 3) % 2) + (c >> 40) % 5];
    cols[4].AppendString(country);
    const std::string& device = d.devices[(b >> 50) % 10 < 5   ? 1
                                          : (b >> 50) % 10 < 9 ? 0
                                                               : (b >> 50) % 2 + 2];
    cols[5].AppendString(device);
    double latency = std::round((5.0 + std::exp(static_cast<double>(c % 10000) / 1400.0)) * 1000.0) / 1000.0;
    cols[6].Append<double>(latency);
    uint64_t s = (a >> 40) % 100;
    cols[7].Append<int32_t>(s < 85 ? 200 : s < 90 ? 304 : s < 94 ? 301 : s < 99 ? 404 : 500);
    cols[8].Append<int64_t>(static_cast<int64_t>(500 + (b % 2000000)));
    if ((c >> 20) % 10 < 3) {
      cols[9].AppendNull();
    } else {
      const std::string& ref = d.referrers[(c >> 24) % 100];
      cols[9].AppendString(ref);
      *bytes += ref.size();
    }
    *bytes += 8 + 8 + session.size() + page.size() + country.size() + device.size() + 8 + 4 + 8;
  }
  return RecordBatch(schema, std::move(cols), n);
}

// The aggregates both readers compute (see the header comment).
struct Agg {
  int64_t rows = 0;
  __int128 sum_time = 0, sum_user = 0, sum_bytes = 0;
  int64_t sum_status = 0, len_session = 0, len_page = 0, len_country = 0, len_device = 0, n_ref = 0,
          len_ref = 0;
  double sum_latency = 0;
};

std::string I128(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

int64_t StringBytes(const Column& c) {
  int64_t total = 0;
  for (size_t i = 0; i < c.length(); ++i) {
    if (c.IsValid(i)) total += static_cast<int64_t>(c.GetString(i).size());
  }
  return total;
}

void Accumulate(const RecordBatch& b, Agg* a) {
  a->rows += static_cast<int64_t>(b.num_rows());
  const int64_t* t = b.column(0).Values<int64_t>();
  const int64_t* u = b.column(1).Values<int64_t>();
  const double* lat = b.column(6).Values<double>();
  const int32_t* st = b.column(7).Values<int32_t>();
  const int64_t* by = b.column(8).Values<int64_t>();
  for (size_t i = 0; i < b.num_rows(); ++i) {
    a->sum_time += t[i];
    a->sum_user += u[i];
    a->sum_latency += lat[i];
    a->sum_status += st[i];
    a->sum_bytes += by[i];
  }
  a->len_session += StringBytes(b.column(2));
  a->len_page += StringBytes(b.column(3));
  a->len_country += StringBytes(b.column(4));
  a->len_device += StringBytes(b.column(5));
  a->len_ref += StringBytes(b.column(9));
  a->n_ref += static_cast<int64_t>(b.column(9).length() - b.column(9).null_count());
}

constexpr const char* kAggSql =
    "SELECT count(*) AS n, sum(epoch_us(event_time)::HUGEINT) AS t, sum(user_id::HUGEINT) AS u, "
    "sum(strlen(session_id)) AS ls, sum(strlen(page)) AS lp, sum(strlen(country)) AS lc, "
    "sum(strlen(device)) AS ld, sum(latency_ms) AS lat, sum(status) AS st, sum(bytes::HUGEINT) AS b, "
    "count(referrer) AS nr, sum(strlen(referrer)) AS lr FROM read_parquet('{}')";

std::string JText(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

// Empty when DuckDB's aggregate row equals ours (latency by relative difference: summation order differs).
std::string CompareAgg(const Agg& a, const nlohmann::json& row) {
  std::string bad;
  auto eq = [&](const char* k, const std::string& ours) {
    if (JText(row[k]) != ours) bad += fmt::format("{}: ours {}, duckdb {}; ", k, ours, JText(row[k]));
  };
  eq("n", std::to_string(a.rows));
  eq("t", I128(a.sum_time));
  eq("u", I128(a.sum_user));
  eq("ls", std::to_string(a.len_session));
  eq("lp", std::to_string(a.len_page));
  eq("lc", std::to_string(a.len_country));
  eq("ld", std::to_string(a.len_device));
  eq("st", std::to_string(a.sum_status));
  eq("b", I128(a.sum_bytes));
  eq("nr", std::to_string(a.n_ref));
  eq("lr", std::to_string(a.len_ref));
  double lat = row["lat"].get<double>();
  if (std::fabs(lat - a.sum_latency) > 1e-9 * std::fabs(lat))
    bad += fmt::format("lat: {} vs {}", a.sum_latency, lat);
  return bad;
}

Agg ReadWithUs(const std::string& path, double* seconds) {
  auto t0 = Clock::now();
  auto reader = parquet::OpenParquetFile(LocalFileSystem(), path);
  if (!reader.ok()) Die(reader.status().ToString());
  std::vector<int> all;
  for (size_t i = 0; i < (*reader)->schema().fields.size(); ++i) all.push_back(static_cast<int>(i));
  Agg agg;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    auto batch = (*reader)->ReadRowGroup(g, all);
    if (!batch.ok()) Die(batch.status().ToString());
    Accumulate(*batch, &agg);
  }
  *seconds = Seconds(t0, Clock::now());
  return agg;
}

std::string Run(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) Die("cannot run " + cmd);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0) Die("command failed: " + cmd);
  return out;
}

std::string FirstLineOf(const char* path, const char* key) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      std::string v = colon == std::string::npos ? line : line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(v.begin());
      return v;
    }
  }
  return "unknown";
}

std::string Sql(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace
}  // namespace tandem

int main(int argc, char** argv) {
  using namespace tandem;
  uint64_t rows = 10'000'000;
  std::string dir = "/tmp/tandem-parquet-bench", peers = "tests/peers", results = "bench/results";
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--rows")
      rows = std::stoull(next());
    else if (a == "--dir")
      dir = next();
    else if (a == "--peers")
      peers = next();
    else if (a == "--results")
      results = next();
    else if (a == "--repeat")
      repeat = std::stoi(next());
    else
      Die("unknown argument " + a + " (see the header of bench/parquet_bench.cc)");
  }
  FileSystem* fs = LocalFileSystem();
  Check(fs->CreateDirs(dir), "scratch dir");
  Check(fs->CreateDirs(results), "results dir");
  const std::string ours = dir + "/ours_zstd.parquet", neutral = dir + "/neutral.parquet",
                    duck = dir + "/duckdb_zstd.parquet", duck1 = dir + "/duckdb_zstd1.parquet";

  // 1. Generate and write.
  std::fprintf(stderr, "generating and writing %llu rows...\n", static_cast<unsigned long long>(rows));
  Dictionaries dicts;
  parquet::WriterOptions zstd;
  zstd.compression = parquet::Compression::kZstd;
  zstd.compression_level = 1;
  parquet::WriterOptions plain;
  plain.compression = parquet::Compression::kUncompressed;
  plain.sync_on_close = false;
  zstd.sync_on_close = false;
  auto f1 = fs->NewWritableFile(ours);
  auto f2 = fs->NewWritableFile(neutral);
  if (!f1.ok() || !f2.ok()) Die("cannot create output files in " + dir);
  auto w1 = parquet::ParquetWriter::Open(std::move(*f1), ClickSchema(), zstd);
  auto w2 = parquet::ParquetWriter::Open(std::move(*f2), ClickSchema(), plain);
  if (!w1.ok() || !w2.ok()) Die("cannot open writers");
  double write_s = 0;
  uint64_t data_bytes = 0;
  constexpr size_t kBatch = 64 * 1024;
  for (uint64_t start = 0; start < rows; start += kBatch) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kBatch, rows - start));
    RecordBatch batch = Generate(dicts, start, n, &data_bytes);
    auto t0 = Clock::now();
    Check((*w1)->Write(batch), "write");
    write_s += Seconds(t0, Clock::now());
    Check((*w2)->Write(batch), "write neutral");
  }
  auto t0 = Clock::now();
  Check((*w1)->Close(), "close");
  write_s += Seconds(t0, Clock::now());
  Check((*w2)->Close(), "close neutral");

  // 2 + 3. Our reader on our file.
  double read_ours_s = 0;
  Agg agg_ours = ReadWithUs(ours, &read_ours_s);

  // DuckDB: load, write (default zstd level and level 1), read both files.
  std::fprintf(stderr, "running DuckDB...\n");
  nlohmann::json spec;
  spec["repeat"] = repeat;
  spec["setup"] = {"SET threads = 1", "CREATE TABLE t AS SELECT * FROM read_parquet(" + Sql(neutral) + ")"};
  spec["timed"] = nlohmann::json::array();
  spec["timed"].push_back({{"name", "duckdb_write_zstd"},
                           {"sql", "COPY t TO " + Sql(duck) + " (FORMAT parquet, COMPRESSION zstd)"}});
  spec["timed"].push_back(
      {{"name", "duckdb_write_zstd_level1"},
       {"sql", "COPY t TO " + Sql(duck1) + " (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)"}});
  spec["timed"].push_back({{"name", "duckdb_read_duckdb_file"}, {"sql", fmt::format(kAggSql, duck)}});
  spec["timed"].push_back({{"name", "duckdb_read_our_file"}, {"sql", fmt::format(kAggSql, ours)}});
  const std::string spec_path = dir + "/duckdb_spec.json";
  Check(fs->WriteFileAtomically(spec_path, spec.dump()), "spec");
  nlohmann::json duck_out = nlohmann::json::parse(Run("node " + peers + "/duckdb_bench.mjs < " + spec_path));
  auto best = [&](const char* name) {
    for (const auto& r : duck_out["results"]) {
      if (r["name"] == name) {
        double b = 1e300;
        for (double s : r["seconds"]) b = std::min(b, s);
        return std::make_pair(b, r["rows"][0]);
      }
    }
    Die(std::string("no DuckDB result ") + name);
  };
  auto [duck_write_s, unused1] = best("duckdb_write_zstd");
  auto [duck_write1_s, unused2] = best("duckdb_write_zstd_level1");
  auto [duck_read_duck_s, duck_agg_duck] = best("duckdb_read_duckdb_file");
  auto [duck_read_ours_s, duck_agg_ours] = best("duckdb_read_our_file");
  double read_duckfile_s = 0;
  Agg agg_duckfile = ReadWithUs(duck, &read_duckfile_s);

  // Every reader must have seen the same data.
  std::string mismatch = CompareAgg(agg_ours, duck_agg_ours) + CompareAgg(agg_duckfile, duck_agg_duck) +
                         CompareAgg(agg_ours, duck_agg_duck);
  if (!mismatch.empty()) Die("aggregates differ: " + mismatch);

  auto size = [&](const std::string& p) {
    auto s = fs->FileSize(p);
    return s.ok() ? *s : 0;
  };
  const double mb = static_cast<double>(data_bytes) / 1e6;
  struct Line {
    std::string what;
    double seconds;
  };
  std::vector<Line> lines = {
      {"write: Tandem (zstd level 1)", write_s},
      {"write: DuckDB (zstd, default level)", duck_write_s},
      {"write: DuckDB (zstd level 1)", duck_write1_s},
      {"read:  Tandem reads Tandem file", read_ours_s},
      {"read:  Tandem reads DuckDB file", read_duckfile_s},
      {"read:  DuckDB reads DuckDB file", duck_read_duck_s},
      {"read:  DuckDB reads Tandem file", duck_read_ours_s},
  };

  // Machine.
  long nproc = sysconf(_SC_NPROCESSORS_ONLN);
  std::string cpu = FirstLineOf("/proc/cpuinfo", "model name");
  std::string mem = FirstLineOf("/proc/meminfo", "MemTotal");
  char date[32];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d", std::gmtime(&now));
  std::string duck_version = duck_out["version"].get<std::string>();

  std::string table =
      fmt::format("| {:<38} | {:>9} | {:>12} | {:>9} |\n", "step", "seconds", "rows/s", "MB/s");
  table += fmt::format("|{:-<40}|{:->11}|{:->14}|{:->11}|\n", "", "", "", "");
  for (const Line& l : lines) {
    table += fmt::format("| {:<38} | {:>9.3f} | {:>12.0f} | {:>9.1f} |\n", l.what, l.seconds,
                         static_cast<double>(rows) / l.seconds, mb / l.seconds);
  }
  std::string sizes = fmt::format(
      "| file | bytes |\n|---|---|\n| Tandem zstd level 1 | {} |\n| DuckDB zstd default | {} |\n"
      "| DuckDB zstd level 1 | {} |\n| uncompressed (neutral copy, ours) | {} |\n",
      size(ours), size(duck), size(duck1), size(neutral));
  std::string ratios = fmt::format(
      "- write time, Tandem / DuckDB (zstd default): {:.2f}; / DuckDB (zstd level 1): {:.2f}\n"
      "- read time of the same work, Tandem / DuckDB, each on its own file: {:.2f}; both on the Tandem file: "
      "{:.2f}; "
      "both on the DuckDB file: {:.2f}\n"
      "- file size, Tandem / DuckDB (zstd default): {:.2f}; / DuckDB (zstd level 1): {:.2f}\n",
      write_s / duck_write_s, write_s / duck_write1_s, read_ours_s / duck_read_duck_s,
      read_ours_s / duck_read_ours_s, read_duckfile_s / duck_read_duck_s,
      static_cast<double>(size(ours)) / static_cast<double>(size(duck)),
      static_cast<double>(size(ours)) / static_cast<double>(size(duck1)));
  std::string machine = fmt::format("{} CPUs online ({}), {}, {}", nproc, cpu, mem, duck_version);

  std::printf("%s\n%s\n%s", table.c_str(), sizes.c_str(), ratios.c_str());

  std::string md = fmt::format(
      "# Parquet benchmark, {}\n\n"
      "Machine: {} online CPUs, CPU `{}`, memory {}. DuckDB {} (via @duckdb/node-api), `SET threads = 1`.\n"
      "Everything single-threaded. {} rows of clickstream ({:.1f} MB of values in memory: fixed-width bytes "
      "plus "
      "string bytes); MB/s below is that figure over the time.\n\n"
      "Write: Tandem's writer timed over its Write/Close calls only (generation excluded); DuckDB timed over "
      "`COPY t TO ... (FORMAT parquet, COMPRESSION zstd)` from an in-memory table loaded from an "
      "uncompressed "
      "copy.\n"
      "Read: the same work on both sides: decode all ten columns of every row and compute count, sums of "
      "event_time/user_id/status/bytes/latency_ms, byte lengths of every string column and count(referrer); "
      "the answers are checked equal.\n\n{}\n{}\n{}",
      date, nproc, cpu, mem, duck_version, rows, mb, table, sizes, ratios);
  nlohmann::json j;
  j["date"] = date;
  j["rows"] = rows;
  j["data_bytes"] = data_bytes;
  j["machine"] = {{"nproc", nproc}, {"cpu", cpu}, {"memory", mem}, {"duckdb", duck_version}};
  for (const Line& l : lines) {
    j["steps"].push_back({{"step", l.what},
                          {"seconds", l.seconds},
                          {"rows_per_second", static_cast<double>(rows) / l.seconds},
                          {"mb_per_second", mb / l.seconds}});
  }
  j["file_bytes"] = {{"tandem_zstd1", size(ours)},
                     {"duckdb_zstd_default", size(duck)},
                     {"duckdb_zstd1", size(duck1)},
                     {"uncompressed", size(neutral)}};
  j["ratios"] = {
      {"write_tandem_over_duckdb_default", write_s / duck_write_s},
      {"write_tandem_over_duckdb_level1", write_s / duck_write1_s},
      {"read_own_files_tandem_over_duckdb", read_ours_s / duck_read_duck_s},
      {"read_tandem_file_tandem_over_duckdb", read_ours_s / duck_read_ours_s},
      {"read_duckdb_file_tandem_over_duckdb", read_duckfile_s / duck_read_duck_s},
      {"size_tandem_over_duckdb_default", static_cast<double>(size(ours)) / static_cast<double>(size(duck))}};
  const std::string base = results + "/" + date + "-parquet";
  Check(fs->WriteFileAtomically(base + ".md", md), "write results");
  Check(fs->WriteFileAtomically(base + ".json", j.dump(2) + "\n"), "write results");
  std::fprintf(stderr, "wrote %s.md and %s.json\n", base.c_str(), base.c_str());
  for (const std::string& p : {ours, neutral, duck, duck1, spec_path}) (void)fs->RemoveFile(p);
  return 0;
}
