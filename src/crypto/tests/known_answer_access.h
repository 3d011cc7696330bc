#pragma once
// The crypto tests' only way to fix what product code always draws at random (an HPKE ephemeral
// key, a container's nonce prefix): the known-answer vectors need them fixed. Product headers
// name this class as a friend of their private entry points; only the tests define it.

#include <array>

#include "crypto/container.h"
#include "crypto/hpke.h"

namespace cleanroom::crypto::testing {

class KnownAnswerAccess {
 public:
  // hpke::SetupSender with `ephemeral` as the sender's ephemeral key.
  static Result<hpke::SenderContext> SetupSender(const hpke::Suite& suite,
                                                 const PublicKey& recipient, ByteSpan info,
                                                 const hpke::SetupOptions& options,
                                                 const PrivateKey& ephemeral) {
    return hpke::FixedEphemeralKey::SetupSender(suite, recipient, info, options, ephemeral);
  }

  // container::EncryptBuffer under `nonce_prefix`.
  static Result<Bytes> EncryptBuffer(
      const container::DataKey& key, const container::EncryptOptions& options,
      const std::array<uint8_t, container::kNoncePrefixSize>& nonce_prefix, ByteSpan plaintext,
      container::EncryptSummary* summary) {
    return container::FixedNoncePrefix::EncryptBuffer(key, options, nonce_prefix, plaintext,
                                                      summary);
  }
};

}  // namespace cleanroom::crypto::testing
