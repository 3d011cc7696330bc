#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/identity.h"
#include "govwire/api_error.h"
#include "govwire/https_connection.h"
#include "govwire/json_reader.h"

namespace cleanroom::govwire {

// How a member reaches the service. `url` and `service_fingerprint` may be left empty when the
// identity directory holds a governance.json saved by `cleanroom governance pin`.
struct ClientOptions {
  std::string url;                  // https://HOST:PORT
  std::string service_fingerprint;  // hex SHA-256 of the service certificate
  std::string identity_dir;         // the member's keygen directory
  std::string passphrase_file;      // its passphrase, when protected (see LoadMemberIdentity)
};

// The file in an identity directory that pins a service: {"url": ..., "fingerprint": ...}.
inline constexpr char kPinFile[] = "governance.json";
// Writes DIR/governance.json.
Status SavePin(const std::string& identity_dir, const std::string& url,
               const std::string& fingerprint);

// An API reply: the HTTP status and JSON body, with the parsed error when the status is not 2xx.
struct ApiReply {
  int http_status = 0;
  Json body;
  std::optional<ApiError> error;

  bool ok() const { return !error.has_value(); }
  // OK, or the error as a Status: 400 InvalidArgument, 401 Unauthenticated, 403
  // PermissionDenied, 404 NotFound, 409 FailedPrecondition, 5xx Unavailable; the message is
  // "<code>: <message>".
  Status ToStatus() const;
};

// A member's client of the governance service: signs writes with the member's key (COSE_Sign1,
// ES384; kid = member id; message type, created-at and a fresh nonce in the protected header)
// and authenticates reads with the member's certificate as TLS client certificate. One kept-alive
// connection; not thread-safe (one client per thread).
class GovernanceClient {
 public:
  static Result<std::unique_ptr<GovernanceClient>> Create(const ClientOptions& options);
  // A client with an identity already loaded (the bench builds many).
  static Result<std::unique_ptr<GovernanceClient>> Create(const std::string& url,
                                                          const std::string& service_fingerprint,
                                                          crypto::MemberIdentity identity);

  const std::string& member_id() const { return identity_.member_id(); }
  const crypto::MemberIdentity& identity() const { return identity_; }

  // A signed write. `created_at` defaults to now; tests pass other times.
  Result<Bytes> Sign(const std::string& message_type, const Json& payload,
                     std::optional<int64_t> created_at = std::nullopt) const;

  // POSTs a signed message (application/cose) to `path`.
  Result<ApiReply> PostSigned(const std::string& path, ByteSpan signed_message);
  // Sign + PostSigned. Payloads other than a first contract proposal get "collaboration" added
  // (fetched once from GET /v1/collab) when they lack it.
  Result<ApiReply> Write(const std::string& path, const std::string& message_type, Json payload);
  // POSTs a JSON body (the secret route's envelope).
  Result<ApiReply> PostJson(const std::string& path, const Json& body);
  Result<ApiReply> Get(const std::string& path);
  // Streams a GET's body (the ledger download) into `sink`.
  Result<ApiReply> Download(const std::string& path, const std::function<Status(ByteSpan)>& sink);

  // The collaboration id, fetched from the service on first use.
  Result<std::string> CollaborationId();

  // The one-time token of a service initialised without founders (`governance init`): Write
  // then adds its proof ("bootstrapProof") to a first contract proposal.
  void set_bootstrap_token(std::string token) { bootstrap_token_ = std::move(token); }

 private:
  GovernanceClient(crypto::MemberIdentity identity, std::unique_ptr<HttpsConnection> connection)
      : identity_(std::move(identity)), connection_(std::move(connection)) {}
  crypto::MemberIdentity identity_;
  std::unique_ptr<HttpsConnection> connection_;
  std::string collaboration_id_;
  std::string bootstrap_token_;
};

// Parses a reply body into an ApiReply (the error for non-2xx statuses).
ApiReply MakeApiReply(const HttpReply& reply);

}  // namespace cleanroom::govwire

namespace cleanroom::govwire {

// Stores the key (DEK) of a dataset version with the service: a signed dataset.secret request
// that commits to the key by its SHA-256 (the ledger never holds the key), with the key beside it
// in the TLS-protected body. The owner of the dataset only.
Result<ApiReply> StoreDatasetKey(GovernanceClient& client, const std::string& dataset,
                                 int64_t version, const std::string& key_id, ByteSpan key);

// A contract's entry for a member: certificate and encryption key (PEM), display name (the
// certificate's common name unless given) and roles.
Result<Json> ContractMember(const crypto::MemberPublicIdentity& member,
                            const std::vector<std::string>& roles,
                            const std::string& display_name = "");

}  // namespace cleanroom::govwire
