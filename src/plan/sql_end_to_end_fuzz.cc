// libFuzzer target: SQL end to end — parse, bind, plan and execute arbitrary bytes over a small in-memory
// table `t` with a column of every type (NULLs, NaN, -0.0, extremes, empty strings). A SELECT runs through
// QueryRunner (the rows fed in one batch and again split in two); a CREATE VIEW runs its ViewPlan both in
// one pass and as two aggregators merged, which must give the same rows (DESIGN.md §2). Errors returned
// as Status are fine; a crash, a sanitizer report, a stack overflow or a broken promise is a finding.
// Seed corpus: fuzz/corpus/sql_end_to_end/ (statements from the tests and docs/sql.md).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "plan/planner.h"
#include "plan/query_runner.h"
#include "sql/parser.h"

namespace {

using namespace tandem;

const RecordBatch& Table() {
  static const RecordBatch* table = [] {
    // The columns of the DuckDB-checked corpus's table (src/plan/testdata, query_runner_test.cc) plus
    // UBIGINT and BLOB, so that the corpus's queries are seeds that bind.
    Schema schema{{{"id", DataType::Int64(), false},
                   {"grp", DataType::String(), true},
                   {"name", DataType::String(), true},
                   {"i32", DataType::Int32(), true},
                   {"i64", DataType::Int64(), true},
                   {"d", DataType::Double(), true},
                   {"f", DataType::Float(), true},
                   {"flag", DataType::Boolean(), true},
                   {"ts", DataType::Timestamp(), true},
                   {"day", DataType::Date(), true},
                   {"amount", DataType::Decimal(10, 2), true},
                   {"u", DataType::UInt64(), true},
                   {"bl", DataType::Binary(), true}}};
    std::vector<Column> c;
    for (const Field& f : schema.fields) c.emplace_back(f.type);
    constexpr size_t kRows = 6;
    const int64_t ts0 = 1714521600LL * 1000000;  // 2024-05-01T00:00:00Z
    for (size_t r = 0; r < kRows; ++r) {
      const bool null = r == 2;
      auto fixed = [&](size_t col, auto v) {
        if (null) {
          c[col].AppendNull();
        } else {
          c[col].Append<decltype(v)>(v);
        }
      };
      c[0].Append<int64_t>(static_cast<int64_t>(r));
      const char* const groups[] = {"alpha", "Beta", nullptr, "beta", "", "alpha"};
      const char* const strs[] = {"apple", "", nullptr, "héllo", "%_\\", "Apple"};
      if (groups[r] == nullptr) {
        c[1].AppendNull();
      } else {
        c[1].AppendString(groups[r]);
      }
      if (strs[r] == nullptr) {
        c[2].AppendNull();
        c[12].AppendNull();
      } else {
        c[2].AppendString(strs[r]);
        c[12].AppendString(std::string(strs[r]) + std::string(1, '\0'));
      }
      const int32_t i32s[] = {
          1, -7, 0, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), 42};
      fixed(3, i32s[r]);
      const int64_t i64s[] = {
          10, std::numeric_limits<int64_t>::max(), 0, std::numeric_limits<int64_t>::min(), -3, 10};
      fixed(4, i64s[r]);
      const double ds[] = {0.1, -0.0, 0, std::nan(""), -1e308, 1e-320};
      fixed(5, ds[r]);
      const float fs[] = {1.5f, -0.0f, 0, std::numeric_limits<float>::infinity(), std::nanf(""), 2.25f};
      fixed(6, fs[r]);
      fixed(7, static_cast<uint8_t>(r % 2));
      fixed(8, ts0 + static_cast<int64_t>(r) * 3600LL * 1000000 * 7);
      fixed(9, static_cast<int32_t>(19844 + static_cast<int32_t>(r % 3)));  // 2024-05-01 ..
      fixed(10, static_cast<__int128>(static_cast<int64_t>(r) * 12345 - 30000));
      fixed(11, static_cast<uint64_t>(r == 3 ? std::numeric_limits<uint64_t>::max() : r * 5));
    }
    return new RecordBatch(std::move(schema), std::move(c), kRows);
  }();
  return *table;
}

void RunSelect(const sql::SelectStmt& select) {
  const RecordBatch& t = Table();
  auto plan = plan::PlanSelect(select, t.schema());
  if (!plan.ok()) return;
  const bool has_from = select.from.has_value();
  auto one = plan::QueryRunner::Make(*plan);
  auto two = plan::QueryRunner::Make(*plan);
  if (!one.ok() || !two.ok()) return;
  Result<RecordBatch> a = Status::Internal("not run");
  Result<RecordBatch> b = Status::Internal("not run");
  Status sa = has_from ? (*one)->Consume(t) : Status::OK();
  if (sa.ok()) a = (*one)->Finish();
  Status sb = has_from ? (*two)->Consume(t.Slice(0, 2)) : Status::OK();
  if (sb.ok() && has_from) sb = (*two)->Consume(t.Slice(2, t.num_rows() - 2));
  if (sb.ok()) b = (*two)->Finish();
  // Unordered or LIMITed queries may legitimately differ in which rows come first; sizes may not,
  // without LIMIT / OFFSET.
  if (a.ok() && b.ok() && !select.limit && !select.offset) {
    FUZZ_CHECK(a->num_rows() == b->num_rows());
    FUZZ_CHECK(a->num_columns() == plan->output_schema.fields.size());
  }
}

void RunView(const sql::SelectStmt& select) {
  const RecordBatch& t = Table();
  auto view = plan::PlanView(select, t.schema());
  if (!view.ok()) return;
  // One pass over all rows, and two aggregators over a split, merged.
  auto full = view->NewAggregator();
  Status s = view->Consume(t, full.get());
  auto left = view->NewAggregator();
  auto right = view->NewAggregator();
  Status s2 = view->Consume(t.Slice(0, 3), left.get());
  if (s2.ok()) s2 = view->Consume(t.Slice(3, t.num_rows() - 3), right.get());
  if (s2.ok()) s2 = left->Merge(*right);
  if (!s.ok() || !s2.ok()) return;
  auto fa = full->Finalize();
  auto fb = left->Finalize();
  if (!fa.ok() || !fb.ok()) return;
  auto ra = view->Finish(*fa);
  auto rb = view->Finish(*fb);
  FUZZ_CHECK(ra.ok() == rb.ok());
  if (ra.ok()) FUZZ_CHECK(ra->Equals(*rb));
  // States survive export and import into a fresh aggregator.
  auto states = left->ExportStates();
  if (!states.ok()) return;
  auto again = view->NewAggregator();
  FUZZ_CHECK(again->ImportStates(*states).ok());
  auto fc = again->Finalize();
  FUZZ_CHECK(fc.ok());
  FUZZ_CHECK(fc->Equals(*fb));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = tandem::sql::ParseStatement(text);
  if (!parsed.ok()) return 0;
  const tandem::sql::Statement& stmt = **parsed;
  if (stmt.kind == tandem::sql::StatementKind::kSelect) {
    RunSelect(stmt.As<tandem::sql::SelectStmt>());
  } else if (stmt.kind == tandem::sql::StatementKind::kCreateView) {
    RunView(*stmt.As<tandem::sql::CreateViewStmt>().query);
    // The canonical text (what the catalog stores) plans the same way.
    auto again = tandem::sql::ParseStatement(stmt.ToString());
    FUZZ_CHECK(again.ok());
    const tandem::RecordBatch& t = Table();
    auto a = tandem::plan::PlanView(*stmt.As<tandem::sql::CreateViewStmt>().query, t.schema());
    auto b = tandem::plan::PlanView(*(*again)->As<tandem::sql::CreateViewStmt>().query, t.schema());
    FUZZ_CHECK(a.ok() == b.ok());
  }
  return 0;
}
