#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sweep_text.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

std::string quickstart(const std::string& lr = "1.0e-3") {
  return "name: quickstart\n"
         "dataset: fashion_mnist\n"
         "epochs: 3\n"
         "batch_size: 32\n"
         "optimizer: sgd\n"
         "lr: " +
         lr +
         "\n"
         "activation: softplus\n"
         "depth: 4            # linear layers; the last one is the output layer\n"
         "grid:\n"
         "  model: [comet, standard]\n"
         "  width: [100, 500]\n"
         "  p_k: [0.1, 0.5]\n"
         "  seed: [0, 1]\n";
}

using testing::expand;

// what() of the SweepError that parsing and expanding `yaml` throws.
std::string expansion_error(const std::string& yaml) {
  SweepSpec spec = parse_sweep_text(yaml, "bad.yaml");
  try {
    expand_trials(spec);
  } catch (const SweepError& error) {
    return error.what();
  }
  return "no error";
}

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// 16 grid points, 12 trials: standard ignores p_k, so its points at p_k 0.1 and 0.5 are one
// trial at p_k's default, at the place of the first (ignored_keys_test.cpp).
TEST(ExpandTrials, QuickstartHas12TrialsWithTheLastAxisFastest) {
  std::vector<TrialSpec> trials = expand(quickstart());
  ASSERT_EQ(trials.size(), 12U);
  std::vector<std::string> order;
  for (const TrialSpec& trial : trials) {
    order.push_back(
        trial.config.text("model") + "/" + std::to_string(trial.config.integer("width")) + "/" +
        to_display(trial.config.at("p_k")) + "/" + std::to_string(trial.config.integer("seed")));
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "comet/100/0.1/0", "comet/100/0.1/1", "comet/100/0.5/0", "comet/100/0.5/1",
                       "comet/500/0.1/0", "comet/500/0.1/1", "comet/500/0.5/0", "comet/500/0.5/1",
                       "standard/100/1.0/0", "standard/100/1.0/1", "standard/500/1.0/0",
                       "standard/500/1.0/1"}));
}

TEST(ExpandTrials, FirstAndLastTrialConfigs) {
  std::vector<TrialSpec> trials = expand(quickstart());
  ASSERT_EQ(trials.size(), 12U);
  // Complete configs: defaults included, scoped keys of other models left out.
  EXPECT_EQ(trials.front().config.canonical_json(),
            R"({"activation":"softplus","arch":"mlp","augment":"none","batch_size":32,)"
            R"("dataset":"fashion_mnist","depth":4,"epochs":3,"eval_batch_size":1024,)"
            R"("eval_test":"never","grad_clip":0.0,"grad_clip_mode":"norm",)"
            R"("lr":0.001,"model":"comet","norm":"none","optimizer":"sgd","p_k":0.1,)"
            R"("schedule":"constant","seed":0,"split_seed":0,"task":"classification",)"
            R"("train_limit":0,"val_fraction":0.2,"weight_decay":0.0,"width":100})");
  EXPECT_EQ(trials.back().config.canonical_json(),
            R"({"activation":"softplus","arch":"mlp","augment":"none","batch_size":32,)"
            R"("dataset":"fashion_mnist","depth":4,"epochs":3,"eval_batch_size":1024,)"
            R"("eval_test":"never","grad_clip":0.0,"grad_clip_mode":"norm",)"
            R"("lr":0.001,"model":"standard","norm":"none","optimizer":"sgd","p_k":1.0,)"
            R"("schedule":"constant","seed":1,"split_seed":0,"task":"classification",)"
            R"("train_limit":0,"val_fraction":0.2,"weight_decay":0.0,"width":500})");
}

TEST(ExpandTrials, IdsAreHashesOfTheConfigWithoutItsDefaults) {
  std::vector<TrialSpec> trials = expand(quickstart());
  std::set<std::string> ids;
  for (const TrialSpec& trial : trials) {
    EXPECT_EQ(trial.id.size(), 16U);
    EXPECT_TRUE(is_lower_hex(trial.id)) << trial.id;
    EXPECT_EQ(trial.id, trial_id(trial.config));
    ids.insert(trial.id);
  }
  EXPECT_EQ(ids.size(), 12U);
  // Pinned: ids name results in the database, so a change here orphans earlier results.
  // Reference: Python's hashlib.sha256 of the first trial's config without its defaults,
  // {"dataset":"fashion_mnist","epochs":3,"lr":0.001,"model":"comet","p_k":0.1,"width":100}.
  EXPECT_EQ(trials.front().id, "d3da06a38d10cedd");
  EXPECT_EQ(trials.front().id,
            sha256_hex(R"({"dataset":"fashion_mnist","epochs":3,"lr":0.001,"model":"comet",)"
                       R"("p_k":0.1,"width":100})")
                .substr(0, 16));
}

TEST(ExpandTrials, IdsAreStableAcrossParsesAndFollowTheConfig) {
  std::vector<TrialSpec> first = expand(quickstart());
  std::vector<TrialSpec> second = expand(quickstart());
  std::vector<TrialSpec> other_lr = expand(quickstart("2.0e-3"));
  ASSERT_EQ(first.size(), 12U);
  ASSERT_EQ(other_lr.size(), 12U);
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].id, second[i].id);
    EXPECT_NE(first[i].id, other_lr[i].id);
  }
}

TEST(ExpandTrials, IntegerAndRealSpellingsOfARealGiveTheSameId) {
  std::vector<TrialSpec> integer = expand(quickstart("1"));
  std::vector<TrialSpec> real = expand(quickstart("1.0"));
  std::vector<TrialSpec> exponent = expand(quickstart("1e0"));
  ASSERT_EQ(integer.size(), 12U);
  EXPECT_EQ(integer.front().config.real("lr"), 1.0);
  EXPECT_EQ(integer.front().id, real.front().id);
  EXPECT_EQ(integer.front().id, exponent.front().id);
}

TEST(ExpandTrials, DataAxesVarySlowestThenModel) {
  std::vector<TrialSpec> trials = expand(
      "name: order\nepochs: 1\nlr: 0.1\nwidth: 10\n"
      "grid:\n  seed: [0, 1]\n  model: [comet, standard]\n  dataset: [mnist, fashion_mnist]\n");
  ASSERT_EQ(trials.size(), 8U);
  std::vector<std::string> order;
  for (const TrialSpec& trial : trials) {
    order.push_back(trial.config.text("dataset") + "/" + trial.config.text("model") + "/" +
                    std::to_string(trial.config.integer("seed")));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"mnist/comet/0", "mnist/comet/1", "mnist/standard/0",
                                             "mnist/standard/1", "fashion_mnist/comet/0",
                                             "fashion_mnist/comet/1", "fashion_mnist/standard/0",
                                             "fashion_mnist/standard/1"}));
}

TEST(ExpandTrials, NoGridIsOneTrialOfTheFixedConfig) {
  SweepSpec spec = parse_sweep_text(
      "name: one\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 10\n", "one.yaml");
  std::vector<TrialSpec> trials = expand_trials(spec);
  ASSERT_EQ(trials.size(), 1U);
  EXPECT_EQ(trials[0].config, spec.fixed);
  EXPECT_EQ(trials[0].id, trial_id(spec.fixed));
}

const std::string kExpansionBase =
    "name: t\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\n";  // 1-5

TEST(CrossKeyRules, RoundingOfADecimalPkIsAbsorbed) {
  // 0.29 * 100 is 28.999999999999996 in doubles; floor without the 1e-9 would give 28.
  std::vector<TrialSpec> trials = expand(kExpansionBase + "width: 100\np_k: 0.29\n");
  ASSERT_EQ(trials.size(), 1U);
  EXPECT_EQ(trials[0].config.real("p_k"), 0.29);
  EXPECT_EQ(expansion_error(kExpansionBase + "width: 100\np_k: 0.01\n"),
            "no error");  // keeps exactly 1
}

TEST(CrossKeyRules, FixedPkKeepingNoUnitPointsAtTheValue) {
  EXPECT_EQ(expansion_error(kExpansionBase + "width: 100\np_k: 0.001\n"),
            "bad.yaml:7:6: p_k 0.001 x width 100 keeps 0 units; floor(p_k * width) must be >= 1");
  EXPECT_EQ(expansion_error(kExpansionBase + "width: 100\np_k: 0.009\n"),
            "bad.yaml:7:6: p_k 0.009 x width 100 keeps 0 units; floor(p_k * width) must be >= 1");
}

TEST(CrossKeyRules, GridPkKeepingNoUnitPointsAtTheListItem) {
  EXPECT_EQ(expansion_error(kExpansionBase + "width: 100\ngrid:\n  p_k: [0.5, 1e-3]\n"),
            "bad.yaml:8:14: p_k 0.001 x width 100 keeps 0 units; floor(p_k * width) must be >= 1");
}

TEST(CrossKeyRules, NarrowWidthInTheGridWithFixedPk) {
  EXPECT_EQ(expansion_error(kExpansionBase + "p_k: 0.1\ngrid:\n  width: [100, 5]\n"),
            "bad.yaml:6:6: p_k 0.1 x width 5 keeps 0 units; floor(p_k * width) must be >= 1");
}

TEST(CrossKeyRules, WithoutSourceTextTheAxisMarkIsUsed) {
  SweepSpec spec =
      parse_sweep_text(kExpansionBase + "width: 100\ngrid:\n  p_k: [0.5, 1e-3]\n", "bad.yaml");
  spec.source_text.clear();
  try {
    expand_trials(spec);
    FAIL() << "no error";
  } catch (const SweepError& error) {
    EXPECT_EQ(error.mark().to_string(), "bad.yaml:8:3");
  }
}

TEST(ExpandTrials, RefusesMoreThan100000Trials) {
  std::string seeds;
  for (int seed = 0; seed < 1000; ++seed) seeds += (seed == 0 ? "" : ", ") + std::to_string(seed);
  std::string widths;
  for (int width = 1; width <= 101; ++width) {
    widths += (width == 1 ? "" : ", ") + std::to_string(width);
  }
  const std::string expected =
      "bad.yaml:8:3: the grid has more than 100000 trials (101 width x 1000 seed); split the "
      "sweep or shorten an axis";
  // The parser refuses it from the lists' sizes, before it reads their values...
  EXPECT_EQ(testing::parse_error(kExpansionBase + "grid:\n  width: [" + widths + "]\n  seed: [" +
                                 seeds + "]\n"),
            expected);
  // ... and expand_trials refuses a spec that grew after that check: here by an override.
  const std::string seed_override = "seed=[" + seeds + "]";
  const SweepSpec spec =
      parse_sweep_text(kExpansionBase + "grid:\n  width: [" + widths + "]\n  seed: [0]\n",
                       "bad.yaml", {{.text = seed_override, .origin = "argument 3"}});
  try {
    expand_trials(spec);
    ADD_FAILURE() << "no error";
  } catch (const SweepError& error) {
    // The override is named by its first 80 bytes.
    EXPECT_EQ(error.mark().to_string(), "override '" + seed_override.substr(0, 80) + "... (" +
                                            std::to_string(seed_override.size()) +
                                            " bytes)' (argument 3)");
    EXPECT_EQ(error.message(),
              "the grid has more than 100000 trials (101 width x 1000 seed); split the sweep or "
              "shorten an axis");
  }
}

}  // namespace
}  // namespace comet::sweeps
