#pragma once

#include <openssl/evp.h>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// A report signature in AMD's layout: r and s as 72-byte little-endian integers (the top 24
// bytes zero for P-384).
struct AmdEcdsaSignature {
  Bytes r;
  Bytes s;
};

// True when `key` is an EC P-384 key.
bool IsP384Key(EVP_PKEY* key);

// Verifies ECDSA P-384 with SHA-384 over `message`. False (never an error) for a key that is not
// P-384, components of the wrong size, non-zero padding, or a signature that does not verify.
bool VerifyAmdEcdsaSignature(EVP_PKEY* key, ByteSpan message, ByteSpan r_le, ByteSpan s_le);

// Signs `message` with the P-384 private `key` (SHA-384) and returns r and s in AMD's layout.
Result<AmdEcdsaSignature> SignAmdEcdsa(EVP_PKEY* key, ByteSpan message);

}  // namespace cleanroom::attest
