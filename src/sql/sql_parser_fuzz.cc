// libFuzzer target: parses arbitrary bytes as a SQL script. Must never crash, hang or leak; when a
// script parses, its canonical text must parse again and print the same (the round-trip promise of
// ast.h). Seed corpus: fuzz/corpus/sql_parser/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto script = tandem::sql::ParseScript(sql);
  if (!script.ok()) return 0;
  for (const auto& stmt : *script) {
    std::string text = stmt->ToString();
    auto again = tandem::sql::ParseStatement(text);
    if (!again.ok() || (*again)->ToString() != text) std::abort();
  }
  auto expr = tandem::sql::ParseExpression(sql);
  if (expr.ok()) {
    std::string text = (*expr)->ToString();
    auto again = tandem::sql::ParseExpression(text);
    if (!again.ok() || (*again)->ToString() != text) std::abort();
  }
  return 0;
}
