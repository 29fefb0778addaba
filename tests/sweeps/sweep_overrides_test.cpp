// Command-line overrides (key=value): they change a sweep exactly as editing its file would
// (same trials, same ids), and every bad one is a SweepError naming the override.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sweep_text.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

const std::string kOverrideHead =
    "name: o\n"
    "dataset: mnist\n"
    "model: comet\n"
    "lr: 0.1\n";

std::vector<SweepOverride> overrides_of(const std::vector<std::string>& texts) {
  std::vector<SweepOverride> result;
  int position = 3;  // as in: comet run sweep.yaml <overrides>
  for (const std::string& text : texts) {
    result.push_back({.text = text, .origin = "argument " + std::to_string(position++)});
  }
  return result;
}

std::vector<TrialSpec> expand_overridden(const std::string& yaml,
                                         const std::vector<std::string>& texts) {
  return expand_trials(parse_sweep_text(yaml, "sweep.yaml", overrides_of(texts)));
}

std::string override_error(const std::string& yaml, const std::vector<std::string>& texts) {
  try {
    expand_overridden(yaml, texts);
  } catch (const SweepError& error) {
    return error.what();
  }
  return "no error";
}

std::vector<std::string> ids_of(const std::vector<TrialSpec>& trials) {
  std::vector<std::string> ids;
  for (const TrialSpec& trial : trials) ids.push_back(trial.id);
  return ids;
}

TEST(SweepOverrides, ASingleValueReplacesTheTopLevelValue) {
  const std::string file = kOverrideHead + "epochs: 5\nwidth: 10\ngrid:\n  seed: [0, 1]\n";
  const auto trials = expand_overridden(file, {"epochs=2", "lr=1e-3"});
  const std::string edited =
      "name: o\ndataset: mnist\nmodel: comet\nlr: 1e-3\n"
      "epochs: 2\nwidth: 10\ngrid:\n  seed: [0, 1]\n";
  EXPECT_EQ(ids_of(trials), ids_of(testing::expand(edited)));
  ASSERT_EQ(trials.size(), 2U);
  EXPECT_EQ(trials[0].config.integer("epochs"), 2);
  EXPECT_EQ(trials[0].config.real("lr"), 1e-3);
}

TEST(SweepOverrides, ASingleValueFixesAGridAxisForEveryTrial) {
  const std::string file = kOverrideHead + "epochs: 1\ngrid:\n  width: [8, 16]\n  seed: [0, 1]\n";
  const auto trials = expand_overridden(file, {"width=32"});
  EXPECT_EQ(
      ids_of(trials),
      ids_of(testing::expand(kOverrideHead + "epochs: 1\nwidth: 32\ngrid:\n  seed: [0, 1]\n")));
  const SweepSpec spec = parse_sweep_text(file, "sweep.yaml", overrides_of({"width=32"}));
  EXPECT_EQ(axis_keys(spec), std::vector<std::string>{"seed"});
}

TEST(SweepOverrides, AListReplacesTheAxisOfTheSameKey) {
  const std::string file = kOverrideHead + "epochs: 1\ngrid:\n  width: [8, 16]\n  seed: [0, 1]\n";
  EXPECT_EQ(ids_of(expand_overridden(file, {"width=[100,200, 300]"})),
            ids_of(testing::expand(
                kOverrideHead + "epochs: 1\ngrid:\n  width: [100, 200, 300]\n  seed: [0, 1]\n")));
}

TEST(SweepOverrides, AListOfATopLevelKeyBecomesAnAxis) {
  // With grid: it joins the grid; without one it makes grid:.
  const std::string with_grid = kOverrideHead + "epochs: 1\nseed: 4\ngrid:\n  width: [8, 16]\n";
  EXPECT_EQ(ids_of(expand_overridden(with_grid, {"seed=[0, 1]"})),
            ids_of(testing::expand(kOverrideHead +
                                   "epochs: 1\ngrid:\n  width: [8, 16]\n  seed: [0, 1]\n")));
  const std::string no_grid = kOverrideHead + "epochs: 1\nwidth: 8\n";
  const SweepSpec spec = parse_sweep_text(no_grid, "sweep.yaml", overrides_of({"width=[8,16]"}));
  ASSERT_EQ(spec.grids.size(), 1U);
  EXPECT_EQ(spec.grids[0].axes.at(0).mark.to_string(), "override 'width=[8,16]' (argument 3)");
  EXPECT_EQ(ids_of(expand_trials(spec)),
            ids_of(testing::expand(kOverrideHead + "epochs: 1\ngrid:\n  width: [8, 16]\n")));
}

TEST(SweepOverrides, WithSeveralGridsAListReplacesTheAxisWhereItIsElseJoinsEveryGrid) {
  const std::string head = "name: o\ndataset: mnist\nlr: 0.1\nepochs: 1\nwidth: 10\ngrids:\n";
  const std::string file =
      head + "  - model: [comet, topk]\n    p_k: [0.1, 0.5]\n  - model: [standard]\n";
  // p_k is an axis of the first grid only: the standard trials keep p_k 1.
  const auto pk = expand_overridden(file, {"p_k=[0.2]"});
  ASSERT_EQ(pk.size(), 3U);
  EXPECT_EQ(pk[0].config.real("p_k"), 0.2);
  EXPECT_EQ(pk[2].config.text("model"), "standard");
  EXPECT_EQ(pk[2].config.real("p_k"), 1.0);
  // seed is in no grid: every grid gets the axis.
  const auto seeds = expand_overridden(file, {"seed=[0, 1]"});
  EXPECT_EQ(seeds.size(), 10U);
  EXPECT_EQ(ids_of(seeds),
            ids_of(testing::expand(head + "  - model: [comet, topk]\n    p_k: [0.1, 0.5]\n"
                                          "    seed: [0, 1]\n"
                                          "  - model: [standard]\n    seed: [0, 1]\n")));
}

TEST(SweepOverrides, OverridesGiveRequiredKeysAndRenameTheSweep) {
  const SweepSpec spec = parse_sweep_text(kOverrideHead + "epochs: 1\n", "sweep.yaml",
                                          overrides_of({"width=8", "name=o_small"}));
  EXPECT_EQ(spec.name, "o_small");
  EXPECT_EQ(spec.fixed.integer("width"), 8);
  // The stored text says what changed it, and still parses to the file's sweep.
  EXPECT_EQ(spec.source_text,
            kOverrideHead + "epochs: 1\n# comet run overrides: width=8 name=o_small\n");
  ASSERT_EQ(spec.overrides.size(), 2U);
  EXPECT_EQ(spec.overrides[1].text, "name=o_small");
}

TEST(SweepOverridesErrors, EachNamesTheOverrideTheValueAndWhatIsAllowed) {
  const std::string file = kOverrideHead + "epochs: 1\nwidth: 10\n";
  struct Case {
    std::string override_text, error;
  };
  const Case cases[] = {
      {"p_k=1.5",
       "override 'p_k=1.5' (argument 3): p_k: 1.5 is out of range; allowed: a real in (0, 1]"},
      {"epochs=0",
       "override 'epochs=0' (argument 3): epochs: 0 is out of range; allowed: an integer >= 1"},
      {"lr=-1", "override 'lr=-1' (argument 3): lr: -1 is out of range; allowed: a real > 0"},
      {"width=ten",
       "override 'width=ten' (argument 3): width: ten is not an integer; allowed: an integer >= 1"},
      {"widht=8", "override 'widht=8' (argument 3): unknown key 'widht'; did you mean 'width'?"},
      {"model=cmoet",
       "override 'model=cmoet' (argument 3): model: 'cmoet' is not one of the choices (did you "
       "mean 'comet'?); allowed: one of: comet, standard, smaller, dropout, topk, moe, "
       "moe_fixed, layerwise, bernoulli, example_tied, l1"},
      {"epochs",
       "override 'epochs' (argument 3): no '=' in it; give key=value, e.g. epochs=2 or "
       "'width=[100, 200]'"},
      {"=2",
       "override '=2' (argument 3): no key before '='; give key=value, e.g. epochs=2 or "
       "'width=[100, 200]'"},
      {"epochs=", "override 'epochs=' (argument 3): epochs has no value; allowed: an integer >= 1"},
      {"width=[]",
       "override 'width=[]' (argument 3): grid axis 'width' is an empty list; give at least one "
       "value"},
      {"width=[100,100]",
       "override 'width=[100,100]' (argument 3): grid axis 'width' lists 100 twice (first at line "
       "1, column 8); give each value once"},
      {"width=[1,2",
       "override 'width=[1,2' (argument 3): value '[1,2': YAML syntax error: end of sequence flow "
       "not found"},
      {"width={a: 1}",
       "override 'width={a: 1}' (argument 3): width: expected one value (an integer >= 1), found "
       "a map"},
      {"grid={width: [1]}",
       "override 'grid={width: [1]}' (argument 3): grid cannot be overridden; override its axes "
       "instead, e.g. 'width=[100, 200]' or seed=[0,1,2]"},
      {"name=../x",
       "override 'name=../x' (argument 3): name: '../x' is not allowed; allowed: 1 to 64 "
       "characters from A-Z a-z 0-9 _ . -, starting with a letter or a digit"},
      {"moe.gate=hard_unscaled",
       "override 'moe.gate=hard_unscaled' (argument 3): moe.gate applies only to trials with model "
       "moe or moe_fixed, and this sweep has none"},
      {"p_k=0.05",
       "override 'p_k=0.05' (argument 3): p_k 0.05 x width 10 keeps 0 units; floor(p_k * width) "
       "must be >= 1"},
      {"seed=1\n2",
       "override 'seed=1\\x0a2' (argument 3): an override holds a control character (a "
       "line break, a tab, ...); give key=value, e.g. epochs=2 or 'width=[100, "
       "200]'"},
      {"seed=\xff",
       "override 'seed=\\xff' (argument 3): an override holds invalid UTF-8; give "
       "key=value, e.g. epochs=2 or 'width=[100, 200]'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(override_error(file, {c.override_text}), c.error) << c.override_text;
  }
}

TEST(SweepOverridesErrors, AKeyOverriddenTwice) {
  EXPECT_EQ(override_error(kOverrideHead + "epochs: 1\nwidth: 10\n", {"seed=1", "seed=2"}),
            "override 'seed=2' (argument 4): seed is overridden twice (also by override 'seed=1' "
            "(argument 3)); give each key once");
}

TEST(SweepOverridesErrors, AnOverrideWithoutOriginIsNamedByItsText) {
  EXPECT_EQ(override_error(kOverrideHead + "epochs: 1\nwidth: 10\n", {}), "no error");
  try {
    parse_sweep_text(kOverrideHead + "epochs: 1\nwidth: 10\n", "sweep.yaml",
                     {{.text = "p_k=2", .origin = ""}});
    ADD_FAILURE() << "no error";
  } catch (const SweepError& error) {
    EXPECT_STREQ(error.what(),
                 "override 'p_k=2': p_k: 2 is out of range; allowed: a real in (0, 1]");
  }
}

TEST(SweepOverridesErrors, TheFileIsCheckedBeforeTheOverrides) {
  EXPECT_EQ(override_error(kOverrideHead + "epochs: 1\nwidth: 0\n", {"width=8"}),
            "sweep.yaml:6:8: width: 0 is out of range; allowed: an integer >= 1");
}

}  // namespace
}  // namespace comet::sweeps
