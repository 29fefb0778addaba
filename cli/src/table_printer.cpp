#include "comet/cli/table_printer.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

namespace comet::cli {

OutputFormat parse_output_format(std::string_view text) {
  if (text == "table") return OutputFormat::table;
  if (text == "csv") return OutputFormat::csv;
  if (text == "json") return OutputFormat::json;
  throw std::invalid_argument("format '" + std::string(text) + "'; allowed: table, csv, json");
}

namespace {

std::string shortest(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : fmt::format("{}", v);
}

std::string render(const Cell& cell, const Column& column, bool empty_as_dash) {
  struct Visitor {
    const Column& column;
    bool dash;
    std::string operator()(std::monostate) const { return dash ? "-" : ""; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      return column.decimals >= 0 ? fmt::format("{:.{}f}", v, column.decimals) : shortest(v);
    }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{column, empty_as_dash}, cell);
}

bool is_number(const Cell& cell) {
  return std::holds_alternative<std::int64_t>(cell) || std::holds_alternative<double>(cell);
}

// Display width in code points (UTF-8 continuation bytes do not count), for "±" etc.
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void print_aligned(const Table& t, std::ostream& out) {
  const auto columns = t.columns.size();
  std::vector<std::size_t> width(columns);
  std::vector<bool> numeric(columns, false);  // a column with any number is right-aligned
  std::vector<std::vector<std::string>> text;
  for (std::size_t c = 0; c < columns; ++c) width[c] = display_width(t.columns[c].name);
  for (const auto& row : t.rows) {
    auto& line = text.emplace_back();
    for (std::size_t c = 0; c < columns; ++c) {
      line.push_back(render(row[c], t.columns[c], true));
      width[c] = std::max(width[c], display_width(line.back()));
      numeric[c] = numeric[c] || is_number(row[c]);
    }
  }
  auto emit = [&](auto cell_text) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string s = cell_text(c);
      const std::string fill(width[c] - display_width(s), ' ');
      line += (c ? "  " : "") + (numeric[c] ? fill + s : s + fill);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  };
  emit([&](std::size_t c) { return t.columns[c].name; });
  for (const auto& line : text) emit([&](std::size_t c) { return line[c]; });
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

void print_csv(const Table& t, std::ostream& out) {
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    out << (c ? "," : "") << csv_field(t.columns[c].name);
  }
  out << "\r\n";
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      out << (c ? "," : "") << csv_field(render(row[c], t.columns[c], false));
    }
    out << "\r\n";
  }
}

void print_json(const Table& t, std::ostream& out) {
  auto array = nlohmann::ordered_json::array();
  for (const auto& row : t.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      std::visit(
          [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>) {
              object[t.columns[c].name] = nullptr;
            } else {
              object[t.columns[c].name] = v;
            }
          },
          row[c]);
    }
    array.push_back(std::move(object));
  }
  out << array.dump(2) << "\n";
}

}  // namespace

void print_table(const Table& table, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::table:
      print_aligned(table, out);
      break;
    case OutputFormat::csv:
      print_csv(table, out);
      break;
    case OutputFormat::json:
      print_json(table, out);
      break;
  }
}

}  // namespace comet::cli
