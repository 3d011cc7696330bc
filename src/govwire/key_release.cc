#include "govwire/key_release.h"

#include "sql/catalog.h"

namespace cleanroom::govwire {

using sql::ToLowerAscii;

Result<Bytes> Base64Field(const JsonReader& r, std::string_view field) {
  CR_ASSIGN_OR_RETURN(std::string text, r.String(field));
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) return Status::InvalidArgument(r.Path(field) + ": expected base64");
  return bytes;
}

Bytes KeyReleaseAad(const std::string& run_id, const std::string& dataset, int64_t version,
                    const std::string& key_id) {
  std::string text = run_id;
  text.push_back('\0');
  text += ToLowerAscii(dataset);
  text.push_back('\0');
  text += std::to_string(version);
  text.push_back('\0');
  text += ToLowerAscii(key_id);
  return Bytes(text.begin(), text.end());
}

Bytes RunTokenAad(const std::string& run_id) { return Bytes(run_id.begin(), run_id.end()); }

Json RunChallenge::ToJson() const {
  return {{"run", run_id}, {"challenge", Base64Encode(challenge)}, {"expiresAt", expires_at}};
}

Result<RunChallenge> RunChallenge::FromJson(const Json& body) {
  JsonReader r(body, "challenge reply");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"run", "challenge", "expiresAt"}));
  RunChallenge out;
  CR_ASSIGN_OR_RETURN(out.run_id, r.String("run"));
  CR_ASSIGN_OR_RETURN(out.challenge, Base64Field(r, "challenge"));
  if (out.challenge.empty() || out.challenge.size() > kMaxChallengeSize) {
    return Status::InvalidArgument(r.Path("challenge") + ": expected 1 to 64 bytes");
  }
  CR_ASSIGN_OR_RETURN(out.expires_at, r.Integer("expiresAt"));
  return out;
}

Json KeyReleaseRequest::ToJson() const {
  Json out = {{"run", run_id},
              {"publicKey", Base64Encode(public_key)},
              {"evidence", Json::parse(attest::SerializeEvidenceJson(evidence))}};
  if (!challenge.empty()) out["challenge"] = Base64Encode(challenge);
  return out;
}

Result<KeyReleaseRequest> KeyReleaseRequest::FromJson(const Json& body) {
  JsonReader r(body, "body");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"run", "publicKey", "challenge", "evidence"}));
  KeyReleaseRequest request;
  CR_ASSIGN_OR_RETURN(request.run_id, r.String("run"));
  CR_ASSIGN_OR_RETURN(request.public_key, Base64Field(r, "publicKey"));
  if (request.public_key.size() != kRawX25519KeySize) {
    return Status::InvalidArgument("body.publicKey: expected a raw 32-byte X25519 public key");
  }
  if (r.Has("challenge")) {
    CR_ASSIGN_OR_RETURN(request.challenge, Base64Field(r, "challenge"));
    if (request.challenge.size() > kMaxChallengeSize) {
      return Status::InvalidArgument("body.challenge: longer than 64 bytes");
    }
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

Json SealedValue::ToJson() const {
  return {{"enc", Base64Encode(enc)}, {"sealed", Base64Encode(sealed)}};
}

Result<SealedValue> SealedValue::FromJson(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"enc", "sealed"}));
  SealedValue out;
  CR_ASSIGN_OR_RETURN(out.enc, Base64Field(r, "enc"));
  CR_ASSIGN_OR_RETURN(out.sealed, Base64Field(r, "sealed"));
  return out;
}

Json KeyReleaseReply::ToJson() const {
  Json keys_json = Json::array();
  for (const ReleasedKey& k : keys) {
    Json entry = {{"dataset", k.dataset}, {"version", k.version}, {"keyId", k.key_id}};
    entry.update(k.key.ToJson());
    keys_json.push_back(std::move(entry));
  }
  return {{"run", run_id},
          {"seqno", seqno},
          {"keys", std::move(keys_json)},
          {"token", token.ToJson()},
          {"work", work.ToJson()}};
}

Result<KeyReleaseReply> KeyReleaseReply::FromJson(const Json& body) {
  JsonReader r(body, "reply");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"run", "seqno", "keys", "token", "work"}));
  KeyReleaseReply reply;
  CR_ASSIGN_OR_RETURN(reply.run_id, r.String("run"));
  CR_ASSIGN_OR_RETURN(int64_t seqno, r.Integer("seqno"));
  if (seqno < 0) return Status::InvalidArgument("reply.seqno: expected a ledger seqno");
  reply.seqno = static_cast<uint64_t>(seqno);
  if (!r.Has("token")) return Status::InvalidArgument("reply.token: missing");
  CR_ASSIGN_OR_RETURN(reply.token, SealedValue::FromJson(body["token"], "reply.token"));
  if (!r.Has("work")) return Status::InvalidArgument("reply.work: missing");
  CR_ASSIGN_OR_RETURN(reply.work, WorkOrder::FromJson(body["work"], "reply.work"));
  CR_ASSIGN_OR_RETURN(const Json* keys, r.Array("keys"));
  if (keys->size() != reply.work.datasets.size()) {
    return Status::InvalidArgument("reply.keys: not one key per dataset of the work order");
  }
  for (size_t i = 0; i < keys->size(); ++i) {
    std::string where = "reply.keys[" + std::to_string(i) + "]";
    JsonReader k((*keys)[i], where);
    CR_RETURN_IF_ERROR(k.RequireObject());
    CR_RETURN_IF_ERROR(k.RejectUnknownFields({"dataset", "version", "keyId", "enc", "sealed"}));
    ReleasedKey key;
    CR_ASSIGN_OR_RETURN(key.dataset, k.String("dataset"));
    CR_ASSIGN_OR_RETURN(key.version, k.Integer("version"));
    CR_ASSIGN_OR_RETURN(key.key_id, k.String("keyId"));
    CR_ASSIGN_OR_RETURN(key.key.enc, Base64Field(k, "enc"));
    CR_ASSIGN_OR_RETURN(key.key.sealed, Base64Field(k, "sealed"));
    const WorkDataset& d = reply.work.datasets[i];
    if (ToLowerAscii(key.dataset) != ToLowerAscii(d.name) || key.version != d.version) {
      return Status::InvalidArgument(where + ": names another dataset than the work order");
    }
    reply.keys.push_back(std::move(key));
  }
  return reply;
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

}  // namespace cleanroom::govwire
