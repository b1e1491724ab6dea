#include "lake/parquet/parquet_schema.h"

#include <optional>

namespace tandem::parquet {

int DecimalByteWidth(int precision) {
  unsigned __int128 pow10 = 1;
  for (int i = 0; i < precision && i < 38; ++i) pow10 *= 10;
  for (int n = 1; n < 16; ++n) {
    const unsigned __int128 max = (static_cast<unsigned __int128>(1) << (8 * n - 1)) - 1;
    if (pow10 - 1 <= max) return n;
  }
  return 16;
}

namespace {

constexpr int kMaxSchemaDepth = 64;

std::string Quote(const std::string& name) {
  return "'" + name + "'";
}

std::string NestedReason(const char* kind, const std::string& name) {
  return std::string(kind) + " column " + Quote(name) + " (nested types are not supported)";
}

// Describes a group node for an unsupported-column reason.
const char* GroupKind(const SchemaElement& e) {
  if (e.repetition_type == Repetition::kRepeated) return "repeated";
  if (e.logical_type) {
    switch (e.logical_type->kind) {
      case LogicalType::Kind::kList: return "LIST";
      case LogicalType::Kind::kMap: return "MAP";
      case LogicalType::Kind::kVariant: return "VARIANT";
      default: break;
    }
  }
  if (e.converted_type == ConvertedType::kList) return "LIST";
  if (e.converted_type == ConvertedType::kMap || e.converted_type == ConvertedType::kMapKeyValue)
    return "MAP";
  return "STRUCT";
}

struct Mapped {
  DataType type;
  ValueConversion conversion = ValueConversion::kCopy;
  StatsOrder order = StatsOrder::kSigned;
  bool legacy_ok = true;
};

// Maps one flat primitive element; on failure *reason says why it is unsupported.
std::optional<Mapped> MapLeaf(const SchemaElement& e, std::string* reason) {
  const std::string& name = e.name;
  auto unsupported = [&](const std::string& what) -> std::optional<Mapped> {
    *reason = what + " column " + Quote(name) + " (type not supported)";
    return std::nullopt;
  };
  using K = LogicalType::Kind;
  const LogicalType* lt = e.logical_type ? &*e.logical_type : nullptr;
  if (lt && lt->kind == K::kOther) lt = nullptr;  // an annotation from a newer spec: use the physical type
  // The legacy annotation counts only without a logical type; -1 stands for none.
  const ConvertedType ct = lt || !e.converted_type ? static_cast<ConvertedType>(-1) : *e.converted_type;

  // DECIMAL parameters from the logical type, else from the element.
  auto decimal = [&](ValueConversion conv) -> std::optional<Mapped> {
    int32_t p = lt ? lt->decimal_precision : e.precision.value_or(0);
    int32_t s = lt ? lt->decimal_scale : e.scale.value_or(0);
    if (p < 1 || p > 38 || s < 0 || s > p) {
      *reason = "DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + ") column " + Quote(name) +
                " (precision must be 1..38 and scale 0..precision)";
      return std::nullopt;
    }
    Mapped m{DataType::Decimal(p, s), conv, StatsOrder::kSigned, false};
    return m;
  };
  const bool is_decimal = (lt && lt->kind == K::kDecimal) || ct == ConvertedType::kDecimal;

  if (!e.type) return unsupported("untyped");
  switch (*e.type) {
    case PhysicalType::kBoolean:
      return Mapped{DataType::Boolean(), ValueConversion::kCopy, StatsOrder::kSigned, true};
    case PhysicalType::kInt32: {
      if (is_decimal) {
        auto m = decimal(ValueConversion::kInt32ToDecimal);
        if (m) m->legacy_ok = true;
        return m;
      }
      if ((lt && lt->kind == K::kDate) || ct == ConvertedType::kDate) {
        return Mapped{DataType::Date(), ValueConversion::kCopy, StatsOrder::kSigned, true};
      }
      if ((lt && lt->kind == K::kTime) || ct == ConvertedType::kTimeMillis) return unsupported("TIME");
      bool is_unsigned = false;
      int bits = 32;
      if (lt && lt->kind == K::kInteger) {
        is_unsigned = !lt->is_signed;
        bits = lt->bit_width;
      } else {
        switch (ct) {
          case ConvertedType::kUint8:
            is_unsigned = true;
            bits = 8;
            break;
          case ConvertedType::kUint16:
            is_unsigned = true;
            bits = 16;
            break;
          case ConvertedType::kUint32:
            is_unsigned = true;
            bits = 32;
            break;
          case ConvertedType::kInt8: bits = 8; break;
          case ConvertedType::kInt16: bits = 16; break;
          default: break;
        }
      }
      if (lt && lt->kind != K::kInteger && lt->kind != K::kNull) {
        return unsupported("INT32 with an unexpected logical type");
      }
      if (is_unsigned && bits >= 32) {
        return Mapped{DataType::Int64(), ValueConversion::kUInt32ToInt64, StatsOrder::kUnsigned, false};
      }
      return Mapped{DataType::Int32(), ValueConversion::kCopy,
                    is_unsigned ? StatsOrder::kUnsigned : StatsOrder::kSigned, !is_unsigned};
    }
    case PhysicalType::kInt64: {
      if (is_decimal) {
        auto m = decimal(ValueConversion::kInt64ToDecimal);
        if (m) m->legacy_ok = true;
        return m;
      }
      if (lt && lt->kind == K::kTimestamp) {
        switch (lt->unit) {
          case TimeUnitKind::kMillis: return Mapped{DataType::Timestamp(TimeUnit::kMillis)};
          case TimeUnitKind::kMicros: return Mapped{DataType::Timestamp(TimeUnit::kMicros)};
          case TimeUnitKind::kNanos: return Mapped{DataType::Timestamp(TimeUnit::kNanos)};
          case TimeUnitKind::kUnknown: return unsupported("TIMESTAMP with an unknown unit");
        }
      }
      if (ct == ConvertedType::kTimestampMillis) return Mapped{DataType::Timestamp(TimeUnit::kMillis)};
      if (ct == ConvertedType::kTimestampMicros) return Mapped{DataType::Timestamp(TimeUnit::kMicros)};
      if ((lt && lt->kind == K::kTime) || ct == ConvertedType::kTimeMicros) return unsupported("TIME");
      bool is_unsigned = false;
      if (lt && lt->kind == K::kInteger) {
        is_unsigned = !lt->is_signed;
      } else if (lt && lt->kind != K::kNull) {
        return unsupported("INT64 with an unexpected logical type");
      } else if (ct == ConvertedType::kUint64 || ct == ConvertedType::kUint32 ||
                 ct == ConvertedType::kUint16 || ct == ConvertedType::kUint8) {
        is_unsigned = true;
      }
      if (is_unsigned)
        return Mapped{DataType::UInt64(), ValueConversion::kCopy, StatsOrder::kUnsigned, false};
      return Mapped{DataType::Int64()};
    }
    case PhysicalType::kInt96:
      return Mapped{DataType::Timestamp(TimeUnit::kNanos), ValueConversion::kInt96ToTimestamp,
                    StatsOrder::kNone, false};
    case PhysicalType::kFloat:
      return Mapped{DataType::Float(), ValueConversion::kCopy, StatsOrder::kFloat, true};
    case PhysicalType::kDouble:
      return Mapped{DataType::Double(), ValueConversion::kCopy, StatsOrder::kFloat, true};
    case PhysicalType::kByteArray: {
      if (is_decimal) return decimal(ValueConversion::kBytesToDecimal);
      const bool is_string =
          (lt && (lt->kind == K::kString || lt->kind == K::kEnum || lt->kind == K::kJson)) ||
          ct == ConvertedType::kUtf8 || ct == ConvertedType::kEnum || ct == ConvertedType::kJson;
      return Mapped{is_string ? DataType::String() : DataType::Binary(), ValueConversion::kBytes,
                    StatsOrder::kBytes, false};
    }
    case PhysicalType::kFixedLenByteArray: {
      if (!e.type_length || *e.type_length <= 0) {
        *reason = "FIXED_LEN_BYTE_ARRAY column " + Quote(name) + " has no positive type_length";
        return std::nullopt;
      }
      if (is_decimal) {
        if (*e.type_length > 16) {
          *reason = "DECIMAL column " + Quote(name) + " stored in " + std::to_string(*e.type_length) +
                    " bytes (at most 16 are supported)";
          return std::nullopt;
        }
        return decimal(ValueConversion::kFixedToDecimal);
      }
      if (lt && lt->kind == K::kFloat16) return unsupported("FLOAT16");
      if (ct == ConvertedType::kInterval) return unsupported("INTERVAL");
      return Mapped{DataType::Binary(), ValueConversion::kFixedToBinary, StatsOrder::kBytes, false};
    }
  }
  return unsupported("physical type " + std::to_string(static_cast<int>(*e.type)));
}

}  // namespace

Status BuildFileSchema(const std::vector<SchemaElement>& elements, FileSchema* out) {
  *out = FileSchema{};
  if (elements.empty()) return Status::Corruption("parquet schema has no root element");
  const SchemaElement& root = elements[0];
  const int64_t top = root.num_children.value_or(0);
  if (top < 0 || static_cast<uint64_t>(top) > elements.size() - 1) {
    return Status::Corruption("parquet schema root claims " + std::to_string(top) + " children but only " +
                              std::to_string(elements.size() - 1) + " elements follow");
  }
  size_t pos = 1;
  for (int64_t c = 0; c < top; ++c) {
    if (pos >= elements.size()) {
      return Status::Corruption("parquet schema ends inside the root's children (element " +
                                std::to_string(pos) + ")");
    }
    const size_t top_pos = pos;
    const SchemaElement& field = elements[top_pos];
    // Walk the subtree of this top-level field: a stack of remaining-children counts.
    std::vector<int64_t> remaining;
    std::vector<std::string> path;
    int leaves_in_field = 0;
    bool first = true;
    while (first || !remaining.empty()) {
      first = false;
      if (pos >= elements.size()) {
        return Status::Corruption("parquet schema ends inside field '" + field.name + "'");
      }
      const SchemaElement& e = elements[pos++];
      if (!remaining.empty()) --remaining.back();
      const int64_t nc = e.num_children.value_or(0);
      if (nc < 0)
        return Status::Corruption("parquet schema element '" + e.name + "' has negative num_children");
      const bool is_leaf = e.type.has_value() && nc == 0;
      if (is_leaf) {
        std::string dotted;
        for (const std::string& p : path) dotted += p + ".";
        dotted += e.name;
        out->leaf_paths.push_back(std::move(dotted));
        out->leaf_to_column.push_back(-1);
        ++leaves_in_field;
      } else if (nc > 0) {
        if (static_cast<uint64_t>(nc) > elements.size() - pos) {
          return Status::Corruption("parquet schema element '" + e.name + "' claims " + std::to_string(nc) +
                                    " children but only " + std::to_string(elements.size() - pos) +
                                    " elements follow");
        }
        if (remaining.size() >= static_cast<size_t>(kMaxSchemaDepth)) {
          return Status::Corruption("parquet schema nests deeper than " + std::to_string(kMaxSchemaDepth) +
                                    " levels");
        }
        remaining.push_back(nc);
        path.push_back(e.name);
      }
      while (!remaining.empty() && remaining.back() == 0) {
        remaining.pop_back();
        path.pop_back();
      }
    }
    const int first_leaf = out->num_leaves;
    out->num_leaves += leaves_in_field;

    const bool is_leaf = field.type.has_value() && field.num_children.value_or(0) == 0;
    if (!is_leaf) {
      out->unsupported.push_back({field.name, NestedReason(GroupKind(field), field.name)});
      continue;
    }
    if (field.repetition_type == Repetition::kRepeated) {
      out->unsupported.push_back({field.name, NestedReason("repeated", field.name)});
      continue;
    }
    if (field.repetition_type && field.repetition_type != Repetition::kRequired &&
        field.repetition_type != Repetition::kOptional) {
      out->unsupported.push_back({field.name, "column " + Quote(field.name) + " has unknown repetition " +
                                                  std::to_string(static_cast<int>(*field.repetition_type))});
      continue;
    }
    std::string reason;
    std::optional<Mapped> m = MapLeaf(field, &reason);
    if (!m) {
      out->unsupported.push_back({field.name, reason});
      continue;
    }
    LeafColumn leaf;
    leaf.leaf_index = first_leaf;
    leaf.physical = *field.type;
    leaf.type_length = field.type_length.value_or(0);
    leaf.max_def = field.repetition_type == Repetition::kOptional ? 1 : 0;
    leaf.conversion = m->conversion;
    leaf.order = m->order;
    leaf.legacy_stats_ok = m->legacy_ok;
    out->leaf_to_column[first_leaf] = static_cast<int>(out->columns.size());
    out->schema.fields.push_back(Field{field.name, m->type, leaf.max_def == 1});
    out->columns.push_back(leaf);
  }
  if (pos != elements.size()) {
    return Status::Corruption("parquet schema has " + std::to_string(elements.size() - pos) +
                              " elements beyond the root's children");
  }
  return Status::OK();
}

Result<SchemaElement> SchemaElementForField(const Field& field) {
  SchemaElement e;
  e.name = field.name;
  e.repetition_type = field.nullable ? Repetition::kOptional : Repetition::kRequired;
  using K = LogicalType::Kind;
  auto logical = [&](K kind) -> LogicalType& {
    e.logical_type.emplace();
    e.logical_type->kind = kind;
    return *e.logical_type;
  };
  const DataType& t = field.type;
  switch (t.id) {
    case TypeId::kBoolean: e.type = PhysicalType::kBoolean; break;
    case TypeId::kInt32: e.type = PhysicalType::kInt32; break;
    case TypeId::kInt64: e.type = PhysicalType::kInt64; break;
    case TypeId::kUInt64: {
      e.type = PhysicalType::kInt64;
      LogicalType& lt = logical(K::kInteger);
      lt.bit_width = 64;
      lt.is_signed = false;
      e.converted_type = ConvertedType::kUint64;
      break;
    }
    case TypeId::kFloat: e.type = PhysicalType::kFloat; break;
    case TypeId::kDouble: e.type = PhysicalType::kDouble; break;
    case TypeId::kString:
      e.type = PhysicalType::kByteArray;
      logical(K::kString);
      e.converted_type = ConvertedType::kUtf8;
      break;
    case TypeId::kBinary: e.type = PhysicalType::kByteArray; break;
    case TypeId::kDate:
      e.type = PhysicalType::kInt32;
      logical(K::kDate);
      e.converted_type = ConvertedType::kDate;
      break;
    case TypeId::kTimestamp: {
      e.type = PhysicalType::kInt64;
      LogicalType& lt = logical(K::kTimestamp);
      lt.is_adjusted_to_utc = true;
      switch (t.unit) {
        case TimeUnit::kMillis:
          lt.unit = TimeUnitKind::kMillis;
          e.converted_type = ConvertedType::kTimestampMillis;
          break;
        case TimeUnit::kMicros:
          lt.unit = TimeUnitKind::kMicros;
          e.converted_type = ConvertedType::kTimestampMicros;
          break;
        case TimeUnit::kNanos: lt.unit = TimeUnitKind::kNanos; break;
      }
      break;
    }
    case TypeId::kDecimal: {
      if (t.precision < 1 || t.precision > 38 || t.scale < 0 || t.scale > t.precision) {
        return Status::InvalidArgument("column '" + field.name + "': DECIMAL(" + std::to_string(t.precision) +
                                       "," + std::to_string(t.scale) +
                                       ") needs precision 1..38 and scale 0..precision");
      }
      if (t.precision <= 9) {
        e.type = PhysicalType::kInt32;
      } else if (t.precision <= 18) {
        e.type = PhysicalType::kInt64;
      } else {
        e.type = PhysicalType::kFixedLenByteArray;
        e.type_length = DecimalByteWidth(t.precision);
      }
      LogicalType& lt = logical(K::kDecimal);
      lt.decimal_precision = t.precision;
      lt.decimal_scale = t.scale;
      e.converted_type = ConvertedType::kDecimal;
      e.precision = t.precision;
      e.scale = t.scale;
      break;
    }
  }
  return e;
}

}  // namespace tandem::parquet
