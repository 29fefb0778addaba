#pragma once
// The checks every `comet serve` API request passes before anything is read: known parameter
// names only, bounded counts and lengths, UTF-8 text without control characters, names and ids
// of a fixed shape. A request that fails one is answered 400 and reads nothing.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace comet::cli {

// An answer other than 200, with its message (sent as {"error": ..., "status": ...}).
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

inline constexpr std::size_t kMaxParams = 32;
inline constexpr std::size_t kMaxValueBytes = 256;

using QueryList = std::vector<std::pair<std::string, std::string>>;

class QueryParams {
 public:
  // Throws ApiError(400) for a name not in `allowed`, a name given twice that is not in
  // `repeatable`, more than kMaxParams parameters, or a value over kMaxValueBytes, holding a
  // control character or not UTF-8.
  QueryParams(const QueryList& params, std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> repeatable = {});

  std::optional<std::string> text(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  // A config key (letters, digits, _ and ., at most 64), or "" for "none"/absent when
  // `allow_none`; `fallback` when absent.
  std::string key(std::string_view name, const std::string& fallback, bool allow_none) const;
  // One of `choices`; `fallback` when absent.
  std::string choice(std::string_view name, const std::string& fallback,
                     std::initializer_list<std::string_view> choices) const;
  // A decimal integer in [low, high]; `fallback` when absent.
  std::size_t number(std::string_view name, std::size_t fallback, std::size_t low,
                     std::size_t high) const;

 private:
  QueryList params_;
};

// A sweep name as the sweep parser allows it: 1 to 64 of A-Z a-z 0-9 _ . -, first alphanumeric.
bool is_sweep_name(std::string_view text);
// A trial id or a prefix of one: 1 to 16 lower-case hex digits.
bool is_trial_prefix(std::string_view text);
// UTF-8 text without control characters (what every parameter value must be).
bool is_plain_text(std::string_view text);

}  // namespace comet::cli
