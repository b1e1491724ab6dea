#include "plan/query_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "exec/cast.h"
#include "sql/parser.h"
#include "testutil/test_util.h"

namespace tandem::plan {
namespace {

// ---------------------------------------------------------------------------------------------------
// The fixed test table `t`: 200 deterministic rows with NULLs in every nullable column.

Schema TableSchema() {
  return Schema{{{"id", DataType::Int64(), false},
                 {"grp", DataType::String(), true},
                 {"name", DataType::String(), true},
                 {"i32", DataType::Int32(), true},
                 {"i64", DataType::Int64(), true},
                 {"d", DataType::Double(), true},
                 {"f", DataType::Float(), true},
                 {"flag", DataType::Boolean(), true},
                 {"ts", DataType::Timestamp(), true},
                 {"day", DataType::Date(), true},
                 {"amount", DataType::Decimal(10, 2), true}}};
}

constexpr int kRows = 200;

RecordBatch TableRows() {
  const Schema schema = TableSchema();
  std::vector<Column> c;
  for (const Field& f : schema.fields) c.emplace_back(f.type);
  static const char* const kGroups[] = {"alpha", "beta", "gamma", "delta", "Beta"};
  static const char* const kNames[] = {"ann",    "Bob", "carl", "dora", "eve_1",
                                       "frank%", "",    "hal",  "ivy",  "Ann"};
  const int64_t base = 1714521600LL * 1000000;  // 2024-05-01T00:00:00Z
  for (int64_t i = 0; i < kRows; ++i) {
    c[0].Append<int64_t>(i);
    if (i % 7 == 3)
      c[1].AppendNull();
    else
      c[1].AppendString(kGroups[(i * 13) % 5]);
    if (i % 11 == 5)
      c[2].AppendNull();
    else
      c[2].AppendString(kNames[(i * 37) % 10]);
    if (i % 9 == 2)
      c[3].AppendNull();
    else
      c[3].Append<int32_t>(static_cast<int32_t>((i * 7919) % 201 - 100));
    if (i % 13 == 4)
      c[4].AppendNull();
    else
      c[4].Append<int64_t>(((i * i * 31) % 100003 - 50000) * 100003);
    if (i % 6 == 1)
      c[5].AppendNull();
    else
      c[5].Append<double>(static_cast<double>((i * 271) % 1000 - 500) / 7.0);
    if (i % 10 == 7)
      c[6].AppendNull();
    else
      c[6].Append<float>(static_cast<float>(i % 40 - 20) * 0.25f);
    if (i % 8 == 6)
      c[7].AppendNull();
    else
      c[7].Append<uint8_t>(i % 3 == 0 ? 1 : 0);
    if (i % 15 == 9)
      c[8].AppendNull();
    else
      c[8].Append<int64_t>(base + i * 997 * 1000000 + (i * 123457) % 1000000);
    if (i % 17 == 0)
      c[9].AppendNull();
    else
      c[9].Append<int32_t>(static_cast<int32_t>(19841 + i % 9));
    if (i % 12 == 10)
      c[10].AppendNull();
    else
      c[10].Append<__int128>(static_cast<__int128>((i * 7477) % 20001 - 10000));
  }
  return RecordBatch(schema, std::move(c), kRows);
}

// A SQL literal DuckDB reads back to exactly the same value.
std::string DuckDbLiteral(const Column& c, size_t row) {
  if (c.IsNull(row)) return "NULL";
  const Value v = Value::FromColumn(c, row);
  switch (c.type().id) {
    case TypeId::kDouble: return "CAST('" + exec::FormatDouble(v.double_value()) + "' AS DOUBLE)";
    case TypeId::kFloat: return "CAST('" + exec::FormatDouble(v.double_value()) + "' AS FLOAT)";
    case TypeId::kDecimal: return FormatDecimal(v.decimal_value(), c.type().scale);
    default: return sql::LiteralToString(v);
  }
}

// The statements that create and fill `t` in DuckDB, with PostgreSQL's default NULL order.
std::string DuckDbSetup(const RecordBatch& rows) {
  std::string sql = "SET default_null_order = 'nulls_last_on_asc_first_on_desc';\nCREATE TABLE t (";
  const Schema& s = rows.schema();
  for (size_t i = 0; i < s.fields.size(); ++i) {
    sql += (i ? ", " : "") + s.fields[i].name + " " + s.fields[i].type.ToString();
  }
  sql += ");\nINSERT INTO t VALUES\n";
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    sql += r ? ",\n(" : "(";
    for (size_t i = 0; i < s.fields.size(); ++i) sql += (i ? ", " : "") + DuckDbLiteral(rows.column(i), r);
    sql += ")";
  }
  sql += ";\n";
  return sql;
}

// ---------------------------------------------------------------------------------------------------
// Rows as JSON cell texts, and their comparison.

using Row = std::vector<std::string>;

// A minimal reader of the JSON that duckdb_query.mjs prints: no whitespace between tokens.
class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}

  // Skips one value and returns its raw text.
  Result<std::string> Value() {
    const size_t start = i_;
    if (i_ >= s_.size()) return Error("a value");
    const char c = s_[i_];
    if (c == '"') {
      TANDEM_RETURN_IF_ERROR(SkipString());
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (Peek(close)) {
        ++i_;
      } else {
        for (;;) {
          if (c == '{') {
            TANDEM_RETURN_IF_ERROR(SkipString());
            TANDEM_RETURN_IF_ERROR(Expect(':'));
          }
          TANDEM_RETURN_IF_ERROR(Value().status());
          if (Peek(close)) {
            ++i_;
            break;
          }
          TANDEM_RETURN_IF_ERROR(Expect(','));
        }
      }
    } else {
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') ++i_;
    }
    return s_.substr(start, i_ - start);
  }

  // The member values of an object, in order, as raw texts.
  Result<std::vector<std::string>> ObjectValues() {
    std::vector<std::string> out;
    TANDEM_RETURN_IF_ERROR(Expect('{'));
    if (Peek('}')) {
      ++i_;
      return out;
    }
    for (;;) {
      TANDEM_RETURN_IF_ERROR(SkipString());
      TANDEM_RETURN_IF_ERROR(Expect(':'));
      TANDEM_ASSIGN_OR_RETURN(std::string v, Value());
      out.push_back(std::move(v));
      if (Peek('}')) {
        ++i_;
        return out;
      }
      TANDEM_RETURN_IF_ERROR(Expect(','));
    }
  }

  // The items of an array, as raw texts.
  Result<std::vector<std::string>> ArrayItems() {
    std::vector<std::string> out;
    TANDEM_RETURN_IF_ERROR(Expect('['));
    if (Peek(']')) {
      ++i_;
      return out;
    }
    for (;;) {
      TANDEM_ASSIGN_OR_RETURN(std::string v, Value());
      out.push_back(std::move(v));
      if (Peek(']')) {
        ++i_;
        return out;
      }
      TANDEM_RETURN_IF_ERROR(Expect(','));
    }
  }

 private:
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  Status Error(const char* what) const {
    return Status::InvalidArgument(std::string("expected ") + what + " at byte " + std::to_string(i_) +
                                   " of: " + s_.substr(0, 200));
  }
  Status Expect(char c) {
    if (!Peek(c)) return Error(std::string(1, c).c_str());
    ++i_;
    return Status::OK();
  }
  Status SkipString() {
    if (!Peek('"')) return Error("a string");
    for (++i_; i_ < s_.size(); ++i_) {
      if (s_[i_] == '\\') {
        ++i_;
      } else if (s_[i_] == '"') {
        ++i_;
        return Status::OK();
      }
    }
    return Error("the end of a string");
  }

  const std::string& s_;
  size_t i_ = 0;
};

// The rows of every query of a batched DuckDB run: one NDJSON line holding, per query, `null` (no rows)
// or a list of row objects.
Result<std::vector<std::vector<Row>>> ParseBatchedResult(const std::string& text) {
  const std::string line = text.substr(0, text.find('\n'));
  JsonReader reader(line);
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> lists, reader.ObjectValues());
  std::vector<std::vector<Row>> out;
  for (const std::string& list : lists) {
    std::vector<Row> rows;
    if (list != "null") {
      JsonReader items_reader(list);
      TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> items, items_reader.ArrayItems());
      for (const std::string& item : items) {
        JsonReader row_reader(item);
        TANDEM_ASSIGN_OR_RETURN(Row row, row_reader.ObjectValues());
        rows.push_back(std::move(row));
      }
    }
    out.push_back(std::move(rows));
  }
  return out;
}

std::vector<Row> RowsOf(const RecordBatch& batch) {
  std::vector<Row> rows(batch.num_rows());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      std::string cell;
      batch.column(c).AppendJson(r, &cell);
      rows[r].push_back(std::move(cell));
    }
  }
  return rows;
}

std::string Unquote(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::optional<double> AsNumber(const std::string& text) {
  const std::string s = Unquote(text);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// Equal cells: the same JSON text; or numbers (also DuckDB's quoted DECIMAL / big integers) equal within
// a relative tolerance of 1e-9, since DuckDB sums floating point in a different order.
bool CellsMatch(const std::string& ours, const std::string& theirs) {
  if (ours == theirs) return true;
  const std::optional<double> a = AsNumber(ours), b = AsNumber(theirs);
  if (!a || !b) return false;
  if (*a == *b) return true;
  return std::fabs(*a - *b) <= 1e-9 * std::max(std::fabs(*a), std::fabs(*b));
}

bool RowsMatch(const Row& a, const Row& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!CellsMatch(a[i], b[i])) return false;
  }
  return true;
}

// A sort key for multiset comparison: numbers rounded to 12 significant digits so that rows equal within
// the tolerance sort alike.
std::string SortKeyOf(const Row& row) {
  std::string key;
  for (const std::string& cell : row) {
    if (std::optional<double> v = AsNumber(cell); v && cell != "null") {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.12g", *v);
      key += buf;
    } else {
      key += cell;
    }
    key += '\x1f';
  }
  return key;
}

std::string Show(const std::vector<Row>& rows, size_t max = 12) {
  std::string out;
  for (size_t i = 0; i < rows.size() && i < max; ++i) {
    out += "  [";
    for (size_t c = 0; c < rows[i].size(); ++c) out += (c ? ", " : "") + rows[i][c];
    out += "]\n";
  }
  if (rows.size() > max) out += "  ... (" + std::to_string(rows.size()) + " rows)\n";
  return out;
}

// "" when equal, else a description of the first difference.
std::string CompareRows(std::vector<Row> ours, std::vector<Row> theirs, bool ordered) {
  if (!ordered) {
    auto by_key = [](const Row& a, const Row& b) { return SortKeyOf(a) < SortKeyOf(b); };
    std::sort(ours.begin(), ours.end(), by_key);
    std::sort(theirs.begin(), theirs.end(), by_key);
  }
  if (ours.size() != theirs.size()) {
    return "row counts differ: ours " + std::to_string(ours.size()) + ", DuckDB " +
           std::to_string(theirs.size()) + "\nours:\n" + Show(ours) + "DuckDB:\n" + Show(theirs);
  }
  for (size_t i = 0; i < ours.size(); ++i) {
    if (!RowsMatch(ours[i], theirs[i])) {
      return "row " + std::to_string(i) + " differs\nours:\n" + Show({ours[i]}) + "DuckDB:\n" +
             Show({theirs[i]});
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------
// Running our side.

Result<QueryPlan> PlanQuery(const std::string& sql, const Schema& schema) {
  TANDEM_ASSIGN_OR_RETURN(sql::StatementPtr stmt, sql::ParseStatement(sql));
  if (stmt->kind != sql::StatementKind::kSelect) return Status::InvalidArgument("not a SELECT: " + sql);
  return PlanSelect(stmt->As<sql::SelectStmt>(), schema);
}

// `rows` cut into consecutive batches at the given row counts (the last takes the rest).
std::vector<RecordBatch> Chunks(const RecordBatch& rows, const std::vector<size_t>& sizes) {
  std::vector<RecordBatch> out;
  size_t at = 0;
  for (size_t s : sizes) {
    const size_t n = std::min(s, rows.num_rows() - at);
    out.push_back(rows.Slice(at, n));
    at += n;
  }
  if (at < rows.num_rows()) out.push_back(rows.Slice(at, rows.num_rows() - at));
  return out;
}

Result<RecordBatch> RunOurs(const std::string& sql, const RecordBatch& rows) {
  TANDEM_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(sql, rows.schema()));
  if (!plan.has_from) return RunQuery(std::move(plan), {});
  return RunQuery(std::move(plan), Chunks(rows, {70, 0, 64}));
}

// ---------------------------------------------------------------------------------------------------
// The corpus: src/plan/testdata/*.sql, one query per statement; a statement ends with a line ending
// in ';'. Lines starting with "--" are comments.

struct CorpusQuery {
  std::string file;
  int line = 0;
  std::string sql;
};

std::vector<CorpusQuery> LoadCorpus() {
  std::vector<CorpusQuery> out;
  const std::filesystem::path dir = std::filesystem::path(testing::SourceDir()) / "src/plan/testdata";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line, current;
    int line_no = 0, start = 0;
    while (std::getline(in, line)) {
      ++line_no;
      const size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
      if (current.empty()) start = line_no;
      current += (current.empty() ? "" : "\n") + line;
      const size_t last = line.find_last_not_of(" \t\r");
      if (line[last] == ';') {
        current.erase(current.find_last_of(';'));
        out.push_back({path.filename().string(), start, current});
        current.clear();
      }
    }
    EXPECT_TRUE(current.empty()) << path << ": the last statement has no ';'";
  }
  return out;
}

// DuckDB's rows for every query of the corpus. All queries run in one DuckDB process, as one statement
// whose column i holds the rows of query i as a list of structs (DuckDB's single thread keeps each
// query's ORDER BY through the list). If that fails, each query runs alone, to name the one DuckDB
// rejects.
Result<std::vector<std::vector<Row>>> DuckDbResults(const std::string& setup,
                                                    const std::vector<CorpusQuery>& corpus) {
  std::string batched = "SET threads = 1;\n" + setup + "SELECT\n";
  for (size_t q = 0; q < corpus.size(); ++q) {
    batched += (q ? ",\n" : "") + std::string("(SELECT list(r) FROM (") + corpus[q].sql + ") AS r) AS q" +
               std::to_string(q);
  }
  Result<std::string> all = testing::DuckDbQuery(batched);
  if (all.ok()) return ParseBatchedResult(*all);
  for (const CorpusQuery& cq : corpus) {
    Result<std::string> one = testing::DuckDbQuery(setup + cq.sql);
    if (!one.ok()) return one.status().WithContext(cq.file + ":" + std::to_string(cq.line));
  }
  return all.status();
}

TEST(QueryRunnerCorpusTest, MatchesDuckDb) {
  const std::vector<CorpusQuery> corpus = LoadCorpus();
  ASSERT_GE(corpus.size(), 60u) << "the corpus in src/plan/testdata is smaller than expected";
  if (!testing::PeersAvailable()) {
    GTEST_SKIP()
        << "tests/peers/node_modules is absent (run scripts/setup.sh): the DuckDB comparison is skipped";
  }
  const RecordBatch rows = TableRows();
  Result<std::vector<std::vector<Row>>> duck = DuckDbResults(DuckDbSetup(rows), corpus);
  ASSERT_TRUE(duck.ok()) << "DuckDB failed: " << duck.status().ToString();
  ASSERT_EQ(duck->size(), corpus.size());
  int compared = 0;
  for (size_t q = 0; q < corpus.size(); ++q) {
    const CorpusQuery& cq = corpus[q];
    SCOPED_TRACE(cq.file + ":" + std::to_string(cq.line) + ": " + cq.sql);
    Result<QueryPlan> plan = PlanQuery(cq.sql, rows.schema());
    if (!plan.ok()) {
      ADD_FAILURE() << "Tandem failed to plan: " << plan.status().ToString();
      continue;
    }
    const bool ordered = !plan->order_by.empty();
    Result<RecordBatch> ours = RunOurs(cq.sql, rows);
    if (!ours.ok()) {
      ADD_FAILURE() << "Tandem failed: " << ours.status().ToString();
      continue;
    }
    EXPECT_EQ(CompareRows(RowsOf(*ours), (*duck)[q], ordered), "");
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(corpus.size()));
}

// ---------------------------------------------------------------------------------------------------
// Runner behaviour without DuckDB.

std::vector<Row> RunRows(const std::string& sql) {
  Result<RecordBatch> r = RunOurs(sql, TableRows());
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  if (!r.ok()) return {};
  return RowsOf(*r);
}

TEST(QueryRunnerTest, SelectWithoutFrom) {
  auto plan = PlanQuery("SELECT 1 + 2 AS three, 'a' || 'b' AS ab, NULL AS n", Schema{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto result = RunQuery(std::move(*plan), {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(RowsOf(*result), (std::vector<Row>{{"3", "\"ab\"", "null"}}));
  EXPECT_EQ(result->schema().fields[0].name, "three");

  auto agg = PlanQuery("SELECT count(*) AS c", Schema{});
  ASSERT_TRUE(agg.ok()) << agg.status().ToString();
  auto one = RunQuery(std::move(*agg), {});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(RowsOf(*one), (std::vector<Row>{{"1"}}));
}

TEST(QueryRunnerTest, AggregatesOverNoRows) {
  EXPECT_EQ(RunRows("SELECT count(*), count(d), sum(i64), min(name), avg(d) FROM t WHERE id < 0"),
            (std::vector<Row>{{"0", "0", "null", "null", "null"}}));
  EXPECT_EQ(RunRows("SELECT grp, count(*) FROM t WHERE id < 0 GROUP BY grp"), (std::vector<Row>{}));
}

TEST(QueryRunnerTest, LimitOffsetAndDistinct) {
  EXPECT_EQ(RunRows("SELECT id FROM t ORDER BY id DESC LIMIT 3 OFFSET 2"),
            (std::vector<Row>{{"197"}, {"196"}, {"195"}}));
  EXPECT_EQ(RunRows("SELECT id FROM t LIMIT 2"), (std::vector<Row>{{"0"}, {"1"}}));
  EXPECT_EQ(RunRows("SELECT id FROM t LIMIT 0"), (std::vector<Row>{}));
  EXPECT_EQ(RunRows("SELECT id FROM t ORDER BY id OFFSET 198"), (std::vector<Row>{{"198"}, {"199"}}));
  EXPECT_EQ(RunRows("SELECT DISTINCT flag FROM t ORDER BY flag"),
            (std::vector<Row>{{"false"}, {"true"}, {"null"}}));
  EXPECT_EQ(RunRows("SELECT DISTINCT id % 3 AS m FROM t ORDER BY m DESC LIMIT 2"),
            (std::vector<Row>{{"2"}, {"1"}}));
}

TEST(QueryRunnerTest, HiddenSortColumnsAreDropped) {
  EXPECT_EQ(RunRows("SELECT name FROM t WHERE id < 4 ORDER BY id DESC"),
            (std::vector<Row>{{"\"Bob\""}, {"\"eve_1\""}, {"\"hal\""}, {"\"ann\""}}));
  EXPECT_EQ(
      RunRows("SELECT grp FROM t WHERE grp IS NOT NULL GROUP BY grp ORDER BY count(*) DESC, grp LIMIT 1"),
      (std::vector<Row>{{"\"delta\""}}));
}

TEST(QueryRunnerTest, RuntimeErrorsSurface) {
  Result<RecordBatch> r = RunOurs("SELECT 1 / (id - id) FROM t", TableRows());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("division by zero"), std::string::npos) << r.status().ToString();
  auto plan = PlanQuery("SELECT id FROM t", TableSchema());
  ASSERT_TRUE(plan.ok());
  auto runner = QueryRunner::Make(std::move(*plan));
  ASSERT_TRUE(runner.ok());
  const Status wrong = (*runner)->Consume(
      RecordBatch(Schema{{{"x", DataType::String(), true}}}, {Column(DataType::String())}, 0));
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------------
// A view computed incrementally — random chunks, separate aggregators, merged through Merge and through
// exported states — equals the same SELECT run over all rows at once, byte for byte.

TEST(ViewPlanTest, IncrementalEqualsFullRecompute) {
  const char* const kViews[] = {
      "SELECT grp, date_trunc('hour', ts) AS hour, count(*) AS n, count(d) AS nd, sum(d) AS sd, sum(i64) AS "
      "si, "
      "sum(i32) AS s32, min(name) AS lo, max(ts) AS last, avg(f) AS af, sum(amount) AS amt, "
      "approx_count_distinct(name) AS users FROM t GROUP BY grp, date_trunc('hour', ts)",
      "SELECT date_trunc('day', ts) AS day, flag, sum(d) / count(*) AS mean, max(d) - min(d) AS spread "
      "FROM t WHERE name <> 'ann' GROUP BY 1, flag HAVING count(*) > 2",
      "SELECT count(*) AS n, sum(d) AS s, avg(d) AS a, min(day) AS first_day FROM t",
  };
  const RecordBatch all = TableRows();
  std::mt19937 rng(20240501);
  for (const char* sql : kViews) {
    SCOPED_TRACE(sql);
    auto stmt = sql::ParseStatement(sql);
    ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
    auto view = PlanView((*stmt)->As<sql::SelectStmt>(), all.schema());
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    auto expected = RunQuery(view->query(), {all});
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    ASSERT_GT(expected->num_rows(), 0u);

    for (int trial = 0; trial < 5; ++trial) {
      // Cut the rows into random chunks; each chunk gets its own aggregator (an epoch, a batch run).
      std::vector<std::unique_ptr<exec::HashAggregator>> parts;
      size_t at = 0;
      while (at < all.num_rows()) {
        const size_t n = std::min<size_t>(all.num_rows() - at, 1 + rng() % 60);
        parts.push_back(view->NewAggregator());
        ASSERT_TRUE(view->Consume(all.Slice(at, n), parts.back().get()).ok());
        at += n;
      }
      // Merge half of them directly and the other half through exported states.
      std::unique_ptr<exec::HashAggregator> merged = view->NewAggregator();
      for (size_t i = 0; i < parts.size(); ++i) {
        if (i % 2 == 0) {
          ASSERT_TRUE(merged->Merge(*parts[i]).ok());
        } else {
          auto states = parts[i]->ExportStates();
          ASSERT_TRUE(states.ok()) << states.status().ToString();
          ASSERT_TRUE(merged->ImportStates(*states).ok());
        }
      }
      auto finalized = merged->Finalize();
      ASSERT_TRUE(finalized.ok()) << finalized.status().ToString();
      auto got = view->Finish(*finalized);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_TRUE(got->Equals(*expected)) << "incremental:\n"
                                          << Show(RowsOf(*got), 50) << "full:\n"
                                          << Show(RowsOf(*expected), 50);
    }
  }
}

TEST(ViewPlanTest, RefusesBatchesOfAnotherSchema) {
  auto stmt = sql::ParseStatement("SELECT grp, count(*) AS n FROM t GROUP BY grp");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  auto view = PlanView((*stmt)->As<sql::SelectStmt>(), TableSchema());
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  std::unique_ptr<exec::HashAggregator> aggregator = view->NewAggregator();
  ASSERT_NE(aggregator, nullptr);
  Schema other = TableSchema();
  other.fields[1].type = DataType::Int64();
  std::vector<Column> columns;
  for (const Field& f : other.fields) columns.emplace_back(f.type);
  const Status st = view->Consume(RecordBatch(other, std::move(columns), 0), aggregator.get());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "query input column 2 (\"grp\") has type BIGINT, the plan expects VARCHAR");
  // The view's rows over no input: no groups.
  auto finalized = aggregator->Finalize();
  ASSERT_TRUE(finalized.ok());
  auto rows = view->Finish(*finalized);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->num_rows(), 0u);
  EXPECT_EQ(rows->schema().fields.size(), 2u);
}

}  // namespace
}  // namespace tandem::plan
