#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// Turns the set-up statements of Spark's golden files into temporary views, the only state a
// clean-room script has: CREATE [OR REPLACE] TEMP[ORARY] VIEW stays as it is; CREATE TABLE ...
// [USING fmt] AS SELECT becomes a view of its query; CREATE TABLE t (a INT, ...) USING fmt and
// later INSERT INTO t VALUES ... / SELECT ... become a view over the inserted rows, each value
// cast to its declared column type; DROP VIEW / TABLE drops.
class GoldenSetup {
 public:
  struct Step {
    enum class Kind { kScript, kDrop, kNothing };
    Kind kind = Kind::kNothing;
    std::string script;  // kScript: a `CREATE OR REPLACE TEMP VIEW ...` script for the front end
    std::string name;    // kDrop: the view to drop; kScript: the view it defines
    bool if_exists = false;
  };

  // True when `sql` is a set-up statement this class reads (CREATE / INSERT / DROP).
  static bool IsSetUp(const std::string& sql);

  // The step for one set-up statement. InvalidArgument for a statement it cannot read
  // (another DDL form, an INSERT into an unknown table, a column list it cannot parse).
  Result<Step> Translate(const std::string& sql);

 private:
  struct Table {
    std::string name;
    std::vector<std::pair<std::string, std::string>> columns;  // name, Spark type text
    std::vector<std::string> sources;                          // queries of inserted rows
  };
  Step ViewOfTable(const Table& table) const;
  std::map<std::string, Table> tables_;  // key: lower-case name
};

}  // namespace cleanroom::slt
