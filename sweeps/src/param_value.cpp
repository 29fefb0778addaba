#include "comet/sweeps/param_value.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "comet/sweeps/sweep_error.h"

namespace comet::sweeps {
namespace {

// Shortest text that reads back as the same double; ".0" is appended when it would
// otherwise read back as an integer ("1" -> "1.0", but "1e-07" stays).
std::string real_text(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc{}) throw std::logic_error("cannot format a real");
  std::string text(buffer, end);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x20) {
          out += "\\u00";
          out += kHexDigits[byte >> 4];
          out += kHexDigits[byte & 0xf];
        } else {
          out += ch;  // UTF-8 passes through unchanged
        }
      }
    }
  }
  out += '"';
}

const char* type_name(const ParamValue& value) {
  if (std::holds_alternative<std::int64_t>(value)) return "an integer";
  if (std::holds_alternative<double>(value)) return "a real";
  return "text";
}

template <typename T>
const T& typed_value(const TrialConfig& config, std::string_view key, const char* wanted) {
  const ParamValue& value = config.at(key);
  if (const T* typed = std::get_if<T>(&value)) return *typed;
  throw std::logic_error("trial parameter '" + std::string(key) + "' is " + type_name(value) +
                         ", not " + wanted);
}

ParamValue value_from_json(const nlohmann::json& value, const std::string& key) {
  using Kind = nlohmann::json::value_t;
  switch (value.type()) {
    case Kind::number_integer:
      return ParamValue{value.get<std::int64_t>()};
    case Kind::number_unsigned: {
      auto unsigned_value = value.get<std::uint64_t>();
      if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw SweepError({}, "trial config JSON: '" + key + "' does not fit a 64-bit integer");
      }
      return ParamValue{static_cast<std::int64_t>(unsigned_value)};
    }
    case Kind::number_float: {
      auto real = value.get<double>();
      if (!std::isfinite(real)) {
        throw SweepError({}, "trial config JSON: '" + key + "' is not a finite real");
      }
      return ParamValue{real};
    }
    case Kind::string:
      return ParamValue{value.get<std::string>()};
    default:
      throw SweepError({}, "trial config JSON: '" + key + "' is a JSON " +
                               std::string(value.type_name()) + "; allowed: a number or a string");
  }
}

}  // namespace

std::string to_display(const ParamValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* real = std::get_if<double>(&value)) return real_text(*real);
  return std::get<std::string>(value);
}

TrialConfig::TrialConfig(std::map<std::string, ParamValue, std::less<>> values)
    : values_(std::move(values)) {}

bool TrialConfig::has(std::string_view key) const { return values_.find(key) != values_.end(); }

const ParamValue& TrialConfig::at(std::string_view key) const {
  auto found = values_.find(key);
  if (found == values_.end()) {
    throw std::out_of_range("trial config has no parameter '" + std::string(key) + "'");
  }
  return found->second;
}

std::int64_t TrialConfig::integer(std::string_view key) const {
  return typed_value<std::int64_t>(*this, key, "an integer");
}

double TrialConfig::real(std::string_view key) const {
  return typed_value<double>(*this, key, "a real");
}

const std::string& TrialConfig::text(std::string_view key) const {
  return typed_value<std::string>(*this, key, "text");
}

void TrialConfig::set(std::string key, ParamValue value) {
  values_.insert_or_assign(std::move(key), std::move(value));
}

void TrialConfig::erase(std::string_view key) {
  if (auto found = values_.find(key); found != values_.end()) values_.erase(found);
}

std::string TrialConfig::canonical_json() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : values_) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, key);
    out += ':';
    if (const auto* text = std::get_if<std::string>(&value)) {
      append_json_string(out, *text);
    } else {
      if (const auto* real = std::get_if<double>(&value); real && !std::isfinite(*real)) {
        throw std::logic_error("trial parameter '" + key + "' is not finite");
      }
      out += to_display(value);
    }
  }
  out += '}';
  return out;
}

TrialConfig TrialConfig::from_json(std::string_view json) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& error) {
    throw SweepError({}, std::string("trial config JSON: ") + error.what());
  }
  if (!document.is_object()) {
    throw SweepError(
        {}, "trial config JSON is a " + std::string(document.type_name()) + "; allowed: an object");
  }
  TrialConfig config;
  for (const auto& [key, value] : document.items()) config.set(key, value_from_json(value, key));
  return config;
}

}  // namespace comet::sweeps
