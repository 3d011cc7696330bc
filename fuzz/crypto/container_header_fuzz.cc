// The container header parser and a reader over arbitrary bytes: no crash, and with a key that
// never sealed anything, no chunk may authenticate.
#include <cstdlib>

#include "crypto/container.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::crypto::container;
  cleanroom::ByteSpan input(data, size);
  auto header = ParseHeader(input);
  if (header.ok() && header->encoded_size > size) std::abort();
  static const DataKey key = DataKey::FromBytes(cleanroom::Bytes(kDataKeySize, 7)).value();
  auto reader = Reader::Open(MemoryInput(input), key);
  if (reader.ok()) {
    uint64_t n = (*reader)->chunk_count();
    for (uint64_t i : {uint64_t{0}, n - 1}) {
      if ((*reader)->ReadChunk(i).ok()) std::abort();
    }
  }
  return 0;
}
