// Validation and normalisation of one value against its ParamDef.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <variant>

#include "edit_distance.h"
#include "scalar_text.h"
#include "text_bytes.h"

#include "comet/sweeps/param_schema.h"

namespace comet::sweeps {
namespace {

// Bounds are shown as written in the schema ("0", "1", "0.5"), not as canonical reals.
std::string bound_text(double bound) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, bound);
  return error == std::errc{} ? std::string(buffer, end) : std::to_string(bound);
}

std::string range_text(const ParamDef& def) {
  if (def.min && def.max) {
    return std::string("in ") + (def.min_exclusive ? "(" : "[") + bound_text(*def.min) + ", " +
           bound_text(*def.max) + (def.max_exclusive ? ")" : "]");
  }
  if (def.min) return (def.min_exclusive ? "> " : ">= ") + bound_text(*def.min);
  if (def.max) return (def.max_exclusive ? "< " : "<= ") + bound_text(*def.max);
  return "";
}

bool in_range(const ParamDef& def, double value) {
  if (def.min && (def.min_exclusive ? value <= *def.min : value < *def.min)) return false;
  if (def.max && (def.max_exclusive ? value >= *def.max : value > *def.max)) return false;
  return true;
}

// The value as the user wrote it, for messages: text is shown raw (quoted only when empty), so
// "p_k: 0 is out of range" quotes the file rather than the normalised 0.0. At most 80 bytes of
// it, control characters escaped (excerpt).
std::string shown(const ParamValue& value) {
  std::string text = to_display(value);
  return text.empty() ? "''" : excerpt(text);
}

std::string failure(const ParamDef& def, const std::string& written, const std::string& problem) {
  return def.name + ": " + written + " " + problem + "; allowed: " + def.describe_allowed();
}

std::optional<std::string> check_integer(const ParamDef& def, ParamValue& value) {
  const std::string written = shown(value);
  if (const auto* text = std::get_if<std::string>(&value)) {
    auto parsed = parse_integer_text(*text);
    if (!parsed) return failure(def, written, "is not an integer");
    value = *parsed;
  }
  const auto* integer = std::get_if<std::int64_t>(&value);
  if (integer == nullptr) return failure(def, written, "is not an integer");
  if (!in_range(def, static_cast<double>(*integer))) {
    return failure(def, written, "is out of range");
  }
  return std::nullopt;
}

std::optional<std::string> check_real(const ParamDef& def, ParamValue& value) {
  const std::string written = shown(value);
  if (const auto* text = std::get_if<std::string>(&value)) {
    auto parsed = parse_real_text(*text);
    if (!parsed) return failure(def, written, "is not a finite real number");
    value = *parsed;
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    value = static_cast<double>(*integer);
  }
  double real = std::get<double>(value);
  if (!std::isfinite(real)) return failure(def, written, "is not a finite real number");
  if (!in_range(def, real)) return failure(def, written, "is out of range");
  return std::nullopt;
}

std::optional<std::string> check_choice(const ParamDef& def, ParamValue& value) {
  if (!std::holds_alternative<std::string>(value)) value = to_display(value);
  const auto& text = std::get<std::string>(value);
  std::vector<std::string_view> choices(def.choices.begin(), def.choices.end());
  for (std::string_view choice : choices) {
    if (choice == text) return std::nullopt;
  }
  std::string hint = closest_name(text, choices);
  std::string problem = "is not one of the choices";
  if (!hint.empty()) problem += " (did you mean '" + hint + "'?)";
  return def.name + ": '" + excerpt(text) + "' " + problem + "; allowed: " + def.describe_allowed();
}

// Text values become file names (csv.file) and JSON in the database and the worker protocol:
// a NUL would cut a path short, and invalid UTF-8 is not JSON.
std::optional<std::string> check_text(const ParamDef& def, ParamValue& value) {
  if (!std::holds_alternative<std::string>(value)) value = to_display(value);
  const auto& text = std::get<std::string>(value);
  bool has_control = std::any_of(text.begin(), text.end(), [](char ch) {
    return is_control_byte(static_cast<unsigned char>(ch));
  });
  if (has_control || invalid_utf8_at(text) != std::string_view::npos) {
    return def.name + ": '" + excerpt(text) + "' holds " +
           (has_control ? "a control character" : "invalid UTF-8") +
           "; allowed: UTF-8 text without control characters";
  }
  return std::nullopt;
}

}  // namespace

std::string ParamDef::describe_allowed() const {
  switch (type) {
    case ParamType::integer:
    case ParamType::real: {
      std::string kind = type == ParamType::integer ? "an integer" : "a real";
      std::string range = range_text(*this);
      return range.empty() ? kind : kind + " " + range;
    }
    case ParamType::text:
      return "text";
    case ParamType::choice: {
      std::string list;
      for (const std::string& choice : choices) list += (list.empty() ? "" : ", ") + choice;
      return "one of: " + list;
    }
  }
  return "";
}

// Text is parsed for numeric keys (YAML scalars and command-line values arrive as text), an
// integer for a real key becomes a double, and a number for a text key becomes its text.
std::optional<std::string> ParamDef::check(ParamValue& value) const {
  switch (type) {
    case ParamType::integer:
      return check_integer(*this, value);
    case ParamType::real:
      return check_real(*this, value);
    case ParamType::choice:
      return check_choice(*this, value);
    case ParamType::text:
      return check_text(*this, value);
  }
  return std::nullopt;
}

}  // namespace comet::sweeps
