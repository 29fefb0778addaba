#pragma once
// A whole file as a string (binary-safe), for assertions on what a command wrote.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace comet::testing {

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace comet::testing
