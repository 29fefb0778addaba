#pragma once
// A resolved hyper-parameter value and a trial's full configuration.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace comet::sweeps {

// integer, real or text. A real is always a double, even when written "1" in YAML
// (normalised by the schema), so equal configurations have equal canonical JSON.
using ParamValue = std::variant<std::int64_t, double, std::string>;

// "1e-3" style shortest round-trip text for reals, plain digits for integers, raw text for text.
std::string to_display(const ParamValue& value);

// Every parameter of one trial, defaults resolved. Keys are sorted (std::map).
class TrialConfig {
 public:
  TrialConfig() = default;
  explicit TrialConfig(std::map<std::string, ParamValue, std::less<>> values);

  bool has(std::string_view key) const;
  const ParamValue& at(std::string_view key) const;  // throws std::out_of_range naming the key
  std::int64_t integer(std::string_view key) const;  // throws std::logic_error on a type mismatch
  double real(std::string_view key) const;
  const std::string& text(std::string_view key) const;

  void set(std::string key, ParamValue value);
  void erase(std::string_view key);  // nothing happens when the key is absent
  const std::map<std::string, ParamValue, std::less<>>& values() const { return values_; }

  // Canonical JSON: keys sorted, no whitespace, integers as digits, reals in shortest
  // round-trip form (std::to_chars) with ".0" appended when that form has no '.' or 'e'
  // (so a real never reads back as an integer), strings escaped per RFC 8259. Reals are
  // finite. Equal configurations give byte-identical text.
  std::string canonical_json() const;
  // Inverse of canonical_json (accepts any JSON object of numbers and strings; a JSON number
  // with '.', 'e' or 'E' becomes a real, otherwise an integer). Throws SweepError on bad text.
  static TrialConfig from_json(std::string_view json);

  friend bool operator==(const TrialConfig&, const TrialConfig&) = default;

 private:
  std::map<std::string, ParamValue, std::less<>> values_;
};

}  // namespace comet::sweeps
