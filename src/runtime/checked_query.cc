#include "runtime/checked_query.h"

#include <map>
#include <set>
#include <string>

#include "privacy/query_check.h"
#include "sql/frontend.h"

namespace cleanroom::runtime {
namespace {

// Runs the checker's fixed statements on the engine.
class EngineProgramRunner : public privacy::ProgramRunner {
 public:
  explicit EngineProgramRunner(engine::Engine& engine) : engine_(engine) {}

  Status Execute(const std::string& sql) override { return engine_.Execute(sql); }

  Result<std::vector<int64_t>> QueryCounts(const std::string& sql) override {
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine_.QueryRaw(sql));
    std::vector<int64_t> counts;
    CR_ASSIGN_OR_RETURN(bool has_rows, result->Next());
    if (!has_rows || result->chunk().size() == 0) return counts;
    for (size_t c = 0; c < result->columns().size(); ++c) {
      std::string cell;
      result->chunk().AppendCell(c, 0, engine::CellStyle::kText, cell);
      char* end = nullptr;
      long long v = std::strtoll(cell.c_str(), &end, 10);
      if (cell.empty() || end == nullptr || *end != '\0') {
        return Status::Internal("a count query of the checker returned a non-integer");
      }
      counts.push_back(v);
    }
    return counts;
  }

  Result<std::vector<std::vector<int64_t>>> QueryIntegerRows(const std::string& sql) override {
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine_.QueryRaw(sql));
    std::vector<std::vector<int64_t>> rows;
    std::string cell;
    while (true) {
      CR_ASSIGN_OR_RETURN(bool has_rows, result->Next());
      if (!has_rows) break;
      for (size_t r = 0; r < result->chunk().size(); ++r) {
        std::vector<int64_t> row;
        for (size_t c = 0; c < result->columns().size(); ++c) {
          cell.clear();
          result->chunk().AppendCell(c, r, engine::CellStyle::kText, cell);
          char* end = nullptr;
          long long v = std::strtoll(cell.c_str(), &end, 10);
          if (cell.empty() || end == nullptr || *end != '\0') {
            return Status::Internal("a differentially private aggregate returned a non-integer");
          }
          row.push_back(v);
        }
        rows.push_back(std::move(row));
      }
    }
    return rows;
  }

 private:
  engine::Engine& engine_;
};

}  // namespace

Result<privacy::CheckedProgram> CompileChecked(engine::Engine& engine, std::string_view text,
                                               const privacy::PolicyFile& policies) {
  return CompileCheckedAgainst(engine.catalog(), text, policies);
}

Result<privacy::CheckedProgram> CompileCheckedAgainst(const sql::Catalog& physical,
                                                      std::string_view text,
                                                      const privacy::PolicyFile& policies) {
  return privacy::CompileAndCheck(physical, text, policies);
}

Status PrepareCheckedInputs(engine::Engine& engine, std::string_view text,
                            const privacy::PolicyFile& policies) {
  auto compiled = sql::CompileScript(text, engine.catalog(), sql::CompileOptions{});
  if (!compiled.ok()) return Status::OK();
  std::map<std::string, std::set<std::string>> units;
  for (const auto& [name, policy] : policies.datasets) {
    if (policy.privacy_unit.empty()) continue;
    // With a unit index, thresholds count it instead of the unit (privacy/unit_index.cc): the
    // unit is validated only when the query reads it, or when differential privacy or machine
    // learning bound contributions per unit. A statement that still read it unvalidated would
    // fail, never read unchecked bytes.
    if (!policy.unit_index.empty()) {
      units[name] = {policy.unit_index};
      if (!policy.differential_privacy && !policy.machine_learning) continue;
    }
    units[name].insert({policy.privacy_unit, sql::kUnitHashColumn, sql::kUnitBitColumn});
  }
  return engine.PrepareInputs(*compiled, units);
}

Result<CheckedResult> RunChecked(engine::Engine& engine, const privacy::CheckedProgram& program) {
  EngineProgramRunner runner(engine);
  CheckedResult out;
  CR_ASSIGN_OR_RETURN(out.notes, privacy::RunPreparation(program, runner));
  for (const privacy::ProgramStep& step : program.steps) {
    if (step.kind == privacy::ProgramStep::Kind::kResult) {
      CR_ASSIGN_OR_RETURN(out.result, engine.Query(step.sql));
    }
  }
  return out;
}

}  // namespace cleanroom::runtime
