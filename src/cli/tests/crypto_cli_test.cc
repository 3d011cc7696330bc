// `cleanroom keygen`, `cleanroom encrypt` and `cleanroom decrypt` through the real binary: files
// and modes, the member id (checked with the openssl command line), passphrase protection,
// round trips, and failures (wrong key, tampering, truncation) that leave no output and name the
// chunk without revealing key material.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>

#include "base/bytes.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/identity.h"
#include "crypto/sha256_tree.h"

namespace cleanroom {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  std::string All() const { return out + err; }
};

class CryptoCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/crypto_cli_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `command` through the shell with stdout and stderr captured apart.
  Outcome Shell(const std::string& command) {
    std::string out = dir_ + "/.stdout", err = dir_ + "/.stderr";
    int status = std::system((command + " >" + out + " 2>" + err).c_str());
    Outcome run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFileToString(out).value_or("");
    run.err = ReadFileToString(err).value_or("");
    fs::remove(out);
    fs::remove(err);
    return run;
  }
  Outcome Cleanroom(const std::string& args) {
    return Shell(std::string(CLEANROOM_BINARY) + " " + args);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes `size` pseudo-random bytes to `name` and returns them.
  Bytes WriteRandomFile(const std::string& name, size_t size, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    Bytes data(size);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    EXPECT_TRUE(WriteFileAtomic(Path(name), AsStringView(data)).ok());
    return data;
  }

  // The files in the test directory (to see that a failure left nothing behind, not even a
  // temporary file).
  std::set<std::string> Listing() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  static unsigned Mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
  }

  std::string dir_;
};

// The forms a .dek file's key could leak in: its base64 (as in the file) and hex, both cases.
std::vector<std::string> KeyForms(const std::string& dek_path) {
  auto text = ReadFileToString(dek_path);
  EXPECT_TRUE(text.ok());
  auto j = nlohmann::json::parse(text.value_or("{}"));
  std::string b64 = j.value("key", "");
  EXPECT_EQ(b64.size(), 44u);
  auto raw = Base64Decode(b64);
  EXPECT_TRUE(raw.ok());
  std::string hex = HexEncode(raw.value_or(Bytes{}));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {b64, hex, upper};
}

void ExpectNoKeyMaterial(const Outcome& run, const std::string& dek_path) {
  for (const std::string& form : KeyForms(dek_path)) {
    EXPECT_EQ(run.All().find(form), std::string::npos)
        << "key material in the output: " << run.All();
  }
}

TEST_F(CryptoCliTest, KeygenWritesAnIdentityWithPrivateModesAndPrintsTheMemberId) {
  Outcome run = Cleanroom("keygen --name alice --out " + Path("alice"));
  ASSERT_EQ(run.exit_code, 0) << run.All();
  for (const char* f : {"key.pem", "cert.pem", "enc_key.pem", "enc_pub.pem"}) {
    EXPECT_TRUE(fs::exists(Path("alice/") + f)) << f;
  }
  EXPECT_EQ(Mode(Path("alice/key.pem")), 0600u);
  EXPECT_EQ(Mode(Path("alice/enc_key.pem")), 0600u);
  EXPECT_EQ(Mode(Path("alice")) & 077, 0u) << "the identity directory is open to others";

  // The member id is SHA-256 of the certificate's DER, computed here by the openssl CLI.
  Outcome der_hash = Shell("openssl x509 -in " + Path("alice/cert.pem") +
                           " -outform DER | openssl dgst -sha256 -r");
  ASSERT_EQ(der_hash.exit_code, 0) << der_hash.All();
  std::string member_id = der_hash.out.substr(0, 64);
  EXPECT_NE(run.out.find("member " + member_id + "\n"), std::string::npos) << run.out;
  Outcome subject = Shell("openssl x509 -in " + Path("alice/cert.pem") + " -noout -subject");
  EXPECT_NE(subject.out.find("CN = alice"), std::string::npos) << subject.out;
  Outcome key = Shell("openssl pkey -in " + Path("alice/key.pem") + " -noout -text");
  EXPECT_EQ(key.exit_code, 0) << key.All();
  EXPECT_NE(key.out.find("P-384"), std::string::npos) << "default signing key is ECDSA P-384";

  // An identity is never overwritten.
  Outcome again = Cleanroom("keygen --name alice --out " + Path("alice"));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("key.pem"), std::string::npos) << again.err;
  EXPECT_EQ(crypto::LoadIdentity(Path("alice")).value().member_id(), member_id);
}

TEST_F(CryptoCliTest, PassphraseProtectedKeyLoadsOnlyWithThePassphrase) {
  const std::string passphrase = "correct horse battery staple";
  ASSERT_TRUE(WriteFileAtomic(Path("pass.txt"), passphrase + "\n", 0600).ok());
  Outcome run = Cleanroom("keygen --name bob --out " + Path("bob") + " --passphrase-file " +
                          Path("pass.txt"));
  ASSERT_EQ(run.exit_code, 0) << run.All();
  EXPECT_NE(run.out.find("passphrase-protected"), std::string::npos) << run.out;
  EXPECT_EQ(run.All().find(passphrase), std::string::npos) << "the passphrase was printed";
  for (const char* f : {"key.pem", "enc_key.pem"}) {
    std::string pem = ReadFileToString(Path("bob/") + f).value_or("");
    EXPECT_EQ(pem.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u) << f;
    EXPECT_EQ(Mode(Path("bob/") + f), 0600u) << f;
  }

  // The openssl CLI: the file's passphrase (its trailing newline is not part of it) opens the
  // key; another passphrase does not.
  ASSERT_TRUE(WriteFileAtomic(Path("pass-exact.txt"), passphrase).ok());
  EXPECT_EQ(Shell("openssl pkey -noout -in " + Path("bob/key.pem") +
                  " -passin file:" + Path("pass-exact.txt"))
                .exit_code,
            0);
  EXPECT_NE(
      Shell("openssl pkey -noout -in " + Path("bob/key.pem") + " -passin pass:wrong").exit_code, 0);
  // Our loader: with the passphrase, the same member id as printed; without or with a wrong
  // one, refused.
  auto loaded = crypto::LoadIdentity(Path("bob"), passphrase);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_NE(run.out.find("member " + loaded->member_id() + "\n"), std::string::npos);
  EXPECT_FALSE(crypto::LoadIdentity(Path("bob")).ok());
  auto wrong = crypto::LoadIdentity(Path("bob"), "correct horse battery stapl");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message().find("stapl"), std::string::npos);

  // An empty passphrase file is refused, and nothing is written.
  ASSERT_TRUE(WriteFileAtomic(Path("empty.txt"), "\n", 0600).ok());
  Outcome empty = Cleanroom("keygen --name carol --out " + Path("carol") + " --passphrase-file " +
                            Path("empty.txt"));
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;
  EXPECT_FALSE(fs::exists(Path("carol/key.pem")));
}

TEST_F(CryptoCliTest, EncryptDecryptRoundTrip) {
  // 200 KiB in 16 KiB chunks: 13 chunks, the last one partial.
  Bytes plaintext = WriteRandomFile("data.csv", 200 << 10);
  Outcome enc =
      Cleanroom("encrypt --in " + Path("data.csv") + " --out " + Path("data.enc") + " --key-out " +
                Path("data.dek") + " --dataset-id 'sales \"2026\"' --chunk-size 16384");
  ASSERT_EQ(enc.exit_code, 0) << enc.All();
  EXPECT_EQ(Mode(Path("data.dek")), 0600u);
  auto summary = nlohmann::json::parse(enc.out);
  const std::string sha = crypto::Sha256TreeHex(plaintext);
  EXPECT_EQ(summary["content_hash"], sha);
  EXPECT_EQ(summary["content_hash_kind"], "sha256-tree-v1");
  EXPECT_EQ(summary["dataset_id"], "sales \"2026\"");
  EXPECT_EQ(summary["plaintext_size"], plaintext.size());
  EXPECT_EQ(summary["chunks"], 13);
  EXPECT_EQ(summary["container_size"], fs::file_size(Path("data.enc")));
  ExpectNoKeyMaterial(enc, Path("data.dek"));
  // The container holds no run of the plaintext.
  std::string container = ReadFileToString(Path("data.enc")).value_or("");
  EXPECT_EQ(container.find(std::string(plaintext.begin() + 5000, plaintext.begin() + 5032)),
            std::string::npos);

  Outcome dec = Cleanroom("decrypt --in " + Path("data.enc") + " --key " + Path("data.dek") +
                          " --out " + Path("data.out"));
  ASSERT_EQ(dec.exit_code, 0) << dec.All();
  EXPECT_EQ(ReadFileToString(Path("data.out")).value_or(""),
            std::string(plaintext.begin(), plaintext.end()));
  EXPECT_EQ(Mode(Path("data.out")), 0600u);
  auto back = nlohmann::json::parse(dec.out);
  EXPECT_EQ(back["content_hash"], sha);
  EXPECT_EQ(back["dataset_id"], "sales \"2026\"");
  ExpectNoKeyMaterial(dec, Path("data.dek"));

  // An empty file round-trips too.
  WriteRandomFile("empty.csv", 0);
  ASSERT_EQ(Cleanroom("encrypt --in " + Path("empty.csv") + " --out " + Path("empty.enc") +
                      " --key-out " + Path("empty.dek"))
                .exit_code,
            0);
  ASSERT_EQ(Cleanroom("decrypt --in " + Path("empty.enc") + " --key " + Path("empty.dek") +
                      " --out " + Path("empty.out"))
                .exit_code,
            0);
  EXPECT_EQ(fs::file_size(Path("empty.out")), 0u);

  // A key file is never overwritten.
  Outcome twice = Cleanroom("encrypt --in " + Path("data.csv") + " --out " + Path("again.enc") +
                            " --key-out " + Path("data.dek"));
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_NE(twice.err.find("data.dek"), std::string::npos) << twice.err;
  EXPECT_FALSE(fs::exists(Path("again.enc")));
}

class CryptoCliFailureTest : public CryptoCliTest {
 protected:
  void SetUp() override {
    CryptoCliTest::SetUp();
    // 20 chunks of 1 KiB; dataset id "ds" makes the header 72 bytes.
    WriteRandomFile("data.csv", 20 << 10);
    Outcome enc =
        Cleanroom("encrypt --in " + Path("data.csv") + " --out " + Path("data.enc") +
                  " --key-out " + Path("data.dek") + " --dataset-id ds --chunk-size 1024");
    ASSERT_EQ(enc.exit_code, 0) << enc.All();
    ASSERT_EQ(fs::file_size(Path("data.enc")), 72u + 20 * (1024 + 16));
  }

  // Decrypts data.enc with `dek` and checks the failure: non-zero exit, no output and no
  // temporary file left, a message naming `where`, and no key material from either key file.
  void ExpectFailure(const std::string& dek, const std::string& where) {
    std::set<std::string> before = Listing();
    Outcome run = Cleanroom("decrypt --in " + Path("data.enc") + " --key " + Path(dek) + " --out " +
                            Path("data.out"));
    EXPECT_NE(run.exit_code, 0) << run.All();
    EXPECT_FALSE(fs::exists(Path("data.out")));
    EXPECT_EQ(Listing(), before) << "a failed decrypt left a file behind";
    EXPECT_NE(run.err.find(where), std::string::npos) << run.err << " should name " << where;
    ExpectNoKeyMaterial(run, Path("data.dek"));
    ExpectNoKeyMaterial(run, Path(dek));
  }

  // Overwrites one byte of data.enc at `offset` with its complement.
  void FlipByte(uint64_t offset) {
    std::fstream f(Path("data.enc"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(~c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }
};

TEST_F(CryptoCliFailureTest, WrongKeyLeavesNoOutputAndSaysSo) {
  WriteRandomFile("other.csv", 100, 2);
  ASSERT_EQ(Cleanroom("encrypt --in " + Path("other.csv") + " --out " + Path("other.enc") +
                      " --key-out " + Path("other.dek"))
                .exit_code,
            0);
  // Named before any chunk is tried: the key file's id is not the container's.
  ExpectFailure("other.dek", "other.dek is not the key of " + Path("data.enc"));
  ExpectFailure("other.dek", "needs key id ");
}

TEST_F(CryptoCliFailureTest, TamperedChunkLeavesNoOutputAndNamesTheChunk) {
  // A byte inside chunk 7: the seven chunks before it decrypt and are written to the temporary
  // file before the failure, which must then be removed.
  FlipByte(72 + 7 * 1040 + 500);
  ExpectFailure("data.dek", "chunk 7 of 20");
}

TEST_F(CryptoCliFailureTest, TamperedTagOfTheLastChunkIsDetected) {
  FlipByte(72 + 20 * 1040 - 1);
  ExpectFailure("data.dek", "chunk 19 of 20");
}

TEST_F(CryptoCliFailureTest, TruncationAtAChunkBoundaryNamesTheNewLastChunk) {
  fs::resize_file(Path("data.enc"), 72 + 10 * 1040);
  ExpectFailure("data.dek", "chunk 9 of 10");
}

TEST_F(CryptoCliFailureTest, TamperedHeaderIsRefused) {
  FlipByte(40);  // Inside the dataset id.
  ExpectFailure("data.dek", "header");
}

TEST_F(CryptoCliFailureTest, CorruptKeyFileIsRefusedWithoutQuotingIt) {
  std::string text = ReadFileToString(Path("data.dek")).value();
  size_t at = text.find("\"key_id\":\"") + 10;
  text[at] = text[at] == '0' ? '1' : '0';  // The key id no longer matches the key.
  ASSERT_TRUE(WriteFileAtomic(Path("bad.dek"), text, 0600).ok());
  ExpectFailure("bad.dek", "key_id");
}

TEST_F(CryptoCliTest, ProgressFlagPrintsAProgressLine) {
  WriteRandomFile("big.bin", 3 << 20);
  Outcome enc = Cleanroom("encrypt --progress --in " + Path("big.bin") + " --out " +
                          Path("big.enc") + " --key-out " + Path("big.dek"));
  ASSERT_EQ(enc.exit_code, 0) << enc.All();
  EXPECT_NE(enc.err.find("encrypt: 3 / 3 MiB (100%)"), std::string::npos) << enc.err;
  EXPECT_EQ(enc.out.find("encrypt:"), std::string::npos) << "progress belongs on stderr";
  Outcome dec = Cleanroom("decrypt --progress --in " + Path("big.enc") + " --key " +
                          Path("big.dek") + " --out " + Path("big.out"));
  ASSERT_EQ(dec.exit_code, 0) << dec.All();
  EXPECT_NE(dec.err.find("decrypt: 3 / 3 MiB (100%)"), std::string::npos) << dec.err;
  // Without the flag (and stderr not a terminal) there is no progress line.
  Outcome quiet = Cleanroom("decrypt --in " + Path("big.enc") + " --key " + Path("big.dek") +
                            " --out " + Path("quiet.out"));
  ASSERT_EQ(quiet.exit_code, 0) << quiet.All();
  EXPECT_EQ(quiet.err, "");
}

}  // namespace
}  // namespace cleanroom
