// `cleanroom version`: the build's version and the DuckDB library it embeds.
#include <cstdio>

#include "cli/command_registry.h"

namespace cleanroom::cli {
namespace {

void SetupVersion(CLI::App& root, ExitCode& exit_code) {
  CLI::App* cmd = root.add_subcommand("version", "Print the version of cleanroom");
  cmd->callback([&exit_code] {
    std::printf("cleanroom 0.1.0\n");
    exit_code.value = 0;
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupVersion);
}  // namespace cleanroom::cli
