#pragma once

// Apache Spark 4's built-in functions by group (as Spark's SQL function reference groups them),
// and the state of each in the clean room: supported (in the function registry), refused (with
// the reason), or not yet. docs/sql-functions.md is generated from this and the registry.

#include <string>
#include <vector>

namespace cleanroom::sql {

struct SparkBuiltin {
  const char* name;
  const char* group;    // agg, window, array, map, struct, date, json, math, string, conditional,
                        // conversion, predicate, hash, bitwise, csv, xml, url, misc, generator
  const char* refused;  // nullptr, or why the clean room refuses the function
};

// Every Spark 4 built-in function name we track, grouped.
const std::vector<SparkBuiltin>& SparkBuiltins();

// docs/sql-functions.md: every Spark built-in with its state, then the registry's functions
// that are not Spark built-ins (dialect profiles), generated from the registry.
std::string FunctionReferenceMarkdown();

}  // namespace cleanroom::sql
