#pragma once
// Closeness of names, for "did you mean" hints.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace comet::sweeps {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo, else "".
// Letter case is ignored.
std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace comet::sweeps
