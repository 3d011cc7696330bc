#include "privacy/feature_query_check.h"

#include "sql/catalog.h"

namespace cleanroom::privacy {

Result<CheckedProgram> CheckFeatureQuery(std::string_view script, const MlFeatureMode& mode,
                                         const std::vector<DeclaredDataset>& datasets) {
  CR_ASSIGN_OR_RETURN(PolicyFile policies, PoliciesOfQuery(datasets, ""));
  policies.ml = mode;
  policies.ml->label = sql::ToLowerAscii(mode.label);
  sql::Catalog declared;
  for (const DeclaredDataset& d : datasets) {
    declared.PutTable(sql::TableDef{d.name, d.schema, false});
  }
  return CompileAndCheck(declared, script, policies);
}

}  // namespace cleanroom::privacy
