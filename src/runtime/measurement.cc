#include "runtime/measurement.h"

#include <dlfcn.h>
#include <duckdb.h>

#include <filesystem>

#include "base/bytes.h"
#include "base/file.h"
#include "crypto/hash.h"

namespace cleanroom::runtime {
namespace {

Result<Bytes> HashFile(const std::string& path) {
  auto contents = ReadFileToString(path);
  if (!contents.ok()) return Status::Internal("runtime measure: cannot read " + path);
  return crypto::Hash(crypto::HashAlgorithm::kSha384, AsBytes(*contents));
}

}  // namespace

Result<Measurement> MeasureRuntime() {
  Measurement m;
  std::error_code ec;
  m.binary_path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return Status::Internal("runtime measure: cannot resolve /proc/self/exe");
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&duckdb_open), &info) == 0 || info.dli_fname == nullptr) {
    return Status::Internal("runtime measure: cannot find the loaded libduckdb");
  }
  m.duckdb_path = std::filesystem::canonical(info.dli_fname, ec).string();
  if (ec) m.duckdb_path = info.dli_fname;
  CR_ASSIGN_OR_RETURN(Bytes binary, HashFile(m.binary_path));
  CR_ASSIGN_OR_RETURN(Bytes duckdb, HashFile(m.duckdb_path));
  m.binary_sha384 = HexEncode(binary);
  m.duckdb_sha384 = HexEncode(duckdb);
  std::string label = "cleanroom.measurement.v1";
  Bytes input(label.begin(), label.end());
  input.push_back(0);
  input.insert(input.end(), binary.begin(), binary.end());
  input.insert(input.end(), duckdb.begin(), duckdb.end());
  m.value = HexEncode(crypto::Hash(crypto::HashAlgorithm::kSha384, input));
  return m;
}

}  // namespace cleanroom::runtime
