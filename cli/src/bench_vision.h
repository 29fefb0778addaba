#pragma once
// Private to cli/. `comet bench --arch vit|mixer`: comet against peer_vit.py, alternating.

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>

#include "comet/cli/bench_command.h"

namespace comet::cli {

// Runs the peer and comet `repetitions` times per batch size, alternating, in `dir`; prints
// progress to `err` and the table to `out`; returns one JSON row per batch size.
nlohmann::json vision_bench(const BenchParams& p, const std::filesystem::path& dir,
                            std::ostream& out, std::ostream& err);

}  // namespace comet::cli
