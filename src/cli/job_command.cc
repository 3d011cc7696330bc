// `cleanroom job propose FILE`: propose an ML job (training, fine-tuning, inference; docs/ml.md
// "Job document") to governance. A job is then approved, switched, shown and run with the query
// verbs under its id (`query approve q7`, `query show q7`, `run request q7`): its approvers are
// the owners of the datasets its feature query reads and the owner of its model.
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

struct JobProposeFlags {
  govwire::ClientFlags client;
  std::string file;
};

Status ProposeJob(const JobProposeFlags& f) {
  CR_ASSIGN_OR_RETURN(govwire::Json job, govwire::ReadJsonFile(f.file));
  return govwire::WriteAndPrint(f.client, "/v1/jobs", "job.propose", {{"job", job}});
}

void SetupJob(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(
      root, "job", "ML jobs (docs/ml.md); vote, show and run them with the query verbs");
  auto flags = std::make_shared<JobProposeFlags>();
  CLI::App* p =
      group->add_subcommand("propose", "Propose a training, fine-tuning or inference job");
  govwire::AddClientFlags(p, &flags->client);
  p->add_option("file", flags->file, "The job document (JSON)")->required();
  p->callback([flags, &exit_code] {
    Status st = ProposeJob(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupJob);
}  // namespace cleanroom::cli
