#include "runtime/run_execution.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <future>
#include <map>
#include <set>

#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/sha256_tree.h"
#include "engine/engine.h"
#include "engine/input_source.h"
#include "engine/parquet_output.h"
#include "engine/result_writer.h"
#include "privacy/policy.h"
#include "privacy/query_check.h"
#include "runtime/checked_query.h"
#include "runtime/input_loading.h"
#include "runtime/job_execution.h"
#include "runtime/spark_query.h"
#include "sql/catalog.h"
#include "sql/types.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// The engine's source for a dataset document: its name, format and declared schema.
Result<engine::TableSource> SourceOf(const json& document) {
  // Name and schema are read as the checker reads them (privacy::DeclaredDatasetFromDocument).
  CR_ASSIGN_OR_RETURN(privacy::DeclaredDataset declared,
                      privacy::DeclaredDatasetFromDocument(document.dump()));
  engine::TableSource source;
  source.name = declared.name;
  CR_ASSIGN_OR_RETURN(source.format, engine::ParseFormat(document.value("format", "")));
  source.schema = std::move(declared.schema);
  return source;
}

}  // namespace

// Reads the ciphertext, decrypts it chunk by chunk straight into the engine's memory file while
// a second core hashes the ciphertext (sha256-tree-v1); the hash must match the document's
// contentHash before the engine reads a byte. Plaintext never touches a disk. `hash_units`: the
// tables whose privacy unit's hash is computed while loading (the query's thresholds read it).
Status LoadInput(const RunInput& input, Storage& storage, engine::Engine& engine,
                 const privacy::PolicyFile& policies, const std::set<std::string>& hash_units,
                 govwire::RunRecord& record) {
  const json& doc = input.document;
  std::string name = doc.value("name", "");
  if (input.key == nullptr)
    return Status::FailedPrecondition("dataset " + name + ": no key released");
  CR_ASSIGN_OR_RETURN(engine::TableSource source, SourceOf(doc));
  if (hash_units.count(sql::ToLowerAscii(source.name)) > 0) {
    source.unit_hash_of = privacy::UnitHashColumnOf(policies, source.name);
  }
  auto start = Clock::now();
  std::string location = doc.value("location", "");
  auto mapped = storage.Map(location);
  if (!mapped.ok() && mapped.status().code() == StatusCode::kNotFound) {
    // The usual cause: the owner published into another storage than the one this runtime
    // serves. The runtime's own path stays out of the reason (it leaves the clean room).
    return Status::FailedPrecondition(
        "dataset " + name + ": its ciphertext " + location +
        " is not in the storage this runtime serves (the owner published it elsewhere? owners, "
        "the runtime and recipients share one storage: docs/runtime.md, \"Storage\")");
  }
  CR_ASSIGN_OR_RETURN(std::unique_ptr<Storage::Mapped> ciphertext, std::move(mapped));
  const ByteSpan cipher = ciphertext->data();
  auto hashing = std::async(std::launch::async, [cipher] { return crypto::Sha256TreeHex(cipher); });
  std::string content_hash;
  std::map<std::string, int64_t> timings;
  // Two readers share the file: chunks are independent, so each core decrypts half of them
  // into its place in the memory file (every chunk is authenticated, the last one as last).
  auto reader = crypto::container::Reader::Open(crypto::container::MemoryInput(cipher), *input.key);
  if (!reader.ok()) return reader.status().WithContext("dataset " + name);
  auto second = crypto::container::Reader::Open(crypto::container::MemoryInput(cipher), *input.key);
  if (!second.ok()) return second.status().WithContext("dataset " + name);
  auto fill = [&reader, &second, &timings, start](std::span<uint8_t> out) -> Status {
    const uint64_t chunks = (*reader)->chunk_count();
    const uint64_t chunk_size = (*reader)->header().chunk_size;
    auto decrypt = [&out, chunk_size](crypto::container::Reader& r, uint64_t begin, uint64_t end) {
      for (uint64_t i = begin; i < end; ++i) {
        uint64_t offset = i * chunk_size;
        size_t length = r.ChunkPlaintextSize(i);
        if (offset > out.size() || length > out.size() - offset) {
          return Status::DataLoss("chunk " + std::to_string(i) + ": more plaintext than declared");
        }
        CR_RETURN_IF_ERROR(r.ReadChunkInto(i, out.subspan(offset, length)));
      }
      return Status::OK();
    };
    uint64_t half = chunks / 2;
    auto upper = std::async(std::launch::async, decrypt, std::ref(**second), half, chunks);
    Status lower = decrypt(**reader, 0, half);
    Status high = upper.get();
    CR_RETURN_IF_ERROR(lower);
    CR_RETURN_IF_ERROR(high);
    timings["decrypt"] = MillisSince(start);
    return Status::OK();
  };
  auto check_hash = [&]() -> Status {
    content_hash = hashing.get();
    if (content_hash != sql::ToLowerAscii(doc.value("contentHash", ""))) {
      return Status::DataLoss(
          "dataset " + name +
          ": the ciphertext in storage does not match the document's contentHash");
    }
    timings["validated"] = MillisSince(start);
    return Status::OK();
  };
  Status loaded =
      engine.LoadTableFromMemoryFill(source, (*reader)->plaintext_size(), fill, check_hash);
  if (loaded.code() == StatusCode::kInvalidArgument) {
    // The engine names the column and the row of a value that does not convert: a position in
    // the provider's data, which the run record would show every member. The provider finds it
    // locally (`cleanroom sql --schema`); the record says only which dataset.
    return Status::InvalidArgument("dataset " + name +
                                   ": the decrypted data does not match the document's format and "
                                   "schema (check the file with cleanroom sql --schema)");
  }
  if (!loaded.ok()) return loaded.WithContext("dataset " + name);
  timings["loaded"] = MillisSince(start);
  record.inputs.push_back({name, input.version, input.document_hash, content_hash, timings});
  return Status::OK();
}

namespace {

// A Parquet result written into a memory file (memfd) and read back: the plaintext output never
// touches a disk.
Result<std::string> ParquetInMemory(engine::QueryResult& result, uint64_t* rows) {
  int fd = ::memfd_create("cleanroom-output", MFD_CLOEXEC);
  if (fd < 0) return Status::Internal("memfd_create failed: " + ErrnoText(errno));
  Status written = engine::WriteParquet(result, "/proc/self/fd/" + std::to_string(fd), rows);
  std::string output;
  if (written.ok()) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      written = Status::Internal("cannot size the memory file: " + ErrnoText(errno));
    } else {
      output.resize(static_cast<size_t>(st.st_size));
      size_t done = 0;
      while (written.ok() && done < output.size()) {
        ssize_t n =
            ::pread(fd, output.data() + done, output.size() - done, static_cast<off_t>(done));
        if (n <= 0) {
          if (n < 0 && errno == EINTR) continue;
          written = Status::Internal("cannot read the memory file back");
        } else {
          done += static_cast<size_t>(n);
        }
      }
    }
  }
  ::close(fd);
  if (!written.ok()) {
    SecureWipe(output.data(), output.size());
    return written;
  }
  return output;
}

}  // namespace

Result<std::vector<privacy::DeclaredDataset>> DeclaredInputs(const std::vector<RunInput>& inputs) {
  std::vector<privacy::DeclaredDataset> declared;
  for (const RunInput& input : inputs) {
    CR_ASSIGN_OR_RETURN(privacy::DeclaredDataset d,
                        privacy::DeclaredDatasetFromDocument(input.document.dump()));
    declared.push_back(std::move(d));
  }
  return declared;
}

namespace {

// Steps 2-4 of ExecuteRun; fills `record` as it goes.
Status Execute(const RunSpec& spec, Storage& storage, govwire::RunRecord& record) {
  auto start = Clock::now();
  CR_ASSIGN_OR_RETURN(engine::OutputFormat format, engine::ParseOutputFormat(spec.output_format));
  if (format != engine::OutputFormat::kCsv && format != engine::OutputFormat::kNdjson &&
      format != engine::OutputFormat::kParquet) {
    return Status::InvalidArgument("a query's output format is csv, ndjson or parquet, not " +
                                   spec.output_format);
  }
  for (const RunInput& input : spec.inputs) {
    if (input.is_model) {
      return Status::FailedPrecondition("a query reads datasets only: a model was released to it");
    }
  }
  std::string script = privacy::JoinSteps(spec.steps);
  // The query checked first against the documents' schemas, by the check governance runs when
  // the query is proposed (same verdict, same message), before any input is decrypted. The
  // tables whose thresholds hash the privacy unit get the hash computed once while loading.
  CR_ASSIGN_OR_RETURN(std::vector<privacy::DeclaredDataset> declared, DeclaredInputs(spec.inputs));
  CR_ASSIGN_OR_RETURN(
      privacy::CheckedProgram planned,
      privacy::CheckProposedQuery(script, spec.guards.is_null() ? "" : spec.guards.dump(),
                                  spec.privacy.is_null() ? "" : spec.privacy.dump(), declared));
  CR_ASSIGN_OR_RETURN(
      privacy::PolicyFile policies,
      privacy::PoliciesOfQuery(declared, spec.guards.is_null() ? "" : spec.guards.dump(),
                               spec.privacy.is_null() ? "" : spec.privacy.dump()));
  // Spark hashes the unit in its own query: no hidden unit columns are computed for it.
  const bool on_spark = spec.spark != nullptr;
  std::set<std::string> hash_units;
  if (!on_spark)
    hash_units.insert(planned.unit_hash_wanted.begin(), planned.unit_hash_wanted.end());
  // Inputs are validated for the query: of each, only what the checked program reads (on Spark,
  // every column, since every column of an input is shipped to it).
  CR_ASSIGN_OR_RETURN(auto engine, engine::Engine::Open({.threads = spec.engine_threads,
                                                         .validate_columns_read = !on_spark}));
  for (const RunInput& input : spec.inputs) {
    CR_RETURN_IF_ERROR(LoadInput(input, storage, *engine, policies, hash_units, record));
  }
  record.timings_ms["load"] = MillisSince(start);

  auto query_start = Clock::now();
  CheckedResult checked;
  if (on_spark) {
    CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                        CompileCheckedForSpark(*engine, script, policies));
    record.timings_ms["validate"] = MillisSince(query_start);
    if (spec.spark_attestation == nullptr && !spec.spark->master.starts_with("local")) {
      return Status::FailedPrecondition(
          "the Spark engine on a cluster needs its executors attested: none configured");
    }
    CR_ASSIGN_OR_RETURN(checked, RunProgramOnSpark(*engine, program, policies, *spec.spark,
                                                   spec.spark_attestation));
  } else {
    CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program, CompileChecked(*engine, script, policies));
    CR_RETURN_IF_ERROR(PrepareCheckedInputs(*engine, script, policies));
    record.timings_ms["validate"] = MillisSince(query_start);
    CR_RETURN_IF_ERROR(engine->Lock());
    CR_ASSIGN_OR_RETURN(checked, RunChecked(*engine, program));
  }
  if (checked.result == nullptr) return Status::InvalidArgument("the query has no final SELECT");
  std::string output;
  uint64_t rows = 0;
  if (format == engine::OutputFormat::kParquet) {
    CR_ASSIGN_OR_RETURN(output, ParquetInMemory(*checked.result, &rows));
  } else {
    CR_RETURN_IF_ERROR(engine::WriteResult(
        *checked.result, format,
        [&output](std::string_view piece) {
          output.append(piece);
          return Status::OK();
        },
        &rows));
  }
  record.timings_ms["query"] = MillisSince(query_start);
  record.rows_out = rows;
  for (const privacy::SuppressionNote& note : checked.notes) {
    record.suppressed.push_back({note.rule, static_cast<uint64_t>(note.rows)});
  }

  auto seal_start = Clock::now();
  std::string output_hash = crypto::Sha256Hex(AsBytes(output));
  Status sealed =
      StoreSealedResult(storage, spec.run_id, AsBytes(output), output_hash, spec.recipients);
  SecureWipe(output.data(), output.size());
  CR_RETURN_IF_ERROR(sealed);
  record.output_hash = output_hash;
  record.timings_ms["seal"] = MillisSince(seal_start);
  return Status::OK();
}

}  // namespace

RunOutcome ExecuteRun(const RunSpec& spec, Storage& storage) {
  auto start = Clock::now();
  RunOutcome outcome;
  govwire::RunRecord& record = outcome.record;
  record.run = spec.run_id;
  record.query = spec.query_id;
  record.query_hash = spec.query_hash;
  record.output_format = spec.output_format;
  record.evidence_kind = spec.evidence_kind;
  record.evidence_digest = spec.evidence_digest;
  record.evidence_insecure = spec.evidence_kind == "simulated";
  record.budget = spec.budget;
  outcome.status =
      spec.job.is_object() ? ExecuteJob(spec, storage, record) : Execute(spec, storage, record);
  record.timings_ms["total"] = MillisSince(start);
  record.finished_at = static_cast<int64_t>(std::time(nullptr));
  if (outcome.status.ok()) {
    record.state = govwire::RunState::kSucceeded;
  } else {
    // A failed run has no output: nothing of a partial one stays in the record or in storage.
    RemoveRunObjects(storage, spec.run_id);
    record.state = govwire::RunState::kFailed;
    record.reason = outcome.status.ToString();
    record.output_hash.clear();
    record.rows_out.reset();
    record.suppressed.clear();
    record.job = nullptr;
  }
  return outcome;
}

}  // namespace cleanroom::runtime
