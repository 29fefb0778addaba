#pragma once
// The `comet` command tree (CLI11): parses argv into a params struct and calls the command.

namespace comet::cli {

int run_app(int argc, char** argv);

}  // namespace comet::cli
