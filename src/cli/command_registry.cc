#include "cli/command_registry.h"

#include <cstdio>

#include "base/status.h"

namespace cleanroom::cli {
namespace {

std::vector<CommandSetup>& Registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

}  // namespace

bool RegisterCommand(CommandSetup setup) {
  Registry().push_back(std::move(setup));
  return true;
}

const std::vector<CommandSetup>& RegisteredCommands() { return Registry(); }

CLI::App* CommandGroup(CLI::App& root, const std::string& name, const std::string& description) {
  for (CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* group = root.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

int ReportError(const Status& status) {
  std::fprintf(stderr, "cleanroom: %s\n", status.ToString().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace cleanroom::cli
