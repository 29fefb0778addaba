// Stable trial ids: the hash leaves out keys at their default, so adding a key with a default
// that keeps the old behaviour leaves earlier ids unchanged.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_paths.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

// The first trial of sweeps/quickstart.yaml, complete.
TrialConfig quickstart_first_trial() {
  SweepSpec spec = parse_sweep_file(std::filesystem::path(comet::testing::kSourceDir) /
                                    "sweeps/quickstart.yaml");
  return expand_trials(spec).front().config;
}

TrialConfig with(TrialConfig config, const std::string& key, ParamValue value) {
  config.set(key, std::move(value));
  return config;
}

TEST(StableTrialId, QuickstartFirstTrialIsPinned) {
  SweepSpec spec = parse_sweep_file(std::filesystem::path(comet::testing::kSourceDir) /
                                    "sweeps/quickstart.yaml");
  std::vector<TrialSpec> trials = expand_trials(spec);
  ASSERT_EQ(trials.size(), 12U);  // standard's p_k is folded (ignored_keys_test.cpp)
  // Pinned: ids name results in the database. Reference: Python's hashlib.sha256 of
  // {"dataset":"fashion_mnist","epochs":3,"lr":0.001,"model":"comet","p_k":0.1,"width":100}.
  EXPECT_EQ(trials.front().id, "d3da06a38d10cedd");
  // The stored config stays complete: defaults are left out of the hash only.
  EXPECT_EQ(trials.front().config.integer("batch_size"), 32);
  EXPECT_EQ(trials.front().config.text("norm"), "none");
  // train_limit, then arch, augment and eval_test added, id unchanged.
  EXPECT_EQ(trials.front().config.values().size(), 24U);
}

TEST(StableTrialId, HashesTheConfigWithoutKeysAtTheirDefault) {
  TrialConfig config({{"model", "comet"s},
                      {"lr", 0.1},
                      {"batch_size", std::int64_t{32}},
                      {"optimizer", "sgd"s},
                      {"p_k", 0.5}});
  EXPECT_EQ(trial_id(config), sha256_hex(R"({"lr":0.1,"model":"comet","p_k":0.5})").substr(0, 16));
}

TEST(StableTrialId, RequiredAndUnknownKeysAreAlwaysHashed) {
  TrialConfig config({{"epochs", std::int64_t{1}}, {"width", std::int64_t{10}}, {"zz", "x"s}});
  EXPECT_EQ(trial_id(config), sha256_hex(R"({"epochs":1,"width":10,"zz":"x"})").substr(0, 16));
}

TEST(StableTrialId, AddingAKeyAtItsDefaultKeepsTheId) {
  TrialConfig base = quickstart_first_trial();
  const std::string id = trial_id(base);
  TrialConfig without_new_keys = base;
  for (const char* key : {"norm", "grad_clip", "grad_clip_mode", "schedule", "task"}) {
    without_new_keys.erase(key);
  }
  EXPECT_EQ(trial_id(without_new_keys), id);
  EXPECT_EQ(trial_id(with(without_new_keys, "norm", "none"s)), id);
  EXPECT_EQ(trial_id(with(base, "grad_clip", 0.0)), id);
  EXPECT_EQ(trial_id(with(base, "task", "classification"s)), id);
}

TEST(StableTrialId, ANonDefaultValueChangesTheId) {
  TrialConfig base = quickstart_first_trial();
  const std::string id = trial_id(base);
  EXPECT_NE(trial_id(with(base, "norm", "layer"s)), id);
  EXPECT_NE(trial_id(with(base, "grad_clip", 1.0)), id);
  EXPECT_NE(trial_id(with(base, "grad_clip_mode", "value"s)), id);
  EXPECT_NE(trial_id(with(base, "schedule", "cosine"s)), id);
  EXPECT_NE(trial_id(with(base, "task", "regression"s)), id);
  EXPECT_NE(trial_id(with(base, "batch_size", std::int64_t{64})), id);
}

TEST(StableTrialId, ScopedKeysAtTheirDefaultKeepTheId) {
  TrialConfig moe = with(quickstart_first_trial(), "model", "moe"s);
  const std::string id = trial_id(moe);
  EXPECT_EQ(trial_id(with(moe, "moe.gate", "scaled"s)), id);
  EXPECT_NE(trial_id(with(moe, "moe.gate", "hard_unscaled"s)), id);
}

TEST(StableTrialId, BernoulliPIsLeftOutWhenItEqualsTheTrialsPk) {
  TrialConfig bernoulli = with(quickstart_first_trial(), "model", "bernoulli"s);  // p_k 0.1
  const std::string id = trial_id(bernoulli);
  EXPECT_EQ(trial_id(with(bernoulli, "bernoulli.p", 0.1)), id);
  EXPECT_NE(trial_id(with(bernoulli, "bernoulli.p", 0.5)), id);
  // Compared with the trial's p_k even when p_k itself is at its default and left out.
  TrialConfig full_pk = with(bernoulli, "p_k", 1.0);
  EXPECT_EQ(trial_id(with(full_pk, "bernoulli.p", 1.0)), trial_id(full_pk));
  EXPECT_NE(trial_id(with(full_pk, "bernoulli.p", 0.1)), trial_id(full_pk));
}

TEST(StableTrialId, ASweepThatSpellsOutDefaultsGivesTheSameIds) {
  const std::string body =
      "dataset: mnist\nepochs: 2\nlr: 0.1\nwidth: 20\ngrid:\n  model: [comet, moe, bernoulli]\n";
  std::vector<TrialSpec> plain = expand_trials(parse_sweep_text("name: a\n" + body, "a.yaml"));
  std::vector<TrialSpec> spelled = expand_trials(
      parse_sweep_text("name: b\nnorm: none\ngrad_clip: 0\nschedule: constant\nmoe.gate: scaled\n"
                       "bernoulli.p: 1\n" +
                           body,
                       "b.yaml"));
  ASSERT_EQ(plain.size(), 3U);
  ASSERT_EQ(spelled.size(), 3U);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(plain[i].id, spelled[i].id) << i;
    EXPECT_EQ(plain[i].config, spelled[i].config) << i;
  }
}

}  // namespace
}  // namespace comet::sweeps
