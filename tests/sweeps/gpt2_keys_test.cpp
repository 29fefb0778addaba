// arch gpt2's keys: the named sizes, width's derived default, the training keys' scope.

#include <gtest/gtest.h>

#include <string>

#include "sweep_text.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

// Lines 1-7; tests append lines 8 onward.
const std::string kTop =
    "name: lm\n"
    "dataset: fashion_mnist\n"
    "arch: gpt2\n"
    "model: comet\n"
    "epochs: 1\n"
    "lr: 5.0e-4\n"
    "p_k: 0.5\n";

std::string sweep_error(const std::string& yaml) {
  try {
    expand_trials(parse_sweep_text(yaml, "lm.yaml"));
  } catch (const SweepError& error) {
    return error.what();
  }
  return "no error";
}

TEST(Gpt2Keys, SizeSetsDimDepthHeadsAndWidthIsFourTimesDim) {
  auto trials = testing::expand(kTop + "size: medium\n");
  ASSERT_EQ(trials.size(), 1u);
  const auto& c = trials[0].config;
  EXPECT_EQ(c.integer("dim"), 1024);
  EXPECT_EQ(c.integer("depth"), 24);
  EXPECT_EQ(c.integer("heads"), 16);
  EXPECT_EQ(c.integer("width"), 4096);
  EXPECT_EQ(c.integer("block_size"), 1024);
  EXPECT_EQ(c.integer("grad_accum"), 1);
  EXPECT_EQ(c.text("precision"), "fp32");
}

TEST(Gpt2Keys, ASizeGridGivesOneTrialPerSize) {
  auto trials = testing::expand(kTop + "grid:\n  size: [small, medium, large]\n");
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[0].config.integer("dim"), 768);
  EXPECT_EQ(trials[0].config.integer("width"), 3072);
  EXPECT_EQ(trials[2].config.integer("dim"), 1280);
  EXPECT_EQ(trials[2].config.integer("depth"), 36);
  EXPECT_EQ(trials[2].config.integer("heads"), 20);
}

TEST(Gpt2Keys, CustomSizesTakeTheGivenKeysAndAnExplicitWidth) {
  auto trials = testing::expand(kTop + "dim: 128\ndepth: 2\nheads: 4\nwidth: 300\n");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].config.integer("dim"), 128);
  EXPECT_EQ(trials[0].config.integer("width"), 300);
  // Giving width equal to its derived default is the same trial as leaving it out.
  auto implicit = testing::expand(kTop + "dim: 128\ndepth: 2\nheads: 4\n");
  auto explicit_width = testing::expand(kTop + "dim: 128\ndepth: 2\nheads: 4\nwidth: 512\n");
  EXPECT_EQ(implicit[0].id, explicit_width[0].id);
  EXPECT_NE(implicit[0].id, trials[0].id);
}

TEST(Gpt2Keys, ASizeWithTheKeysItSetsIsRefused) {
  EXPECT_EQ(sweep_error(kTop + "size: small\ndim: 512\n"),
            "lm.yaml:9:1: dim is set by size (small: dim 768, depth 12, heads 12; medium: 1024, "
            "24, 16; large: 1280, 36, 20); give size: custom to choose dim, depth and heads "
            "yourself (size is at line 8)");
  EXPECT_EQ(sweep_error(kTop + "grid:\n  size: [small]\n  heads: [4, 8]\n").substr(0, 26),
            "lm.yaml:10:3: heads is set");
  EXPECT_EQ(sweep_error(kTop + "size: custom\ndim: 64\n"), "no error");
}

TEST(Gpt2Keys, AnMlpWithoutWidthIsStillRefused) {
  EXPECT_EQ(sweep_error("name: t\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\n"),
            "lm.yaml:1:1: missing required key width (an integer >= 1); give it at top level or "
            "under grid:");
  // Beside gpt2 trials, the mlp trial that lacks it is named when the grid is expanded.
  EXPECT_EQ(sweep_error("name: t\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\n"
                        "grid:\n  arch: [gpt2, mlp]\n")
                .substr(0, 49),
            "lm.yaml:7:16: missing required key width (an inte");
}

TEST(Gpt2Keys, TrainingKeysBelongToGpt2Trials) {
  EXPECT_EQ(sweep_error("name: t\ndataset: mnist\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 10\n"
                        "grad_accum: 4\n"),
            "lm.yaml:7:1: grad_accum applies only to trials with arch gpt2, and this sweep has "
            "none");
  auto trials = testing::expand(kTop +
                                "grad_accum: 8\neval_every: 50\nmax_steps: 1000\n"
                                "max_hours: 24\nprecision: bf16\nvocab: 50304\n");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].config.integer("grad_accum"), 8);
  EXPECT_EQ(trials[0].config.real("max_hours"), 24.0);
  EXPECT_EQ(trials[0].config.integer("vocab"), 50304);
}

TEST(Gpt2Keys, ModelsWithoutAPerTokenMeaningAreRefused) {
  const std::string no_model = "name: lm\ndataset: mnist\narch: gpt2\nepochs: 1\nlr: 0.1\n";
  EXPECT_EQ(sweep_error(no_model + "grid:\n  model: [moe]\n").substr(0, 59),
            "lm.yaml:7:11: model 'moe' is not defined per token; arch gp");
}

}  // namespace
}  // namespace comet::sweeps
