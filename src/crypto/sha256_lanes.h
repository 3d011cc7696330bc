#pragma once
// Several independent SHA-256 computations at once. One SHA-256 stream is bound by the latency of
// the SHA-NI round instruction (each round needs the previous one's result); a core can start a
// new round every cycle or two, so interleaving the rounds of independent messages ("lanes")
// fills the pipeline. Every digest is the ordinary FIPS 180-4 SHA-256 of its message.

#include <cstddef>
#include <span>

#include "base/bytes.h"
#include "crypto/hash.h"

namespace cleanroom::crypto {

// The most messages hashed in one interleaved pass.
inline constexpr size_t kSha256MaxLanes = 4;

// True when this CPU has the SHA extensions (and SSSE3 / SSE4.1) that the interleaved code uses;
// otherwise every digest comes from OpenSSL, one message after the other.
bool Sha256LanesAccelerated();

// Tests only: when `portable`, Sha256LanesAccelerated() is false from then on (OpenSSL computes
// every digest), so the fallback of CPUs without SHA-NI runs here too; false restores detection.
void ForceSha256LanesPortableForTesting(bool portable);

// out[i] = SHA-256(messages[i]) for every i; `out` has messages.size() entries. Messages of the
// same length are hashed `lanes` at a time (1 to kSha256MaxLanes; the default suits this
// generation of CPUs, see docs/crypto.md). Thread-safe (no shared state).
void Sha256Many(std::span<const ByteSpan> messages, Sha256Digest* out,
                size_t lanes = kSha256MaxLanes);

}  // namespace cleanroom::crypto
