// Token: one lexical unit of SQL text, as produced by Lexer (lexer.h) and consumed by Parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sql/ast.h"

namespace tandem::sql {

enum class TokenType : uint8_t {
  kEnd,         // end of input (always the last token)
  kIdentifier,  // bare word (folded to lower case) or "quoted identifier" (case kept); see `quoted`
  kString,      // 'text' (text holds the unescaped value)
  kInteger,     // 123 (text holds the digits; range is checked by the parser)
  kDecimal,     // 1.5, .5, 1e10, 2.5E-3
  kLParen,
  kRParen,
  kComma,
  kSemicolon,
  kDot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,           // = (<> or !=) < <= > >=
  kConcat,       // ||
  kDoubleColon,  // ::
};

// Words with a meaning in Tandem's grammar. Reserved ones (IsReserved) cannot be used as bare column,
// table or alias names; the others are recognised only where the grammar expects them.
enum class Keyword : uint8_t {
  kNone,
  // reserved
  kAll,
  kAnd,
  kAs,
  kAsc,
  kBetween,
  kBy,
  kCase,
  kCast,
  kCreate,
  kDesc,
  kDistinct,
  kElse,
  kEnd,
  kFalse,
  kFrom,
  kGroup,
  kHaving,
  kILike,
  kIn,
  kIs,
  kLike,
  kLimit,
  kNot,
  kNull,
  kOffset,
  kOr,
  kOrder,
  kSelect,
  kThen,
  kTrue,
  kWhen,
  kWhere,
  kWith,
  // non-reserved
  kDate,
  kDescribe,
  kDrop,
  kExists,
  kFirst,
  kIf,
  kLast,
  kNulls,
  kShow,
  kStream,
  kStreams,
  kTimestamp,
  kView,
  kViews,
};

// The keyword spelled `lower_word` (already lower case), or kNone.
Keyword LookupKeyword(std::string_view lower_word);
bool IsReserved(Keyword k);
// Upper-case spelling: "SELECT".
const char* KeywordName(Keyword k);

struct Token {
  TokenType type = TokenType::kEnd;
  std::string text;                  // identifier name (folded unless quoted), string value, or number digits
  Keyword keyword = Keyword::kNone;  // for unquoted identifiers that are keywords
  bool quoted = false;               // "quoted identifier"
  SourcePos pos;                     // of the first character
  size_t offset = 0;                 // byte offset of the first character in the source
  size_t length = 0;                 // bytes of source covered

  bool Is(TokenType t) const { return type == t; }
  bool Is(Keyword k) const { return type == TokenType::kIdentifier && keyword == k; }
};

}  // namespace tandem::sql
