// How `tandem` subcommands plug into the CLI.
//
// Each group of subcommands lives in its own file (parquet_command.cc for `tandem parquet ...`; later
// serve, sql, ingest, batch, demo) and exposes one Add*Command function that registers its CLI11
// subcommand(s) on the root app. Parsing fills the command's options; the command then stores the work to
// do in `*action`, and main() runs that action once parsing has succeeded. An action returns a Status: a
// non-OK one is printed as "tandem: <message>" and the process exits with status 1. Usage errors (bad
// flags, missing arguments) are reported by CLI11 and exit with status 2.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "common/status.h"

namespace tandem::cli {

using Action = std::function<Status()>;

// `tandem parquet schema|cat|stats|convert` (parquet_command.cc).
void AddParquetCommand(CLI::App* app, Action* action);
// `tandem serve|sql|batch|compact` (server_commands.cc).
void AddServerCommands(CLI::App* app, Action* action);
// `tandem ingest` (ingest_command.cc).
void AddIngestCommand(CLI::App* app, Action* action);
// `tandem demo` (demo_command.cc).
void AddDemoCommand(CLI::App* app, Action* action);

}  // namespace tandem::cli
