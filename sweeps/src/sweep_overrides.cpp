#include "sweep_overrides.h"

#include <algorithm>
#include <string_view>

#include "axis_order.h"
#include "sweep_entries.h"
#include "text_bytes.h"
#include "yaml_nodes.h"

namespace comet::sweeps {
namespace {

constexpr std::string_view kForm = "give key=value, e.g. epochs=2 or 'width=[100, 200]'";

struct ParsedOverride {
  std::string key;
  YAML::Node value;
};

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

ParsedOverride parse_override_text(const SweepOverride& override_arg, const SourceMark& mark) {
  const std::string& text = override_arg.text;
  if (text.size() > kMaxSweepFileBytes) {
    throw SweepError(mark, "the override is " + std::to_string(text.size()) +
                               " bytes, more than a sweep file may have");
  }
  if (std::any_of(text.begin(), text.end(),
                  [](char ch) { return is_control_byte(static_cast<unsigned char>(ch)); })) {
    throw SweepError(mark, "an override holds a control character (a line break, a tab, ...); " +
                               std::string(kForm));
  }
  if (invalid_utf8_at(text) != std::string_view::npos) {
    throw SweepError(mark, "an override holds invalid UTF-8; " + std::string(kForm));
  }
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) throw SweepError(mark, "no '=' in it; " + std::string(kForm));
  ParsedOverride parsed{.key = std::string(trimmed(std::string_view(text).substr(0, equals))),
                        .value = {}};
  if (parsed.key.empty()) throw SweepError(mark, "no key before '='; " + std::string(kForm));
  // The value is parsed in place of the whole argument, "key=" blanked out, so that columns in
  // messages count from the argument's start.
  std::string value_text = std::string(equals + 1, ' ') + text.substr(equals + 1);
  try {
    parsed.value = load_single_document(value_text, mark.file);
  } catch (const SweepError& error) {
    throw SweepError(mark, "value '" + excerpt(text.substr(equals + 1)) + "': " + error.message());
  }
  return parsed;
}

void set_single_value(SweepSpec& spec, std::map<std::string, SourceMark, std::less<>>& marks,
                      const std::string& key, ParamValue value, const SourceMark& mark) {
  for (Grid& grid : spec.grids) {
    std::erase_if(grid.axes, [&](const GridAxis& axis) { return axis.key == key; });
  }
  spec.fixed.set(key, std::move(value));
  marks.insert_or_assign(key, mark);
}

void set_axis(SweepSpec& spec, std::map<std::string, SourceMark, std::less<>>& marks,
              const GridAxis& axis) {
  bool replaced = false;
  for (Grid& grid : spec.grids) {
    for (GridAxis& existing : grid.axes) {
      if (existing.key == axis.key) {
        existing = axis;
        replaced = true;
      }
    }
  }
  if (replaced) return;
  // No grid varies the key: it leaves the top level and becomes an axis of every grid.
  spec.fixed.erase(axis.key);
  marks.erase(axis.key);
  if (spec.grids.empty()) spec.grids.push_back(Grid{.axes = {}, .mark = axis.mark});
  for (Grid& grid : spec.grids) {
    grid.axes.push_back(axis);
    order_axes_for_expansion(grid.axes);
  }
}

void apply_override(const ParsedOverride& parsed, const SourceMark& mark, SweepSpec& spec,
                    std::map<std::string, SourceMark, std::less<>>& marks) {
  const MapEntry entry{
      .key = parsed.key, .key_mark = mark, .value = parsed.value, .value_mark = mark};
  if (parsed.key == kNameKey) {
    spec.name = parse_name(entry);
    return;
  }
  if (parsed.key == kGridKey || parsed.key == kGridsKey) {
    throw SweepError(mark, parsed.key +
                               " cannot be overridden; override its axes instead, e.g. "
                               "'width=[100, 200]' or seed=[0,1,2]");
  }
  const ParamDef& def = known_param(entry, /*in_grid=*/false);
  if (parsed.value.IsSequence()) {
    set_axis(spec, marks, parse_axis(mark.file, def, entry));
  } else {
    set_single_value(spec, marks, parsed.key, parse_fixed_value(def, entry), mark);
  }
}

}  // namespace

std::string SweepOverride::label() const {
  std::string label = "override '" + excerpt(text) + "'";
  if (!origin.empty()) label += " (" + origin + ")";
  return label;
}

void apply_overrides(const std::vector<SweepOverride>& overrides, SweepSpec& spec,
                     std::map<std::string, SourceMark, std::less<>>& top_level_marks) {
  std::string listed;
  for (const SweepOverride& override_arg : overrides) {
    const SourceMark mark{.file = override_arg.label()};
    const ParsedOverride parsed = parse_override_text(override_arg, mark);
    auto [earlier, is_new] = spec.overridden.emplace(parsed.key, mark);
    if (!is_new) {
      throw SweepError(mark, parsed.key + " is overridden twice (also by " + earlier->second.file +
                                 "); give each key once");
    }
    try {
      apply_override(parsed, mark, spec, top_level_marks);
    } catch (const SweepError& error) {
      // Lines and columns inside an override's value say little beside its label.
      if (error.mark().line == 0) throw;
      throw SweepError(mark, error.message());
    }
    listed += " " + override_arg.text;
  }
  spec.overrides = overrides;
  if (!overrides.empty()) {
    // A comment: the text still parses to the file's sweep, and says what changed it.
    if (!spec.source_text.empty() && spec.source_text.back() != '\n') spec.source_text += '\n';
    spec.source_text += "# comet run overrides:" + listed + "\n";
  }
}

}  // namespace comet::sweeps
