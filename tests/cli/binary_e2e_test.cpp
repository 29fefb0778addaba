// End-to-end tests of the `comet` binary: exit codes, messages, files.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "file_text.h"
#include "idx_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

using testing::TempDir;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

using testing::slurp;

// Runs `comet ARGS` in `cwd` with stdout/stderr captured to files.
Outcome comet(const TempDir& dir, const std::string& args) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = "cd '" + dir.path().string() + "' && '" + testing::kCometBinary +
                              "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

TEST(CometBinary, VersionAndHelp) {
  TempDir dir;
  auto v = comet(dir, "--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("comet 0.1.0"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("LibTorch"), std::string::npos) << v.out;

  auto h = comet(dir, "--help");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* word : {"run", "ls", "Exit codes"}) {
    EXPECT_NE(h.out.find(word), std::string::npos) << word << " missing in\n" << h.out;
  }
  auto rh = comet(dir, "run --help");
  EXPECT_EQ(rh.exit_code, 0);
  for (const char* word :
       {"--db", "--device", "--data-root", "--threads", "p_k", "width", "seed"}) {
    EXPECT_NE(rh.out.find(word), std::string::npos) << word << " missing in\n" << rh.out;
  }
}

TEST(CometBinary, UsageErrorsExitTwo) {
  TempDir dir;
  EXPECT_EQ(comet(dir, "frobnicate").exit_code, 2);
  EXPECT_EQ(comet(dir, "run").exit_code, 2);
  EXPECT_EQ(comet(dir, "ls trials --format xml").exit_code, 2);
  auto missing = comet(dir, "run nosuch.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nosuch.yaml"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "comet.db"));
}

TEST(CometBinary, YamlSyntaxErrorNamesLineAndColumnAndWritesNothing) {
  TempDir dir;
  std::ofstream(dir / "broken.yaml") << "name: x\ngrid:\n  model: [comet, standard\n  width: [1]\n";
  auto r = comet(dir, "run broken.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken.yaml:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "comet.db"));
  std::ofstream(dir / "typo.yaml")
      << "name: x\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidht: 8\nmodel: comet\n";
  auto t = comet(dir, "run typo.yaml");
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("typo.yaml:5:1"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("width"), std::string::npos) << t.err;
}

TEST(CometBinary, SameSweepTwiceGivesBitwiseIdenticalCurves) {
  TempDir dir;
  testing::write_mnist_fixture(dir / "data" / "mnist", 300, 30);
  std::ofstream(dir / "s.yaml")
      << "name: det\ndataset: mnist\nepochs: 2\nlr: 0.01\nbatch_size: 16\n"
         "grid:\n  model: [comet, standard]\n  width: [24]\n  p_k: [0.25]\n"
         "  seed: [0, 1]\n";
  for (const char* db : {"a.db", "b.db"}) {
    auto r = comet(dir, std::string("run s.yaml --threads 2 --data-root data --db ") + db);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("best val_acc"), std::string::npos) << r.out;
  }
  auto a = results::ResultStore::open_read_only(dir / "a.db");
  auto b = results::ResultStore::open_read_only(dir / "b.db");
  auto rows_a = a.list_trials("det");
  auto rows_b = b.list_trials("det");
  ASSERT_EQ(rows_a.size(), 4u);
  ASSERT_EQ(rows_b.size(), 4u);
  int compared = 0;
  for (std::size_t i = 0; i < rows_a.size(); ++i) {
    EXPECT_EQ(rows_a[i].id, rows_b[i].id);
    auto ca = a.curve(rows_a[i].id), cb = b.curve(rows_b[i].id);
    ASSERT_EQ(ca.size(), cb.size());
    for (std::size_t k = 0; k < ca.size(); ++k) {
      if (ca[k].split == "epoch") continue;  // wall seconds differ, of course
      EXPECT_EQ(ca[k].value, cb[k].value)
          << rows_a[i].id << " " << ca[k].split << "/" << ca[k].name;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 4 * 2 * 4);
}

}  // namespace
}  // namespace comet::cli
