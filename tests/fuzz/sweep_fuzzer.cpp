// libFuzzer target of the sweeps library: bytes -> parse_sweep_text (with overrides) ->
// expand_trials, and the invariants every accepted sweep must keep. Built only with
// -DCOMET_FUZZ=ON and clang (scripts/fuzz.sh; docs/fuzzing.md).
//
// Input: a sweep file's bytes. Lines that start with "#=" (YAML comments, so the file parses
// the same without them) are also given as command-line overrides, in order: "#=epochs=2".
// A SweepError is the expected answer to bad input; any other exception, a sanitizer report, a
// broken invariant (abort), a timeout or running out of memory is a finding.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace {

using comet::sweeps::SweepOverride;

// Expanding a sweep of tens of thousands of trials is correct but slow under the sanitizers;
// the fuzzer's time is better spent on more inputs (the limit itself is unit-tested).
constexpr std::size_t kMaxTrialsExpanded = 5000;

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}

std::vector<SweepOverride> overrides_in(std::string_view text) {
  std::vector<SweepOverride> overrides;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.starts_with("#=")) {
      overrides.push_back({.text = std::string(line.substr(2)),
                           .origin = "line " + std::to_string(overrides.size())});
    }
    start = end + 1;
  }
  return overrides;
}

std::size_t planned_trials(const comet::sweeps::SweepSpec& spec) {
  std::size_t total = spec.grids.empty() ? 1 : 0;
  for (const auto& grid : spec.grids) {
    std::size_t product = 1;
    for (const auto& axis : grid.axes) {
      product = product > kMaxTrialsExpanded ? product : product * axis.values.size();
    }
    total += product > kMaxTrialsExpanded ? kMaxTrialsExpanded + 1 : product;
  }
  return total;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char ch = name[i];
    const bool alphanumeric =
        (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (!alphanumeric && (i == 0 || (ch != '_' && ch != '.' && ch != '-'))) return false;
  }
  return true;
}

void check_trials(const comet::sweeps::SweepSpec& spec,
                  const std::vector<comet::sweeps::TrialSpec>& trials) {
  if (trials.empty()) broken("an accepted sweep expanded to no trials");
  if (trials.size() > comet::sweeps::kMaxTrials) broken("more trials than kMaxTrials");
  std::set<std::string> ids;
  for (const auto& trial : trials) {
    if (!comet::sweeps::is_trial_id(trial.id)) broken("id '" + trial.id + "' is not a trial id");
    if (!ids.insert(trial.id).second) broken("two trials share id " + trial.id);
    if (comet::sweeps::trial_id(trial.config) != trial.id) broken("id does not hash its config");
    const std::string json = trial.config.canonical_json();
    // The database and the worker protocol read configs back with nlohmann::json.
    if (!nlohmann::json::accept(json)) broken("canonical JSON that nlohmann rejects: " + json);
    if (comet::sweeps::TrialConfig::from_json(json) != trial.config) {
      broken("canonical JSON does not read back: " + json);
    }
    for (const auto& def : comet::sweeps::param_schema()) {
      if (def.applies_to(trial.config) != trial.config.has(def.name)) {
        broken("key " + def.name + " present where it does not apply, or missing: " + json);
      }
    }
  }
  (void)comet::sweeps::axis_keys(spec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto spec = comet::sweeps::parse_sweep_text(text, "fuzz.yaml", overrides_in(text));
    if (!valid_name(spec.name)) broken("accepted the sweep name '" + spec.name + "'");
    if (planned_trials(spec) > kMaxTrialsExpanded) return 0;
    check_trials(spec, comet::sweeps::expand_trials(spec));
  } catch (const comet::sweeps::SweepError& error) {
    // Messages are shown on a terminal: no control characters.
    for (char ch : std::string_view(error.what())) {
      const auto byte = static_cast<unsigned char>(ch);
      if (byte < 0x20 || byte == 0x7f) broken(std::string("control byte in: ") + error.what());
    }
  }
  return 0;
}
