#include "comet/sweeps/param_schema.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

const ParamDef& param(std::string_view name) {
  const ParamDef* def = find_param(name);
  if (def == nullptr) throw std::runtime_error("no param " + std::string(name));
  return *def;
}

// The value after check(), or the error text prefixed with "error: ".
std::string checked(std::string_view key, ParamValue value) {
  if (auto problem = param(key).check(value)) return "error: " + *problem;
  return to_display(value);
}

TEST(ParamSchema, ListsTheKeysInTableOrder) {
  std::vector<std::string> names;
  for (const ParamDef& def : param_schema()) names.push_back(def.name);
  EXPECT_EQ(names, (std::vector<std::string>{"dataset",
                                             "model",
                                             "epochs",
                                             "batch_size",
                                             "optimizer",
                                             "lr",
                                             "weight_decay",
                                             "schedule",
                                             "grad_clip",
                                             "grad_clip_mode",
                                             "activation",
                                             "arch",
                                             "norm",
                                             "depth",
                                             "width",
                                             "p_k",
                                             "task",
                                             "seed",
                                             "val_fraction",
                                             "split_seed",
                                             "train_limit",
                                             "eval_batch_size",
                                             "augment",
                                             "eval_test",
                                             "dim",
                                             "patch",
                                             "dropout",
                                             "heads",
                                             "dim_head",
                                             "emb_dropout",
                                             "token_width",
                                             "size",
                                             "block_size",
                                             "vocab",
                                             "grad_accum",
                                             "eval_every",
                                             "eval_blocks",
                                             "max_steps",
                                             "max_hours",
                                             "precision",
                                             "warmup_steps",
                                             "moe.gate",
                                             "topk.on",
                                             "bernoulli.p",
                                             "example_tied.p",
                                             "l1.lambda",
                                             "cifar100.labels",
                                             "sarcos.target",
                                             "csv.file",
                                             "csv.target",
                                             "csv.test_file",
                                             "text.file",
                                             "text.field",
                                             "text.val_file",
                                             "synthetic_clusters.dims",
                                             "synthetic_clusters.classes",
                                             "synthetic_clusters.separation",
                                             "synthetic_clusters.count",
                                             "synthetic_clusters.seed"}));
}

TEST(ParamSchema, RequiredKeysHaveNoDefault) {
  std::vector<std::string> required;
  for (const ParamDef& def : param_schema()) {
    if (!def.required() || def.scope) continue;  // scoped: required only where they apply
    required.push_back(def.name);
    EXPECT_EQ(def.default_value, std::nullopt) << def.name;
  }
  EXPECT_EQ(required, (std::vector<std::string>{"dataset", "model", "epochs", "lr"}));
  // width has no default value, but a derived one where the arch has it (gpt2: 4 x dim).
  EXPECT_EQ(param("width").default_value, std::nullopt);
  EXPECT_NE(param("width").derive_default, nullptr);
}

TEST(ParamSchema, EveryKeyHasHelpAndDefaultsPassTheirOwnCheck) {
  for (const ParamDef& def : param_schema()) {
    EXPECT_FALSE(def.help.empty()) << def.name;
    if (def.default_value) {
      ParamValue value = *def.default_value;
      EXPECT_EQ(def.check(value), std::nullopt) << def.name;
      EXPECT_EQ(value, *def.default_value) << def.name << " default is not normalised";
    }
  }
}

TEST(ParamSchema, Defaults) {
  EXPECT_EQ(*param("batch_size").default_value, ParamValue{std::int64_t{32}});
  EXPECT_EQ(*param("optimizer").default_value, ParamValue{"sgd"s});
  EXPECT_EQ(*param("weight_decay").default_value, ParamValue{0.0});
  EXPECT_EQ(*param("activation").default_value, ParamValue{"softplus"s});
  EXPECT_EQ(*param("depth").default_value, ParamValue{std::int64_t{4}});
  EXPECT_EQ(*param("p_k").default_value, ParamValue{1.0});
  EXPECT_EQ(*param("seed").default_value, ParamValue{std::int64_t{0}});
  EXPECT_EQ(*param("val_fraction").default_value, ParamValue{0.2});
  EXPECT_EQ(*param("split_seed").default_value, ParamValue{std::int64_t{0}});
  EXPECT_EQ(*param("eval_batch_size").default_value, ParamValue{std::int64_t{1024}});
  EXPECT_EQ(*param("norm").default_value, ParamValue{"none"s});
  EXPECT_EQ(*param("grad_clip").default_value, ParamValue{0.0});
  EXPECT_EQ(*param("grad_clip_mode").default_value, ParamValue{"norm"s});
  EXPECT_EQ(*param("schedule").default_value, ParamValue{"constant"s});
  EXPECT_EQ(*param("task").default_value, ParamValue{"classification"s});
  EXPECT_EQ(*param("warmup_steps").default_value, ParamValue{std::int64_t{0}});
  EXPECT_EQ(*param("moe.gate").default_value, ParamValue{"scaled"s});
  EXPECT_EQ(*param("topk.on").default_value, ParamValue{"pre_activation"s});
  EXPECT_EQ(param("bernoulli.p").default_value, std::nullopt);
  EXPECT_EQ(param("bernoulli.p").default_from, "p_k");
  EXPECT_EQ(*param("example_tied.p").default_value, ParamValue{0.2});
  EXPECT_EQ(*param("l1.lambda").default_value, ParamValue{1.0e-5});
}

TEST(ParamSchema, ScopesOfTheModelAndScheduleKeys) {
  std::vector<std::string> scoped;
  for (const ParamDef& def : param_schema()) {
    if (def.scope && def.scope->key != "dataset") {
      scoped.push_back(def.name + ": " + def.describe_scope());
    }
  }
  EXPECT_EQ(scoped, (std::vector<std::string>{"dim: only for arch vit, mixer, gpt2",
                                              "patch: only for arch vit, mixer",
                                              "dropout: only for arch vit, mixer, gpt2",
                                              "heads: only for arch vit, gpt2",
                                              "dim_head: only for arch vit",
                                              "emb_dropout: only for arch vit",
                                              "token_width: only for arch mixer",
                                              "size: only for arch gpt2",
                                              "block_size: only for arch gpt2",
                                              "vocab: only for arch gpt2",
                                              "grad_accum: only for arch gpt2",
                                              "eval_every: only for arch gpt2",
                                              "eval_blocks: only for arch gpt2",
                                              "max_steps: only for arch gpt2",
                                              "max_hours: only for arch gpt2",
                                              "precision: only for arch gpt2",
                                              "warmup_steps: only for schedule warmup_cosine",
                                              "moe.gate: only for model moe, moe_fixed",
                                              "topk.on: only for model topk",
                                              "bernoulli.p: only for model bernoulli",
                                              "example_tied.p: only for model example_tied",
                                              "l1.lambda: only for model l1"}));
  EXPECT_EQ(param("norm").describe_scope(), "");
}

// apply_scopes and the unused-key check rely on these: a scope key is in every trial, a scoped
// key always has a value to default to, and a default_from key is there to read.
TEST(ParamSchema, ScopeAndDefaultFromNameUnscopedKeysOfMatchingKinds) {
  for (const ParamDef& def : param_schema()) {
    if (def.scope) {
      const ParamDef* scope_key = find_param(def.scope->key);
      ASSERT_NE(scope_key, nullptr) << def.name;
      EXPECT_FALSE(scope_key->scope) << def.name << ": scope key " << scope_key->name;
      EXPECT_TRUE(scope_key->default_from.empty()) << def.name;
      EXPECT_EQ(scope_key->type, ParamType::choice) << def.name;
      EXPECT_FALSE(def.scope->values.empty()) << def.name;
      for (const std::string& value : def.scope->values) {
        ParamValue checked_value = value;
        EXPECT_EQ(scope_key->check(checked_value), std::nullopt) << def.name << ": " << value;
      }
      // A scoped key without a default is required where it applies: only free text (a path,
      // a column name) has no sensible default.
      if (def.required()) {
        EXPECT_EQ(def.type, ParamType::text) << def.name;
      }
    }
    if (!def.default_from.empty()) {
      EXPECT_EQ(def.default_value, std::nullopt) << def.name;
      const ParamDef* source = find_param(def.default_from);
      ASSERT_NE(source, nullptr) << def.name;
      EXPECT_FALSE(source->scope) << def.name;
      EXPECT_EQ(source->type, def.type) << def.name;
    }
  }
}

TEST(ParamSchema, ModelChoicesAreTheMlpFamily) {
  EXPECT_EQ(
      param("model").choices,
      (std::vector<std::string>{"comet", "standard", "smaller", "dropout", "topk", "moe",
                                "moe_fixed", "layerwise", "bernoulli", "example_tied", "l1"}));
  EXPECT_EQ(param("model").help, "one of the MLP family; see docs/models.md");
}

TEST(ParamDef, DefaultForReadsTheDefaultFromKeyOfTheTrial) {
  TrialConfig config({{"p_k", 0.25}});
  EXPECT_EQ(param("bernoulli.p").default_for(config), ParamValue{0.25});
  EXPECT_EQ(param("bernoulli.p").default_for(TrialConfig{}), std::nullopt);
  EXPECT_EQ(param("l1.lambda").default_for(config), ParamValue{1.0e-5});
  EXPECT_EQ(param("lr").default_for(config), std::nullopt);
}

TEST(ParamDef, AppliesToFollowsTheScopeKey) {
  EXPECT_TRUE(param("moe.gate").applies_to(TrialConfig({{"model", "moe"s}})));
  EXPECT_TRUE(param("moe.gate").applies_to(TrialConfig({{"model", "moe_fixed"s}})));
  EXPECT_FALSE(param("moe.gate").applies_to(TrialConfig({{"model", "topk"s}})));
  EXPECT_FALSE(param("moe.gate").applies_to(TrialConfig{}));
  EXPECT_TRUE(param("warmup_steps").applies_to(TrialConfig({{"schedule", "warmup_cosine"s}})));
  EXPECT_FALSE(param("warmup_steps").applies_to(TrialConfig({{"schedule", "cosine"s}})));
  EXPECT_TRUE(param("lr").applies_to(TrialConfig{}));
}

TEST(ParamSchema, DescribesWhatIsAllowed) {
  EXPECT_EQ(param("epochs").describe_allowed(), "an integer >= 1");
  EXPECT_EQ(param("depth").describe_allowed(), "an integer >= 2");
  EXPECT_EQ(param("seed").describe_allowed(), "an integer >= 0");
  EXPECT_EQ(param("lr").describe_allowed(), "a real > 0");
  EXPECT_EQ(param("weight_decay").describe_allowed(), "a real >= 0");
  EXPECT_EQ(param("p_k").describe_allowed(), "a real in (0, 1]");
  EXPECT_EQ(param("val_fraction").describe_allowed(), "a real in (0, 1)");
  EXPECT_EQ(param("optimizer").describe_allowed(), "one of: sgd, sgd_momentum, adam, adamw");
  EXPECT_EQ(param("dataset").describe_allowed(),
            "one of: fashion_mnist, mnist, cifar10, cifar100, svhn, sarcos, tiny_imagenet, csv, "
            "synthetic_clusters, python_stdlib, wikitext2, wikitext103, codeparrot, text");
  EXPECT_EQ(param("norm").describe_allowed(), "one of: none, batch, layer");
  EXPECT_EQ(param("grad_clip").describe_allowed(), "a real >= 0");
  EXPECT_EQ(param("grad_clip_mode").describe_allowed(), "one of: norm, value");
  EXPECT_EQ(param("schedule").describe_allowed(), "one of: constant, cosine, warmup_cosine");
  EXPECT_EQ(param("task").describe_allowed(), "one of: classification, regression");
  EXPECT_EQ(param("warmup_steps").describe_allowed(), "an integer >= 0");
  EXPECT_EQ(param("moe.gate").describe_allowed(), "one of: scaled, hard_unscaled");
  EXPECT_EQ(param("topk.on").describe_allowed(), "one of: pre_activation, post_activation");
  EXPECT_EQ(param("bernoulli.p").describe_allowed(), "a real in (0, 1]");
  EXPECT_EQ(param("example_tied.p").describe_allowed(), "a real in (0, 1]");
  EXPECT_EQ(param("l1.lambda").describe_allowed(), "a real >= 0");
}

TEST(ParamCheck, IntegersAreParsedStrictly) {
  EXPECT_EQ(checked("epochs", "3"s), "3");
  EXPECT_EQ(checked("epochs", "+3"s), "3");
  EXPECT_EQ(checked("epochs", "007"s), "7");
  EXPECT_EQ(checked("epochs", std::int64_t{5}), "5");
  for (std::string bad : {"3.0", "1e3", "0x10", " 3", "3 ", "", "3a", "-", "three"}) {
    EXPECT_EQ(checked("epochs", bad).rfind("error: epochs: ", 0), 0U) << bad;
  }
  EXPECT_EQ(checked("epochs", "3.0"s),
            "error: epochs: 3.0 is not an integer; allowed: an integer >= 1");
  EXPECT_EQ(checked("epochs", "1e3"s),
            "error: epochs: 1e3 is not an integer; allowed: an integer >= 1");
  EXPECT_EQ(checked("epochs", ""s),
            "error: epochs: '' is not an integer; allowed: an integer >= 1");
  EXPECT_EQ(checked("seed", "99999999999999999999"s),
            "error: seed: 99999999999999999999 is not an integer; allowed: an integer >= 0");
  EXPECT_EQ(checked("epochs", 2.0),
            "error: epochs: 2.0 is not an integer; allowed: an integer >= 1");
}

TEST(ParamCheck, IntegerBounds) {
  EXPECT_EQ(checked("epochs", "0"s), "error: epochs: 0 is out of range; allowed: an integer >= 1");
  EXPECT_EQ(checked("seed", "-1"s), "error: seed: -1 is out of range; allowed: an integer >= 0");
  EXPECT_EQ(checked("seed", "0"s), "0");
  EXPECT_EQ(checked("depth", "1"s), "error: depth: 1 is out of range; allowed: an integer >= 2");
  EXPECT_EQ(checked("depth", "2"s), "2");
}

TEST(ParamCheck, RealsAcceptDecimalAndExponentForms) {
  EXPECT_EQ(checked("lr", "1e-3"s), "0.001");
  EXPECT_EQ(checked("lr", "1.0e-3"s), "0.001");
  EXPECT_EQ(checked("lr", "1.0E-3"s), "0.001");
  EXPECT_EQ(checked("lr", "0.5"s), "0.5");
  EXPECT_EQ(checked("lr", ".5"s), "0.5");
  EXPECT_EQ(checked("lr", "5."s), "5.0");
  EXPECT_EQ(checked("lr", "+2"s), "2.0");
  EXPECT_EQ(checked("lr", "1"s), "1.0");
}

TEST(ParamCheck, AnIntegerForARealBecomesADouble) {
  ParamValue from_text = "1"s;
  ParamValue from_integer = std::int64_t{1};
  ASSERT_EQ(param("lr").check(from_text), std::nullopt);
  ASSERT_EQ(param("lr").check(from_integer), std::nullopt);
  EXPECT_EQ(from_text, ParamValue{1.0});
  EXPECT_EQ(from_integer, ParamValue{1.0});
}

TEST(ParamCheck, RealsRejectNonFiniteAndMalformedText) {
  for (std::string bad : {"nan", "NaN", ".nan", "inf", ".inf", "-.inf", "1e999", "0x1p3", "1,5",
                          "e3", ".", "", "1e", "--1", "1.0.0"}) {
    EXPECT_EQ(checked("lr", bad).rfind("error: lr: ", 0), 0U) << bad;
  }
  EXPECT_EQ(checked("lr", "nan"s),
            "error: lr: nan is not a finite real number; allowed: a real > 0");
  EXPECT_EQ(checked("lr", ".inf"s),
            "error: lr: .inf is not a finite real number; allowed: a real > 0");
}

TEST(ParamCheck, RealBounds) {
  EXPECT_EQ(checked("p_k", "1.5"s), "error: p_k: 1.5 is out of range; allowed: a real in (0, 1]");
  EXPECT_EQ(checked("p_k", "0"s), "error: p_k: 0 is out of range; allowed: a real in (0, 1]");
  EXPECT_EQ(checked("p_k", "1"s), "1.0");
  EXPECT_EQ(checked("val_fraction", "1"s),
            "error: val_fraction: 1 is out of range; allowed: a real in (0, 1)");
  EXPECT_EQ(checked("lr", "0"s), "error: lr: 0 is out of range; allowed: a real > 0");
  EXPECT_EQ(checked("weight_decay", "0"s), "0.0");
  EXPECT_EQ(checked("weight_decay", "-1e-4"s),
            "error: weight_decay: -1e-4 is out of range; allowed: a real >= 0");
}

TEST(ParamCheck, ChoicesListWhatIsAllowed) {
  EXPECT_EQ(checked("optimizer", "adamw"s), "adamw");
  EXPECT_EQ(checked("optimizer", "adamm"s),
            "error: optimizer: 'adamm' is not one of the choices (did you mean 'adam'?); "
            "allowed: one of: sgd, sgd_momentum, adam, adamw");
  EXPECT_EQ(checked("dataset", "cifar"s),
            "error: dataset: 'cifar' is not one of the choices (did you mean 'cifar10'?); "
            "allowed: one of: fashion_mnist, mnist, cifar10, cifar100, svhn, sarcos, "
            "tiny_imagenet, csv, synthetic_clusters, python_stdlib, wikitext2, wikitext103, "
            "codeparrot, text");
  EXPECT_EQ(checked("optimizer", "SGD"s).rfind("error: ", 0), 0U);  // case matters
}

TEST(ParamCheck, TextKeysTakeAnyValueAsText) {
  ParamDef def;
  def.name = "note";
  def.type = ParamType::text;
  ParamValue number = std::int64_t{12};
  EXPECT_EQ(def.describe_allowed(), "text");
  EXPECT_EQ(def.check(number), std::nullopt);
  EXPECT_EQ(number, ParamValue{"12"s});
}

TEST(ParamCheck, UnboundedNumbersAndOneSidedMaxima) {
  ParamDef def;
  def.name = "scale";
  def.type = ParamType::real;
  EXPECT_EQ(def.describe_allowed(), "a real");
  def.max = 2.5;
  def.max_exclusive = true;
  EXPECT_EQ(def.describe_allowed(), "a real < 2.5");
  ParamValue value = "2.5"s;
  EXPECT_EQ(def.check(value), "scale: 2.5 is out of range; allowed: a real < 2.5");
}

TEST(ClosestParam, SuggestsLikelyTypos) {
  EXPECT_EQ(closest_param("lrr"), "lr");
  EXPECT_EQ(closest_param("widht"), "width");  // a swap counts as one edit
  EXPECT_EQ(closest_param("p-k"), "p_k");
  EXPECT_EQ(closest_param("epoch"), "epochs");
  EXPECT_EQ(closest_param("seeds"), "seed");
  EXPECT_EQ(closest_param("optimiser"), "optimizer");
  EXPECT_EQ(closest_param("LR"), "lr");  // case is not a typo
  EXPECT_EQ(closest_param("colour"), "");
  EXPECT_EQ(closest_param("wd"), "");  // two edits away from "lr", but that is all of it
}

TEST(ClosestParam, FindsDottedKeys) {
  EXPECT_EQ(closest_param("moe_gate"), "moe.gate");
  EXPECT_EQ(closest_param("moe.gates"), "moe.gate");
  EXPECT_EQ(closest_param("l1_lambda"), "l1.lambda");
  EXPECT_EQ(closest_param("bernoulli_p"), "bernoulli.p");
  EXPECT_EQ(closest_param("topk.one"), "topk.on");
  EXPECT_EQ(closest_param("warmup_step"), "warmup_steps");
  EXPECT_EQ(closest_param("grad_clip_mod"), "grad_clip_mode");
}

TEST(ParamCheck, NewKeysCheckTheirValues) {
  EXPECT_EQ(checked("grad_clip", "1"s), "1.0");
  EXPECT_EQ(checked("grad_clip", "-0.5"s),
            "error: grad_clip: -0.5 is out of range; allowed: a real >= 0");
  EXPECT_EQ(checked("warmup_steps", "100"s), "100");
  EXPECT_EQ(checked("warmup_steps", "1.5"s),
            "error: warmup_steps: 1.5 is not an integer; allowed: an integer >= 0");
  EXPECT_EQ(checked("bernoulli.p", "0.5"s), "0.5");
  EXPECT_EQ(checked("bernoulli.p", "0"s),
            "error: bernoulli.p: 0 is out of range; allowed: a real in (0, 1]");
  EXPECT_EQ(checked("example_tied.p", "1"s), "1.0");
  EXPECT_EQ(checked("l1.lambda", "0"s), "0.0");
  EXPECT_EQ(checked("moe.gate", "hard"s),
            "error: moe.gate: 'hard' is not one of the choices; allowed: one of: scaled, "
            "hard_unscaled");
  EXPECT_EQ(checked("norm", "Layer"s),
            "error: norm: 'Layer' is not one of the choices (did you mean 'layer'?); allowed: "
            "one of: none, batch, layer");
  EXPECT_EQ(checked("model", "moe_fixed"s), "moe_fixed");
  EXPECT_EQ(checked("model", "example-tied"s),
            "error: model: 'example-tied' is not one of the choices (did you mean "
            "'example_tied'?); allowed: one of: comet, standard, smaller, dropout, topk, moe, "
            "moe_fixed, layerwise, bernoulli, example_tied, l1");
}

}  // namespace
}  // namespace comet::sweeps
