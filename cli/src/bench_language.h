#pragma once
// Private to cli/. `comet bench --arch gpt2`: comet's GPT-2 training against peer_gpt.py.

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>

#include "comet/cli/bench_command.h"

namespace comet::cli {

// Alternates peer and comet `repetitions` times at each batch size; prints the table to `out`,
// progress to `err`; returns one JSON row per batch size.
nlohmann::json language_bench(const BenchParams& params, const std::filesystem::path& dir,
                              std::ostream& out, std::ostream& err);

}  // namespace comet::cli
