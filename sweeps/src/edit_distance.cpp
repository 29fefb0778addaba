#include "edit_distance.h"

#include <algorithm>
#include <string>

namespace comet::sweeps {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Full table: names are short, and the swap rule needs the row two back.
  std::vector<std::vector<std::size_t>> cost(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) cost[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) cost[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      cost[i][j] =
          std::min({cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cost[i][j] = std::min(cost[i][j], cost[i - 2][j - 2] + 1);
      }
    }
  }
  return cost[a.size()][b.size()];
}

namespace {

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& ch : lower) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return lower;
}

}  // namespace

std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates) {
  // Case is not counted as a typo: "ReLU" should find "relu".
  const std::string lower_name = lower_case(name);
  constexpr std::size_t kMaxTypos = 2;
  std::string best;
  std::size_t best_distance = kMaxTypos + 1;
  for (std::string_view candidate : candidates) {
    // The lengths alone bound the distance from below: a long name (a pasted paragraph, a
    // megabyte key) costs nothing here instead of a table of its length times the candidate's.
    std::size_t length_gap = lower_name.size() > candidate.size()
                                 ? lower_name.size() - candidate.size()
                                 : candidate.size() - lower_name.size();
    if (length_gap > kMaxTypos) continue;
    std::size_t distance = edit_distance(lower_name, lower_case(candidate));
    // Two edits on a two-letter key would make any two-letter word a "typo" of it.
    bool plausible = distance <= kMaxTypos && 2 * distance <= candidate.size();
    if (plausible && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace comet::sweeps
