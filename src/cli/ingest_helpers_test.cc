// Unit tests of the pieces behind `tandem ingest`: the chunker, the idempotency keys, the retry policy,
// the progress file and the progress display. The end-to-end runs are in ingest_cli_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cli/ingest_chunker.h"
#include "cli/ingest_keys.h"
#include "cli/ingest_progress_file.h"
#include "cli/progress.h"
#include "cli/retry_policy.h"
#include "common/memory_file_system.h"

namespace tandem::cli {
namespace {

// A read function over `data` that hands out at most `block` bytes per call.
IngestChunker::ReadFn Reader(const std::string& data, size_t block, size_t start = 0) {
  auto pos = std::make_shared<size_t>(start);
  return [data, block, pos](char* buf, size_t n) -> Result<size_t> {
    const size_t take = std::min({n, block, data.size() - *pos});
    data.copy(buf, take, *pos);
    *pos += take;
    return take;
  };
}

std::vector<IngestChunk> Chunks(IngestChunker* chunker) {
  std::vector<IngestChunk> out;
  IngestChunk c;
  for (;;) {
    Result<bool> more = chunker->Next(&c);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(c);
  }
  return out;
}

TEST(IngestChunkerTest, CutsAtLineEndsWithinTheLimit) {
  const std::string data = "aaaa\nbb\ncccccc\nd\n\neeee";  // 6 lines, a blank one, no final '\n'
  IngestChunker chunker(Reader(data, 3), 8);
  std::vector<IngestChunk> chunks = Chunks(&chunker);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].body, "aaaa\nbb\n");
  EXPECT_EQ(chunks[1].body, "cccccc\n");
  EXPECT_EQ(chunks[2].body, "d\n\neeee");  // the rest fits
  std::string joined;
  int64_t lines = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(chunks[i].offset, joined.size());
    EXPECT_EQ(chunks[i].first_line, lines);
    EXPECT_LE(chunks[i].body.size(), 8u);
    joined += chunks[i].body;
    lines += chunks[i].lines;
  }
  EXPECT_EQ(joined, data);
  EXPECT_EQ(lines, 6);
  EXPECT_EQ(chunker.offset(), data.size());
}

TEST(IngestChunkerTest, ALineLongerThanTheLimitGoesAlone) {
  const std::string longline(5000, 'x');
  const std::string data = "a\n" + longline + "\nb\n" + longline;
  IngestChunker chunker(Reader(data, 1000), 100);
  std::vector<IngestChunk> chunks = Chunks(&chunker);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].body, "a\n");
  EXPECT_EQ(chunks[1].body, longline + "\n");
  EXPECT_EQ(chunks[1].first_line, 1);
  EXPECT_EQ(chunks[2].body, "b\n");
  EXPECT_EQ(chunks[3].body, longline);
  EXPECT_EQ(chunks[3].first_line, 3);
  EXPECT_EQ(chunks[3].lines, 1);
}

TEST(IngestChunkerTest, CutsDependOnlyOnTheBytesAndTheLimit) {
  std::mt19937 rng(7);
  std::string data;
  for (int i = 0; i < 3000; ++i) data += std::string(rng() % 90, 'x') + (rng() % 5 ? "\n" : "\r\n");
  IngestChunker small_reads(Reader(data, 17), 1000);
  IngestChunker big_reads(Reader(data, 1 << 20), 1000);
  std::vector<IngestChunk> a = Chunks(&small_reads), b = Chunks(&big_reads);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].body, b[i].body) << "chunk " << i;
    ASSERT_FALSE(a[i].body.empty());
    EXPECT_EQ(a[i].body.back(), '\n');
  }
  // Resuming at a chunk's start gives the same chunks from there on.
  const IngestChunk& mid = a[a.size() / 2];
  IngestChunker resumed(Reader(data, 4096, mid.offset), 1000, mid.offset, mid.first_line, mid.index);
  std::vector<IngestChunk> c = Chunks(&resumed);
  ASSERT_EQ(c.size(), a.size() - a.size() / 2);
  for (size_t i = 0; i < c.size(); ++i) {
    const IngestChunk& want = a[a.size() / 2 + i];
    EXPECT_EQ(c[i].body, want.body);
    EXPECT_EQ(c[i].index, want.index);
    EXPECT_EQ(c[i].offset, want.offset);
    EXPECT_EQ(c[i].first_line, want.first_line);
  }
}

TEST(IngestChunkerTest, EmptyInputHasNoChunksAndReadErrorsPassThrough) {
  IngestChunker empty(Reader("", 10), 100);
  EXPECT_TRUE(Chunks(&empty).empty());
  IngestChunker failing([](char*, size_t) -> Result<size_t> { return Status::IOError("disk on fire"); }, 100);
  IngestChunk c;
  Result<bool> r = failing.Next(&c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "disk on fire");
}

TEST(IngestKeysTest, FileIdentityIsContentAndSize) {
  MemoryFileSystem fs;
  ASSERT_TRUE(fs.WriteFileAtomically("/a", "{\"x\":1}\n{\"x\":2}\n").ok());
  ASSERT_TRUE(fs.WriteFileAtomically("/copy", "{\"x\":1}\n{\"x\":2}\n").ok());
  ASSERT_TRUE(fs.WriteFileAtomically("/other", "{\"x\":1}\n{\"x\":3}\n").ok());
  auto keys = [&](const std::string& path) {
    auto f = fs.NewRandomAccessFile(path);
    EXPECT_TRUE(f.ok());
    Result<IngestKeys> k = IngestKeys::ForFile(**f);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return *k;
  };
  EXPECT_EQ(keys("/a").prefix(), keys("/copy").prefix());
  EXPECT_NE(keys("/a").prefix(), keys("/other").prefix());
  const IngestKeys k = keys("/a");
  EXPECT_EQ(k.KeyFor(3, "body"), k.KeyFor(3, "body"));
  EXPECT_NE(k.KeyFor(3, "body"), k.KeyFor(4, "body"));
  EXPECT_NE(k.KeyFor(3, "body"), k.KeyFor(3, "bodz"));
  EXPECT_EQ(k.KeyFor(3, "body").rfind("tandem-ingest:" + k.prefix() + ":3:", 0), 0u) << k.KeyFor(3, "body");
  // Keys must be what the server accepts: printable ASCII without spaces, at most 255 bytes.
  Result<IngestKeys> longest = IngestKeys::ForPrefix(std::string(200, 'p'));
  ASSERT_TRUE(longest.ok());
  EXPECT_LE(longest->KeyFor(INT64_MAX, "b").size(), 255u);
}

TEST(IngestKeysTest, KnownFnvValuesAndRunIdsDiffer) {
  EXPECT_EQ(IngestKeys::Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(IngestKeys::Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(IngestKeys::Fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_NE(IngestKeys::ForRun().prefix(), IngestKeys::ForRun().prefix());
}

TEST(IngestKeysTest, PrefixValidationNamesTheProblem) {
  EXPECT_TRUE(IngestKeys::ForPrefix("nightly-2024-05-01").ok());
  Result<IngestKeys> space = IngestKeys::ForPrefix("a b");
  ASSERT_FALSE(space.ok());
  EXPECT_NE(space.status().message().find("character 2 (byte 0x20)"), std::string::npos)
      << space.status().message();
  EXPECT_FALSE(IngestKeys::ForPrefix("").ok());
  EXPECT_FALSE(IngestKeys::ForPrefix("a:b").ok());
  EXPECT_FALSE(IngestKeys::ForPrefix(std::string(201, 'p')).ok());
}

TEST(RetryPolicyTest, ExponentialBackoffWithJitterIsBounded) {
  RetryPolicy p({.retries = 10, .base_delay_ms = 250, .max_delay_ms = 10000, .seed = 42});
  const std::vector<int64_t> caps = {250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000};
  int64_t total = 0;
  for (int r = 1; r <= 10; ++r) {
    EXPECT_EQ(p.MaxDelayMs(r), caps[r - 1]) << "retry " << r;
    for (int i = 0; i < 50; ++i) {
      const int64_t d = p.DelayMs(r);
      EXPECT_GE(d, caps[r - 1] / 2);
      EXPECT_LE(d, caps[r - 1]);
    }
    total += caps[r - 1];
  }
  EXPECT_EQ(p.MaxTotalWaitMs(), total);
  EXPECT_EQ(p.MaxTotalWaitMs(), 55750);
  EXPECT_EQ(RetryPolicy({.retries = 0}).MaxTotalWaitMs(), 0);
}

TEST(RetryPolicyTest, RetriesOnlyWhatMaySucceedLater) {
  for (int s : {408, 429, 502, 503, 504, 507}) EXPECT_TRUE(RetryPolicy::IsRetriableHttpStatus(s)) << s;
  for (int s : {200, 400, 401, 403, 404, 409, 413, 422, 500})
    EXPECT_FALSE(RetryPolicy::IsRetriableHttpStatus(s)) << s;
}

TEST(IngestProgressFileTest, SavesAndLoadsAndRejectsGarbage) {
  MemoryFileSystem fs;
  IngestProgressFile pf(&fs, "/in.ndjson.tandem-progress");
  Result<std::optional<IngestCheckpoint>> none = pf.Load();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  IngestCheckpoint c;
  c.stream = "clicks";
  c.key_prefix = "f0123-10";
  c.file_size = 1000;
  c.request_bytes = 256;
  c.chunks = 3;
  c.offset = 750;
  c.lines = 30;
  c.accepted = 29;
  c.rejected = 1;
  c.replayed_chunks = 2;
  ASSERT_TRUE(pf.Save(c).ok());
  Result<std::optional<IngestCheckpoint>> back = pf.Load();
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_TRUE(back->has_value());
  const IngestCheckpoint& b = **back;
  EXPECT_EQ(b.stream, "clicks");
  EXPECT_EQ(b.key_prefix, "f0123-10");
  EXPECT_EQ(b.file_size, 1000u);
  EXPECT_EQ(b.request_bytes, 256u);
  EXPECT_EQ(b.chunks, 3);
  EXPECT_EQ(b.offset, 750u);
  EXPECT_EQ(b.lines, 30);
  EXPECT_EQ(b.accepted, 29);
  EXPECT_EQ(b.rejected, 1);
  EXPECT_EQ(b.replayed_chunks, 2);
  EXPECT_EQ(*fs.ListDir("/"), std::vector<std::string>{"in.ndjson.tandem-progress"});  // no temp file left

  ASSERT_TRUE(
      fs.WriteFileAtomically(pf.path(), "{\"format\": \"tandem-ingest-progress/1\", \"stream\": 3}").ok());
  Result<std::optional<IngestCheckpoint>> bad = pf.Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("progress file /in.ndjson.tandem-progress has a missing or mistyped"),
            std::string::npos)
      << bad.status().message();
  ASSERT_TRUE(fs.WriteFileAtomically(pf.path(), "not json").ok());
  EXPECT_FALSE(pf.Load().ok());
  ASSERT_TRUE(pf.Remove().ok());
  ASSERT_TRUE(pf.Remove().ok());  // already gone is fine
  EXPECT_FALSE(pf.Load()->has_value());
}

// A Progress writing into a string, on a clock the test moves.
struct ProgressFixture {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  int64_t now = 1000;
  ~ProgressFixture() {
    std::fclose(out);
    std::free(buf);
  }
  Progress::Options Options(bool terminal) {
    Progress::Options o;
    o.label = "ingest clicks";
    o.unit = "events";
    o.total_bytes = 1000;
    o.terminal = terminal;
    o.width = 200;
    o.plain_interval_ms = 5000;
    o.now_ms = [this] { return now; };
    return o;
  }
  std::string Text() {
    std::fflush(out);
    return std::string(buf, len);
  }
};

Progress::Counters At(uint64_t bytes, int64_t count, int64_t rejected = 0) {
  Progress::Counters c;
  c.bytes = bytes;
  c.count = count;
  c.rejected = rejected;
  return c;
}

TEST(ProgressTest, TextShowsPercentRateRejectedAndEta) {
  ProgressFixture fx;
  Progress p(fx.out, fx.Options(false));
  EXPECT_EQ(p.Text(At(250, 5000, 3), 2000),
            "ingest clicks: 25% of 1000 B, 5000 events, 2500 events/s, 3 rejected, 2 s elapsed, ETA 6 s");
  Progress::Options waiting = fx.Options(false);
  waiting.label = "batch cycle";
  waiting.unit = "";
  waiting.total_bytes = 0;
  Progress b(fx.out, waiting);
  Progress::Counters c;
  c.note = "waiting for the server";
  EXPECT_EQ(b.Text(c, 125000), "batch cycle: 2 min 05 s elapsed, waiting for the server");
}

TEST(ProgressTest, TerminalRedrawsOneLineAtMostTenTimesASecond) {
  ProgressFixture fx;
  Progress p(fx.out, fx.Options(true));
  for (int i = 0; i < 100; ++i) {  // 100 updates over one second of the test's clock
    p.Update(At(i * 10, i));
    fx.now += 10;
  }
  EXPECT_GE(p.renders(), 9);
  EXPECT_LE(p.renders(), 11);
  const std::string text = fx.Text();
  EXPECT_EQ(text.find('\n'), std::string::npos) << "a terminal bar stays on one line";
  EXPECT_EQ(text.rfind("\r[", 0), 0u) << text;
  EXPECT_NE(text.find("\x1b[K"), std::string::npos);
  p.Message("line 7: bad");  // erases the bar, prints the message, redraws at the next update
  p.Update(At(995, 99));
  p.Finish();
  const std::string all = fx.Text();
  EXPECT_NE(all.find("\r\x1b[Kline 7: bad\n\r["), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.size() - 4), "\r\x1b[K");
}

TEST(ProgressTest, TerminalLineIsCutToTheWidth) {
  ProgressFixture fx;
  Progress::Options o = fx.Options(true);
  o.width = 40;
  Progress p(fx.out, o);
  p.Update(At(500, 10));
  EXPECT_EQ(fx.Text(), "\r[############............] ingest click\x1b[K");
}

TEST(ProgressTest, PlainLinesComeEveryIntervalWithoutControlCharacters) {
  ProgressFixture fx;
  Progress p(fx.out, fx.Options(false));
  for (int i = 0; i < 120; ++i) {  // 12 s in steps of 100 ms: lines at 5 s and 10 s
    p.Update(At(i * 8, i));
    fx.now += 100;
  }
  p.Finish();
  EXPECT_EQ(p.renders(), 2);
  const std::string text = fx.Text();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(
      text.rfind("tandem: ingest clicks: 40% of 1000 B, 50 events, 10 events/s, 5 s elapsed, ETA 7 s\n", 0),
      0u)
      << text;
}

}  // namespace
}  // namespace tandem::cli
