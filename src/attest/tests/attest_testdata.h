#pragma once

// Access to the shared attestation evidence (../shared/testdata/attestation) for attest tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "attest/certificate.h"
#include "attest/rfc3339.h"
#include "base/bytes.h"
#include "base/file.h"

namespace cleanroom::attest::testing {

inline std::string AttestationDir() {
  const char* env = std::getenv("CLEANROOM_TESTDATA");
  return std::string(env != nullptr ? env : CLEANROOM_TESTDATA_DIR) + "/attestation/";
}

// The bytes of a file under testdata/attestation; fails the test when it cannot be read.
inline Bytes ReadTestFile(const std::string& relative) {
  auto text = ReadFileToString(AttestationDir() + relative);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? ToBytes(*text) : Bytes{};
}

inline std::vector<Certificate> ReadCerts(const std::string& relative) {
  auto certs = Certificate::ParseAll(ReadTestFile(relative), relative);
  EXPECT_TRUE(certs.ok()) << certs.status().ToString();
  return certs.ok() ? *certs : std::vector<Certificate>{};
}

inline std::time_t At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : 0;
}

}  // namespace cleanroom::attest::testing
