// Placeholder until the parser, binder and emitter land: every entry point says so.
#include "sql/frontend.h"

namespace cleanroom::sql {

std::string CompiledStatement::ExplainText() const { return duckdb_sql; }

Result<std::vector<CompiledStatement>> CompileScript(std::string_view, Catalog&,
                                                     const CompileOptions&) {
  return Status::Unimplemented("the SQL front end is not built yet");
}

Result<std::vector<std::string>> ReferencedTables(std::string_view, const Catalog&,
                                                  const CompileOptions&) {
  return Status::Unimplemented("the SQL front end is not built yet");
}

}  // namespace cleanroom::sql
