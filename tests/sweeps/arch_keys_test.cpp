// The architecture keys: arch defaults to mlp (every earlier trial id unchanged), the keys of
// vit and mixer exist only in their trials, and models without a per-token meaning are refused.

#include <gtest/gtest.h>

#include <string>

#include "sweep_text.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using testing::expand;
using testing::parse_error;

// what() of the SweepError that parsing and expanding `yaml` throws, "no error" if none.
std::string expand_error(const std::string& yaml) {
  try {
    expand_trials(parse_sweep_text(yaml, "bad.yaml"));
  } catch (const SweepError& error) {
    return error.what();
  }
  return "no error";
}

const std::string kVit = testing::kSweepLines1To6 + "arch: vit\n";  // line 7

TEST(ArchKeys, VitTrialsGetTheReferenceDefaultsAndNoMlpKeys) {
  const auto trials = expand(kVit);
  ASSERT_EQ(trials.size(), 1U);
  const auto& c = trials[0].config;
  EXPECT_EQ(c.text("arch"), "vit");
  EXPECT_EQ(c.integer("dim"), 512);
  EXPECT_EQ(c.integer("heads"), 8);
  EXPECT_EQ(c.integer("dim_head"), 64);
  EXPECT_EQ(c.integer("patch"), 4);
  EXPECT_EQ(c.real("dropout"), 0.1);
  EXPECT_EQ(c.real("emb_dropout"), 0.1);
  EXPECT_FALSE(c.has("token_width"));  // mixer only
  EXPECT_EQ(c.text("norm"), "none");   // kept in every config; refused when not none
  EXPECT_EQ(c.text("augment"), "none");
  EXPECT_EQ(c.text("eval_test"), "never");
}

TEST(ArchKeys, MixerTrialsHaveTokenWidthAndNoAttentionKeys) {
  const auto trials = expand(testing::kSweepLines1To6 + "arch: mixer\ntoken_width: 96\ndim: 64\n");
  ASSERT_EQ(trials.size(), 1U);
  const auto& c = trials[0].config;
  EXPECT_EQ(c.integer("token_width"), 96);
  EXPECT_EQ(c.integer("dim"), 64);
  EXPECT_FALSE(c.has("heads"));
  EXPECT_FALSE(c.has("dim_head"));
  EXPECT_FALSE(c.has("emb_dropout"));
}

TEST(ArchKeys, MlpTrialsKeepTheirIdsAndHaveNoArchitectureKeys) {
  const auto plain = expand(testing::kSweepLines1To6);
  const auto explicit_mlp = expand(testing::kSweepLines1To6 + "arch: mlp\naugment: none\n");
  ASSERT_EQ(plain.size(), 1U);
  EXPECT_EQ(plain[0].id, explicit_mlp[0].id);
  EXPECT_FALSE(plain[0].config.has("dim"));
  EXPECT_FALSE(plain[0].config.has("heads"));
  // Any architecture key changes the trial.
  EXPECT_NE(expand(kVit)[0].id, plain[0].id);
  EXPECT_NE(expand(kVit + "heads: 4\n")[0].id, expand(kVit)[0].id);
}

TEST(ArchKeys, AKeyOfAnotherArchIsAnError) {
  EXPECT_NE(parse_error(testing::kSweepLines1To6 + "heads: 4\n")
                .find("heads applies only to trials "
                      "with arch vit"),
            std::string::npos)
      << parse_error(testing::kSweepLines1To6 + "heads: 4\n");
  EXPECT_NE(parse_error(kVit + "token_width: 8\n").find("token_width applies only"),
            std::string::npos);
  EXPECT_NE(expand_error(kVit + "norm: layer\n")
                .find("bad.yaml:8:7: norm layer applies to arch mlp; arch vit has the LayerNorms "
                      "of its blocks; allowed: none"),
            std::string::npos)
      << expand_error(kVit + "norm: layer\n");
  EXPECT_NE(parse_error(testing::kSweepLines1To6 + "arch: cnn\n").find("bad.yaml:7:7"),
            std::string::npos)
      << parse_error(testing::kSweepLines1To6 + "arch: cnn\n");
  EXPECT_NE(parse_error(kVit + "dropout: 1\n").find("bad.yaml:8:10"), std::string::npos)
      << parse_error(kVit + "dropout: 1\n");
}

TEST(ArchKeys, ModelsWithoutAPerTokenMeaningAreRefusedNamingTheArch) {
  for (const std::string model :
       {"moe", "moe_fixed", "layerwise", "bernoulli", "example_tied", "l1"}) {
    SCOPED_TRACE(model);
    const auto error = expand_error(
        "name: t\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidth: 10\n"
        "arch: mixer\nmodel: " +
        model + "\n");
    EXPECT_NE(error.find("bad.yaml:7:8"), std::string::npos) << error;
    EXPECT_NE(error.find("model '" + model +
                         "' is not defined per token; arch mixer allows: "
                         "comet, standard, smaller, topk, dropout"),
              std::string::npos)
        << error;
  }
  for (const std::string model : {"comet", "standard", "smaller", "topk", "dropout"}) {
    EXPECT_EQ(expand("name: t\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidth: 10\narch: vit\nmodel: " +
                     model + "\n")
                  .size(),
              1U);
  }
}

TEST(ArchKeys, AGridOverArchsScopesEachTrial) {
  const auto trials = expand(
      "name: t\ndataset: mnist\nepochs: 1\nlr: 0.1\nwidth: 10\nmodel: comet\n"
      "grid:\n  arch: [mlp, vit, mixer]\n");
  ASSERT_EQ(trials.size(), 3U);
  EXPECT_FALSE(trials[0].config.has("dim"));
  EXPECT_TRUE(trials[1].config.has("heads"));
  EXPECT_TRUE(trials[2].config.has("token_width"));
  EXPECT_FALSE(trials[2].config.has("heads"));
}

}  // namespace
}  // namespace comet::sweeps
