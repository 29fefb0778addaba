// The paper's sweeps in sweeps/paper/ parse, expand to the trial counts their headers state,
// and carry the paper's settings.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_paths.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

std::vector<TrialSpec> paper_trials(const std::string& file) {
  return expand_trials(
      parse_sweep_file(std::filesystem::path(comet::testing::kSourceDir) / "sweeps/paper" / file));
}

// Trials per model.
std::map<std::string, int> per_model(const std::vector<TrialSpec>& trials) {
  std::map<std::string, int> counts;
  for (const TrialSpec& trial : trials) ++counts[trial.config.text("model")];
  return counts;
}

// The p_k-free models (docs/models.md) run once per cell, at p_k's default.
void expect_pk_free_models_at_default(const std::vector<TrialSpec>& trials) {
  for (const TrialSpec& trial : trials) {
    const std::string& model = trial.config.text("model");
    if (model == "standard" || model == "l1") {
      EXPECT_EQ(trial.config.real("p_k"), 1.0) << trial.id;
    }
  }
}

const std::vector<std::string> kPkModels = {"comet",     "smaller",   "dropout",
                                            "topk",      "moe",       "moe_fixed",
                                            "layerwise", "bernoulli", "example_tied"};

TEST(PaperSweeps, Fig4Cifar10) {
  std::vector<TrialSpec> trials = paper_trials("fig4_cifar10.yaml");
  EXPECT_EQ(trials.size(), 348U);  // 9 models x 4 widths x 3 p_k x 3 seeds + 2 x 4 x 3
  std::map<std::string, int> counts = per_model(trials);
  for (const std::string& model : kPkModels) EXPECT_EQ(counts[model], 36) << model;
  EXPECT_EQ(counts["standard"], 12);
  EXPECT_EQ(counts["l1"], 12);
  expect_pk_free_models_at_default(trials);
  for (const TrialSpec& trial : trials) {
    EXPECT_EQ(trial.config.text("dataset"), "cifar10");
    EXPECT_EQ(trial.config.real("lr"), 1e-4);
    EXPECT_EQ(trial.config.integer("epochs"), 100);
    EXPECT_EQ(trial.config.integer("batch_size"), 32);
    EXPECT_EQ(trial.config.integer("depth"), 4);
    EXPECT_EQ(trial.config.text("optimizer"), "sgd");
    EXPECT_EQ(trial.config.text("activation"), "softplus");
  }
}

TEST(PaperSweeps, Fig11Cifar10LargerLearningRate) {
  std::vector<TrialSpec> trials = paper_trials("fig11_cifar10_lr1e-3.yaml");
  EXPECT_EQ(trials.size(), 435U);  // 9 x 5 widths x 3 p_k x 3 seeds + 2 x 5 x 3
  std::set<std::int64_t> widths;
  for (const TrialSpec& trial : trials) {
    widths.insert(trial.config.integer("width"));
    EXPECT_EQ(trial.config.real("lr"), 1e-3);
  }
  EXPECT_EQ(widths, (std::set<std::int64_t>{100, 500, 1000, 3000, 9000}));
  expect_pk_free_models_at_default(trials);
}

TEST(PaperSweeps, Fig33Sarcos) {
  std::vector<TrialSpec> trials = paper_trials("fig33_sarcos.yaml");
  EXPECT_EQ(trials.size(), 36U);  // comet 3 widths x 3 p_k x 3 seeds + standard 3 x 3
  for (const TrialSpec& trial : trials) {
    EXPECT_EQ(trial.config.text("dataset"), "sarcos");
    EXPECT_EQ(trial.config.text("task"), "regression");
    EXPECT_EQ(trial.config.real("lr"), 1e-2);
    EXPECT_EQ(trial.config.integer("epochs"), 50);
  }
  expect_pk_free_models_at_default(trials);
}

TEST(PaperSweeps, Fig34Activations) {
  std::vector<TrialSpec> trials = paper_trials("fig34_activations.yaml");
  EXPECT_EQ(trials.size(), 60U);  // 2 models x 10 activations x 3 seeds
  std::set<std::string> activations;
  for (const TrialSpec& trial : trials) {
    activations.insert(trial.config.text("activation"));
    EXPECT_EQ(trial.config.integer("width"), 3000);
    EXPECT_EQ(trial.config.text("optimizer"), "sgd_momentum");
    EXPECT_EQ(trial.config.real("lr"), 1e-3);
    if (trial.config.text("model") == "comet") {
      EXPECT_EQ(trial.config.real("p_k"), 0.5);
    }
  }
  EXPECT_EQ(activations.size(), 10U);
  expect_pk_free_models_at_default(trials);
}

TEST(PaperSweeps, Fig4FashionMnistSizedFor30Minutes) {
  std::vector<TrialSpec> trials = paper_trials("fig4_fashion_mnist.yaml");
  // 9 models x 2 widths x 3 p_k x 2 seeds + 2 x 2 x 2: the count its header's timing assumes.
  EXPECT_EQ(trials.size(), 116U);
  std::int64_t epochs = 0;
  for (const TrialSpec& trial : trials) epochs += trial.config.integer("epochs");
  EXPECT_EQ(epochs, 580);
  expect_pk_free_models_at_default(trials);
}

// Figs. 5-8 (section 4.2.2, A.3): per dataset, ViT widths 512/3072/6144 and Mixer dims
// 512/3072/6144 (channel-mixing width dim / 2), standard and comet at p_k 0.5, 3 seeds.
TEST(PaperSweeps, Figs5To8VisionTransformers) {
  const std::map<std::string, std::string> files = {
      {"fig5_svhn_vision.yaml", "svhn"},
      {"fig6_cifar10_vision.yaml", "cifar10"},
      {"fig7_cifar100_vision.yaml", "cifar100"},
      {"fig8_tiny_imagenet_vision.yaml", "tiny_imagenet"}};
  for (const auto& [file, dataset] : files) {
    SCOPED_TRACE(file);
    std::vector<TrialSpec> trials = paper_trials(file);
    ASSERT_EQ(trials.size(), 36U);
    std::map<std::string, std::set<std::int64_t>> sizes;
    for (const TrialSpec& trial : trials) {
      const auto& c = trial.config;
      EXPECT_EQ(c.text("dataset"), dataset);
      // standard ignores p_k: folded to its default (ignored_keys_test.cpp).
      EXPECT_EQ(c.real("p_k"), c.text("model") == "standard" ? 1.0 : 0.5);
      EXPECT_EQ(c.integer("depth"), 6);
      EXPECT_EQ(c.integer("patch"), 4);
      EXPECT_EQ(c.text("activation"), "tanh");
      EXPECT_EQ(c.text("optimizer"), "adam");
      EXPECT_EQ(c.text("schedule"), "cosine");
      EXPECT_EQ(c.text("augment"), "crop_flip");
      EXPECT_EQ(c.text("eval_test"), "every_epoch");
      const auto& model = c.text("model");
      EXPECT_TRUE(model == "comet" || model == "standard") << model;
      if (c.text("arch") == "vit") {
        EXPECT_EQ(c.integer("epochs"), 200);
        EXPECT_EQ(c.real("lr"), 1e-4);
        EXPECT_EQ(c.integer("dim"), 512);
        EXPECT_EQ(c.integer("heads"), 8);
        EXPECT_EQ(c.integer("dim_head"), 64);
        sizes["vit"].insert(c.integer("width"));
      } else {
        EXPECT_EQ(c.text("arch"), "mixer");
        EXPECT_EQ(c.integer("epochs"), 500);
        EXPECT_EQ(c.real("lr"), 1e-3);
        EXPECT_EQ(c.integer("width") * 2, c.integer("dim"));
        sizes["mixer"].insert(c.integer("dim"));
      }
    }
    EXPECT_EQ(sizes["vit"], (std::set<std::int64_t>{512, 3072, 6144}));
    EXPECT_EQ(sizes["mixer"], (std::set<std::int64_t>{512, 3072, 6144}));
  }
}

// The CPU-sized version: both archs, three sizes in the paper's 1 : 6 : 12 ratio, 2 seeds.
TEST(PaperSweeps, Figs5To8FashionMnistSizedFor30Minutes) {
  std::vector<TrialSpec> trials = paper_trials("figs5-8_fashion_mnist.yaml");
  ASSERT_EQ(trials.size(), 24U);
  std::map<std::string, std::set<std::int64_t>> sizes;
  std::int64_t epochs = 0;
  for (const TrialSpec& trial : trials) {
    const auto& c = trial.config;
    epochs += c.integer("epochs");
    EXPECT_EQ(c.text("dataset"), "fashion_mnist");
    EXPECT_EQ(c.text("eval_test"), "every_epoch");
    if (c.text("arch") == "vit") {
      sizes["vit"].insert(c.integer("width") / c.integer("dim"));
    } else {
      EXPECT_EQ(c.integer("width") * 2, c.integer("dim"));
      sizes["mixer"].insert(c.integer("dim") / 32);
    }
  }
  EXPECT_EQ(epochs, 144);
  EXPECT_EQ(sizes["vit"], (std::set<std::int64_t>{1, 6, 12}));
  EXPECT_EQ(sizes["mixer"], (std::set<std::int64_t>{1, 6, 12}));
}

// Figs. 9-10 and 12-32: GPT-2 sizes x {standard, comet} x {WikiText, CodeParrot} x 3 seeds with
// HF's run_clm settings; the variants change one thing each.
TEST(PaperSweeps, Gpt2LanguageModels) {
  struct Expected {
    std::string file;
    std::size_t trials;
    double lr;
    std::int64_t batch;
    std::string precision;
  };
  for (const Expected& e :
       std::vector<Expected>{{"figs9-10_gpt2.yaml", 36, 5e-4, 32, "fp16"},
                             {"figs18-23_gpt2_lr1e-3.yaml", 36, 1e-3, 32, "fp16"},
                             {"figs24-29_gpt2_batch64.yaml", 36, 5e-4, 8, "fp16"},
                             {"figs30-32_gpt2_fp32.yaml", 18, 5e-4, 32, "fp32"}}) {
    SCOPED_TRACE(e.file);
    std::vector<TrialSpec> trials = paper_trials(e.file);
    ASSERT_EQ(trials.size(), e.trials);
    std::map<std::string, int> counts = per_model(trials);
    EXPECT_EQ(counts["comet"], static_cast<int>(e.trials / 2));
    EXPECT_EQ(counts["standard"], static_cast<int>(e.trials / 2));
    std::set<std::int64_t> dims;
    for (const TrialSpec& trial : trials) {
      const auto& c = trial.config;
      EXPECT_EQ(c.text("arch"), "gpt2");
      EXPECT_EQ(c.real("lr"), e.lr);
      EXPECT_EQ(c.integer("batch_size"), e.batch);
      EXPECT_EQ(c.integer("grad_accum"), 8);
      EXPECT_EQ(c.text("precision"), e.precision);
      EXPECT_EQ(c.integer("warmup_steps"), 1000);
      EXPECT_EQ(c.real("weight_decay"), 0.1);
      EXPECT_EQ(c.integer("block_size"), 1024);
      EXPECT_EQ(c.integer("width"), 4 * c.integer("dim"));
      EXPECT_EQ(c.text("activation"), "tanh");
      if (c.text("model") == "comet") {
        EXPECT_EQ(c.real("p_k"), 0.5);
      }
      dims.insert(c.integer("dim"));
    }
    if (e.trials == 36) {
      EXPECT_EQ(dims, (std::set<std::int64_t>{768, 1024, 1280}));
    }
  }
}

}  // namespace
}  // namespace comet::sweeps
