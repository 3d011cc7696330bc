#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace cleanroom::cli {

// The process exit code that a command's callback sets. 0 success, 1 failure of the work
// (a query error, an invalid verdict), 2 bad usage or unreadable input.
struct ExitCode {
  int value = 0;
};

// Adds one top-level command (and its subcommands) to `root`. The callback attached to the
// command stores its exit code in `exit_code`, which outlives the parse.
using CommandSetup = std::function<void(CLI::App& root, ExitCode& exit_code)>;

// Registers a command at static-initialisation time. Returns true so it can initialise a
// namespace-scope constant; see CLEANROOM_REGISTER_COMMAND.
bool RegisterCommand(CommandSetup setup);

// Every registered setup, in registration order.
const std::vector<CommandSetup>& RegisteredCommands();

// Returns the subcommand `name` of `root`, creating it (with `description`) if it does not
// exist. Lets two files add verbs to one group, e.g. "dataset register" and "dataset publish".
CLI::App* CommandGroup(CLI::App& root, const std::string& name, const std::string& description);

// Prints a status as "cleanroom: <Code>: <message>" on stderr and returns the exit code for
// it: 2 for InvalidArgument / NotFound (bad usage or input), 1 otherwise.
int ReportError(const Status& status);

}  // namespace cleanroom::cli

#define CLEANROOM_REGISTER_COMMAND(setup_function)          \
  static const bool cleanroom_registered_##setup_function = \
      ::cleanroom::cli::RegisterCommand(setup_function)
