#include "cli/identity_flags.h"

#include <sys/stat.h>

#include <string>

#include "crypto/identity.h"

namespace cleanroom::cli {
namespace {

std::string IdentityFolderError(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return "identity folder " + dir + " does not exist (make one with `cleanroom keygen --out " +
           dir + "`)";
  }
  if (!S_ISDIR(st.st_mode)) return dir + " is not a folder (give the identity folder keygen made)";
  std::string cert = dir + "/" + std::string(crypto::kIdentityCertFile);
  if (::stat(cert.c_str(), &st) != 0) {
    return "folder " + dir + " holds no identity (no " + std::string(crypto::kIdentityCertFile) +
           "; make one with `cleanroom keygen`)";
  }
  return "";
}

}  // namespace

void CheckIdentityFolders(CLI::App& app) {
  if (CLI::Option* option = app.get_option_no_throw("--identity")) {
    option->check(CLI::Validator(IdentityFolderError, "DIR", "identity folder"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    CheckIdentityFolders(*sub);
}

}  // namespace cleanroom::cli
