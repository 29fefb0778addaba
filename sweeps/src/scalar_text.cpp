#include "scalar_text.h"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace comet::sweeps {
namespace {

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

// Advances past a run of digits; returns how many there were.
std::size_t skip_digits(std::string_view text, std::size_t& position) {
  std::size_t start = position;
  while (position < text.size() && is_digit(text[position])) ++position;
  return position - start;
}

// std::from_chars rejects a leading '+', which YAML allows.
std::string_view without_plus(std::string_view text) {
  return !text.empty() && text.front() == '+' ? text.substr(1) : text;
}

bool has_real_syntax(std::string_view text) {
  std::size_t position = 0;
  if (position < text.size() && (text[position] == '+' || text[position] == '-')) ++position;
  std::size_t digits = skip_digits(text, position);
  if (position < text.size() && text[position] == '.') {
    ++position;
    digits += skip_digits(text, position);
  }
  if (digits == 0) return false;
  if (position < text.size() && (text[position] == 'e' || text[position] == 'E')) {
    ++position;
    if (position < text.size() && (text[position] == '+' || text[position] == '-')) ++position;
    if (skip_digits(text, position) == 0) return false;
  }
  return position == text.size();
}

}  // namespace

std::optional<std::int64_t> parse_integer_text(std::string_view text) {
  std::string_view digits = without_plus(text);
  std::size_t first_digit = !digits.empty() && digits.front() == '-' ? 1 : 0;
  if (digits.size() == first_digit) return std::nullopt;
  for (std::size_t i = first_digit; i < digits.size(); ++i) {
    if (!is_digit(digits[i])) return std::nullopt;
  }
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_real_text(std::string_view text) {
  if (!has_real_syntax(text)) return std::nullopt;
  std::string_view number = without_plus(text);
  double value = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc{} || end != number.data() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace comet::sweeps
