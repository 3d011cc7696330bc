#pragma once

#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

inline constexpr size_t kReportDataSize = 64;

// The report_data a runtime puts in its evidence for one run, binding the run's ephemeral
// public key and the run id:
//   SHA-512("cleanroom/report-data/v1" || 0x00 || key_sha384 || run_id)
// where key_sha384 is the SHA-384 (48 bytes) of the ephemeral public key exactly as the runtime
// sends it to governance. Governance recomputes it and requires equality. InvalidArgument when
// key_sha384 is not 48 bytes or run_id is empty.
Result<Bytes> ReportDataBinding(ByteSpan key_sha384, std::string_view run_id);

// ReportDataBinding(SHA-384(public_key), run_id).
Result<Bytes> ReportDataForPublicKey(ByteSpan public_key, std::string_view run_id);

// The report_data of a key request that answers governance's challenge for the run (what key
// release requires):
//   SHA-512("cleanroom/report-data/v2" || 0x00 || SHA-384(public_key) || run_id || 0x00 ||
//           challenge)
// InvalidArgument when the key, the run id or the challenge is empty, or the run id holds 0x00.
Result<Bytes> ReportDataForChallenge(ByteSpan public_key, std::string_view run_id,
                                     ByteSpan challenge);

}  // namespace cleanroom::attest
