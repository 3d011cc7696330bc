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

}  // namespace cleanroom::attest
