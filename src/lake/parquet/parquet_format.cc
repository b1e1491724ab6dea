#include "lake/parquet/parquet_format.h"

#include <utility>

namespace tandem::parquet {

const char* PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return "BOOLEAN";
    case PhysicalType::kInt32: return "INT32";
    case PhysicalType::kInt64: return "INT64";
    case PhysicalType::kInt96: return "INT96";
    case PhysicalType::kFloat: return "FLOAT";
    case PhysicalType::kDouble: return "DOUBLE";
    case PhysicalType::kByteArray: return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN_TYPE";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain: return "PLAIN";
    case Encoding::kPlainDictionary: return "PLAIN_DICTIONARY";
    case Encoding::kRle: return "RLE";
    case Encoding::kBitPacked: return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary: return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN_ENCODING";
}

const char* CodecName(CompressionCodec c) {
  switch (c) {
    case CompressionCodec::kUncompressed: return "UNCOMPRESSED";
    case CompressionCodec::kSnappy: return "SNAPPY";
    case CompressionCodec::kGzip: return "GZIP";
    case CompressionCodec::kLzo: return "LZO";
    case CompressionCodec::kBrotli: return "BROTLI";
    case CompressionCodec::kLz4: return "LZ4";
    case CompressionCodec::kZstd: return "ZSTD";
    case CompressionCodec::kLz4Raw: return "LZ4_RAW";
  }
  return "UNKNOWN_CODEC";
}

namespace {

// ---- decoding helpers ----

Status WrongType(const char* strct, int16_t id, ThriftType got) {
  return Status::Corruption(std::string("parquet metadata: ") + strct + " field " + std::to_string(id) +
                            " has unexpected wire type " + std::to_string(static_cast<int>(got)));
}

Status Missing(const char* strct, const char* field) {
  return Status::Corruption(std::string("parquet metadata: ") + strct + " is missing required field " +
                            field);
}

// Calls on_field(type, id, &handled) for every field; skips the fields it does not handle.
template <typename F>
Status ReadStruct(ThriftCompactReader* r, F&& on_field) {
  TANDEM_RETURN_IF_ERROR(r->ReadStructBegin());
  while (true) {
    ThriftType t;
    int16_t id;
    TANDEM_RETURN_IF_ERROR(r->ReadFieldBegin(&t, &id));
    if (t == ThriftType::kStop) break;
    bool handled = false;
    TANDEM_RETURN_IF_ERROR(on_field(t, id, &handled));
    if (!handled) TANDEM_RETURN_IF_ERROR(r->Skip(t));
  }
  r->ReadStructEnd();
  return Status::OK();
}

Status GetI32(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, int32_t* out) {
  if (t != ThriftType::kI32) return WrongType(s, id, t);
  TANDEM_ASSIGN_OR_RETURN(*out, r->ReadI32());
  return Status::OK();
}

template <typename E>
Status GetEnum(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, E* out) {
  int32_t v;
  TANDEM_RETURN_IF_ERROR(GetI32(r, s, t, id, &v));
  *out = static_cast<E>(v);
  return Status::OK();
}

template <typename E>
Status GetOptEnum(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, std::optional<E>* out) {
  E v;
  TANDEM_RETURN_IF_ERROR(GetEnum(r, s, t, id, &v));
  *out = v;
  return Status::OK();
}

Status GetOptI32(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id,
                 std::optional<int32_t>* out) {
  int32_t v;
  TANDEM_RETURN_IF_ERROR(GetI32(r, s, t, id, &v));
  *out = v;
  return Status::OK();
}

Status GetI64(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, int64_t* out) {
  // Some writers widen i32 fields to i64 or narrow i64 ones; both are zigzag varints.
  if (t != ThriftType::kI64 && t != ThriftType::kI32) return WrongType(s, id, t);
  TANDEM_ASSIGN_OR_RETURN(*out, r->ReadI64());
  return Status::OK();
}

Status GetOptI64(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id,
                 std::optional<int64_t>* out) {
  int64_t v;
  TANDEM_RETURN_IF_ERROR(GetI64(r, s, t, id, &v));
  *out = v;
  return Status::OK();
}

Status GetBool(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, bool* out) {
  if (t != ThriftType::kBoolTrue && t != ThriftType::kBoolFalse) return WrongType(s, id, t);
  TANDEM_ASSIGN_OR_RETURN(*out, r->ReadBool());
  return Status::OK();
}

Status GetOptBool(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, std::optional<bool>* out) {
  bool v;
  TANDEM_RETURN_IF_ERROR(GetBool(r, s, t, id, &v));
  *out = v;
  return Status::OK();
}

Status GetString(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, std::string* out) {
  if (t != ThriftType::kBinary) return WrongType(s, id, t);
  return r->ReadString(out);
}

Status GetOptString(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id,
                    std::optional<std::string>* out) {
  std::string v;
  TANDEM_RETURN_IF_ERROR(GetString(r, s, t, id, &v));
  *out = std::move(v);
  return Status::OK();
}

// Reads a list field whose elements are decoded by read_elem(elem_type).
template <typename F>
Status GetList(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id, F&& read_elem) {
  if (t != ThriftType::kList && t != ThriftType::kSet) return WrongType(s, id, t);
  ThriftType elem;
  uint32_t n;
  TANDEM_RETURN_IF_ERROR(r->ReadListBegin(&elem, &n));
  for (uint32_t i = 0; i < n; ++i) TANDEM_RETURN_IF_ERROR(read_elem(elem));
  return Status::OK();
}

Status DecodeKeyValue(ThriftCompactReader* r, KeyValue* kv) {
  bool has_key = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: has_key = true; return GetString(r, "KeyValue", t, id, &kv->key);
      case 2: return GetOptString(r, "KeyValue", t, id, &kv->value);
      default: *h = false; return Status::OK();
    }
  }));
  if (!has_key) return Missing("KeyValue", "key");
  return Status::OK();
}

Status GetKeyValueList(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id,
                       std::vector<KeyValue>* out) {
  return GetList(r, s, t, id, [&](ThriftType et) -> Status {
    if (et != ThriftType::kStruct) return WrongType(s, id, et);
    out->emplace_back();
    return DecodeKeyValue(r, &out->back());
  });
}

// Reads an empty-struct union member or a struct we only need to skip.
Status SkipStruct(ThriftCompactReader* r, const char* s, ThriftType t, int16_t id) {
  if (t != ThriftType::kStruct) return WrongType(s, id, t);
  return r->Skip(t);
}

Status DecodeTimeUnit(ThriftCompactReader* r, TimeUnitKind* unit) {
  return ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    TANDEM_RETURN_IF_ERROR(SkipStruct(r, "TimeUnit", t, id));
    switch (id) {
      case 1: *unit = TimeUnitKind::kMillis; break;
      case 2: *unit = TimeUnitKind::kMicros; break;
      case 3: *unit = TimeUnitKind::kNanos; break;
      default: *unit = TimeUnitKind::kUnknown; break;
    }
    return Status::OK();
  });
}

// TimestampType and TimeType share their layout.
Status DecodeTimeLike(ThriftCompactReader* r, LogicalType* lt) {
  return ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: return GetBool(r, "TimestampType", t, id, &lt->is_adjusted_to_utc);
      case 2:
        if (t != ThriftType::kStruct) return WrongType("TimestampType", id, t);
        return DecodeTimeUnit(r, &lt->unit);
      default: *h = false; return Status::OK();
    }
  });
}

Status DecodeLogicalType(ThriftCompactReader* r, LogicalType* lt) {
  bool seen = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    if (t != ThriftType::kStruct) return WrongType("LogicalType", id, t);
    seen = true;
    lt->member_id = id;
    using K = LogicalType::Kind;
    switch (id) {
      case 1: lt->kind = K::kString; return r->Skip(t);
      case 2: lt->kind = K::kMap; return r->Skip(t);
      case 3: lt->kind = K::kList; return r->Skip(t);
      case 4: lt->kind = K::kEnum; return r->Skip(t);
      case 5:
        lt->kind = K::kDecimal;
        return ReadStruct(r, [&](ThriftType t2, int16_t id2, bool* h2) -> Status {
          *h2 = true;
          switch (id2) {
            case 1: return GetI32(r, "DecimalType", t2, id2, &lt->decimal_scale);
            case 2: return GetI32(r, "DecimalType", t2, id2, &lt->decimal_precision);
            default: *h2 = false; return Status::OK();
          }
        });
      case 6: lt->kind = K::kDate; return r->Skip(t);
      case 7: lt->kind = K::kTime; return DecodeTimeLike(r, lt);
      case 8: lt->kind = K::kTimestamp; return DecodeTimeLike(r, lt);
      case 10:
        lt->kind = K::kInteger;
        return ReadStruct(r, [&](ThriftType t2, int16_t id2, bool* h2) -> Status {
          *h2 = true;
          switch (id2) {
            case 1: {
              if (t2 != ThriftType::kByte) return WrongType("IntType", id2, t2);
              TANDEM_ASSIGN_OR_RETURN(lt->bit_width, r->ReadByte());
              return Status::OK();
            }
            case 2: return GetBool(r, "IntType", t2, id2, &lt->is_signed);
            default: *h2 = false; return Status::OK();
          }
        });
      case 11: lt->kind = K::kNull; return r->Skip(t);
      case 12: lt->kind = K::kJson; return r->Skip(t);
      case 13: lt->kind = K::kBson; return r->Skip(t);
      case 14: lt->kind = K::kUuid; return r->Skip(t);
      case 15: lt->kind = K::kFloat16; return r->Skip(t);
      case 16: lt->kind = K::kVariant; return r->Skip(t);
      case 17: lt->kind = K::kGeometry; return r->Skip(t);
      case 18: lt->kind = K::kGeography; return r->Skip(t);
      default: lt->kind = K::kOther; return r->Skip(t);
    }
  }));
  if (!seen) lt->kind = LogicalType::Kind::kOther;
  return Status::OK();
}

}  // namespace

Status DecodeStatistics(ThriftCompactReader* r, Statistics* s) {
  const char* n = "Statistics";
  return ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: return GetOptString(r, n, t, id, &s->max);
      case 2: return GetOptString(r, n, t, id, &s->min);
      case 3: return GetOptI64(r, n, t, id, &s->null_count);
      case 4: return GetOptI64(r, n, t, id, &s->distinct_count);
      case 5: return GetOptString(r, n, t, id, &s->max_value);
      case 6: return GetOptString(r, n, t, id, &s->min_value);
      case 7: return GetOptBool(r, n, t, id, &s->is_max_value_exact);
      case 8: return GetOptBool(r, n, t, id, &s->is_min_value_exact);
      case 9: return GetOptI64(r, n, t, id, &s->nan_count);
      default: *h = false; return Status::OK();
    }
  });
}

Status DecodeSchemaElement(ThriftCompactReader* r, SchemaElement* e) {
  const char* n = "SchemaElement";
  bool has_name = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: return GetOptEnum(r, n, t, id, &e->type);
      case 2: return GetOptI32(r, n, t, id, &e->type_length);
      case 3: return GetOptEnum(r, n, t, id, &e->repetition_type);
      case 4: has_name = true; return GetString(r, n, t, id, &e->name);
      case 5: return GetOptI32(r, n, t, id, &e->num_children);
      case 6: return GetOptEnum(r, n, t, id, &e->converted_type);
      case 7: return GetOptI32(r, n, t, id, &e->scale);
      case 8: return GetOptI32(r, n, t, id, &e->precision);
      case 9: return GetOptI32(r, n, t, id, &e->field_id);
      case 10:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        e->logical_type.emplace();
        return DecodeLogicalType(r, &*e->logical_type);
      default: *h = false; return Status::OK();
    }
  }));
  if (!has_name) return Missing(n, "name");
  return Status::OK();
}

namespace {

Status DecodeDataPageHeader(ThriftCompactReader* r, DataPageHeader* d) {
  const char* n = "DataPageHeader";
  bool has_nv = false, has_enc = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: has_nv = true; return GetI32(r, n, t, id, &d->num_values);
      case 2: has_enc = true; return GetEnum(r, n, t, id, &d->encoding);
      case 3: return GetEnum(r, n, t, id, &d->definition_level_encoding);
      case 4: return GetEnum(r, n, t, id, &d->repetition_level_encoding);
      case 5:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        d->statistics.emplace();
        return DecodeStatistics(r, &*d->statistics);
      default: *h = false; return Status::OK();
    }
  }));
  if (!has_nv) return Missing(n, "num_values");
  if (!has_enc) return Missing(n, "encoding");
  return Status::OK();
}

Status DecodeDataPageHeaderV2(ThriftCompactReader* r, DataPageHeaderV2* d) {
  const char* n = "DataPageHeaderV2";
  unsigned seen = 0;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    if (id >= 1 && id <= 6) seen |= 1u << id;
    switch (id) {
      case 1: return GetI32(r, n, t, id, &d->num_values);
      case 2: return GetI32(r, n, t, id, &d->num_nulls);
      case 3: return GetI32(r, n, t, id, &d->num_rows);
      case 4: return GetEnum(r, n, t, id, &d->encoding);
      case 5: return GetI32(r, n, t, id, &d->definition_levels_byte_length);
      case 6: return GetI32(r, n, t, id, &d->repetition_levels_byte_length);
      case 7: return GetBool(r, n, t, id, &d->is_compressed);
      case 8:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        d->statistics.emplace();
        return DecodeStatistics(r, &*d->statistics);
      default: *h = false; return Status::OK();
    }
  }));
  static const char* kNames[] = {"",
                                 "num_values",
                                 "num_nulls",
                                 "num_rows",
                                 "encoding",
                                 "definition_levels_byte_length",
                                 "repetition_levels_byte_length"};
  for (int i = 1; i <= 6; ++i) {
    if (!(seen & (1u << i))) return Missing(n, kNames[i]);
  }
  return Status::OK();
}

Status DecodeDictionaryPageHeader(ThriftCompactReader* r, DictionaryPageHeader* d) {
  const char* n = "DictionaryPageHeader";
  bool has_nv = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: has_nv = true; return GetI32(r, n, t, id, &d->num_values);
      case 2: return GetEnum(r, n, t, id, &d->encoding);
      case 3: return GetOptBool(r, n, t, id, &d->is_sorted);
      default: *h = false; return Status::OK();
    }
  }));
  if (!has_nv) return Missing(n, "num_values");
  return Status::OK();
}

}  // namespace

Status DecodePageHeader(ThriftCompactReader* r, PageHeader* p) {
  const char* n = "PageHeader";
  unsigned seen = 0;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    if (id >= 1 && id <= 3) seen |= 1u << id;
    switch (id) {
      case 1: return GetEnum(r, n, t, id, &p->type);
      case 2: return GetI32(r, n, t, id, &p->uncompressed_page_size);
      case 3: return GetI32(r, n, t, id, &p->compressed_page_size);
      case 4: return GetOptI32(r, n, t, id, &p->crc);
      case 5:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        p->data_page_header.emplace();
        return DecodeDataPageHeader(r, &*p->data_page_header);
      case 7:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        p->dictionary_page_header.emplace();
        return DecodeDictionaryPageHeader(r, &*p->dictionary_page_header);
      case 8:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        p->data_page_header_v2.emplace();
        return DecodeDataPageHeaderV2(r, &*p->data_page_header_v2);
      default: *h = false; return Status::OK();
    }
  }));
  if (!(seen & 2)) return Missing(n, "type");
  if (!(seen & 4)) return Missing(n, "uncompressed_page_size");
  if (!(seen & 8)) return Missing(n, "compressed_page_size");
  return Status::OK();
}

Status DecodeColumnMetaData(ThriftCompactReader* r, ColumnMetaData* m) {
  const char* n = "ColumnMetaData";
  unsigned seen = 0;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    if (id >= 1 && id <= 9) seen |= 1u << id;
    switch (id) {
      case 1: return GetEnum(r, n, t, id, &m->type);
      case 2:
        return GetList(r, n, t, id, [&](ThriftType et) -> Status {
          if (et != ThriftType::kI32) return WrongType(n, id, et);
          TANDEM_ASSIGN_OR_RETURN(int32_t e, r->ReadI32());
          m->encodings.push_back(static_cast<Encoding>(e));
          return Status::OK();
        });
      case 3:
        return GetList(r, n, t, id, [&](ThriftType et) -> Status {
          if (et != ThriftType::kBinary) return WrongType(n, id, et);
          m->path_in_schema.emplace_back();
          return r->ReadString(&m->path_in_schema.back());
        });
      case 4: return GetEnum(r, n, t, id, &m->codec);
      case 5: return GetI64(r, n, t, id, &m->num_values);
      case 6: return GetI64(r, n, t, id, &m->total_uncompressed_size);
      case 7: return GetI64(r, n, t, id, &m->total_compressed_size);
      case 8: return GetKeyValueList(r, n, t, id, &m->key_value_metadata);
      case 9: return GetI64(r, n, t, id, &m->data_page_offset);
      case 10: return GetOptI64(r, n, t, id, &m->index_page_offset);
      case 11: return GetOptI64(r, n, t, id, &m->dictionary_page_offset);
      case 12:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        m->statistics.emplace();
        return DecodeStatistics(r, &*m->statistics);
      default: *h = false; return Status::OK();
    }
  }));
  static const char* kNames[] = {"",
                                 "type",
                                 "encodings",
                                 "path_in_schema",
                                 "codec",
                                 "num_values",
                                 "total_uncompressed_size",
                                 "total_compressed_size",
                                 "",
                                 "data_page_offset"};
  for (int i : {1, 4, 5, 7, 9}) {
    if (!(seen & (1u << i))) return Missing(n, kNames[i]);
  }
  return Status::OK();
}

namespace {

Status DecodeColumnChunk(ThriftCompactReader* r, ColumnChunk* c) {
  const char* n = "ColumnChunk";
  return ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: return GetOptString(r, n, t, id, &c->file_path);
      case 2: return GetI64(r, n, t, id, &c->file_offset);
      case 3:
        if (t != ThriftType::kStruct) return WrongType(n, id, t);
        c->meta_data.emplace();
        return DecodeColumnMetaData(r, &*c->meta_data);
      case 8:
      case 9:
        c->encrypted = true;
        *h = false;
        return Status::OK();
      default: *h = false; return Status::OK();
    }
  });
}

Status DecodeRowGroup(ThriftCompactReader* r, RowGroup* g) {
  const char* n = "RowGroup";
  bool has_columns = false, has_rows = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1:
        has_columns = true;
        return GetList(r, n, t, id, [&](ThriftType et) -> Status {
          if (et != ThriftType::kStruct) return WrongType(n, id, et);
          g->columns.emplace_back();
          return DecodeColumnChunk(r, &g->columns.back());
        });
      case 2: return GetI64(r, n, t, id, &g->total_byte_size);
      case 3: has_rows = true; return GetI64(r, n, t, id, &g->num_rows);
      case 5: return GetOptI64(r, n, t, id, &g->file_offset);
      case 6: return GetOptI64(r, n, t, id, &g->total_compressed_size);
      case 7: {
        if (t != ThriftType::kI16) return WrongType(n, id, t);
        TANDEM_ASSIGN_OR_RETURN(int16_t o, r->ReadI16());
        g->ordinal = o;
        return Status::OK();
      }
      default: *h = false; return Status::OK();
    }
  }));
  if (!has_columns) return Missing(n, "columns");
  if (!has_rows) return Missing(n, "num_rows");
  return Status::OK();
}

}  // namespace

Status DecodeFileMetaData(ThriftCompactReader* r, FileMetaData* m) {
  const char* n = "FileMetaData";
  bool has_schema = false, has_rows = false, has_groups = false;
  TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t, int16_t id, bool* h) -> Status {
    *h = true;
    switch (id) {
      case 1: return GetI32(r, n, t, id, &m->version);
      case 2:
        has_schema = true;
        return GetList(r, n, t, id, [&](ThriftType et) -> Status {
          if (et != ThriftType::kStruct) return WrongType(n, id, et);
          m->schema.emplace_back();
          return DecodeSchemaElement(r, &m->schema.back());
        });
      case 3: has_rows = true; return GetI64(r, n, t, id, &m->num_rows);
      case 4:
        has_groups = true;
        return GetList(r, n, t, id, [&](ThriftType et) -> Status {
          if (et != ThriftType::kStruct) return WrongType(n, id, et);
          m->row_groups.emplace_back();
          return DecodeRowGroup(r, &m->row_groups.back());
        });
      case 5: return GetKeyValueList(r, n, t, id, &m->key_value_metadata);
      case 6: return GetOptString(r, n, t, id, &m->created_by);
      case 7:
        m->column_orders.emplace();
        return GetList(r, n, t, id, [&](ThriftType et) -> Status {
          if (et != ThriftType::kStruct) return WrongType(n, id, et);
          int16_t kind = 0;
          TANDEM_RETURN_IF_ERROR(ReadStruct(r, [&](ThriftType t2, int16_t id2, bool* h2) -> Status {
            *h2 = false;
            kind = id2;
            (void)t2;
            return Status::OK();
          }));
          m->column_orders->push_back(kind);
          return Status::OK();
        });
      case 8:
        m->encrypted = true;
        *h = false;
        return Status::OK();
      default: *h = false; return Status::OK();
    }
  }));
  if (!has_schema) return Missing(n, "schema");
  if (!has_rows) return Missing(n, "num_rows");
  if (!has_groups) return Missing(n, "row_groups");
  return Status::OK();
}

// ---- encoding ----

namespace {

void EncodeKeyValues(int16_t id, const std::vector<KeyValue>& kvs, ThriftCompactWriter* w) {
  w->FieldListBegin(id, ThriftType::kStruct, static_cast<uint32_t>(kvs.size()));
  for (const KeyValue& kv : kvs) {
    w->StructBegin();
    w->FieldBinary(1, kv.key);
    if (kv.value) w->FieldBinary(2, *kv.value);
    w->StructEnd();
  }
}

void EncodeEmptyStructField(int16_t id, ThriftCompactWriter* w) {
  w->FieldStructBegin(id);
  w->StructEnd();
}

void EncodeLogicalType(const LogicalType& lt, ThriftCompactWriter* w) {
  using K = LogicalType::Kind;
  w->StructBegin();
  switch (lt.kind) {
    case K::kString: EncodeEmptyStructField(1, w); break;
    case K::kMap: EncodeEmptyStructField(2, w); break;
    case K::kList: EncodeEmptyStructField(3, w); break;
    case K::kEnum: EncodeEmptyStructField(4, w); break;
    case K::kDecimal:
      w->FieldStructBegin(5);
      w->FieldI32(1, lt.decimal_scale);
      w->FieldI32(2, lt.decimal_precision);
      w->StructEnd();
      break;
    case K::kDate: EncodeEmptyStructField(6, w); break;
    case K::kTime:
    case K::kTimestamp: {
      w->FieldStructBegin(lt.kind == K::kTime ? 7 : 8);
      w->FieldBool(1, lt.is_adjusted_to_utc);
      w->FieldStructBegin(2);
      const int16_t unit_id = lt.unit == TimeUnitKind::kMillis ? 1 : lt.unit == TimeUnitKind::kMicros ? 2 : 3;
      EncodeEmptyStructField(unit_id, w);
      w->StructEnd();
      w->StructEnd();
      break;
    }
    case K::kInteger:
      w->FieldStructBegin(10);
      w->FieldI8(1, lt.bit_width);
      w->FieldBool(2, lt.is_signed);
      w->StructEnd();
      break;
    case K::kNull: EncodeEmptyStructField(11, w); break;
    case K::kJson: EncodeEmptyStructField(12, w); break;
    case K::kBson: EncodeEmptyStructField(13, w); break;
    case K::kUuid: EncodeEmptyStructField(14, w); break;
    case K::kFloat16: EncodeEmptyStructField(15, w); break;
    case K::kVariant: EncodeEmptyStructField(16, w); break;
    case K::kGeometry: EncodeEmptyStructField(17, w); break;
    case K::kGeography: EncodeEmptyStructField(18, w); break;
    case K::kOther:
      if (lt.member_id > 0) EncodeEmptyStructField(lt.member_id, w);
      break;
  }
  w->StructEnd();
}

void EncodeColumnChunk(const ColumnChunk& c, ThriftCompactWriter* w) {
  w->StructBegin();
  if (c.file_path) w->FieldBinary(1, *c.file_path);
  w->FieldI64(2, c.file_offset);
  if (c.meta_data) {
    w->FieldBegin(ThriftType::kStruct, 3);
    EncodeColumnMetaData(*c.meta_data, w);
  }
  w->StructEnd();
}

void EncodeRowGroup(const RowGroup& g, ThriftCompactWriter* w) {
  w->StructBegin();
  w->FieldListBegin(1, ThriftType::kStruct, static_cast<uint32_t>(g.columns.size()));
  for (const ColumnChunk& c : g.columns) EncodeColumnChunk(c, w);
  w->FieldI64(2, g.total_byte_size);
  w->FieldI64(3, g.num_rows);
  if (g.file_offset) w->FieldI64(5, *g.file_offset);
  if (g.total_compressed_size) w->FieldI64(6, *g.total_compressed_size);
  if (g.ordinal) w->FieldI16(7, *g.ordinal);
  w->StructEnd();
}

}  // namespace

void EncodeStatistics(const Statistics& s, ThriftCompactWriter* w) {
  w->StructBegin();
  if (s.max) w->FieldBinary(1, *s.max);
  if (s.min) w->FieldBinary(2, *s.min);
  if (s.null_count) w->FieldI64(3, *s.null_count);
  if (s.distinct_count) w->FieldI64(4, *s.distinct_count);
  if (s.max_value) w->FieldBinary(5, *s.max_value);
  if (s.min_value) w->FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w->FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w->FieldBool(8, *s.is_min_value_exact);
  if (s.nan_count) w->FieldI64(9, *s.nan_count);
  w->StructEnd();
}

void EncodeSchemaElement(const SchemaElement& e, ThriftCompactWriter* w) {
  w->StructBegin();
  if (e.type) w->FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w->FieldI32(2, *e.type_length);
  if (e.repetition_type) w->FieldI32(3, static_cast<int32_t>(*e.repetition_type));
  w->FieldBinary(4, e.name);
  if (e.num_children) w->FieldI32(5, *e.num_children);
  if (e.converted_type) w->FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w->FieldI32(7, *e.scale);
  if (e.precision) w->FieldI32(8, *e.precision);
  if (e.field_id) w->FieldI32(9, *e.field_id);
  if (e.logical_type) {
    w->FieldBegin(ThriftType::kStruct, 10);
    EncodeLogicalType(*e.logical_type, w);
  }
  w->StructEnd();
}

void EncodeColumnMetaData(const ColumnMetaData& m, ThriftCompactWriter* w) {
  w->StructBegin();
  w->FieldI32(1, static_cast<int32_t>(m.type));
  w->FieldListBegin(2, ThriftType::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w->WriteI32(static_cast<int32_t>(e));
  w->FieldListBegin(3, ThriftType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w->WriteBinary(p);
  w->FieldI32(4, static_cast<int32_t>(m.codec));
  w->FieldI64(5, m.num_values);
  w->FieldI64(6, m.total_uncompressed_size);
  w->FieldI64(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) EncodeKeyValues(8, m.key_value_metadata, w);
  w->FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w->FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w->FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w->FieldBegin(ThriftType::kStruct, 12);
    EncodeStatistics(*m.statistics, w);
  }
  w->StructEnd();
}

void EncodePageHeader(const PageHeader& h, ThriftCompactWriter* w) {
  w->StructBegin();
  w->FieldI32(1, static_cast<int32_t>(h.type));
  w->FieldI32(2, h.uncompressed_page_size);
  w->FieldI32(3, h.compressed_page_size);
  if (h.crc) w->FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w->FieldStructBegin(5);
    w->FieldI32(1, d.num_values);
    w->FieldI32(2, static_cast<int32_t>(d.encoding));
    w->FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w->FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    if (d.statistics) {
      w->FieldBegin(ThriftType::kStruct, 5);
      EncodeStatistics(*d.statistics, w);
    }
    w->StructEnd();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w->FieldStructBegin(7);
    w->FieldI32(1, d.num_values);
    w->FieldI32(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w->FieldBool(3, *d.is_sorted);
    w->StructEnd();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w->FieldStructBegin(8);
    w->FieldI32(1, d.num_values);
    w->FieldI32(2, d.num_nulls);
    w->FieldI32(3, d.num_rows);
    w->FieldI32(4, static_cast<int32_t>(d.encoding));
    w->FieldI32(5, d.definition_levels_byte_length);
    w->FieldI32(6, d.repetition_levels_byte_length);
    w->FieldBool(7, d.is_compressed);
    if (d.statistics) {
      w->FieldBegin(ThriftType::kStruct, 8);
      EncodeStatistics(*d.statistics, w);
    }
    w->StructEnd();
  }
  w->StructEnd();
}

void EncodeFileMetaData(const FileMetaData& m, ThriftCompactWriter* w) {
  w->StructBegin();
  w->FieldI32(1, m.version);
  w->FieldListBegin(2, ThriftType::kStruct, static_cast<uint32_t>(m.schema.size()));
  for (const SchemaElement& e : m.schema) EncodeSchemaElement(e, w);
  w->FieldI64(3, m.num_rows);
  w->FieldListBegin(4, ThriftType::kStruct, static_cast<uint32_t>(m.row_groups.size()));
  for (const RowGroup& g : m.row_groups) EncodeRowGroup(g, w);
  if (!m.key_value_metadata.empty()) EncodeKeyValues(5, m.key_value_metadata, w);
  if (m.created_by) w->FieldBinary(6, *m.created_by);
  if (m.column_orders) {
    w->FieldListBegin(7, ThriftType::kStruct, static_cast<uint32_t>(m.column_orders->size()));
    for (int16_t kind : *m.column_orders) {
      w->StructBegin();
      EncodeEmptyStructField(kind, w);
      w->StructEnd();
    }
  }
  w->StructEnd();
}

}  // namespace tandem::parquet
