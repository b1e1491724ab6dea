#include "sql/parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "sql/datetime.h"
#include "sql/lexer.h"
#include "sql/token.h"

namespace tandem::sql {
namespace {

// Precedence levels; must agree with the printer in ast.cc.
constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecNot = 3;
constexpr int kPrecIs = 4;
constexpr int kPrecCompare = 5;
constexpr int kPrecLikeFamily = 6;
constexpr int kPrecConcat = 7;
constexpr int kPrecAdd = 8;
constexpr int kPrecMul = 9;
constexpr int kPrecUnary = 10;
constexpr int kPrecCast = 11;

constexpr const char* kAfterTableAlias =
    "end of statement or WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET";

class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens) : sql_(sql), tokens_(std::move(tokens)) {}

  Result<StatementPtr> OneStatement() {
    if (Peek().Is(TokenType::kEnd) || Peek().Is(TokenType::kSemicolon)) {
      return SyntaxError(Peek(), "a statement (SELECT, CREATE, SHOW, DESCRIBE or DROP)");
    }
    TANDEM_ASSIGN_OR_RETURN(StatementPtr stmt, ParseStatement());
    TANDEM_RETURN_IF_ERROR(CheckStatementEnd());
    while (Match(TokenType::kSemicolon)) {
    }
    if (!Peek().Is(TokenType::kEnd)) {
      return SyntaxError(Peek(), "end of input (only one statement is allowed here)");
    }
    return stmt;
  }

  Result<std::vector<StatementPtr>> Script() {
    std::vector<StatementPtr> out;
    while (true) {
      while (Match(TokenType::kSemicolon)) {
      }
      if (Peek().Is(TokenType::kEnd)) break;
      TANDEM_ASSIGN_OR_RETURN(StatementPtr stmt, ParseStatement());
      out.push_back(std::move(stmt));
      TANDEM_RETURN_IF_ERROR(CheckStatementEnd());
    }
    return out;
  }

  Result<ExprPtr> StandaloneExpression() {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
    if (!Peek().Is(TokenType::kEnd)) return SyntaxError(Peek(), "end of expression");
    return e;
  }

 private:
  // ---- tokens ----------------------------------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool Match(TokenType type) {
    if (!Peek().Is(type)) return false;
    Advance();
    return true;
  }
  bool Match(Keyword k) {
    if (!Peek().Is(k) || Peek().quoted) return false;
    Advance();
    return true;
  }
  bool PeekKeyword(Keyword k, size_t ahead = 0) const { return Peek(ahead).Is(k) && !Peek(ahead).quoted; }

  // "'FORM'", "end of input", "string 'abc'"
  std::string Describe(const Token& t) const {
    if (t.Is(TokenType::kEnd)) return "end of input";
    std::string raw(sql_.substr(t.offset, t.length));
    if (raw.size() > 40) raw = raw.substr(0, 37) + "...";
    if (t.Is(TokenType::kString)) return "string " + raw;
    return "'" + raw + "'";
  }

  Status SyntaxError(const Token& t, std::string_view expected) const {
    return Status::InvalidArgument("syntax error at " + t.pos.ToString() + ": expected " +
                                   std::string(expected) + ", found " + Describe(t));
  }
  static Status ErrorAt(SourcePos pos, const std::string& message) {
    return Status::InvalidArgument("syntax error at " + pos.ToString() + ": " + message);
  }

  Status Expect(TokenType type, const char* what) {
    if (!Match(type)) return SyntaxError(Peek(), what);
    return Status::OK();
  }
  Status Expect(Keyword k) {
    if (!Match(k)) return SyntaxError(Peek(), KeywordName(k));
    return Status::OK();
  }

  // A name of a stream, view, column or alias: a non-reserved word or a "quoted identifier".
  Result<std::string> ParseName(const char* what) {
    const Token& t = Peek();
    if (t.Is(TokenType::kIdentifier) && (t.quoted || !IsReserved(t.keyword))) {
      Advance();
      return t.text;
    }
    std::string expected = std::string(what) + " name";
    if (t.Is(TokenType::kIdentifier)) {
      return Status::InvalidArgument(SyntaxError(t, expected).message() + " (a reserved word; write \"" +
                                     t.text + "\" to use it as a name)");
    }
    return SyntaxError(t, expected);
  }

  // After a statement: ';' or the end. A misspelled keyword usually shows up as an implicit alias followed
  // by something unexpected ("SELECT a FORM t"), so the error then points at the alias.
  Status CheckStatementEnd() {
    if (Peek().Is(TokenType::kSemicolon) || Peek().Is(TokenType::kEnd)) return Status::OK();
    if (implicit_alias_expect_ != nullptr && pos_ > 0 && implicit_alias_token_ == pos_ - 1) {
      return SyntaxError(tokens_[pos_ - 1], implicit_alias_expect_);
    }
    return SyntaxError(Peek(), "';' or end of input");
  }

  // ---- statements ------------------------------------------------------------------------------

  Result<StatementPtr> ParseStatement() {
    implicit_alias_expect_ = nullptr;
    const Token& t = Peek();
    if (!t.quoted) {
      switch (t.keyword) {
        case Keyword::kSelect: {
          TANDEM_ASSIGN_OR_RETURN(auto s, ParseSelect());
          return StatementPtr(std::move(s));
        }
        case Keyword::kCreate: return ParseCreate();
        case Keyword::kShow: return ParseShow();
        case Keyword::kDescribe:
        case Keyword::kDesc: {
          Advance();
          TANDEM_ASSIGN_OR_RETURN(std::string name, ParseName("stream or view"));
          return StatementPtr(std::make_unique<DescribeStmt>(t.pos, std::move(name)));
        }
        case Keyword::kDrop: return ParseDrop();
        default: break;
      }
    }
    return SyntaxError(t, "a statement (SELECT, CREATE, SHOW, DESCRIBE or DROP)");
  }

  Result<StatementPtr> ParseShow() {
    SourcePos pos = Advance().pos;
    if (Match(Keyword::kStreams)) return StatementPtr(std::make_unique<ShowStmt>(pos, ShowTarget::kStreams));
    if (Match(Keyword::kViews)) return StatementPtr(std::make_unique<ShowStmt>(pos, ShowTarget::kViews));
    return SyntaxError(Peek(), "STREAMS or VIEWS");
  }

  Result<StatementPtr> ParseDrop() {
    SourcePos pos = Advance().pos;
    ObjectType object;
    if (Match(Keyword::kStream)) {
      object = ObjectType::kStream;
    } else if (Match(Keyword::kView)) {
      object = ObjectType::kView;
    } else {
      return SyntaxError(Peek(), "STREAM or VIEW");
    }
    bool if_exists = false;
    if (PeekKeyword(Keyword::kIf) && PeekKeyword(Keyword::kExists, 1)) {
      Advance();
      Advance();
      if_exists = true;
    }
    TANDEM_ASSIGN_OR_RETURN(std::string name, ParseName(object == ObjectType::kStream ? "stream" : "view"));
    return StatementPtr(std::make_unique<DropStmt>(pos, object, std::move(name), if_exists));
  }

  // IF NOT EXISTS (only when IF is followed by NOT, so a stream may be called "if").
  Result<bool> ParseIfNotExists() {
    if (!(PeekKeyword(Keyword::kIf) && PeekKeyword(Keyword::kNot, 1))) return false;
    Advance();
    Advance();
    TANDEM_RETURN_IF_ERROR(Expect(Keyword::kExists));
    return true;
  }

  Result<StatementPtr> ParseCreate() {
    SourcePos pos = Advance().pos;
    if (Match(Keyword::kStream)) return ParseCreateStream(pos);
    if (Match(Keyword::kView)) return ParseCreateView(pos);
    return SyntaxError(Peek(), "STREAM or VIEW");
  }

  Result<StatementPtr> ParseCreateStream(SourcePos pos) {
    auto s = std::make_unique<CreateStreamStmt>(pos);
    TANDEM_ASSIGN_OR_RETURN(s->if_not_exists, ParseIfNotExists());
    TANDEM_ASSIGN_OR_RETURN(s->name, ParseName("stream"));
    TANDEM_RETURN_IF_ERROR(Expect(TokenType::kLParen, "'(' and column definitions"));
    do {
      ColumnDef col;
      col.pos = Peek().pos;
      TANDEM_ASSIGN_OR_RETURN(col.name, ParseName("column"));
      TANDEM_ASSIGN_OR_RETURN(col.type, ParseType());
      if (PeekKeyword(Keyword::kNot)) {
        Advance();
        TANDEM_RETURN_IF_ERROR(Expect(Keyword::kNull));
        col.not_null = true;
      } else {
        Match(Keyword::kNull);
      }
      s->columns.push_back(std::move(col));
    } while (Match(TokenType::kComma));
    TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "',' or ')'"));
    if (Match(Keyword::kWith)) {
      TANDEM_RETURN_IF_ERROR(Expect(TokenType::kLParen, "'('"));
      do {
        WithOption opt;
        opt.pos = Peek().pos;
        TANDEM_ASSIGN_OR_RETURN(opt.key, ParseOptionKey());
        TANDEM_RETURN_IF_ERROR(Expect(TokenType::kEq, "'='"));
        TANDEM_ASSIGN_OR_RETURN(opt.value, ParseOptionValue());
        s->options.push_back(std::move(opt));
      } while (Match(TokenType::kComma));
      TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "',' or ')'"));
    }
    return StatementPtr(std::move(s));
  }

  // word[.word...] or 'string'
  Result<std::string> ParseOptionKey() {
    if (Peek().Is(TokenType::kString)) return Advance().text;
    if (!Peek().Is(TokenType::kIdentifier)) return SyntaxError(Peek(), "an option name");
    std::string key = Advance().text;
    while (Match(TokenType::kDot)) {
      if (!Peek().Is(TokenType::kIdentifier)) return SyntaxError(Peek(), "an option name");
      key += "." + Advance().text;
    }
    return key;
  }

  Result<std::string> ParseOptionValue() {
    const Token& t = Peek();
    if (t.Is(TokenType::kString) || t.Is(TokenType::kInteger) || t.Is(TokenType::kDecimal) ||
        t.Is(TokenType::kIdentifier)) {
      Advance();
      return t.text;
    }
    if (t.Is(TokenType::kMinus) && (Peek(1).Is(TokenType::kInteger) || Peek(1).Is(TokenType::kDecimal))) {
      Advance();
      return "-" + Advance().text;
    }
    return SyntaxError(t, "an option value");
  }

  Result<StatementPtr> ParseCreateView(SourcePos pos) {
    auto v = std::make_unique<CreateViewStmt>(pos);
    TANDEM_ASSIGN_OR_RETURN(v->if_not_exists, ParseIfNotExists());
    TANDEM_ASSIGN_OR_RETURN(v->name, ParseName("view"));
    TANDEM_RETURN_IF_ERROR(Expect(Keyword::kAs));
    if (!PeekKeyword(Keyword::kSelect)) return SyntaxError(Peek(), "SELECT");
    size_t start = Peek().offset;
    TANDEM_ASSIGN_OR_RETURN(v->query, ParseSelect());
    const Token& last = tokens_[pos_ - 1];
    v->query_text = std::string(sql_.substr(start, last.offset + last.length - start));
    return StatementPtr(std::move(v));
  }

  Result<int64_t> ParseCount(const char* clause) {
    const Token& t = Peek();
    if (!t.Is(TokenType::kInteger)) {
      return SyntaxError(t, std::string("a non-negative integer after ") + clause);
    }
    Advance();
    TANDEM_ASSIGN_OR_RETURN(Value v, IntegerValue(t, false));
    return v.int_value();
  }

  Result<std::unique_ptr<SelectStmt>> ParseSelect() {
    auto s = std::make_unique<SelectStmt>(Advance().pos);
    if (Match(Keyword::kDistinct)) {
      s->distinct = true;
    } else {
      Match(Keyword::kAll);
    }
    do {
      TANDEM_RETURN_IF_ERROR(ParseSelectItem(s.get()));
    } while (Match(TokenType::kComma));
    if (Match(Keyword::kFrom)) {
      TableRef from;
      from.pos = Peek().pos;
      TANDEM_ASSIGN_OR_RETURN(from.name, ParseName("stream or view"));
      if (Match(Keyword::kAs)) {
        TANDEM_ASSIGN_OR_RETURN(from.alias, ParseName("alias"));
      } else if (Peek().Is(TokenType::kIdentifier) && (Peek().quoted || !IsReserved(Peek().keyword))) {
        implicit_alias_token_ = pos_;
        implicit_alias_expect_ = kAfterTableAlias;
        from.alias = Advance().text;
      }
      s->from = std::move(from);
    }
    if (Match(Keyword::kWhere)) {
      TANDEM_ASSIGN_OR_RETURN(s->where, ParseExpr(0));
    }
    if (Match(Keyword::kGroup)) {
      TANDEM_RETURN_IF_ERROR(Expect(Keyword::kBy));
      do {
        TANDEM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
        s->group_by.push_back(std::move(e));
      } while (Match(TokenType::kComma));
    }
    if (Match(Keyword::kHaving)) {
      TANDEM_ASSIGN_OR_RETURN(s->having, ParseExpr(0));
    }
    if (Match(Keyword::kOrder)) {
      TANDEM_RETURN_IF_ERROR(Expect(Keyword::kBy));
      do {
        OrderItem item;
        item.pos = Peek().pos;
        TANDEM_ASSIGN_OR_RETURN(item.expr, ParseExpr(0));
        if (Match(Keyword::kDesc)) {
          item.descending = true;
        } else {
          Match(Keyword::kAsc);
        }
        if (Match(Keyword::kNulls)) {
          if (Match(Keyword::kFirst)) {
            item.nulls = NullsOrder::kFirst;
          } else if (Match(Keyword::kLast)) {
            item.nulls = NullsOrder::kLast;
          } else {
            return SyntaxError(Peek(), "FIRST or LAST");
          }
        }
        s->order_by.push_back(std::move(item));
      } while (Match(TokenType::kComma));
    }
    bool limit_seen = false;
    bool offset_seen = false;
    while (true) {
      if (!limit_seen && Match(Keyword::kLimit)) {
        limit_seen = true;
        if (!Match(Keyword::kAll)) {
          TANDEM_ASSIGN_OR_RETURN(s->limit, ParseCount("LIMIT"));
        }
      } else if (!offset_seen && Match(Keyword::kOffset)) {
        offset_seen = true;
        TANDEM_ASSIGN_OR_RETURN(s->offset, ParseCount("OFFSET"));
      } else {
        break;
      }
    }
    return s;
  }

  Status ParseSelectItem(SelectStmt* s) {
    SelectItem item;
    item.pos = Peek().pos;
    if (Match(TokenType::kStar)) {
      item.is_star = true;
      s->items.push_back(std::move(item));
      return Status::OK();
    }
    const Token& t = Peek();
    if (t.Is(TokenType::kIdentifier) && (t.quoted || !IsReserved(t.keyword)) && Peek(1).Is(TokenType::kDot) &&
        Peek(2).Is(TokenType::kStar)) {
      item.is_star = true;
      item.star_table = t.text;
      Advance();
      Advance();
      Advance();
      s->items.push_back(std::move(item));
      return Status::OK();
    }
    TANDEM_ASSIGN_OR_RETURN(item.expr, ParseExpr(0));
    if (Match(Keyword::kAs)) {
      // After AS any word is a label, reserved or not (as in PostgreSQL).
      if (!Peek().Is(TokenType::kIdentifier)) return SyntaxError(Peek(), "an alias");
      item.alias = Advance().text;
    } else if (Peek().Is(TokenType::kIdentifier) && (Peek().quoted || !IsReserved(Peek().keyword))) {
      implicit_alias_token_ = pos_;
      implicit_alias_expect_ = "FROM";
      item.alias = Advance().text;
    }
    s->items.push_back(std::move(item));
    return Status::OK();
  }

  // ---- types -----------------------------------------------------------------------------------

  Result<int64_t> ParseTypeArgument(const Token& type_token) {
    const Token& t = Peek();
    if (!t.Is(TokenType::kInteger)) return SyntaxError(t, "an integer");
    Advance();
    auto v = IntegerValue(t, false);
    if (!v.ok() || v->int_value() > std::numeric_limits<int32_t>::max()) {
      return Status::InvalidArgument("type argument " + t.text + " of " + type_token.text +
                                     " is out of range at " + t.pos.ToString());
    }
    return v->int_value();
  }

  Result<TypeName> ParseType() {
    const Token& t = Peek();
    if (!t.Is(TokenType::kIdentifier) || t.quoted) return SyntaxError(t, "a type name");
    Advance();
    const std::string& w = t.text;
    TypeName tn;
    if (w == "boolean" || w == "bool") {
      tn.type = DataType::Boolean();
    } else if (w == "integer" || w == "int" || w == "int4") {
      tn.type = DataType::Int32();
    } else if (w == "bigint" || w == "int8") {
      tn.type = DataType::Int64();
    } else if (w == "ubigint") {
      tn.type = DataType::UInt64();
    } else if (w == "float" || w == "real" || w == "float4") {
      tn.type = DataType::Float();
    } else if (w == "double" || w == "float8") {
      tn.type = DataType::Double();
      if (w == "double" && Peek().Is(TokenType::kIdentifier) && !Peek().quoted &&
          Peek().text == "precision") {
        Advance();
      }
    } else if (w == "varchar" || w == "text" || w == "string") {
      tn.type = DataType::String();
      if (w == "varchar" && Match(TokenType::kLParen)) {
        TANDEM_ASSIGN_OR_RETURN(tn.max_length, ParseTypeArgument(t));
        TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "')'"));
      }
    } else if (w == "blob" || w == "bytea") {
      tn.type = DataType::Binary();
    } else if (w == "date") {
      tn.type = DataType::Date();
    } else if (w == "timestamp" || w == "timestamp_us") {
      tn.type = DataType::Timestamp(TimeUnit::kMicros);
    } else if (w == "timestamp_ms") {
      tn.type = DataType::Timestamp(TimeUnit::kMillis);
    } else if (w == "timestamp_ns") {
      tn.type = DataType::Timestamp(TimeUnit::kNanos);
    } else if (w == "decimal" || w == "numeric") {
      int64_t precision = 18, scale = 3;
      if (Match(TokenType::kLParen)) {
        TANDEM_ASSIGN_OR_RETURN(precision, ParseTypeArgument(t));
        scale = 0;
        if (Match(TokenType::kComma)) {
          TANDEM_ASSIGN_OR_RETURN(scale, ParseTypeArgument(t));
        }
        TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "')'"));
      }
      if (precision < 1 || precision > 38 || scale > precision) {
        return Status::InvalidArgument("DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) +
                                       ") at " + t.pos.ToString() +
                                       ": precision must be 1..38 and scale 0..precision");
      }
      tn.type = DataType::Decimal(static_cast<int32_t>(precision), static_cast<int32_t>(scale));
    } else {
      return Status::InvalidArgument("unknown type '" + w + "' at " + t.pos.ToString() +
                                     "; supported: BOOLEAN, INTEGER, BIGINT, UBIGINT, FLOAT, DOUBLE, "
                                     "VARCHAR, BLOB, DATE, TIMESTAMP, DECIMAL(p,s)");
    }
    return tn;
  }

  // ---- expressions -----------------------------------------------------------------------------

  // Height of a parsed subtree whose parent is not built yet (leaves are not recorded: height 1).
  int Height(const Expr& e) const {
    auto it = heights_.find(&e);
    return it == heights_.end() ? 1 : it->second;
  }

  // The one check of max_expression_depth: `depth` is the parser's recursion depth or a tree height.
  static Status CheckDepth(int depth, SourcePos pos) {
    if (depth <= kMaxExpressionDepth) return Status::OK();
    return Status::InvalidArgument("expression nesting depth " + std::to_string(depth) +
                                   " exceeds the limit of " + std::to_string(kMaxExpressionDepth) +
                                   " (max_expression_depth) at " + pos.ToString());
  }

  // Records the height of a freshly built node (its children's heights are forgotten: each child has
  // exactly one parent) and enforces the limit. Linear in the number of children.
  Result<ExprPtr> Finish(ExprPtr node) {
    int h = 1;
    node->ForEachChild([&](const Expr& c) {
      auto it = heights_.find(&c);
      if (it == heights_.end()) {
        h = std::max(h, 2);
      } else {
        h = std::max(h, it->second + 1);
        heights_.erase(it);
      }
    });
    TANDEM_RETURN_IF_ERROR(CheckDepth(h, node->pos));
    if (h > 1) heights_[node.get()] = h;
    return node;
  }

  // Appends `operand` to a chain of ANDs / ORs built by the caller, keeping the recorded height.
  Status AppendOperand(LogicalExpr* chain, ExprPtr operand) {
    const int h = std::max(Height(*chain), Height(*operand) + 1);
    heights_.erase(operand.get());
    TANDEM_RETURN_IF_ERROR(CheckDepth(h, chain->pos));
    heights_[chain] = h;
    chain->operands.push_back(std::move(operand));
    return Status::OK();
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  // The binding strength of the infix/postfix operator at the current token, or -1 if none.
  int InfixPrec() const {
    const Token& t = Peek();
    switch (t.type) {
      case TokenType::kEq:
      case TokenType::kNe:
      case TokenType::kLt:
      case TokenType::kLe:
      case TokenType::kGt:
      case TokenType::kGe: return kPrecCompare;
      case TokenType::kConcat: return kPrecConcat;
      case TokenType::kPlus:
      case TokenType::kMinus: return kPrecAdd;
      case TokenType::kStar:
      case TokenType::kSlash:
      case TokenType::kPercent: return kPrecMul;
      case TokenType::kDoubleColon: return kPrecCast;
      case TokenType::kIdentifier:
        if (t.quoted) return -1;
        switch (t.keyword) {
          case Keyword::kOr: return kPrecOr;
          case Keyword::kAnd: return kPrecAnd;
          case Keyword::kIs: return kPrecIs;
          case Keyword::kBetween:
          case Keyword::kIn:
          case Keyword::kLike:
          case Keyword::kILike: return kPrecLikeFamily;
          case Keyword::kNot: {
            const Token& n = Peek(1);
            if (!n.quoted && (n.keyword == Keyword::kBetween || n.keyword == Keyword::kIn ||
                              n.keyword == Keyword::kLike || n.keyword == Keyword::kILike)) {
              return kPrecLikeFamily;
            }
            return -1;
          }
          default: return -1;
        }
      default: return -1;
    }
  }

  static BinaryOp TokenBinaryOp(const Token& t) {
    switch (t.type) {
      case TokenType::kEq: return BinaryOp::kEq;
      case TokenType::kNe: return BinaryOp::kNe;
      case TokenType::kLt: return BinaryOp::kLt;
      case TokenType::kLe: return BinaryOp::kLe;
      case TokenType::kGt: return BinaryOp::kGt;
      case TokenType::kGe: return BinaryOp::kGe;
      case TokenType::kConcat: return BinaryOp::kConcat;
      case TokenType::kPlus: return BinaryOp::kAdd;
      case TokenType::kMinus: return BinaryOp::kSub;
      case TokenType::kStar: return BinaryOp::kMul;
      case TokenType::kSlash: return BinaryOp::kDiv;
      case TokenType::kPercent: return BinaryOp::kMod;
      default: return t.keyword == Keyword::kAnd ? BinaryOp::kAnd : BinaryOp::kOr;
    }
  }

  // Precedence climbing: parses an expression whose operators all bind at least as tightly as min_prec.
  Result<ExprPtr> ParseExpr(int min_prec) {
    DepthGuard guard(&depth_);
    TANDEM_RETURN_IF_ERROR(CheckDepth(depth_, Peek().pos));
    TANDEM_ASSIGN_OR_RETURN(ExprPtr left, ParsePrefix());
    int nonassoc_prec = -1;        // the level of a non-associative operator just applied
    LogicalExpr* chain = nullptr;  // the AND / OR chain this loop built, while it is `left`
    while (true) {
      int prec = InfixPrec();
      if (prec < 0 || prec < min_prec) break;
      const Token& op = Peek();
      if (prec == nonassoc_prec) {
        return ErrorAt(op.pos, std::string(prec == kPrecCompare ? "comparison" : "BETWEEN, IN and LIKE") +
                                   " operators cannot be chained; use parentheses (found " + Describe(op) +
                                   ")");
      }
      SourcePos pos = left->pos;
      ExprPtr node;
      if (prec == kPrecIs) {
        Advance();
        bool negated = Match(Keyword::kNot);
        if (!Match(Keyword::kNull))
          return SyntaxError(Peek(), negated ? "NULL after IS NOT" : "NULL after IS");
        node = std::make_unique<IsNullExpr>(pos, std::move(left), negated);
      } else if (prec == kPrecLikeFamily) {
        bool negated = Match(Keyword::kNot);
        Keyword k = Advance().keyword;
        if (k == Keyword::kBetween) {
          TANDEM_ASSIGN_OR_RETURN(ExprPtr low, ParseExpr(kPrecLikeFamily + 1));
          TANDEM_RETURN_IF_ERROR(Expect(Keyword::kAnd));
          TANDEM_ASSIGN_OR_RETURN(ExprPtr high, ParseExpr(kPrecLikeFamily + 1));
          node =
              std::make_unique<BetweenExpr>(pos, std::move(left), std::move(low), std::move(high), negated);
        } else if (k == Keyword::kIn) {
          TANDEM_RETURN_IF_ERROR(Expect(TokenType::kLParen, "'(' after IN"));
          std::vector<ExprPtr> list;
          do {
            TANDEM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
            list.push_back(std::move(e));
          } while (Match(TokenType::kComma));
          TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "',' or ')'"));
          node = std::make_unique<InListExpr>(pos, std::move(left), std::move(list), negated);
        } else {
          TANDEM_ASSIGN_OR_RETURN(ExprPtr pattern, ParseExpr(kPrecLikeFamily + 1));
          node = std::make_unique<LikeExpr>(pos, std::move(left), std::move(pattern), negated,
                                            k == Keyword::kILike);
        }
        nonassoc_prec = kPrecLikeFamily;
      } else if (prec == kPrecCast) {
        Advance();
        TANDEM_ASSIGN_OR_RETURN(TypeName type, ParseType());
        node = std::make_unique<CastExpr>(pos, std::move(left), type, true);
      } else {
        BinaryOp bop = TokenBinaryOp(Advance());
        TANDEM_ASSIGN_OR_RETURN(ExprPtr right, ParseExpr(prec + 1));
        if (bop == BinaryOp::kAnd || bop == BinaryOp::kOr) {
          // A chain of one operator is one node, however long (no tree of height n for n terms).
          if (chain != nullptr && chain == left.get() && chain->op == bop) {
            TANDEM_RETURN_IF_ERROR(AppendOperand(chain, std::move(right)));
            nonassoc_prec = -1;
            continue;
          }
          std::vector<ExprPtr> operands;
          operands.push_back(std::move(left));
          operands.push_back(std::move(right));
          node = std::make_unique<LogicalExpr>(pos, bop, std::move(operands));
        } else {
          node = std::make_unique<BinaryExpr>(pos, bop, std::move(left), std::move(right));
        }
        nonassoc_prec = prec == kPrecCompare ? kPrecCompare : -1;
      }
      if (prec != kPrecCompare && prec != kPrecLikeFamily) nonassoc_prec = -1;
      TANDEM_ASSIGN_OR_RETURN(left, Finish(std::move(node)));
      chain = left->kind == ExprKind::kLogical ? &left->As<LogicalExpr>() : nullptr;
    }
    return left;
  }

  Result<ExprPtr> ParsePrefix() {
    const Token& t = Peek();
    if (t.Is(Keyword::kNot) && !t.quoted) {
      Advance();
      TANDEM_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr(kPrecNot));
      return Finish(std::make_unique<UnaryExpr>(t.pos, UnaryOp::kNot, std::move(operand)));
    }
    if (t.Is(TokenType::kMinus) || t.Is(TokenType::kPlus)) {
      Advance();
      bool minus = t.Is(TokenType::kMinus);
      if (minus && (Peek().Is(TokenType::kInteger) || Peek().Is(TokenType::kDecimal))) {
        // Folded: -9223372036854775808 is a BIGINT literal.
        const Token& number = Advance();
        TANDEM_ASSIGN_OR_RETURN(Value v, number.Is(TokenType::kInteger) ? IntegerValue(number, true)
                                                                        : DecimalValue(number, true));
        return Finish(std::make_unique<Literal>(t.pos, std::move(v)));
      }
      TANDEM_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr(kPrecUnary));
      return Finish(
          std::make_unique<UnaryExpr>(t.pos, minus ? UnaryOp::kNegate : UnaryOp::kPlus, std::move(operand)));
    }
    return ParsePrimary();
  }

  Result<Value> IntegerValue(const Token& t, bool negative) const {
    // Magnitude up to 2^63 (the magnitude of INT64_MIN).
    constexpr uint64_t kLimit = uint64_t{1} << 63;
    uint64_t v = 0;
    bool overflow = false;
    for (char c : t.text) {
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (kLimit - d) / 10) {
        overflow = true;
        break;
      }
      v = v * 10 + d;
    }
    if (overflow || (!negative && v == kLimit)) {
      return Status::InvalidArgument("integer literal " + std::string(negative ? "-" : "") + t.text +
                                     " is out of range for BIGINT at " + t.pos.ToString());
    }
    int64_t x = negative ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v);
    return Value::Int64(x);
  }

  Result<Value> DecimalValue(const Token& t, bool negative) const {
    double d = 0;
    auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), d);
    if (r.ec != std::errc() || r.ptr != t.text.data() + t.text.size() || !std::isfinite(d)) {
      return Status::InvalidArgument("numeric literal " + std::string(negative ? "-" : "") + t.text +
                                     " is out of range for DOUBLE at " + t.pos.ToString());
    }
    return Value::Double(negative ? -d : d);
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.type) {
      case TokenType::kInteger: {
        Advance();
        TANDEM_ASSIGN_OR_RETURN(Value v, IntegerValue(t, false));
        return Finish(std::make_unique<Literal>(t.pos, std::move(v)));
      }
      case TokenType::kDecimal: {
        Advance();
        TANDEM_ASSIGN_OR_RETURN(Value v, DecimalValue(t, false));
        return Finish(std::make_unique<Literal>(t.pos, std::move(v)));
      }
      case TokenType::kString:
        Advance();
        return Finish(std::make_unique<Literal>(t.pos, Value::String(t.text)));
      case TokenType::kLParen: {
        Advance();
        if (PeekKeyword(Keyword::kSelect)) return ErrorAt(Peek().pos, "subqueries are not supported");
        TANDEM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
        TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "')'"));
        return e;
      }
      case TokenType::kIdentifier: return ParseWord();
      default: return SyntaxError(t, "an expression");
    }
  }

  Result<ExprPtr> ParseWord() {
    const Token& t = Peek();
    if (!t.quoted) {
      switch (t.keyword) {
        case Keyword::kTrue:
        case Keyword::kFalse:
          Advance();
          return Finish(std::make_unique<Literal>(t.pos, Value::Boolean(t.keyword == Keyword::kTrue)));
        case Keyword::kNull: Advance(); return Finish(std::make_unique<Literal>(t.pos, Value()));
        case Keyword::kCase: return ParseCase();
        case Keyword::kCast: return ParseCast();
        case Keyword::kSelect: return ErrorAt(t.pos, "subqueries are not supported");
        case Keyword::kDate:
        case Keyword::kTimestamp:
          if (Peek(1).Is(TokenType::kString)) return ParseTypedLiteral();
          break;
        default:
          if (IsReserved(t.keyword)) return SyntaxError(t, "an expression");
          break;
      }
    }
    Advance();
    if (Peek().Is(TokenType::kLParen)) return ParseFunctionCall(t);
    if (Match(TokenType::kDot)) {
      const Token& col = Peek();
      if (!col.Is(TokenType::kIdentifier)) return SyntaxError(col, "a column name after '" + t.text + ".'");
      Advance();
      return Finish(std::make_unique<ColumnRef>(t.pos, t.text, col.text));
    }
    return Finish(std::make_unique<ColumnRef>(t.pos, std::string(), t.text));
  }

  Result<ExprPtr> ParseTypedLiteral() {
    const Token& kw = Advance();
    const Token& s = Advance();
    if (kw.keyword == Keyword::kDate) {
      auto days = ParseDate(s.text);
      if (!days) {
        return Status::InvalidArgument("invalid DATE literal " + QuoteString(s.text) + " at " +
                                       kw.pos.ToString() + "; expected 'YYYY-MM-DD'");
      }
      return Finish(std::make_unique<Literal>(kw.pos, Value::Date(*days)));
    }
    auto micros = ParseTimestampMicros(s.text);
    if (!micros) {
      return Status::InvalidArgument("invalid TIMESTAMP literal " + QuoteString(s.text) + " at " +
                                     kw.pos.ToString() + "; expected 'YYYY-MM-DD HH:MM:SS[.ffffff]'");
    }
    return Finish(std::make_unique<Literal>(kw.pos, Value::Timestamp(*micros, TimeUnit::kMicros)));
  }

  Result<ExprPtr> ParseFunctionCall(const Token& name) {
    Advance();  // '('
    std::vector<ExprPtr> args;
    bool distinct = false;
    bool star = false;
    if (Match(TokenType::kStar)) {
      star = true;
    } else if (!Peek().Is(TokenType::kRParen)) {
      if (Match(Keyword::kDistinct)) {
        distinct = true;
      } else {
        Match(Keyword::kAll);
      }
      do {
        TANDEM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
        args.push_back(std::move(e));
      } while (Match(TokenType::kComma));
    }
    TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, star ? "')' after '*'" : "',' or ')'"));
    return Finish(std::make_unique<FunctionCall>(name.pos, name.text, std::move(args), distinct, star));
  }

  Result<ExprPtr> ParseCase() {
    SourcePos pos = Advance().pos;
    ExprPtr operand;
    if (PeekKeyword(Keyword::kEnd) || PeekKeyword(Keyword::kElse)) return SyntaxError(Peek(), "WHEN");
    if (!PeekKeyword(Keyword::kWhen)) {
      TANDEM_ASSIGN_OR_RETURN(operand, ParseExpr(0));
    }
    std::vector<WhenClause> whens;
    while (Match(Keyword::kWhen)) {
      WhenClause w;
      TANDEM_ASSIGN_OR_RETURN(w.condition, ParseExpr(0));
      TANDEM_RETURN_IF_ERROR(Expect(Keyword::kThen));
      TANDEM_ASSIGN_OR_RETURN(w.result, ParseExpr(0));
      whens.push_back(std::move(w));
    }
    if (whens.empty()) return SyntaxError(Peek(), "WHEN");
    ExprPtr else_result;
    if (Match(Keyword::kElse)) {
      TANDEM_ASSIGN_OR_RETURN(else_result, ParseExpr(0));
    }
    if (!Match(Keyword::kEnd)) return SyntaxError(Peek(), else_result ? "END" : "WHEN, ELSE or END");
    return Finish(
        std::make_unique<CaseExpr>(pos, std::move(operand), std::move(whens), std::move(else_result)));
  }

  Result<ExprPtr> ParseCast() {
    SourcePos pos = Advance().pos;
    TANDEM_RETURN_IF_ERROR(Expect(TokenType::kLParen, "'(' after CAST"));
    TANDEM_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
    TANDEM_RETURN_IF_ERROR(Expect(Keyword::kAs));
    TANDEM_ASSIGN_OR_RETURN(TypeName type, ParseType());
    TANDEM_RETURN_IF_ERROR(Expect(TokenType::kRParen, "')'"));
    return Finish(std::make_unique<CastExpr>(pos, std::move(e), type, false));
  }

  std::string_view sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::unordered_map<const Expr*, int> heights_;
  size_t implicit_alias_token_ = static_cast<size_t>(-1);
  const char* implicit_alias_expect_ = nullptr;
};

}  // namespace

Result<StatementPtr> ParseStatement(std::string_view sql) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return Parser(sql, std::move(tokens)).OneStatement();
}

Result<std::vector<StatementPtr>> ParseScript(std::string_view sql) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return Parser(sql, std::move(tokens)).Script();
}

Result<ExprPtr> ParseExpression(std::string_view sql) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  return Parser(sql, std::move(tokens)).StandaloneExpression();
}

}  // namespace tandem::sql
