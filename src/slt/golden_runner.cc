#include "slt/golden_runner.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>

#include "base/file.h"
#include "engine/engine.h"
#include "slt/golden_file.h"
#include "slt/golden_setup.h"
#include "slt/parallel_files.h"
#include "slt/spark_render.h"

namespace cleanroom::slt {
namespace {

std::string Shorten(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = '|';
  }
  if (text.size() > 240) text = text.substr(0, 240) + "...";
  return text;
}

std::string TrimTrailing(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (true) {
    size_t end = text.find(separator, at);
    parts.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) return parts;
    at = end + 1;
  }
}

bool ParseNumber(const std::string& text, double& value) {
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
    value = text == "NaN" ? NAN : text[0] == '-' ? -INFINITY : INFINITY;
    return true;
  }
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

bool NumbersClose(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

// The built-in table of Spark's suite: testdata(key INT, value STRING), keys 1..100.
std::string TestDataView() {
  std::string values;
  for (int i = 1; i <= 100; ++i) {
    if (i > 1) values += ", ";
    values += "(" + std::to_string(i) + ", '" + std::to_string(i) + "')";
  }
  return "CREATE TEMP VIEW testdata AS SELECT * FROM VALUES " + values + " AS testdata(key, value)";
}

class GoldenSession {
 public:
  GoldenSession(const std::string& path, const GoldenOptions& options, engine::Engine& engine,
                GoldenFileResult& result)
      : path_(path),
        options_(options),
        engine_(engine),
        result_(result),
        compile_options_(DefaultOptions()) {}

  void Run(const std::vector<GoldenBlock>& blocks) {
    (void)RunScript(TestDataView());
    for (const GoldenBlock& block : blocks) RunBlock(block);
  }

 private:
  void Note(const GoldenBlock& block, const std::string& what) {
    if (options_.verbose)
      result_.notes.push_back(path_ + ":" + std::to_string(block.line) + ": " + what);
  }

  Status RunScript(const std::string& script) {
    CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> compiled,
                        sql::CompileScript(script, engine_.catalog(), compile_options_));
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine_.RunCompiled(compiled));
    return Status::OK();
  }

  // The settings a file starts with (and RESET returns to).
  sql::CompileOptions DefaultOptions() const {
    sql::CompileOptions defaults;
    defaults.session_time_zone = options_.session_time_zone;
    return defaults;
  }

  // SET k=v / RESET: true when the block was one.
  bool HandleSetting(const GoldenBlock& block) {
    static const std::regex kSet(R"(^\s*SET\s+([A-Za-z0-9_.]+)\s*=\s*(\S*)\s*$)",
                                 std::regex::icase);
    static const std::regex kReset(R"(^\s*RESET\b[\s\S]*$)", std::regex::icase);
    std::smatch match;
    if (std::regex_match(block.sql, match, kSet)) {
      std::string key = match[1].str();
      std::string value = match[2].str();
      bool honoured = key == "spark.sql.ansi.enabled" && value == "true";
      if (key == "spark.sql.session.timeZone") {
        Result<sql::ZoneId> zone = sql::ParseZoneId(value);
        if (zone.ok()) {
          compile_options_.session_time_zone = *zone;
          honoured = true;
        }
      }
      if (key == "spark.sql.groupByAliases" && (value == "true" || value == "false")) {
        compile_options_.group_by_aliases = value == "true";
        honoured = true;
      }
      if (honoured || unhonoured_.count(key) > 0) {
        // Setting a key again (or to our own behaviour) ends the statements it governed.
        unhonoured_.erase(key);
      } else {
        unhonoured_[key] = value;
      }
      return true;
    }
    if (std::regex_match(block.sql, kReset)) {
      unhonoured_.clear();
      compile_options_ = DefaultOptions();
      return true;
    }
    return false;
  }

  void RunSetUp(const GoldenBlock& block) {
    Result<GoldenSetup::Step> step = setup_.Translate(block.sql);
    Status status = step.status();
    if (step.ok() && step->kind == GoldenSetup::Step::Kind::kScript) {
      status = RunScript(step->script);
    } else if (step.ok() && step->kind == GoldenSetup::Step::Kind::kDrop) {
      bool exists = engine_.catalog().FindTable(step->name) != nullptr;
      if (exists) {
        (void)engine_.catalog().DropTable(step->name);
        status = engine_.Execute("DROP VIEW IF EXISTS \"" + step->name + "\"");
      } else if (!step->if_exists) {
        status = Status::NotFound("DROP of a missing view or table");
      }
    }
    if (block.ExpectsError()) {
      // Spark refused this set-up statement: it is scored like a query that must fail.
      if (status.ok()) {
        ++result_.failed;
        Note(block, "expected an error, but the set-up statement succeeded");
      } else {
        ++result_.passed;
      }
      return;
    }
    if (!status.ok()) {
      ++result_.setup_failed;
      Note(block, "set-up failed: " + Shorten(status.ToString()));
    }
  }

  Result<std::string> RunQuery(const std::string& sql, size_t& columns) {
    CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> compiled,
                        sql::CompileScript(sql, engine_.catalog(), compile_options_));
    if (compiled.empty() || compiled.back().kind != sql::CompiledStatement::Kind::kQuery) {
      return Status::InvalidArgument("the statement is not a query");
    }
    std::vector<sql::DataType> types;
    for (const sql::Column& c : compiled.back().output) types.push_back(c.type);
    columns = types.size();
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine_.RunCompiled(compiled));
    std::vector<std::string> rows;
    while (true) {
      CR_ASSIGN_OR_RETURN(bool more, result->Next());
      if (!more) break;
      const engine::Chunk& chunk = result->chunk();
      for (idx_t r = 0; r < chunk.size(); ++r) {
        std::string row;
        for (idx_t c = 0; c < chunk.column_count(); ++c) {
          if (c > 0) row += '\t';
          row += RenderSparkCell(chunk, c, r, c < types.size() ? types[c] : sql::DataType{});
        }
        rows.push_back(std::move(row));
      }
    }
    if (!HasTopLevelOrderBy(sql)) std::sort(rows.begin(), rows.end());
    std::string out;
    for (size_t i = 0; i < rows.size(); ++i) out += (i ? "\n" : "") + rows[i];
    return TrimTrailing(out);
  }

  void RunBlock(const GoldenBlock& block) {
    if (HandleSetting(block)) return;
    if (GoldenSetup::IsSetUp(block.sql) && block.schema == "struct<>") {
      RunSetUp(block);
      return;
    }
    std::optional<std::string> reason;
    if (options_.skip_list != nullptr)
      reason = options_.skip_list->Reason(path_, block.line, block.sql);
    if (!reason && !unhonoured_.empty()) {
      reason = "under SET " + unhonoured_.begin()->first + "=" + unhonoured_.begin()->second +
               " (a setting we do not implement)";
    }
    if (reason) {
      ++result_.skipped;
      Note(block, "skipped: " + *reason);
      return;
    }
    size_t columns = 0;
    Result<std::string> rows = RunQuery(block.sql, columns);
    if (block.ExpectsError()) {
      if (rows.ok()) {
        ++result_.failed;
        Note(block, "expected an error, got rows: " + Shorten(*rows));
      } else {
        ++result_.passed;
      }
      return;
    }
    if (!rows.ok()) {
      ++result_.failed;
      Note(block, Shorten(rows.status().ToString()));
      return;
    }
    std::string difference;
    if (columns != block.ColumnCount()) {
      difference = "expected " + std::to_string(block.ColumnCount()) + " columns, got " +
                   std::to_string(columns);
    } else {
      difference = CompareGoldenOutput(block.output, *rows);
    }
    if (difference.empty()) {
      ++result_.passed;
    } else {
      ++result_.failed;
      Note(block, difference);
    }
  }

  const std::string& path_;
  const GoldenOptions& options_;
  engine::Engine& engine_;
  GoldenFileResult& result_;
  GoldenSetup setup_;
  std::map<std::string, std::string> unhonoured_;  // settings in force we do not implement
  sql::CompileOptions compile_options_;            // with the settings we implement
};

}  // namespace

bool HasTopLevelOrderBy(std::string_view sql) {
  int depth = 0;
  std::string previous;
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      size_t end = i + 1;
      while (end < sql.size() && sql[end] != c) end += sql[end] == '\\' ? 2 : 1;
      i = end + 1;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string word;
      while (i < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i++])));
      }
      if (depth == 0 && previous == "order" && word == "by") return true;
      previous = word;
      continue;
    }
    ++i;
  }
  return false;
}

std::string CompareGoldenOutput(const std::string& expected, const std::string& actual) {
  if (expected == actual) return "";
  std::string mismatch = "expected '" + Shorten(expected) + "', got '" + Shorten(actual) + "'";
  std::vector<std::string> want = Split(expected, '\n');
  std::vector<std::string> got = Split(actual, '\n');
  if (want.size() != got.size()) return mismatch;
  for (size_t r = 0; r < want.size(); ++r) {
    if (want[r] == got[r]) continue;
    std::vector<std::string> want_cells = Split(want[r], '\t');
    std::vector<std::string> got_cells = Split(got[r], '\t');
    if (want_cells.size() != got_cells.size()) return mismatch;
    for (size_t c = 0; c < want_cells.size(); ++c) {
      if (want_cells[c] == got_cells[c]) continue;
      double a = 0;
      double b = 0;
      if (!ParseNumber(want_cells[c], a) || !ParseNumber(got_cells[c], b) || !NumbersClose(a, b)) {
        return mismatch;
      }
    }
  }
  return "";
}

GoldenFileResult RunGoldenFile(const std::string& path, const GoldenOptions& options) {
  GoldenFileResult result;
  result.path = path;
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    result.error = text.status();
    return result;
  }
  Result<std::vector<GoldenBlock>> blocks = ParseGoldenFile(*text);
  if (!blocks.ok()) {
    result.error = blocks.status().WithContext(path);
    return result;
  }
  auto engine = engine::Engine::Open(engine::EngineOptions{1});
  if (!engine.ok()) {
    result.error = engine.status();
    return result;
  }
  if (Status locked = (*engine)->LockFileAccess(); !locked.ok()) {
    result.error = locked;
    return result;
  }
  GoldenOptions file_options = options;
  if (options.skip_list != nullptr) {
    if (std::optional<std::string> zone = options.skip_list->ZoneOf(path)) {
      Result<sql::ZoneId> parsed = sql::ParseZoneId(*zone);
      if (!parsed.ok()) {
        result.error = parsed.status().WithContext("the skip list's zone for " + path);
        return result;
      }
      file_options.session_time_zone = *parsed;
    }
  }
  GoldenSession session(path, file_options, **engine, result);
  session.Run(*blocks);
  return result;
}

std::vector<GoldenFileResult> RunGoldenFiles(
    const std::vector<std::string>& paths, const GoldenOptions& options,
    const std::function<void(const GoldenFileResult&)>& on_done) {
  return RunFilesInParallel<GoldenFileResult>(
      paths, options.jobs,
      [&options](const std::string& path) { return RunGoldenFile(path, options); }, on_done);
}

}  // namespace cleanroom::slt
