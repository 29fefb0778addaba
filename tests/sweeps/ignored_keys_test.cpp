// Keys a trial's model ignores (ParamDef::ignored_when) are folded: grid points that differ
// only in them are one trial, whose earlier_ids are the ids those points had before.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "test_paths.h"

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

std::vector<TrialSpec> of_model(const std::vector<TrialSpec>& trials, const std::string& model) {
  std::vector<TrialSpec> kept;
  for (const auto& trial : trials) {
    if (trial.config.text("model") == model) kept.push_back(trial);
  }
  return kept;
}

// The id a comet that did not fold keys gave this trial at `p_k` (the same trial_id rule).
std::string unfolded_id(TrialConfig config, double p_k) {
  config.set("p_k", p_k);
  return trial_id(config);
}

// The acceptance of issue 19: 2 models x 2 widths x 2 p_k x 2 seeds is 12 trials, not 16.
TEST(IgnoredKeysTest, QuickstartFoldsStandardsPk) {
  const auto spec = parse_sweep_file(std::filesystem::path(comet::testing::kSourceDir) /
                                     "sweeps/quickstart.yaml");
  const auto trials = expand_trials(spec);
  EXPECT_EQ(grid_point_count(spec), 16U);
  ASSERT_EQ(trials.size(), 12U);
  const auto standard = of_model(trials, "standard");
  ASSERT_EQ(standard.size(), 4U);  // 2 widths x 2 seeds
  for (const auto& trial : standard) {
    EXPECT_EQ(trial.config.real("p_k"), 1.0);
    EXPECT_EQ(trial.earlier_ids, (std::vector<std::string>{unfolded_id(trial.config, 0.1),
                                                           unfolded_id(trial.config, 0.5)}));
    EXPECT_NE(trial.earlier_ids[0], trial.id);
  }
  for (const auto& trial : of_model(trials, "comet")) EXPECT_TRUE(trial.earlier_ids.empty());
  EXPECT_EQ(of_model(trials, "comet").size(), 8U);
}

// The folded trial is the trial a `grids:` sweep gives standard (p_k left at its default):
// the same id, so both forms share stored results.
TEST(IgnoredKeysTest, FoldedTrialHasTheIdOfTheGridWithoutPk) {
  const auto folded = expand_trials(
      parse_sweep_text("name: a\ndataset: mnist\nepochs: 1\nlr: 0.1\n"
                       "grid:\n  model: [standard, l1]\n  width: [10]\n  p_k: [0.2, 0.5, 0.9]\n",
                       "a.yaml"));
  const auto without =
      expand_trials(parse_sweep_text("name: b\ndataset: mnist\nepochs: 1\nlr: 0.1\ngrid:\n  model: "
                                     "[standard, l1]\n  width: [10]\n",
                                     "b.yaml"));
  ASSERT_EQ(folded.size(), 2U);
  ASSERT_EQ(without.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(folded[i].id, without[i].id);
    EXPECT_EQ(folded[i].config, without[i].config);
    EXPECT_EQ(folded[i].earlier_ids.size(), 3U);
    EXPECT_TRUE(without[i].earlier_ids.empty());
  }
}

// Models that read p_k keep one trial per value, on every arch.
TEST(IgnoredKeysTest, ModelsThatUsePkAreNotFolded) {
  const auto trials = expand_trials(parse_sweep_text(
      "name: a\ndataset: mnist\nepochs: 1\nlr: 0.1\n"
      "grid:\n  model: [comet, smaller, dropout, topk, moe, layerwise, bernoulli, example_tied]\n"
      "  width: [20]\n  p_k: [0.25, 0.5]\n",
      "a.yaml"));
  EXPECT_EQ(trials.size(), 16U);
  for (const auto& trial : trials) EXPECT_TRUE(trial.earlier_ids.empty());
  const auto vit = expand_trials(
      parse_sweep_text("name: v\ndataset: cifar10\narch: vit\nepochs: 1\nlr: 0.1\n"
                       "grid:\n  model: [comet, standard]\n  width: [64]\n  p_k: [0.25, 0.5]\n",
                       "v.yaml"));
  EXPECT_EQ(vit.size(), 3U);  // comet twice, standard once
  EXPECT_EQ(of_model(vit, "standard").at(0).config.real("p_k"), 1.0);
}

// Without clipping the trainer never reads grad_clip_mode.
TEST(IgnoredKeysTest, ClipModeIsFoldedWithoutClipping) {
  const auto trials = expand_trials(
      parse_sweep_text("name: a\ndataset: mnist\nmodel: comet\nwidth: 10\nepochs: 1\nlr: 0.1\n"
                       "grid:\n  grad_clip: [0, 1]\n  grad_clip_mode: [norm, value]\n",
                       "a.yaml"));
  ASSERT_EQ(trials.size(), 3U);
  EXPECT_EQ(trials[0].config.real("grad_clip"), 0.0);
  EXPECT_EQ(trials[0].config.text("grad_clip_mode"), "norm");
  EXPECT_EQ(trials[0].earlier_ids.size(), 1U);  // the `value` point's id; `norm` was the default
  EXPECT_EQ(trials[1].config.text("grad_clip_mode"), "norm");
  EXPECT_EQ(trials[2].config.text("grad_clip_mode"), "value");
}

// A p_k that keeps no unit is no error for a model that ignores p_k.
TEST(IgnoredKeysTest, CrossKeyRuleReadsTheFoldedValue) {
  const auto trials = expand_trials(parse_sweep_text(
      "name: a\ndataset: mnist\nmodel: standard\nwidth: 10\nepochs: 1\nlr: 0.1\np_k: 0.05\n",
      "a.yaml"));
  ASSERT_EQ(trials.size(), 1U);
  EXPECT_EQ(trials[0].config.real("p_k"), 1.0);
}

// The rule is a property of the key, checked for every key that has one: it can only fold to
// a default, and the key it reads is one every trial holds.
TEST(IgnoredKeysTest, EveryIgnoredKeyHasADefaultAndAnUnscopedCondition) {
  int keys = 0;
  for (const ParamDef& def : param_schema()) {
    if (!def.ignored_when) continue;
    ++keys;
    EXPECT_TRUE(def.default_value.has_value()) << def.name;
    const ParamDef* condition = find_param(def.ignored_when->key);
    ASSERT_NE(condition, nullptr) << def.name;
    EXPECT_FALSE(condition->scope.has_value()) << def.name;
    EXPECT_FALSE(def.ignored_when->values.empty()) << def.name;
  }
  EXPECT_EQ(keys, 2);  // p_k, grad_clip_mode
  EXPECT_EQ(find_param("p_k")->describe_ignored(), "ignored by model standard or l1");
}

}  // namespace
}  // namespace comet::sweeps
