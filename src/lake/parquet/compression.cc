#include "lake/parquet/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>
#include <cstring>

namespace tandem::parquet {

namespace {

std::string SizeMismatch(const char* codec, size_t got, size_t want) {
  return std::string(codec) + " page decompresses to " + std::to_string(got) + " bytes, header says " +
         std::to_string(want);
}

class UncompressedCodec final : public BlockCodec {
 public:
  UncompressedCodec() : BlockCodec(CompressionCodec::kUncompressed) {}
  Status Compress(std::string_view in, std::string* out) override {
    out->assign(in.data(), in.size());
    return Status::OK();
  }
  Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    if (in_size != out_size) {
      return Status::Corruption("uncompressed page holds " + std::to_string(in_size) +
                                " bytes, header says " + std::to_string(out_size));
    }
    if (out_size > 0) std::memcpy(out, in, out_size);
    return Status::OK();
  }
};

class SnappyCodec final : public BlockCodec {
 public:
  SnappyCodec() : BlockCodec(CompressionCodec::kSnappy) {}
  Status Compress(std::string_view in, std::string* out) override {
    out->resize(snappy::MaxCompressedLength(in.size()));
    size_t n = 0;
    snappy::RawCompress(in.data(), in.size(), out->data(), &n);
    out->resize(n);
    return Status::OK();
  }
  Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    const char* src = reinterpret_cast<const char*>(in);
    size_t n = 0;
    if (!snappy::GetUncompressedLength(src, in_size, &n)) {
      return Status::Corruption("SNAPPY page has a malformed length header");
    }
    if (n != out_size) return Status::Corruption(SizeMismatch("SNAPPY", n, out_size));
    if (!snappy::RawUncompress(src, in_size, reinterpret_cast<char*>(out))) {
      return Status::Corruption("SNAPPY page data is malformed");
    }
    return Status::OK();
  }
};

class GzipCodec final : public BlockCodec {
 public:
  explicit GzipCodec(int level) : BlockCodec(CompressionCodec::kGzip), level_(level) {}
  Status Compress(std::string_view in, std::string* out) override {
    z_stream s;
    std::memset(&s, 0, sizeof(s));
    // windowBits 15 + 16: gzip framing, as Compression.md requires.
    if (deflateInit2(&s, level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("zlib deflateInit2 failed");
    }
    out->resize(deflateBound(&s, static_cast<uLong>(in.size())) + 32);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = reinterpret_cast<Bytef*>(out->data());
    s.avail_out = static_cast<uInt>(out->size());
    const int rc = deflate(&s, Z_FINISH);
    const size_t n = s.total_out;
    deflateEnd(&s);
    if (rc != Z_STREAM_END) return Status::Internal("zlib deflate did not finish: " + std::to_string(rc));
    out->resize(n);
    return Status::OK();
  }
  Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    if (in_size > UINT_MAX || out_size > UINT_MAX) return Status::Corruption("GZIP page larger than 4 GiB");
    z_stream s;
    std::memset(&s, 0, sizeof(s));
    // 15 + 32: accept both gzip and zlib headers.
    if (inflateInit2(&s, 15 + 32) != Z_OK) return Status::Internal("zlib inflateInit2 failed");
    s.next_in = const_cast<Bytef*>(in);
    s.avail_in = static_cast<uInt>(in_size);
    s.next_out = out;
    s.avail_out = static_cast<uInt>(out_size);
    Status st;
    while (true) {
      const int rc = inflate(&s, Z_FINISH);
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members: continue with the next one if input remains.
        if (s.avail_in > 0 && s.avail_out > 0) {
          if (inflateReset(&s) != Z_OK) {
            st = Status::Corruption("GZIP page: cannot reset for the next member");
            break;
          }
          continue;
        }
        if (s.avail_out != 0) st = Status::Corruption(SizeMismatch("GZIP", out_size - s.avail_out, out_size));
        break;
      }
      if (rc == Z_BUF_ERROR && s.avail_out == 0) {
        st = Status::Corruption("GZIP page decompresses to more than the " + std::to_string(out_size) +
                                " bytes its header says");
      } else {
        st = Status::Corruption(std::string("GZIP page data is malformed") + (s.msg ? ": " : "") +
                                (s.msg ? s.msg : ""));
      }
      break;
    }
    inflateEnd(&s);
    return st;
  }

 private:
  int level_;
};

class ZstdCodec final : public BlockCodec {
 public:
  explicit ZstdCodec(int level) : BlockCodec(CompressionCodec::kZstd), level_(level) {}
  ~ZstdCodec() override {
    if (cctx_) ZSTD_freeCCtx(cctx_);
    if (dctx_) ZSTD_freeDCtx(dctx_);
  }
  Status Compress(std::string_view in, std::string* out) override {
    if (!cctx_) cctx_ = ZSTD_createCCtx();
    if (!cctx_) return Status::ResourceExhausted("cannot allocate a ZSTD compression context");
    out->resize(ZSTD_compressBound(in.size()));
    const size_t n = ZSTD_compressCCtx(cctx_, out->data(), out->size(), in.data(), in.size(), level_);
    if (ZSTD_isError(n))
      return Status::Internal(std::string("ZSTD compression failed: ") + ZSTD_getErrorName(n));
    out->resize(n);
    return Status::OK();
  }
  Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    if (!dctx_) dctx_ = ZSTD_createDCtx();
    if (!dctx_) return Status::ResourceExhausted("cannot allocate a ZSTD decompression context");
    const unsigned long long content = ZSTD_getFrameContentSize(in, in_size);
    if (content == ZSTD_CONTENTSIZE_ERROR)
      return Status::Corruption("ZSTD page has a malformed frame header");
    if (content != ZSTD_CONTENTSIZE_UNKNOWN && content > out_size) {
      return Status::Corruption(SizeMismatch("ZSTD", static_cast<size_t>(content), out_size));
    }
    const size_t n = ZSTD_decompressDCtx(dctx_, out, out_size, in, in_size);
    if (ZSTD_isError(n)) {
      return Status::Corruption(std::string("ZSTD page data is malformed: ") + ZSTD_getErrorName(n));
    }
    if (n != out_size) return Status::Corruption(SizeMismatch("ZSTD", n, out_size));
    return Status::OK();
  }

 private:
  int level_;
  ZSTD_CCtx* cctx_ = nullptr;
  ZSTD_DCtx* dctx_ = nullptr;
};

Status Lz4RawDecompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  if (in_size > INT_MAX || out_size > INT_MAX) return Status::Corruption("LZ4 page larger than 2 GiB");
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                    static_cast<int>(in_size), static_cast<int>(out_size));
  if (n < 0)
    return Status::Corruption("LZ4 page data is malformed or decompresses to more than " +
                              std::to_string(out_size) + " bytes");
  if (static_cast<size_t>(n) != out_size) return Status::Corruption(SizeMismatch("LZ4", n, out_size));
  return Status::OK();
}

class Lz4RawCodec final : public BlockCodec {
 public:
  Lz4RawCodec() : BlockCodec(CompressionCodec::kLz4Raw) {}
  Status Compress(std::string_view in, std::string* out) override {
    if (in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
      return Status::InvalidArgument("LZ4 cannot compress a page of " + std::to_string(in.size()) + " bytes");
    }
    out->resize(LZ4_compressBound(static_cast<int>(in.size())));
    const int n = LZ4_compress_default(in.data(), out->data(), static_cast<int>(in.size()),
                                       static_cast<int>(out->size()));
    if (n <= 0 && !in.empty()) return Status::Internal("LZ4 compression failed");
    out->resize(n < 0 ? 0 : n);
    return Status::OK();
  }
  Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    return Lz4RawDecompress(in, in_size, out, out_size);
  }
};

uint32_t LoadBigEndian32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

// Hadoop's Lz4Codec framing: blocks of [u32 BE decompressed size][u32 BE compressed size][LZ4 block].
class HadoopLz4Codec final : public BlockCodec {
 public:
  HadoopLz4Codec() : BlockCodec(CompressionCodec::kLz4) {}
  Status Compress(std::string_view, std::string*) override {
    return Status::NotSupported("writing the deprecated Hadoop LZ4 codec; use LZ4_RAW");
  }
  Status Decompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    if (TryHadoop(in, in_size, out, out_size)) return Status::OK();
    Status raw = Lz4RawDecompress(in, in_size, out, out_size);
    if (raw.ok()) return raw;
    return Status::Corruption("LZ4 page is neither Hadoop-framed nor a raw LZ4 block of " +
                              std::to_string(out_size) + " bytes");
  }

 private:
  static bool TryHadoop(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
    size_t ip = 0, op = 0;
    while (ip < in_size) {
      if (in_size - ip < 8) return false;
      const uint32_t dsize = LoadBigEndian32(in + ip);
      const uint32_t csize = LoadBigEndian32(in + ip + 4);
      ip += 8;
      if (csize > in_size - ip || dsize > out_size - op) return false;
      if (csize > INT_MAX || dsize > INT_MAX) return false;
      const int n =
          LZ4_decompress_safe(reinterpret_cast<const char*>(in + ip), reinterpret_cast<char*>(out + op),
                              static_cast<int>(csize), static_cast<int>(dsize));
      if (n < 0 || static_cast<uint32_t>(n) != dsize) return false;
      ip += csize;
      op += dsize;
    }
    return op == out_size && ip == in_size;
  }
};

}  // namespace

Result<std::unique_ptr<BlockCodec>> BlockCodec::Make(CompressionCodec codec, int level) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return std::unique_ptr<BlockCodec>(new UncompressedCodec());
    case CompressionCodec::kSnappy: return std::unique_ptr<BlockCodec>(new SnappyCodec());
    case CompressionCodec::kGzip:
      return std::unique_ptr<BlockCodec>(
          new GzipCodec(level >= 1 && level <= 9 ? level : Z_DEFAULT_COMPRESSION));
    case CompressionCodec::kZstd: return std::unique_ptr<BlockCodec>(new ZstdCodec(level));
    case CompressionCodec::kLz4Raw: return std::unique_ptr<BlockCodec>(new Lz4RawCodec());
    case CompressionCodec::kLz4: return std::unique_ptr<BlockCodec>(new HadoopLz4Codec());
    case CompressionCodec::kLzo:
    case CompressionCodec::kBrotli:
      return Status::NotSupported(std::string("Parquet compression codec ") + CodecName(codec) +
                                  " is not supported");
  }
  return Status::NotSupported("unknown Parquet compression codec id " +
                              std::to_string(static_cast<int>(codec)));
}

}  // namespace tandem::parquet
