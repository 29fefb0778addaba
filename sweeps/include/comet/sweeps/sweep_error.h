#pragma once
// Errors in a sweep file or a sweep value: the user's input is wrong (CLI exit code 2).

#include <stdexcept>
#include <string>

namespace comet::sweeps {

// Where in a source file a value came from. line/column are 1-based; 0 means unknown.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", "file:line", "file" or "" depending on what is known.
  std::string to_string() const;
};

class SweepError : public std::runtime_error {
 public:
  SweepError(SourceMark mark, const std::string& message);
  const SourceMark& mark() const { return mark_; }
  const std::string& message() const { return message_; }

 private:
  SourceMark mark_;
  std::string message_;
};

}  // namespace comet::sweeps
