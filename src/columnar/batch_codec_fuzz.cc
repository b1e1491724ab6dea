// libFuzzer target for the batch codec (DecodeBatch, see batch_codec.h): the input is decoded as a log
// payload against three fixed schemas (12 columns of every type, 1 string column, 2 columns decimal and
// nanosecond timestamp; the column count in the header decides which one can match). Promises:
//   - DecodeBatch never crashes or allocates more than the payload justifies; a rejection is Corruption;
//   - a decoded batch is well formed: one column per field with the field's type, every column of
//     num_rows() values, validity empty or one byte per row, string offsets from 0, non-decreasing and
//     ending at the character bytes, fixed-width data of rows * width bytes;
//   - it re-encodes to a payload that decodes to an equal batch and re-encodes to the same bytes;
//   - every value formats as JSON (Column::AppendJson), and slicing the batch in two and appending the
//     halves gives back an equal batch.
// Corpus: fuzz/corpus/batch_codec/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch_codec.h"
#include "fuzz/fuzz_check.h"

namespace {

using tandem::Column;
using tandem::DataType;
using tandem::RecordBatch;
using tandem::Schema;
using tandem::TimeUnit;

std::vector<Schema> FuzzSchemas() {
  Schema all;
  all.fields = {
      {"b", DataType::Boolean(), true},
      {"i", DataType::Int32(), true},
      {"l", DataType::Int64(), false},
      {"u", DataType::UInt64(), true},
      {"f", DataType::Float(), true},
      {"d", DataType::Double(), true},
      {"s", DataType::String(), true},
      {"bin", DataType::Binary(), true},
      {"day", DataType::Date(), true},
      {"ts", DataType::Timestamp(), false},
      {"ms", DataType::Timestamp(TimeUnit::kMillis), true},
      {"dec", DataType::Decimal(18, 3), true},
  };
  Schema one;
  one.fields = {{"s", DataType::String(), true}};
  Schema two;
  two.fields = {{"dec", DataType::Decimal(38, 10), true},
                {"ns", DataType::Timestamp(TimeUnit::kNanos), true}};
  return {all, one, two};
}

void CheckWellFormed(const Schema& schema, const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  FUZZ_CHECK(batch.num_columns() == schema.fields.size());
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const Column& col = batch.column(c);
    FUZZ_CHECK(col.type() == schema.fields[c].type);
    FUZZ_CHECK(col.length() == n);
    FUZZ_CHECK(col.validity().empty() || col.validity().size() == n);
    if (col.type().IsVarWidth()) {
      FUZZ_CHECK(col.offsets().size() == n + 1 && col.offsets()[0] == 0);
      for (size_t r = 0; r < n; ++r) FUZZ_CHECK(col.offsets()[r] <= col.offsets()[r + 1]);
      FUZZ_CHECK(static_cast<size_t>(col.offsets()[n]) == col.chars().size());
    } else {
      FUZZ_CHECK(col.data().size() == n * static_cast<size_t>(col.type().FixedWidth()));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Schema>* schemas = new std::vector<Schema>(FuzzSchemas());
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  for (const Schema& schema : *schemas) {
    auto decoded = tandem::DecodeBatch(schema, payload);
    if (!decoded.ok()) {
      FUZZ_CHECK(decoded.status().code() == tandem::StatusCode::kCorruption);
      FUZZ_CHECK(!decoded.status().message().empty());
      continue;
    }
    const RecordBatch& batch = *decoded;
    CheckWellFormed(schema, batch);

    std::string encoded;
    tandem::EncodeBatch(batch, &encoded);
    auto again = tandem::DecodeBatch(schema, encoded);
    FUZZ_CHECK(again.ok());
    CheckWellFormed(schema, *again);
    FUZZ_CHECK(again->Equals(batch));
    std::string encoded_again;
    tandem::EncodeBatch(*again, &encoded_again);
    FUZZ_CHECK(encoded_again == encoded);

    std::string json;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        json.clear();
        batch.column(c).AppendJson(r, &json);
        FUZZ_CHECK(!json.empty());
      }
    }

    const size_t half = batch.num_rows() / 2;
    RecordBatch joined = batch.Slice(0, half);
    joined.AppendBatch(batch.Slice(half, batch.num_rows() - half));
    CheckWellFormed(schema, joined);
    FUZZ_CHECK(joined.Equals(batch));
  }
  return 0;
}
