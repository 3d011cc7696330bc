#include "governance/documents.h"

#include <algorithm>
#include <set>

#include "crypto/identity.h"
#include "sql/catalog.h"
#include "sql/types.h"

namespace cleanroom::governance {
namespace {

std::string Indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Result<uint8_t> ParseRoles(const std::vector<std::string>& names, const std::string& path) {
  uint8_t roles = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "provider") {
      roles |= kRoleProvider;
    } else if (names[i] == "analyst") {
      roles |= kRoleAnalyst;
    } else if (names[i] == "recipient") {
      roles |= kRoleRecipient;
    } else {
      return Status::InvalidArgument(Indexed(path, i) +
                                     ": unknown role (expected provider, analyst or recipient)");
    }
  }
  return roles;
}

Result<Member> ParseMember(const Json& doc, const std::string& where) {
  JsonReader r(doc, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"certificate", "displayName", "roles", "encryptionPublicKey", "id"}));
  Member m;
  CR_ASSIGN_OR_RETURN(std::string pem, r.String("certificate"));
  auto cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) {
    return Status::InvalidArgument(r.Path("certificate") + ": " + cert.status().message());
  }
  auto key = cert->public_key();
  if (!key.ok())
    return Status::InvalidArgument(r.Path("certificate") + ": " + key.status().message());
  if (key->type() != crypto::KeyType::kEcP384) {
    return Status::InvalidArgument(r.Path("certificate") +
                                   ": the member key must be ECDSA P-384 (requests are ES384)");
  }
  m.id = crypto::MemberIdOf(*cert);
  if (r.Has("id")) {
    CR_ASSIGN_OR_RETURN(std::string claimed, r.String("id"));
    if (claimed != m.id) {
      return Status::InvalidArgument(r.Path("id") +
                                     ": does not match the SHA-256 of the certificate");
    }
  }
  m.certificate_der = cert->der();
  m.signing_key = *key;
  CR_ASSIGN_OR_RETURN(m.display_name, r.OptionalString("displayName", cert->subject_common_name()));
  CR_ASSIGN_OR_RETURN(std::vector<std::string> roles, r.OptionalStringList("roles"));
  CR_ASSIGN_OR_RETURN(m.roles, ParseRoles(roles, r.Path("roles")));
  CR_ASSIGN_OR_RETURN(m.encryption_public_key, r.String("encryptionPublicKey"));
  auto enc = crypto::PublicKey::FromPem(m.encryption_public_key);
  if (!enc.ok() || enc->type() != crypto::KeyType::kX25519) {
    return Status::InvalidArgument(r.Path("encryptionPublicKey") +
                                   ": expected an X25519 public key in PEM");
  }
  return m;
}

Result<std::vector<std::string>> ParseHexList(const JsonReader& r, std::string_view field) {
  CR_ASSIGN_OR_RETURN(std::vector<std::string> items, r.OptionalStringList(field));
  for (size_t i = 0; i < items.size(); ++i) {
    std::string& s = items[i];
    bool ok = !s.empty() && s.size() % 2 == 0;
    for (char& c : s) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    if (!ok) return Status::InvalidArgument(Indexed(r.Path(field), i) + ": expected hex digits");
  }
  return items;
}

bool IsOneOf(const std::string& value, std::initializer_list<const char*> options) {
  for (const char* o : options) {
    if (value == o) return true;
  }
  return false;
}

}  // namespace

std::string RoleName(Role role) {
  switch (role) {
    case kRoleProvider:
      return "provider";
    case kRoleAnalyst:
      return "analyst";
    case kRoleRecipient:
      return "recipient";
  }
  return "unknown";
}

Json Member::Summary() const {
  Json roles_json = Json::array();
  for (Role r : {kRoleProvider, kRoleAnalyst, kRoleRecipient}) {
    if (Has(r)) roles_json.push_back(RoleName(r));
  }
  return Json{{"id", id}, {"displayName", display_name}, {"roles", roles_json}};
}

const Member* Contract::Find(const std::string& member_id) const {
  for (const Member& m : members) {
    if (m.id == member_id) return &m;
  }
  return nullptr;
}

Result<Contract> ParseContract(const Json& document) {
  JsonReader r(document, "contract");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"name", "members", "allowedMeasurements", "evidenceKinds",
                             "simulatedPlatformKeys", "snpPolicy", "privacyDefaults"}));
  Contract c;
  CR_ASSIGN_OR_RETURN(c.name, r.String("name"));
  if (c.name.empty() || c.name.size() > 200) {
    return Status::InvalidArgument("contract.name: must be 1 to 200 characters");
  }
  CR_ASSIGN_OR_RETURN(const Json* members, r.Array("members"));
  if (members->empty()) return Status::InvalidArgument("contract.members: must not be empty");
  std::set<std::string> ids;
  for (size_t i = 0; i < members->size(); ++i) {
    CR_ASSIGN_OR_RETURN(Member m, ParseMember((*members)[i], Indexed("contract.members", i)));
    if (!ids.insert(m.id).second) {
      return Status::InvalidArgument(Indexed("contract.members", i) +
                                     ": the same certificate is listed twice");
    }
    c.members.push_back(std::move(m));
  }
  CR_ASSIGN_OR_RETURN(c.allowed_measurements, ParseHexList(r, "allowedMeasurements"));
  CR_ASSIGN_OR_RETURN(c.evidence_kinds, r.OptionalStringList("evidenceKinds"));
  for (size_t i = 0; i < c.evidence_kinds.size(); ++i) {
    if (!IsOneOf(c.evidence_kinds[i], {"sev-snp", "simulated"})) {
      return Status::InvalidArgument(Indexed("contract.evidenceKinds", i) +
                                     ": unknown evidence kind (expected sev-snp or simulated)");
    }
  }
  CR_ASSIGN_OR_RETURN(c.simulated_platform_keys, ParseHexList(r, "simulatedPlatformKeys"));
  if (document.contains("snpPolicy")) {
    CR_ASSIGN_OR_RETURN(c.snp_policy,
                        attest::SnpPolicy::FromJson(document["snpPolicy"], "contract.snpPolicy"));
  } else if (std::find(c.evidence_kinds.begin(), c.evidence_kinds.end(), "sev-snp") !=
             c.evidence_kinds.end()) {
    // Fail closed: no built-in minimum TCB is safe, so the members must state theirs.
    return Status::InvalidArgument(
        "contract.snpPolicy: required when evidenceKinds allows sev-snp (at least minTcb)");
  }
  CR_ASSIGN_OR_RETURN(c.privacy_defaults, r.OptionalObject("privacyDefaults"));
  // Never accepted and ignored: nothing applies collaboration-wide defaults yet.
  if (!c.privacy_defaults.empty()) {
    return Status::Unimplemented(
        "contract.privacyDefaults: collaboration-wide privacy defaults are not implemented; "
        "state floors in each dataset's policy (leave privacyDefaults empty)");
  }
  return c;
}

bool IsKnownColumnRole(const std::string& role) {
  return IsOneOf(role, {"join", "dimension", "aggregate", "privacy_unit"});
}

bool IsValidDatasetName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Result<DatasetDocument> ParseDatasetDocument(const Json& document) {
  JsonReader r(document, "dataset");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"name", "format", "schema", "allowedFields", "columnRoles", "policy",
                             "location", "contentHash", "keyId"}));
  DatasetDocument d;
  CR_ASSIGN_OR_RETURN(d.name, r.String("name"));
  if (!IsValidDatasetName(d.name)) {
    return Status::InvalidArgument(
        "dataset.name: must be a SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 128)");
  }
  CR_ASSIGN_OR_RETURN(d.format, r.String("format"));
  if (!IsOneOf(d.format, {"csv", "parquet", "ndjson"})) {
    return Status::InvalidArgument("dataset.format: expected csv, parquet or ndjson");
  }
  CR_ASSIGN_OR_RETURN(const Json* schema, r.Array("schema"));
  if (schema->empty()) return Status::InvalidArgument("dataset.schema: must not be empty");
  std::set<std::string> columns;  // lower-case: SQL names are case-insensitive
  for (size_t i = 0; i < schema->size(); ++i) {
    std::string where = Indexed("dataset.schema", i);
    JsonReader f((*schema)[i], where);
    CR_RETURN_IF_ERROR(f.RequireObject());
    CR_RETURN_IF_ERROR(f.RejectUnknownFields({"name", "type"}));
    DatasetDocument::Field field;
    CR_ASSIGN_OR_RETURN(field.name, f.String("name"));
    CR_ASSIGN_OR_RETURN(field.type, f.String("type"));
    if (field.name.empty()) return Status::InvalidArgument(where + ".name: must not be empty");
    auto type = sql::ParseTypeName(field.type);
    if (!type.ok()) {
      return Status::InvalidArgument(where + ".type: " + type.status().message());
    }
    if (!columns.insert(sql::ToLowerAscii(field.name)).second) {
      return Status::InvalidArgument(where + ".name: duplicate column");
    }
    d.schema.push_back(std::move(field));
  }
  CR_ASSIGN_OR_RETURN(d.allowed_fields, r.StringList("allowedFields"));
  std::set<std::string> allowed;
  for (size_t i = 0; i < d.allowed_fields.size(); ++i) {
    std::string lower = sql::ToLowerAscii(d.allowed_fields[i]);
    if (!columns.count(lower)) {
      return Status::InvalidArgument(Indexed("dataset.allowedFields", i) +
                                     ": names a column that is not in the schema");
    }
    allowed.insert(lower);
  }
  CR_ASSIGN_OR_RETURN(Json roles, r.OptionalObject("columnRoles"));
  for (const auto& [column, role] : roles.items()) {
    std::string where = "dataset.columnRoles." + column;
    if (!allowed.count(sql::ToLowerAscii(column))) {
      return Status::InvalidArgument(where + ": names a column that is not in allowedFields");
    }
    if (!role.is_string() || !IsKnownColumnRole(role.get<std::string>())) {
      return Status::InvalidArgument(where +
                                     ": expected join, dimension, aggregate or privacy_unit");
    }
    d.column_roles[column] = role.get<std::string>();
  }
  CR_ASSIGN_OR_RETURN(d.policy, r.OptionalObject("policy"));
  CR_ASSIGN_OR_RETURN(d.location, r.String("location"));
  CR_ASSIGN_OR_RETURN(std::string hash, r.String("contentHash"));
  CR_ASSIGN_OR_RETURN(d.content_hash, NormalizeSha256Hex(hash, "dataset.contentHash"));
  CR_ASSIGN_OR_RETURN(d.key_id, r.String("keyId"));
  return d;
}

Result<QueryDocument> ParseQueryDocument(const Json& document) {
  JsonReader r(document, "query");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields(
      {"name", "steps", "guards", "privacy", "outputFormat", "recipients", "runners"}));
  QueryDocument q;
  CR_ASSIGN_OR_RETURN(q.name, r.String("name"));
  if (q.name.empty()) return Status::InvalidArgument("query.name: must not be empty");
  CR_ASSIGN_OR_RETURN(q.steps, r.StringList("steps"));
  if (q.steps.empty()) return Status::InvalidArgument("query.steps: must hold at least one step");
  for (size_t i = 0; i < q.steps.size(); ++i) {
    if (q.steps[i].find_first_not_of(" \t\r\n") == std::string::npos) {
      return Status::InvalidArgument(Indexed("query.steps", i) + ": empty SQL");
    }
  }
  CR_ASSIGN_OR_RETURN(q.guards, r.OptionalObject("guards"));
  // `guards` and `privacy` are checked, strictly and with the runtime's own parsers, by the
  // privacy check that query.propose runs on the request path and at replay alike
  // (state_queries.cc).
  CR_ASSIGN_OR_RETURN(q.privacy, r.OptionalObject("privacy"));
  CR_ASSIGN_OR_RETURN(q.output_format, r.OptionalString("outputFormat", "csv"));
  if (!IsOneOf(q.output_format, {"csv", "parquet", "ndjson"})) {
    return Status::InvalidArgument("query.outputFormat: expected csv, parquet or ndjson");
  }
  CR_ASSIGN_OR_RETURN(q.recipients, r.StringList("recipients"));
  if (q.recipients.empty()) {
    return Status::InvalidArgument("query.recipients: must name at least one member");
  }
  CR_ASSIGN_OR_RETURN(q.runners, r.OptionalStringList("runners"));
  return q;
}

}  // namespace cleanroom::governance
