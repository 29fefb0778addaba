// The model-family keys: parsing, scoping (erased for other trials, defaulted for their own),
// one trial per id after scoping, and the error for a scoped key no trial uses.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "sweep_text.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

// Lines 1-5, without model; tests append lines 6 onward.
const std::string kNoModel = "name: t\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidth: 10\n";
// Lines 1-6 with model comet; tests append lines 7 onward.
const std::string kComet = kNoModel + "model: comet\n";

using testing::parse_error;

using testing::expand;

// "key=value" of `key` in each trial, "key absent" where the trial lacks it.
std::vector<std::string> values_of(const std::vector<TrialSpec>& trials, const std::string& key) {
  std::vector<std::string> values;
  for (const TrialSpec& trial : trials) {
    values.push_back(trial.config.has(key) ? key + "=" + to_display(trial.config.at(key))
                                           : key + " absent");
  }
  return values;
}

TEST(ModelFamilyKeys, NewKeysParseAtTopLevelAndInTheGrid) {
  SweepSpec spec = parse_sweep_text(kComet +
                                        "norm: layer\ngrad_clip: 1\ngrad_clip_mode: value\n"
                                        "task: regression\ngrid:\n"
                                        "  schedule: [constant, warmup_cosine]\n",
                                    "ok.yaml");
  EXPECT_EQ(spec.fixed.text("norm"), "layer");
  EXPECT_EQ(spec.fixed.real("grad_clip"), 1.0);
  EXPECT_EQ(spec.fixed.text("grad_clip_mode"), "value");
  EXPECT_EQ(spec.fixed.text("task"), "regression");
  ASSERT_EQ(spec.grids.size(), 1U);
  ASSERT_EQ(spec.grids[0].axes.size(), 1U);
  EXPECT_EQ(spec.grids[0].axes[0].key, "schedule");
  EXPECT_EQ(spec.grids[0].axes[0].values, (std::vector<ParamValue>{"constant"s, "warmup_cosine"s}));
  EXPECT_EQ(spec.grids[0].axes[0].mark.to_string(), "ok.yaml:12:3");
}

TEST(ModelFamilyKeys, UnscopedDefaultsAreFixedAndScopedOnesAreNot) {
  SweepSpec spec = parse_sweep_text(kComet, "ok.yaml");
  EXPECT_EQ(spec.fixed.text("norm"), "none");
  EXPECT_EQ(spec.fixed.real("grad_clip"), 0.0);
  EXPECT_EQ(spec.fixed.text("grad_clip_mode"), "norm");
  EXPECT_EQ(spec.fixed.text("schedule"), "constant");
  EXPECT_EQ(spec.fixed.text("task"), "classification");
  for (const char* key :
       {"warmup_steps", "moe.gate", "topk.on", "bernoulli.p", "example_tied.p", "l1.lambda"}) {
    EXPECT_FALSE(spec.fixed.has(key)) << key;
  }
}

TEST(ModelFamilyKeys, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(parse_error(kComet + "norm: group\n"),
            "bad.yaml:7:7: norm: 'group' is not one of the choices; allowed: one of: none, "
            "batch, layer");
  EXPECT_EQ(parse_error(kComet + "grad_clip: -1\n"),
            "bad.yaml:7:12: grad_clip: -1 is out of range; allowed: a real >= 0");
  EXPECT_EQ(parse_error(kComet + "task: regresion\n"),
            "bad.yaml:7:7: task: 'regresion' is not one of the choices (did you mean "
            "'regression'?); allowed: one of: classification, regression");
  EXPECT_EQ(parse_error(kNoModel + "model: bernoulli\ngrid:\n  bernoulli.p: [0.5, 1.5]\n"),
            "bad.yaml:8:22: bernoulli.p: 1.5 is out of range; allowed: a real in (0, 1]");
  EXPECT_EQ(parse_error(kNoModel + "model: topk\ntopk.on: post\n"),
            "bad.yaml:7:10: topk.on: 'post' is not one of the choices; allowed: one of: "
            "pre_activation, post_activation");
  EXPECT_EQ(parse_error(kNoModel + "model: moe\nschedule: warmup_cosine\nwarmup_steps: 2.5\n"),
            "bad.yaml:8:15: warmup_steps: 2.5 is not an integer; allowed: an integer >= 0");
}

TEST(ModelFamilyKeys, DottedKeysGetDidYouMean) {
  EXPECT_EQ(parse_error(kComet + "moe_gate: scaled\n"),
            "bad.yaml:7:1: unknown key 'moe_gate'; did you mean 'moe.gate'?");
  EXPECT_EQ(parse_error(kComet + "grid:\n  l1_lambda: [1e-4]\n"),
            "bad.yaml:8:3: unknown grid key 'l1_lambda'; did you mean 'l1.lambda'?");
}

TEST(ScopedKeys, ErasedForOtherModelsAndDefaultedForTheirOwn) {
  std::vector<TrialSpec> trials =
      expand(kNoModel +
             "p_k: 0.5\ngrid:\n  model: [comet, moe, moe_fixed, topk, bernoulli, "
             "example_tied, l1]\n");
  ASSERT_EQ(trials.size(), 7U);
  EXPECT_EQ(values_of(trials, "moe.gate"),
            (std::vector<std::string>{"moe.gate absent", "moe.gate=scaled", "moe.gate=scaled",
                                      "moe.gate absent", "moe.gate absent", "moe.gate absent",
                                      "moe.gate absent"}));
  EXPECT_EQ(values_of(trials, "topk.on")[3], "topk.on=pre_activation");
  EXPECT_EQ(values_of(trials, "bernoulli.p")[4], "bernoulli.p=0.5");  // the trial's p_k
  EXPECT_EQ(values_of(trials, "example_tied.p")[5], "example_tied.p=0.2");
  EXPECT_EQ(values_of(trials, "l1.lambda")[6], "l1.lambda=1e-05");
  // Each trial has exactly its own model's keys and no warmup_steps (schedule constant).
  const std::vector<std::size_t> own_keys = {0, 1, 1, 1, 1, 1, 1};
  for (std::size_t i = 0; i < trials.size(); ++i) {
    std::size_t scoped = 0;
    for (const char* key :
         {"warmup_steps", "moe.gate", "topk.on", "bernoulli.p", "example_tied.p", "l1.lambda"}) {
      scoped += trials[i].config.has(key) ? 1 : 0;
    }
    EXPECT_EQ(scoped, own_keys[i]) << trials[i].config.canonical_json();
  }
}

TEST(ScopedKeys, BernoulliPDefaultsToEachTrialsPk) {
  std::vector<TrialSpec> trials = expand(kNoModel + "model: bernoulli\ngrid:\n  p_k: [0.25, 1]\n");
  ASSERT_EQ(trials.size(), 2U);
  EXPECT_EQ(trials[0].config.real("bernoulli.p"), 0.25);
  EXPECT_EQ(trials[1].config.real("bernoulli.p"), 1.0);

  std::vector<TrialSpec> given =
      expand(kNoModel + "model: bernoulli\nbernoulli.p: 0.5\ngrid:\n  p_k: [0.25, 1]\n");
  ASSERT_EQ(given.size(), 2U);
  EXPECT_EQ(given[0].config.real("bernoulli.p"), 0.5);
  EXPECT_EQ(given[1].config.real("bernoulli.p"), 0.5);
  EXPECT_EQ(given[1].config.real("p_k"), 1.0);
}

TEST(ScopedKeys, AGivenValueReachesOnlyTheTrialsInScope) {
  std::vector<TrialSpec> trials =
      expand(kNoModel + "moe.gate: hard_unscaled\ngrid:\n  model: [comet, moe]\n");
  ASSERT_EQ(trials.size(), 2U);
  EXPECT_EQ(values_of(trials, "moe.gate"),
            (std::vector<std::string>{"moe.gate absent", "moe.gate=hard_unscaled"}));

  std::vector<TrialSpec> schedules =
      expand(kComet + "warmup_steps: 100\ngrid:\n  schedule: [cosine, warmup_cosine]\n");
  ASSERT_EQ(schedules.size(), 2U);
  EXPECT_EQ(values_of(schedules, "warmup_steps"),
            (std::vector<std::string>{"warmup_steps absent", "warmup_steps=100"}));
  std::vector<TrialSpec> defaulted = expand(kComet + "schedule: warmup_cosine\n");
  ASSERT_EQ(defaulted.size(), 1U);
  EXPECT_EQ(defaulted[0].config.integer("warmup_steps"), 0);
}

TEST(ScopedKeys, TrialsMadeIdenticalByScopingAreOne) {
  std::vector<TrialSpec> trials =
      expand(kNoModel + "grid:\n  bernoulli.p: [0.3, 0.5]\n  model: [comet, bernoulli]\n");
  ASSERT_EQ(trials.size(), 3U);
  EXPECT_EQ(values_of(trials, "model"),
            (std::vector<std::string>{"model=comet", "model=bernoulli", "model=bernoulli"}));
  EXPECT_EQ(values_of(trials, "bernoulli.p"),
            (std::vector<std::string>{"bernoulli.p absent", "bernoulli.p=0.3", "bernoulli.p=0.5"}));
}

TEST(ScopedKeys, DeduplicationKeepsTheFirstAndTheOrder) {
  std::vector<TrialSpec> trials = expand(
      kNoModel + "grid:\n  model: [comet, bernoulli]\n  bernoulli.p: [0.3, 0.5]\n  seed: [0, 1]\n");
  ASSERT_EQ(trials.size(), 6U);
  std::vector<std::string> order;
  std::set<std::string> ids;
  for (const TrialSpec& trial : trials) {
    order.push_back(
        trial.config.text("model") + "/" +
        (trial.config.has("bernoulli.p") ? to_display(trial.config.at("bernoulli.p")) : "-") + "/" +
        std::to_string(trial.config.integer("seed")));
    EXPECT_EQ(trial.id, trial_id(trial.config));
    ids.insert(trial.id);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"comet/-/0", "comet/-/1", "bernoulli/0.3/0",
                                      "bernoulli/0.3/1", "bernoulli/0.5/0", "bernoulli/0.5/1"}));
  EXPECT_EQ(ids.size(), 6U);
}

TEST(ScopedKeys, AKeyNoTrialUsesIsAnErrorAtTheKey) {
  EXPECT_EQ(parse_error(kComet + "moe.gate: hard_unscaled\n"),
            "bad.yaml:7:1: moe.gate applies only to trials with model moe or moe_fixed, and this "
            "sweep has none");
  EXPECT_EQ(parse_error(kComet + "grid:\n  seed: [0]\n  l1.lambda: [1e-4, 1e-3]\n"),
            "bad.yaml:9:3: l1.lambda applies only to trials with model l1, and this sweep has "
            "none");
  EXPECT_EQ(parse_error(kNoModel + "topk.on: post_activation\ngrid:\n  model: [comet, moe]\n"),
            "bad.yaml:6:1: topk.on applies only to trials with model topk, and this sweep has "
            "none");
  // The scope key at its default (schedule: constant) counts too.
  EXPECT_EQ(parse_error(kComet + "warmup_steps: 10\n"),
            "bad.yaml:7:1: warmup_steps applies only to trials with schedule warmup_cosine, and "
            "this sweep has none");
  EXPECT_EQ(parse_error(kComet + "schedule: cosine\ngrid:\n  warmup_steps: [10, 20]\n"),
            "bad.yaml:9:3: warmup_steps applies only to trials with schedule warmup_cosine, and "
            "this sweep has none");
}

TEST(ScopedKeys, AKeySomeTrialUsesIsAccepted) {
  std::vector<TrialSpec> trials =
      expand(kNoModel + "topk.on: post_activation\ngrid:\n  model: [standard, topk]\n");
  ASSERT_EQ(trials.size(), 2U);
  EXPECT_EQ(values_of(trials, "topk.on"),
            (std::vector<std::string>{"topk.on absent", "topk.on=post_activation"}));
}

}  // namespace
}  // namespace comet::sweeps

namespace comet::sweeps {
namespace {

TEST(DatasetScopedKeys, BecomeOptionsOnlyOfTheirDatasetAndRequiredOnesAreEnforced) {
  const std::string base = "name: d\nepochs: 1\nlr: 0.1\nwidth: 8\nmodel: comet\n";
  auto trials = expand_trials(parse_sweep_text(
      base + "cifar100.labels: coarse\ngrid:\n  dataset: [cifar100, cifar10]\n", "d.yaml"));
  ASSERT_EQ(trials.size(), 2u);
  for (const auto& t : trials) {
    const bool is_cifar100 = t.config.text("dataset") == "cifar100";
    EXPECT_EQ(t.config.has("cifar100.labels"), is_cifar100);
    if (is_cifar100) {
      EXPECT_EQ(t.config.text("cifar100.labels"), "coarse");
    }
  }
  auto sarcos = expand_trials(parse_sweep_text(base + "dataset: sarcos\n", "d.yaml"));
  EXPECT_EQ(sarcos.at(0).config.integer("sarcos.target"), 1);

  try {
    expand_trials(parse_sweep_text(base + "dataset: csv\ncsv.target: y\n", "d.yaml"));
    FAIL() << "csv without csv.file was accepted";
  } catch (const SweepError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("d.yaml:6:"), std::string::npos) << what;
    EXPECT_NE(what.find("dataset csv needs csv.file"), std::string::npos) << what;
  }
  auto csv = expand_trials(
      parse_sweep_text(base + "dataset: csv\ncsv.file: a.csv\ncsv.target: y\n", "d.yaml"));
  EXPECT_EQ(csv.at(0).config.text("csv.file"), "a.csv");
  EXPECT_EQ(csv.at(0).config.text("csv.test_file"), "");
}

}  // namespace
}  // namespace comet::sweeps
