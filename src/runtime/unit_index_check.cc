#include "runtime/unit_index_check.h"

#include <cstdlib>
#include <memory>
#include <vector>

#include "engine/engine.h"
#include "runtime/dataset_publish.h"
#include "sql/frontend.h"

namespace cleanroom::runtime {
namespace {

Status IndexError(const std::string& index, const std::string& what) {
  return Status::InvalidArgument("--policy: unitIndex column '" + index + "' " + what);
}

}  // namespace

Status CheckUnitIndex(const std::string& file, engine::Format format, const std::string& unit,
                      const std::string& index) {
  CR_ASSIGN_OR_RETURN(auto engine, OpenEngineOverFile(file, format, "publish_units", 0));
  const sql::TableDef* table = engine->catalog().FindTable("publish_units");
  if (table == nullptr) return Status::Internal("unit index check: the loaded table is missing");
  const sql::Column* unit_column = nullptr;
  const sql::Column* index_column = nullptr;
  for (const sql::Column& c : table->columns) {
    if (sql::ToLowerAscii(c.name) == sql::ToLowerAscii(unit)) unit_column = &c;
    if (sql::ToLowerAscii(c.name) == sql::ToLowerAscii(index)) index_column = &c;
  }
  if (index_column == nullptr) return IndexError(index, "is not a column of " + file);
  if (unit_column == nullptr) {
    return Status::InvalidArgument("--policy: privacyUnit '" + unit + "' is not a column of " +
                                   file);
  }
  if (!index_column->type.IsIntegral()) return IndexError(index, "is not an integer column");
  // A bijection between the distinct units (NULL one of them) and the distinct ids: no NULL id,
  // as many ids as units, and as many distinct (unit, id) pairs as either.
  const std::string u = "`" + unit_column->name + "`";
  const std::string i = "`" + index_column->name + "`";
  const std::string text = "SELECT count(*) - count(" + i + "), count(DISTINCT " + i +
                           "), (SELECT count(*) FROM (SELECT DISTINCT " + u +
                           " FROM publish_units) AS units), (SELECT count(*) FROM (SELECT "
                           "DISTINCT " +
                           u + ", " + i + " FROM publish_units) AS pairs) FROM publish_units";
  CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> compiled,
                      sql::CompileScript(text, engine->catalog()));
  CR_RETURN_IF_ERROR(engine->PrepareInputs(compiled));
  CR_RETURN_IF_ERROR(engine->Lock());
  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine->RunCompiled(compiled));
  if (result == nullptr) return Status::Internal("unit index check: no result");
  CR_ASSIGN_OR_RETURN(bool has_row, result->Next());
  if (!has_row || result->chunk().size() != 1 || result->columns().size() != 4) {
    return Status::Internal("unit index check: no result row");
  }
  std::vector<long long> counts;
  for (size_t c = 0; c < 4; ++c) {
    std::string cell;
    result->chunk().AppendCell(c, 0, engine::CellStyle::kText, cell);
    counts.push_back(std::strtoll(cell.c_str(), nullptr, 10));
  }
  const long long null_ids = counts[0], ids = counts[1], units = counts[2], pairs = counts[3];
  if (null_ids > 0) return IndexError(index, "is NULL on some rows");
  if (ids != units || pairs != units) {
    return IndexError(index, "does not match the privacy unit '" + unit_column->name +
                                 "' (equal ids must mean equal units and equal units equal ids)");
  }
  return Status::OK();
}

}  // namespace cleanroom::runtime
