#include "governance/bootstrap.h"

#include <sys/stat.h>

#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace cleanroom::governance {

Result<std::string> Bootstrap::Write(const std::string& service_dir,
                                     const std::vector<std::string>& founder_ids) {
  std::string path = service_dir + "/" + kFileName;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    return Status::AlreadyExists("the service is already initialised");
  }
  Json doc = Json::object();
  std::string token;
  if (founder_ids.empty()) {
    CR_ASSIGN_OR_RETURN(Bytes raw, crypto::RandomBytes(32));
    token = HexEncode(raw);
    SecureWipe(raw);
    doc["token"] = token;
  } else {
    for (const std::string& id : founder_ids) {
      CR_ASSIGN_OR_RETURN(std::string normal, NormalizeSha256Hex(id, "founder"));
      doc["founders"].push_back(normal);
    }
  }
  std::string text = doc.dump();
  Status written = WriteFileAtomic(path, text, 0600);
  SecureWipe(text.data(), text.size());
  CR_RETURN_IF_ERROR(written);
  return token;
}

Result<Bootstrap> Bootstrap::Read(const std::string& service_dir) {
  std::string path = service_dir + "/" + kFileName;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("the service is not initialised: run `cleanroom governance init`");
  }
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  auto doc = ParseJson(text, "bootstrap.json");
  SecureWipe(text.data(), text.size());
  if (!doc.ok() || !doc->is_object()) return Status::DataLoss("bootstrap.json: not a JSON object");
  JsonReader r(*doc, "bootstrap.json");
  Bootstrap b;
  CR_ASSIGN_OR_RETURN(b.token_, r.OptionalString("token", ""));
  CR_ASSIGN_OR_RETURN(std::vector<std::string> founders, r.OptionalStringList("founders"));
  b.founders_.insert(founders.begin(), founders.end());
  if (b.token_.empty() == b.founders_.empty()) {
    return Status::DataLoss("bootstrap.json: expected either a token or founders");
  }
  return b;
}

bool Bootstrap::Allows(const std::string& proposer, const Json& payload,
                       bool no_contract_yet) const {
  if (!founders_.empty()) return founders_.count(proposer) > 0;
  if (!no_contract_yet || !payload.is_object() || !payload.contains("bootstrapProof") ||
      !payload["bootstrapProof"].is_string()) {
    return false;
  }
  std::string expected = BootstrapProof(token_, proposer);
  return ConstantTimeEquals(AsBytes(expected),
                            AsBytes(payload["bootstrapProof"].get<std::string>()));
}

}  // namespace cleanroom::governance
