// The workload and the post-recovery check shared by engine_fault_test.cc (single-threaded, faults at every
// call) and engine_concurrent_fault_test.cc (concurrent load). Test-only: header-only, included by tests
// alone (it uses gtest assertions), never by the library.
//
// It provides:
//   - Kinds(): the injected fault kinds (failed write, short write, no space, failed fsync, failed directory
//     fsync, failed rename, create, remove);
//   - the stream `ev` (kCreateStream) and its views (Views(): each view's CREATE, its SELECT, and the same
//     query recomputed from scratch over the stream; column 1 of both is the event count of the group);
//   - Options(): engine options over kDataDir, without background work, small log segments by default;
//   - MakeRequest(id): the NDJSON body of request `id` (2..5 events, plus one bad line when id % 3 == 0);
//   - RowsText(): a query result as text, to compare two results;
//   - OpenWithStreamAndViews(): a fresh engine with the stream, the views, 9 requests and a batch cycle;
//   - CheckAfterRecovery(): the full check on a recovered engine (see there).
// Each test keeps its own oracle (the record of which requests were acknowledged and which failed); the
// functions here take the oracle's maps and an "ingest one more request" callback.
//
// Thread safety: the functions are stateless (the tables are immutable function-local statics) and safe to
// call from any thread; CheckAfterRecovery and OpenWithStreamAndViews read and write the maps and call the
// callback without locking, so nothing else may use the oracle while they run.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/fault_injection_file_system.h"
#include "common/status.h"
#include "engine/engine.h"

namespace tandem::engine::fault_workload {

constexpr const char* kDataDir = "/data";

struct FaultKind {
  const char* name;
  FaultInjectionFileSystem::Op op;
  FaultInjectionFileSystem::Effect effect;
};

inline const std::vector<FaultKind>& Kinds() {
  using Op = FaultInjectionFileSystem::Op;
  using Effect = FaultInjectionFileSystem::Effect;
  static const std::vector<FaultKind> kinds = {
      {"append-eio", Op::kAppend, Effect::kIOError}, {"short-write", Op::kAppend, Effect::kShortWrite},
      {"no-space", Op::kAppend, Effect::kNoSpace},   {"fsync", Op::kSync, Effect::kIOError},
      {"dir-fsync", Op::kSyncDir, Effect::kIOError}, {"rename", Op::kRename, Effect::kIOError},
      {"create", Op::kCreate, Effect::kIOError},     {"remove", Op::kRemove, Effect::kIOError},
  };
  return kinds;
}

constexpr const char* kCreateStream =
    "CREATE STREAM ev (ts TIMESTAMP NOT NULL, req BIGINT NOT NULL, k BIGINT NOT "
    "NULL, v BIGINT NOT NULL, x DOUBLE) WITH (event_time = 'ts')";

struct ViewDef {
  const char* create;
  const char* select_view;
  const char* recompute;
};

// Column 1 of both views is the event count of the group.
inline const std::vector<ViewDef>& Views() {
  static const std::vector<ViewDef> views = {
      {"CREATE VIEW byk AS SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, avg(x) AS ax "
       "FROM ev GROUP BY k",
       "SELECT * FROM byk ORDER BY k",
       "SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, avg(x) AS ax FROM ev GROUP BY k "
       "ORDER BY k"},
      {"CREATE VIEW byday AS SELECT date_trunc('day', ts) AS d, count(*) AS n, sum(x) AS sx, "
       "approx_count_distinct(req) AS reqs FROM ev GROUP BY date_trunc('day', ts)",
       "SELECT * FROM byday ORDER BY d",
       "SELECT date_trunc('day', ts) AS d, count(*) AS n, sum(x) AS sx, approx_count_distinct(req) AS reqs "
       "FROM ev "
       "GROUP BY date_trunc('day', ts) ORDER BY d"},
  };
  return views;
}

// Small segments make the log roll over and batch cycles truncate it.
constexpr int64_t kSmallSegments = 2048;
constexpr int64_t kLargeSegments = 64 << 20;

inline EngineOptions Options(int64_t segment_bytes = kSmallSegments) {
  EngineOptions o;
  o.data_dir = kDataDir;
  o.background = false;
  o.segment_bytes = segment_bytes;
  return o;
}

// Request `id` has `n` events (plus one bad line when id % 3 == 0, which must be rejected alone).
struct Request {
  int64_t id;
  int64_t n;
  std::string body;
};

inline Request MakeRequest(int64_t id) {
  Request r{id, 2 + id % 4, ""};
  for (int64_t i = 0; i < r.n; ++i) {
    const int64_t e = id * 10 + i;
    r.body += "{\"ts\":\"2024-05-0" + std::to_string(1 + e % 3) + "T10:00:0" + std::to_string(e % 10) +
              "Z\",\"req\":" + std::to_string(id) + ",\"k\":" + std::to_string(e % 5) +
              ",\"v\":" + std::to_string(e * 7 - 40) + ",\"x\":" + std::to_string(e) + ".25}\n";
    if (i == 0 && id % 3 == 0)
      r.body += "{\"ts\":\"2024-05-01T00:00:00Z\",\"req\":" + std::to_string(id) + "}\n";
  }
  return r;
}

inline std::string RowsText(const QueryResult& r) {
  std::string out;
  for (size_t i = 0; i < r.rows.num_rows(); ++i) {
    out += "[";
    for (size_t c = 0; c < r.rows.num_columns(); ++c) {
      if (c) out += ",";
      r.rows.column(c).AppendJson(i, &out);
    }
    out += "]\n";
  }
  return out;
}

// Ingests one new request into `e` through the test's oracle; returns whether it was acknowledged.
using IngestOne = std::function<bool(Engine*)>;

// Opens an engine over `fs` and sets it up: the stream ev, Views(), 6 requests, a batch cycle, 3 requests.
inline Result<std::unique_ptr<Engine>> OpenWithStreamAndViews(FileSystem* fs, const IngestOne& ingest_one,
                                                              int64_t segment_bytes = kSmallSegments) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<Engine> e, Engine::Open(fs, Options(segment_bytes)));
  TANDEM_RETURN_IF_ERROR(e->Execute(kCreateStream).status());
  for (const ViewDef& v : Views()) TANDEM_RETURN_IF_ERROR(e->Execute(v.create).status());
  for (int i = 0; i < 6; ++i) {
    if (!ingest_one(e.get())) return Status::Internal("set-up ingest failed");
  }
  TANDEM_RETURN_IF_ERROR(e->RunBatch(false).status());
  for (int i = 0; i < 3; ++i) {
    if (!ingest_one(e.get())) return Status::Internal("set-up ingest failed");
  }
  return e;
}

// The full check on a recovered engine, given the oracle's record: `acked` (req -> events, acknowledged)
// and `maybe` (req -> events, failed: all or nothing).
//   - every acknowledged request is in the stream exactly once (per request, by its `req` column); every
//     failed one entirely or not at all; no request that was never sent;
//   - SELECT count(*) equals the sum of those;
//   - SHOW STREAMS: the log of ev continues above every stored offset;
//   - every view of `views` equals its recompute from scratch after recovery, after a batch cycle, and after
//     ingest of one more request (through `ingest_one`, which must succeed) and a full recompute.
// Settles the maybes: afterwards `maybe` is empty and `acked` holds the failed requests that were present.
inline void CheckAfterRecovery(Engine* e, std::map<int64_t, int64_t>* acked,
                               std::map<int64_t, int64_t>* maybe, const IngestOne& ingest_one,
                               const std::vector<ViewDef>& views = Views()) {
  auto per_req = e->Execute("SELECT req, count(*) AS n FROM ev GROUP BY req ORDER BY req");
  ASSERT_TRUE(per_req.ok()) << per_req.status().ToString();
  std::map<int64_t, int64_t> found;
  for (size_t i = 0; i < per_req->rows.num_rows(); ++i) {
    found[per_req->rows.column(0).Value<int64_t>(i)] = per_req->rows.column(1).Value<int64_t>(i);
  }
  int64_t total = 0;
  for (const auto& [req, n] : *acked) {
    auto it = found.find(req);
    EXPECT_TRUE(it != found.end() && it->second == n)
        << "acknowledged request " << req << " of " << n << " events: found "
        << (it == found.end() ? 0 : it->second)
        << (it != found.end() && it->second > n ? " (DUPLICATED)" : " (LOST)");
    total += n;
  }
  for (const auto& [req, n] : found) {
    if (acked->count(req)) continue;
    auto it = maybe->find(req);
    if (it == maybe->end()) {
      ADD_FAILURE() << "request " << req << " was never sent but has " << n << " events";
      continue;
    }
    EXPECT_EQ(n, it->second) << "failed request " << req << " is there in part or twice";
    total += n;
  }
  // Settle the maybes: from now on they are known present or absent.
  for (const auto& [req, n] : *maybe) {
    if (found.count(req)) (*acked)[req] = n;
  }
  maybe->clear();
  auto count = e->Execute("SELECT count(*) FROM ev");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->rows.column(0).Value<int64_t>(0), total);
  // Offsets are dense and never reused: the log must continue above every stored event.
  auto streams = e->Execute("SHOW STREAMS");
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  int64_t log_end = -1;
  for (size_t i = 0; i < streams->rows.num_rows(); ++i) {
    if (streams->rows.column(0).GetString(i) == "ev") log_end = streams->rows.column(3).Value<int64_t>(i);
  }
  ASSERT_GE(log_end, 0) << "stream ev is missing after recovery";
  EXPECT_GE(log_end, total) << "after recovery the log ends at offset " << log_end << " but " << total
                            << " events are stored: the next ingest reuses offsets";
  auto check_views = [&](const char* when) {
    for (const ViewDef& v : views) {
      auto merged = e->Execute(v.select_view);
      auto recomputed = e->Execute(v.recompute);
      ASSERT_TRUE(merged.ok()) << when << ": " << merged.status().ToString();
      ASSERT_TRUE(recomputed.ok()) << when << ": " << recomputed.status().ToString();
      EXPECT_EQ(RowsText(*merged), RowsText(*recomputed)) << when << ": " << v.select_view;
    }
  };
  check_views("after recovery");
  auto b = e->RunBatch(false);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  check_views("after a batch cycle");
  ASSERT_TRUE(ingest_one(e)) << "the recovered engine refuses ingest";
  auto full = e->RunBatch(true);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  check_views("after ingest and a full recompute");
}

}  // namespace tandem::engine::fault_workload
