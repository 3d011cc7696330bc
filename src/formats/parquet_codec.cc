#include "formats/parquet_codec.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

namespace cleanroom::formats {
namespace {

Status SizeMismatch(const char* codec) {
  return Status::DataLoss(std::string(codec) +
                          " page decompresses to a size other than the header declares");
}

Status Gunzip(ByteSpan input, size_t expected_size, uint8_t* out) {
  z_stream stream{};
  // 15 + 32: zlib or gzip header, detected.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return Status::Internal("zlib init failed");
  stream.next_in = const_cast<Bytef*>(input.data());
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = out;
  stream.avail_out = static_cast<uInt>(expected_size);
  Status status;
  while (true) {
    int rc = inflate(&stream, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members: continue with the next one if input remains.
      if (stream.avail_in == 0) break;
      if (inflateReset(&stream) != Z_OK) {
        status = Status::DataLoss("GZIP stream cannot be reset");
        break;
      }
      continue;
    }
    if (rc == Z_OK && stream.avail_out == 0 && stream.avail_in > 0) {
      status = SizeMismatch("GZIP");
      break;
    }
    if (rc != Z_OK) {
      status = rc == Z_BUF_ERROR ? SizeMismatch("GZIP") : Status::DataLoss("GZIP data is corrupt");
      break;
    }
  }
  size_t produced = expected_size - stream.avail_out;
  inflateEnd(&stream);
  CR_RETURN_IF_ERROR(status);
  if (produced != expected_size) return SizeMismatch("GZIP");
  return Status::OK();
}

// Hadoop's LZ4 framing: blocks of [u32 BE decompressed size][u32 BE compressed size][data].
bool TryHadoopLz4(ByteSpan input, size_t expected_size, uint8_t* out) {
  size_t in = 0, produced = 0;
  while (in < input.size()) {
    if (input.size() - in < 8) return false;
    uint32_t raw_size = GetU32BE(input.data() + in);
    uint32_t block_size = GetU32BE(input.data() + in + 4);
    in += 8;
    if (block_size > input.size() - in || raw_size > expected_size - produced) return false;
    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(input.data() + in),
                                reinterpret_cast<char*>(out + produced),
                                static_cast<int>(block_size), static_cast<int>(raw_size));
    if (n < 0 || static_cast<uint32_t>(n) != raw_size) return false;
    in += block_size;
    produced += raw_size;
  }
  return produced == expected_size;
}

bool TryLz4Frame(ByteSpan input, size_t expected_size, uint8_t* out) {
  if (input.size() < 4 || GetU32LE(input.data()) != 0x184D2204) return false;
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return false;
  size_t in = 0, produced = 0;
  bool ok = true;
  while (in < input.size()) {
    size_t src = input.size() - in, dst = expected_size - produced;
    size_t rc = LZ4F_decompress(ctx, out + produced, &dst, input.data() + in, &src, nullptr);
    if (LZ4F_isError(rc)) {
      ok = false;
      break;
    }
    in += src;
    produced += dst;
    if (rc == 0 && in < input.size()) continue;
    if (src == 0 && dst == 0) {
      ok = false;
      break;
    }
  }
  LZ4F_freeDecompressionContext(ctx);
  return ok && produced == expected_size;
}

bool TryRawLz4(ByteSpan input, size_t expected_size, uint8_t* out) {
  int n =
      LZ4_decompress_safe(reinterpret_cast<const char*>(input.data()), reinterpret_cast<char*>(out),
                          static_cast<int>(input.size()), static_cast<int>(expected_size));
  return n >= 0 && static_cast<size_t>(n) == expected_size;
}

// Decompresses a ZSTD stream. Into `growable` (when set), a buffer grown as output appears, so a
// page that declares a huge size but holds little costs little memory; else into `fixed`, which
// holds exactly the declared size (a reused buffer: nothing allocated or zeroed per page).
Status StreamZstd(ByteSpan input, size_t expected_size, Bytes* growable,
                  std::span<uint8_t> fixed = {}) {
  // One decompression context per thread, reused across pages.
  struct ContextHolder {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    ~ContextHolder() { ZSTD_freeDCtx(ctx); }
  };
  thread_local ContextHolder holder;
  ZSTD_DCtx* ctx = holder.ctx;
  if (ctx == nullptr) return Status::Internal("zstd init failed");
  ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t produced = 0;
  uint8_t probe = 0;
  Status status;
  if (growable != nullptr) {
    growable->resize(std::min<size_t>(expected_size, std::max<size_t>(input.size() * 4, 1 << 16)));
    fixed = std::span<uint8_t>(growable->data(), growable->size());
  }
  while (true) {
    // Once the declared size is reached, decode into a one-byte probe: any output is too much.
    bool full = produced == expected_size;
    ZSTD_outBuffer o =
        full ? ZSTD_outBuffer{&probe, 1, 0} : ZSTD_outBuffer{fixed.data(), fixed.size(), produced};
    size_t rc = ZSTD_decompressStream(ctx, &o, &in);
    if (ZSTD_isError(rc)) {
      status = Status::DataLoss("ZSTD data is corrupt");
      break;
    }
    if (full && o.pos > 0) {
      status = SizeMismatch("ZSTD");
      break;
    }
    if (!full) produced = o.pos;
    if (rc == 0 && in.pos == in.size) break;  // every frame complete
    if (in.pos == in.size && o.pos < o.size) {
      status = Status::DataLoss("ZSTD data is truncated");
      break;
    }
    if (growable != nullptr && !full && produced == fixed.size() && fixed.size() < expected_size) {
      growable->resize(std::min(expected_size, fixed.size() * 2));
      fixed = std::span<uint8_t>(growable->data(), growable->size());
    }
  }
  CR_RETURN_IF_ERROR(status);
  if (produced != expected_size) return SizeMismatch("ZSTD");
  if (growable != nullptr) growable->resize(expected_size);
  return Status::OK();
}

Status StreamBrotli(ByteSpan input, size_t expected_size, Bytes* out) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) return Status::Internal("brotli init failed");
  size_t available_in = input.size();
  const uint8_t* next_in = input.data();
  size_t produced = 0;
  out->resize(std::min<size_t>(expected_size, std::max<size_t>(input.size() * 4, 1 << 16)));
  Status status;
  while (true) {
    size_t available_out = out->size() - produced;
    uint8_t* next_out = out->data() + produced;
    BrotliDecoderResult rc = BrotliDecoderDecompressStream(state, &available_in, &next_in,
                                                           &available_out, &next_out, nullptr);
    produced = out->size() - available_out;
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) break;
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
      if (out->size() >= expected_size) {
        status = SizeMismatch("BROTLI");
        break;
      }
      out->resize(std::min(expected_size, out->size() * 2));
      continue;
    }
    status =
        Status::DataLoss(rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT ? "BROTLI data is truncated"
                                                                      : "BROTLI data is corrupt");
    break;
  }
  BrotliDecoderDestroyInstance(state);
  CR_RETURN_IF_ERROR(status);
  if (produced != expected_size) return SizeMismatch("BROTLI");
  out->resize(expected_size);
  return Status::OK();
}

// The most a codec can expand its input; a declared size beyond it is corrupt, and refusing
// it early avoids allocating it.
bool WithinRatio(Codec codec, size_t input, size_t expected) {
  switch (codec) {
    case Codec::kGzip:
      return expected <= input * 1040 + 1024;
    case Codec::kLz4:
    case Codec::kLz4Raw:
      return expected <= input * 256 + 1024;
    default:
      return true;
  }
}

// The codecs that decompress into a buffer of exactly the declared size.
Status DecompressFixed(Codec codec, ByteSpan input, std::span<uint8_t> out) {
  const size_t expected_size = out.size();
  switch (codec) {
    case Codec::kUncompressed:
      if (input.size() != expected_size) return SizeMismatch("UNCOMPRESSED");
      if (expected_size > 0) std::memcpy(out.data(), input.data(), expected_size);
      return Status::OK();
    case Codec::kSnappy: {
      size_t length = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(input.data()), input.size(),
                                     &length) != SNAPPY_OK) {
        return Status::DataLoss("SNAPPY data is corrupt");
      }
      if (length != expected_size) return SizeMismatch("SNAPPY");
      size_t got = expected_size;
      if (snappy_uncompress(reinterpret_cast<const char*>(input.data()), input.size(),
                            reinterpret_cast<char*>(out.data()), &got) != SNAPPY_OK ||
          got != expected_size) {
        return Status::DataLoss("SNAPPY data is corrupt");
      }
      return Status::OK();
    }
    case Codec::kGzip:
      return Gunzip(input, expected_size, out.data());
    case Codec::kLz4Raw:
      if (!TryRawLz4(input, expected_size, out.data())) {
        return Status::DataLoss("LZ4_RAW data is corrupt or of another size than declared");
      }
      return Status::OK();
    case Codec::kLz4:
      if (TryHadoopLz4(input, expected_size, out.data()) ||
          TryLz4Frame(input, expected_size, out.data()) ||
          TryRawLz4(input, expected_size, out.data())) {
        return Status::OK();
      }
      return Status::DataLoss("LZ4 data is corrupt in the Hadoop, frame and raw formats");
    case Codec::kZstd:
      return StreamZstd(input, expected_size, nullptr, out);
    case Codec::kBrotli: {
      Bytes streamed;
      CR_RETURN_IF_ERROR(StreamBrotli(input, expected_size, &streamed));
      if (expected_size > 0) std::memcpy(out.data(), streamed.data(), expected_size);
      return Status::OK();
    }
    case Codec::kLzo:
      return Status::Unimplemented("LZO codec is not supported");
  }
  return Status::DataLoss("unknown codec");
}

Status CheckDeclaredSize(Codec codec, ByteSpan input, size_t expected_size) {
  if (expected_size > static_cast<size_t>(INT32_MAX) ||
      input.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::DataLoss("page size exceeds 2 GiB");
  }
  if (!WithinRatio(codec, input.size(), expected_size)) {
    return Status::DataLoss(std::string(CodecName(codec)) +
                            " page declares more data than it can hold");
  }
  return Status::OK();
}

}  // namespace

Status Decompress(Codec codec, ByteSpan input, size_t expected_size, Bytes* out) {
  CR_RETURN_IF_ERROR(CheckDeclaredSize(codec, input, expected_size));
  if (codec == Codec::kZstd) return StreamZstd(input, expected_size, out);
  if (codec == Codec::kBrotli) return StreamBrotli(input, expected_size, out);
  if (codec == Codec::kSnappy) {
    // The declared length is checked before the buffer is sized.
    size_t length = 0;
    if (snappy_uncompressed_length(reinterpret_cast<const char*>(input.data()), input.size(),
                                   &length) != SNAPPY_OK) {
      return Status::DataLoss("SNAPPY data is corrupt");
    }
    if (length != expected_size) return SizeMismatch("SNAPPY");
  }
  out->resize(expected_size);
  return DecompressFixed(codec, input, *out);
}

Status DecompressInto(Codec codec, ByteSpan input, std::span<uint8_t> out) {
  CR_RETURN_IF_ERROR(CheckDeclaredSize(codec, input, out.size()));
  return DecompressFixed(codec, input, out);
}

Status Compress(Codec codec, ByteSpan input, Bytes* out) {
  size_t base = out->size();
  switch (codec) {
    case Codec::kUncompressed:
      out->insert(out->end(), input.begin(), input.end());
      return Status::OK();
    case Codec::kSnappy: {
      size_t length = snappy_max_compressed_length(input.size());
      out->resize(base + length);
      if (snappy_compress(reinterpret_cast<const char*>(input.data()), input.size(),
                          reinterpret_cast<char*>(out->data() + base), &length) != SNAPPY_OK) {
        return Status::Internal("snappy compression failed");
      }
      out->resize(base + length);
      return Status::OK();
    }
    case Codec::kZstd: {
      size_t bound = ZSTD_compressBound(input.size());
      out->resize(base + bound);
      size_t n = ZSTD_compress(out->data() + base, bound, input.data(), input.size(), 3);
      if (ZSTD_isError(n)) return Status::Internal("zstd compression failed");
      out->resize(base + n);
      return Status::OK();
    }
    case Codec::kGzip: {
      z_stream stream{};
      if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                       Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal("zlib init failed");
      }
      size_t bound = deflateBound(&stream, input.size());
      out->resize(base + bound);
      stream.next_in = const_cast<Bytef*>(input.data());
      stream.avail_in = static_cast<uInt>(input.size());
      stream.next_out = out->data() + base;
      stream.avail_out = static_cast<uInt>(bound);
      int rc = deflate(&stream, Z_FINISH);
      size_t n = bound - stream.avail_out;
      deflateEnd(&stream);
      if (rc != Z_STREAM_END) return Status::Internal("gzip compression failed");
      out->resize(base + n);
      return Status::OK();
    }
    case Codec::kLz4Raw: {
      int bound = LZ4_compressBound(static_cast<int>(input.size()));
      out->resize(base + bound);
      int n = LZ4_compress_default(reinterpret_cast<const char*>(input.data()),
                                   reinterpret_cast<char*>(out->data() + base),
                                   static_cast<int>(input.size()), bound);
      if (n <= 0 && !input.empty()) return Status::Internal("lz4 compression failed");
      out->resize(base + n);
      return Status::OK();
    }
    case Codec::kBrotli: {
      size_t bound = BrotliEncoderMaxCompressedSize(input.size());
      if (bound == 0) bound = input.size() + 1024;
      out->resize(base + bound);
      if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, input.size(),
                                 input.data(), &bound, out->data() + base)) {
        return Status::Internal("brotli compression failed");
      }
      out->resize(base + bound);
      return Status::OK();
    }
    default:
      return Status::Unimplemented(std::string("writing codec ") + CodecName(codec));
  }
}

}  // namespace cleanroom::formats
