#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace cleanroom::ledger {

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78, as iSCSI and ext4 use it). Uses the SSE4.2
// crc32 instruction when the CPU has it, a slicing-by-8 table otherwise; both give identical
// results. Thread-safe.
uint32_t Crc32c(ByteSpan data);

// Continues a CRC: Crc32cExtend(Crc32c(a), b) == Crc32c(a || b).
uint32_t Crc32cExtend(uint32_t crc, ByteSpan data);

// The portable table implementation, exposed so that tests compare both paths.
uint32_t Crc32cExtendPortable(uint32_t crc, ByteSpan data);

// Whether Crc32cExtend uses the SSE4.2 instruction on this machine.
bool Crc32cHardwareAvailable();

}  // namespace cleanroom::ledger
