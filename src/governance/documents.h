#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attest/snp_policy.h"
#include "base/status.h"
#include "crypto/signature.h"
#include "crypto/x509.h"
#include "governance/wire.h"

namespace cleanroom::governance {

// What a member may do in a collaboration. A member may hold any set of roles (even none: it
// then only votes on contracts and stops or resumes the collaboration).
enum Role : uint8_t {
  kRoleProvider = 1,   // registers datasets, approves queries that read them
  kRoleAnalyst = 2,    // proposes queries
  kRoleRecipient = 4,  // receives query results
};
std::string RoleName(Role role);

// A member as the contract lists it, with the parsed keys.
struct Member {
  std::string id;  // hex SHA-256 of the certificate DER (crypto::MemberIdOf)
  std::string display_name;
  uint8_t roles = 0;
  Bytes certificate_der;
  std::optional<crypto::PublicKey> signing_key;  // P-384, from the certificate; always set
  std::string encryption_public_key;             // X25519 SubjectPublicKeyInfo, PEM

  bool Has(Role role) const { return (roles & role) != 0; }
  // {"id", "displayName", "roles"}: what readers see (the certificate is in the contract).
  Json Summary() const;
};

// A collaboration contract (docs/api.md, "Contract"), parsed and checked.
struct Contract {
  std::string name;
  std::vector<Member> members;
  std::vector<std::string> allowed_measurements;  // lower-case hex
  std::vector<std::string> evidence_kinds;        // "sev-snp", "simulated"
  // Hex SHA-256 of the SubjectPublicKeyInfo of each platform key trusted for simulated
  // (INSECURE) evidence; `cleanroom runtime init-platform` prints it.
  std::vector<std::string> simulated_platform_keys;
  // What key release requires of a report's platform and guest policy (contract "snpPolicy";
  // required when evidence_kinds allows sev-snp, attest::SnpPolicy::ContractDefaults() else).
  attest::SnpPolicy snp_policy = attest::SnpPolicy::ContractDefaults();
  Json privacy_defaults = Json::object();

  // nullptr when `member_id` is not a member.
  const Member* Find(const std::string& member_id) const;
};

// Parses and checks a contract document: every member certificate parses and carries a P-384
// key, member ids are unique, roles and evidence kinds are known. InvalidArgument naming the
// field ("contract.members[2].roles[0]") otherwise.
Result<Contract> ParseContract(const Json& document);

// The column roles of a dataset (privacy issue): join, dimension, aggregate, privacy_unit.
bool IsKnownColumnRole(const std::string& role);

// A dataset document as its owner registers it (docs/api.md, "Dataset"), checked.
struct DatasetDocument {
  std::string name;
  std::string format;  // csv, parquet, ndjson
  struct Field {
    std::string name;
    std::string type;  // Spark type name, as sql::ParseTypeName accepts it
  };
  std::vector<Field> schema;
  std::vector<std::string> allowed_fields;
  std::map<std::string, std::string> column_roles;
  Json policy = Json::object();
  std::string location;
  std::string content_hash;  // lower-case hex SHA-256 of the ciphertext
  std::string key_id;
};

// InvalidArgument naming the field when the document is malformed: unknown format, a schema type
// that does not parse, an allowed field or column role naming a column not in the schema.
Result<DatasetDocument> ParseDatasetDocument(const Json& document);

// True for names usable as SQL table names and file names: [A-Za-z_][A-Za-z0-9_]{0,127}.
bool IsValidDatasetName(const std::string& name);

// A query document as an analyst proposes it (docs/api.md, "Query").
struct QueryDocument {
  std::string name;
  std::vector<std::string> steps;  // SQL; earlier steps define temp views
  Json guards = Json::object();
  Json privacy = Json::object();
  std::string output_format;            // csv, parquet, ndjson
  std::vector<std::string> recipients;  // member ids
  std::vector<std::string> runners;     // member ids allowed to request runs
};

// InvalidArgument naming the field when the document is malformed. Member ids are checked
// against the contract by the state machine, not here.
Result<QueryDocument> ParseQueryDocument(const Json& document);

}  // namespace cleanroom::governance
