// The `comet` binary on hostile input: overrides as arguments (their positions in messages),
// --yes, and the limits in --help.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "file_text.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace comet::cli {
namespace {

struct HostileOutcome {
  int exit_code = -1;
  std::string out, err;
};

// `comet ARGS` in `dir`, stdout and stderr captured.
HostileOutcome hostile_comet(const testing::TempDir& dir, const std::string& args) {
  const auto out = dir / "hostile.out", err = dir / "hostile.err";
  const std::string command = "cd '" + dir.path().string() + "' && '" + testing::kCometBinary +
                              "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  HostileOutcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = testing::slurp(out);
  outcome.err = testing::slurp(err);
  return outcome;
}

const std::string kHostileBinarySweep =
    "name: hb\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 8\n";

TEST(HostileBinary, OverrideErrorsNameTheArgument) {
  testing::TempDir dir;
  std::ofstream(dir / "s.yaml") << kHostileBinarySweep;
  const auto bad = hostile_comet(dir, "run s.yaml epochs=2 p_k=1.5 --db x.db");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "comet: error: override 'p_k=1.5' (argument 4): p_k: 1.5 is out of range; allowed: a "
            "real in (0, 1]\n");
  // Options may come first; the position still counts every argument.
  const auto typo = hostile_comet(dir, "run --db x.db s.yaml 'widht=[8, 16]'");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_EQ(typo.err,
            "comet: error: override 'widht=[8, 16]' (argument 5): unknown key 'widht'; did you "
            "mean 'width'?\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "x.db"));
}

TEST(HostileBinary, DryRunAppliesOverrides) {
  testing::TempDir dir;
  std::ofstream(dir / "s.yaml") << kHostileBinarySweep;
  const auto plan = hostile_comet(dir, "run s.yaml --dry-run 'width=[8,16,32]' seed=4");
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("sweep 'hb': 3 trials, 3 to run"), std::string::npos) << plan.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "comet.db"));
}

TEST(HostileBinary, ALargeSweepNeedsYes) {
  testing::TempDir dir;
  std::string seeds;
  for (int seed = 0; seed < 1500; ++seed) seeds += (seed == 0 ? "" : ", ") + std::to_string(seed);
  std::ofstream(dir / "big.yaml") << kHostileBinarySweep << "grid:\n  seed: [" << seeds << "]\n";
  const auto refused = hostile_comet(dir, "run big.yaml");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err,
            "comet: error: big.yaml: the sweep has 1500 trials (grid: 1500 seed), more than the "
            "1000 comet run starts without confirmation; look at the plan with --dry-run, then "
            "pass --yes to run them all\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "comet.db"));
  // With --yes (-y) the run goes on to the data, which is missing here.
  const auto confirmed = hostile_comet(dir, "run big.yaml -y --data-root nowhere");
  EXPECT_EQ(confirmed.exit_code, 2);
  EXPECT_NE(confirmed.err.find("comet: data error: dataset 'mnist': missing data file"),
            std::string::npos)
      << confirmed.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "comet.db"));
}

TEST(HostileBinary, BinaryGarbageAndHelp) {
  testing::TempDir dir;
  std::ofstream(dir / "garbage.yaml", std::ios::binary) << std::string(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0",
      10);
  const auto garbage = hostile_comet(dir, "run garbage.yaml");
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_EQ(garbage.err,
            "comet: error: garbage.yaml:1:1: the sweep file holds the control character 0x7f; a "
            "sweep file is YAML text in UTF-8 (tabs and line breaks are the only control "
            "characters allowed)\n");
  const auto help = hostile_comet(dir, "run --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* part : {"--yes", "overrides", "key=value", "1048576 bytes", "100000 trials"}) {
    EXPECT_NE(help.out.find(part), std::string::npos) << part << " missing in\n" << help.out;
  }
}

}  // namespace
}  // namespace comet::cli
