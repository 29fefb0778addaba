#include "comet/cli/table_printer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace comet::cli {
namespace {

Table sample() {
  Table t;
  t.columns = {{"name"}, {"n"}, {"acc", 4}, {"lr"}};
  t.rows.push_back({std::string("comet"), std::int64_t{3}, 0.81234, 1e-3});
  t.rows.push_back({std::string("a,\"b\""), std::int64_t{12}, std::monostate{}, 0.5});
  return t;
}

TEST(TablePrinter, AlignedTableRightAlignsNumbersAndDashesEmptyCells) {
  std::ostringstream out;
  print_table(sample(), OutputFormat::table, out);
  EXPECT_EQ(out.str(),
            "name    n     acc     lr\n"
            "comet   3  0.8123  0.001\n"
            "a,\"b\"  12       -    0.5\n");
}

TEST(TablePrinter, CsvQuotesPerRfc4180) {
  std::ostringstream out;
  print_table(sample(), OutputFormat::csv, out);
  EXPECT_EQ(out.str(), "name,n,acc,lr\r\ncomet,3,0.8123,0.001\r\n\"a,\"\"b\"\"\",12,,0.5\r\n");
}

TEST(TablePrinter, JsonParsesBackWithTypes) {
  std::ostringstream out;
  print_table(sample(), OutputFormat::json, out);
  auto j = nlohmann::json::parse(out.str());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["name"], "comet");
  EXPECT_EQ(j[0]["n"], 3);
  EXPECT_DOUBLE_EQ(j[0]["acc"].get<double>(), 0.81234);  // full precision in JSON
  EXPECT_TRUE(j[1]["acc"].is_null());
  EXPECT_EQ(j[1]["name"], "a,\"b\"");
}

TEST(TablePrinter, ParsesFormatNames) {
  EXPECT_EQ(parse_output_format("csv"), OutputFormat::csv);
  EXPECT_THROW(parse_output_format("xml"), std::invalid_argument);
}

}  // namespace
}  // namespace comet::cli
