// Lexer: splits SQL text into Tokens.
//
// Keywords are case-insensitive; bare identifiers are folded to lower case (ASCII only, as PostgreSQL
// does); "double quoted" identifiers keep their case and "" stands for one quote. 'Strings' use '' for
// one quote. Numbers: 123, 1.5, .5, 1., 1e10, 2.5E-3. Comments: -- to end of line and /* ... */ (which
// nest). Whitespace and comments separate tokens and are dropped.
//
// Errors (InvalidArgument) name the position: "unterminated string starting at line 2, column 8",
// "unexpected character '@' at line 1, column 5". Never crashes on any input, including NUL bytes and
// invalid UTF-8 (bytes >= 0x80 are identifier characters).
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/token.h"

namespace tandem::sql {

// All tokens of `sql`, ending with one kEnd token.
Result<std::vector<Token>> Tokenize(std::string_view sql);

}  // namespace tandem::sql
