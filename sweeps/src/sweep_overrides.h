#pragma once
// Command-line overrides (key=value) applied to a parsed sweep, as if its file were edited
// (SweepOverride in sweep_spec.h says what each form does).

#include <map>
#include <string>
#include <vector>

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {

// Applies `overrides` in order to `spec` as parsed from its file, before defaults are resolved:
// spec.fixed holds the file's top-level keys (their marks in `top_level_marks`, which gets the
// override's label for each key it sets) and spec.grids the file's grids. Throws SweepError
// marked with the override's label (no line or column) for text that is not key=value, a
// control character or invalid UTF-8, a value that is not YAML, an unknown key (with "did you
// mean"), a key overridden twice, grid or grids, and every value the file would reject. Sets
// spec.overrides and spec.overridden and appends a comment listing the overrides to
// spec.source_text.
void apply_overrides(const std::vector<SweepOverride>& overrides, SweepSpec& spec,
                     std::map<std::string, SourceMark, std::less<>>& top_level_marks);

}  // namespace comet::sweeps
