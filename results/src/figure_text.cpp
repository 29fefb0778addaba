// The names a figure request is written in: metrics, output formats, gnuplot string literals.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "comet/results/figures.h"

namespace comet::results {

MetricKey parse_metric(std::string_view metric) {
  static constexpr std::string_view kMetrics[] = {"val_acc",    "val_loss",  "train_acc",
                                                  "train_loss", "test_acc",  "test_loss",
                                                  "val_ppl",    "train_ppl", "test_ppl"};
  if (std::find(std::begin(kMetrics), std::end(kMetrics), metric) == std::end(kMetrics)) {
    throw FigureError(
        fmt::format("unknown metric '{}'; allowed: val_acc, val_loss, train_acc, "
                    "train_loss, test_acc, test_loss, val_ppl, train_ppl, test_ppl (language "
                    "models)",
                    metric));
  }
  const auto underscore = metric.find('_');
  return MetricKey{std::string(metric.substr(0, underscore)),
                   std::string(metric.substr(underscore + 1))};
}

FigureFormat figure_format_of(const std::filesystem::path& output) {
  std::string extension = output.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".pdf") return FigureFormat::pdf;
  if (extension == ".png") return FigureFormat::png;
  if (extension == ".svg") return FigureFormat::svg;
  throw FigureError(fmt::format(
      "cannot tell the figure format of '{}' from its extension '{}'; use .pdf, .png or .svg",
      output.string(), extension));
}

std::string gnuplot_string(std::string_view text) {
  // In a double-quoted gnuplot string only backslash escapes are interpreted; a newline in the
  // text would end the command, so it becomes \n (which gnuplot turns back into a line break).
  std::string quoted = "\"";
  for (const char c : text) {
    switch (c) {
      case '\\':
        quoted += "\\\\";
        break;
      case '"':
        quoted += "\\\"";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\r':
      case '\t':
        quoted += ' ';
        break;
      default:
        quoted += c;
    }
  }
  return quoted + "\"";
}

}  // namespace comet::results
