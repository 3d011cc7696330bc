#include "govwire/governance_client.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <mutex>

#include "base/file.h"
#include "crypto/cose.h"
#include "crypto/hash.h"
#include "govwire/bootstrap_proof.h"
#include "govwire/member_identity.h"
#include "govwire/tree_head_check.h"

namespace cleanroom::govwire {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status LoadPin(const std::string& identity_dir, std::string* url, std::string* fingerprint) {
  auto text = ReadFileToString(identity_dir + "/" + kPinFile);
  if (!text.ok()) {
    return Status::InvalidArgument(
        "--governance and --service-fingerprint are required (or pin the service with "
        "`cleanroom governance pin`)");
  }
  CR_ASSIGN_OR_RETURN(Json pin, ParseJson(*text, identity_dir + "/" + kPinFile));
  JsonReader r(pin, kPinFile);
  if (url->empty()) {
    CR_ASSIGN_OR_RETURN(*url, r.String("url"));
  }
  if (fingerprint->empty()) {
    CR_ASSIGN_OR_RETURN(*fingerprint, r.String("fingerprint"));
  }
  return Status::OK();
}

}  // namespace

Status SavePin(const std::string& identity_dir, const std::string& url,
               const std::string& fingerprint) {
  std::string host;
  int port = 0;
  CR_RETURN_IF_ERROR(ParseServiceUrl(url, &host, &port));
  CR_ASSIGN_OR_RETURN(std::string fp, NormalizeSha256Hex(fingerprint, "--service-fingerprint"));
  // A tree head kept from another service says nothing about this one.
  std::string old_url, old_fingerprint;
  if (LoadPin(identity_dir, &old_url, &old_fingerprint).ok() && old_fingerprint != fp) {
    ::unlink((identity_dir + "/" + kTreeHeadFile).c_str());
  }
  Json pin = {{"url", url}, {"fingerprint", fp}};
  return WriteFileAtomic(identity_dir + "/" + kPinFile, pin.dump(2) + "\n", 0644);
}

Status ApiReply::ToStatus() const {
  if (!error) return Status::OK();
  // The code is repeated only when it says more than the status code's own name.
  std::string message = error->message;
  static const char* kGeneric[] = {"InvalidArgument",   "Unauthenticated",    "PermissionDenied",
                                   "NotFound",          "FailedPrecondition", "AlreadyExists",
                                   "ResourceExhausted", "Unimplemented",      "Unavailable"};
  bool generic = false;
  for (const char* g : kGeneric) generic = generic || error->code == g;
  if (!generic) message = error->code + ": " + message;
  switch (http_status) {
    case 400:
      return Status::InvalidArgument(message);
    case 401:
      return Status::Unauthenticated(message);
    case 403:
      return Status::PermissionDenied(message);
    case 404:
      return Status::NotFound(message);
    case 409:
      return error->code == "AlreadyExists" ? Status::AlreadyExists(message)
                                            : Status::FailedPrecondition(message);
    case 429:
      return Status::ResourceExhausted(message);
    case 501:
      return Status::Unimplemented(message);
    default:
      break;
  }
  return http_status >= 500 ? Status::Unavailable(message) : Status::Internal(message);
}

ApiReply MakeApiReply(const HttpReply& reply) {
  ApiReply out;
  out.http_status = reply.status;
  // The reply is bounded like every JSON text the service itself parses.
  auto body = ParseJson(reply.body, "reply");
  out.body = body.ok() ? std::move(body).value() : Json(Json::value_t::discarded);
  if (reply.status < 200 || reply.status >= 300)
    out.error = ParseApiError(reply.status, reply.body);
  return out;
}

Result<std::unique_ptr<GovernanceClient>> GovernanceClient::Create(const ClientOptions& options) {
  if (options.identity_dir.empty()) return Status::InvalidArgument("--identity: required");
  std::string url = options.url;
  std::string fingerprint = options.service_fingerprint;
  if (url.empty() || fingerprint.empty()) {
    CR_RETURN_IF_ERROR(LoadPin(options.identity_dir, &url, &fingerprint));
  }
  CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity,
                      LoadMemberIdentity(options.identity_dir, options.passphrase_file));
  CR_ASSIGN_OR_RETURN(auto client, Create(url, fingerprint, std::move(identity)));
  // Every command of a member checks that the service still extends what the member saw.
  CR_RETURN_IF_ERROR(CheckTreeHead(*client, options.identity_dir, fingerprint));
  return client;
}

Result<std::unique_ptr<GovernanceClient>> GovernanceClient::Create(
    const std::string& url, const std::string& service_fingerprint,
    crypto::MemberIdentity identity) {
  // A service that goes away mid-request must surface as an error on that request, not kill
  // the client process with SIGPIPE (TLS writes go through write(2)).
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  ConnectionOptions c;
  CR_RETURN_IF_ERROR(ParseServiceUrl(url, &c.host, &c.port));
  c.service_fingerprint = service_fingerprint;
  std::unique_ptr<GovernanceClient> client(new GovernanceClient(std::move(identity), nullptr));
  c.identity = &client->identity_;
  CR_ASSIGN_OR_RETURN(client->connection_, HttpsConnection::Connect(c));
  return client;
}

Result<Bytes> GovernanceClient::Sign(const std::string& message_type, const Json& payload,
                                     std::optional<int64_t> created_at) const {
  crypto::cose::Sign1Options o;
  o.kid = ToBytes(member_id());
  o.content_type = "application/json";
  o.msg_type = message_type;
  o.created_at = created_at.value_or(NowSeconds());
  o.generate_nonce = true;
  std::string text = payload.dump();
  return crypto::cose::CreateSign1(identity_.signing_key, AsBytes(text), o);
}

Result<ApiReply> GovernanceClient::PostSigned(const std::string& path, ByteSpan signed_message) {
  CR_ASSIGN_OR_RETURN(HttpReply reply, connection_->Request("POST", path, "application/cose",
                                                            AsStringView(signed_message)));
  return MakeApiReply(reply);
}

Result<std::string> GovernanceClient::CollaborationId() {
  if (!collaboration_id_.empty()) return collaboration_id_;
  CR_ASSIGN_OR_RETURN(ApiReply reply, Get("/v1/collab"));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  if (!reply.body.contains("id") || !reply.body["id"].is_string()) {
    return Status::FailedPrecondition("no collaboration has been proposed on this service");
  }
  collaboration_id_ = reply.body["id"].get<std::string>();
  return collaboration_id_;
}

Result<ApiReply> GovernanceClient::Write(const std::string& path, const std::string& message_type,
                                         Json payload) {
  bool first_proposal = message_type == "collab.propose" && payload.value("version", 0) == 1;
  if (!first_proposal && !payload.contains("collaboration")) {
    CR_ASSIGN_OR_RETURN(payload["collaboration"], CollaborationId());
  }
  if (first_proposal && !bootstrap_token_.empty() && !payload.contains("bootstrapProof")) {
    payload["bootstrapProof"] = BootstrapProof(bootstrap_token_, member_id());
  }
  CR_ASSIGN_OR_RETURN(Bytes message, Sign(message_type, payload));
  return PostSigned(path, message);
}

Result<ApiReply> GovernanceClient::PostJson(const std::string& path, const Json& body) {
  CR_ASSIGN_OR_RETURN(HttpReply reply,
                      connection_->Request("POST", path, "application/json", body.dump()));
  return MakeApiReply(reply);
}

Result<ApiReply> GovernanceClient::Get(const std::string& path) {
  CR_ASSIGN_OR_RETURN(HttpReply reply, connection_->Request("GET", path, "", ""));
  return MakeApiReply(reply);
}

Result<ApiReply> GovernanceClient::Download(const std::string& path,
                                            const std::function<Status(ByteSpan)>& sink) {
  CR_ASSIGN_OR_RETURN(HttpReply reply, connection_->RequestStreaming("GET", path, sink));
  if (reply.status < 200 || reply.status >= 300) return MakeApiReply(reply);
  ApiReply ok;
  ok.http_status = reply.status;
  return ok;
}

}  // namespace cleanroom::govwire

namespace cleanroom::govwire {

Result<ApiReply> StoreDatasetKey(GovernanceClient& client, const std::string& dataset,
                                 int64_t version, const std::string& key_id, ByteSpan key) {
  CR_ASSIGN_OR_RETURN(std::string collaboration, client.CollaborationId());
  Json payload = {{"collaboration", collaboration},
                  {"dataset", dataset},
                  {"version", version},
                  {"keyId", key_id},
                  {"keyCommitment", crypto::Sha256Hex(key)}};
  CR_ASSIGN_OR_RETURN(Bytes request, client.Sign("dataset.secret", payload));
  std::string key_b64 = Base64Encode(key);
  auto reply = client.PostJson("/v1/datasets/" + dataset + "/secret",
                               {{"request", Base64Encode(request)}, {"key", key_b64}});
  SecureWipe(key_b64.data(), key_b64.size());
  return reply;
}

Result<Json> ContractMember(const crypto::MemberPublicIdentity& member,
                            const std::vector<std::string>& roles,
                            const std::string& display_name) {
  CR_ASSIGN_OR_RETURN(std::string enc_pem, member.encryption_public_key.ToPem());
  return Json{{"certificate", member.certificate.ToPem()},
              {"displayName", display_name.empty() ? member.name : display_name},
              {"roles", roles},
              {"encryptionPublicKey", enc_pem}};
}

}  // namespace cleanroom::govwire
