#include "runtime/measurement.h"

#include <dlfcn.h>
#include <duckdb.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

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

namespace {

std::string FromEnvironment(const std::string& given, const char* name) {
  if (!given.empty()) return given;
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// SHA-384 over the distribution's launch scripts and class path, in a fixed order.
Result<Bytes> HashSparkDistribution(const std::string& home) {
  std::vector<std::string> files;
  for (const char* folder : {"bin", "jars"}) {
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(home + "/" + folder, ec), end;
    if (ec) return Status::Internal(std::string("runtime measure: Spark has no ") + folder + "/");
    for (; it != end; it.increment(ec)) {
      if (ec) return Status::Internal("runtime measure: cannot list the Spark distribution");
      if (it->is_regular_file()) {
        files.push_back(std::filesystem::relative(it->path(), home).string());
      }
    }
  }
  if (files.empty()) return Status::Internal("runtime measure: the Spark distribution is empty");
  std::sort(files.begin(), files.end());
  Bytes input;
  for (const std::string& file : files) {
    CR_ASSIGN_OR_RETURN(Bytes hash, HashFile(home + "/" + file));
    input.insert(input.end(), file.begin(), file.end());
    input.push_back(0);
    input.insert(input.end(), hash.begin(), hash.end());
  }
  return crypto::Hash(crypto::HashAlgorithm::kSha384, input);
}

}  // namespace

Result<Measurement> MeasureSparkRuntime(const std::string& spark_home, const std::string& jar) {
  CR_ASSIGN_OR_RETURN(Measurement m, MeasureRuntime());
  m.spark_home = FromEnvironment(spark_home, "SPARK_HOME");
  m.spark_jar_path = FromEnvironment(jar, "CLEANROOM_SPARK_JAR");
  if (m.spark_home.empty() || m.spark_jar_path.empty()) {
    return Status::InvalidArgument(
        "runtime measure: the Spark engine needs Spark's installation and the cleanroom-spark "
        "jar (--spark-home, --spark-jar or $SPARK_HOME, $CLEANROOM_SPARK_JAR)");
  }
  CR_ASSIGN_OR_RETURN(Bytes binary, HexDecode(m.binary_sha384));
  CR_ASSIGN_OR_RETURN(Bytes duckdb, HexDecode(m.duckdb_sha384));
  CR_ASSIGN_OR_RETURN(Bytes jar_hash, HashFile(m.spark_jar_path));
  CR_ASSIGN_OR_RETURN(Bytes distribution, HashSparkDistribution(m.spark_home));
  m.spark_jar_sha384 = HexEncode(jar_hash);
  m.spark_sha384 = HexEncode(distribution);
  std::string label = "cleanroom.measurement.spark.v1";
  Bytes input(label.begin(), label.end());
  input.push_back(0);
  for (const Bytes* part : {&binary, &duckdb, &jar_hash, &distribution}) {
    input.insert(input.end(), part->begin(), part->end());
  }
  m.value = HexEncode(crypto::Hash(crypto::HashAlgorithm::kSha384, input));
  return m;
}

}  // namespace cleanroom::runtime
