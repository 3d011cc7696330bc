// `cleanroom runtime serve`: the clean-room runtime. Polls governance for requested runs,
// obtains their dataset keys with attested evidence, executes them on the encrypted datasets in
// storage and reports signed run records.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "attest/simulated.h"
#include "attest/verdict.h"
#include "base/file.h"
#include "cli/command_registry.h"
#include "crypto/x509.h"
#include "govwire/governance_client.h"
#include "runtime/measurement.h"
#include "runtime/runtime_server.h"
#include "runtime/storage.h"

namespace cleanroom::cli {
namespace {

struct ServeFlags {
  std::string governance;
  std::string fingerprint;
  std::string evidence = "simulated";
  std::string platform_dir;
  std::string vcek;
  std::string storage;                // empty: the default (runtime::StorageUrlOrDefault)
  std::string engine = "embedded";    // --engine embedded|spark
  runtime::SparkDriverOptions spark;  // --spark-master, --spark-home, --spark-jar
  int spark_executors = 0;            // --spark-executors: how many must be attested (1)
  int poll_ms = 500;
  int threads = 0;
  bool once = false;
};

Status Serve(const ServeFlags& flags) {
  runtime::RuntimeServerOptions options;
  options.governance_url = flags.governance;
  options.service_fingerprint = flags.fingerprint;
  options.storage_url = flags.storage;
  options.poll_interval_ms = flags.poll_ms;
  options.engine_threads = flags.threads;
  options.evidence_kind = flags.evidence;
  options.log = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  const bool spark = flags.engine == "spark";
  if (flags.engine != "embedded" && !spark) {
    return Status::InvalidArgument("--engine must be embedded or spark");
  }
  if (spark && flags.spark.master.empty()) {
    return Status::InvalidArgument(
        "--engine spark needs --spark-master spark://HOST:PORT or local[N]");
  }
  if (!spark && !(flags.spark.master.empty() && flags.spark.spark_home.empty() &&
                  flags.spark.jar.empty() && flags.spark_executors == 0)) {
    return Status::InvalidArgument(
        "--spark-master, --spark-home, --spark-jar and --spark-executors need --engine spark");
  }
  if (spark) options.spark = flags.spark;
  std::optional<attest::PlatformKey> platform;
  if (flags.evidence == "simulated") {
    if (flags.platform_dir.empty()) {
      return Status::InvalidArgument(
          "--evidence simulated needs --platform DIR "
          "(made by `cleanroom runtime init-platform`)");
    }
    auto loaded = attest::PlatformKey::Load(flags.platform_dir);
    if (!loaded.ok()) {
      return loaded.status().WithContext("--platform " + flags.platform_dir +
                                         " (made by `cleanroom runtime init-platform --out DIR`)");
    }
    platform = std::move(loaded).value();
    // On Spark the measurement also covers what runs on the cluster's side (our jar, Spark).
    CR_ASSIGN_OR_RETURN(runtime::Measurement measurement,
                        spark
                            ? runtime::MeasureSparkRuntime(flags.spark.spark_home, flags.spark.jar)
                            : runtime::MeasureRuntime());
    CR_ASSIGN_OR_RETURN(Bytes value, HexDecode(measurement.value));
    options.evidence = runtime::SimulatedEvidenceProducer(&*platform, value);
    if (spark && !flags.spark.master.starts_with("local")) {
      // Executors prove themselves as this runtime does (docs/spark.md, "Attested executors"):
      // simulated evidence from this machine's platform key, with this runtime's measurement.
      runtime::ExecutorAttestation attestation;
      attestation.executors = flags.spark_executors > 0 ? flags.spark_executors : 1;
      attestation.policy.allowed_kinds = {attest::EvidenceKind::kSimulated};
      attestation.policy.allowed_measurements = std::vector<Bytes>{value};
      attestation.policy.simulated_platform_keys = {platform->PublicKeySha256()};
      options.spark_attestation = std::move(attestation);
    }
    std::printf("%s\n", std::string(attest::kSimulatedWarning).c_str());
  } else if (flags.evidence == "sev-snp") {
    if (spark && !flags.spark.master.starts_with("local")) {
      return Status::Unimplemented(
          "--engine spark on a cluster with --evidence sev-snp: SEV-SNP evidence from executors "
          "is not built yet (simulated only; docs/deployment.md)");
    }
    if (flags.vcek.empty()) {
      return Status::InvalidArgument(
          "--evidence sev-snp needs --vcek FILE (this chip's VCEK or VLEK)");
    }
    auto read = ReadFileToString(flags.vcek);
    if (!read.ok()) return read.status().WithContext("--vcek " + flags.vcek);
    const std::string& text = *read;
    auto certificate = text.find("-----BEGIN") != std::string::npos
                           ? crypto::Certificate::FromPem(text)
                           : crypto::Certificate::FromDer(AsBytes(text));
    if (!certificate.ok()) return certificate.status().WithContext("--vcek " + flags.vcek);
    options.evidence = runtime::SevSnpEvidenceProducer(certificate->der());
  } else {
    return Status::InvalidArgument("--evidence must be simulated or sev-snp");
  }

  // Which engine runs the queries, for the log (also with --once, which does not Serve()).
  if (spark) {
    std::printf("runtime engine: spark at %s\n", flags.spark.master.c_str());
  } else {
    std::printf("runtime engine: embedded\n");
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  CR_ASSIGN_OR_RETURN(auto server, runtime::RuntimeServer::Create(std::move(options)));
  if (flags.once) {
    CR_ASSIGN_OR_RETURN(auto results, server->ProcessPending());
    Status first;
    for (const auto& r : results) {
      if (first.ok() && !r.status.ok()) first = r.status;
    }
    return first;
  }
  runtime::RuntimeServer* raw = server.get();
  std::thread waiter([&signals, raw] {
    int sig = 0;
    sigwait(&signals, &sig);
    raw->Stop();
  });
  Status served = server->Serve();
  // SIGTERM is blocked in every thread: it wakes the waiter's sigwait, it terminates nothing.
  pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter.join();
  return served;
}

void SetupRuntimeServe(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "runtime", "The clean-room runtime");
  auto f = std::make_shared<ServeFlags>();
  CLI::App* s = group->add_subcommand(
      "serve", "Execute requested runs: attested key release, checked query, sealed result");
  s->add_option("--governance", f->governance, "The governance service, https://HOST:PORT")
      ->required();
  s->add_option("--service-fingerprint", f->fingerprint,
                "Hex SHA-256 of the service certificate (pinned)")
      ->required();
  s->add_option("--evidence", f->evidence, "simulated (INSECURE) or sev-snp")
      ->capture_default_str();
  s->add_option("--platform", f->platform_dir,
                "Simulated evidence: the platform key directory (`runtime init-platform`)");
  s->add_option("--vcek", f->vcek, "SEV-SNP evidence: this chip's VCEK or VLEK (PEM or DER)");
  s->add_option("--storage", f->storage,
                std::string("Where the encrypted datasets and results live (" +
                            std::string(runtime::kDefaultStorageText) + ")"));
  s->add_option("--poll-ms", f->poll_ms, "How often to ask governance for runs")
      ->capture_default_str();
  s->add_option("--threads", f->threads, "Engine threads (0: every core)")->capture_default_str();
  s->add_option("--engine", f->engine,
                "embedded (DuckDB in this process) or spark (a Spark cluster, docs/spark.md)")
      ->capture_default_str();
  s->add_option("--spark-master", f->spark.master,
                "with --engine spark: spark://HOST:PORT of a standalone master, or local[N]");
  s->add_option("--spark-home", f->spark.spark_home,
                "with --engine spark: Spark's installation (default $SPARK_HOME)");
  s->add_option("--spark-jar", f->spark.jar,
                "with --engine spark: the cleanroom-spark jar (default $CLEANROOM_SPARK_JAR)");
  s->add_option("--spark-executors", f->spark_executors,
                "with --engine spark on a cluster: how many executors must be attested before "
                "any key is released (default 1; one per worker)");
  s->add_flag("--once", f->once, "Execute the runs pending now, then exit");
  s->callback([f, &exit_code] {
    Status st = Serve(*f);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupRuntimeServe);
}  // namespace cleanroom::cli
