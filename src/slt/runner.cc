#include "slt/runner.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "base/file.h"
#include "engine/engine.h"
#include "privacy/policy.h"
#include "runtime/checked_query.h"
#include "runtime/spark_query.h"
#include "slt/parallel_files.h"
#include "slt/result_text.h"
#include "slt/script.h"
#include "slt/sqlite_statements.h"
#include "slt/trigger_catalog.h"

namespace cleanroom::slt {
namespace {

std::string FirstKeyword(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) {
    ++i;
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return word;
}

// Statements that set up or change state; they go straight to DuckDB.
bool IsSetUpStatement(const std::string& keyword) {
  static const char* const kSetUp[] = {"CREATE",  "INSERT",     "DROP",     "DELETE",  "UPDATE",
                                       "SET",     "RESET",      "REINDEX",  "ALTER",   "PRAGMA",
                                       "BEGIN",   "COMMIT",     "ROLLBACK", "ANALYZE", "VACUUM",
                                       "REPLACE", "CHECKPOINT", "USE"};
  for (const char* k : kSetUp) {
    if (keyword == k) return true;
  }
  return false;
}

// Statements after which the catalog must be re-read.
bool ChangesCatalog(const std::string& keyword) {
  return keyword == "CREATE" || keyword == "DROP" || keyword == "ALTER";
}

class ScriptRun {
 public:
  ScriptRun(const std::string& path, const RunnerOptions& options, engine::Engine& engine)
      : path_(path), options_(options), engine_(engine) {}

  // `policy FILE|off`: later statements and queries run policy-checked (privacy module).
  Status SetPolicy(const std::string& argument) {
    if (argument == "off") {
      policy_.reset();
      return Status::OK();
    }
    std::filesystem::path file = argument;
    if (file.is_relative()) file = std::filesystem::path(path_).parent_path() / file;
    CR_ASSIGN_OR_RETURN(privacy::PolicyFile policy, privacy::LoadPolicyFile(file.string()));
    policy_ = std::move(policy);
    return Status::OK();
  }
  bool has_policy() const { return policy_.has_value(); }
  int64_t last_suppressed() const { return last_suppressed_; }

  // Statement or query-like SQL for its effect (results are drained).
  Status RunStatement(const std::string& sql) {
    std::string keyword = FirstKeyword(sql);
    // Under a policy, temp views are steps of the checked script, not set-up.
    bool checked_view = policy_.has_value() && keyword == "CREATE" && IsViewScript(sql);
    // DuckDB has no triggers: the set-up layer keeps those whose bodies have no effect.
    if (keyword == "CREATE" && TriggerCatalog::IsCreateTrigger(sql)) {
      if (catalog_dirty_) {
        CR_RETURN_IF_ERROR(engine_.RefreshCatalog());
        catalog_dirty_ = false;
      }
      return triggers_.Create(sql, [this](const std::string& table) {
        return engine_.catalog().FindTable(table) != nullptr;
      });
    }
    if (keyword == "DROP" && TriggerCatalog::IsDropTrigger(sql)) return triggers_.Drop(sql);
    if (options_.dialect == sql::Dialect::kSqlite && keyword == "REINDEX") return Reindex(sql);
    if (options_.dialect == sql::Dialect::kSqlite && keyword == "UPDATE") {
      std::optional<std::string> rightmost = KeepRightmostAssignments(sql);
      if (rightmost.has_value()) return engine_.Execute(*rightmost);
    }
    if (IsSetUpStatement(keyword) && !checked_view) {
      if (ChangesCatalog(keyword)) catalog_dirty_ = true;
      spark_inputs_stale_ = true;
      if (keyword == "CREATE") {
        std::optional<Status> view = TryCompiledView(sql);
        if (view.has_value()) return *view;
      }
      if (options_.dialect == sql::Dialect::kSqlite && keyword == "CREATE") {
        std::optional<std::string> widened = WidenIntegerColumns(sql);
        if (widened.has_value()) return engine_.Execute(*widened);
      }
      Status status = engine_.Execute(sql);
      if (!status.ok() && options_.dialect == sql::Dialect::kSqlite &&
          (keyword == "INSERT" || keyword == "REPLACE")) {
        std::optional<Status> computed = InsertComputedValues(sql);
        if (computed.has_value()) return *computed;
      }
      if (status.ok() && keyword == "DROP" && TriggerCatalog::IsDropTable(sql)) {
        triggers_.DropTableTriggers(sql);
      }
      return status;
    }
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, CompileAndRun(sql));
    if (result == nullptr) return Status::OK();
    while (true) {
      CR_ASSIGN_OR_RETURN(bool more, result->Next());
      if (!more) return Status::OK();
    }
  }

  // A query's values, formatted per column type.
  Result<std::vector<std::string>> RunQuery(const Record& record, size_t& columns) {
    Result<std::unique_ptr<engine::QueryResult>> run = CompileAndRun(record.sql);
    if (!run.ok() && EndsLikeSqliteStep(run.status())) return std::vector<std::string>();
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, std::move(run));
    if (result == nullptr) return Status::InvalidArgument("the script has no query");
    columns = result->columns().size();
    if (!record.types.empty() && columns != record.types.size()) {
      return Status::InvalidArgument("expected " + std::to_string(record.types.size()) +
                                     " columns, got " + std::to_string(columns));
    }
    std::vector<std::string> values;
    std::string text;
    while (true) {
      Result<bool> next = result->Next();
      if (!next.ok() && EndsLikeSqliteStep(next.status())) break;
      CR_ASSIGN_OR_RETURN(bool more, std::move(next));
      if (!more) break;
      const engine::Chunk& chunk = result->chunk();
      for (idx_t r = 0; r < chunk.size(); ++r) {
        for (idx_t c = 0; c < chunk.column_count(); ++c) {
          text.clear();
          bool is_null = chunk.IsNull(c, r);
          if (!is_null) chunk.AppendCell(c, r, engine::CellStyle::kText, text);
          char type = c < record.types.size() ? record.types[c] : 'T';
          values.push_back(
              FormatValue(is_null, text, result->columns()[c].type, type, options_.dialect));
        }
      }
    }
    return values;
  }

 private:
  // SQLite's reference harness reads rows until sqlite3_step stops and does not look at why:
  // a query that fails while running (an integer overflow in sum(), say) shows the rows before
  // the failure. In the sqlite profile the engine's data errors end the rows the same way;
  // errors of our front end (syntax, names, types: SQLite's prepare errors) still fail.
  bool EndsLikeSqliteStep(const Status& status) const {
    if (options_.dialect != sql::Dialect::kSqlite) return false;
    const std::string& m = status.message();
    return m.find("Conversion Error") != std::string::npos ||
           m.find("Out of Range Error") != std::string::npos;
  }

  static bool IsViewScript(const std::string& sql) {
    static const std::regex kView(R"(^\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP|TEMPORARY)\s+VIEW\s)",
                                  std::regex::icase);
    return std::regex_search(sql, kView);
  }

  // SQLite's REINDEX rebuilds indexes, which changes no result; DuckDB has no REINDEX. The name
  // it gives must be a table or an index, as in SQLite.
  Status Reindex(const std::string& sql) {
    CR_ASSIGN_OR_RETURN(std::optional<std::string> target, ReindexTarget(sql));
    if (!target.has_value() || target->empty()) return Status::OK();
    if (catalog_dirty_) {
      CR_RETURN_IF_ERROR(engine_.RefreshCatalog());
      catalog_dirty_ = false;
    }
    if (engine_.catalog().FindTable(*target) != nullptr) return Status::OK();
    std::string quoted = "'";
    for (char c : *target) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    quoted += "'";
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> indexes,
                        engine_.Query("SELECT index_name FROM duckdb_indexes() WHERE "
                                      "lower(index_name) = " +
                                      quoted));
    while (true) {
      CR_ASSIGN_OR_RETURN(bool more, indexes->Next());
      if (!more) return Status::NotFound("REINDEX: no such table or index");
      if (indexes->chunk().size() > 0) return Status::OK();
    }
  }

  // INSERT ... VALUES that DuckDB refused: each row's expressions are compiled by our front end
  // with SQLite's semantics (e.g. 1<<63 wraps), then inserted, all rows or none. nullopt when
  // the statement is not such an INSERT or a row does not compile (the engine's error stands).
  std::optional<Status> InsertComputedValues(const std::string& sql) {
    std::optional<InsertValues> insert = SplitInsertValues(sql);
    if (!insert.has_value()) return std::nullopt;
    sql::CompileOptions compile_options;
    compile_options.dialect = options_.dialect;
    std::vector<std::string> statements;
    for (const std::string& row : insert->rows) {
      sql::Catalog no_tables;
      auto compiled = sql::CompileScript("SELECT " + row, no_tables, compile_options);
      if (!compiled.ok() || compiled->size() != 1) return std::nullopt;
      statements.push_back(insert->head + compiled->front().duckdb_sql);
    }
    Status begin = engine_.Execute("BEGIN TRANSACTION");
    if (!begin.ok()) return begin;
    for (const std::string& statement : statements) {
      Status status = engine_.Execute(statement);
      if (!status.ok()) {
        (void)engine_.Execute("ROLLBACK");
        return status;
      }
    }
    return engine_.Execute("COMMIT");
  }

  Result<std::unique_ptr<engine::QueryResult>> CompileAndRun(const std::string& sql) {
    if (catalog_dirty_) {
      CR_RETURN_IF_ERROR(engine_.RefreshCatalog());
      catalog_dirty_ = false;
    }
    if (policy_.has_value() && options_.spark != nullptr) return RunCheckedOnSpark(sql);
    if (policy_.has_value()) {
      last_suppressed_ = -1;
      CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                          runtime::CompileChecked(engine_, sql, *policy_));
      CR_ASSIGN_OR_RETURN(runtime::CheckedResult run, runtime::RunChecked(engine_, program));
      last_suppressed_ = 0;
      for (const auto& note : run.notes) last_suppressed_ += note.rows;
      return std::move(run.result);
    }
    sql::CompileOptions compile_options;
    compile_options.dialect = options_.dialect;
    CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> compiled,
                        sql::CompileScript(sql, engine_.catalog(), compile_options));
    // A script's temp views exist in DuckDB from now on; re-read them with the rest.
    for (const auto& statement : compiled) {
      if (statement.kind == sql::CompiledStatement::Kind::kCreateView) catalog_dirty_ = true;
    }
    return engine_.RunCompiled(compiled);
  }

  // The checked query on Spark: the script's tables shipped again when set-up changed them.
  Result<std::unique_ptr<engine::QueryResult>> RunCheckedOnSpark(const std::string& sql) {
    last_suppressed_ = -1;
    CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                        runtime::CompileCheckedForSpark(engine_, sql, *policy_));
    if (spark_inputs_ == nullptr || spark_inputs_stale_) {
      spark_inputs_.reset();
      CR_ASSIGN_OR_RETURN(spark_inputs_, runtime::SparkInputs::Create());
      CR_RETURN_IF_ERROR(spark_inputs_->Ship(engine_, *options_.spark, *policy_));
      spark_inputs_stale_ = false;
    }
    CR_ASSIGN_OR_RETURN(runtime::CheckedResult run,
                        runtime::RunCheckedOnSpark(engine_, *options_.spark, program));
    last_suppressed_ = 0;
    for (const auto& note : run.notes) last_suppressed_ += note.rows;
    return std::move(run.result);
  }

  // CREATE [TEMP] VIEW name AS query: the query is compiled by our front end when it can be,
  // so the view computes the dialect's semantics; otherwise nullopt (run it as written).
  std::optional<Status> TryCompiledView(const std::string& sql) {
    static const std::regex kView(
        R"(^\s*CREATE\s+((?:TEMP|TEMPORARY)\s+)?VIEW\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+([\s\S]*)$)",
        std::regex::icase);
    std::smatch match;
    if (!std::regex_match(sql, match, kView)) return std::nullopt;
    if (catalog_dirty_) {
      if (!engine_.RefreshCatalog().ok()) return std::nullopt;
      catalog_dirty_ = false;
    }
    sql::CompileOptions compile_options;
    compile_options.dialect = options_.dialect;
    sql::Catalog scratch = engine_.catalog();  // the view itself is added by DuckDB's catalog
    auto compiled = sql::CompileScript(match[3].str(), scratch, compile_options);
    if (!compiled.ok() || compiled->size() != 1 ||
        compiled->front().kind != sql::CompiledStatement::Kind::kQuery) {
      return std::nullopt;
    }
    catalog_dirty_ = true;
    return engine_.Execute("CREATE " + match[1].str() + "VIEW " + match[2].str() + " AS " +
                           compiled->front().duckdb_sql);
  }

  const std::string& path_;
  const RunnerOptions& options_;
  engine::Engine& engine_;
  bool catalog_dirty_ = true;
  std::optional<privacy::PolicyFile> policy_;
  int64_t last_suppressed_ = -1;  // -1: no checked query has run
  TriggerCatalog triggers_;
  std::unique_ptr<runtime::SparkInputs> spark_inputs_;  // with RunnerOptions::spark
  bool spark_inputs_stale_ = true;
};

// A query slower than this is named in verbose output (it is not a failure).
constexpr double kSlowQuerySeconds = 2.0;

bool ConditionsSkip(const Record& record, sql::Dialect dialect) {
  for (const auto& [only, name] : record.conditions) {
    bool mine = name == "cleanroom" || (dialect == sql::Dialect::kSqlite && name == "sqlite");
    if (only != mine) return true;  // onlyif another engine, or skipif this one
  }
  return false;
}

std::string Shorten(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < 12; ++i) {
    if (i > 0) out += ' ';
    out += values[i];
  }
  if (values.size() > 12) out += " ... (" + std::to_string(values.size()) + " values)";
  return out;
}

// `load ok|error NAME PATH[:FORMAT] [schema=FILE]`, paths relative to the script.
Status LoadInput(engine::Engine& engine, const std::string& script_path, const Record& record) {
  std::filesystem::path base = std::filesystem::path(script_path).parent_path();
  auto resolve = [&base](const std::string& relative) {
    return relative.starts_with("/") ? relative : (base / relative).string();
  };
  CR_ASSIGN_OR_RETURN(engine::TableSource source,
                      engine::ParseTableSpec(record.arguments[0] + "=" + record.arguments[1]));
  source.path = resolve(source.path);
  for (size_t i = 2; i < record.arguments.size(); ++i) {
    const std::string& argument = record.arguments[i];
    if (!argument.starts_with("schema=")) {
      return Status::InvalidArgument("load: unknown argument " + argument);
    }
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(resolve(argument.substr(7))));
    CR_RETURN_IF_ERROR(engine::ParseSchemaDocument(text, source));
  }
  return engine.LoadTable(source);
}

// Empty when the error message is the expected one (or none was given).
std::string ErrorMessageMismatch(const Record& record, const Status& status) {
  if (record.expected.empty()) return "";
  std::string want;
  for (const std::string& line : record.expected) {
    if (!want.empty()) want += '\n';
    want += line;
  }
  const std::string& got = status.message();
  if (want.starts_with("<REGEX>:")) {
    std::regex pattern(want.substr(8));
    if (std::regex_search(got, pattern)) return "";
  } else if (got.find(want) != std::string::npos) {
    return "";
  }
  return "expected an error containing '" + want + "', got '" + status.ToString() + "'";
}

}  // namespace

FileResult RunScriptFile(const std::string& path, const RunnerOptions& options) {
  FileResult file;
  file.path = path;
  auto text = ReadFileToString(path);
  if (!text.ok()) {
    file.error = text.status();
    return file;
  }
  auto records = ParseScript(*text);
  if (!records.ok()) {
    file.error = records.status().WithContext(path);
    return file;
  }
  auto engine = engine::Engine::Open(engine::EngineOptions{1});
  if (!engine.ok()) {
    file.error = engine.status();
    return file;
  }
  ScriptRun run(path, options, **engine);
  bool file_access_locked = false;
  bool skip_file = options.skip_list != nullptr && options.skip_list->SkipsFile(path);
  bool mode_skip = false;
  std::map<std::string, std::string> labels;  // label -> hash of its first result
  auto fail = [&](const Record& record, const std::string& what) {
    ++file.failed;
    if (options.verbose) {
      file.failures.push_back(path + ":" + std::to_string(record.line) + ": " + what);
    }
  };
  for (size_t i = 0; i < records->size(); ++i) {
    const Record& record = (*records)[i];
    bool counted = record.kind == Record::Kind::kStatement || record.kind == Record::Kind::kQuery ||
                   record.kind == Record::Kind::kLoad || record.kind == Record::Kind::kSuppressed;
    if (ConditionsSkip(record, options.dialect)) {
      if (counted) ++file.skipped;
      continue;
    }
    switch (record.kind) {
      case Record::Kind::kHalt:
        return file;
      case Record::Kind::kModeSkip:
        mode_skip = true;
        continue;
      case Record::Kind::kModeUnskip:
        mode_skip = false;
        continue;
      case Record::Kind::kRequire:
        skip_file = true;
        continue;
      case Record::Kind::kHashThreshold:
        continue;
      case Record::Kind::kPolicy: {
        Status status = run.SetPolicy(record.arguments[0]);
        if (!status.ok()) {
          file.error = status.WithContext(path + ":" + std::to_string(record.line));
          return file;
        }
        continue;
      }
      case Record::Kind::kUnsupported:
        ++file.skipped;
        if (options.verbose) {
          file.failures.push_back(path + ":" + std::to_string(record.line) +
                                  ": skipped unsupported directive: " + record.directive);
        }
        continue;
      default:
        break;
    }
    if (skip_file || mode_skip ||
        (options.skip_list != nullptr && options.skip_list->SkipsRecord(path, record.line))) {
      ++file.skipped;
      continue;
    }
    if (record.kind == Record::Kind::kSuppressed) {
      std::string want = record.arguments[0];
      std::string got = std::to_string(run.last_suppressed());
      if (want == got) {
        ++file.passed;
      } else {
        fail(record, "expected " + want + " rows suppressed, got " + got);
      }
      continue;
    }
    Status status;
    if (record.kind == Record::Kind::kLoad) {
      status = LoadInput(**engine, path, record);
    } else {
      if (!file_access_locked) {
        if (Status locked = (*engine)->LockFileAccess(); !locked.ok()) {
          file.error = locked;
          return file;
        }
        file_access_locked = true;
      }
      if (record.kind == Record::Kind::kStatement || record.expect_error) {
        status = run.RunStatement(record.sql);
      }
    }
    if (record.kind != Record::Kind::kQuery || record.expect_error) {
      if (status.ok() == !record.expect_error) {
        std::string mismatch = record.expect_error && options.check_error_messages
                                   ? ErrorMessageMismatch(record, status)
                                   : "";
        if (mismatch.empty() && !record.expect_code.empty() &&
            StatusCodeName(status.code()) != record.expect_code) {
          mismatch = "expected a " + record.expect_code + " error, got " + status.ToString();
        }
        if (mismatch.empty()) {
          ++file.passed;
        } else {
          fail(record, mismatch);
        }
      } else if (record.expect_error) {
        fail(record, "expected an error, but it succeeded");
      } else {
        fail(record, status.ToString());
      }
      continue;
    }
    size_t columns = 0;
    auto started = std::chrono::steady_clock::now();
    auto values = run.RunQuery(record, columns);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.verbose && seconds >= kSlowQuerySeconds) {
      file.failures.push_back(path + ":" + std::to_string(record.line) + ": note: slow query (" +
                              std::to_string(static_cast<int>(seconds)) + " s)");
    }
    if (!values.ok()) {
      fail(record, values.status().ToString());
      continue;
    }
    SortValues(*values, columns, record.sort_mode);
    Expected expected = ParseExpected(record.expected);
    std::string difference;
    std::string hash;
    if (expected.hashed || !record.label.empty()) hash = HashValues(*values);
    if (expected.hashed) {
      if (expected.count != values->size() || expected.hash != hash) {
        difference = "expected " + std::to_string(expected.count) + " values hashing to " +
                     expected.hash + ", got " + std::to_string(values->size()) +
                     " values hashing to " + hash + ": " + Shorten(*values);
      }
    } else {
      std::vector<std::string> want = expected.values;
      if (record.sort_mode != "nosort") SortValues(want, columns, record.sort_mode);
      difference = CompareValues(want, *values, record.types, record.sort_mode, options.dialect);
      if (!difference.empty()) difference += "; got: " + Shorten(*values);
    }
    if (difference.empty() && !record.label.empty()) {
      auto [it, inserted] = labels.emplace(record.label, hash);
      if (!inserted && it->second != hash) {
        difference = "result differs from the earlier result labelled " + record.label;
      }
    }
    if (difference.empty()) {
      ++file.passed;
    } else {
      fail(record, difference);
    }
  }
  return file;
}

std::vector<FileResult> RunScriptFiles(const std::vector<std::string>& paths,
                                       const RunnerOptions& options,
                                       const std::function<void(const FileResult&)>& on_done) {
  // One Spark driver serves one script at a time.
  return RunFilesInParallel<FileResult>(
      paths, options.spark != nullptr ? 1 : options.jobs,
      [&options](const std::string& path) { return RunScriptFile(path, options); }, on_done);
}

}  // namespace cleanroom::slt
