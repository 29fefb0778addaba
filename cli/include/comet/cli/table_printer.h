#pragma once
// One printer interface (table, csv, json) over one list of fields.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace comet::cli {

enum class OutputFormat { table, csv, json };
OutputFormat parse_output_format(std::string_view text);  // throws std::invalid_argument

using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

struct Column {
  std::string name;
  int decimals = -1;  // fixed decimals for reals in table/csv; -1: shortest round-trip
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

// table: aligned columns for a terminal (numbers right-aligned, "-" for empty);
// csv: RFC 4180 with a header line; json: an array of objects, one per row, typed values
// (null for empty), keys = column names.
void print_table(const Table& table, OutputFormat format, std::ostream& out);

}  // namespace comet::cli
