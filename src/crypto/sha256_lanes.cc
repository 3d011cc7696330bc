// Interleaved SHA-256 with the x86 SHA extensions (FIPS 180-4; the instruction set is Intel's
// "SHA extensions" of 2013: SHA256RNDS2 does two rounds, SHA256MSG1 / SHA256MSG2 the message
// schedule). Only the functions marked kShaTarget use those instructions, and they run only
// after the CPUID check, so the rest of the library stays portable.
#include "crypto/sha256_lanes.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_SHA256_LANES_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace cleanroom::crypto {
namespace {

#if CR_SHA256_LANES_X86

#define CR_SHA_TARGET __attribute__((target("sha,ssse3,sse4.1")))

alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr size_t kBlockSize = 64;

// The eight state words as SHA256RNDS2 wants them: (A, B, E, F) and (C, D, G, H).
struct LaneState {
  __m128i abef;
  __m128i cdgh;
};

CR_SHA_TARGET LaneState InitialLaneState() {
  const __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kInitialState));
  const __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kInitialState + 4));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  return LaneState{_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xF0)};
}

CR_SHA_TARGET void StoreDigest(const LaneState& state, uint8_t* out) {
  const __m128i feba = _mm_shuffle_epi32(state.abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(state.cdgh, 0xB1);
  const __m128i dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  const __m128i hgfe = _mm_alignr_epi8(dchg, feba, 8);
  // The words are little-endian in the registers; the digest is big-endian words.
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(dcba, swap));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_shuffle_epi8(hgfe, swap));
}

// Runs `blocks` compression steps on each of the kLanes states, lane i reading data[i]. The lanes'
// rounds are interleaved so that the core overlaps their latencies.
template <size_t kLanes>
CR_SHA_TARGET void CompressLanes(LaneState* state, const uint8_t* const* data, size_t blocks) {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  LaneState s[kLanes];
  const uint8_t* p[kLanes];
  for (size_t l = 0; l < kLanes; ++l) {
    s[l] = state[l];
    p[l] = data[l];
  }
  for (size_t b = 0; b < blocks; ++b) {
    LaneState saved[kLanes];
    __m128i w[kLanes][4];  // The last four groups of four message words.
#pragma GCC unroll 4
    for (size_t l = 0; l < kLanes; ++l) {
      saved[l] = s[l];
#pragma GCC unroll 4
      for (size_t q = 0; q < 4; ++q) {
        w[l][q] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p[l] + 16 * q)),
                                   swap);
      }
    }
#pragma GCC unroll 16
    for (size_t g = 0; g < 16; ++g) {
      const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * g));
#pragma GCC unroll 4
      for (size_t l = 0; l < kLanes; ++l) {
        if (g >= 4) {
          // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] for the four words of group g.
          __m128i x = _mm_sha256msg1_epu32(w[l][g % 4], w[l][(g + 1) % 4]);
          x = _mm_add_epi32(x, _mm_alignr_epi8(w[l][(g + 3) % 4], w[l][(g + 2) % 4], 4));
          w[l][g % 4] = _mm_sha256msg2_epu32(x, w[l][(g + 3) % 4]);
        }
        __m128i t = _mm_add_epi32(w[l][g % 4], k);
        s[l].cdgh = _mm_sha256rnds2_epu32(s[l].cdgh, s[l].abef, t);
        t = _mm_shuffle_epi32(t, 0x0E);
        s[l].abef = _mm_sha256rnds2_epu32(s[l].abef, s[l].cdgh, t);
      }
    }
#pragma GCC unroll 4
    for (size_t l = 0; l < kLanes; ++l) {
      s[l].abef = _mm_add_epi32(s[l].abef, saved[l].abef);
      s[l].cdgh = _mm_add_epi32(s[l].cdgh, saved[l].cdgh);
      p[l] += kBlockSize;
    }
  }
  for (size_t l = 0; l < kLanes; ++l) state[l] = s[l];
}

void CompressLanesDispatch(size_t lanes, LaneState* state, const uint8_t* const* data,
                           size_t blocks) {
  switch (lanes) {
    case 1:
      return CompressLanes<1>(state, data, blocks);
    case 2:
      return CompressLanes<2>(state, data, blocks);
    case 3:
      return CompressLanes<3>(state, data, blocks);
    case 4:
      return CompressLanes<4>(state, data, blocks);
    default:
      std::abort();  // Programmer error: lanes is clamped by the caller.
  }
}

// Compresses counts[i] blocks of data[i] into state[i] for i < n: the blocks all lanes have in
// common interleaved, the rest of each lane on its own.
void CompressRagged(size_t n, LaneState* state, const uint8_t* const* data, const size_t* counts) {
  const size_t common = *std::min_element(counts, counts + n);
  if (common > 0) CompressLanesDispatch(n, state, data, common);
  for (size_t i = 0; i < n; ++i) {
    if (counts[i] == common) continue;
    const uint8_t* rest = data[i] + common * kBlockSize;
    CompressLanesDispatch(1, &state[i], &rest, counts[i] - common);
  }
}

// The padded last one or two blocks of a message (FIPS 180-4 section 5.1.1).
struct Tail {
  std::array<uint8_t, 2 * kBlockSize> bytes{};
  size_t blocks = 0;
};

Tail PaddedTail(ByteSpan message) {
  Tail tail;
  const size_t rest = message.size() % kBlockSize;
  if (rest > 0) std::memcpy(tail.bytes.data(), message.data() + message.size() - rest, rest);
  tail.bytes[rest] = 0x80;
  tail.blocks = rest + 1 + 8 <= kBlockSize ? 1 : 2;
  PutU64BE(tail.bytes.data() + tail.blocks * kBlockSize - 8, uint64_t{message.size()} * 8);
  return tail;
}

// Hashes n <= kSha256MaxLanes messages interleaved.
void HashGroup(const ByteSpan* messages, size_t n, Sha256Digest* out) {
  LaneState state[kSha256MaxLanes] = {};
  const uint8_t* data[kSha256MaxLanes] = {};
  size_t counts[kSha256MaxLanes] = {};
  Tail tails[kSha256MaxLanes];
  for (size_t i = 0; i < n; ++i) {
    state[i] = InitialLaneState();
    data[i] = messages[i].data();
    counts[i] = messages[i].size() / kBlockSize;
  }
  CompressRagged(n, state, data, counts);
  for (size_t i = 0; i < n; ++i) {
    tails[i] = PaddedTail(messages[i]);
    data[i] = tails[i].bytes.data();
    counts[i] = tails[i].blocks;
  }
  CompressRagged(n, state, data, counts);
  for (size_t i = 0; i < n; ++i) StoreDigest(state[i], out[i].data());
}

bool DetectShaExtensions() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool ssse3 = (ecx & (1u << 9)) != 0;
  const bool sse41 = (ecx & (1u << 19)) != 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool sha = (ebx & (1u << 29)) != 0;
  return ssse3 && sse41 && sha;
}

#else  // Not x86-64: OpenSSL computes every digest.

bool DetectShaExtensions() { return false; }
void HashGroup(const ByteSpan*, size_t, Sha256Digest*) { std::abort(); }

#endif

std::atomic<bool> force_portable{false};

}  // namespace

bool Sha256LanesAccelerated() {
  static const bool accelerated = DetectShaExtensions();
  return accelerated && !force_portable.load(std::memory_order_relaxed);
}

void ForceSha256LanesPortableForTesting(bool portable) {
  force_portable.store(portable, std::memory_order_relaxed);
}

void Sha256Many(std::span<const ByteSpan> messages, Sha256Digest* out, size_t lanes) {
  if (!Sha256LanesAccelerated()) {
    for (size_t i = 0; i < messages.size(); ++i) out[i] = Sha256(messages[i]);
    return;
  }
  lanes = std::clamp<size_t>(lanes, 1, kSha256MaxLanes);
  for (size_t i = 0; i < messages.size(); i += lanes) {
    const size_t n = std::min(lanes, messages.size() - i);
    HashGroup(messages.data() + i, n, out + i);
  }
}

}  // namespace cleanroom::crypto
