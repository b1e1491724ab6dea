// The `tandem` command line: wires the subcommand groups together (see command.h) and maps failures to
// exit codes: 0 success, 1 the command failed ("tandem: <message>" on stderr), 2 usage error.
// SIGPIPE is ignored: a write to a socket whose peer has gone (a server killed while `tandem ingest` sends
// it a request, a client gone while `tandem serve` answers) is an error the code handles, not a death.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "cli/command.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"Tandem: a Lambda-architecture data engine.", "tandem"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tandem 0.1.0");

  tandem::cli::Action action;
  tandem::cli::AddServerCommands(&app, &action);
  tandem::cli::AddIngestCommand(&app, &action);
  tandem::cli::AddParquetCommand(&app, &action);
  tandem::cli::AddDemoCommand(&app, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tandem: %s\nRun with --help for more information.\n", e.what());
    return 2;
  }
  if (!action) {
    std::fprintf(stderr, "tandem: no command given; run with --help for more information.\n");
    return 2;
  }
  tandem::Status status = action();
  std::fflush(stdout);
  if (!status.ok()) {
    std::fprintf(stderr, "tandem: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
