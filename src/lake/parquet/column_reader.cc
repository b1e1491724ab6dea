#include "lake/parquet/column_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "lake/parquet/encoding.h"
#include "lake/parquet/thrift_compact.h"

namespace tandem::parquet {

namespace {

uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Big-endian two's complement of `width` (1..16) bytes, sign-extended.
__int128 LoadDecimalBE(const uint8_t* p, size_t width) {
  unsigned __int128 u = 0;
  for (size_t i = 0; i < width; ++i) u = (u << 8) | p[i];
  if (width < 16 && (p[0] & 0x80)) u |= ~static_cast<unsigned __int128>(0) << (8 * width);
  return static_cast<__int128>(u);
}

void ResetColumn(Column* c) {
  c->mutable_data().clear();
  c->mutable_validity().clear();
  c->mutable_offsets().assign(1, 0);
  c->mutable_chars().clear();
  c->SetLength(0);
}

template <size_t W>
void GatherFixed(const uint8_t* src, const uint32_t* idx, size_t n, uint8_t* dst) {
  for (size_t i = 0; i < n; ++i) std::memcpy(dst + i * W, src + static_cast<size_t>(idx[i]) * W, W);
}

template <size_t W>
void ScatterFixed(const uint8_t* src, const uint32_t* levels, size_t n, uint8_t* dst) {
  size_t j = 0;
  for (size_t i = 0; i < n; ++i) {
    if (levels[i]) {
      std::memcpy(dst + i * W, src + j * W, W);
      ++j;
    }
  }
}

}  // namespace

Status ColumnChunkReader::Fail(const std::string& what) const {
  return Status::Corruption("parquet column '" + field_.name + "' page " + std::to_string(page_index_) +
                            ": " + what);
}

int ColumnChunkReader::PhysicalWidth() const {
  switch (leaf_.physical) {
    case PhysicalType::kBoolean: return 1;  // after unpacking
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kInt96: return 12;
    case PhysicalType::kFixedLenByteArray: return leaf_.type_length;
    case PhysicalType::kByteArray: return 0;
  }
  return 0;
}

Status ColumnChunkReader::AppendFixed(const uint8_t* raw, size_t n, Column* dst) {
  if (n == 0) return Status::OK();
  const size_t len = dst->length();
  auto& d = dst->mutable_data();
  const size_t base = d.size();
  switch (leaf_.conversion) {
    case ValueConversion::kCopy: {
      const size_t w = static_cast<size_t>(PhysicalWidth());
      d.resize(base + n * w);
      std::memcpy(d.data() + base, raw, n * w);
      break;
    }
    case ValueConversion::kUInt32ToInt64: {
      d.resize(base + n * 8);
      for (size_t i = 0; i < n; ++i) {
        const int64_t v = LoadU32(raw + i * 4);
        std::memcpy(d.data() + base + i * 8, &v, 8);
      }
      break;
    }
    case ValueConversion::kInt32ToDecimal: {
      d.resize(base + n * 16);
      for (size_t i = 0; i < n; ++i) {
        int32_t x;
        std::memcpy(&x, raw + i * 4, 4);
        const __int128 v = x;
        std::memcpy(d.data() + base + i * 16, &v, 16);
      }
      break;
    }
    case ValueConversion::kInt64ToDecimal: {
      d.resize(base + n * 16);
      for (size_t i = 0; i < n; ++i) {
        int64_t x;
        std::memcpy(&x, raw + i * 8, 8);
        const __int128 v = x;
        std::memcpy(d.data() + base + i * 16, &v, 16);
      }
      break;
    }
    case ValueConversion::kFixedToDecimal: {
      const size_t w = static_cast<size_t>(leaf_.type_length);
      d.resize(base + n * 16);
      for (size_t i = 0; i < n; ++i) {
        const __int128 v = LoadDecimalBE(raw + i * w, w);
        std::memcpy(d.data() + base + i * 16, &v, 16);
      }
      break;
    }
    case ValueConversion::kInt96ToTimestamp: {
      d.resize(base + n * 8);
      for (size_t i = 0; i < n; ++i) {
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, raw + i * 12, 8);
        std::memcpy(&julian, raw + i * 12 + 8, 4);
        // Julian day 2440588 is 1970-01-01. Wraps (C++20 modular conversion) only for absurd dates.
        const __int128 ns =
            static_cast<__int128>(static_cast<int64_t>(julian) - 2440588) * 86400000000000LL + nanos;
        const int64_t v = static_cast<int64_t>(ns);
        std::memcpy(d.data() + base + i * 8, &v, 8);
      }
      break;
    }
    case ValueConversion::kFixedToBinary: {
      const size_t w = static_cast<size_t>(leaf_.type_length);
      auto& chars = dst->mutable_chars();
      auto& offs = dst->mutable_offsets();
      const int64_t cbase = static_cast<int64_t>(chars.size());
      chars.append(reinterpret_cast<const char*>(raw), n * w);
      offs.reserve(offs.size() + n);
      for (size_t i = 1; i <= n; ++i) offs.push_back(cbase + static_cast<int64_t>(i * w));
      break;
    }
    case ValueConversion::kBytes:
    case ValueConversion::kBytesToDecimal:
      return Status::Internal("fixed-width values for a BYTE_ARRAY column");
  }
  dst->SetLength(len + n);
  return Status::OK();
}

Status ColumnChunkReader::AppendByteArrays(const std::vector<int64_t>& offsets, const std::string& chars,
                                           Column* dst) {
  // offsets: [0, end0, end1, ...] over chars.
  const size_t n = offsets.size() - 1;
  const size_t len = dst->length();
  if (leaf_.conversion == ValueConversion::kBytes) {
    auto& dchars = dst->mutable_chars();
    auto& doffs = dst->mutable_offsets();
    const int64_t base = static_cast<int64_t>(dchars.size());
    dchars.append(chars);
    for (size_t i = 1; i <= n; ++i) doffs.push_back(base + offsets[i]);
  } else if (leaf_.conversion == ValueConversion::kBytesToDecimal) {
    auto& d = dst->mutable_data();
    const size_t base = d.size();
    d.resize(base + n * 16);
    for (size_t i = 0; i < n; ++i) {
      const size_t w = static_cast<size_t>(offsets[i + 1] - offsets[i]);
      if (w == 0 || w > 16) {
        return Fail("BYTE_ARRAY DECIMAL value of " + std::to_string(w) + " bytes (expected 1..16)");
      }
      const __int128 v = LoadDecimalBE(reinterpret_cast<const uint8_t*>(chars.data()) + offsets[i], w);
      std::memcpy(d.data() + base + i * 16, &v, 16);
    }
  } else {
    return Status::Internal("byte arrays for a fixed-width column");
  }
  dst->SetLength(len + n);
  return Status::OK();
}

Status ColumnChunkReader::GatherDictionary(const uint32_t* idx, size_t n, Column* dst) {
  const size_t dsize = dict_.length();
  uint32_t max = 0;
  for (size_t i = 0; i < n; ++i) max = idx[i] > max ? idx[i] : max;
  if (n > 0 && max >= dsize) {
    return Fail("dictionary index " + std::to_string(max) + " out of range (dictionary has " +
                std::to_string(dsize) + " entries)");
  }
  const size_t len = dst->length();
  if (field_.type.IsVarWidth()) {
    const int64_t* so = dict_.offsets().data();
    const char* sc = dict_.chars().data();
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) total += static_cast<size_t>(so[idx[i] + 1] - so[idx[i]]);
    auto& chars = dst->mutable_chars();
    auto& offs = dst->mutable_offsets();
    size_t pos = chars.size();
    chars.resize(pos + total);
    offs.reserve(offs.size() + n);
    char* out = chars.data();
    for (size_t i = 0; i < n; ++i) {
      const size_t l = static_cast<size_t>(so[idx[i] + 1] - so[idx[i]]);
      if (l) std::memcpy(out + pos, sc + so[idx[i]], l);
      pos += l;
      offs.push_back(static_cast<int64_t>(pos));
    }
  } else {
    const size_t w = static_cast<size_t>(field_.type.FixedWidth());
    auto& d = dst->mutable_data();
    const size_t base = d.size();
    d.resize(base + n * w);
    const uint8_t* src = dict_.data().data();
    uint8_t* out = d.data() + base;
    switch (w) {
      case 1: GatherFixed<1>(src, idx, n, out); break;
      case 4: GatherFixed<4>(src, idx, n, out); break;
      case 8: GatherFixed<8>(src, idx, n, out); break;
      case 16: GatherFixed<16>(src, idx, n, out); break;
      default: return Status::Internal("unexpected value width " + std::to_string(w));
    }
  }
  dst->SetLength(len + n);
  return Status::OK();
}

Status ColumnChunkReader::DecodeValues(Encoding enc, const uint8_t* p, size_t size, size_t nn, Column* dst) {
  if (nn == 0) return Status::OK();
  const PhysicalType pt = leaf_.physical;
  auto ctx = [&](const Status& st) { return st.ok() ? st : Fail(st.message()); };
  switch (enc) {
    case Encoding::kPlain: {
      if (pt == PhysicalType::kBoolean) {
        raw_.resize(nn);
        TANDEM_RETURN_IF_ERROR(ctx(DecodePlainBooleans(p, size, nn, raw_.data())));
        return AppendFixed(raw_.data(), nn, dst);
      }
      if (pt == PhysicalType::kByteArray) {
        if (leaf_.conversion == ValueConversion::kBytes) {
          const size_t len = dst->length();
          auto r = DecodePlainByteArrays(p, size, nn, &dst->mutable_offsets(), &dst->mutable_chars());
          if (!r.ok()) return Fail(r.status().message());
          dst->SetLength(len + nn);
          return Status::OK();
        }
        tmp_offsets_.assign(1, 0);
        tmp_chars_.clear();
        auto r = DecodePlainByteArrays(p, size, nn, &tmp_offsets_, &tmp_chars_);
        if (!r.ok()) return Fail(r.status().message());
        return AppendByteArrays(tmp_offsets_, tmp_chars_, dst);
      }
      const size_t w = static_cast<size_t>(PhysicalWidth());
      if (w == 0 || nn > size / w) {
        return Fail("PLAIN " + std::string(PhysicalTypeName(pt)) + ": " + std::to_string(nn) +
                    " values need " + std::to_string(nn) + "*" + std::to_string(w) + " bytes, page has " +
                    std::to_string(size));
      }
      return AppendFixed(p, nn, dst);
    }
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!has_dict_) return Fail("dictionary-encoded data page but the column chunk has no dictionary page");
      if (size < 1) return Fail("dictionary-encoded data page has no bit width byte");
      const int bw = p[0];
      if (bw > 32) return Fail("dictionary index bit width " + std::to_string(bw) + " exceeds 32");
      idx_.resize(nn);
      RleBitPackedDecoder dec(p + 1, size - 1, bw);
      TANDEM_RETURN_IF_ERROR(ctx(dec.GetBatch(idx_.data(), nn)));
      return GatherDictionary(idx_.data(), nn, dst);
    }
    case Encoding::kRle: {
      if (pt != PhysicalType::kBoolean) return Fail("RLE encoding is only valid for BOOLEAN values");
      if (size < 4) return Fail("RLE BOOLEAN data has no 4-byte length");
      const uint32_t len = LoadU32(p);
      if (len > size - 4) return Fail("RLE BOOLEAN length " + std::to_string(len) + " exceeds the page");
      idx_.resize(nn);
      RleBitPackedDecoder dec(p + 4, len, 1);
      TANDEM_RETURN_IF_ERROR(ctx(dec.GetBatch(idx_.data(), nn)));
      raw_.resize(nn);
      for (size_t i = 0; i < nn; ++i) raw_[i] = static_cast<uint8_t>(idx_[i] & 1);
      return AppendFixed(raw_.data(), nn, dst);
    }
    case Encoding::kDeltaBinaryPacked: {
      if (pt == PhysicalType::kInt32) {
        // Writers differ on INT32 deltas: some wrap them to 32 bits, others (DuckDB) keep 64-bit deltas.
        // Decoding in 64 bits and narrowing (mod 2^32) gives the right values for both.
        std::vector<int64_t> wide(nn);
        auto r = DecodeDeltaBinaryPacked64(p, size, nn, wide.data());
        if (!r.ok()) return Fail(r.status().message());
        std::vector<int32_t> v(nn);
        for (size_t i = 0; i < nn; ++i) v[i] = static_cast<int32_t>(static_cast<uint32_t>(wide[i]));
        return AppendFixed(reinterpret_cast<const uint8_t*>(v.data()), nn, dst);
      }
      if (pt == PhysicalType::kInt64) {
        std::vector<int64_t> v(nn);
        auto r = DecodeDeltaBinaryPacked64(p, size, nn, v.data());
        if (!r.ok()) return Fail(r.status().message());
        return AppendFixed(reinterpret_cast<const uint8_t*>(v.data()), nn, dst);
      }
      return Fail("DELTA_BINARY_PACKED is not valid for " + std::string(PhysicalTypeName(pt)));
    }
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray: {
      const bool is_fixed = pt == PhysicalType::kFixedLenByteArray;
      if (pt != PhysicalType::kByteArray && !(is_fixed && enc == Encoding::kDeltaByteArray)) {
        return Fail(std::string(EncodingName(enc)) + " is not valid for " + PhysicalTypeName(pt));
      }
      tmp_offsets_.assign(1, 0);
      tmp_chars_.clear();
      auto r = enc == Encoding::kDeltaByteArray
                   ? DecodeDeltaByteArray(p, size, nn, &tmp_offsets_, &tmp_chars_)
                   : DecodeDeltaLengthByteArray(p, size, nn, &tmp_offsets_, &tmp_chars_);
      if (!r.ok()) return Fail(r.status().message());
      if (tmp_offsets_.size() != nn + 1)
        return Fail("byte-array decoder returned the wrong number of values");
      if (is_fixed) {
        const int64_t w = leaf_.type_length;
        for (size_t i = 0; i < nn; ++i) {
          if (tmp_offsets_[i + 1] - tmp_offsets_[i] != w) {
            return Fail("FIXED_LEN_BYTE_ARRAY value of " +
                        std::to_string(tmp_offsets_[i + 1] - tmp_offsets_[i]) + " bytes, expected " +
                        std::to_string(w));
          }
        }
        return AppendFixed(reinterpret_cast<const uint8_t*>(tmp_chars_.data()), nn, dst);
      }
      return AppendByteArrays(tmp_offsets_, tmp_chars_, dst);
    }
    case Encoding::kByteStreamSplit: {
      if (pt == PhysicalType::kBoolean || pt == PhysicalType::kByteArray || pt == PhysicalType::kInt96) {
        return Fail("BYTE_STREAM_SPLIT is not valid for " + std::string(PhysicalTypeName(pt)));
      }
      const size_t w = static_cast<size_t>(PhysicalWidth());
      if (w == 0 || nn > size / w) return Fail("BYTE_STREAM_SPLIT data shorter than its values");
      raw_.resize(nn * w);
      TANDEM_RETURN_IF_ERROR(ctx(DecodeByteStreamSplit(p, size, nn, static_cast<int>(w), raw_.data())));
      return AppendFixed(raw_.data(), nn, dst);
    }
    case Encoding::kBitPacked: return Fail("BIT_PACKED is only valid for levels, not values");
  }
  return Fail("unknown value encoding " + std::to_string(static_cast<int>(enc)));
}

Status ColumnChunkReader::ReadDictionaryPage(const PageHeader& h, const uint8_t* page, BlockCodec* codec) {
  if (has_dict_) return Fail("second dictionary page in one column chunk");
  if (!h.dictionary_page_header) return Fail("DICTIONARY_PAGE without a dictionary_page_header");
  const DictionaryPageHeader& d = *h.dictionary_page_header;
  if (d.num_values < 0) return Fail("dictionary page with " + std::to_string(d.num_values) + " values");
  if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
    return Fail(std::string("dictionary page encoding ") + EncodingName(d.encoding) + " (expected PLAIN)");
  }
  const size_t usize = static_cast<size_t>(h.uncompressed_page_size);
  const uint8_t* body = page;
  if (codec->codec() != CompressionCodec::kUncompressed) {
    buf_.resize(std::max<size_t>(usize, 1));
    Status st = codec->Decompress(page, static_cast<size_t>(h.compressed_page_size), buf_.data(), usize);
    if (!st.ok()) return Fail(st.message());
    body = buf_.data();
  } else if (static_cast<size_t>(h.compressed_page_size) != usize) {
    return Fail("uncompressed page sizes disagree");
  }
  ResetColumn(&dict_);
  TANDEM_RETURN_IF_ERROR(
      DecodeValues(Encoding::kPlain, body, usize, static_cast<size_t>(d.num_values), &dict_));
  has_dict_ = true;
  return Status::OK();
}

Status ColumnChunkReader::ReadDataPage(const PageHeader& h, const uint8_t* page, BlockCodec* codec,
                                       int64_t remaining, Column* out, int64_t* rows) {
  const bool v2 = h.type == PageType::kDataPageV2;
  int32_t n;
  Encoding enc;
  if (v2) {
    if (!h.data_page_header_v2) return Fail("DATA_PAGE_V2 without a data_page_header_v2");
    n = h.data_page_header_v2->num_values;
    enc = h.data_page_header_v2->encoding;
  } else {
    if (!h.data_page_header) return Fail("DATA_PAGE without a data_page_header");
    n = h.data_page_header->num_values;
    enc = h.data_page_header->encoding;
  }
  if (n < 0 || n > remaining) {
    return Fail("data page claims " + std::to_string(n) + " values, but " + std::to_string(remaining) +
                " remain in the column chunk");
  }
  if (static_cast<uint64_t>(n) > options_.max_page_bytes / 8) {
    return Fail("data page claims " + std::to_string(n) +
                " values, more than max_page_bytes/8 = " + std::to_string(options_.max_page_bytes / 8));
  }
  const size_t csize = static_cast<size_t>(h.compressed_page_size);
  const size_t usize = static_cast<size_t>(h.uncompressed_page_size);
  const bool optional = leaf_.max_def > 0;
  if (optional) levels_.resize(static_cast<size_t>(n));
  const uint8_t* values;
  size_t values_size;
  if (!v2) {
    const uint8_t* body = page;
    if (codec->codec() != CompressionCodec::kUncompressed) {
      buf_.resize(std::max<size_t>(usize, 1));
      Status st = codec->Decompress(page, csize, buf_.data(), usize);
      if (!st.ok()) return Fail(st.message());
      body = buf_.data();
    } else if (csize != usize) {
      return Fail("uncompressed page sizes disagree (" + std::to_string(csize) + " vs " +
                  std::to_string(usize) + ")");
    }
    size_t pos = 0;
    if (optional) {
      const Encoding le = h.data_page_header->definition_level_encoding;
      if (le == Encoding::kRle) {
        if (usize < 4) return Fail("definition levels have no 4-byte length");
        const uint32_t len = LoadU32(body);
        if (len > usize - 4) {
          return Fail("definition levels of " + std::to_string(len) + " bytes exceed the page of " +
                      std::to_string(usize));
        }
        RleBitPackedDecoder dec(body + 4, len, 1);
        Status st = dec.GetBatch(levels_.data(), static_cast<size_t>(n));
        if (!st.ok()) return Fail("definition levels: " + st.message());
        pos = 4 + len;
      } else if (le == Encoding::kBitPacked) {
        const size_t bytes = (static_cast<size_t>(n) + 7) / 8;
        if (bytes > usize) return Fail("BIT_PACKED definition levels exceed the page");
        for (size_t i = 0; i < static_cast<size_t>(n); ++i) levels_[i] = (body[i / 8] >> (7 - i % 8)) & 1;
        pos = bytes;
      } else {
        return Fail(std::string("definition level encoding ") + EncodingName(le) + " is not supported");
      }
    }
    values = body + pos;
    values_size = usize - pos;
  } else {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    if (d.definition_levels_byte_length < 0 || d.repetition_levels_byte_length < 0) {
      return Fail("negative level lengths in DATA_PAGE_V2 header");
    }
    const size_t levels_len = static_cast<size_t>(d.definition_levels_byte_length) +
                              static_cast<size_t>(d.repetition_levels_byte_length);
    if (levels_len > csize || levels_len > usize) {
      return Fail("DATA_PAGE_V2 levels of " + std::to_string(levels_len) + " bytes exceed the page");
    }
    if (optional) {
      RleBitPackedDecoder dec(page + d.repetition_levels_byte_length,
                              static_cast<size_t>(d.definition_levels_byte_length), 1);
      Status st = dec.GetBatch(levels_.data(), static_cast<size_t>(n));
      if (!st.ok()) return Fail("definition levels: " + st.message());
    }
    const uint8_t* payload = page + levels_len;
    const size_t payload_size = csize - levels_len;
    const size_t payload_usize = usize - levels_len;
    if (d.is_compressed && codec->codec() != CompressionCodec::kUncompressed) {
      buf_.resize(std::max<size_t>(payload_usize, 1));
      Status st = codec->Decompress(payload, payload_size, buf_.data(), payload_usize);
      if (!st.ok()) return Fail(st.message());
      values = buf_.data();
      values_size = payload_usize;
    } else {
      values = payload;
      values_size = payload_size;
    }
  }
  const size_t rows_n = static_cast<size_t>(n);
  size_t nn = rows_n;
  if (optional) {
    nn = 0;
    for (size_t i = 0; i < rows_n; ++i) nn += levels_[i];
  }
  if (v2 && static_cast<int64_t>(h.data_page_header_v2->num_nulls) != static_cast<int64_t>(rows_n - nn)) {
    return Fail("DATA_PAGE_V2 header says " + std::to_string(h.data_page_header_v2->num_nulls) +
                " nulls, definition levels say " + std::to_string(rows_n - nn));
  }
  if (nn == rows_n) {
    TANDEM_RETURN_IF_ERROR(DecodeValues(enc, values, values_size, nn, out));
    if (out->has_nulls()) out->mutable_validity().resize(out->length(), 1);
    *rows = n;
    return Status::OK();
  }
  ResetColumn(&dense_);
  TANDEM_RETURN_IF_ERROR(DecodeValues(enc, values, values_size, nn, &dense_));
  const size_t len = out->length();
  auto& validity = out->mutable_validity();
  if (validity.empty()) validity.assign(len, 1);
  validity.reserve(len + rows_n);
  for (size_t i = 0; i < rows_n; ++i) validity.push_back(static_cast<uint8_t>(levels_[i]));
  if (field_.type.IsVarWidth()) {
    auto& chars = out->mutable_chars();
    auto& offs = out->mutable_offsets();
    const int64_t base = static_cast<int64_t>(chars.size());
    chars.append(dense_.chars());
    const int64_t* so = dense_.offsets().data();
    offs.reserve(offs.size() + rows_n);
    size_t j = 0;
    for (size_t i = 0; i < rows_n; ++i) {
      j += levels_[i];
      offs.push_back(base + so[j]);
    }
  } else {
    const size_t w = static_cast<size_t>(field_.type.FixedWidth());
    auto& d = out->mutable_data();
    const size_t base = d.size();
    d.resize(base + rows_n * w);
    const uint8_t* src = dense_.data().data();
    uint8_t* dst = d.data() + base;
    switch (w) {
      case 1: ScatterFixed<1>(src, levels_.data(), rows_n, dst); break;
      case 4: ScatterFixed<4>(src, levels_.data(), rows_n, dst); break;
      case 8: ScatterFixed<8>(src, levels_.data(), rows_n, dst); break;
      case 16: ScatterFixed<16>(src, levels_.data(), rows_n, dst); break;
      default: return Status::Internal("unexpected value width " + std::to_string(w));
    }
  }
  out->SetLength(len + rows_n);
  *rows = n;
  return Status::OK();
}

Status ColumnChunkReader::Read(const uint8_t* data, size_t size, BlockCodec* codec, int64_t num_values,
                               Column* out) {
  has_dict_ = false;
  page_index_ = 0;
  const size_t w = std::max<size_t>(static_cast<size_t>(field_.type.FixedWidth()), 8);
  if (num_values > 0 && static_cast<uint64_t>(num_values) <= options_.max_page_bytes / w) {
    out->Reserve(static_cast<size_t>(num_values));
  }
  size_t pos = 0;
  int64_t read = 0;
  while (read < num_values) {
    if (pos >= size) {
      return Fail("column chunk ends after " + std::to_string(read) + " of " + std::to_string(num_values) +
                  " values");
    }
    ThriftCompactReader r(data + pos, size - pos);
    PageHeader h;
    Status st = DecodePageHeader(&r, &h);
    if (!st.ok()) return Fail("page header at chunk byte " + std::to_string(pos) + ": " + st.message());
    pos += r.position();
    if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > size - pos) {
      return Fail("page of " + std::to_string(h.compressed_page_size) + " bytes but only " +
                  std::to_string(size - pos) + " remain in the column chunk");
    }
    if (h.uncompressed_page_size < 0) return Fail("negative uncompressed page size");
    if (static_cast<size_t>(h.uncompressed_page_size) > options_.max_page_bytes) {
      return Status::ResourceExhausted("parquet column '" + field_.name + "' page " +
                                       std::to_string(page_index_) + ": uncompressed size " +
                                       std::to_string(h.uncompressed_page_size) + " exceeds max_page_bytes " +
                                       std::to_string(options_.max_page_bytes));
    }
    const uint8_t* page = data + pos;
    pos += static_cast<size_t>(h.compressed_page_size);
    if (h.crc) {
      const uint32_t crc = static_cast<uint32_t>(crc32(0L, page, static_cast<uInt>(h.compressed_page_size)));
      if (crc != static_cast<uint32_t>(*h.crc)) return Fail("page CRC mismatch");
    }
    switch (h.type) {
      case PageType::kDictionaryPage: TANDEM_RETURN_IF_ERROR(ReadDictionaryPage(h, page, codec)); break;
      case PageType::kDataPage:
      case PageType::kDataPageV2: {
        int64_t rows = 0;
        TANDEM_RETURN_IF_ERROR(ReadDataPage(h, page, codec, num_values - read, out, &rows));
        read += rows;
        break;
      }
      default: break;  // index pages and unknown page types carry no values
    }
    ++page_index_;
  }
  return Status::OK();
}

}  // namespace tandem::parquet
