#include "comet/sweeps/sweep_error.h"

#include <utility>

#include "text_bytes.h"

namespace comet::sweeps {

std::string SourceMark::to_string() const {
  std::string text = file;
  // A column without a line says nothing, so it is only shown after a line.
  if (line > 0) {
    if (!text.empty()) text += ':';
    text += std::to_string(line);
    if (column > 0) text += ':' + std::to_string(column);
  }
  return text;
}

namespace {

// Control characters and invalid UTF-8 (from a file name, or a value written with YAML
// escapes such as "\e[2J") are shown as \xNN: a message must not drive the user's terminal.
std::string located_message(const SourceMark& mark, const std::string& message) {
  std::string where = mark.to_string();
  return printable(where.empty() ? message : where + ": " + message);
}

}  // namespace

SweepError::SweepError(SourceMark mark, const std::string& message)
    : std::runtime_error(located_message(mark, message)),
      mark_(std::move(mark)),
      message_(printable(message)) {}

}  // namespace comet::sweeps
