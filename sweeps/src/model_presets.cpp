#include "model_presets.h"

#include <array>

namespace comet::sweeps {
namespace {

constexpr std::array<SizePreset, 3> kSizePresets{{
    {"small", 768, 12, 12},
    {"medium", 1024, 24, 16},
    {"large", 1280, 36, 20},
}};
constexpr const char* kPresetKeys[] = {"dim", "depth", "heads"};

bool sets_preset(const ParamValue& value) { return to_display(value) != "custom"; }

}  // namespace

const SizePreset* find_size_preset(std::string_view name) {
  for (const SizePreset& preset : kSizePresets) {
    if (name == preset.name) return &preset;
  }
  return nullptr;
}

void apply_size_preset(TrialConfig& config) {
  if (!config.has("size")) return;
  const SizePreset* preset = find_size_preset(config.text("size"));
  if (preset == nullptr) return;  // custom: the trial's own dim, depth, heads
  config.set("dim", ParamValue(preset->dim));
  config.set("depth", ParamValue(preset->depth));
  config.set("heads", ParamValue(preset->heads));
}

std::optional<ParamValue> derived_width(const TrialConfig& config) {
  if (!config.has("arch") || config.text("arch") != "gpt2" || !config.has("dim")) {
    return std::nullopt;
  }
  return ParamValue(std::int64_t{4} * config.integer("dim"));
}

const ParamDef* apply_derived_defaults(TrialConfig& config) {
  for (const ParamDef& def : param_schema()) {
    if (def.derive_default == nullptr || config.has(def.name)) continue;
    std::optional<ParamValue> value = def.derive_default(config);
    if (!value) return &def;
    config.set(def.name, *value);
  }
  return nullptr;
}

bool some_trial_derives(const SweepSpec& spec, const ParamDef& def) {
  if (def.derive_default != derived_width) return true;
  auto is_gpt2 = [](const ParamValue& value) { return to_display(value) == "gpt2"; };
  if (spec.fixed.has("arch") && is_gpt2(spec.fixed.at("arch"))) return true;
  for (const Grid& grid : spec.grids) {
    for (const GridAxis& axis : grid.axes) {
      if (axis.key != "arch") continue;
      for (const ParamValue& value : axis.values) {
        if (is_gpt2(value)) return true;
      }
    }
  }
  return false;
}

void check_size_conflicts(const SweepSpec& spec,
                          const std::map<std::string, SourceMark, std::less<>>& top_level) {
  // The size values and the preset keys a grid's trials get: the top level's, or the grid's.
  auto check = [&](const Grid* grid) {
    std::optional<SourceMark> size_mark;
    bool presets = false;
    if (auto top = top_level.find("size"); top != top_level.end()) {
      size_mark = top->second;
      presets = sets_preset(spec.fixed.at("size"));
    }
    if (grid != nullptr) {
      for (const GridAxis& axis : grid->axes) {
        if (axis.key != "size") continue;
        size_mark = axis.mark;
        for (const ParamValue& value : axis.values) presets = presets || sets_preset(value);
      }
    }
    if (!presets) return;
    for (const char* key : kPresetKeys) {
      std::optional<SourceMark> mark;
      if (auto top = top_level.find(key); top != top_level.end()) mark = top->second;
      if (grid != nullptr) {
        for (const GridAxis& axis : grid->axes) {
          if (axis.key == key) mark = axis.mark;
        }
      }
      if (mark) {
        throw SweepError(*mark, std::string(key) +
                                    " is set by size (small: dim 768, depth 12, heads 12; "
                                    "medium: 1024, 24, 16; large: 1280, 36, 20); give size: "
                                    "custom to choose dim, depth and heads yourself (size is at "
                                    "line " +
                                    std::to_string(size_mark->line) + ")");
      }
    }
  };
  if (spec.grids.empty()) check(nullptr);
  for (const Grid& grid : spec.grids) check(&grid);
}

}  // namespace comet::sweeps
