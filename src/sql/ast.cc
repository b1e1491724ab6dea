#include "sql/ast.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "sql/datetime.h"
#include "sql/token.h"

namespace tandem::sql {
namespace {

// Binding strength of each expression form when printed; must agree with the parser (parser.cc).
constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecNot = 3;
constexpr int kPrecIs = 4;
constexpr int kPrecCompare = 5;
constexpr int kPrecLikeFamily = 6;  // [NOT] LIKE / ILIKE / IN / BETWEEN
constexpr int kPrecConcat = 7;
constexpr int kPrecAdd = 8;
constexpr int kPrecMul = 9;
constexpr int kPrecUnary = 10;
constexpr int kPrecCast = 11;  // x::type
constexpr int kPrecPrimary = 12;

int BinaryPrec(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return kPrecOr;
    case BinaryOp::kAnd: return kPrecAnd;
    case BinaryOp::kEq:
    case BinaryOp::kNe:
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe: return kPrecCompare;
    case BinaryOp::kConcat: return kPrecConcat;
    case BinaryOp::kAdd:
    case BinaryOp::kSub: return kPrecAdd;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod: return kPrecMul;
  }
  return kPrecPrimary;
}

int Prec(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary: return BinaryPrec(e.As<BinaryExpr>().op);
    case ExprKind::kLogical: return BinaryPrec(e.As<LogicalExpr>().op);
    case ExprKind::kUnary: return e.As<UnaryExpr>().op == UnaryOp::kNot ? kPrecNot : kPrecUnary;
    case ExprKind::kIsNull: return kPrecIs;
    case ExprKind::kInList:
    case ExprKind::kBetween:
    case ExprKind::kLike: return kPrecLikeFamily;
    case ExprKind::kCast: return e.As<CastExpr>().double_colon ? kPrecCast : kPrecPrimary;
    default: return kPrecPrimary;
  }
}

void Print(const Expr& e, int min_prec, std::string* out);

void PrintList(const std::vector<ExprPtr>& list, std::string* out) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) *out += ", ";
    Print(*list[i], 0, out);
  }
}

void PrintRaw(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kColumnRef: {
      const auto& c = e.As<ColumnRef>();
      if (!c.table.empty()) *out += QuoteIdentifier(c.table) + ".";
      *out += QuoteIdentifier(c.column);
      return;
    }
    case ExprKind::kLiteral: *out += LiteralToString(e.As<Literal>().value); return;
    case ExprKind::kUnary: {
      const auto& u = e.As<UnaryExpr>();
      if (u.op == UnaryOp::kNot) {
        *out += "NOT ";
        Print(*u.operand, kPrecNot, out);
        return;
      }
      *out += u.op == UnaryOp::kNegate ? "-" : "+";
      std::string operand;
      Print(*u.operand, kPrecUnary, &operand);
      // "-(5)" stays a unary minus (a bare "-5" would parse as a literal); "- -x" avoids a "--" comment.
      unsigned char first = static_cast<unsigned char>(operand[0]);
      if ((first >= '0' && first <= '9') || first == '.') {
        operand = "(" + operand + ")";
      } else if (first == '-' || first == '+') {
        operand = " " + operand;
      }
      *out += operand;
      return;
    }
    case ExprKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      int p = BinaryPrec(b.op);
      // Comparisons do not associate; the others associate to the left.
      Print(*b.left, p == kPrecCompare ? p + 1 : p, out);
      *out += " ";
      *out += BinaryOpToString(b.op);
      *out += " ";
      Print(*b.right, p + 1, out);
      return;
    }
    case ExprKind::kLogical: {
      const auto& l = e.As<LogicalExpr>();
      const int p = BinaryPrec(l.op);
      for (size_t i = 0; i < l.operands.size(); ++i) {
        if (i > 0) {
          *out += " ";
          *out += BinaryOpToString(l.op);
          *out += " ";
        }
        // A nested chain of the same operator keeps its parentheses, so it parses back as one operand.
        Print(*l.operands[i], p + 1, out);
      }
      return;
    }
    case ExprKind::kIsNull: {
      const auto& n = e.As<IsNullExpr>();
      Print(*n.operand, kPrecIs, out);
      *out += n.negated ? " IS NOT NULL" : " IS NULL";
      return;
    }
    case ExprKind::kInList: {
      const auto& in = e.As<InListExpr>();
      Print(*in.operand, kPrecLikeFamily + 1, out);
      *out += in.negated ? " NOT IN (" : " IN (";
      PrintList(in.list, out);
      *out += ")";
      return;
    }
    case ExprKind::kBetween: {
      const auto& b = e.As<BetweenExpr>();
      Print(*b.operand, kPrecLikeFamily + 1, out);
      *out += b.negated ? " NOT BETWEEN " : " BETWEEN ";
      Print(*b.low, kPrecLikeFamily + 1, out);
      *out += " AND ";
      Print(*b.high, kPrecLikeFamily + 1, out);
      return;
    }
    case ExprKind::kLike: {
      const auto& l = e.As<LikeExpr>();
      Print(*l.operand, kPrecLikeFamily + 1, out);
      *out += l.negated ? " NOT" : "";
      *out += l.case_insensitive ? " ILIKE " : " LIKE ";
      Print(*l.pattern, kPrecLikeFamily + 1, out);
      return;
    }
    case ExprKind::kCase: {
      const auto& c = e.As<CaseExpr>();
      *out += "CASE";
      if (c.operand) {
        *out += " ";
        Print(*c.operand, 0, out);
      }
      for (const auto& w : c.whens) {
        *out += " WHEN ";
        Print(*w.condition, 0, out);
        *out += " THEN ";
        Print(*w.result, 0, out);
      }
      if (c.else_result) {
        *out += " ELSE ";
        Print(*c.else_result, 0, out);
      }
      *out += " END";
      return;
    }
    case ExprKind::kCast: {
      const auto& c = e.As<CastExpr>();
      if (c.double_colon) {
        Print(*c.operand, kPrecCast, out);
        *out += "::" + c.type.ToString();
      } else {
        *out += "CAST(";
        Print(*c.operand, 0, out);
        *out += " AS " + c.type.ToString() + ")";
      }
      return;
    }
    case ExprKind::kFunctionCall: {
      const auto& f = e.As<FunctionCall>();
      *out += QuoteIdentifier(f.name) + "(";
      if (f.star) {
        *out += "*";
      } else {
        if (f.distinct) *out += "DISTINCT ";
        PrintList(f.args, out);
      }
      *out += ")";
      return;
    }
  }
}

void Print(const Expr& e, int min_prec, std::string* out) {
  if (Prec(e) < min_prec) {
    *out += "(";
    PrintRaw(e, out);
    *out += ")";
  } else {
    PrintRaw(e, out);
  }
}

ExprPtr CloneOrNull(const ExprPtr& e) {
  return e ? e->Clone() : nullptr;
}

std::vector<ExprPtr> CloneList(const std::vector<ExprPtr>& list) {
  std::vector<ExprPtr> out;
  out.reserve(list.size());
  for (const auto& e : list) out.push_back(e->Clone());
  return out;
}

bool EqualOrBothNull(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return !a && !b;
  return a->Equals(*b);
}

bool ListEquals(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i]->Equals(*b[i])) return false;
  }
  return true;
}

std::string DoubleToString(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string PrintOptionKey(const std::string& key) {
  // Bare when it reads back as a dotted name; otherwise a string.
  bool bare = !key.empty();
  bool at_part_start = true;
  for (char c : key) {
    bool letter = (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (at_part_start) bare = false;
      at_part_start = true;
    } else if (letter || (digit && !at_part_start)) {
      at_part_start = false;
    } else {
      bare = false;
    }
  }
  if (at_part_start) bare = false;
  return bare ? key : QuoteString(key);
}

void PrintSelect(const SelectStmt& s, std::string* out) {
  *out += "SELECT ";
  if (s.distinct) *out += "DISTINCT ";
  for (size_t i = 0; i < s.items.size(); ++i) {
    const auto& item = s.items[i];
    if (i > 0) *out += ", ";
    if (item.is_star) {
      if (!item.star_table.empty()) *out += QuoteIdentifier(item.star_table) + ".";
      *out += "*";
      continue;
    }
    Print(*item.expr, 0, out);
    if (!item.alias.empty()) *out += " AS " + QuoteIdentifier(item.alias);
  }
  if (s.from) {
    *out += " FROM " + QuoteIdentifier(s.from->name);
    if (!s.from->alias.empty()) *out += " AS " + QuoteIdentifier(s.from->alias);
  }
  if (s.where) {
    *out += " WHERE ";
    Print(*s.where, 0, out);
  }
  if (!s.group_by.empty()) {
    *out += " GROUP BY ";
    PrintList(s.group_by, out);
  }
  if (s.having) {
    *out += " HAVING ";
    Print(*s.having, 0, out);
  }
  if (!s.order_by.empty()) {
    *out += " ORDER BY ";
    for (size_t i = 0; i < s.order_by.size(); ++i) {
      const auto& o = s.order_by[i];
      if (i > 0) *out += ", ";
      Print(*o.expr, 0, out);
      if (o.descending) *out += " DESC";
      if (o.nulls == NullsOrder::kFirst) *out += " NULLS FIRST";
      if (o.nulls == NullsOrder::kLast) *out += " NULLS LAST";
    }
  }
  if (s.limit) *out += " LIMIT " + std::to_string(*s.limit);
  if (s.offset) *out += " OFFSET " + std::to_string(*s.offset);
}

}  // namespace

std::string SourcePos::ToString() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string TypeName::ToString() const {
  switch (type.id) {
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt32: return "INTEGER";
    case TypeId::kInt64: return "BIGINT";
    case TypeId::kUInt64: return "UBIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kString: return max_length >= 0 ? "VARCHAR(" + std::to_string(max_length) + ")" : "VARCHAR";
    case TypeId::kBinary: return "BLOB";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp:
      switch (type.unit) {
        case TimeUnit::kMillis: return "TIMESTAMP_MS";
        case TimeUnit::kMicros: return "TIMESTAMP";
        case TimeUnit::kNanos: return "TIMESTAMP_NS";
      }
      return "TIMESTAMP";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
  }
  return "UNKNOWN";
}

const char* BinaryOpToString(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNe: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kConcat: return "||";
  }
  return "?";
}

std::string QuoteIdentifier(std::string_view name) {
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$')) bare = false;
  }
  if (bare && name[0] == '$') bare = false;
  if (bare && IsReserved(LookupKeyword(name))) bare = false;
  if (bare) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string LiteralToString(const Value& v) {
  const DataType& t = v.type();
  TypeName tn{t};
  if (v.is_null()) return t.id == TypeId::kInt64 ? "NULL" : "CAST(NULL AS " + tn.ToString() + ")";
  switch (t.id) {
    case TypeId::kBoolean: return v.bool_value() ? "TRUE" : "FALSE";
    case TypeId::kInt64: return std::to_string(v.int_value());
    case TypeId::kInt32: return "CAST(" + std::to_string(v.int_value()) + " AS INTEGER)";
    case TypeId::kUInt64: return "CAST('" + std::to_string(v.uint_value()) + "' AS UBIGINT)";
    case TypeId::kDouble:
    case TypeId::kFloat: {
      double d = v.double_value();
      std::string text;
      if (std::isnan(d)) {
        text = "CAST('NaN' AS DOUBLE)";
      } else if (std::isinf(d)) {
        text = d > 0 ? "CAST('Infinity' AS DOUBLE)" : "CAST('-Infinity' AS DOUBLE)";
      } else {
        text = DoubleToString(d);
      }
      return t.id == TypeId::kFloat ? "CAST(" + text + " AS FLOAT)" : text;
    }
    case TypeId::kString: return QuoteString(v.string_value());
    case TypeId::kBinary: return "CAST(" + QuoteString(v.string_value()) + " AS BLOB)";
    case TypeId::kDate: return "DATE " + QuoteString(FormatDate(v.int_value()));
    case TypeId::kTimestamp: {
      int64_t x = v.int_value();
      switch (t.unit) {
        case TimeUnit::kMicros: return "TIMESTAMP " + QuoteString(FormatTimestampMicros(x));
        case TimeUnit::kMillis:
          return "CAST(TIMESTAMP " + QuoteString(FormatTimestampMicros(x * 1000)) + " AS TIMESTAMP_MS)";
        case TimeUnit::kNanos: {
          // The literal syntax stops at microseconds; sub-microsecond digits are dropped in print.
          int64_t micros = x / 1000 - ((x % 1000 != 0 && x < 0) ? 1 : 0);
          return "CAST(TIMESTAMP " + QuoteString(FormatTimestampMicros(micros)) + " AS TIMESTAMP_NS)";
        }
      }
      return "NULL";
    }
    case TypeId::kDecimal: {
      __int128 u = v.decimal_value();
      bool neg = u < 0;
      unsigned __int128 mag = neg ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(u)
                                  : static_cast<unsigned __int128>(u);
      std::string digits;
      do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
        mag /= 10;
      } while (mag != 0);
      if (t.scale > 0) {
        while (static_cast<int32_t>(digits.size()) <= t.scale) digits.insert(digits.begin(), '0');
        digits.insert(digits.end() - t.scale, '.');
      }
      return "CAST('" + std::string(neg ? "-" : "") + digits + "' AS " + tn.ToString() + ")";
    }
  }
  return "NULL";
}

// ---------------------------------------------------------------------------------------------------
// Expr

std::string Expr::ToString() const {
  std::string out;
  Print(*this, 0, &out);
  return out;
}

void Expr::ForEachChild(const std::function<void(const Expr&)>& fn) const {
  switch (kind) {
    case ExprKind::kColumnRef:
    case ExprKind::kLiteral: return;
    case ExprKind::kUnary: fn(*As<UnaryExpr>().operand); return;
    case ExprKind::kBinary:
      fn(*As<BinaryExpr>().left);
      fn(*As<BinaryExpr>().right);
      return;
    case ExprKind::kLogical:
      for (const auto& e : As<LogicalExpr>().operands) fn(*e);
      return;
    case ExprKind::kIsNull: fn(*As<IsNullExpr>().operand); return;
    case ExprKind::kInList:
      fn(*As<InListExpr>().operand);
      for (const auto& e : As<InListExpr>().list) fn(*e);
      return;
    case ExprKind::kBetween:
      fn(*As<BetweenExpr>().operand);
      fn(*As<BetweenExpr>().low);
      fn(*As<BetweenExpr>().high);
      return;
    case ExprKind::kLike:
      fn(*As<LikeExpr>().operand);
      fn(*As<LikeExpr>().pattern);
      return;
    case ExprKind::kCase: {
      const auto& c = As<CaseExpr>();
      if (c.operand) fn(*c.operand);
      for (const auto& w : c.whens) {
        fn(*w.condition);
        fn(*w.result);
      }
      if (c.else_result) fn(*c.else_result);
      return;
    }
    case ExprKind::kCast: fn(*As<CastExpr>().operand); return;
    case ExprKind::kFunctionCall:
      for (const auto& e : As<FunctionCall>().args) fn(*e);
      return;
  }
}

bool Expr::Equals(const Expr& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case ExprKind::kColumnRef: {
      const auto &a = As<ColumnRef>(), &b = o.As<ColumnRef>();
      return a.table == b.table && a.column == b.column;
    }
    case ExprKind::kLiteral: return As<Literal>().value == o.As<Literal>().value;
    case ExprKind::kUnary: {
      const auto &a = As<UnaryExpr>(), &b = o.As<UnaryExpr>();
      return a.op == b.op && a.operand->Equals(*b.operand);
    }
    case ExprKind::kBinary: {
      const auto &a = As<BinaryExpr>(), &b = o.As<BinaryExpr>();
      return a.op == b.op && a.left->Equals(*b.left) && a.right->Equals(*b.right);
    }
    case ExprKind::kLogical: {
      const auto &a = As<LogicalExpr>(), &b = o.As<LogicalExpr>();
      return a.op == b.op && ListEquals(a.operands, b.operands);
    }
    case ExprKind::kIsNull: {
      const auto &a = As<IsNullExpr>(), &b = o.As<IsNullExpr>();
      return a.negated == b.negated && a.operand->Equals(*b.operand);
    }
    case ExprKind::kInList: {
      const auto &a = As<InListExpr>(), &b = o.As<InListExpr>();
      return a.negated == b.negated && a.operand->Equals(*b.operand) && ListEquals(a.list, b.list);
    }
    case ExprKind::kBetween: {
      const auto &a = As<BetweenExpr>(), &b = o.As<BetweenExpr>();
      return a.negated == b.negated && a.operand->Equals(*b.operand) && a.low->Equals(*b.low) &&
             a.high->Equals(*b.high);
    }
    case ExprKind::kLike: {
      const auto &a = As<LikeExpr>(), &b = o.As<LikeExpr>();
      return a.negated == b.negated && a.case_insensitive == b.case_insensitive &&
             a.operand->Equals(*b.operand) && a.pattern->Equals(*b.pattern);
    }
    case ExprKind::kCase: {
      const auto &a = As<CaseExpr>(), &b = o.As<CaseExpr>();
      if (!EqualOrBothNull(a.operand, b.operand) || !EqualOrBothNull(a.else_result, b.else_result)) {
        return false;
      }
      if (a.whens.size() != b.whens.size()) return false;
      for (size_t i = 0; i < a.whens.size(); ++i) {
        if (!a.whens[i].condition->Equals(*b.whens[i].condition) ||
            !a.whens[i].result->Equals(*b.whens[i].result)) {
          return false;
        }
      }
      return true;
    }
    case ExprKind::kCast: {
      const auto &a = As<CastExpr>(), &b = o.As<CastExpr>();
      return a.type == b.type && a.operand->Equals(*b.operand);
    }
    case ExprKind::kFunctionCall: {
      const auto &a = As<FunctionCall>(), &b = o.As<FunctionCall>();
      return a.name == b.name && a.distinct == b.distinct && a.star == b.star && ListEquals(a.args, b.args);
    }
  }
  return false;
}

ExprPtr ColumnRef::Clone() const {
  return std::make_unique<ColumnRef>(pos, table, column);
}
ExprPtr Literal::Clone() const {
  return std::make_unique<Literal>(pos, value);
}
ExprPtr UnaryExpr::Clone() const {
  return std::make_unique<UnaryExpr>(pos, op, operand->Clone());
}
ExprPtr BinaryExpr::Clone() const {
  return std::make_unique<BinaryExpr>(pos, op, left->Clone(), right->Clone());
}
ExprPtr LogicalExpr::Clone() const {
  return std::make_unique<LogicalExpr>(pos, op, CloneList(operands));
}
ExprPtr IsNullExpr::Clone() const {
  return std::make_unique<IsNullExpr>(pos, operand->Clone(), negated);
}
ExprPtr InListExpr::Clone() const {
  return std::make_unique<InListExpr>(pos, operand->Clone(), CloneList(list), negated);
}
ExprPtr BetweenExpr::Clone() const {
  return std::make_unique<BetweenExpr>(pos, operand->Clone(), low->Clone(), high->Clone(), negated);
}
ExprPtr LikeExpr::Clone() const {
  return std::make_unique<LikeExpr>(pos, operand->Clone(), pattern->Clone(), negated, case_insensitive);
}
ExprPtr CaseExpr::Clone() const {
  std::vector<WhenClause> w;
  w.reserve(whens.size());
  for (const auto& c : whens) w.push_back({c.condition->Clone(), c.result->Clone()});
  return std::make_unique<CaseExpr>(pos, CloneOrNull(operand), std::move(w), CloneOrNull(else_result));
}
ExprPtr CastExpr::Clone() const {
  return std::make_unique<CastExpr>(pos, operand->Clone(), type, double_colon);
}
ExprPtr FunctionCall::Clone() const {
  return std::make_unique<FunctionCall>(pos, name, CloneList(args), distinct, star);
}

// ---------------------------------------------------------------------------------------------------
// Statement

std::string Statement::ToString() const {
  std::string out;
  switch (kind) {
    case StatementKind::kCreateStream: {
      const auto& s = As<CreateStreamStmt>();
      out += "CREATE STREAM ";
      if (s.if_not_exists) out += "IF NOT EXISTS ";
      out += QuoteIdentifier(s.name) + " (";
      for (size_t i = 0; i < s.columns.size(); ++i) {
        const auto& c = s.columns[i];
        if (i > 0) out += ", ";
        out += QuoteIdentifier(c.name) + " " + c.type.ToString();
        if (c.not_null) out += " NOT NULL";
      }
      out += ")";
      if (!s.options.empty()) {
        out += " WITH (";
        for (size_t i = 0; i < s.options.size(); ++i) {
          if (i > 0) out += ", ";
          out += PrintOptionKey(s.options[i].key) + " = " + QuoteString(s.options[i].value);
        }
        out += ")";
      }
      return out;
    }
    case StatementKind::kCreateView: {
      const auto& s = As<CreateViewStmt>();
      out += "CREATE VIEW ";
      if (s.if_not_exists) out += "IF NOT EXISTS ";
      out += QuoteIdentifier(s.name) + " AS ";
      PrintSelect(*s.query, &out);
      return out;
    }
    case StatementKind::kSelect: PrintSelect(As<SelectStmt>(), &out); return out;
    case StatementKind::kShow:
      return As<ShowStmt>().target == ShowTarget::kStreams ? "SHOW STREAMS" : "SHOW VIEWS";
    case StatementKind::kDescribe: return "DESCRIBE " + QuoteIdentifier(As<DescribeStmt>().name);
    case StatementKind::kDrop: {
      const auto& s = As<DropStmt>();
      out += s.object == ObjectType::kStream ? "DROP STREAM " : "DROP VIEW ";
      if (s.if_exists) out += "IF EXISTS ";
      return out + QuoteIdentifier(s.name);
    }
  }
  return out;
}

}  // namespace tandem::sql
