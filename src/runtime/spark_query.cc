#include "runtime/spark_query.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "base/file.h"
#include "crypto/container.h"
#include "engine/parquet_output.h"
#include "privacy/query_check.h"
#include "sql/emitter/spark_emitter.h"

namespace cleanroom::runtime {
namespace {

// Runs the checker's statements on the driver.
class SparkProgramRunner : public privacy::ProgramRunner {
 public:
  explicit SparkProgramRunner(SparkDriver& driver) : driver_(driver) {}
  Status Execute(const std::string& sql) override { return driver_.Execute(sql); }
  Result<std::vector<int64_t>> QueryCounts(const std::string& sql) override {
    return driver_.QueryCounts(sql);
  }
  // The checker refuses differentially private queries for Spark (check_script.cc), so a DP
  // release never reaches this runner.
  Result<std::vector<std::vector<int64_t>>> QueryIntegerRows(const std::string&) override {
    return Status::Unimplemented("differential privacy is not supported on the Spark engine yet");
  }

 private:
  SparkDriver& driver_;
};

// A memory file that closes itself.
struct MemoryFile {
  int fd = -1;
  ~MemoryFile() {
    if (fd >= 0) ::close(fd);
  }
};

bool IsHidden(const std::string& column) { return column.starts_with("__cr_"); }

// A result column as text in Spark, and that text as a DuckDB value of the column's type.
Result<std::string> SparkText(const sql::DataType& type, const std::string& column) {
  switch (type.id) {
    case sql::TypeId::kString:
      return column;
    case sql::TypeId::kBinary:
      return "hex(" + column + ")";
    case sql::TypeId::kArray:
    case sql::TypeId::kMap:
    case sql::TypeId::kStruct:
      return Status::Unimplemented("Spark engine: a result column of type " + type.ToString() +
                                   " cannot be returned yet");
    default:
      return "CAST(" + column + " AS STRING)";
  }
}

std::string DuckDbValue(const sql::DataType& type, const std::optional<std::string>& text) {
  if (!text.has_value()) return "NULL";
  std::string quoted = sql::QuoteString(*text);
  switch (type.id) {
    case sql::TypeId::kString:
      return quoted;
    case sql::TypeId::kBinary:
      return "from_hex(" + quoted + ")";
    case sql::TypeId::kTimestamp:
      // Spark wrote it in the session's time zone, UTC.
      return "CAST(" + sql::QuoteString(*text + "+00") + " AS TIMESTAMPTZ)";
    default:
      return "CAST(" + quoted + " AS " + type.ToDuckDb() + ")";
  }
}

constexpr size_t kInsertBatch = 500;

}  // namespace

Result<privacy::CheckedProgram> CompileCheckedForSpark(engine::Engine& engine,
                                                       std::string_view text,
                                                       const privacy::PolicyFile& policies) {
  privacy::CheckOptions options;
  options.target = sql::SqlTarget::kSpark;
  return privacy::CompileAndCheck(engine.catalog(), text, policies, options);
}

Result<std::unique_ptr<SparkInputs>> SparkInputs::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cleanroom-spark-inputs.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::Internal("Spark engine: cannot create a folder for the encrypted inputs");
  }
  return std::unique_ptr<SparkInputs>(new SparkInputs(pattern));
}

SparkInputs::~SparkInputs() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Status SparkInputs::Ship(engine::Engine& engine, SparkDriver& driver,
                         const privacy::PolicyFile& policies,
                         const std::vector<AttestedExecutor>* executors) {
  for (const auto& [name, policy] : policies.datasets) {
    const sql::TableDef* table = engine.catalog().FindTable(name);
    if (table == nullptr || table->is_view) continue;
    std::string select;
    for (const sql::Column& c : table->columns) {
      if (IsHidden(c.name)) continue;
      select += (select.empty() ? "SELECT " : ", ") + sql::QuoteIdentifier(c.name);
    }
    select += " FROM " + sql::QuoteIdentifier(table->name);
    MemoryFile plain;
    plain.fd = ::memfd_create("cleanroom-spark-input", MFD_CLOEXEC);
    if (plain.fd < 0) return Status::Internal("Spark engine: memfd_create failed");
    {
      CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> rows, engine.QueryRaw(select));
      uint64_t count = 0;
      CR_RETURN_IF_ERROR(
          engine::WriteParquet(*rows, "/proc/self/fd/" + std::to_string(plain.fd), &count));
    }
    struct stat st {};
    if (::fstat(plain.fd, &st) != 0 || st.st_size <= 0) {
      return Status::Internal("Spark engine: an input's Parquet image is empty");
    }
    size_t size = static_cast<size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, plain.fd, 0);
    if (map == MAP_FAILED) return Status::Internal("Spark engine: cannot map an input");
    CR_ASSIGN_OR_RETURN(crypto::container::DataKey key, crypto::container::DataKey::Generate());
    crypto::container::EncryptOptions options;
    options.dataset_id = name;
    options.hash_plaintext = false;
    Result<Bytes> sealed = crypto::container::EncryptBuffer(
        key, options, ByteSpan(static_cast<const uint8_t*>(map), size));
    ::munmap(map, size);
    if (!sealed.ok()) return sealed.status();
    std::string path = dir_ + "/" + std::to_string(++shipped_) + ".parquet";
    CR_RETURN_IF_ERROR(WriteFileAtomic(
        path, std::string_view(reinterpret_cast<const char*>(sealed->data()), sealed->size()),
        0600));
    // Sealed to the executors first: the driver's reader may start reading the file at once.
    if (executors != nullptr) CR_RETURN_IF_ERROR(SealKeyToExecutors(driver, *executors, key));
    CR_RETURN_IF_ERROR(driver.AddTable(name, "parquet", path, key.bytes(), ""));
  }
  return Status::OK();
}

Result<CheckedResult> RunCheckedOnSpark(engine::Engine& engine, SparkDriver& driver,
                                        const privacy::CheckedProgram& program) {
  SparkProgramRunner runner(driver);
  CheckedResult out;
  Result<std::vector<privacy::SuppressionNote>> notes = privacy::RunPreparation(program, runner);
  const privacy::ProgramStep* result = nullptr;
  for (const privacy::ProgramStep& step : program.steps) {
    if (step.kind == privacy::ProgramStep::Kind::kResult) result = &step;
  }
  std::vector<SparkRow> rows;
  Status status = notes.status();
  if (status.ok() && result != nullptr) {
    // Every column as text under a name of ours, in the result's order.
    std::string aliases;
    std::string texts;
    for (size_t i = 0; i < program.output.size(); ++i) {
      std::string name = sql::QuoteSparkIdentifier("c" + std::to_string(i));
      aliases += (i > 0 ? ", " : "") + name;
      Result<std::string> text = SparkText(program.output[i].type, name);
      if (!text.ok()) {
        status = text.status();
        break;
      }
      texts += (i > 0 ? ", " : "") + *text;
    }
    if (status.ok()) {
      size_t columns = 0;
      Result<std::vector<SparkRow>> got = driver.QueryRows(
          "SELECT " + texts + " FROM (" + result->sql + ") AS `__cr_q`(" + aliases + ")", &columns);
      if (got.ok() && columns != program.output.size()) {
        status = Status::Internal("Spark engine: the result has another number of columns");
      } else if (got.ok()) {
        rows = std::move(got).value();
      } else {
        status = got.status();
      }
    }
  }
  // The program's tables and views go whatever happened.
  Status reset = driver.Reset();
  CR_RETURN_IF_ERROR(status);
  CR_RETURN_IF_ERROR(reset);
  out.notes = std::move(notes).value();
  if (result == nullptr) return out;

  // The rows into a temp table of the engine, then read back in order under the output's names.
  const std::string table = "__cr_spark_result";
  std::string create = "CREATE OR REPLACE TEMP TABLE " + sql::QuoteIdentifier(table) + " (";
  std::string select = "SELECT ";
  for (size_t i = 0; i < program.output.size(); ++i) {
    std::string column = sql::QuoteIdentifier("c" + std::to_string(i));
    create += (i > 0 ? ", " : "") + column + " " + program.output[i].type.ToDuckDb();
    select += (i > 0 ? ", " : "") + column + " AS " + sql::QuoteIdentifier(program.output[i].name);
  }
  CR_RETURN_IF_ERROR(engine.Execute(create + ")"));
  for (size_t start = 0; start < rows.size(); start += kInsertBatch) {
    std::string insert = "INSERT INTO " + sql::QuoteIdentifier(table) + " VALUES ";
    for (size_t r = start; r < rows.size() && r < start + kInsertBatch; ++r) {
      insert += r > start ? ", (" : "(";
      for (size_t c = 0; c < program.output.size(); ++c) {
        insert += (c > 0 ? ", " : "") + DuckDbValue(program.output[c].type, rows[r][c]);
      }
      insert += ")";
    }
    CR_RETURN_IF_ERROR(engine.Execute(insert));
  }
  if (program.output.empty()) select += "NULL";
  CR_ASSIGN_OR_RETURN(out.result, engine.Query(select + " FROM " + sql::QuoteIdentifier(table) +
                                               " ORDER BY rowid"));
  return out;
}

Result<CheckedResult> RunProgramOnSpark(engine::Engine& engine,
                                        const privacy::CheckedProgram& program,
                                        const privacy::PolicyFile& policies,
                                        const SparkDriverOptions& options,
                                        const ExecutorAttestation* attestation) {
  SparkDriverOptions started = options;
  started.attested_executors = attestation != nullptr;
  CR_ASSIGN_OR_RETURN(std::unique_ptr<SparkDriver> driver, SparkDriver::Start(started));
  std::optional<std::vector<AttestedExecutor>> executors;
  if (attestation != nullptr && !options.master.starts_with("local")) {
    CR_ASSIGN_OR_RETURN(executors, AttestExecutors(*driver, *attestation));
  }
  CR_ASSIGN_OR_RETURN(std::unique_ptr<SparkInputs> inputs, SparkInputs::Create());
  CR_RETURN_IF_ERROR(
      inputs->Ship(engine, *driver, policies, executors.has_value() ? &*executors : nullptr));
  CR_RETURN_IF_ERROR(engine.Lock());
  return RunCheckedOnSpark(engine, *driver, program);
}

}  // namespace cleanroom::runtime
