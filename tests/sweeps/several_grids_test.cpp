// Sweep files with several grids (grids:): the union of the grids' cartesian products.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sweep_text.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

// Lines 1-5; tests append lines 6 onward, so marks below count from here.
const std::string kTop =
    "name: t\n"
    "dataset: mnist\n"
    "epochs: 1\n"
    "lr: 0.1\n"
    "seed: 0\n";

// The shape of the paper's Fig. 4: models that use p_k cross it, standard (which ignores it)
// runs once per width.
const std::string kTwoGrids = kTop +
                              "grids:\n"                    // 6
                              "  - model: [comet, topk]\n"  // 7
                              "    width: [100, 500]\n"     // 8
                              "    p_k: [0.1, 0.5]\n"       // 9
                              "  - model: [standard]\n"     // 10
                              "    width: [100, 500]\n";    // 11

// what() of the SweepError that parsing and expanding `yaml` throws.
std::string grids_error(const std::string& yaml) {
  try {
    expand_trials(parse_sweep_text(yaml, "bad.yaml"));
  } catch (const SweepError& error) {
    return error.what();
  }
  return "no error";
}

using testing::expand;

std::vector<std::string> ids(const std::vector<TrialSpec>& trials) {
  std::vector<std::string> result;
  for (const TrialSpec& trial : trials) result.push_back(trial.id);
  return result;
}

// "model/width/p_k" of each trial, in order.
std::vector<std::string> cells(const std::vector<TrialSpec>& trials) {
  std::vector<std::string> result;
  for (const TrialSpec& trial : trials) {
    result.push_back(trial.config.text("model") + "/" +
                     std::to_string(trial.config.integer("width")) + "/" +
                     to_display(trial.config.at("p_k")));
  }
  return result;
}

TEST(SeveralGrids, TrialsAreTheUnionOfEachGridsProductGridByGrid) {
  std::vector<TrialSpec> trials = expand(kTwoGrids);
  // 2 models x 2 widths x 2 p_k, then 1 model x 2 widths; p_k at its default (1) for standard.
  EXPECT_EQ(cells(trials), (std::vector<std::string>{
                               "comet/100/0.1", "comet/100/0.5", "comet/500/0.1", "comet/500/0.5",
                               "topk/100/0.1", "topk/100/0.5", "topk/500/0.1", "topk/500/0.5",
                               "standard/100/1.0", "standard/500/1.0"}));
  for (const TrialSpec& trial : trials) {
    // Top-level keys apply to every grid.
    EXPECT_EQ(trial.config.real("lr"), 0.1);
    EXPECT_EQ(trial.config.text("dataset"), "mnist");
  }
}

TEST(SeveralGrids, IdsEqualThoseOfTheSameTrialsAsSingleGridSweeps) {
  std::vector<TrialSpec> first = expand(kTop +
                                        "grid:\n"
                                        "  model: [comet, topk]\n"
                                        "  width: [100, 500]\n"
                                        "  p_k: [0.1, 0.5]\n");
  std::vector<TrialSpec> second = expand(kTop +
                                         "grid:\n"
                                         "  model: [standard]\n"
                                         "  width: [100, 500]\n");
  std::vector<std::string> expected = ids(first);
  for (const std::string& id : ids(second)) expected.push_back(id);
  EXPECT_EQ(ids(expand(kTwoGrids)), expected);
  // A key at its default is not hashed: the standard trial without p_k is the one that a
  // single-grid sweep gets with p_k: 1 written out.
  std::vector<TrialSpec> explicit_default = expand(kTop +
                                                   "p_k: 1\n"
                                                   "grid:\n"
                                                   "  model: [standard]\n"
                                                   "  width: [100]\n");
  ASSERT_EQ(explicit_default.size(), 1U);
  EXPECT_EQ(explicit_default[0].id, ids(second)[0]);
}

TEST(SeveralGrids, OneItemOfGridsIsTheSameSweepAsGrid) {
  const std::string axes =
      "    model: [comet, standard]\n"
      "    width: [100, 500]\n"
      "    p_k: [0.1, 0.5]\n";
  std::vector<TrialSpec> grid = expand(kTop + "grid:\n" + axes);
  std::vector<TrialSpec> grids =
      expand(kTop + "grids:\n  - " + axes.substr(4));  // the first axis on the "- " line
  ASSERT_EQ(grid.size(), 6U);                          // standard once per width: it ignores p_k
  EXPECT_EQ(ids(grids), ids(grid));
}

TEST(SeveralGrids, ATrialTwoGridsGiveIsOneTrialAtItsFirstPlace) {
  std::vector<TrialSpec> trials = expand(kTop +
                                         "p_k: 0.5\n"
                                         "grids:\n"
                                         "  - model: [comet, standard]\n"
                                         "    width: [100]\n"
                                         "  - model: [standard]\n"
                                         "    width: [500, 100]\n");
  // standard ignores p_k: its trials hold the default (ignored_keys_test.cpp).
  EXPECT_EQ(cells(trials),
            (std::vector<std::string>{"comet/100/0.5", "standard/100/1.0", "standard/500/1.0"}));
  // The same grid twice adds nothing.
  EXPECT_EQ(expand(kTop + "width: 10\ngrids:\n  - model: [comet]\n  - model: [comet]\n").size(),
            1U);
}

TEST(SeveralGrids, WithinEachGridDataAxesThenModelVarySlowest) {
  std::vector<TrialSpec> trials = expand(
      "name: t\nepochs: 1\nlr: 0.1\nwidth: 10\n"
      "grids:\n"
      "  - seed: [0, 1]\n"
      "    model: [comet]\n"
      "    dataset: [mnist, fashion_mnist]\n"
      "  - seed: [5]\n"
      "    model: [standard, comet]\n"
      "    dataset: [mnist]\n");
  std::vector<std::string> order;
  for (const TrialSpec& trial : trials) {
    order.push_back(trial.config.text("dataset") + "/" + trial.config.text("model") + "/" +
                    std::to_string(trial.config.integer("seed")));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"mnist/comet/0", "mnist/comet/1",
                                             "fashion_mnist/comet/0", "fashion_mnist/comet/1",
                                             "mnist/standard/5", "mnist/comet/5"}));
}

TEST(SeveralGrids, TheDocsExampleWithYamlAnchorsIs66Trials) {
  // docs/commands/run.md, "Several grids": anchors share the width and seed lists.
  std::vector<TrialSpec> trials = expand(
      "name: fig4_demo\ndataset: fashion_mnist\nepochs: 10\nlr: 1.0e-4\n"
      "grids:\n"
      "  - model: [comet, topk, dropout]\n"
      "    width: &widths [100, 500]\n"
      "    p_k: [0.1, 0.5, 0.9]\n"
      "    seed: &seeds [0, 1, 2]\n"
      "  - model: [standard, l1]\n"
      "    width: *widths\n"
      "    seed: *seeds\n");
  EXPECT_EQ(trials.size(), 3U * 2 * 3 * 3 + 2 * 2 * 3);
  EXPECT_EQ(trials.back().config.text("model"), "l1");
  EXPECT_EQ(trials.back().config.integer("width"), 500);
  EXPECT_EQ(trials.back().config.integer("seed"), 2);
}

TEST(SeveralGrids, AxisKeysAreTheUnionInExpansionOrder) {
  SweepSpec spec = parse_sweep_text(
      "name: t\nepochs: 1\nlr: 0.1\ndataset: mnist\n"
      "grids:\n"
      "  - seed: [0]\n"
      "    model: [comet]\n"
      "    p_k: [0.5]\n"
      "    width: [10]\n"
      "  - width: [5]\n"
      "    model: [standard]\n"
      "    seed: [1]\n"
      "    split_seed: [1]\n",
      "ok.yaml");
  EXPECT_EQ(axis_keys(spec),
            (std::vector<std::string>{"split_seed", "model", "seed", "p_k", "width"}));
  EXPECT_TRUE(axis_keys(parse_sweep_text(kTop + "model: comet\nwidth: 10\n", "ok.yaml")).empty());
}

TEST(SeveralGrids, AKeyOnlySomeGridsGiveTakesItsDefaultInTheOthers) {
  SweepSpec spec = parse_sweep_text(kTwoGrids, "ok.yaml");
  ASSERT_EQ(spec.grids.size(), 2U);
  EXPECT_EQ(spec.grids[0].mark.to_string(), "ok.yaml:7:5");
  EXPECT_EQ(spec.grids[1].mark.to_string(), "ok.yaml:10:5");
  // p_k's default sits in `fixed` for the grid without p_k; the first grid overrides it.
  EXPECT_EQ(spec.fixed.real("p_k"), 1.0);
  EXPECT_FALSE(spec.fixed.has("width"));
  EXPECT_FALSE(spec.fixed.has("model"));
}

TEST(SeveralGrids, AScopedKeyInAGridBelongsToThatGridsTrials) {
  std::vector<TrialSpec> trials = expand(kTop +
                                         "width: 10\n"
                                         "grids:\n"
                                         "  - model: [bernoulli]\n"
                                         "    bernoulli.p: [0.3]\n"
                                         "  - model: [bernoulli, comet]\n");
  ASSERT_EQ(trials.size(), 3U);
  EXPECT_EQ(to_display(trials[0].config.at("bernoulli.p")), "0.3");
  EXPECT_EQ(to_display(trials[1].config.at("bernoulli.p")), "1.0");  // p_k, its default
  EXPECT_FALSE(trials[2].config.has("bernoulli.p"));
  // Given at top level, it belongs to every grid and one grid's trials suffice.
  EXPECT_EQ(expand(kTop + "width: 10\nl1.lambda: 0\n"
                          "grids:\n  - model: [comet]\n  - model: [l1]\n")
                .size(),
            2U);
}

TEST(SeveralGridsErrors, GridsMustBeAList) {
  EXPECT_EQ(grids_error(kTop + "grids:\n  model: [comet]\n"),
            "bad.yaml:7:3: grids must be a list of maps of key: [values] (each item written \"- "
            "key: [values]\"), found a map; for one grid write grid: instead");
  EXPECT_EQ(grids_error(kTop + "grids: 3\n"),
            "bad.yaml:6:8: grids must be a list of maps of key: [values] (each item written \"- "
            "key: [values]\"), found a single value");
  EXPECT_EQ(grids_error(kTop + "grids:\n"),
            "bad.yaml:6:1: grids must be a list of maps of key: [values] (each item written \"- "
            "key: [values]\"), found nothing");
}

TEST(SeveralGridsErrors, AnEmptyListOfGrids) {
  EXPECT_EQ(grids_error(kTop + "grids: []\n"),
            "bad.yaml:6:8: grids is an empty list; give at least one grid map");
}

TEST(SeveralGridsErrors, AnItemThatIsNotAMap) {
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n  - [1, 2]\n"),
            "bad.yaml:8:5: grids: item 2 must be a map of key: [values], found a list");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - 3\n"),
            "bad.yaml:7:5: grids: item 1 must be a map of key: [values], found a single value");
  // An empty item: the mark is the list's, as yaml-cpp places it at the next token.
  EXPECT_EQ(grids_error(kTop + "grids:\n  -\n  - model: [comet]\n"),
            "bad.yaml:7:3: grids: item 1 must be a map of key: [values], found nothing");
}

TEST(SeveralGridsErrors, AnItemThatIsAnEmptyMap) {
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n  - {}\n"),
            "bad.yaml:8:5: grids: item 2 is an empty map; give at least one key: [values]");
}

TEST(SeveralGridsErrors, GridAndGridsTogether) {
  EXPECT_EQ(grids_error(kTop + "grid:\n  model: [comet]\ngrids:\n  - width: [10]\n"),
            "bad.yaml:8:1: give either grid: (one grid) or grids: (a list of grids), not both "
            "(grid: is at line 6); to vary an axis in every grid, repeat it in each item of "
            "grids:");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - width: [10]\ngrid:\n  model: [comet]\n"),
            "bad.yaml:8:1: give either grid: (one grid) or grids: (a list of grids), not both "
            "(grids: is at line 6); to vary an axis in every grid, repeat it in each item of "
            "grids:");
}

TEST(SeveralGridsErrors, AKeyBothAtTopLevelAndInAGrid) {
  EXPECT_EQ(grids_error(kTop + "width: 10\ngrids:\n  - model: [comet]\n  - model: [standard]\n"
                               "    seed: [1, 2]\n"),
            "bad.yaml:10:5: seed is given both at top level (line 5) and in grids: item 2; give "
            "it in one place");
}

TEST(SeveralGridsErrors, GridsDoNotNest) {
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n    grids: [{width: [1]}]\n"),
            "bad.yaml:8:5: grids cannot be inside grids: item 1; grids do not nest (list every "
            "grid under grids:)");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - name: [a]\n"),
            "bad.yaml:7:5: name cannot be a grid axis: a sweep has one name");
}

TEST(SeveralGridsErrors, AxesInsideAGridAreCheckedAsUnderGrid) {
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n  - widht: [10]\n"),
            "bad.yaml:8:5: unknown grid key 'widht'; did you mean 'width'?");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n    width: []\n"),
            "bad.yaml:8:12: grid axis 'width' is an empty list; give at least one value");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n    width: 10\n"),
            "bad.yaml:8:12: grid values must be lists; width is a single value (write width: [a, "
            "b] or, for one value, width: [a])");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet, cometh]\n"),
            "bad.yaml:7:20: model: 'cometh' is not one of the choices (did you mean 'comet'?); "
            "allowed: one of: comet, standard, smaller, dropout, topk, moe, moe_fixed, layerwise, "
            "bernoulli, example_tied, l1");
}

TEST(SeveralGridsErrors, ARequiredKeyMissingFromAGrid) {
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n    width: [10]\n"
                               "  - model: [standard]\n"),
            "bad.yaml:9:5: grids: item 2 has no width (an integer >= 1), which is required and "
            "not at top level; give it in every grid or once at top level");
  EXPECT_EQ(grids_error(kTop + "grids:\n  - model: [comet]\n  - model: [standard]\n"),
            "bad.yaml:1:1: missing required key width (an integer >= 1); give it at top level or "
            "in every grid of grids:");
}

TEST(SeveralGridsErrors, AScopedKeyNoTrialOfItsGridUses) {
  // Another grid has bernoulli trials, but the key belongs to the first grid's trials only.
  EXPECT_EQ(grids_error(kTop + "width: 10\ngrids:\n  - model: [comet]\n    bernoulli.p: [0.3]\n"
                               "  - model: [bernoulli]\n"),
            "bad.yaml:9:5: bernoulli.p applies only to trials with model bernoulli, and grids: "
            "item 1 has none");
  EXPECT_EQ(grids_error(kTop + "width: 10\nmoe.gate: scaled\ngrids:\n  - model: [comet]\n"
                               "  - model: [l1]\n"),
            "bad.yaml:7:1: moe.gate applies only to trials with model moe or moe_fixed, and this "
            "sweep has none");
}

TEST(SeveralGridsErrors, ACrossKeyViolationPointsAtTheValueInItsGrid) {
  EXPECT_EQ(grids_error(kTop + "model: comet\ngrids:\n  - width: [100]\n    p_k: [0.5]\n"
                               "  - width: [5]\n    p_k: [0.1]\n"),
            "bad.yaml:11:11: p_k 0.1 x width 5 keeps 0 units; floor(p_k * width) must be >= 1");
}

TEST(SeveralGridsErrors, RefusesMoreThan100000TrialsTogether) {
  std::string seeds;
  for (int seed = 0; seed < 600; ++seed) seeds += (seed == 0 ? "" : ", ") + std::to_string(seed);
  std::string widths;
  for (int width = 1; width <= 100; ++width) {
    widths += (width == 1 ? "" : ", ") + std::to_string(width);
  }
  const std::string grid = "    width: [" + widths + "]\n    split_seed: [" + seeds + "]\n";
  // 60000 trials each: fine alone, too many together.
  EXPECT_EQ(grids_error("name: t\ndataset: mnist\nmodel: standard\nepochs: 1\nlr: 0.1\n"
                        "grids:\n  - seed: [0]\n" +
                        grid + "  - seed: [1]\n" + grid),
            "bad.yaml:10:5: the grids have more than 100000 trials together (60000 + 60000 up to "
            "this grid); split the sweep or shorten an axis");
}

}  // namespace
}  // namespace comet::sweeps
