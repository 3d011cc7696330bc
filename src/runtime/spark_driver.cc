#include "runtime/spark_driver.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cleanroom::runtime {
namespace {

constexpr uint32_t kMaxResponse = 1u << 30;

Status WriteAll(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Internal("Spark engine: the driver stopped reading requests");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

Status ReadAll(int fd, uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Internal(
          "Spark engine: the driver exited (set CLEANROOM_SPARK_LOG=FILE to see why)");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Reads big-endian fields of a response payload, bounds-checked.
class PayloadReader {
 public:
  explicit PayloadReader(const Bytes& data) : data_(data) {}
  Result<int64_t> Int(size_t width) {
    if (data_.size() - pos_ < width) return Truncated();
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v = (v << 8) | data_[pos_++];
    if (width == 4) return static_cast<int32_t>(v);
    if (width == 1) return static_cast<int64_t>(v);
    return static_cast<int64_t>(v);
  }
  Result<std::string> Text(size_t size) {
    if (data_.size() - pos_ < size) return Truncated();
    std::string out(reinterpret_cast<const char*>(data_.data() + pos_), size);
    pos_ += size;
    return out;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  static Status Truncated() { return Status::Internal("Spark engine: a truncated response"); }
  const Bytes& data_;
  size_t pos_ = 0;
};

std::string FromEnv(const std::string& given, const char* name) {
  if (!given.empty()) return given;
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

Result<std::unique_ptr<SparkDriver>> SparkDriver::Start(const SparkDriverOptions& options) {
  std::string home = FromEnv(options.spark_home, "SPARK_HOME");
  std::string jar = FromEnv(options.jar, "CLEANROOM_SPARK_JAR");
  if (home.empty()) {
    return Status::InvalidArgument(
        "Spark engine: no Spark installation (give --spark-home or set SPARK_HOME; "
        "scripts/install-spark.sh installs one)");
  }
  if (jar.empty()) {
    return Status::InvalidArgument(
        "Spark engine: no cleanroom-spark jar (give --spark-jar or set CLEANROOM_SPARK_JAR; "
        "spark/build.sh builds it)");
  }
  if (options.master.empty()) return Status::InvalidArgument("Spark engine: no master given");
  std::string submit = home + "/bin/spark-submit";
  if (::access(submit.c_str(), X_OK) != 0) {
    return Status::NotFound("Spark engine: no bin/spark-submit in the Spark installation");
  }
  if (::access(jar.c_str(), R_OK) != 0) {
    return Status::NotFound("Spark engine: the cleanroom-spark jar cannot be read");
  }
  std::vector<std::string> args = {submit,
                                   "--master",
                                   options.master,
                                   "--class",
                                   "org.cleanroom.spark.SqlDriver",
                                   "--conf",
                                   "spark.driver.host=127.0.0.1",
                                   "--conf",
                                   "spark.driver.bindAddress=127.0.0.1",
                                   "--conf",
                                   "spark.driver.extraClassPath=" + jar,
                                   "--conf",
                                   "spark.executor.extraClassPath=" + jar,
                                   "--conf",
                                   "spark.executor.memory=" + options.executor_memory};
  if (options.attested_executors && !options.master.starts_with("local")) {
    // Shuffle and spill files on the workers' disks are encrypted too (Spark's own I/O
    // encryption, a per-application key).
    for (const char* conf : {"spark.plugins=org.cleanroom.spark.AttestationPlugin",
                             "spark.cleanroom.attested=true", "spark.io.encryption.enabled=true"}) {
      args.emplace_back("--conf");
      args.emplace_back(conf);
    }
  }
  args.push_back(jar);
  std::string log = FromEnv("", "CLEANROOM_SPARK_LOG");
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Status::Internal("Spark engine: pipe failed");
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return Status::Internal("Spark engine: pipe failed");
  }
  // A driver that dies while we write must be an error, not a signal that ends this process.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);  // and the terminating nullptr
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("Spark engine: cannot start the driver");
  if (pid == 0) {
    // The child: stdin and stdout are the pipes; stderr the log or /dev/null.
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    int err = ::open(log.empty() ? "/dev/null" : log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (err >= 0) ::dup2(err, 2);
    ::setenv("SPARK_HOME", home.c_str(), 1);
    ::setenv("SPARK_LOCAL_IP", "127.0.0.1", 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  return std::unique_ptr<SparkDriver>(new SparkDriver(pid, in_pipe[1], out_pipe[0]));
}

SparkDriver::~SparkDriver() {
  (void)Call("CLOSE");
  ::close(to_driver_);
  ::close(from_driver_);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

Result<Bytes> SparkDriver::Call(std::string_view request) {
  uint32_t size = static_cast<uint32_t>(request.size());
  uint8_t header[4] = {static_cast<uint8_t>(size >> 24), static_cast<uint8_t>(size >> 16),
                       static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
  CR_RETURN_IF_ERROR(WriteAll(to_driver_, header, 4));
  CR_RETURN_IF_ERROR(
      WriteAll(to_driver_, reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  uint8_t head[5];
  CR_RETURN_IF_ERROR(ReadAll(from_driver_, head, 5));
  uint32_t length = BigEndian32(head + 1);
  if (length > kMaxResponse) return Status::Internal("Spark engine: a response too large");
  Bytes payload(length);
  CR_RETURN_IF_ERROR(ReadAll(from_driver_, payload.data(), length));
  if (head[0] == 'E') {
    return Status::Internal(std::string(reinterpret_cast<const char*>(payload.data()), length));
  }
  if (head[0] != 'O') return Status::Internal("Spark engine: a malformed response");
  return payload;
}

Status SparkDriver::AddTable(const std::string& name, const std::string& format,
                             const std::string& path, ByteSpan key, const std::string& schema) {
  for (const std::string* field : {&name, &format, &path}) {
    if (field->find('\n') != std::string::npos) {
      return Status::InvalidArgument("Spark engine: a table name, format or path with a newline");
    }
  }
  static const char kHex[] = "0123456789abcdef";
  std::string request = "TABLE\n" + name + "\n" + format + "\n" + path + "\n";
  for (uint8_t b : key) {
    request += kHex[b >> 4];
    request += kHex[b & 15];
  }
  request += "\n" + schema;
  Result<Bytes> response = Call(request);
  // The request held the key.
  std::memset(request.data(), 0, request.size());
  return response.status();
}

Status SparkDriver::Execute(const std::string& sql) { return Call("EXECUTE\n" + sql).status(); }

Result<std::vector<SparkExecutorReport>> SparkDriver::ExecutorReports(int count, Bytes* challenge) {
  CR_ASSIGN_OR_RETURN(Bytes payload, Call("EXECUTORS\n" + std::to_string(count)));
  PayloadReader reader(payload);
  auto field = [&reader]() -> Result<std::string> {
    CR_ASSIGN_OR_RETURN(int64_t size, reader.Int(4));
    if (size < 0) return Status::Internal("Spark engine: a malformed executor report");
    return reader.Text(static_cast<size_t>(size));
  };
  CR_ASSIGN_OR_RETURN(std::string nonce, field());
  challenge->assign(nonce.begin(), nonce.end());
  CR_ASSIGN_OR_RETURN(int64_t reports, reader.Int(4));
  std::vector<SparkExecutorReport> out;
  for (int64_t i = 0; i < reports; ++i) {
    SparkExecutorReport report;
    CR_ASSIGN_OR_RETURN(report.executor, field());
    CR_ASSIGN_OR_RETURN(std::string key, field());
    report.public_key.assign(key.begin(), key.end());
    CR_ASSIGN_OR_RETURN(report.evidence, field());
    out.push_back(std::move(report));
  }
  if (!reader.done()) return Status::Internal("Spark engine: a malformed executor report");
  return out;
}

Status SparkDriver::SealedKey(const std::string& executor, const std::string& key_id_hex,
                              ByteSpan enc, ByteSpan ciphertext) {
  if (executor.find('\n') != std::string::npos) {
    return Status::InvalidArgument("Spark engine: an executor id with a newline");
  }
  return Call("SEAL\n" + executor + "\n" + key_id_hex + "\n" + HexEncode(enc) + "\n" +
              HexEncode(ciphertext))
      .status();
}

Status SparkDriver::Reset() { return Call("RESET").status(); }

Result<std::vector<int64_t>> SparkDriver::QueryCounts(const std::string& sql) {
  CR_ASSIGN_OR_RETURN(Bytes payload, Call("COUNTS\n" + sql));
  if (payload.size() % 8 != 0) return Status::Internal("Spark engine: a malformed count row");
  PayloadReader reader(payload);
  std::vector<int64_t> counts;
  while (!reader.done()) {
    CR_ASSIGN_OR_RETURN(int64_t v, reader.Int(8));
    counts.push_back(v);
  }
  return counts;
}

Result<std::vector<SparkRow>> SparkDriver::QueryRows(const std::string& sql, size_t* columns) {
  CR_ASSIGN_OR_RETURN(Bytes payload, Call("ROWS\n" + sql));
  PayloadReader reader(payload);
  CR_ASSIGN_OR_RETURN(int64_t count, reader.Int(4));
  if (count < 0) return Status::Internal("Spark engine: a malformed row set");
  *columns = static_cast<size_t>(count);
  std::vector<SparkRow> rows;
  while (true) {
    CR_ASSIGN_OR_RETURN(int64_t marker, reader.Int(1));
    if (marker == 0) break;
    SparkRow row;
    for (int64_t c = 0; c < count; ++c) {
      CR_ASSIGN_OR_RETURN(int64_t size, reader.Int(4));
      if (size < 0) {
        row.emplace_back(std::nullopt);
      } else {
        CR_ASSIGN_OR_RETURN(std::string cell, reader.Text(static_cast<size_t>(size)));
        row.emplace_back(std::move(cell));
      }
    }
    rows.push_back(std::move(row));
  }
  if (!reader.done()) return Status::Internal("Spark engine: a malformed row set");
  return rows;
}

}  // namespace cleanroom::runtime
