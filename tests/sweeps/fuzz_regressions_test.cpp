// Inputs tests/fuzz/sweep_fuzzer found (docs/fuzzing.md), minimised here, and the original
// findings in tests/fuzz/findings/: each must now be one SweepError (or a valid sweep), fast.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "file_text.h"
#include "sweep_text.h"
#include "test_paths.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using testing::parse_error;

// yaml-cpp 0.7's LoadAll loops forever, allocating, on a ',' outside [ ] and { }
// (jbeder/yaml-cpp#1040): the fuzzer's first finding, a timeout.
TEST(FuzzRegressions, AStrayCommaIsASyntaxErrorNotAnEndlessLoop) {
  const std::string hint = "; a comma separates the items of [a, b] or {a: 1, b: 2}";
  EXPECT_EQ(parse_error(","), "bad.yaml:1:1: YAML syntax error: unexpected ','" + hint);
  EXPECT_EQ(parse_error(",\n"), "bad.yaml:1:1: YAML syntax error: unexpected ','" + hint);
  EXPECT_EQ(parse_error("\"a\","), "bad.yaml:1:4: YAML syntax error: unexpected ','" + hint);
  EXPECT_EQ(parse_error("# a comment\n,u   sigmoid]\n"),
            "bad.yaml:2:1: YAML syntax error: unexpected ','" + hint);
  // A second document is still named as one.
  EXPECT_EQ(parse_error("name: t\n---\nname: u\n"),
            "bad.yaml:3:1: a sweep file holds one YAML document; this is a second one");
}

// Every saved finding parses to a SweepError or a sweep, and expands if it parses.
TEST(FuzzRegressions, SavedFindingsEndInASweepError) {
  const auto folder = std::filesystem::path(comet::testing::kSourceDir) / "tests/fuzz/findings";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    ++files;
    const std::string text = testing::slurp(entry.path());
    try {
      expand_trials(parse_sweep_text(text, entry.path().filename().string()));
    } catch (const SweepError&) {
    }
  }
  EXPECT_GE(files, 1);
}

}  // namespace
}  // namespace comet::sweeps
