#include "sql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem::sql {
namespace {

std::vector<Token> Lex(std::string_view sql) {
  auto r = Tokenize(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : std::vector<Token>{};
}

std::string LexError(std::string_view sql) {
  auto r = Tokenize(sql);
  EXPECT_FALSE(r.ok()) << "unexpectedly lexed: " << sql;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

std::vector<TokenType> Types(std::string_view sql) {
  std::vector<TokenType> out;
  for (const auto& t : Lex(sql)) out.push_back(t.type);
  return out;
}

TEST(LexerTest, EmptyInputIsJustEnd) {
  auto tokens = Lex("");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].type, TokenType::kEnd);
  EXPECT_EQ(tokens[0].pos, (SourcePos{1, 1}));
  auto spaces = Lex("  \n\t -- only a comment\n /* and another */ ");
  ASSERT_EQ(spaces.size(), 1u);
  EXPECT_EQ(spaces[0].pos, (SourcePos{3, 20}));
}

TEST(LexerTest, KeywordsAreCaseInsensitive) {
  auto tokens = Lex("SeLeCt select SELECT");
  ASSERT_EQ(tokens.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tokens[i].type, TokenType::kIdentifier);
    EXPECT_EQ(tokens[i].keyword, Keyword::kSelect);
    EXPECT_EQ(tokens[i].text, "select");
    EXPECT_FALSE(tokens[i].quoted);
  }
  EXPECT_TRUE(IsReserved(Keyword::kSelect));
  EXPECT_FALSE(IsReserved(Keyword::kStream));
  EXPECT_EQ(LookupKeyword("views"), Keyword::kViews);
  EXPECT_EQ(LookupKeyword("clicks"), Keyword::kNone);
  EXPECT_STREQ(KeywordName(Keyword::kILike), "ILIKE");
}

TEST(LexerTest, IdentifiersFoldUnlessQuoted) {
  auto tokens = Lex(R"(FooBar "FooBar" "a""b" "select" _x1 "with space" café)");
  ASSERT_EQ(tokens.size(), 8u);
  EXPECT_EQ(tokens[0].text, "foobar");
  EXPECT_FALSE(tokens[0].quoted);
  EXPECT_EQ(tokens[1].text, "FooBar");
  EXPECT_TRUE(tokens[1].quoted);
  EXPECT_EQ(tokens[2].text, "a\"b");
  EXPECT_EQ(tokens[3].text, "select");
  EXPECT_EQ(tokens[3].keyword, Keyword::kNone);  // a quoted word is never a keyword
  EXPECT_EQ(tokens[4].text, "_x1");
  EXPECT_EQ(tokens[5].text, "with space");
  EXPECT_EQ(tokens[6].text, "café");  // only ASCII letters fold
}

TEST(LexerTest, Strings) {
  auto tokens = Lex("'it''s' '' 'two\nlines'");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].type, TokenType::kString);
  EXPECT_EQ(tokens[0].text, "it's");
  EXPECT_EQ(tokens[0].length, 7u);
  EXPECT_EQ(tokens[1].text, "");
  EXPECT_EQ(tokens[2].text, "two\nlines");
  EXPECT_EQ(tokens[3].pos, (SourcePos{2, 7}));
}

TEST(LexerTest, Numbers) {
  auto tokens = Lex("123 1.5 .5 1. 1e10 2.5E-3 7e+2 0");
  std::vector<std::pair<TokenType, std::string>> expected = {
      {TokenType::kInteger, "123"},  {TokenType::kDecimal, "1.5"},  {TokenType::kDecimal, ".5"},
      {TokenType::kDecimal, "1."},   {TokenType::kDecimal, "1e10"}, {TokenType::kDecimal, "2.5E-3"},
      {TokenType::kDecimal, "7e+2"}, {TokenType::kInteger, "0"},
  };
  ASSERT_EQ(tokens.size(), expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(tokens[i].type, expected[i].first) << i;
    EXPECT_EQ(tokens[i].text, expected[i].second) << i;
  }
  // A minus sign is its own token; the parser folds it.
  EXPECT_EQ(Types("-5"), (std::vector<TokenType>{TokenType::kMinus, TokenType::kInteger, TokenType::kEnd}));
  // Integer range is the parser's business.
  EXPECT_EQ(Lex("99999999999999999999999")[0].type, TokenType::kInteger);
}

TEST(LexerTest, BadNumbers) {
  EXPECT_EQ(LexError("SELECT 1e"), "invalid number '1e' at line 1, column 8");
  EXPECT_EQ(LexError("SELECT 2.5e+x"), "invalid number '2.5e+' at line 1, column 8");
  EXPECT_EQ(LexError("SELECT 123abc"), "trailing junk after number '123' at line 1, column 8");
}

TEST(LexerTest, Operators) {
  EXPECT_EQ(Types("( ) , ; . + - * / % = <> != < <= > >= || ::"),
            (std::vector<TokenType>{
                TokenType::kLParen, TokenType::kRParen,  TokenType::kComma,       TokenType::kSemicolon,
                TokenType::kDot,    TokenType::kPlus,    TokenType::kMinus,       TokenType::kStar,
                TokenType::kSlash,  TokenType::kPercent, TokenType::kEq,          TokenType::kNe,
                TokenType::kNe,     TokenType::kLt,      TokenType::kLe,          TokenType::kGt,
                TokenType::kGe,     TokenType::kConcat,  TokenType::kDoubleColon, TokenType::kEnd}));
  // No spaces needed.
  EXPECT_EQ(Types("a<=b"), (std::vector<TokenType>{TokenType::kIdentifier, TokenType::kLe,
                                                   TokenType::kIdentifier, TokenType::kEnd}));
  EXPECT_EQ(Types("x::int"), (std::vector<TokenType>{TokenType::kIdentifier, TokenType::kDoubleColon,
                                                     TokenType::kIdentifier, TokenType::kEnd}));
}

TEST(LexerTest, Comments) {
  auto tokens = Lex("a -- comment; SELECT\nb /* one /* nested */ still comment */ c /**/d");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].text, "a");
  EXPECT_EQ(tokens[1].text, "b");
  EXPECT_EQ(tokens[1].pos, (SourcePos{2, 1}));
  EXPECT_EQ(tokens[2].text, "c");
  EXPECT_EQ(tokens[3].text, "d");
  // "-" followed by "-" starts a comment, so "1--2" is just 1.
  EXPECT_EQ(Types("1--2"), (std::vector<TokenType>{TokenType::kInteger, TokenType::kEnd}));
}

TEST(LexerTest, PositionsCountLinesAndUtf8Characters) {
  auto tokens = Lex("SELECT\n  'é', x\r\n\tFROM");
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[0].pos, (SourcePos{1, 1}));
  EXPECT_EQ(tokens[1].pos, (SourcePos{2, 3}));
  EXPECT_EQ(tokens[1].length, 4u);
  EXPECT_EQ(tokens[2].pos, (SourcePos{2, 6}));  // 'é' is 3 characters wide, 4 bytes
  EXPECT_EQ(tokens[2].offset, 13u);
  EXPECT_EQ(tokens[3].pos, (SourcePos{2, 8}));
  EXPECT_EQ(tokens[4].pos, (SourcePos{3, 2}));
  EXPECT_EQ(tokens[4].offset, 19u);
  EXPECT_EQ(tokens[4].length, 4u);
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(LexError("SELECT 1,\n  x || 'abc"), "unterminated string starting at line 2, column 8");
  EXPECT_EQ(LexError("SELECT \"Abc"), "unterminated quoted identifier starting at line 1, column 8");
  EXPECT_EQ(LexError("SELECT \"\" FROM t"), "zero-length quoted identifier at line 1, column 8");
  EXPECT_EQ(LexError("a /* b /* c */"), "unterminated comment starting at line 1, column 3");
  EXPECT_EQ(LexError("SELECT a @ b"), "unexpected character '@' at line 1, column 10");
  EXPECT_EQ(LexError("SELECT a | b"), "unexpected character '|' at line 1, column 10");
  EXPECT_EQ(LexError("x : y"), "unexpected character ':' at line 1, column 3");
  EXPECT_EQ(LexError("a ! b"), "unexpected character '!' at line 1, column 3");
  EXPECT_EQ(LexError(std::string_view("a \0 b", 5)), "unexpected character byte 0x00 at line 1, column 3");
}

}  // namespace
}  // namespace tandem::sql
