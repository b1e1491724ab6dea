#include "sql/lexer.h"

#include <array>
#include <utility>

namespace tandem::sql {
namespace {

struct KeywordEntry {
  std::string_view word;
  Keyword keyword;
  bool reserved;
};

// Sorted by word is not required; the table is small.
constexpr std::array kKeywords = {
    KeywordEntry{"all", Keyword::kAll, true},
    KeywordEntry{"and", Keyword::kAnd, true},
    KeywordEntry{"as", Keyword::kAs, true},
    KeywordEntry{"asc", Keyword::kAsc, true},
    KeywordEntry{"between", Keyword::kBetween, true},
    KeywordEntry{"by", Keyword::kBy, true},
    KeywordEntry{"case", Keyword::kCase, true},
    KeywordEntry{"cast", Keyword::kCast, true},
    KeywordEntry{"create", Keyword::kCreate, true},
    KeywordEntry{"desc", Keyword::kDesc, true},
    KeywordEntry{"distinct", Keyword::kDistinct, true},
    KeywordEntry{"else", Keyword::kElse, true},
    KeywordEntry{"end", Keyword::kEnd, true},
    KeywordEntry{"false", Keyword::kFalse, true},
    KeywordEntry{"from", Keyword::kFrom, true},
    KeywordEntry{"group", Keyword::kGroup, true},
    KeywordEntry{"having", Keyword::kHaving, true},
    KeywordEntry{"ilike", Keyword::kILike, true},
    KeywordEntry{"in", Keyword::kIn, true},
    KeywordEntry{"is", Keyword::kIs, true},
    KeywordEntry{"like", Keyword::kLike, true},
    KeywordEntry{"limit", Keyword::kLimit, true},
    KeywordEntry{"not", Keyword::kNot, true},
    KeywordEntry{"null", Keyword::kNull, true},
    KeywordEntry{"offset", Keyword::kOffset, true},
    KeywordEntry{"or", Keyword::kOr, true},
    KeywordEntry{"order", Keyword::kOrder, true},
    KeywordEntry{"select", Keyword::kSelect, true},
    KeywordEntry{"then", Keyword::kThen, true},
    KeywordEntry{"true", Keyword::kTrue, true},
    KeywordEntry{"when", Keyword::kWhen, true},
    KeywordEntry{"where", Keyword::kWhere, true},
    KeywordEntry{"with", Keyword::kWith, true},
    KeywordEntry{"date", Keyword::kDate, false},
    KeywordEntry{"describe", Keyword::kDescribe, false},
    KeywordEntry{"drop", Keyword::kDrop, false},
    KeywordEntry{"exists", Keyword::kExists, false},
    KeywordEntry{"first", Keyword::kFirst, false},
    KeywordEntry{"if", Keyword::kIf, false},
    KeywordEntry{"last", Keyword::kLast, false},
    KeywordEntry{"nulls", Keyword::kNulls, false},
    KeywordEntry{"show", Keyword::kShow, false},
    KeywordEntry{"stream", Keyword::kStream, false},
    KeywordEntry{"streams", Keyword::kStreams, false},
    KeywordEntry{"timestamp", Keyword::kTimestamp, false},
    KeywordEntry{"view", Keyword::kView, false},
    KeywordEntry{"views", Keyword::kViews, false},
};

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
}
bool IsDigit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// Printable form of one source byte for messages.
std::string ShowChar(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  static const char* hex = "0123456789abcdef";
  return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
}

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      TANDEM_RETURN_IF_ERROR(SkipSpaceAndComments());
      Token t;
      t.pos = {line_, column_};
      t.offset = i_;
      if (i_ >= sql_.size()) {
        t.type = TokenType::kEnd;
        tokens.push_back(std::move(t));
        return tokens;
      }
      TANDEM_RETURN_IF_ERROR(Next(&t));
      t.length = i_ - t.offset;
      tokens.push_back(std::move(t));
    }
  }

 private:
  unsigned char Peek(size_t ahead = 0) const {
    return i_ + ahead < sql_.size() ? static_cast<unsigned char>(sql_[i_ + ahead]) : 0;
  }
  bool AtEnd(size_t ahead = 0) const { return i_ + ahead >= sql_.size(); }

  // Consumes one byte, keeping line and column (UTF-8 continuation bytes do not advance the column).
  void Advance() {
    unsigned char c = static_cast<unsigned char>(sql_[i_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;
    }
  }
  void Advance(size_t n) {
    for (size_t k = 0; k < n; ++k) Advance();
  }

  static Status Error(const std::string& what, SourcePos pos) {
    return Status::InvalidArgument(what + " at " + pos.ToString());
  }

  Status SkipSpaceAndComments() {
    while (!AtEnd()) {
      unsigned char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && Peek(1) == '-') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*') {
        SourcePos start{line_, column_};
        Advance(2);
        int depth = 1;
        while (depth > 0) {
          if (AtEnd()) return Error("unterminated comment starting", start);
          if (Peek() == '*' && Peek(1) == '/') {
            --depth;
            Advance(2);
          } else if (Peek() == '/' && Peek(1) == '*') {
            ++depth;
            Advance(2);
          } else {
            Advance();
          }
        }
      } else {
        break;
      }
    }
    return Status::OK();
  }

  Status Next(Token* t) {
    unsigned char c = Peek();
    if (IsIdentStart(c)) return Word(t);
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return Number(t);
    if (c == '\'') return String(t);
    if (c == '"') return QuotedIdentifier(t);
    auto op = [&](TokenType type, size_t n) {
      t->type = type;
      t->text = std::string(sql_.substr(i_, n));
      Advance(n);
      return Status::OK();
    };
    switch (c) {
      case '(': return op(TokenType::kLParen, 1);
      case ')': return op(TokenType::kRParen, 1);
      case ',': return op(TokenType::kComma, 1);
      case ';': return op(TokenType::kSemicolon, 1);
      case '.': return op(TokenType::kDot, 1);
      case '+': return op(TokenType::kPlus, 1);
      case '-': return op(TokenType::kMinus, 1);
      case '*': return op(TokenType::kStar, 1);
      case '/': return op(TokenType::kSlash, 1);
      case '%': return op(TokenType::kPercent, 1);
      case '=': return op(TokenType::kEq, 1);
      case '<':
        if (Peek(1) == '>') return op(TokenType::kNe, 2);
        if (Peek(1) == '=') return op(TokenType::kLe, 2);
        return op(TokenType::kLt, 1);
      case '>':
        if (Peek(1) == '=') return op(TokenType::kGe, 2);
        return op(TokenType::kGt, 1);
      case '!':
        if (Peek(1) == '=') return op(TokenType::kNe, 2);
        break;
      case '|':
        if (Peek(1) == '|') return op(TokenType::kConcat, 2);
        break;
      case ':':
        if (Peek(1) == ':') return op(TokenType::kDoubleColon, 2);
        break;
      default: break;
    }
    return Error("unexpected character " + ShowChar(c), t->pos);
  }

  Status Word(Token* t) {
    size_t start = i_;
    while (!AtEnd() && IsIdentChar(Peek())) Advance();
    std::string word(sql_.substr(start, i_ - start));
    for (char& ch : word) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    t->type = TokenType::kIdentifier;
    t->keyword = LookupKeyword(word);
    t->text = std::move(word);
    return Status::OK();
  }

  Status QuotedIdentifier(Token* t) {
    Advance();  // opening quote
    std::string name;
    while (true) {
      if (AtEnd()) return Error("unterminated quoted identifier starting", t->pos);
      if (Peek() == '"') {
        if (Peek(1) == '"') {
          name.push_back('"');
          Advance(2);
          continue;
        }
        Advance();
        break;
      }
      name.push_back(static_cast<char>(Peek()));
      Advance();
    }
    if (name.empty()) return Error("zero-length quoted identifier", t->pos);
    t->type = TokenType::kIdentifier;
    t->quoted = true;
    t->text = std::move(name);
    return Status::OK();
  }

  Status String(Token* t) {
    Advance();  // opening quote
    std::string value;
    while (true) {
      if (AtEnd()) return Error("unterminated string starting", t->pos);
      if (Peek() == '\'') {
        if (Peek(1) == '\'') {
          value.push_back('\'');
          Advance(2);
          continue;
        }
        Advance();
        break;
      }
      value.push_back(static_cast<char>(Peek()));
      Advance();
    }
    t->type = TokenType::kString;
    t->text = std::move(value);
    return Status::OK();
  }

  Status Number(Token* t) {
    size_t start = i_;
    bool decimal = false;
    while (IsDigit(Peek())) Advance();
    if (Peek() == '.' && Peek(1) != '.') {
      decimal = true;
      Advance();
      while (IsDigit(Peek())) Advance();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t k = 1;
      if (Peek(1) == '+' || Peek(1) == '-') k = 2;
      if (!IsDigit(Peek(k))) {
        Advance(k);
        return Error("invalid number '" + std::string(sql_.substr(start, i_ - start)) + "'", t->pos);
      }
      decimal = true;
      Advance(k);
      while (IsDigit(Peek())) Advance();
    }
    if (!AtEnd() && IsIdentChar(Peek())) {
      return Error("trailing junk after number '" + std::string(sql_.substr(start, i_ - start)) + "'",
                   t->pos);
    }
    t->type = decimal ? TokenType::kDecimal : TokenType::kInteger;
    t->text = std::string(sql_.substr(start, i_ - start));
    return Status::OK();
  }

  std::string_view sql_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

Keyword LookupKeyword(std::string_view lower_word) {
  for (const auto& e : kKeywords) {
    if (e.word == lower_word) return e.keyword;
  }
  return Keyword::kNone;
}

bool IsReserved(Keyword k) {
  for (const auto& e : kKeywords) {
    if (e.keyword == k) return e.reserved;
  }
  return false;
}

const char* KeywordName(Keyword k) {
  switch (k) {
    case Keyword::kNone: return "";
    case Keyword::kAll: return "ALL";
    case Keyword::kAnd: return "AND";
    case Keyword::kAs: return "AS";
    case Keyword::kAsc: return "ASC";
    case Keyword::kBetween: return "BETWEEN";
    case Keyword::kBy: return "BY";
    case Keyword::kCase: return "CASE";
    case Keyword::kCast: return "CAST";
    case Keyword::kCreate: return "CREATE";
    case Keyword::kDesc: return "DESC";
    case Keyword::kDistinct: return "DISTINCT";
    case Keyword::kElse: return "ELSE";
    case Keyword::kEnd: return "END";
    case Keyword::kFalse: return "FALSE";
    case Keyword::kFrom: return "FROM";
    case Keyword::kGroup: return "GROUP";
    case Keyword::kHaving: return "HAVING";
    case Keyword::kILike: return "ILIKE";
    case Keyword::kIn: return "IN";
    case Keyword::kIs: return "IS";
    case Keyword::kLike: return "LIKE";
    case Keyword::kLimit: return "LIMIT";
    case Keyword::kNot: return "NOT";
    case Keyword::kNull: return "NULL";
    case Keyword::kOffset: return "OFFSET";
    case Keyword::kOr: return "OR";
    case Keyword::kOrder: return "ORDER";
    case Keyword::kSelect: return "SELECT";
    case Keyword::kThen: return "THEN";
    case Keyword::kTrue: return "TRUE";
    case Keyword::kWhen: return "WHEN";
    case Keyword::kWhere: return "WHERE";
    case Keyword::kWith: return "WITH";
    case Keyword::kDate: return "DATE";
    case Keyword::kDescribe: return "DESCRIBE";
    case Keyword::kDrop: return "DROP";
    case Keyword::kExists: return "EXISTS";
    case Keyword::kFirst: return "FIRST";
    case Keyword::kIf: return "IF";
    case Keyword::kLast: return "LAST";
    case Keyword::kNulls: return "NULLS";
    case Keyword::kShow: return "SHOW";
    case Keyword::kStream: return "STREAM";
    case Keyword::kStreams: return "STREAMS";
    case Keyword::kTimestamp: return "TIMESTAMP";
    case Keyword::kView: return "VIEW";
    case Keyword::kViews: return "VIEWS";
  }
  return "";
}

Result<std::vector<Token>> Tokenize(std::string_view sql) {
  return Lexer(sql).Run();
}

}  // namespace tandem::sql
