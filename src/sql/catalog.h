#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/types.h"

namespace cleanroom::sql {

// A hidden column a loaded dataset table may carry: the 64-bit hash of its privacy unit
// (engine::TableSource::unit_hash_of), read by the privacy checker's threshold rewrite. The
// checker's binder never sees it (only a policy's allowed fields exist for queries).
inline constexpr const char* kUnitHashColumn = "__cr_unit_hash";
// Beside it: one bit among 63 chosen by that hash (a BIGINT with one bit set).
inline constexpr const char* kUnitBitColumn = "__cr_unit_bit";

struct Column {
  std::string name;
  DataType type;
};

// A table the binder can resolve: a dataset loaded into the engine, or a temp view defined by
// an earlier step of a query.
struct TableDef {
  std::string name;             // as written by its creator; lookups are case-insensitive
  std::vector<Column> columns;  // in order; for a dataset with a policy, only allowedFields
  bool is_view = false;         // a temp view of an earlier step
};

// The names the binder resolves against. Not thread-safe; one per compilation session.
class Catalog {
 public:
  // AlreadyExists when a table of that name (case-insensitive) is present.
  Status AddTable(TableDef table);
  // Replaces or adds.
  void PutTable(TableDef table);
  Status DropTable(std::string_view name);
  // nullptr when absent.
  const TableDef* FindTable(std::string_view name) const;
  std::vector<std::string> TableNames() const;

 private:
  std::map<std::string, TableDef> tables_;  // key: lower-case name
};

// Lower-cases ASCII letters (SQL identifiers are case-insensitive).
std::string ToLowerAscii(std::string_view text);

}  // namespace cleanroom::sql
