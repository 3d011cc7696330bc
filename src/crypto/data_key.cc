// The container's data encryption key and its .dek file.
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/file_mode.h"
#include "crypto/container.h"
#include "crypto/random.h"

namespace cleanroom::crypto::container {
namespace {

constexpr std::string_view kKeyIdLabel = "cleanroom.container.key-id.v1";
constexpr std::string_view kDekFormat = "cleanroom-dek";

std::array<uint8_t, kKeyIdSize> DeriveKeyId(ByteSpan key) {
  Bytes mac = Hmac(HashAlgorithm::kSha256, key, AsBytes(kKeyIdLabel));
  std::array<uint8_t, kKeyIdSize> id{};
  std::copy(mac.begin(), mac.begin() + kKeyIdSize, id.begin());
  return id;
}

}  // namespace

Result<DataKey> DataKey::Generate() {
  DataKey key;
  CR_RETURN_IF_ERROR(RandomBytes(key.key_.data(), key.key_.size()));
  key.key_id_ = DeriveKeyId(key.bytes());
  return key;
}

Result<DataKey> DataKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kDataKeySize) {
    return Status::InvalidArgument("data key must be " + std::to_string(kDataKeySize) + " bytes");
  }
  DataKey key;
  std::copy(bytes.begin(), bytes.end(), key.key_.begin());
  key.key_id_ = DeriveKeyId(key.bytes());
  return key;
}

DataKey::DataKey(DataKey&& other) noexcept : key_(other.key_), key_id_(other.key_id_) {
  SecureWipe(other.key_.data(), other.key_.size());
}

DataKey& DataKey::operator=(DataKey&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    key_id_ = other.key_id_;
    SecureWipe(other.key_.data(), other.key_.size());
  }
  return *this;
}

DataKey::~DataKey() { SecureWipe(key_.data(), key_.size()); }

DataKey DataKey::Clone() const {
  DataKey copy;
  copy.key_ = key_;
  copy.key_id_ = key_id_;
  return copy;
}

std::string DataKey::Serialize() const {
  std::string key_b64 = Base64Encode(bytes());
  std::string out = std::string("{\"format\":\"") + std::string(kDekFormat) +
                    "\",\"version\":1,\"alg\":\"A256GCM\",\"key_id\":\"" + HexEncode(key_id_) +
                    "\",\"key\":\"" + key_b64 + "\"}\n";
  SecureWipe(key_b64.data(), key_b64.size());
  return out;
}

Result<DataKey> DataKey::ReadFile(const std::string& path) {
  CR_RETURN_IF_ERROR(CheckOwnerOnly(path));
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  auto key = Parse(text);
  SecureWipe(text.data(), text.size());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Result<DataKey> DataKey::Parse(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    // A copy cut short starts as a key file does and stops before its closing brace.
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return Status::InvalidArgument("key file: empty");
    size_t last = text.find_last_not_of(" \t\r\n");
    if (text[first] == '{' && text[last] != '}') {
      return Status::InvalidArgument("key file: truncated (it ends before its closing brace)");
    }
    return Status::InvalidArgument("key file: not a JSON object");
  }
  auto field = [&](const char* name) -> const std::string* {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return nullptr;
    return it->get_ptr<const std::string*>();
  };
  const std::string* format = field("format");
  if (format == nullptr || *format != kDekFormat) {
    return Status::InvalidArgument("key file: \"format\" is not \"cleanroom-dek\"");
  }
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return Status::InvalidArgument("key file: unsupported \"version\" (want 1)");
  }
  const std::string* key_id_hex = field("key_id");
  std::string* key_b64 =
      j.contains("key") && j["key"].is_string() ? j["key"].get_ptr<std::string*>() : nullptr;
  if (key_id_hex == nullptr || key_b64 == nullptr) {
    return Status::InvalidArgument("key file: \"key_id\" and \"key\" are required strings");
  }
  auto raw = Base64Decode(*key_b64);
  SecureWipe(key_b64->data(), key_b64->size());
  if (!raw.ok() || raw->size() != kDataKeySize) {
    if (raw.ok()) SecureWipe(*raw);
    return Status::InvalidArgument("key file: \"key\" is not 32 bytes of base64");
  }
  auto key = FromBytes(*raw);
  SecureWipe(*raw);
  if (!key.ok()) return key.status();
  if (!ConstantTimeEquals(AsBytes(*key_id_hex), AsBytes(HexEncode(key->key_id())))) {
    return Status::InvalidArgument(
        "key file: \"key_id\" does not match the key (corrupt key file)");
  }
  return key;
}

}  // namespace cleanroom::crypto::container
