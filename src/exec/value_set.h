// ValueSet: the constants of an `x IN (c1, c2, ...)` list as a hash set, probed once per row. It is what
// makes a list of a million constants one expression node (exec::ExprKind::kInSet) and a lookup per row
// instead of a chain of a million comparisons.
//
// Equality is that of the `=` operator (expression.cc): NaN equals NaN and -0.0 equals 0.0 for FLOAT and
// DOUBLE; strings and blobs compare by bytes; every other type by value. All values have the set's type
// (the caller casts them first, with the comparison's cast rules). NULLs are not members: the caller keeps
// track of a NULL in the list, which SQL's three-valued IN needs.
//
// Ownership: owns copies of its values. Thread safety: immutable after construction; any number of
// threads may probe one set. Errors: none (construction cannot fail).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "columnar/column.h"
#include "columnar/data_type.h"

namespace tandem::exec {

class ValueSet {
 public:
  // The set of the non-null values of `values` (duplicates collapse); its type is values.type().
  explicit ValueSet(const Column& values);

  const DataType& type() const { return type_; }
  // Number of distinct members.
  size_t size() const { return distinct_.length(); }
  // Whether row `i` of `column` is a member. `column` has type(); row `i` must not be NULL.
  bool Contains(const Column& column, size_t i) const;
  // The members in first-seen order (no NULLs).
  const Column& members() const { return distinct_; }
  // Same type and members.
  bool operator==(const ValueSet& other) const;

 private:
  struct BytesHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // For fixed-width types other than DECIMAL: the value as 64 bits, normalized so that equal values
  // (NaNs, signed zeros) have equal keys.
  uint64_t FixedKey(const Column& column, size_t i) const;
  bool UsesBytes() const;
  // The 16 bytes of a DECIMAL, or the bytes of a string / blob.
  static std::string_view BytesKey(const Column& column, size_t i, char (&buf)[16]);

  DataType type_;
  std::unordered_set<uint64_t> fixed_;
  std::unordered_set<std::string, BytesHash, std::equal_to<>> bytes_;
  Column distinct_;
};

}  // namespace tandem::exec
