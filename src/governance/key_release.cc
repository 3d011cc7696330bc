#include "governance/key_release.h"

#include "sql/catalog.h"

namespace cleanroom::governance {
namespace {

Result<Bytes> Base64Field(JsonReader& r, const char* field) {
  CR_ASSIGN_OR_RETURN(std::string text, r.String(field));
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) return Status::InvalidArgument(r.Path(field) + ": expected base64");
  return bytes;
}

}  // namespace

Bytes KeyReleaseAad(const std::string& run_id, const std::string& dataset, int64_t version,
                    const std::string& key_id) {
  std::string text = run_id;
  text.push_back('\0');
  text += sql::ToLowerAscii(dataset);
  text.push_back('\0');
  text += std::to_string(version);
  text.push_back('\0');
  text += sql::ToLowerAscii(key_id);
  return Bytes(text.begin(), text.end());
}

Bytes RunTokenAad(const std::string& run_id) { return Bytes(run_id.begin(), run_id.end()); }

Json KeyReleaseRequest::ToJson() const {
  return {{"run", run_id},
          {"publicKey", Base64Encode(public_key)},
          {"evidence", Json::parse(attest::SerializeEvidenceJson(evidence))}};
}

Result<KeyReleaseRequest> KeyReleaseRequest::FromJson(const Json& body) {
  JsonReader r(body, "body");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"run", "publicKey", "evidence"}));
  KeyReleaseRequest request;
  CR_ASSIGN_OR_RETURN(request.run_id, r.String("run"));
  CR_ASSIGN_OR_RETURN(request.public_key, Base64Field(r, "publicKey"));
  if (request.public_key.size() != 32) {
    return Status::InvalidArgument("body.publicKey: expected a raw 32-byte X25519 public key");
  }
  if (!body.contains("evidence") || !body["evidence"].is_object()) {
    return Status::InvalidArgument("body.evidence: expected an evidence object");
  }
  // An SEV-SNP chain is VCEK, ASK, ARK: a few more are tolerated, not thousands to parse.
  const Json& certificates = body["evidence"].value("certificates", Json::array());
  if (certificates.is_array() && certificates.size() > kMaxEvidenceCertificates) {
    return Status::InvalidArgument("body.evidence.certificates: more than 8");
  }
  auto evidence = attest::ParseEvidenceJson(body["evidence"].dump());
  if (!evidence.ok()) return evidence.status().WithContext("body.evidence");
  request.evidence = std::move(evidence).value();
  return request;
}

Json RunReport::ToJson() const {
  return {{"token", Base64Encode(token)}, {"record", Base64Encode(signed_record)}};
}

Result<RunReport> RunReport::FromJson(const std::string& run_id, const Json& body) {
  JsonReader r(body, "body");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"token", "record"}));
  RunReport report;
  report.run_id = run_id;
  CR_ASSIGN_OR_RETURN(report.token, Base64Field(r, "token"));
  CR_ASSIGN_OR_RETURN(report.signed_record, Base64Field(r, "record"));
  return report;
}

}  // namespace cleanroom::governance
