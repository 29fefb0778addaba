#include "comet/results/trial_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <type_traits>
#include <variant>

#include "comet/results/comparison.h"
#include "comet/sweeps/param_value.h"

namespace comet::results {
namespace {

enum class Op { eq, ne, lt, le, gt, ge };

struct Condition {
  std::string key;
  Op op = Op::eq;
  std::string text;   // as written (for = and !=)
  double number = 0;  // for < <= > >=
};

std::optional<double> number_of(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') return std::nullopt;
  return value;
}

Condition parse_condition(const std::string& text) {
  // The first operator character splits key and value; two-character operators first.
  const auto at = text.find_first_of("=!<>");
  if (at == std::string::npos || at == 0) {
    throw QueryError(fmt::format(
        "condition '{}': expected key=value, key!=value or key<number (also <=, >, >=)", text));
  }
  Condition c;
  c.key = text.substr(0, at);
  std::size_t value_at = at + 1;
  const bool has_eq = at + 1 < text.size() && text[at + 1] == '=';
  switch (text[at]) {
    case '=':
      c.op = Op::eq;
      break;
    case '!':
      if (!has_eq) throw QueryError(fmt::format("condition '{}': '!' must be '!='", text));
      c.op = Op::ne;
      ++value_at;
      break;
    case '<':
      c.op = has_eq ? Op::le : Op::lt;
      value_at += has_eq;
      break;
    default:
      c.op = has_eq ? Op::ge : Op::gt;
      value_at += has_eq;
      break;
  }
  c.text = text.substr(value_at);
  if (c.op != Op::eq && c.op != Op::ne) {
    const auto number = number_of(c.text);
    if (!number) {
      throw QueryError(fmt::format("condition '{}': '{}' is not a number", text, c.text));
    }
    c.number = *number;
  }
  return c;
}

using Value = std::variant<std::monostate, double, std::string>;

Value column_value(const TrialRow& t, const std::string& key) {
  if (key == "id") return t.id;
  if (key == "status") return std::string(to_string(t.status));
  if (key == "epochs") return static_cast<double>(t.epochs_done);
  if (key == "best_val_acc") return t.best_val_acc ? Value(*t.best_val_acc) : Value{};
  if (key == "final_val_acc") return t.final_val_acc ? Value(*t.final_val_acc) : Value{};
  if (key == "params") {
    return t.trainable_parameters ? Value(static_cast<double>(*t.trainable_parameters)) : Value{};
  }
  if (!t.config.has(key)) return {};
  return std::visit(
      [](const auto& x) -> Value {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) {
          return x;
        } else {
          return static_cast<double>(x);
        }
      },
      t.config.at(key));
}

bool is_column(const std::string& key) {
  return std::find(std::begin(kSelectableColumns), std::end(kSelectableColumns), key) !=
         std::end(kSelectableColumns);
}

bool holds(const TrialRow& t, const Condition& c) {
  if (c.op == Op::eq || c.op == Op::ne) {
    bool equal = false;
    if (is_column(c.key)) {
      const Value v = column_value(t, c.key);
      if (const auto* text = std::get_if<std::string>(&v)) equal = *text == c.text;
      if (const auto* x = std::get_if<double>(&v)) equal = number_of(c.text) == *x;
    } else {
      equal = TrialFilter({c.key + "=" + c.text}).matches(t.config);
    }
    return c.op == Op::eq ? equal : !equal;
  }
  const Value v = column_value(t, c.key);
  const auto* x = std::get_if<double>(&v);
  if (x == nullptr) return false;
  switch (c.op) {
    case Op::lt:
      return *x < c.number;
    case Op::le:
      return *x <= c.number;
    case Op::gt:
      return *x > c.number;
    default:
      return *x >= c.number;
  }
}

// Numbers before texts, each in their own order; "no value" is handled by the caller.
bool value_less(const Value& a, const Value& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  if (const auto* x = std::get_if<double>(&a)) return *x < std::get<double>(b);
  return std::get<std::string>(a) < std::get<std::string>(b);
}

}  // namespace

TrialPage select_trials(const std::vector<TrialRow>& trials, const TrialSelection& selection) {
  std::vector<Condition> conditions;
  for (const auto& text : selection.where) conditions.push_back(parse_condition(text));
  std::vector<const TrialRow*> kept;
  for (const auto& t : trials) {
    if (selection.status && t.status != *selection.status) continue;
    if (std::all_of(conditions.begin(), conditions.end(),
                    [&](const Condition& c) { return holds(t, c); })) {
      kept.push_back(&t);
    }
  }
  if (!selection.sort.empty()) {
    std::vector<std::pair<Value, const TrialRow*>> keys;
    for (const auto* t : kept) keys.emplace_back(column_value(*t, selection.sort), t);
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
      const bool a_none = std::holds_alternative<std::monostate>(a.first);
      const bool b_none = std::holds_alternative<std::monostate>(b.first);
      if (a_none || b_none) return !a_none && b_none;
      return selection.descending ? value_less(b.first, a.first) : value_less(a.first, b.first);
    });
    for (std::size_t i = 0; i < keys.size(); ++i) kept[i] = keys[i].second;
  }
  TrialPage page;
  page.total = kept.size();
  const std::size_t begin = std::min(selection.offset, kept.size());
  const std::size_t end = begin + std::min(selection.limit, kept.size() - begin);
  for (std::size_t i = begin; i < end; ++i) page.trials.push_back(*kept[i]);
  return page;
}

}  // namespace comet::results
