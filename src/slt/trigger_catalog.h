#pragma once

// Triggers of a sqllogictest script, kept by the runner's set-up layer. DuckDB has no triggers.
// A trigger whose body cannot change anything (only SELECT statements, no RAISE()) has no
// effect on any statement or query result, so recording its definition, with SQLite's rules
// for names (CREATE TRIGGER [IF NOT EXISTS], DROP TRIGGER [IF EXISTS], a duplicate name or an
// unknown table is an error, dropping a table drops its triggers), emulates it exactly. A body
// that would change data is refused as Unimplemented rather than pretended.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::slt {

class TriggerCatalog {
 public:
  // Whether `sql` is a CREATE [TEMP] TRIGGER / DROP TRIGGER / DROP TABLE statement.
  static bool IsCreateTrigger(std::string_view sql);
  static bool IsDropTrigger(std::string_view sql);
  static bool IsDropTable(std::string_view sql);

  // Records a CREATE TRIGGER statement. `table_exists` says whether a table or view of that
  // (lower-case) name exists. AlreadyExists for a duplicate name (unless IF NOT EXISTS),
  // NotFound for an unknown table, Unimplemented for a body with side effects,
  // InvalidArgument for a malformed statement.
  Status Create(std::string_view sql, const std::function<bool(const std::string&)>& table_exists);
  // DROP TRIGGER [IF EXISTS] [schema.]name: NotFound for an unknown trigger unless IF EXISTS.
  Status Drop(std::string_view sql);
  // After a successful DROP TABLE [IF EXISTS] name: removes that table's triggers.
  void DropTableTriggers(std::string_view drop_table_sql);

  size_t size() const { return table_of_.size(); }

 private:
  std::map<std::string, std::string> table_of_;  // lower-case trigger name -> lower-case table
};

}  // namespace cleanroom::slt
