// Idempotent ingest: the envelope and key file formats, and Engine::Ingest with an Idempotency-Key —
// retries return the original result and append nothing (same process, across restarts, after the log
// dropped the record), a reused key with another body is refused, concurrent retries append once.
#include "engine/idempotency.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "testutil/test_util.h"

namespace tandem::engine {
namespace {

TEST(IdempotencyFormatTest, EnvelopeRoundTripsAndBarePayloadsPassThrough) {
  std::string payload;
  EncodeEnvelopeHeader({"req-42", 0x1122334455667788ull, 1700000000123}, &payload);
  payload += "TBC1rest";
  auto split = SplitPayload(payload);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  ASSERT_TRUE(split->first.has_value());
  EXPECT_EQ(split->first->key, "req-42");
  EXPECT_EQ(split->first->body_hash, 0x1122334455667788ull);
  EXPECT_EQ(split->first->time_ms, 1700000000123);
  EXPECT_EQ(split->second, "TBC1rest");

  auto bare = SplitPayload("TBC1abc");
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->first.has_value());
  EXPECT_EQ(bare->second, "TBC1abc");

  // Every truncation of an envelope header is Corruption, never a crash.
  const size_t header = payload.size() - 8;
  for (size_t n = 4; n < header; ++n) {
    auto cut = SplitPayload(std::string_view(payload).substr(0, n));
    EXPECT_EQ(cut.status().code(), StatusCode::kCorruption) << n;
  }
}

TEST(IdempotencyFormatTest, KeyValidationNamesTheProblem) {
  EXPECT_TRUE(ValidateIdempotencyKey("a-b_c.1:2").ok());
  EXPECT_NE(ValidateIdempotencyKey("").message().find("empty"), std::string::npos);
  EXPECT_NE(ValidateIdempotencyKey(std::string(256, 'k')).message().find("255"), std::string::npos);
  EXPECT_NE(ValidateIdempotencyKey("has space").message().find("byte 0x20 at position 3"), std::string::npos);
  EXPECT_NE(BodyHash("a"), BodyHash("b"));
  EXPECT_EQ(BodyHash("same"), BodyHash("same"));
}

TEST(IdempotencyFormatTest, IndexSerializesEvictsAndDetectsCorruption) {
  IdempotencyIndex index(/*retention_ms=*/1000, /*max_keys=*/3);
  index.Put("a", {1, 0, 5, 100}, 100);
  index.Put("b", {2, 5, 1, 200}, 200);
  index.Put("c", {3, 6, 2, 300}, 300);
  index.Put("d", {4, 8, 1, 400}, 400);  // over max_keys: "a" (the oldest) goes
  EXPECT_FALSE(index.Find("a", 400).has_value());
  ASSERT_TRUE(index.Find("b", 400).has_value());
  EXPECT_EQ(index.Find("b", 400)->first_offset, 5);
  EXPECT_FALSE(index.Find("b", 1201).has_value());  // expired by retention

  const std::string bytes = index.Serialize();
  IdempotencyIndex loaded(1000, 3);
  ASSERT_TRUE(loaded.Load(bytes, "keys", 400).ok());
  EXPECT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded.Find("d", 400)->body_hash, 4u);
  IdempotencyIndex later(1000, 3);
  ASSERT_TRUE(later.Load(bytes, "keys", 1250).ok());  // b (time 200) has expired; c and d stay
  EXPECT_EQ(later.size(), 2u);

  std::string damaged = bytes;
  damaged[12] ^= 1;
  IdempotencyIndex bad(1000, 3);
  Status st = bad.Load(damaged, "streams/s/idempotency.tik", 400);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("streams/s/idempotency.tik"), std::string::npos);
  EXPECT_EQ(bad.Load("short", "f", 0).code(), StatusCode::kCorruption);
}

class IdempotentIngestTest : public ::testing::Test {
 protected:
  void Open(size_t max_keys = 100000) {
    EngineOptions o;
    o.data_dir = dir_.Join("data");
    o.background = false;
    o.segment_bytes = 4 << 10;  // small segments: a batch cycle really drops old records
    o.idempotency_max_keys = max_keys;
    auto e = Engine::Open(LocalFileSystem(), o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
  }
  int64_t Count(const std::string& sql) {
    auto r = engine_->Execute(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->rows.column(0).Value<int64_t>(0) : -1;
  }
  void MakeStreamAndView() {
    Open();
    ASSERT_TRUE(engine_
                    ->Execute("CREATE STREAM s (ts TIMESTAMP NOT NULL, n BIGINT NOT NULL) "
                              "WITH (event_time = 'ts')")
                    .ok());
    ASSERT_TRUE(engine_->Execute("CREATE VIEW v AS SELECT count(*) AS c, sum(n) AS total FROM s").ok());
  }
  static std::string Body(int from, int n, bool with_bad_line = true) {
    std::string body;
    for (int i = from; i < from + n; ++i) {
      body += "{\"ts\": " + std::to_string(1714557600000 + i) + ", \"n\": " + std::to_string(i) + "}\n";
      if (with_bad_line && i == from) body += "{\"ts\": \"nope\", \"n\": 1}\n";
    }
    return body;
  }
  static void ExpectSameResult(const IngestResult& a, const IngestResult& b) {
    EXPECT_EQ(a.accepted, b.accepted);
    EXPECT_EQ(a.rejected, b.rejected);
    EXPECT_EQ(a.first_offset, b.first_offset);
    ASSERT_EQ(a.errors.size(), b.errors.size());
    for (size_t i = 0; i < a.errors.size(); ++i) {
      EXPECT_EQ(a.errors[i].line, b.errors[i].line);
      EXPECT_EQ(a.errors[i].column, b.errors[i].column);
      EXPECT_EQ(a.errors[i].reason, b.errors[i].reason);
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(IdempotentIngestTest, RetryReturnsTheOriginalResultAndAppendsNothing) {
  MakeStreamAndView();
  ASSERT_TRUE(engine_->Ingest("s", Body(0, 3)).ok());  // an unkeyed request first: offsets 0..2
  const std::string body = Body(100, 5);
  auto first = engine_->Ingest("s", body, "order-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->accepted, 5);
  EXPECT_EQ(first->rejected, 1);
  EXPECT_EQ(first->first_offset, 3);

  auto retry = engine_->Ingest("s", body, "order-1");
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->replayed);
  ExpectSameResult(*first, *retry);
  EXPECT_EQ(Count("SELECT count(*) FROM s"), 8);
  EXPECT_EQ(Count("SELECT c FROM v"), 8);

  // The same key with another body is refused and names the key; nothing is appended.
  auto other = engine_->Ingest("s", Body(200, 2), "order-1");
  ASSERT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(other.status().message().find("order-1"), std::string::npos);
  EXPECT_NE(other.status().message().find("different request body"), std::string::npos);
  // Keys are per stream and per key: another key appends.
  auto second = engine_->Ingest("s", Body(300, 2, false), "order-2");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->replayed);
  EXPECT_EQ(second->first_offset, 8);
  EXPECT_EQ(Count("SELECT count(*) FROM s"), 10);

  // A bad key is refused before anything happens.
  EXPECT_EQ(engine_->Ingest("s", body, "bad key").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(IdempotentIngestTest, RetryAfterRestartAndAfterTheLogDroppedTheRecord) {
  MakeStreamAndView();
  const std::string body = Body(0, 20);
  auto first = engine_->Ingest("s", body, "batch-A");
  ASSERT_TRUE(first.ok());
  // Restart: the key comes back from the log record that carries it.
  engine_.reset();
  Open();
  auto after_restart = engine_->Ingest("s", body, "batch-A");
  ASSERT_TRUE(after_restart.ok()) << after_restart.status().ToString();
  EXPECT_TRUE(after_restart->replayed);
  ExpectSameResult(*first, *after_restart);
  EXPECT_EQ(Count("SELECT c FROM v"), 20);

  // Push the record out of the log: more data, a batch cycle (the log is truncated below the horizon).
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine_->Ingest("s", Body(1000 + i * 50, 50, false)).ok());
  ASSERT_TRUE(engine_->RunBatch().ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine_->Ingest("s", Body(5000 + i * 50, 50, false)).ok());
  engine_.reset();
  Open();
  auto st = engine_->StatusJson();
  ASSERT_NE(st.find("\"log_first_offset\":"), std::string::npos);
  EXPECT_EQ(st.find("\"log_first_offset\":0,"), std::string::npos)
      << "the test needs the record truncated: " << st;
  auto after_truncation = engine_->Ingest("s", body, "batch-A");
  ASSERT_TRUE(after_truncation.ok()) << after_truncation.status().ToString();
  EXPECT_TRUE(after_truncation->replayed);
  ExpectSameResult(*first, *after_truncation);
  EXPECT_EQ(Count("SELECT count(*) FROM s"), 20 + 500 + 250);
  EXPECT_EQ(Count("SELECT c FROM v"), 20 + 500 + 250);
  // Still refuses another body after all that.
  EXPECT_EQ(engine_->Ingest("s", Body(7, 1), "batch-A").status().code(), StatusCode::kAlreadyExists);
}

TEST_F(IdempotentIngestTest, AllRejectedRequestLeavesNoRecordAndItsRetryParsesAgain) {
  MakeStreamAndView();
  const std::string bad = "{\"ts\": \"x\"}\nnot json\n";
  auto first = engine_->Ingest("s", bad, "k");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->accepted, 0);
  EXPECT_EQ(first->rejected, 2);
  auto retry = engine_->Ingest("s", bad, "k");
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->replayed);  // nothing durable to replay: the same answer, computed again
  ExpectSameResult(*first, *retry);
  // The key is still free: a corrected request may use it.
  auto fixed = engine_->Ingest("s", Body(0, 2, false), "k");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->accepted, 2);
  EXPECT_FALSE(fixed->replayed);
  EXPECT_EQ(Count("SELECT count(*) FROM s"), 2);
}

TEST_F(IdempotentIngestTest, ConcurrentRequestsWithTheSameKeyAppendOnce) {
  MakeStreamAndView();
  const std::string body = Body(0, 50);
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<IngestResult> results(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        auto r = engine_->Ingest("s", body, "same-key-" + std::to_string(round));
        if (!r.ok()) {
          failures.fetch_add(1);
          return;
        }
        if (round == 0) results[t] = *r;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  int originals = 0;
  for (const IngestResult& r : results) {
    originals += r.replayed ? 0 : 1;
    ExpectSameResult(results[0], r);
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s"), 5 * 50);  // five keys, each appended exactly once
  EXPECT_EQ(Count("SELECT c FROM v"), 5 * 50);
}

TEST_F(IdempotentIngestTest, KeysBeyondTheRetentionLimitAreForgotten) {
  Open(/*max_keys=*/2);
  ASSERT_TRUE(engine_
                  ->Execute("CREATE STREAM s (ts TIMESTAMP NOT NULL, n BIGINT NOT NULL) "
                            "WITH (event_time = 'ts')")
                  .ok());
  for (const char* key : {"a", "b", "c"}) ASSERT_TRUE(engine_->Ingest("s", Body(0, 1, false), key).ok());
  // "a" is the oldest of three keys with room for two: its retry is a new request (documented).
  auto a = engine_->Ingest("s", Body(0, 1, false), "a");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->replayed);
  auto c = engine_->Ingest("s", Body(0, 1, false), "c");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->replayed);
  EXPECT_EQ(Count("SELECT count(*) FROM s"), 4);
}

}  // namespace
}  // namespace tandem::engine
