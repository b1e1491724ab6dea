#include "engine/idempotency.h"

#include <cstdio>
#include <cstring>

#include "common/crc32c.h"
#include "common/little_endian.h"

namespace tandem::engine {

namespace {

constexpr char kEnvelopeMagic[4] = {'T', 'I', 'K', '1'};
constexpr char kIndexMagic[8] = {'T', 'I', 'K', 'I', 'D', 'X', '0', '1'};

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  template <typename T>
  bool Get(T* v) {
    if (s_.size() - pos_ < sizeof(T)) return false;
    *v = LoadLittleEndian<T>(reinterpret_cast<const uint8_t*>(s_.data() + pos_));
    pos_ += sizeof(T);
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (s_.size() - pos_ < n) return false;
    *out = s_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Status ValidateIdempotencyKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("Idempotency-Key is empty");
  if (key.size() > kMaxIdempotencyKeyBytes) {
    return Status::InvalidArgument("Idempotency-Key of " + std::to_string(key.size()) +
                                   " bytes exceeds the limit of " + std::to_string(kMaxIdempotencyKeyBytes) +
                                   " bytes");
  }
  for (size_t i = 0; i < key.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x21 || c > 0x7e) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02x", c);
      return Status::InvalidArgument("Idempotency-Key has a byte " + std::string(hex) + " at position " +
                                     std::to_string(i) + ": only printable ASCII without spaces is allowed");
    }
  }
  return Status::OK();
}

uint64_t BodyHash(std::string_view body) {
  uint64_t h = 14695981039346656037ull;
  for (char c : body) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

void EncodeEnvelopeHeader(const EnvelopeHeader& header, std::string* out) {
  out->append(kEnvelopeMagic, 4);
  AppendLittleEndian<uint16_t>(out, static_cast<uint16_t>(header.key.size()));
  out->append(header.key);
  AppendLittleEndian<uint64_t>(out, header.body_hash);
  AppendLittleEndian<int64_t>(out, header.time_ms);
}

Result<std::pair<std::optional<EnvelopeHeader>, std::string_view>> SplitPayload(std::string_view payload) {
  if (payload.size() < 4 || std::memcmp(payload.data(), kEnvelopeMagic, 4) != 0) {
    return std::make_pair(std::optional<EnvelopeHeader>(), payload);
  }
  Reader r(payload.substr(4));
  uint16_t klen = 0;
  std::string_view key;
  EnvelopeHeader h;
  if (!r.Get(&klen) || klen == 0 || klen > kMaxIdempotencyKeyBytes || !r.Bytes(klen, &key) ||
      !r.Get(&h.body_hash) || !r.Get(&h.time_ms)) {
    return Status::Corruption("idempotency envelope of " + std::to_string(payload.size()) +
                              " bytes is truncated or has a bad key length " + std::to_string(klen));
  }
  h.key = std::string(key);
  return std::make_pair(std::optional<EnvelopeHeader>(std::move(h)), payload.substr(4 + r.pos()));
}

std::optional<IdempotencyRecord> IdempotencyIndex::Find(const std::string& key, int64_t now_ms) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  if (retention_ms_ > 0 && it->second.time_ms < now_ms - retention_ms_) return std::nullopt;
  return it->second;
}

void IdempotencyIndex::Put(const std::string& key, const IdempotencyRecord& record, int64_t now_ms) {
  auto it = keys_.find(key);
  if (it != keys_.end()) {
    by_time_.erase({it->second.time_ms, key});
    it->second = record;
  } else {
    keys_.emplace(key, record);
  }
  by_time_.insert({record.time_ms, key});
  dirty_ = true;
  Evict(now_ms);
}

void IdempotencyIndex::Evict(int64_t now_ms) {
  while (!by_time_.empty()) {
    const auto& [t, key] = *by_time_.begin();
    const bool expired = retention_ms_ > 0 && t < now_ms - retention_ms_;
    if (!expired && (max_keys_ == 0 || keys_.size() <= max_keys_)) break;
    keys_.erase(key);
    by_time_.erase(by_time_.begin());
    dirty_ = true;
  }
}

std::string IdempotencyIndex::Serialize() const {
  std::string out(kIndexMagic, 8);
  AppendLittleEndian<uint32_t>(&out, static_cast<uint32_t>(keys_.size()));
  for (const auto& [key, rec] : keys_) {
    AppendLittleEndian<uint16_t>(&out, static_cast<uint16_t>(key.size()));
    out += key;
    AppendLittleEndian<uint64_t>(&out, rec.body_hash);
    AppendLittleEndian<int64_t>(&out, rec.first_offset);
    AppendLittleEndian<int64_t>(&out, rec.count);
    AppendLittleEndian<int64_t>(&out, rec.time_ms);
  }
  AppendLittleEndian<uint32_t>(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

Status IdempotencyIndex::Load(std::string_view bytes, const std::string& path, int64_t now_ms) {
  if (bytes.size() < 16 || std::memcmp(bytes.data(), kIndexMagic, 8) != 0) {
    return Status::Corruption(path + ": not an idempotency key file (magic TIKIDX01 missing or file of " +
                              std::to_string(bytes.size()) + " bytes)");
  }
  Reader crc_reader(bytes.substr(bytes.size() - 4));
  uint32_t stored = 0;
  crc_reader.Get(&stored);
  const std::string_view body = bytes.substr(0, bytes.size() - 4);
  if (crc32c::Unmask(stored) != crc32c::Value(body)) return Status::Corruption(path + ": CRC mismatch");
  Reader r(body.substr(8));
  uint32_t n = 0;
  r.Get(&n);
  for (uint32_t i = 0; i < n; ++i) {
    uint16_t klen = 0;
    std::string_view key;
    IdempotencyRecord rec;
    if (!r.Get(&klen) || klen == 0 || klen > kMaxIdempotencyKeyBytes || !r.Bytes(klen, &key) ||
        !r.Get(&rec.body_hash) || !r.Get(&rec.first_offset) || !r.Get(&rec.count) || !r.Get(&rec.time_ms)) {
      return Status::Corruption(path + ": entry " + std::to_string(i) + " of " + std::to_string(n) +
                                " is truncated");
    }
    Put(std::string(key), rec, now_ms);
  }
  if (8 + r.pos() != body.size()) {
    return Status::Corruption(path + ": " + std::to_string(body.size() - 8 - r.pos()) +
                              " unexpected bytes after the last entry");
  }
  return Status::OK();
}

}  // namespace tandem::engine
