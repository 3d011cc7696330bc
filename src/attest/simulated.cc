#include "attest/simulated.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cstring>
#include <filesystem>

#include "attest/amd_signature.h"
#include "attest/snp_report.h"
#include "base/file.h"

namespace cleanroom::attest {
namespace {

constexpr char kCommonName[] = "cleanroom simulated platform (INSECURE)";
constexpr char kChipIdMarker[] = "CLEANROOM SIMULATED PLATFORM - INSECURE, NOT A REAL CHIP";
constexpr long kValiditySeconds = 10L * 366 * 24 * 3600;

Result<Certificate> SelfSign(EVP_PKEY* key) {
  X509Ptr x509(X509_new());
  if (!x509) return Status::Internal("cannot allocate a certificate");
  uint8_t serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) {
    return Status::Internal("no randomness for the certificate serial");
  }
  serial_bytes[0] &= 0x7F;  // A positive INTEGER.
  BignumPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  X509_NAME* name = X509_get_subject_name(x509.get());
  bool ok = serial && X509_set_version(x509.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x509.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(x509.get()), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(x509.get()), kValiditySeconds) != nullptr &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(kCommonName), -1, -1,
                                       0) == 1 &&
            X509_set_issuer_name(x509.get(), name) == 1 && X509_set_pubkey(x509.get(), key) == 1 &&
            X509_sign(x509.get(), key, EVP_sha384()) > 0;
  ERR_clear_error();
  if (!ok) return Status::Internal("cannot build the platform certificate");
  unsigned char* der = nullptr;
  int length = i2d_X509(x509.get(), &der);
  if (length <= 0) return Status::Internal("cannot encode the platform certificate");
  Bytes bytes(der, der + length);
  OPENSSL_free(der);
  return Certificate::FromDer(bytes, "platform certificate");
}

std::string JoinPath(const std::string& dir, std::string_view file) {
  return (std::filesystem::path(dir) / std::string(file)).string();
}

}  // namespace

Result<PlatformKey> PlatformKey::Generate() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  if (!key) {
    ERR_clear_error();
    return Status::Internal("cannot generate an ECDSA P-384 key");
  }
  CR_ASSIGN_OR_RETURN(Certificate cert, SelfSign(key.get()));
  return PlatformKey(std::move(key), std::move(cert));
}

Result<PlatformKey> PlatformKey::Load(const std::string& dir) {
  std::string key_path = JoinPath(dir, kPlatformKeyFile);
  std::string cert_path = JoinPath(dir, kPlatformCertFile);
  CR_ASSIGN_OR_RETURN(std::string key_pem, ReadFileToString(key_path));
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr);
  BIO_free(bio);
  SecureWipe(key_pem.data(), key_pem.size());
  ERR_clear_error();
  if (!key || !IsP384Key(key.get())) {
    return Status::InvalidArgument(key_path + ": not a PEM ECDSA P-384 private key");
  }
  CR_ASSIGN_OR_RETURN(std::string cert_pem, ReadFileToString(cert_path));
  CR_ASSIGN_OR_RETURN(std::vector<Certificate> certs,
                      Certificate::ParseAll(AsBytes(cert_pem), cert_path));
  if (EVP_PKEY_eq(certs[0].PublicKey(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(cert_path + ": the certificate does not hold the platform key");
  }
  return PlatformKey(std::move(key), std::move(certs[0]));
}

Status PlatformKey::Save(const std::string& dir) const {
  std::string key_path = JoinPath(dir, kPlatformKeyFile);
  std::error_code error;
  if (std::filesystem::exists(key_path, error)) {
    return Status::AlreadyExists(key_path + " exists; refusing to overwrite a platform key");
  }
  std::filesystem::create_directories(dir, error);
  if (error) return Status::InvalidArgument(dir + ": cannot create the directory");
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    BIO_free(bio);
    return Status::Internal("cannot encode the platform key");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free_all(bio);  // Frees (without wiping) OpenSSL's copy; ours is wiped below.
  Status written = WriteFileAtomic(key_path, pem, 0600);
  SecureWipe(pem.data(), pem.size());
  CR_RETURN_IF_ERROR(written);

  BIO* cert_bio = BIO_new(BIO_s_mem());
  if (cert_bio == nullptr || PEM_write_bio_X509(cert_bio, certificate_.get()) != 1) {
    BIO_free(cert_bio);
    return Status::Internal("cannot encode the platform certificate");
  }
  length = BIO_get_mem_data(cert_bio, &data);
  std::string cert_pem(data, static_cast<size_t>(length));
  BIO_free(cert_bio);
  return WriteFileAtomic(JoinPath(dir, kPlatformCertFile), cert_pem, 0644);
}

Result<Evidence> SignSimulatedReport(const PlatformKey& platform, SnpReport report) {
  report.signature_algo = kSnpSigAlgoEcdsaP384Sha384;
  report.key_info = 0;
  report.chip_id = {};
  std::memcpy(report.chip_id.data(), kChipIdMarker,
              std::min(sizeof(kChipIdMarker) - 1, report.chip_id.size()));
  Bytes bytes = SerializeSnpReport(report);
  CR_ASSIGN_OR_RETURN(AmdEcdsaSignature signature,
                      SignAmdEcdsa(platform.key(), ByteSpan(bytes).first(kSnpSignedSize)));
  std::memcpy(bytes.data() + kSnpSignatureOffset, signature.r.data(), signature.r.size());
  std::memcpy(bytes.data() + kSnpSignatureOffset + kSnpSignatureComponentSize, signature.s.data(),
              signature.s.size());
  Evidence evidence;
  evidence.kind = EvidenceKind::kSimulated;
  evidence.report = std::move(bytes);
  evidence.certificates.push_back(platform.certificate().Der());
  return evidence;
}

Result<Evidence> ProduceSimulatedEvidence(const PlatformKey& platform, ByteSpan measurement,
                                          ByteSpan report_data) {
  if (measurement.size() != SnpReport().measurement.size()) {
    return Status::InvalidArgument("measurement must be 48 bytes (SHA-384)");
  }
  if (report_data.size() != SnpReport().report_data.size()) {
    return Status::InvalidArgument("report_data must be 64 bytes");
  }
  return SignSimulatedReport(platform, DefaultSimulatedReport(measurement, report_data));
}

SnpReport DefaultSimulatedReport(ByteSpan measurement, ByteSpan report_data) {
  SnpReport report;
  report.version = 3;
  report.policy = kSnpPolicySmt | kSnpPolicyReservedOne;
  report.vmpl = 0;
  std::memcpy(report.measurement.data(), measurement.data(),
              std::min(measurement.size(), report.measurement.size()));
  std::memcpy(report.report_data.data(), report_data.data(),
              std::min(report_data.size(), report.report_data.size()));
  return report;
}

}  // namespace cleanroom::attest
