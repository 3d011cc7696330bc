#include "attest/report_data.h"

#include "crypto/hash.h"

namespace cleanroom::attest {
namespace {

constexpr std::string_view kDomain = "cleanroom/report-data/v1";

}  // namespace

Result<Bytes> ReportDataBinding(ByteSpan key_sha384, std::string_view run_id) {
  if (key_sha384.size() != 48) {
    return Status::InvalidArgument("report_data binding: the key hash must be 48 bytes (SHA-384)");
  }
  if (run_id.empty()) return Status::InvalidArgument("report_data binding: the run id is empty");
  Bytes input(kDomain.begin(), kDomain.end());
  input.push_back(0);
  input.insert(input.end(), key_sha384.begin(), key_sha384.end());
  input.insert(input.end(), run_id.begin(), run_id.end());
  return crypto::Hash(crypto::HashAlgorithm::kSha512, input);
}

Result<Bytes> ReportDataForPublicKey(ByteSpan public_key, std::string_view run_id) {
  if (public_key.empty()) return Status::InvalidArgument("report_data binding: empty public key");
  return ReportDataBinding(crypto::Hash(crypto::HashAlgorithm::kSha384, public_key), run_id);
}

Result<Bytes> ReportDataForChallenge(ByteSpan public_key, std::string_view run_id,
                                     ByteSpan challenge) {
  if (public_key.empty() || challenge.empty() || run_id.empty() ||
      run_id.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(
        "report_data binding: needs a public key, a run id without 0x00 and a challenge");
  }
  constexpr std::string_view kDomainV2 = "cleanroom/report-data/v2";
  Bytes input(kDomainV2.begin(), kDomainV2.end());
  input.push_back(0);
  Bytes key_hash = crypto::Hash(crypto::HashAlgorithm::kSha384, public_key);
  input.insert(input.end(), key_hash.begin(), key_hash.end());
  input.insert(input.end(), run_id.begin(), run_id.end());
  input.push_back(0);
  input.insert(input.end(), challenge.begin(), challenge.end());
  return crypto::Hash(crypto::HashAlgorithm::kSha512, input);
}

}  // namespace cleanroom::attest
