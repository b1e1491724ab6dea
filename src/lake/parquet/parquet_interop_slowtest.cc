// Slow interop checks: every row of vega-datasets' flights-3m.parquet (written by Polars; 3M rows, 11 row
// groups, ZSTD, dictionary pages) read by us equals DuckDB's reading of the same file. The fast suite
// (parquet_interop_test.cc) checks the first row group row by row and aggregates over all rows.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/file_system.h"
#include "lake/parquet/parquet_interop_testing.h"
#include "lake/parquet/parquet_reader.h"
#include "testutil/test_util.h"

namespace tandem::parquet {
namespace {

using tandem::testing::DuckDbQuery;
using tandem::testing::PeersAvailable;
using tandem::testing::PeersDir;

TEST(FlightsSlowTest, EveryRowEqualsDuckDb) {
  if (!PeersAvailable()) GTEST_SKIP() << "tests/peers/node_modules missing: run npm ci in tests/peers";
  const std::string path = PeersDir() + "/node_modules/vega-datasets/data/flights-3m.parquet";
  auto reader = OpenParquetFile(LocalFileSystem(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<int> all;
  for (size_t i = 0; i < (*reader)->schema().fields.size(); ++i) all.push_back(static_cast<int>(i));
  auto batch = (*reader)->ReadAll(all);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows(), 3000000u);
  // DuckDB keeps the file's row order for a single-file scan (preserve_insertion_order is on by default).
  auto duck = DuckDbQuery("SELECT * FROM read_parquet('" + path + "')");
  ASSERT_TRUE(duck.ok()) << duck.status().ToString();
  EXPECT_EQ(testing::CompareWithNdjson(*batch, *duck), "");
}

}  // namespace
}  // namespace tandem::parquet
