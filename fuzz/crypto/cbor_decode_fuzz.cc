// CBOR decoding in both modes; anything strict accepts must re-encode to the same bytes.
#include <cstdlib>

#include "crypto/cbor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::crypto::cbor;
  cleanroom::ByteSpan input(data, size);
  DecodeOptions lenient;
  lenient.strict = false;
  auto loose = Decode(input, lenient);
  if (loose.ok()) {
    auto encoded = Encode(*loose);
    if (!encoded.ok()) std::abort();  // A decoded value never holds duplicate keys.
    // The deterministic form decodes strictly to an equal value.
    auto again = Decode(*encoded);
    if (!again.ok() || !(*again == *loose)) std::abort();
  }
  auto strict = Decode(input);
  if (strict.ok()) {
    if (!loose.ok()) std::abort();  // Strict accepts a subset of lenient.
    auto encoded = Encode(*strict);
    if (!encoded.ok() || *encoded != cleanroom::Bytes(data, data + size)) std::abort();
  }
  return 0;
}
