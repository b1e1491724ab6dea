#include "lake/parquet/column_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "lake/parquet/encoding.h"
#include "lake/parquet/parquet_schema.h"
#include "lake/parquet/thrift_compact.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace tandem::parquet {

namespace {

// Statistics values longer than this are not written (as parquet-cpp's max_statistics_size).
constexpr size_t kMaxStatisticsBytes = 4096;
// Values examined to decide whether a dictionary pays.
constexpr size_t kDictionarySample = 2048;

inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
inline uint64_t HashKey(uint32_t k) {
  return Mix64(k);
}
inline uint64_t HashKey(uint64_t k) {
  return Mix64(k);
}
inline uint64_t HashKey(unsigned __int128 k) {
  return Mix64(static_cast<uint64_t>(k) ^ Mix64(static_cast<uint64_t>(k >> 64) + 0x9e3779b97f4a7c15ULL));
}

// Open-addressing hash set of fixed-width keys; the keys vector is the dictionary in insertion order.
template <typename K>
class FixedKeyTable {
 public:
  void Reset(size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
    keys_.clear();
  }
  // Index of `key`, or -1 if absent (then *slot is where it would go).
  int64_t Find(K key, size_t* slot) const {
    size_t s = HashKey(key) & mask_;
    while (true) {
      const uint32_t e = slots_[s];
      if (e == 0) {
        *slot = s;
        return -1;
      }
      if (keys_[e - 1] == key) return e - 1;
      s = (s + 1) & mask_;
    }
  }
  uint32_t Insert(K key, size_t slot) {
    keys_.push_back(key);
    slots_[slot] = static_cast<uint32_t>(keys_.size());
    if (keys_.size() * 2 > slots_.size()) Grow();
    return static_cast<uint32_t>(keys_.size() - 1);
  }
  const std::vector<K>& keys() const { return keys_; }

 private:
  void Grow() {
    std::vector<uint32_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (uint32_t e : old) {
      if (e == 0) continue;
      size_t s = HashKey(keys_[e - 1]) & mask_;
      while (slots_[s] != 0) s = (s + 1) & mask_;
      slots_[s] = e;
    }
  }
  std::vector<uint32_t> slots_;
  std::vector<K> keys_;
  size_t mask_ = 0;
};

// Open-addressing hash set of byte strings stored in (offsets, chars).
class BytesTable {
 public:
  void Reset(size_t expected, std::vector<int64_t>* offsets, std::string* chars) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
    hashes_.clear();
    offsets_ = offsets;
    chars_ = chars;
    offsets_->assign(1, 0);
    chars_->clear();
  }
  int64_t Find(std::string_view v, uint64_t h, size_t* slot) const {
    size_t s = h & mask_;
    while (true) {
      const uint32_t e = slots_[s];
      if (e == 0) {
        *slot = s;
        return -1;
      }
      const size_t i = e - 1;
      if (hashes_[i] == h) {
        const int64_t b = (*offsets_)[i], n = (*offsets_)[i + 1] - b;
        if (static_cast<size_t>(n) == v.size() && std::memcmp(chars_->data() + b, v.data(), v.size()) == 0) {
          return static_cast<int64_t>(i);
        }
      }
      s = (s + 1) & mask_;
    }
  }
  uint32_t Insert(std::string_view v, uint64_t h, size_t slot) {
    chars_->append(v.data(), v.size());
    offsets_->push_back(static_cast<int64_t>(chars_->size()));
    hashes_.push_back(h);
    slots_[slot] = static_cast<uint32_t>(hashes_.size());
    if (hashes_.size() * 2 > slots_.size()) Grow();
    return static_cast<uint32_t>(hashes_.size() - 1);
  }
  size_t size() const { return hashes_.size(); }

 private:
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (size_t i = 0; i < hashes_.size(); ++i) {
      size_t s = hashes_[i] & mask_;
      while (slots_[s] != 0) s = (s + 1) & mask_;
      slots_[s] = static_cast<uint32_t>(i + 1);
    }
  }
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> hashes_;
  std::vector<int64_t>* offsets_ = nullptr;
  std::string* chars_ = nullptr;
  size_t mask_ = 0;
};

void PutU32(uint32_t v, char* dst) {
  std::memcpy(dst, &v, 4);
}

// Big-endian two's complement in `width` bytes.
void PutDecimalBE(__int128 v, int width, char* dst) {
  unsigned __int128 u = static_cast<unsigned __int128>(v);
  for (int i = width - 1; i >= 0; --i) {
    dst[i] = static_cast<char>(static_cast<uint8_t>(u & 0xff));
    u >>= 8;
  }
}

bool DecimalFits(__int128 v, int bytes) {
  if (bytes >= 16) return true;
  const __int128 max = (static_cast<__int128>(1) << (8 * bytes - 1)) - 1;
  return v <= max && v >= -max - 1;
}

template <typename K>
K LoadKey(const uint8_t* p, int width) {
  K k = 0;
  std::memcpy(&k, p, static_cast<size_t>(width));
  return k;
}

}  // namespace

struct ColumnChunkWriter::Chunk {
  const Column* col = nullptr;
  size_t offset = 0;
  size_t count = 0;
  const uint8_t* valid = nullptr;  // validity of rows [offset, offset+count) when some are null
  size_t nn = 0;                   // non-null values
  const uint8_t* dense = nullptr;  // dense physical values (fixed width and BOOLEAN)
  // Dictionary state.
  bool dict = false;
  size_t dict_size = 0;
  size_t dict_values = 0;  // dense values covered by the dictionary
  size_t dict_rows = 0;    // rows covered by the dictionary
  int bit_width = 1;
  bool plain_pages = false;
  // Output accounting.
  int64_t file_offset = 0;
  int64_t written = 0;  // bytes of this chunk so far
  int64_t total_uncompressed = 0;
  std::optional<int64_t> dictionary_page_offset;
  int64_t data_page_offset = -1;

  // Byte-array value k (dense index).
  std::string_view Bytes(size_t k, const std::vector<uint32_t>& rows) const {
    const size_t r = valid ? rows[k] : offset + k;
    return col->GetString(r);
  }
};

ColumnChunkWriter::ColumnChunkWriter(const Field& field, const SchemaElement& element,
                                     const WriterOptions& options, BlockCodec* codec,
                                     ColumnWriterScratch* scratch)
    : field_(field),
      element_(element),
      physical_(*element.type),
      options_(options),
      codec_(codec),
      s_(scratch) {
  switch (physical_) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: physical_width_ = 4; break;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: physical_width_ = 8; break;
    case PhysicalType::kFixedLenByteArray: physical_width_ = element.type_length.value_or(16); break;
    default: physical_width_ = 0; break;
  }
}

Status ColumnChunkWriter::PreparePhysical(Chunk* c) {
  const Column& col = *c->col;
  const size_t off = c->offset, n = c->count;
  c->valid = nullptr;
  c->nn = n;
  if (col.has_nulls()) {
    const uint8_t* v = col.validity().data() + off;
    size_t valid = 0;
    for (size_t i = 0; i < n; ++i) valid += v[i] != 0;
    if (valid != n) {
      if (!field_.nullable) {
        return Status::InvalidArgument("column '" + field_.name + "' is NOT NULL (REQUIRED) but holds " +
                                       std::to_string(n - valid) + " nulls");
      }
      c->valid = v;
      c->nn = valid;
    }
  }
  const TypeId id = field_.type.id;
  if (id == TypeId::kString || id == TypeId::kBinary) {
    if (c->valid) {
      s_->rows.clear();
      s_->rows.reserve(c->nn);
      for (size_t i = 0; i < n; ++i) {
        if (c->valid[i]) s_->rows.push_back(static_cast<uint32_t>(off + i));
      }
    }
    return Status::OK();
  }
  if (id == TypeId::kDecimal) {
    const int w = physical_width_;
    s_->fixed.resize(c->nn * static_cast<size_t>(w));
    char* dst = s_->fixed.data();
    const __int128* src = col.Values<__int128>();
    for (size_t i = 0; i < n; ++i) {
      if (c->valid && !c->valid[i]) continue;
      __int128 v;
      std::memcpy(&v, src + off + i, sizeof(v));
      if (!DecimalFits(v, w)) {
        return Status::InvalidArgument("column '" + field_.name + "' row " + std::to_string(off + i) +
                                       ": unscaled DECIMAL value does not fit " + field_.type.ToString());
      }
      if (physical_ == PhysicalType::kInt32) {
        const int32_t x = static_cast<int32_t>(v);
        std::memcpy(dst, &x, 4);
      } else if (physical_ == PhysicalType::kInt64) {
        const int64_t x = static_cast<int64_t>(v);
        std::memcpy(dst, &x, 8);
      } else {
        PutDecimalBE(v, w, dst);
      }
      dst += w;
    }
    c->dense = reinterpret_cast<const uint8_t*>(s_->fixed.data());
    return Status::OK();
  }
  const size_t w = static_cast<size_t>(field_.type.FixedWidth());
  const uint8_t* base = col.data().data() + off * w;
  if (!c->valid) {
    c->dense = base;
    return Status::OK();
  }
  s_->fixed.resize(c->nn * w);
  char* dst = s_->fixed.data();
  for (size_t i = 0; i < n; ++i) {
    if (!c->valid[i]) continue;
    std::memcpy(dst, base + i * w, w);
    dst += w;
  }
  c->dense = reinterpret_cast<const uint8_t*>(s_->fixed.data());
  return Status::OK();
}

namespace {

template <typename T>
void MinMaxSigned(const uint8_t* dense, size_t n, T* mn, T* mx) {
  T lo = std::numeric_limits<T>::max(), hi = std::numeric_limits<T>::lowest();
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, dense + i * sizeof(T), sizeof(T));
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  *mn = lo;
  *mx = hi;
}

// Float min/max ignoring NaN; false when every value is NaN.
template <typename T>
bool MinMaxFloat(const uint8_t* dense, size_t n, T* mn, T* mx, int64_t* nans) {
  T lo = std::numeric_limits<T>::infinity(), hi = -std::numeric_limits<T>::infinity();
  int64_t nan = 0;
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, dense + i * sizeof(T), sizeof(T));
    if (std::isnan(v)) {
      ++nan;
      continue;
    }
    any = true;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  *nans = nan;
  if (!any) return false;
  // Zero is written as -0.0 for a minimum and +0.0 for a maximum (parquet.thrift ColumnOrder).
  if (lo == 0) lo = -static_cast<T>(0);
  if (hi == 0) hi = static_cast<T>(0);
  *mn = lo;
  *mx = hi;
  return true;
}

template <typename T>
std::string LE(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

}  // namespace

void ColumnChunkWriter::ComputeStatistics(Chunk* c, ColumnMetaData* meta) {
  Statistics s;
  s.null_count = static_cast<int64_t>(c->count - c->nn);
  const size_t nn = c->nn;
  bool legacy = false;
  if (nn > 0) {
    switch (field_.type.id) {
      case TypeId::kBoolean: {
        bool any_true = false, any_false = false;
        for (size_t i = 0; i < nn; ++i) {
          any_true |= c->dense[i] != 0;
          any_false |= c->dense[i] == 0;
        }
        s.min_value = std::string(1, any_false ? '\0' : '\1');
        s.max_value = std::string(1, any_true ? '\1' : '\0');
        legacy = true;
        break;
      }
      case TypeId::kInt32:
      case TypeId::kDate: {
        int32_t mn, mx;
        MinMaxSigned(c->dense, nn, &mn, &mx);
        s.min_value = LE(mn);
        s.max_value = LE(mx);
        legacy = true;
        break;
      }
      case TypeId::kInt64:
      case TypeId::kTimestamp: {
        int64_t mn, mx;
        MinMaxSigned(c->dense, nn, &mn, &mx);
        s.min_value = LE(mn);
        s.max_value = LE(mx);
        legacy = true;
        break;
      }
      case TypeId::kUInt64: {
        uint64_t mn, mx;
        MinMaxSigned(c->dense, nn, &mn, &mx);
        s.min_value = LE(mn);
        s.max_value = LE(mx);
        break;
      }
      case TypeId::kFloat: {
        float mn, mx;
        int64_t nans;
        if (MinMaxFloat(c->dense, nn, &mn, &mx, &nans)) {
          s.min_value = LE(mn);
          s.max_value = LE(mx);
          legacy = true;
        }
        s.nan_count = nans;
        break;
      }
      case TypeId::kDouble: {
        double mn, mx;
        int64_t nans;
        if (MinMaxFloat(c->dense, nn, &mn, &mx, &nans)) {
          s.min_value = LE(mn);
          s.max_value = LE(mx);
          legacy = true;
        }
        s.nan_count = nans;
        break;
      }
      case TypeId::kDecimal: {
        __int128 mn = 0, mx = 0;
        bool first = true;
        const __int128* src = c->col->Values<__int128>();
        for (size_t i = 0; i < c->count; ++i) {
          if (c->valid && !c->valid[i]) continue;
          __int128 v;
          std::memcpy(&v, src + c->offset + i, sizeof(v));
          if (first || v < mn) mn = v;
          if (first || v > mx) mx = v;
          first = false;
        }
        if (physical_ == PhysicalType::kInt32) {
          s.min_value = LE(static_cast<int32_t>(mn));
          s.max_value = LE(static_cast<int32_t>(mx));
          legacy = true;
        } else if (physical_ == PhysicalType::kInt64) {
          s.min_value = LE(static_cast<int64_t>(mn));
          s.max_value = LE(static_cast<int64_t>(mx));
          legacy = true;
        } else {
          std::string a(static_cast<size_t>(physical_width_), '\0'), b(a);
          PutDecimalBE(mn, physical_width_, a.data());
          PutDecimalBE(mx, physical_width_, b.data());
          s.min_value = std::move(a);
          s.max_value = std::move(b);
        }
        break;
      }
      case TypeId::kString:
      case TypeId::kBinary: {
        std::string_view mn, mx;
        bool first = true;
        auto update = [&](std::string_view v) {
          if (first || v < mn) mn = v;
          if (first || v > mx) mx = v;
          first = false;
        };
        size_t k0 = 0;
        if (c->dict) {
          for (size_t d = 0; d < c->dict_size; ++d) {
            update(std::string_view(s_->dict_chars.data() + s_->dict_offsets[d],
                                    static_cast<size_t>(s_->dict_offsets[d + 1] - s_->dict_offsets[d])));
          }
          k0 = c->dict_values;
        }
        for (size_t k = k0; k < nn; ++k) update(c->Bytes(k, s_->rows));
        if (!first && mn.size() <= kMaxStatisticsBytes && mx.size() <= kMaxStatisticsBytes) {
          s.min_value = std::string(mn);
          s.max_value = std::string(mx);
        }
        break;
      }
    }
  }
  if (legacy && s.min_value) {
    // The deprecated fields are signed-ordered; they agree for these types, and old readers use them.
    s.min = s.min_value;
    s.max = s.max_value;
  }
  meta->statistics = std::move(s);
}

bool ColumnChunkWriter::ShouldUseDictionary(const Chunk& c) const {
  if (!options_.dictionary || c.nn == 0 || field_.type.id == TypeId::kBoolean) return false;
  const size_t nn = c.nn;
  const size_t s = std::min(nn, kDictionarySample);
  const size_t stride = nn / s;
  // Frequencies in a strided sample: d distinct, f1 seen once, f2 seen twice.
  size_t d = 0, f1 = 0, f2 = 0;
  double avg = 0;
  auto count_runs = [&](auto& sorted) {
    size_t i = 0;
    while (i < sorted.size()) {
      size_t j = i + 1;
      while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
      ++d;
      if (j - i == 1) ++f1;
      if (j - i == 2) ++f2;
      i = j;
    }
  };
  if (physical_ == PhysicalType::kByteArray) {
    std::vector<std::string_view> sample;
    sample.reserve(s);
    size_t bytes = 0;
    for (size_t i = 0; i < s; ++i) {
      sample.push_back(c.Bytes(i * stride, s_->rows));
      bytes += 4 + sample.back().size();
    }
    avg = static_cast<double>(bytes) / static_cast<double>(s);
    std::sort(sample.begin(), sample.end());
    count_runs(sample);
  } else {
    const int w = physical_width_;
    std::vector<unsigned __int128> sample;
    sample.reserve(s);
    for (size_t i = 0; i < s; ++i) sample.push_back(LoadKey<unsigned __int128>(c.dense + i * stride * w, w));
    avg = w;
    std::sort(sample.begin(), sample.end());
    count_runs(sample);
  }
  // Chao1 estimate of the distinct values in the whole chunk.
  double est = static_cast<double>(d);
  if (s < nn) {
    est += static_cast<double>(f1) * static_cast<double>(f1 > 0 ? f1 - 1 : 0) /
           (2.0 * static_cast<double>(f2 + 1));
  }
  est = std::min(est, static_cast<double>(nn));
  const double bits = std::max(1, BitWidth(static_cast<uint64_t>(est)));
  const double dict_cost = est * avg + static_cast<double>(nn) * bits / 8.0;
  const double plain_cost = static_cast<double>(nn) * avg;
  return dict_cost < 0.75 * plain_cost;
}

void ColumnChunkWriter::BuildDictionary(Chunk* c) {
  const size_t nn = c->nn;
  s_->indices.resize(nn);
  const size_t max_bytes = options_.dictionary_max_bytes;
  size_t k = 0;
  size_t dict_bytes = 0;
  if (physical_ == PhysicalType::kByteArray) {
    BytesTable table;
    table.Reset(1024, &s_->dict_offsets, &s_->dict_chars);
    for (; k < nn; ++k) {
      const std::string_view v = c->Bytes(k, s_->rows);
      const uint64_t h = XXH3_64bits(v.data(), v.size());
      size_t slot;
      const int64_t found = table.Find(v, h, &slot);
      if (found >= 0) {
        s_->indices[k] = static_cast<uint32_t>(found);
        continue;
      }
      if (dict_bytes + 4 + v.size() > max_bytes) break;
      dict_bytes += 4 + v.size();
      s_->indices[k] = table.Insert(v, h, slot);
    }
    c->dict_size = table.size();
  } else {
    const int w = physical_width_;
    auto build = [&](auto tag) {
      using K = decltype(tag);
      FixedKeyTable<K> table;
      table.Reset(1024);
      for (; k < nn; ++k) {
        const K key = LoadKey<K>(c->dense + k * w, w);
        size_t slot;
        const int64_t found = table.Find(key, &slot);
        if (found >= 0) {
          s_->indices[k] = static_cast<uint32_t>(found);
          continue;
        }
        if (dict_bytes + w > max_bytes) break;
        dict_bytes += w;
        s_->indices[k] = table.Insert(key, slot);
      }
      c->dict_size = table.keys().size();
      s_->dict_fixed.resize(c->dict_size * w);
      for (size_t i = 0; i < c->dict_size; ++i) {
        std::memcpy(s_->dict_fixed.data() + i * w, &table.keys()[i], static_cast<size_t>(w));
      }
    };
    if (w == 4) {
      build(uint32_t{});
    } else if (w == 8) {
      build(uint64_t{});
    } else {
      build(static_cast<unsigned __int128>(0));
    }
  }
  if (k == 0) {
    c->dict = false;
    return;
  }
  c->dict = true;
  c->dict_values = k;
  // The row holding dense value k starts the PLAIN part.
  if (k == nn) {
    c->dict_rows = c->count;
  } else if (!c->valid) {
    c->dict_rows = k;
  } else {
    size_t seen = 0, r = 0;
    for (; r < c->count; ++r) {
      if (c->valid[r]) {
        if (seen == k) break;
        ++seen;
      }
    }
    c->dict_rows = r;
  }
  c->plain_pages = k < nn;
  c->bit_width = std::max(1, BitWidth(c->dict_size - 1));
}

Status ColumnChunkWriter::EmitPage(PageHeader* header, std::string* out, Chunk* c) {
  s_->header.clear();
  ThriftCompactWriter w(&s_->header);
  EncodePageHeader(*header, &w);
  c->total_uncompressed += static_cast<int64_t>(s_->header.size()) + header->uncompressed_page_size;
  out->append(s_->header);
  c->written += static_cast<int64_t>(s_->header.size()) + header->compressed_page_size;
  return Status::OK();
}

Status ColumnChunkWriter::WriteDictionaryPage(Chunk* c, std::string* out) {
  s_->page.clear();
  if (physical_ == PhysicalType::kByteArray) {
    s_->page.resize(c->dict_size * 4 + s_->dict_chars.size());
    char* p = s_->page.data();
    for (size_t i = 0; i < c->dict_size; ++i) {
      const size_t len = static_cast<size_t>(s_->dict_offsets[i + 1] - s_->dict_offsets[i]);
      PutU32(static_cast<uint32_t>(len), p);
      std::memcpy(p + 4, s_->dict_chars.data() + s_->dict_offsets[i], len);
      p += 4 + len;
    }
  } else {
    s_->page.assign(s_->dict_fixed.data(), c->dict_size * static_cast<size_t>(physical_width_));
  }
  if (s_->page.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::InvalidArgument("column '" + field_.name + "': dictionary page exceeds 2 GiB");
  }
  TANDEM_RETURN_IF_ERROR(codec_->Compress(s_->page, &s_->compressed));
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = static_cast<int32_t>(s_->page.size());
  h.compressed_page_size = static_cast<int32_t>(s_->compressed.size());
  h.dictionary_page_header.emplace();
  h.dictionary_page_header->num_values = static_cast<int32_t>(c->dict_size);
  h.dictionary_page_header->encoding = Encoding::kPlain;
  c->dictionary_page_offset = c->file_offset + c->written;
  TANDEM_RETURN_IF_ERROR(EmitPage(&h, out, c));
  out->append(s_->compressed);
  return Status::OK();
}

Status ColumnChunkWriter::WritePage(Chunk* c, size_t r0, size_t r1, size_t v0, size_t v1, bool dict,
                                    std::string* out) {
  const size_t rows = r1 - r0, nvals = v1 - v0;
  const bool v2 = options_.data_page_version == 2;
  const bool optional = field_.nullable;
  s_->page.clear();
  // Definition levels: v1 prefixes them with their 4-byte length; v2 records the length in the header.
  size_t levels_len = 0;
  if (optional) {
    const size_t start = s_->page.size();
    if (!v2) s_->page.append(4, '\0');
    if (nvals == rows) {
      WriteUleb128(static_cast<uint64_t>(rows) << 1, &s_->page);
      s_->page.push_back(1);
    } else {
      s_->levels.resize(rows);
      for (size_t i = 0; i < rows; ++i) s_->levels[i] = c->valid[r0 + i] != 0;
      RleBitPackedEncoder enc(1);
      enc.PutBatch(s_->levels.data(), rows);
      enc.Finish(&s_->page);
    }
    levels_len = s_->page.size() - start - (v2 ? 0 : 4);
    if (!v2) PutU32(static_cast<uint32_t>(levels_len), s_->page.data() + start);
  }
  // Values: appended to s_->page for v1, to s_->values for v2 (which compresses them alone).
  std::string* vals = v2 ? &s_->values : &s_->page;
  if (v2) s_->values.clear();
  Encoding encoding = Encoding::kPlain;
  if (dict) {
    encoding = Encoding::kRleDictionary;
    vals->push_back(static_cast<char>(c->bit_width));
    RleBitPackedEncoder enc(c->bit_width);
    enc.PutBatch(s_->indices.data() + v0, nvals);
    enc.Finish(vals);
  } else if (physical_ == PhysicalType::kBoolean) {
    EncodePlainBooleans(c->dense + v0, nvals, vals);
  } else if (physical_ == PhysicalType::kByteArray) {
    size_t total = 0;
    for (size_t k = v0; k < v1; ++k) total += 4 + c->Bytes(k, s_->rows).size();
    const size_t base = vals->size();
    vals->resize(base + total);
    char* p = vals->data() + base;
    for (size_t k = v0; k < v1; ++k) {
      const std::string_view s = c->Bytes(k, s_->rows);
      PutU32(static_cast<uint32_t>(s.size()), p);
      if (!s.empty()) std::memcpy(p + 4, s.data(), s.size());
      p += 4 + s.size();
    }
  } else {
    const size_t w = static_cast<size_t>(physical_width_);
    vals->append(reinterpret_cast<const char*>(c->dense + v0 * w), nvals * w);
  }

  PageHeader h;
  const std::string* body;
  if (!v2) {
    if (s_->page.size() > static_cast<size_t>(INT32_MAX)) {
      return Status::InvalidArgument("column '" + field_.name + "': a data page exceeds 2 GiB");
    }
    h.type = PageType::kDataPage;
    h.uncompressed_page_size = static_cast<int32_t>(s_->page.size());
    if (codec_->codec() == CompressionCodec::kUncompressed) {
      body = &s_->page;
    } else {
      TANDEM_RETURN_IF_ERROR(codec_->Compress(s_->page, &s_->compressed));
      body = &s_->compressed;
    }
    h.compressed_page_size = static_cast<int32_t>(body->size());
    h.data_page_header.emplace();
    h.data_page_header->num_values = static_cast<int32_t>(rows);
    h.data_page_header->encoding = encoding;
    h.data_page_header->definition_level_encoding = Encoding::kRle;
    h.data_page_header->repetition_level_encoding = Encoding::kRle;
  } else {
    const bool compress = codec_->codec() != CompressionCodec::kUncompressed;
    if (compress) {
      TANDEM_RETURN_IF_ERROR(codec_->Compress(s_->values, &s_->compressed));
      s_->page.append(s_->compressed);
    } else {
      s_->page.append(s_->values);
    }
    const size_t uncompressed = levels_len + s_->values.size();
    if (s_->page.size() > static_cast<size_t>(INT32_MAX) || uncompressed > static_cast<size_t>(INT32_MAX)) {
      return Status::InvalidArgument("column '" + field_.name + "': a data page exceeds 2 GiB");
    }
    body = &s_->page;
    h.type = PageType::kDataPageV2;
    h.uncompressed_page_size = static_cast<int32_t>(uncompressed);
    h.compressed_page_size = static_cast<int32_t>(s_->page.size());
    h.data_page_header_v2.emplace();
    DataPageHeaderV2& d = *h.data_page_header_v2;
    d.num_values = static_cast<int32_t>(rows);
    d.num_nulls = static_cast<int32_t>(rows - nvals);
    d.num_rows = static_cast<int32_t>(rows);
    d.encoding = encoding;
    d.definition_levels_byte_length = static_cast<int32_t>(levels_len);
    d.repetition_levels_byte_length = 0;
    d.is_compressed = compress;
  }
  if (c->data_page_offset < 0) c->data_page_offset = c->file_offset + c->written;
  TANDEM_RETURN_IF_ERROR(EmitPage(&h, out, c));
  out->append(*body);
  return Status::OK();
}

Status ColumnChunkWriter::WriteDataPages(Chunk* c, std::string* out) {
  const size_t page_bytes = std::max<size_t>(options_.data_page_bytes, 1);
  size_t r = 0, v = 0;
  const int64_t* offs = c->col->offsets().data();
  while (r < c->count) {
    const bool dict = c->dict && r < c->dict_rows;
    const size_t end = dict ? c->dict_rows : c->count;
    size_t rows;
    if (dict) {
      rows = page_bytes * 8 / static_cast<size_t>(c->bit_width);
    } else if (physical_ == PhysicalType::kBoolean) {
      rows = page_bytes * 8;
    } else if (physical_ == PhysicalType::kByteArray) {
      size_t bytes = 0, i = r;
      while (i < end && (i == r || bytes < page_bytes)) {
        bytes += 4 + static_cast<size_t>(offs[c->offset + i + 1] - offs[c->offset + i]);
        ++i;
      }
      rows = i - r;
    } else {
      rows = page_bytes / static_cast<size_t>(physical_width_);
    }
    // Keep pages well inside the i32 fields of their headers.
    rows = std::clamp<size_t>(rows, 1, size_t{1} << 26);
    const size_t r1 = std::min(end, r + rows);
    size_t v1 = v + (r1 - r);
    if (c->valid) {
      v1 = v;
      for (size_t i = r; i < r1; ++i) v1 += c->valid[i] != 0;
    }
    TANDEM_RETURN_IF_ERROR(WritePage(c, r, r1, v, v1, dict, out));
    r = r1;
    v = v1;
  }
  return Status::OK();
}

Status ColumnChunkWriter::WriteChunk(const Column& column, size_t offset, size_t count, int64_t file_offset,
                                     std::string* out, ColumnMetaData* meta) {
  if (offset + count > column.length()) {
    return Status::Internal("column '" + field_.name + "': chunk rows beyond the column's length");
  }
  Chunk c;
  c.col = &column;
  c.offset = offset;
  c.count = count;
  c.file_offset = file_offset;
  TANDEM_RETURN_IF_ERROR(PreparePhysical(&c));
  if (ShouldUseDictionary(c)) BuildDictionary(&c);

  *meta = ColumnMetaData{};
  meta->type = physical_;
  meta->path_in_schema = {field_.name};
  meta->codec = codec_->codec();
  meta->num_values = static_cast<int64_t>(count);
  if (options_.write_statistics) ComputeStatistics(&c, meta);

  const size_t start = out->size();
  if (c.dict) TANDEM_RETURN_IF_ERROR(WriteDictionaryPage(&c, out));
  TANDEM_RETURN_IF_ERROR(WriteDataPages(&c, out));

  meta->encodings.push_back(Encoding::kPlain);  // PLAIN pages, or the PLAIN dictionary page
  if (field_.nullable) meta->encodings.push_back(Encoding::kRle);
  if (c.dict) meta->encodings.push_back(Encoding::kRleDictionary);
  meta->total_uncompressed_size = c.total_uncompressed;
  meta->total_compressed_size = static_cast<int64_t>(out->size() - start);
  meta->data_page_offset = c.data_page_offset >= 0 ? c.data_page_offset : file_offset;
  meta->dictionary_page_offset = c.dictionary_page_offset;
  return Status::OK();
}

}  // namespace tandem::parquet
