#pragma once

namespace chat::cli {

// Parses the command line, runs the chosen command and returns the exit code
// (context.hpp ExitCode). Never throws.
int run(int argc, char** argv);

}  // namespace chat::cli
