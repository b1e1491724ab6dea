#include "exec/expression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "exec/cast.h"

namespace tandem::exec {

namespace {

// ============================================================================================
// Type helpers
// ============================================================================================

bool IsIntegral(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kUInt64;
}
bool IsFloating(TypeId id) {
  return id == TypeId::kFloat || id == TypeId::kDouble;
}
bool IsNumber(TypeId id) {
  return IsIntegral(id) || IsFloating(id) || id == TypeId::kDecimal;
}
bool IsStringLike(TypeId id) {
  return id == TypeId::kString || id == TypeId::kBinary;
}

std::vector<int> UnionColumns(const std::vector<ExprPtr>& children) {
  std::vector<int> out;
  for (const ExprPtr& c : children) out.insert(out.end(), c->columns_used.begin(), c->columns_used.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ExprPtr MakeNode(ExprKind kind, DataType type, std::vector<ExprPtr> children) {
  auto e = std::make_shared<Expression>();
  e->kind = kind;
  e->type = type;
  e->children = std::move(children);
  e->columns_used = UnionColumns(e->children);
  return e;
}

ExprPtr MakeLiteral(Value v) {
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kLiteral;
  e->type = v.type();
  e->literal = std::move(v);
  return e;
}

// Converts `e` to type `to`: literals are converted now (so a bad literal fails at build time), other
// expressions get a CAST node.
ExprResult CoerceTo(const ExprPtr& e, const DataType& to) {
  if (e->type == to) return e;
  if (e->IsLiteral()) {
    if (e->literal.is_null()) return MakeLiteral(Value::Null(to));
    Column c(e->type);
    e->literal.AppendTo(&c);
    auto cast = CastColumn(c, to);
    if (!cast.ok()) return cast.status();
    return MakeLiteral(Value::FromColumn(*cast, 0));
  }
  if (!CanCast(e->type, to)) {
    return Status::InvalidArgument("cannot cast " + e->ToString() + " of type " + e->type.ToString() +
                                   " to " + to.ToString());
  }
  return MakeNode(ExprKind::kCast, to, {e});
}

bool IsStringLiteral(const ExprPtr& e) {
  return e->IsLiteral() && !e->literal.is_null() && e->type.id == TypeId::kString;
}

// What the type rules need to know about one operand of a comparison.
struct OperandInfo {
  DataType type;
  bool null_literal = false;
  bool string_literal = false;
};

OperandInfo InfoOf(const ExprPtr& e) {
  return {e->type, e->IsNullLiteral(), IsStringLiteral(e)};
}

// The type two operands are compared in: NULL and string literals adopt the other side's type, the
// rest meet at CommonType. (Unify and the IN list's constants both follow this.)
Result<DataType> UnifiedType(const OperandInfo& a, const OperandInfo& b) {
  if (a.type == b.type) return a.type;
  if (a.null_literal) return b.type;
  if (b.null_literal) return a.type;
  if (a.string_literal && b.type.id != TypeId::kString) return b.type;
  if (b.string_literal && a.type.id != TypeId::kString) return a.type;
  return ex::CommonType(a.type, b.type);
}

// Brings two operands to one type (UnifiedType).
Status Unify(ExprPtr* a, ExprPtr* b) {
  if ((*a)->type == (*b)->type) return Status::OK();
  TANDEM_ASSIGN_OR_RETURN(DataType t, UnifiedType(InfoOf(*a), InfoOf(*b)));
  TANDEM_ASSIGN_OR_RETURN(*a, CoerceTo(*a, t));
  TANDEM_ASSIGN_OR_RETURN(*b, CoerceTo(*b, t));
  return Status::OK();
}

const char* ArithSymbol(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "+";
    case ArithOp::kSub: return "-";
    case ArithOp::kMul: return "*";
    case ArithOp::kDiv: return "/";
    case ArithOp::kMod: return "%";
  }
  return "?";
}

const char* CompareSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "<>";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

const char* FunctionName(Function f) {
  switch (f) {
    case Function::kDateTrunc: return "date_trunc";
    case Function::kLower: return "lower";
    case Function::kUpper: return "upper";
    case Function::kLength: return "length";
    case Function::kAbs: return "abs";
    case Function::kRound: return "round";
    case Function::kFloor: return "floor";
    case Function::kCeil: return "ceil";
  }
  return "?";
}

// ============================================================================================
// Datum: a column, borrowed from the input or owned, or a scalar (a one-row column).
// ============================================================================================

struct Datum {
  const Column* ref = nullptr;
  Column owned;
  bool scalar = false;

  const Column& col() const { return ref != nullptr ? *ref : owned; }
  size_t stride() const { return scalar ? 0 : 1; }

  static Datum Borrow(const Column& c) {
    Datum d;
    d.ref = &c;
    return d;
  }
  static Datum Own(Column c, bool scalar) {
    Datum d;
    d.owned = std::move(c);
    d.scalar = scalar;
    return d;
  }
};

// Rows of a binary operation's result: 1 when both are scalars, else the length of the non-scalar one
// (the batch's row count — also when that is 0, where a scalar still has one row).
size_t RowsOf(const Datum& a, const Datum& b) {
  if (a.scalar && b.scalar) return 1;
  return a.scalar ? b.col().length() : a.col().length();
}

// Validity of `a AND b` over `n` output rows (strides 0 for scalars); empty = no nulls.
std::vector<uint8_t> CombineValidity(const Datum& a, const Datum& b, size_t n) {
  const Column& ca = a.col();
  const Column& cb = b.col();
  if (!ca.has_nulls() && !cb.has_nulls()) return {};
  std::vector<uint8_t> v(n);
  const size_t sa = a.stride(), sb = b.stride();
  for (size_t i = 0; i < n; ++i) v[i] = ca.IsValid(i * sa) && cb.IsValid(i * sb);
  return v;
}

Column NewFixed(DataType type, size_t n) {
  Column c(type);
  c.mutable_data().assign(n * static_cast<size_t>(type.FixedWidth()), 0);
  c.SetLength(n);
  return c;
}

// Broadcasts a scalar datum to n rows.
Column Broadcast(const Datum& d, size_t n) {
  if (!d.scalar) return d.col();
  const Column& s = d.col();
  Column out(s.type());
  if (s.IsNull(0)) {
    for (size_t i = 0; i < n; ++i) out.AppendNull();
    return out;
  }
  if (s.type().IsVarWidth()) {
    const std::string_view v = s.GetString(0);
    out.Reserve(n, v.size() * n);
    for (size_t i = 0; i < n; ++i) out.AppendString(v);
    return out;
  }
  const size_t w = static_cast<size_t>(s.type().FixedWidth());
  std::vector<uint8_t>& data = out.mutable_data();
  data.resize(n * w);
  for (size_t i = 0; i < n; ++i) std::memcpy(data.data() + i * w, s.data().data(), w);
  out.SetLength(n);
  return out;
}

std::string ValueText(const Column& c, size_t i) {
  std::string s;
  c.AppendJson(i, &s);
  return s;
}

// ============================================================================================
// Arithmetic
// ============================================================================================

template <typename T>
bool ArithOne(ArithOp op, T a, T b, T* out) {  // returns true on error (overflow / division by zero)
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case ArithOp::kAdd: *out = a + b; return false;
      case ArithOp::kSub: *out = a - b; return false;
      case ArithOp::kMul: *out = a * b; return false;
      case ArithOp::kDiv: *out = b == 0 ? 0 : a / b; return b == 0;
      case ArithOp::kMod: *out = b == 0 ? 0 : std::fmod(a, b); return b == 0;
    }
  } else {
    switch (op) {
      case ArithOp::kAdd: return __builtin_add_overflow(a, b, out);
      case ArithOp::kSub: return __builtin_sub_overflow(a, b, out);
      case ArithOp::kMul: return __builtin_mul_overflow(a, b, out);
      case ArithOp::kDiv:
        if (b == 0 || (b == -1 && a == std::numeric_limits<T>::min())) {
          *out = 0;
          return true;
        }
        *out = a / b;
        return false;
      case ArithOp::kMod:
        if (b == 0) {
          *out = 0;
          return true;
        }
        *out = b == -1 ? 0 : a % b;
        return false;
    }
  }
  return false;
}

template <typename T, ArithOp kOp>
bool ArithLoop(const T* a, size_t sa, const T* b, size_t sb, T* out, size_t n) {
  bool bad = false;
  for (size_t i = 0; i < n; ++i) bad |= ArithOne<T>(kOp, a[i * sa], b[i * sb], &out[i]);
  return bad;
}

template <typename T>
Result<Datum> ArithTyped(const Expression& e, const Datum& l, const Datum& r, size_t n) {
  const T* a = l.col().template Values<T>();
  const T* b = r.col().template Values<T>();
  const size_t sa = l.stride(), sb = r.stride();
  Column out = NewFixed(e.type, n);
  T* o = out.MutableValues<T>();
  bool bad = false;
  switch (e.arith_op) {
    case ArithOp::kAdd: bad = ArithLoop<T, ArithOp::kAdd>(a, sa, b, sb, o, n); break;
    case ArithOp::kSub: bad = ArithLoop<T, ArithOp::kSub>(a, sa, b, sb, o, n); break;
    case ArithOp::kMul: bad = ArithLoop<T, ArithOp::kMul>(a, sa, b, sb, o, n); break;
    case ArithOp::kDiv: bad = ArithLoop<T, ArithOp::kDiv>(a, sa, b, sb, o, n); break;
    case ArithOp::kMod: bad = ArithLoop<T, ArithOp::kMod>(a, sa, b, sb, o, n); break;
  }
  out.mutable_validity() = CombineValidity(l, r, n);
  if (bad) {
    for (size_t i = 0; i < n; ++i) {
      T tmp;
      if (out.IsValid(i) && ArithOne<T>(e.arith_op, a[i * sa], b[i * sb], &tmp)) {
        const bool div = e.arith_op == ArithOp::kDiv || e.arith_op == ArithOp::kMod;
        if (div && b[i * sb] == 0) return Status::InvalidArgument("division by zero");
        return Status::InvalidArgument(e.type.ToString() + " out of range: " + ValueText(l.col(), i * sa) +
                                       " " + ArithSymbol(e.arith_op) + " " + ValueText(r.col(), i * sb));
      }
    }
  }
  Datum d = Datum::Own(std::move(out), l.scalar && r.scalar);
  return d;
}

// ============================================================================================
// Comparison
// ============================================================================================

// Three-way comparison with PostgreSQL's float order: NaN equals NaN and is above everything; -0 == 0.
template <typename T>
inline int Cmp3(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

template <CompareOp kOp>
inline uint8_t FromCmp(int c) {
  switch (kOp) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return 0;
}

template <typename T, CompareOp kOp>
void CompareLoop(const Column& l, size_t sa, const Column& r, size_t sb, uint8_t* o, size_t n) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    for (size_t i = 0; i < n; ++i) {
      const int c = l.GetString(i * sa).compare(r.GetString(i * sb));
      o[i] = FromCmp<kOp>(c);
    }
  } else {
    const T* a = l.Values<T>();
    const T* b = r.Values<T>();
    for (size_t i = 0; i < n; ++i) o[i] = FromCmp<kOp>(Cmp3<T>(a[i * sa], b[i * sb]));
  }
}

template <typename T>
void CompareTyped(CompareOp op, const Column& l, size_t sa, const Column& r, size_t sb, uint8_t* o,
                  size_t n) {
  switch (op) {
    case CompareOp::kEq: return CompareLoop<T, CompareOp::kEq>(l, sa, r, sb, o, n);
    case CompareOp::kNe: return CompareLoop<T, CompareOp::kNe>(l, sa, r, sb, o, n);
    case CompareOp::kLt: return CompareLoop<T, CompareOp::kLt>(l, sa, r, sb, o, n);
    case CompareOp::kLe: return CompareLoop<T, CompareOp::kLe>(l, sa, r, sb, o, n);
    case CompareOp::kGt: return CompareLoop<T, CompareOp::kGt>(l, sa, r, sb, o, n);
    case CompareOp::kGe: return CompareLoop<T, CompareOp::kGe>(l, sa, r, sb, o, n);
  }
}

Result<Datum> CompareDatums(CompareOp op, const Datum& l, const Datum& r) {
  const bool scalar = l.scalar && r.scalar;
  const size_t n = RowsOf(l, r);
  Column out = NewFixed(DataType::Boolean(), n);
  uint8_t* o = out.MutableValues<uint8_t>();
  const Column& a = l.col();
  const Column& b = r.col();
  const size_t sa = l.stride(), sb = r.stride();
  switch (a.type().id) {
    case TypeId::kBoolean: CompareTyped<uint8_t>(op, a, sa, b, sb, o, n); break;
    case TypeId::kInt32:
    case TypeId::kDate: CompareTyped<int32_t>(op, a, sa, b, sb, o, n); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: CompareTyped<int64_t>(op, a, sa, b, sb, o, n); break;
    case TypeId::kUInt64: CompareTyped<uint64_t>(op, a, sa, b, sb, o, n); break;
    case TypeId::kFloat: CompareTyped<float>(op, a, sa, b, sb, o, n); break;
    case TypeId::kDouble: CompareTyped<double>(op, a, sa, b, sb, o, n); break;
    case TypeId::kDecimal: CompareTyped<__int128>(op, a, sa, b, sb, o, n); break;
    case TypeId::kString:
    case TypeId::kBinary: CompareTyped<std::string_view>(op, a, sa, b, sb, o, n); break;
  }
  out.mutable_validity() = CombineValidity(l, r, n);
  return Datum::Own(std::move(out), scalar);
}

// ============================================================================================
// Boolean logic
// ============================================================================================

Datum Logic(bool is_and, const Datum& l, const Datum& r) {
  const bool scalar = l.scalar && r.scalar;
  const size_t n = RowsOf(l, r);
  const Column& a = l.col();
  const Column& b = r.col();
  const size_t sa = l.stride(), sb = r.stride();
  const uint8_t* x = a.Values<uint8_t>();
  const uint8_t* y = b.Values<uint8_t>();
  Column out = NewFixed(DataType::Boolean(), n);
  uint8_t* o = out.MutableValues<uint8_t>();
  if (!a.has_nulls() && !b.has_nulls()) {
    if (is_and) {
      for (size_t i = 0; i < n; ++i) o[i] = x[i * sa] & y[i * sb];
    } else {
      for (size_t i = 0; i < n; ++i) o[i] = x[i * sa] | y[i * sb];
    }
    return Datum::Own(std::move(out), scalar);
  }
  std::vector<uint8_t>& valid = out.mutable_validity();
  valid.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t av = a.IsValid(i * sa), bv = b.IsValid(i * sb);
    const uint8_t xv = x[i * sa], yv = y[i * sb];
    if (is_and) {
      // false dominates; else NULL if any NULL; else true.
      const uint8_t any_false = (av & !xv) | (bv & !yv);
      valid[i] = any_false | (av & bv);
      o[i] = static_cast<uint8_t>(!any_false) & av & bv;
    } else {
      const uint8_t any_true = (av & xv) | (bv & yv);
      valid[i] = any_true | (av & bv);
      o[i] = any_true;
    }
  }
  return Datum::Own(std::move(out), scalar);
}

// ============================================================================================
// LIKE
// ============================================================================================

size_t Utf8Len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xe) return 3;
  if ((c >> 3) == 0x1e) return 4;
  return 1;
}

// A compiled LIKE pattern: literal runs, '_' (one character) and '%' (any run).
class LikePattern {
 public:
  explicit LikePattern(std::string_view p) {
    std::string lit;
    auto flush = [&] {
      if (!lit.empty()) tokens_.push_back({kLiteral, std::move(lit)}), lit.clear();
    };
    for (size_t i = 0; i < p.size(); ++i) {
      const char c = p[i];
      if (c == '\\' && i + 1 < p.size()) {
        lit.push_back(p[++i]);
      } else if (c == '%') {
        flush();
        if (tokens_.empty() || tokens_.back().kind != kAny) tokens_.push_back({kAny, {}});
      } else if (c == '_') {
        flush();
        tokens_.push_back({kOne, {}});
      } else {
        lit.push_back(c);
      }
    }
    flush();
    // Fast shapes: "abc", "abc%", "%abc", "%abc%".
    if (tokens_.size() == 1 && tokens_[0].kind == kLiteral) shape_ = kExact, needle_ = tokens_[0].text;
    if (tokens_.size() == 2 && tokens_[0].kind == kLiteral && tokens_[1].kind == kAny) {
      shape_ = kPrefix, needle_ = tokens_[0].text;
    }
    if (tokens_.size() == 2 && tokens_[0].kind == kAny && tokens_[1].kind == kLiteral) {
      shape_ = kSuffix, needle_ = tokens_[1].text;
    }
    if (tokens_.size() == 3 && tokens_[0].kind == kAny && tokens_[1].kind == kLiteral &&
        tokens_[2].kind == kAny) {
      shape_ = kContains, needle_ = tokens_[1].text;
    }
    if (tokens_.size() == 1 && tokens_[0].kind == kAny) shape_ = kAll;
    if (tokens_.empty()) shape_ = kExact;
  }

  bool Match(std::string_view s) const {
    switch (shape_) {
      case kExact: return s == needle_;
      case kPrefix: return s.substr(0, needle_.size()) == needle_;
      case kSuffix: return s.size() >= needle_.size() && s.substr(s.size() - needle_.size()) == needle_;
      case kContains: return s.find(needle_) != std::string_view::npos;
      case kAll: return true;
      case kGeneral: break;
    }
    return MatchFrom(0, s, 0);
  }

 private:
  enum Kind { kLiteral, kOne, kAny };
  enum Shape { kGeneral, kExact, kPrefix, kSuffix, kContains, kAll };
  struct Token {
    Kind kind;
    std::string text;
  };

  // Greedy matcher with backtracking to the most recent '%' (linear in the common cases).
  bool MatchFrom(size_t t, std::string_view s, size_t pos) const {
    size_t star_t = SIZE_MAX, star_pos = 0;
    while (true) {
      if (t == tokens_.size()) {
        if (pos == s.size()) return true;
      } else {
        const Token& tok = tokens_[t];
        if (tok.kind == kAny) {
          star_t = t++;
          star_pos = pos;
          continue;
        }
        if (tok.kind == kOne && pos < s.size()) {
          pos += std::min(Utf8Len(static_cast<unsigned char>(s[pos])), s.size() - pos);
          ++t;
          continue;
        }
        if (tok.kind == kLiteral && s.substr(pos, tok.text.size()) == tok.text) {
          pos += tok.text.size();
          ++t;
          continue;
        }
      }
      // Mismatch: let the last '%' swallow one more character and retry.
      if (star_t == SIZE_MAX || star_pos >= s.size()) return false;
      star_pos += std::min(Utf8Len(static_cast<unsigned char>(s[star_pos])), s.size() - star_pos);
      pos = star_pos;
      t = star_t + 1;
    }
  }

  std::vector<Token> tokens_;
  Shape shape_ = kGeneral;
  std::string needle_;
};

Datum LikeDatums(const Datum& v, const Datum& p) {
  const bool scalar = v.scalar && p.scalar;
  const size_t n = RowsOf(v, p);
  Column out = NewFixed(DataType::Boolean(), n);
  uint8_t* o = out.MutableValues<uint8_t>();
  const Column& vc = v.col();
  const Column& pc = p.col();
  if (p.scalar) {
    const LikePattern pat(pc.GetString(0));
    for (size_t i = 0; i < n; ++i) o[i] = pat.Match(vc.GetString(i * v.stride()));
  } else {
    for (size_t i = 0; i < n; ++i) {
      const LikePattern pat(pc.GetString(i));
      o[i] = pat.Match(vc.GetString(i * v.stride()));
    }
  }
  out.mutable_validity() = CombineValidity(v, p, n);
  return Datum::Own(std::move(out), scalar);
}

// ============================================================================================
// Functions
// ============================================================================================

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t TruncTimestamp(int64_t v, DateTruncUnit unit, int64_t ups) {
  const int64_t per_day = 86400 * ups;
  auto floor_to = [&](int64_t m) { return m <= 1 ? v : FloorDiv(v, m) * m; };
  switch (unit) {
    case DateTruncUnit::kMicrosecond: return floor_to(ups / 1000000);
    case DateTruncUnit::kMillisecond: return floor_to(ups / 1000);
    case DateTruncUnit::kSecond: return floor_to(ups);
    case DateTruncUnit::kMinute: return floor_to(60 * ups);
    case DateTruncUnit::kHour: return floor_to(3600 * ups);
    case DateTruncUnit::kDay: return floor_to(per_day);
    case DateTruncUnit::kWeek: {
      int64_t days = FloorDiv(v, per_day);
      days -= ((days + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; weeks start on Monday
      return days * per_day;
    }
    case DateTruncUnit::kMonth:
    case DateTruncUnit::kQuarter:
    case DateTruncUnit::kYear: {
      int64_t y;
      unsigned m, d;
      CivilFromDays(FloorDiv(v, per_day), &y, &m, &d);
      if (unit == DateTruncUnit::kYear) m = 1;
      if (unit == DateTruncUnit::kQuarter) m = (m - 1) / 3 * 3 + 1;
      return DaysFromCivil(y, m, 1) * per_day;
    }
  }
  return v;
}

Result<Datum> CallFunction(const Expression& e, const Datum& arg) {
  const Column& in = arg.col();
  const size_t n = in.length();
  Column out(e.type);
  switch (e.function) {
    case Function::kDateTrunc: {
      out = NewFixed(e.type, n);
      const int64_t* src = in.Values<int64_t>();
      int64_t* dst = out.MutableValues<int64_t>();
      const int64_t ups = UnitsPerSecond(in.type().unit);
      for (size_t i = 0; i < n; ++i) dst[i] = TruncTimestamp(src[i], e.date_trunc_unit, ups);
      break;
    }
    case Function::kLower:
    case Function::kUpper: {
      out.mutable_offsets() = in.offsets();
      std::string& chars = out.mutable_chars();
      chars = in.chars();
      const bool lower = e.function == Function::kLower;
      for (char& c : chars) {
        if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      out.SetLength(n);
      break;
    }
    case Function::kLength: {
      out = NewFixed(e.type, n);
      int32_t* dst = out.MutableValues<int32_t>();
      const bool bytes = in.type().id == TypeId::kBinary;
      for (size_t i = 0; i < n; ++i) {
        const std::string_view s = in.GetString(i);
        if (bytes) {
          dst[i] = static_cast<int32_t>(s.size());
        } else {
          int32_t count = 0;
          for (unsigned char c : s) count += (c & 0xC0) != 0x80;
          dst[i] = count;
        }
      }
      break;
    }
    case Function::kAbs:
    case Function::kRound:
    case Function::kFloor:
    case Function::kCeil: {
      out = NewFixed(e.type, n);
      if (in.type().id == TypeId::kDouble) {
        const double* src = in.Values<double>();
        double* dst = out.MutableValues<double>();
        switch (e.function) {
          case Function::kAbs:
            for (size_t i = 0; i < n; ++i) dst[i] = std::fabs(src[i]);
            break;
          case Function::kFloor:
            for (size_t i = 0; i < n; ++i) dst[i] = std::floor(src[i]);
            break;
          case Function::kCeil:
            for (size_t i = 0; i < n; ++i) dst[i] = std::ceil(src[i]);
            break;
          default:
            if (!e.round_has_digits || e.round_digits == 0) {
              for (size_t i = 0; i < n; ++i) dst[i] = std::nearbyint(src[i]);
            } else if (e.round_digits > 0) {
              // Decimal rounding of the exact binary value (printf rounds correctly), parsed back.
              char buf[400];
              for (size_t i = 0; i < n; ++i) {
                if (!std::isfinite(src[i])) {
                  dst[i] = src[i];
                  continue;
                }
                std::snprintf(buf, sizeof buf, "%.*f", std::min(e.round_digits, 300), src[i]);
                dst[i] = std::strtod(buf, nullptr);
              }
            } else {
              const double p = std::pow(10.0, -e.round_digits);
              for (size_t i = 0; i < n; ++i) dst[i] = std::nearbyint(src[i] / p) * p;
            }
        }
      } else if (e.function == Function::kAbs) {
        auto run = [&](auto tag) -> Status {
          using T = decltype(tag);
          const T* src = in.Values<T>();
          T* dst = out.MutableValues<T>();
          for (size_t i = 0; i < n; ++i) {
            if (src[i] == std::numeric_limits<T>::min() && in.IsValid(i)) {
              return Status::InvalidArgument(e.type.ToString() + " out of range: abs(" +
                                             std::to_string(src[i]) + ")");
            }
            dst[i] = src[i] < 0 ? static_cast<T>(-src[i]) : src[i];
          }
          return Status::OK();
        };
        TANDEM_RETURN_IF_ERROR(in.type().id == TypeId::kInt32 ? run(int32_t{}) : run(int64_t{}));
      } else if (e.round_has_digits && e.round_digits < 0) {
        // round(integer, -k): to a multiple of 10^k, half away from zero.
        auto run = [&](auto tag) -> Status {
          using T = decltype(tag);
          const T* src = in.Values<T>();
          T* dst = out.MutableValues<T>();
          __int128 p = 1;
          for (int k = 0; k < -e.round_digits && k < 30; ++k) p *= 10;
          for (size_t i = 0; i < n; ++i) {
            const __int128 v = src[i];
            __int128 q = v / p, r = v % p;
            if (2 * (r < 0 ? -r : r) >= p) q += v < 0 ? -1 : 1;
            const __int128 res = q * p;
            if (res > std::numeric_limits<T>::max() || res < std::numeric_limits<T>::min()) {
              if (in.IsNull(i)) continue;
              return Status::InvalidArgument(e.type.ToString() + " out of range: round(" +
                                             std::to_string(src[i]) + ", " + std::to_string(e.round_digits) +
                                             ")");
            }
            dst[i] = static_cast<T>(res);
          }
          return Status::OK();
        };
        TANDEM_RETURN_IF_ERROR(in.type().id == TypeId::kInt32 ? run(int32_t{}) : run(int64_t{}));
      } else {
        out = in;  // integers are already whole
      }
      break;
    }
  }
  out.mutable_validity() = in.validity();
  out.SetLength(n);
  return Datum::Own(std::move(out), arg.scalar);
}

// ============================================================================================
// The evaluator
// ============================================================================================

Result<Datum> Eval(const Expression& e, const RecordBatch& batch);

// The rows `rows` of `batch`, materializing only the columns in `cols` (others stay empty).
RecordBatch TakeRows(const RecordBatch& batch, const std::vector<uint32_t>& rows,
                     const std::vector<int>& cols) {
  std::vector<Column> columns;
  columns.reserve(batch.num_columns());
  for (size_t c = 0; c < batch.num_columns(); ++c) columns.emplace_back(batch.column(c).type());
  for (int c : cols) columns[static_cast<size_t>(c)] = batch.column(static_cast<size_t>(c)).Take(rows);
  return RecordBatch(batch.schema(), std::move(columns), rows.size());
}

// Evaluates `e` on the given rows of `batch` (all rows when `all`).
Result<Datum> EvalOn(const Expression& e, const RecordBatch& batch, const std::vector<uint32_t>& rows,
                     bool all) {
  if (all) return Eval(e, batch);
  const RecordBatch sub = TakeRows(batch, rows, e.columns_used);
  TANDEM_ASSIGN_OR_RETURN(Datum d, Eval(e, sub));
  if (d.ref != nullptr) {
    // A borrowed column of `sub`, which dies here: own a copy.
    return Datum::Own(*d.ref, false);
  }
  return d;
}

struct Piece {
  Datum value;
  std::vector<uint32_t> rows;  // output rows, ascending
};

Column Assemble(const DataType& type, std::vector<Piece>& pieces, size_t n) {
  if (pieces.size() == 1 && pieces[0].rows.size() == n) return Broadcast(pieces[0].value, n);
  std::vector<uint32_t> which(n, UINT32_MAX), pos(n, 0);
  for (uint32_t p = 0; p < pieces.size(); ++p) {
    for (uint32_t k = 0; k < pieces[p].rows.size(); ++k) {
      which[pieces[p].rows[k]] = p;
      pos[pieces[p].rows[k]] = pieces[p].value.scalar ? 0 : k;
    }
  }
  Column out(type);
  out.Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (which[i] == UINT32_MAX) {
      out.AppendNull();
    } else {
      out.AppendFrom(pieces[which[i]].value.col(), pos[i]);
    }
  }
  return out;
}

Result<Datum> EvalCase(const Expression& e, const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  std::vector<uint32_t> remaining(n);
  for (size_t i = 0; i < n; ++i) remaining[i] = static_cast<uint32_t>(i);
  bool all = true;
  std::vector<Piece> pieces;
  const size_t num_whens = (e.children.size() - 1) / 2;
  for (size_t w = 0; w < num_whens && !remaining.empty(); ++w) {
    TANDEM_ASSIGN_OR_RETURN(Datum cond, EvalOn(*e.children[2 * w], batch, remaining, all));
    const Column& c = cond.col();
    std::vector<uint32_t> matched, rest;
    for (size_t k = 0; k < remaining.size(); ++k) {
      const size_t j = k * cond.stride();
      if (c.IsValid(j) && c.Value<uint8_t>(j)) {
        matched.push_back(remaining[k]);
      } else {
        rest.push_back(remaining[k]);
      }
    }
    if (!matched.empty()) {
      const bool all_matched = all && matched.size() == n;
      TANDEM_ASSIGN_OR_RETURN(Datum v, EvalOn(*e.children[2 * w + 1], batch, matched, all_matched));
      pieces.push_back({std::move(v), std::move(matched)});
    }
    remaining = std::move(rest);
    all = false;
  }
  if (!remaining.empty()) {
    TANDEM_ASSIGN_OR_RETURN(Datum v, EvalOn(*e.children.back(), batch, remaining, all));
    pieces.push_back({std::move(v), std::move(remaining)});
  }
  return Datum::Own(Assemble(e.type, pieces, n), false);
}

Result<Datum> EvalCoalesce(const Expression& e, const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  std::vector<uint32_t> remaining(n);
  for (size_t i = 0; i < n; ++i) remaining[i] = static_cast<uint32_t>(i);
  bool all = true;
  std::vector<Piece> pieces;
  for (size_t a = 0; a < e.children.size() && !remaining.empty(); ++a) {
    TANDEM_ASSIGN_OR_RETURN(Datum v, EvalOn(*e.children[a], batch, remaining, all));
    const Column& c = v.col();
    std::vector<uint32_t> got, rest;
    std::vector<uint32_t> got_pos;
    for (size_t k = 0; k < remaining.size(); ++k) {
      if (c.IsValid(k * v.stride())) {
        got.push_back(remaining[k]);
        got_pos.push_back(static_cast<uint32_t>(k * v.stride()));
      } else {
        rest.push_back(remaining[k]);
      }
    }
    if (!got.empty()) {
      Datum part = (got.size() == remaining.size()) ? std::move(v) : Datum::Own(v.col().Take(got_pos), false);
      pieces.push_back({std::move(part), std::move(got)});
    }
    remaining = std::move(rest);
    all = false;
  }
  return Datum::Own(Assemble(e.type, pieces, n), false);
}

Result<Datum> EvalConcat(const Expression& e, const RecordBatch& batch) {
  std::vector<Datum> parts;
  parts.reserve(e.children.size());
  bool scalar = true;
  for (const ExprPtr& c : e.children) {
    TANDEM_ASSIGN_OR_RETURN(Datum d, Eval(*c, batch));
    scalar = scalar && d.scalar;
    parts.push_back(std::move(d));
  }
  const size_t m = scalar ? 1 : batch.num_rows();
  Column out(DataType::String());
  std::vector<int64_t>& offsets = out.mutable_offsets();
  std::string& chars = out.mutable_chars();
  offsets.resize(m + 1);
  std::vector<uint8_t> valid;
  for (const Datum& d : parts) {
    if (!d.col().has_nulls()) continue;
    if (valid.empty()) valid.assign(m, 1);
    for (size_t i = 0; i < m; ++i) valid[i] &= d.col().IsValid(i * d.stride());
  }
  for (size_t i = 0; i < m; ++i) {
    if (valid.empty() || valid[i]) {
      for (const Datum& d : parts) chars.append(d.col().GetString(i * d.stride()));
    }
    offsets[i + 1] = static_cast<int64_t>(chars.size());
  }
  out.mutable_validity() = std::move(valid);
  out.SetLength(m);
  return Datum::Own(std::move(out), scalar);
}

// x IN (constants): true when a group's probe is in its set; else NULL when x or a constant is NULL.
Result<Datum> EvalInSet(const Expression& e, const RecordBatch& batch) {
  std::vector<Datum> probes;
  probes.reserve(e.children.size());
  bool scalar = true;
  for (const ExprPtr& c : e.children) {
    TANDEM_ASSIGN_OR_RETURN(Datum d, Eval(*c, batch));
    scalar = scalar && d.scalar;
    probes.push_back(std::move(d));
  }
  const size_t m = scalar ? 1 : batch.num_rows();
  Column out = NewFixed(DataType::Boolean(), m);
  uint8_t* o = out.MutableValues<uint8_t>();
  std::vector<uint8_t> valid(m, 1);
  for (size_t g = 0; g < probes.size(); ++g) {
    const Column& c = probes[g].col();
    const size_t stride = probes[g].stride();
    const ValueSet& set = *e.in_sets[g];
    for (size_t i = 0; i < m; ++i) {
      if (o[i]) continue;
      if (c.IsNull(i * stride)) {
        valid[i] = 0;
      } else if (set.Contains(c, i * stride)) {
        o[i] = 1;
        valid[i] = 1;
      }
    }
  }
  bool all_valid = true;
  for (size_t i = 0; i < m; ++i) {
    if (!o[i] && e.in_list_has_null) valid[i] = 0;
    all_valid = all_valid && valid[i];
  }
  if (!all_valid) out.mutable_validity() = std::move(valid);
  return Datum::Own(std::move(out), scalar);
}

Result<Datum> Eval(const Expression& e, const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  switch (e.kind) {
    case ExprKind::kColumn: {
      if (e.column_index < 0 || static_cast<size_t>(e.column_index) >= batch.num_columns()) {
        return Status::InvalidArgument("column " + std::to_string(e.column_index) + " is not in the input (" +
                                       std::to_string(batch.num_columns()) + " columns)");
      }
      const Column& c = batch.column(static_cast<size_t>(e.column_index));
      if (c.type() != e.type) {
        return Status::InvalidArgument(
            "column " + (e.name.empty() ? std::to_string(e.column_index) : e.name) + " has type " +
            c.type().ToString() + ", expression expects " + e.type.ToString());
      }
      if (c.length() != n) return Status::Internal("column length differs from batch row count");
      return Datum::Borrow(c);
    }
    case ExprKind::kLiteral: {
      Column c(e.type);
      e.literal.AppendTo(&c);
      return Datum::Own(std::move(c), true);
    }
    case ExprKind::kArithmetic: {
      TANDEM_ASSIGN_OR_RETURN(Datum l, Eval(*e.children[0], batch));
      TANDEM_ASSIGN_OR_RETURN(Datum r, Eval(*e.children[1], batch));
      const size_t m = (l.scalar && r.scalar) ? 1 : n;
      switch (e.children[0]->type.id) {
        case TypeId::kInt32:
        case TypeId::kDate: return ArithTyped<int32_t>(e, l, r, m);
        case TypeId::kInt64: return ArithTyped<int64_t>(e, l, r, m);
        case TypeId::kDouble: return ArithTyped<double>(e, l, r, m);
        default: return Status::Internal("arithmetic on " + e.children[0]->type.ToString());
      }
    }
    case ExprKind::kCompare: {
      TANDEM_ASSIGN_OR_RETURN(Datum l, Eval(*e.children[0], batch));
      TANDEM_ASSIGN_OR_RETURN(Datum r, Eval(*e.children[1], batch));
      return CompareDatums(e.compare_op, l, r);
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      // A chain of any length, folded left to right (one loop, not one stack frame per operand).
      TANDEM_ASSIGN_OR_RETURN(Datum acc, Eval(*e.children[0], batch));
      for (size_t k = 1; k < e.children.size(); ++k) {
        TANDEM_ASSIGN_OR_RETURN(Datum r, Eval(*e.children[k], batch));
        acc = Logic(e.kind == ExprKind::kAnd, acc, r);
      }
      return acc;
    }
    case ExprKind::kNot: {
      TANDEM_ASSIGN_OR_RETURN(Datum a, Eval(*e.children[0], batch));
      const Column& c = a.col();
      Column out = NewFixed(DataType::Boolean(), c.length());
      const uint8_t* x = c.Values<uint8_t>();
      uint8_t* o = out.MutableValues<uint8_t>();
      for (size_t i = 0; i < c.length(); ++i) o[i] = !x[i];
      out.mutable_validity() = c.validity();
      return Datum::Own(std::move(out), a.scalar);
    }
    case ExprKind::kIsNull:
    case ExprKind::kIsNotNull: {
      TANDEM_ASSIGN_OR_RETURN(Datum a, Eval(*e.children[0], batch));
      const Column& c = a.col();
      Column out = NewFixed(DataType::Boolean(), c.length());
      uint8_t* o = out.MutableValues<uint8_t>();
      const uint8_t want_null = e.kind == ExprKind::kIsNull;
      for (size_t i = 0; i < c.length(); ++i) o[i] = c.IsNull(i) == want_null;
      return Datum::Own(std::move(out), a.scalar);
    }
    case ExprKind::kLike: {
      TANDEM_ASSIGN_OR_RETURN(Datum v, Eval(*e.children[0], batch));
      TANDEM_ASSIGN_OR_RETURN(Datum p, Eval(*e.children[1], batch));
      return LikeDatums(v, p);
    }
    case ExprKind::kCase: return EvalCase(e, batch);
    case ExprKind::kCoalesce: return EvalCoalesce(e, batch);
    case ExprKind::kCast: {
      TANDEM_ASSIGN_OR_RETURN(Datum a, Eval(*e.children[0], batch));
      TANDEM_ASSIGN_OR_RETURN(Column c, CastColumn(a.col(), e.type));
      return Datum::Own(std::move(c), a.scalar);
    }
    case ExprKind::kConcat: return EvalConcat(e, batch);
    case ExprKind::kInSet: return EvalInSet(e, batch);
    case ExprKind::kFunction: {
      TANDEM_ASSIGN_OR_RETURN(Datum a, Eval(*e.children[0], batch));
      return CallFunction(e, a);
    }
  }
  return Status::Internal("unknown expression kind");
}

}  // namespace

// ============================================================================================
// Public evaluation API
// ============================================================================================

Result<Column> Evaluate(const Expression& expr, const RecordBatch& batch) {
  TANDEM_ASSIGN_OR_RETURN(Datum d, Eval(expr, batch));
  Column out = d.scalar ? Broadcast(d, batch.num_rows()) : (d.ref != nullptr ? *d.ref : std::move(d.owned));
  // Keep the column contract: a null slot holds zero.
  if (out.has_nulls() && !out.type().IsVarWidth()) {
    const size_t w = static_cast<size_t>(out.type().FixedWidth());
    uint8_t* data = out.mutable_data().data();
    const std::vector<uint8_t>& valid = out.validity();
    for (size_t i = 0; i < out.length(); ++i) {
      if (!valid[i]) std::memset(data + i * w, 0, w);
    }
  }
  return out;
}

Result<RecordBatch> Filter(const RecordBatch& batch, const Column& predicate) {
  if (predicate.type().id != TypeId::kBoolean || predicate.length() != batch.num_rows()) {
    return Status::InvalidArgument(
        "filter predicate must be BOOLEAN with one value per row, got " + predicate.type().ToString() +
        " with " + std::to_string(predicate.length()) + " rows for " + std::to_string(batch.num_rows()));
  }
  std::vector<uint32_t> rows;
  rows.reserve(batch.num_rows());
  const uint8_t* p = predicate.Values<uint8_t>();
  for (size_t i = 0; i < batch.num_rows(); ++i) {
    if (p[i] && predicate.IsValid(i)) rows.push_back(static_cast<uint32_t>(i));
  }
  if (rows.size() == batch.num_rows()) return batch;
  std::vector<Column> columns;
  columns.reserve(batch.num_columns());
  for (size_t c = 0; c < batch.num_columns(); ++c) columns.push_back(batch.column(c).Take(rows));
  return RecordBatch(batch.schema(), std::move(columns), rows.size());
}

Result<RecordBatch> Project(const RecordBatch& batch, const std::vector<ExprPtr>& exprs,
                            const std::vector<std::string>& names) {
  if (exprs.size() != names.size())
    return Status::Internal("Project: names and expressions differ in number");
  Schema schema;
  std::vector<Column> columns;
  for (size_t i = 0; i < exprs.size(); ++i) {
    TANDEM_ASSIGN_OR_RETURN(Column c, Evaluate(*exprs[i], batch));
    schema.fields.push_back({names[i], exprs[i]->type, true});
    columns.push_back(std::move(c));
  }
  return RecordBatch(std::move(schema), std::move(columns), batch.num_rows());
}

std::string Expression::ToString() const {
  auto child = [this](size_t i) { return children[i]->ToString(); };
  switch (kind) {
    case ExprKind::kColumn: return name.empty() ? "#" + std::to_string(column_index) : name;
    case ExprKind::kLiteral:
      if (literal.is_null()) return "NULL";
      if (type.id == TypeId::kString) return "'" + literal.string_value() + "'";
      return literal.ToJson();
    case ExprKind::kArithmetic: return "(" + child(0) + " " + ArithSymbol(arith_op) + " " + child(1) + ")";
    case ExprKind::kCompare: return "(" + child(0) + " " + CompareSymbol(compare_op) + " " + child(1) + ")";
    case ExprKind::kAnd:
    case ExprKind::kOr:
    case ExprKind::kConcat: {
      const char* op = kind == ExprKind::kAnd ? " AND " : kind == ExprKind::kOr ? " OR " : " || ";
      std::string s = "(" + child(0);
      for (size_t i = 1; i < children.size(); ++i) s += op + child(i);
      return s + ")";
    }
    case ExprKind::kInSet: {
      // Messages only: the first constants of the list, then how many more.
      constexpr size_t kShown = 10;
      std::string s = "(" + child(0) + " IN (";
      size_t shown = 0, total = 0;
      for (const auto& set : in_sets) {
        total += set->size();
        for (size_t i = 0; i < set->size() && shown < kShown; ++i, ++shown) {
          if (shown > 0) s += ", ";
          set->members().AppendJson(i, &s);
        }
      }
      if (in_list_has_null) {
        s += shown > 0 ? ", NULL" : "NULL";
      }
      if (total > shown) s += ", ... " + std::to_string(total - shown) + " more";
      return s + "))";
    }
    case ExprKind::kNot: return "(NOT " + child(0) + ")";
    case ExprKind::kIsNull: return "(" + child(0) + " IS NULL)";
    case ExprKind::kIsNotNull: return "(" + child(0) + " IS NOT NULL)";
    case ExprKind::kLike: return "(" + child(0) + " LIKE " + child(1) + ")";
    case ExprKind::kCase: {
      std::string s = "CASE";
      for (size_t i = 0; i + 1 < children.size(); i += 2) s += " WHEN " + child(i) + " THEN " + child(i + 1);
      return s + " ELSE " + children.back()->ToString() + " END";
    }
    case ExprKind::kCast: return "CAST(" + child(0) + " AS " + type.ToString() + ")";
    case ExprKind::kCoalesce: {
      std::string s = "COALESCE(";
      for (size_t i = 0; i < children.size(); ++i) s += (i ? ", " : "") + child(i);
      return s + ")";
    }
    case ExprKind::kFunction: {
      std::string s = std::string(FunctionName(function)) + "(";
      if (function == Function::kDateTrunc) {
        static const char* kUnits[] = {"microsecond", "millisecond", "second", "minute",  "hour",
                                       "day",         "week",        "month",  "quarter", "year"};
        s += "'" + std::string(kUnits[static_cast<int>(date_trunc_unit)]) + "', ";
      }
      s += child(0);
      if (round_has_digits) s += ", " + std::to_string(round_digits);
      return s + ")";
    }
  }
  return "?";
}

// ============================================================================================
// Builders
// ============================================================================================

namespace ex {

Result<DataType> CommonType(const DataType& a, const DataType& b) {
  if (a == b) return a;
  const TypeId x = a.id, y = b.id;
  if (IsNumber(x) && IsNumber(y)) {
    if (IsFloating(x) || IsFloating(y)) return DataType::Double();
    if (x == TypeId::kDecimal || y == TypeId::kDecimal) {
      const int32_t scale =
          std::max(x == TypeId::kDecimal ? a.scale : 0, y == TypeId::kDecimal ? b.scale : 0);
      return DataType::Decimal(38, scale);
    }
    if (x == TypeId::kUInt64 || y == TypeId::kUInt64) return DataType::Decimal(38, 0);  // exact for both
    if (x == TypeId::kInt64 || y == TypeId::kInt64) return DataType::Int64();
    return DataType::Int32();
  }
  const bool tx = x == TypeId::kDate || x == TypeId::kTimestamp;
  const bool ty = y == TypeId::kDate || y == TypeId::kTimestamp;
  if (tx && ty) {
    if (x == TypeId::kDate) return b;
    if (y == TypeId::kDate) return a;
    return UnitsPerSecond(a.unit) >= UnitsPerSecond(b.unit) ? a : b;
  }
  return Status::InvalidArgument("types " + a.ToString() + " and " + b.ToString() + " cannot be matched");
}

ExprResult Col(int index, DataType type, std::string name) {
  if (index < 0) return Status::InvalidArgument("negative column index " + std::to_string(index));
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kColumn;
  e->type = type;
  e->column_index = index;
  e->name = std::move(name);
  e->columns_used = {index};
  return ExprPtr(e);
}

ExprResult Col(const Schema& schema, const std::string& name) {
  const int i = schema.FindField(name);
  if (i < 0) {
    std::string names;
    for (const Field& f : schema.fields) names += (names.empty() ? "" : ", ") + f.name;
    return Status::InvalidArgument("unknown column \"" + name + "\" (columns: " + names + ")");
  }
  return Col(i, schema.fields[static_cast<size_t>(i)].type, name);
}

ExprResult Lit(Value value) {
  return MakeLiteral(std::move(value));
}
ExprResult Null(DataType type) {
  return MakeLiteral(Value::Null(type));
}

ExprResult Arithmetic(ArithOp op, ExprResult left, ExprResult right) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr l, std::move(left));
  TANDEM_ASSIGN_OR_RETURN(ExprPtr r, std::move(right));
  // Untyped literals adopt the other side's type.
  if (l->IsNullLiteral() || IsStringLiteral(l)) {
    TANDEM_ASSIGN_OR_RETURN(l, CoerceTo(l, r->type.id == TypeId::kDate ? DataType::Int32() : r->type));
  }
  if (r->IsNullLiteral() || IsStringLiteral(r)) {
    TANDEM_ASSIGN_OR_RETURN(r, CoerceTo(r, l->type.id == TypeId::kDate ? DataType::Int32() : l->type));
  }
  const TypeId a = l->type.id, b = r->type.id;
  const auto undefined = [&]() {
    return Status::InvalidArgument(std::string("operator ") + ArithSymbol(op) + " is not defined for " +
                                   l->type.ToString() + " and " + r->type.ToString() + " in " +
                                   l->ToString() + " " + ArithSymbol(op) + " " + r->ToString());
  };
  DataType op_type, result_type;
  // DATE +/- integer -> DATE; integer + DATE -> DATE; DATE - DATE -> INTEGER (days).
  if (a == TypeId::kDate || b == TypeId::kDate) {
    const bool date_int = a == TypeId::kDate && (b == TypeId::kInt32 || b == TypeId::kInt64);
    const bool int_date = b == TypeId::kDate && (a == TypeId::kInt32 || a == TypeId::kInt64);
    if (date_int && (op == ArithOp::kAdd || op == ArithOp::kSub)) {
      TANDEM_ASSIGN_OR_RETURN(r, CoerceTo(r, DataType::Int32()));
      result_type = DataType::Date();
    } else if (int_date && op == ArithOp::kAdd) {
      TANDEM_ASSIGN_OR_RETURN(l, CoerceTo(l, DataType::Int32()));
      std::swap(l, r);
      result_type = DataType::Date();
    } else if (a == TypeId::kDate && b == TypeId::kDate && op == ArithOp::kSub) {
      result_type = DataType::Int32();
    } else {
      return undefined();
    }
    auto e = std::const_pointer_cast<Expression>(MakeNode(ExprKind::kArithmetic, result_type, {l, r}));
    e->arith_op = op;
    return ExprPtr(e);
  }
  if (!IsNumber(a) || !IsNumber(b)) return undefined();
  if (a == TypeId::kUInt64 || b == TypeId::kUInt64 || a == TypeId::kDecimal || b == TypeId::kDecimal) {
    return Status::InvalidArgument(std::string("operator ") + ArithSymbol(op) + " on " + l->type.ToString() +
                                   " and " + r->type.ToString() +
                                   " is not supported; cast to BIGINT or DOUBLE");
  }
  if (IsFloating(a) || IsFloating(b)) {
    op_type = DataType::Double();
  } else if (a == TypeId::kInt64 || b == TypeId::kInt64) {
    op_type = DataType::Int64();
  } else {
    op_type = DataType::Int32();
  }
  TANDEM_ASSIGN_OR_RETURN(l, CoerceTo(l, op_type));
  TANDEM_ASSIGN_OR_RETURN(r, CoerceTo(r, op_type));
  auto e = std::const_pointer_cast<Expression>(MakeNode(ExprKind::kArithmetic, op_type, {l, r}));
  e->arith_op = op;
  return ExprPtr(e);
}

ExprResult Add(ExprResult l, ExprResult r) {
  return Arithmetic(ArithOp::kAdd, std::move(l), std::move(r));
}
ExprResult Sub(ExprResult l, ExprResult r) {
  return Arithmetic(ArithOp::kSub, std::move(l), std::move(r));
}
ExprResult Mul(ExprResult l, ExprResult r) {
  return Arithmetic(ArithOp::kMul, std::move(l), std::move(r));
}
ExprResult Div(ExprResult l, ExprResult r) {
  return Arithmetic(ArithOp::kDiv, std::move(l), std::move(r));
}
ExprResult Mod(ExprResult l, ExprResult r) {
  return Arithmetic(ArithOp::kMod, std::move(l), std::move(r));
}

ExprResult Neg(ExprResult operand) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(operand));
  TANDEM_ASSIGN_OR_RETURN(
      ExprPtr zero, CoerceTo(MakeLiteral(Value::Int32(0)),
                             IsNumber(x->type.id) && !IsFloating(x->type.id) ? x->type : DataType::Double()));
  return Sub(zero, x);
}

ExprResult Compare(CompareOp op, ExprResult left, ExprResult right) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr l, std::move(left));
  TANDEM_ASSIGN_OR_RETURN(ExprPtr r, std::move(right));
  Status st = Unify(&l, &r);
  if (!st.ok()) {
    return Status::InvalidArgument(std::string("cannot compare ") + l->ToString() + " (" +
                                   l->type.ToString() + ") " + CompareSymbol(op) + " " + r->ToString() +
                                   " (" + r->type.ToString() + "): " + st.message());
  }
  auto e = std::const_pointer_cast<Expression>(MakeNode(ExprKind::kCompare, DataType::Boolean(), {l, r}));
  e->compare_op = op;
  return ExprPtr(e);
}

ExprResult Eq(ExprResult l, ExprResult r) {
  return Compare(CompareOp::kEq, std::move(l), std::move(r));
}
ExprResult Ne(ExprResult l, ExprResult r) {
  return Compare(CompareOp::kNe, std::move(l), std::move(r));
}
ExprResult Lt(ExprResult l, ExprResult r) {
  return Compare(CompareOp::kLt, std::move(l), std::move(r));
}
ExprResult Le(ExprResult l, ExprResult r) {
  return Compare(CompareOp::kLe, std::move(l), std::move(r));
}
ExprResult Gt(ExprResult l, ExprResult r) {
  return Compare(CompareOp::kGt, std::move(l), std::move(r));
}
ExprResult Ge(ExprResult l, ExprResult r) {
  return Compare(CompareOp::kGe, std::move(l), std::move(r));
}

namespace {
Result<ExprPtr> RequireBoolean(ExprResult operand, const char* context) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(operand));
  if (x->IsNullLiteral()) return CoerceTo(x, DataType::Boolean());
  if (x->type.id != TypeId::kBoolean) {
    return Status::InvalidArgument(std::string("argument of ") + context + " must be BOOLEAN, not " +
                                   x->type.ToString() + ": " + x->ToString());
  }
  return x;
}
}  // namespace

ExprResult And(ExprResult left, ExprResult right) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr l, RequireBoolean(std::move(left), "AND"));
  TANDEM_ASSIGN_OR_RETURN(ExprPtr r, RequireBoolean(std::move(right), "AND"));
  return MakeNode(ExprKind::kAnd, DataType::Boolean(), {l, r});
}

ExprResult Or(ExprResult left, ExprResult right) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr l, RequireBoolean(std::move(left), "OR"));
  TANDEM_ASSIGN_OR_RETURN(ExprPtr r, RequireBoolean(std::move(right), "OR"));
  return MakeNode(ExprKind::kOr, DataType::Boolean(), {l, r});
}

ExprResult Not(ExprResult operand) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, RequireBoolean(std::move(operand), "NOT"));
  return MakeNode(ExprKind::kNot, DataType::Boolean(), {x});
}

ExprResult IsNull(ExprResult operand) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(operand));
  return MakeNode(ExprKind::kIsNull, DataType::Boolean(), {x});
}

ExprResult IsNotNull(ExprResult operand) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(operand));
  return MakeNode(ExprKind::kIsNotNull, DataType::Boolean(), {x});
}

namespace {

ExprResult LogicN(ExprKind kind, std::vector<ExprResult> operands) {
  const char* context = kind == ExprKind::kAnd ? "AND" : "OR";
  if (operands.empty()) return Status::InvalidArgument(std::string(context) + " needs an operand");
  std::vector<ExprPtr> xs;
  xs.reserve(operands.size());
  for (ExprResult& o : operands) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr x, RequireBoolean(std::move(o), context));
    xs.push_back(std::move(x));
  }
  if (xs.size() == 1) return xs[0];
  return MakeNode(kind, DataType::Boolean(), std::move(xs));
}

// The kInSet node for `x IN (constants)`; see ex::In.
ExprResult InSet(const ExprPtr& x, std::vector<Value> constants) {
  struct Group {
    DataType type;                                   // the comparison type
    std::vector<std::pair<DataType, Column>> items;  // the constants by their own type
  };
  std::vector<Group> groups;
  bool has_null = false;
  for (Value& v : constants) {
    if (v.is_null()) {
      has_null = true;
      continue;
    }
    const DataType item_type = v.type();
    const OperandInfo item{item_type, false, item_type.id == TypeId::kString};
    TANDEM_ASSIGN_OR_RETURN(DataType t, UnifiedType(InfoOf(x), item));
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& gr) { return gr.type == t; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{t, {}});
    auto it =
        std::find_if(g->items.begin(), g->items.end(), [&](const auto& p) { return p.first == item_type; });
    if (it == g->items.end()) it = g->items.insert(g->items.end(), {item_type, Column(item_type)});
    v.AppendTo(&it->second);
  }
  if (groups.empty()) groups.push_back(Group{x->type, {}});  // only NULLs: the answer is NULL
  auto node = std::make_shared<Expression>();
  node->kind = ExprKind::kInSet;
  node->type = DataType::Boolean();
  node->in_list_has_null = has_null;
  for (Group& g : groups) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr probe, CoerceTo(x, g.type));
    Column members(g.type);
    for (auto& [type, column] : g.items) {
      if (type == g.type) {
        for (size_t i = 0; i < column.length(); ++i) members.AppendFrom(column, i);
        continue;
      }
      // The cast the comparison would apply to each literal, over all of them at once.
      TANDEM_ASSIGN_OR_RETURN(Column cast, CastColumn(column, g.type));
      for (size_t i = 0; i < cast.length(); ++i) members.AppendFrom(cast, i);
    }
    node->children.push_back(std::move(probe));
    node->in_sets.push_back(std::make_shared<const ValueSet>(members));
  }
  node->columns_used = UnionColumns(node->children);
  return ExprPtr(node);
}

}  // namespace

ExprResult And(std::vector<ExprResult> operands) {
  return LogicN(ExprKind::kAnd, std::move(operands));
}

ExprResult Or(std::vector<ExprResult> operands) {
  return LogicN(ExprKind::kOr, std::move(operands));
}

ExprResult In(ExprResult value, std::vector<ExprResult> list) {
  std::vector<Value> constants;
  std::vector<ExprResult> others;
  for (ExprResult& item : list) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(item));
    if (x->IsLiteral()) {
      constants.push_back(x->literal);
    } else {
      others.emplace_back(std::move(x));
    }
  }
  return InList(std::move(value), std::move(constants), std::move(others));
}

ExprResult InList(ExprResult value, std::vector<Value> constants, std::vector<ExprResult> others) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(value));
  if (constants.empty() && others.empty()) return Status::InvalidArgument("IN list is empty");
  std::vector<ExprResult> terms;
  terms.reserve(others.size() + 1);
  if (!constants.empty()) terms.push_back(InSet(x, std::move(constants)));
  for (ExprResult& o : others) terms.push_back(Eq(x, std::move(o)));
  return Or(std::move(terms));
}

ExprResult Between(ExprResult value, ExprResult low, ExprResult high) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(value));
  return And(Ge(x, std::move(low)), Le(x, std::move(high)));
}

ExprResult Like(ExprResult value, ExprResult pattern) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr v, std::move(value));
  TANDEM_ASSIGN_OR_RETURN(ExprPtr p, std::move(pattern));
  if (v->IsNullLiteral()) {
    TANDEM_ASSIGN_OR_RETURN(v, CoerceTo(v, DataType::String()));
  }
  if (p->IsNullLiteral()) {
    TANDEM_ASSIGN_OR_RETURN(p, CoerceTo(p, DataType::String()));
  }
  if (v->type.id != TypeId::kString || p->type.id != TypeId::kString) {
    return Status::InvalidArgument("LIKE needs VARCHAR operands, got " + v->type.ToString() + " LIKE " +
                                   p->type.ToString() + " in " + v->ToString() + " LIKE " + p->ToString());
  }
  return MakeNode(ExprKind::kLike, DataType::Boolean(), {v, p});
}

namespace {
// The common type of several expressions (NULL literals adapt), and the expressions coerced to it.
Status UnifyAll(std::vector<ExprPtr>* xs, const char* context) {
  const ExprPtr* first = nullptr;
  for (const ExprPtr& x : *xs) {
    if (!x->IsNullLiteral()) {
      first = &x;
      break;
    }
  }
  if (first == nullptr) return Status::OK();  // all NULL: keep their type
  DataType t = (*first)->type;
  for (const ExprPtr& x : *xs) {
    if (x->IsNullLiteral() || x->type == t) continue;
    if (IsStringLiteral(x) && t.id != TypeId::kString) continue;
    auto c = CommonType(t, x->type);
    if (!c.ok())
      return Status::InvalidArgument(std::string(context) + " types " + t.ToString() + " and " +
                                     x->type.ToString() + " cannot be matched");
    t = *c;
  }
  for (ExprPtr& x : *xs) {
    auto c = CoerceTo(x, t);
    if (!c.ok()) return c.status().WithContext(context);
    x = *c;
  }
  return Status::OK();
}
}  // namespace

ExprResult Case(std::vector<std::pair<ExprResult, ExprResult>> whens, ExprResult otherwise) {
  if (whens.empty()) return Status::InvalidArgument("CASE needs at least one WHEN");
  std::vector<ExprPtr> conds, values;
  for (auto& [c, v] : whens) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr cond, RequireBoolean(std::move(c), "CASE WHEN"));
    TANDEM_ASSIGN_OR_RETURN(ExprPtr val, std::move(v));
    conds.push_back(cond);
    values.push_back(val);
  }
  TANDEM_ASSIGN_OR_RETURN(ExprPtr els, std::move(otherwise));
  if (els == nullptr) els = MakeLiteral(Value::Null(DataType::Int64()));
  values.push_back(els);
  TANDEM_RETURN_IF_ERROR(UnifyAll(&values, "CASE"));
  std::vector<ExprPtr> children;
  for (size_t i = 0; i < conds.size(); ++i) {
    children.push_back(conds[i]);
    children.push_back(values[i]);
  }
  children.push_back(values.back());
  const DataType t = values[0]->type;
  return MakeNode(ExprKind::kCase, t, std::move(children));
}

ExprResult Cast(ExprResult operand, DataType type) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(operand));
  return CoerceTo(x, type);
}

ExprResult Coalesce(std::vector<ExprResult> args) {
  if (args.empty()) return Status::InvalidArgument("COALESCE needs at least one argument");
  std::vector<ExprPtr> xs;
  for (auto& a : args) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(a));
    xs.push_back(x);
  }
  TANDEM_RETURN_IF_ERROR(UnifyAll(&xs, "COALESCE"));
  const DataType t = xs[0]->type;
  return MakeNode(ExprKind::kCoalesce, t, std::move(xs));
}

ExprResult Concat(ExprResult left, ExprResult right) {
  TANDEM_ASSIGN_OR_RETURN(ExprPtr l, std::move(left));
  TANDEM_ASSIGN_OR_RETURN(ExprPtr r, std::move(right));
  TANDEM_ASSIGN_OR_RETURN(l, CoerceTo(l, DataType::String()));
  TANDEM_ASSIGN_OR_RETURN(r, CoerceTo(r, DataType::String()));
  return MakeNode(ExprKind::kConcat, DataType::String(), {l, r});
}

ExprResult Concat(std::vector<ExprResult> operands) {
  if (operands.size() < 2) return Status::InvalidArgument("|| needs two operands");
  std::vector<ExprPtr> xs;
  xs.reserve(operands.size());
  for (ExprResult& o : operands) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(o));
    TANDEM_ASSIGN_OR_RETURN(x, CoerceTo(x, DataType::String()));
    xs.push_back(std::move(x));
  }
  return MakeNode(ExprKind::kConcat, DataType::String(), std::move(xs));
}

ExprResult Call(const std::string& raw_name, std::vector<ExprResult> args) {
  std::string name = raw_name;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<ExprPtr> xs;
  for (auto& a : args) {
    TANDEM_ASSIGN_OR_RETURN(ExprPtr x, std::move(a));
    xs.push_back(x);
  }
  auto arity = [&](size_t lo, size_t hi) -> Status {
    if (xs.size() < lo || xs.size() > hi) {
      return Status::InvalidArgument(
          "function " + name + " takes " +
          (lo == hi ? std::to_string(lo) : std::to_string(lo) + " or " + std::to_string(hi)) + " argument" +
          (hi == 1 ? "" : "s") + ", got " + std::to_string(xs.size()));
    }
    return Status::OK();
  };
  auto bad_type = [&](const ExprPtr& x) {
    return Status::InvalidArgument("function " + name + " is not defined for " + x->type.ToString() + ": " +
                                   name + "(" + x->ToString() + ")");
  };
  auto node = [&](Function f, DataType t, ExprPtr arg) {
    auto e = std::const_pointer_cast<Expression>(MakeNode(ExprKind::kFunction, t, {std::move(arg)}));
    e->function = f;
    return e;
  };
  if (name == "date_trunc") {
    TANDEM_RETURN_IF_ERROR(arity(2, 2));
    if (!IsStringLiteral(xs[0])) {
      return Status::InvalidArgument("date_trunc's first argument must be a string literal such as 'hour'");
    }
    std::string unit = xs[0]->literal.string_value();
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static const std::pair<const char*, DateTruncUnit> kUnits[] = {
        {"microsecond", DateTruncUnit::kMicrosecond},
        {"microseconds", DateTruncUnit::kMicrosecond},
        {"millisecond", DateTruncUnit::kMillisecond},
        {"milliseconds", DateTruncUnit::kMillisecond},
        {"second", DateTruncUnit::kSecond},
        {"minute", DateTruncUnit::kMinute},
        {"hour", DateTruncUnit::kHour},
        {"day", DateTruncUnit::kDay},
        {"week", DateTruncUnit::kWeek},
        {"month", DateTruncUnit::kMonth},
        {"quarter", DateTruncUnit::kQuarter},
        {"year", DateTruncUnit::kYear}};
    const DateTruncUnit* found = nullptr;
    for (const auto& [n, u] : kUnits) {
      if (unit == n) found = &u;
    }
    if (found == nullptr) {
      return Status::InvalidArgument(
          "date_trunc unit \"" + unit +
          "\" is not one of microsecond, millisecond, second, minute, hour, day, week, "
          "month, quarter, year");
    }
    ExprPtr ts = xs[1];
    if (ts->type.id == TypeId::kDate || ts->IsNullLiteral() || IsStringLiteral(ts)) {
      TANDEM_ASSIGN_OR_RETURN(ts, CoerceTo(ts, DataType::Timestamp()));
    }
    if (ts->type.id != TypeId::kTimestamp) return bad_type(ts);
    auto e = node(Function::kDateTrunc, ts->type, ts);
    e->date_trunc_unit = *found;
    return ExprPtr(e);
  }
  if (name == "lower" || name == "upper") {
    TANDEM_RETURN_IF_ERROR(arity(1, 1));
    ExprPtr s = xs[0];
    if (s->IsNullLiteral()) {
      TANDEM_ASSIGN_OR_RETURN(s, CoerceTo(s, DataType::String()));
    }
    if (s->type.id != TypeId::kString) return bad_type(s);
    return ExprPtr(node(name == "lower" ? Function::kLower : Function::kUpper, DataType::String(), s));
  }
  if (name == "length" || name == "char_length" || name == "character_length") {
    TANDEM_RETURN_IF_ERROR(arity(1, 1));
    ExprPtr s = xs[0];
    if (s->IsNullLiteral()) {
      TANDEM_ASSIGN_OR_RETURN(s, CoerceTo(s, DataType::String()));
    }
    if (!IsStringLike(s->type.id)) return bad_type(s);
    return ExprPtr(node(Function::kLength, DataType::Int32(), s));
  }
  if (name == "abs" || name == "round" || name == "floor" || name == "ceil" || name == "ceiling") {
    TANDEM_RETURN_IF_ERROR(arity(1, name == "round" ? 2 : 1));
    ExprPtr x = xs[0];
    if (x->IsNullLiteral()) {
      TANDEM_ASSIGN_OR_RETURN(x, CoerceTo(x, DataType::Double()));
    }
    if (IsFloating(x->type.id)) {
      TANDEM_ASSIGN_OR_RETURN(x, CoerceTo(x, DataType::Double()));
    }
    if (x->type.id != TypeId::kInt32 && x->type.id != TypeId::kInt64 && x->type.id != TypeId::kDouble) {
      return bad_type(x);
    }
    Function f = name == "abs"     ? Function::kAbs
                 : name == "round" ? Function::kRound
                 : name == "floor" ? Function::kFloor
                                   : Function::kCeil;
    auto e = node(f, x->type, x);
    if (xs.size() == 2) {
      const ExprPtr& d = xs[1];
      if (!d->IsLiteral() || d->literal.is_null() ||
          (d->type.id != TypeId::kInt32 && d->type.id != TypeId::kInt64)) {
        return Status::InvalidArgument("round's second argument must be an integer literal, got " +
                                       d->ToString());
      }
      const int64_t digits = d->literal.int_value();
      if (digits < -30 || digits > 300) {
        return Status::InvalidArgument("round's digits must be between -30 and 300, got " +
                                       std::to_string(digits));
      }
      e->round_digits = static_cast<int>(digits);
      e->round_has_digits = true;
    }
    return ExprPtr(e);
  }
  return Status::InvalidArgument("unknown function " + name + "()");
}

}  // namespace ex
}  // namespace tandem::exec
