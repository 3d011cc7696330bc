#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// One statement of a Spark golden file (`SQLQueryTestSuite`'s `.sql.out`): the query text,
// the recorded schema (`struct<...>`) and the recorded output block (trailing whitespace of
// the whole block removed, as Spark writes it).
struct GoldenBlock {
  int line = 0;        // 1-based line of the block's `-- !query` header
  std::string sql;     // without a trailing newline
  std::string schema;  // "struct<a:int,b:string>", "struct<>" for statements and errors
  std::string output;  // the rows, '\n'-separated (values may contain newlines themselves)

  // An expected exception: schema `struct<>` and a non-empty output (its first line names the
  // exception class, or, in old versions, holds a plain-text message).
  bool ExpectsError() const;
  // The number of top-level fields of `schema` (0 for `struct<>`).
  size_t ColumnCount() const;
};

// Splits a golden file into its blocks. Headers are the lines matching
// `^-- !query( \d+)?( schema| output)?$`; the `-- Automatically generated` and
// `-- Number of queries` lines before the first block are ignored. InvalidArgument names the
// line of a block without its schema or output section.
Result<std::vector<GoldenBlock>> ParseGoldenFile(std::string_view text);

}  // namespace cleanroom::slt
