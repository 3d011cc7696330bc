// Finding 4 of issue 14 (point 3 of the session): sealed dataset keys are stored under names the
// service makes from (collaboration, dataset, version), authorised before any file is touched;
// a refused request leaves nothing behind and no error shows a server path.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "crypto/cose.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "governance/tests/collab_fixture.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

class SealedSecrets : public RunningCollaboration {
 protected:
  // The files of the secrets directory and their bytes.
  std::map<std::string, std::string> SecretFiles() {
    std::map<std::string, std::string> out;
    for (const auto& f : std::filesystem::directory_iterator(dir_.path() + "/secrets")) {
      std::ifstream in(f.path(), std::ios::binary);
      out[f.path().filename().string()] =
          std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return out;
  }
  Json SecretPayload(const std::string& dataset, ByteSpan key) {
    return {{"collaboration", collab_},
            {"dataset", dataset},
            {"version", 1},
            {"keyId", dataset + "-key-1"},
            {"keyCommitment", crypto::Sha256Hex(key)}};
  }
  // A dataset.secret request signed by `m` with a nonce of the caller's choice.
  Bytes SignWithNonce(TestMember& m, const Json& payload, const Bytes& nonce) {
    crypto::cose::Sign1Options o;
    o.kid = ToBytes(m.id());
    o.content_type = "application/json";
    o.msg_type = "dataset.secret";
    o.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    o.nonce = nonce;
    auto signed_request =
        crypto::cose::CreateSign1(m.identity.signing_key, AsBytes(payload.dump()), o);
    EXPECT_TRUE(signed_request.ok());
    return *signed_request;
  }
  ApiReply PostSecret(TestMember& m, const std::string& dataset, ByteSpan request, ByteSpan key) {
    auto r = m.client->PostJson("/v1/datasets/" + dataset + "/secret",
                                {{"request", Base64Encode(request)}, {"key", Base64Encode(key)}});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ApiReply{};
  }
};

TEST_F(SealedSecrets, AMemberReusingTheOwnersNonceCannotTouchItsSealedKey) {
  ExpectOk(Write(*a_, "/v1/datasets", "dataset.register",
                 {{"dataset", MakeDataset("crm", {"email", "segment"})}}));
  Bytes key = *crypto::RandomBytes(32);
  Bytes nonce = *crypto::RandomBytes(16);
  ExpectOk(PostSecret(*a_, "crm", SignWithNonce(*a_, SecretPayload("crm", key), nonce), key));
  auto files = SecretFiles();

  // b signs its own request for a's dataset with a's nonce (visible to every member in the
  // ledger), then for a dataset that does not exist, and with a's commitment but another key.
  Bytes attacker_key = *crypto::RandomBytes(32);
  ExpectError(PostSecret(*b_, "crm", SignWithNonce(*b_, SecretPayload("crm", attacker_key), nonce),
                         attacker_key),
              403, "PermissionDenied");
  ExpectError(PostSecret(*b_, "nothing",
                         SignWithNonce(*b_, SecretPayload("nothing", attacker_key),
                                       *crypto::RandomBytes(16)),
                         attacker_key),
              404, "NotFound");
  // The owner itself cannot overwrite the stored key either.
  ExpectError(
      PostSecret(*a_, "crm",
                 SignWithNonce(*a_, SecretPayload("crm", attacker_key), *crypto::RandomBytes(16)),
                 attacker_key),
      409, "AlreadyExists");

  EXPECT_EQ(SecretFiles(), files) << "a refused request changed the sealed files";
  for (const auto& [name, content] : files) {
    EXPECT_EQ(name.find(HexEncode(nonce)), std::string::npos) << "a file named by the request";
  }
  auto unsealed = server_->service()->UnsealDatasetKey("crm", 1);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
  EXPECT_EQ(*unsealed, key);
}

TEST_F(SealedSecrets, ARefusedRequestLeavesNoFileAndNoState) {
  ExpectOk(Write(*a_, "/v1/datasets", "dataset.register",
                 {{"dataset", MakeDataset("crm", {"email", "segment"})}}));
  auto files = SecretFiles();
  Bytes key = *crypto::RandomBytes(32);
  // Not the owner; a wrong key id; a version that does not exist.
  ExpectError(
      PostSecret(*b_, "crm",
                 SignWithNonce(*b_, SecretPayload("crm", key), *crypto::RandomBytes(16)), key),
      403, "PermissionDenied");
  Json wrong_id = SecretPayload("crm", key);
  wrong_id["keyId"] = "other";
  ExpectError(PostSecret(*a_, "crm", SignWithNonce(*a_, wrong_id, *crypto::RandomBytes(16)), key),
              400, "InvalidArgument");
  Json wrong_version = SecretPayload("crm", key);
  wrong_version["version"] = 2;
  ExpectError(
      PostSecret(*a_, "crm", SignWithNonce(*a_, wrong_version, *crypto::RandomBytes(16)), key), 404,
      "NotFound");
  EXPECT_EQ(SecretFiles(), files);
  EXPECT_TRUE(Get(*a_, "/v1/datasets/crm")["versions"][0]["secret"].is_null());
  EXPECT_FALSE(server_->service()->UnsealDatasetKey("crm", 1).ok());
}

TEST_F(SealedSecrets, StorageFailuresShowNoServerPathAndChangeNothing) {
  ExpectOk(Write(*a_, "/v1/datasets", "dataset.register",
                 {{"dataset", MakeDataset("crm", {"email", "segment"})}}));
  // The secrets directory becomes unusable (a file where the directory was).
  std::string secrets = dir_.path() + "/secrets";
  std::filesystem::rename(secrets, dir_.path() + "/secrets.away");
  { std::ofstream(secrets) << "not a directory"; }
  Bytes key = *crypto::RandomBytes(32);
  ApiReply r = PostSecret(
      *a_, "crm", SignWithNonce(*a_, SecretPayload("crm", key), *crypto::RandomBytes(16)), key);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.error->message.find(dir_.path()), std::string::npos) << r.error->message;
  EXPECT_EQ(r.error->message.find("/secrets"), std::string::npos) << r.error->message;
  EXPECT_TRUE(Get(*a_, "/v1/datasets/crm")["versions"][0]["secret"].is_null());

  // Key release when a stored key cannot be read: the refusal names no path either.
  std::string run = RequestRun();
  ApiReply release = Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump());
  ASSERT_TRUE(release.error.has_value());
  EXPECT_EQ(release.error->message.find(dir_.path()), std::string::npos) << release.error->message;
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "requested");

  std::filesystem::remove(secrets);
  std::filesystem::rename(dir_.path() + "/secrets.away", secrets);
  ExpectOk(PostSecret(
      *a_, "crm", SignWithNonce(*a_, SecretPayload("crm", key), *crypto::RandomBytes(16)), key));
  ExpectOk(Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump()));
}

}  // namespace
}  // namespace cleanroom::governance::testing
