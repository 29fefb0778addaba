#pragma once
// Strict reading of YAML scalar text as numbers (YAML 1.2 core schema forms, decimal only).

#include <cstdint>
#include <optional>
#include <string_view>

namespace comet::sweeps {

// [-+]?[0-9]+ that fits 64 bits; anything else (1.0, 1e3, 0x10, " 1") is nullopt.
std::optional<std::int64_t> parse_integer_text(std::string_view text);

// An integer or [-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)? that is a finite double;
// nan, inf, .inf and out-of-range exponents are nullopt.
std::optional<double> parse_real_text(std::string_view text);

}  // namespace comet::sweeps
