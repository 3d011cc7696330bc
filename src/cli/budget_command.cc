// `cleanroom budget show`: each DP dataset's privacy budget in the collaboration, what the runs
// have spent of it and what remains (docs/privacy.md "Privacy budget").
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::ClientFlags;
using govwire::Json;

struct BudgetFlags {
  ClientFlags client;
  std::string dataset;  // empty: every dataset
};

std::string Amounts(const Json& amounts, bool with_rho) {
  std::string out =
      "epsilon " + amounts.value("epsilon", "?") + ", delta " + amounts.value("delta", "?");
  if (with_rho) out += ", rho " + amounts.value("rho", "?");
  return out;
}

void PrintBudgets(const Json& body, const MemberNames& names, const std::string& only) {
  bool any = false;
  for (const Json& d : body.value("datasets", Json::array())) {
    std::string name = d.value("name", "");
    if (!only.empty() && name != only) continue;
    any = true;
    std::printf("dataset %s (owner %s)\n", name.c_str(), names.Of(d.value("owner", "")).c_str());
    if (d.contains("budget")) {
      bool rho = d["spent"].value("rho", "0") != "0";
      std::printf("  budget     %s\n", Amounts(d["budget"], false).c_str());
      std::printf("  spent      %s\n", Amounts(d["spent"], rho).c_str());
      std::printf("  remaining  %s\n", Amounts(d["remaining"], true).c_str());
    } else {
      std::printf("  no differential-privacy budget in its latest version\n");
    }
    const Json charges = d.value("charges", Json::array());
    if (charges.empty()) std::printf("  no run has been charged\n");
    for (const Json& c : charges) {
      std::string cost = c.value("mechanism", "") + " epsilon " + c.value("epsilon", "") +
                         " delta " + c.value("delta", "");
      if (c.contains("rho")) cost += " rho " + c.value("rho", "");
      std::printf("  run %-6s v%lld %-9s %s (seqno %llu)\n", c.value("run", "").c_str(),
                  static_cast<long long>(c.value("version", int64_t{0})),
                  c.value("state", "").c_str(), cost.c_str(), c.value("seqno", 0ull));
    }
  }
  if (any) return;
  if (only.empty()) {
    std::printf("no dataset has a differential-privacy budget\n");
  } else {
    std::printf("dataset %s has no differential-privacy budget\n", only.c_str());
  }
}

void SetupBudget(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "budget", "Differential-privacy budgets of the datasets");
  group->require_subcommand(1);
  auto flags = std::make_shared<BudgetFlags>();
  CLI::App* show = group->add_subcommand(
      "show", "Per DP dataset: its budget, what runs spent (by run) and what remains");
  govwire::AddClientFlags(show, &flags->client);
  show->add_option("--dataset", flags->dataset, "Only this dataset");
  show->callback([flags, &exit_code] {
    Status st = ShowWithNames(flags->client, "/v1/budget",
                              [flags](const Json& body, const MemberNames& names) {
                                PrintBudgets(body, names, flags->dataset);
                              });
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupBudget);
}  // namespace cleanroom::cli
