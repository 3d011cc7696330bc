// `cleanroom sql-functions`: prints docs/sql-functions.md (every Spark built-in function and its
// state here), generated from the function registry; `--check FILE` fails when FILE differs.
#include <cstdio>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "sql/function/spark_builtins.h"

namespace cleanroom::cli {
namespace {

int RunSqlFunctions(const std::string& check) {
  std::string markdown = sql::FunctionReferenceMarkdown();
  if (check.empty()) {
    std::fwrite(markdown.data(), 1, markdown.size(), stdout);
    return 0;
  }
  auto current = ReadFileToString(check);
  if (!current.ok()) return ReportError(current.status());
  if (*current == markdown) return 0;
  std::fprintf(stderr, "%s is not current: regenerate it with `cleanroom sql-functions > %s`\n",
               check.c_str(), check.c_str());
  return 1;
}

void SetupSqlFunctions(CLI::App& root, ExitCode& exit_code) {
  auto check = std::make_shared<std::string>();
  CLI::App* cmd = root.add_subcommand(
      "sql-functions",
      "Print the Spark SQL function reference (docs/sql-functions.md) from the registry");
  cmd->add_option("--check", *check, "fail when this file differs from the generated reference");
  cmd->callback([check, &exit_code] { exit_code.value = RunSqlFunctions(*check); });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupSqlFunctions);
}  // namespace cleanroom::cli
