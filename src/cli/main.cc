// The cleanroom command: argument parsing and dispatch only. Every command is defined in its
// own *_command.cc file and registered with the command registry.
#include <CLI/CLI.hpp>
#include <csignal>

#include "cli/command_registry.h"
#include "cli/identity_flags.h"

int main(int argc, char** argv) {
  // A peer closing a connection is an error on that call, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"cleanroom: a confidential data clean room"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cleanroom 0.1.0");
  cleanroom::cli::ExitCode exit_code;
  for (const auto& setup : cleanroom::cli::RegisteredCommands()) setup(app, exit_code);
  cleanroom::cli::CheckIdentityFolders(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 returns 0 for --help / --version; usage errors are exit code 2 by our convention.
    return rc == 0 ? 0 : 2;
  }
  return exit_code.value;
}
