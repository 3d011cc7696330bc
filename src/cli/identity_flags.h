#pragma once

#include <CLI/CLI.hpp>

namespace cleanroom::cli {

// Every --identity option of `app` and its subcommands must name a folder that
// `cleanroom keygen` made. A misspelled folder is named in the usage error (exit 2) before the
// command looks for any file in it (a missing pin, key or certificate would mislead).
void CheckIdentityFolders(CLI::App& app);

}  // namespace cleanroom::cli
