#pragma once

#include <cstdint>
#include <string>

namespace cleanroom::workload {

// Fast appenders for the CSV writer: no locale, no allocation beyond the string's growth.

// Decimal digits of `value`.
void AppendUnsigned(std::string& out, uint64_t value);

// A fixed-point decimal: `units` in 10^-scale, e.g. (12345, 2) -> "123.45", (5, 4) -> "0.0005".
// REQUIRES: 0 <= scale <= 18.
void AppendFixedDecimal(std::string& out, uint64_t units, int scale);

// "YYYY-MM-DD HH:MM:SS" for seconds since 1970-01-01 00:00:00 UTC. REQUIRES: seconds >= 0.
void AppendTimestamp(std::string& out, int64_t seconds);

// Seconds since the epoch of a UTC civil time (proleptic Gregorian calendar).
int64_t EpochSeconds(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

}  // namespace cleanroom::workload
