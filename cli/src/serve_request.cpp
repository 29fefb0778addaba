#include "serve_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace comet::cli {
namespace {

bool is_key(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
  });
}

// A value shown in a message: at most 40 bytes, control characters as \xNN.
std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7f ? fmt::format("\\x{:02x}", u) : std::string(1, c);
  }
  return text.size() > 40 ? out + "..." : out;
}

}  // namespace

bool is_plain_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Lead byte: 2, 3 or 4 bytes (no overlong 0xc0/0xc1, nothing above U+10FFFF).
    const std::size_t length = c >= 0xc2 && c <= 0xdf   ? 2
                               : c >= 0xe0 && c <= 0xef ? 3
                               : c >= 0xf0 && c <= 0xf4 ? 4
                                                        : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

bool is_sweep_name(std::string_view text) {
  return !text.empty() && text.size() <= 64 &&
         std::isalnum(static_cast<unsigned char>(text[0])) != 0 &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' ||
                  c == '-';
         });
}

bool is_trial_prefix(std::string_view text) {
  return !text.empty() && text.size() <= 16 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

QueryParams::QueryParams(const QueryList& params, std::initializer_list<std::string_view> allowed,
                         std::initializer_list<std::string_view> repeatable)
    : params_(params) {
  if (params.size() > kMaxParams) {
    throw ApiError(
        400, fmt::format("{} query parameters; at most {} are allowed", params.size(), kMaxParams));
  }
  for (const auto& [name, value] : params) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string names;
      for (const auto n : allowed) names += (names.empty() ? "" : ", ") + std::string(n);
      throw ApiError(400, fmt::format("unknown parameter '{}'; allowed: {}", shown(name),
                                      names.empty() ? "none" : names));
    }
    if (value.size() > kMaxValueBytes) {
      throw ApiError(400, fmt::format("parameter '{}' has {} bytes; at most {} are allowed", name,
                                      value.size(), kMaxValueBytes));
    }
    if (!is_plain_text(value)) {
      throw ApiError(400, fmt::format("parameter '{}': '{}' is not UTF-8 text without control "
                                      "characters",
                                      name, shown(value)));
    }
    const bool repeats = std::find(repeatable.begin(), repeatable.end(), name) != repeatable.end();
    if (!repeats && all(name).size() > 1) {
      throw ApiError(400, fmt::format("parameter '{}' is given twice; give it once", name));
    }
  }
}

std::optional<std::string> QueryParams::text(std::string_view name) const {
  for (const auto& [n, value] : params_) {
    if (n == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> QueryParams::all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [n, value] : params_) {
    if (n == name) values.push_back(value);
  }
  return values;
}

std::string QueryParams::key(std::string_view name, const std::string& fallback,
                             bool allow_none) const {
  const auto value = text(name);
  if (!value) return fallback;
  if (allow_none && (value->empty() || *value == "none")) return "";
  if (!is_key(*value)) {
    throw ApiError(400, fmt::format("parameter '{}': '{}' is not a config key (letters, digits, "
                                    "_ and ., at most 64){}",
                                    name, shown(*value), allow_none ? ", or none" : ""));
  }
  return *value;
}

std::string QueryParams::choice(std::string_view name, const std::string& fallback,
                                std::initializer_list<std::string_view> choices) const {
  const auto value = text(name);
  if (!value) return fallback;
  if (std::find(choices.begin(), choices.end(), *value) == choices.end()) {
    std::string allowed;
    for (const auto c : choices) allowed += (allowed.empty() ? "" : ", ") + std::string(c);
    throw ApiError(400, fmt::format("parameter '{}': '{}' is not allowed; allowed: {}", name,
                                    shown(*value), allowed));
  }
  return *value;
}

std::size_t QueryParams::number(std::string_view name, std::size_t fallback, std::size_t low,
                                std::size_t high) const {
  const auto value = text(name);
  if (!value) return fallback;
  std::size_t parsed = 0;
  const auto* end = value->data() + value->size();
  const auto [ptr, error] = std::from_chars(value->data(), end, parsed);
  if (value->empty() || error != std::errc() || ptr != end || parsed < low || parsed > high) {
    throw ApiError(400, fmt::format("parameter '{}': '{}' is not a whole number in [{}, {}]", name,
                                    shown(*value), low, high));
  }
  return parsed;
}

}  // namespace comet::cli
