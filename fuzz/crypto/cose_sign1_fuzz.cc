// COSE_Sign1 / COSE_Sign decoding and verification against a fixed key: must never crash, and
// must never accept (no forgery can be found by mutation).
#include <cstdlib>

#include "crypto/cose.h"

namespace {

const cleanroom::crypto::PublicKey& Key() {
  static const cleanroom::crypto::PublicKey key =
      cleanroom::crypto::PrivateKey::Generate(cleanroom::crypto::KeyType::kEcP384)
          .value()
          .public_key();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::crypto;
  cleanroom::ByteSpan input(data, size);
  for (auto mode : {cose::DecodeMode::kStrict, cose::DecodeMode::kLenient}) {
    auto m = cose::DecodeSign1(input, mode);
    if (m.ok() && cose::VerifySign1(*m, Key(), {}, cleanroom::ByteSpan()).ok()) std::abort();
    auto s = cose::DecodeSign(input, mode);
    if (s.ok() && cose::VerifySignSigner(*s, 0, Key()).ok()) std::abort();
  }
  if (cose::VerifySign1Strict(input, Key()).ok()) std::abort();
  return 0;
}
