#include "comet/cli/app.h"

int main(int argc, char** argv) { return comet::cli::run_app(argc, argv); }
