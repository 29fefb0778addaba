// The masking baselines of section 4.2.1, checked on the masks they produce.

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "comet_routing.h"
#include "dropout_mask.h"
#include "mask_recorder.h"
#include "masked_mlp.h"
#include "per_example_masks.h"
#include "topk_cap.h"

#include "comet/models/network.h"

namespace comet::models {
namespace {

using testing::MaskRecorder;

struct Rig {
  std::shared_ptr<MaskRecorder> recorder;
  std::shared_ptr<MaskedMlp> net;
};

// 12 inputs -> 3 hidden layers of 40 -> 4 outputs, around the given policy.
Rig rig(std::shared_ptr<MaskPolicy> policy, const std::string& activation = "softplus") {
  auto gen = at::detail::createCPUGenerator(7);
  auto recorder = std::make_shared<MaskRecorder>(std::move(policy));
  auto net = std::make_shared<MaskedMlp>(std::vector<std::int64_t>{12, 40, 40, 40, 4},
                                         make_activation(activation), recorder, gen);
  return {recorder, net};
}

std::shared_ptr<CometRouting> routing(CometRouting::Source source, double p_k = 0.25) {
  auto gen = at::detail::createCPUGenerator(8);
  return std::make_shared<CometRouting>(std::vector<std::int64_t>{12, 40, 40, 40}, p_k, gen,
                                        source);
}

void expect_exactly_k_per_row(const std::vector<torch::Tensor>& masks, std::int64_t k) {
  ASSERT_EQ(masks.size(), 3u);
  for (const auto& m : masks) {
    ASSERT_TRUE(m.defined());
    EXPECT_TRUE(m.eq(0).logical_or(m.eq(1)).all().item<bool>());
    EXPECT_TRUE(m.sum(1).eq(k).all().item<bool>());
  }
}

void sgd_steps(MaskedMlp& net, const torch::Tensor& x, int steps) {
  torch::optim::SGD opt(net.parameters(), torch::optim::SGDOptions(0.5));
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    net.forward(x, torch::arange(x.size(0))).pow(2).sum().backward();
    opt.step();
  }
}

TEST(MaskPolicies, CapPoliciesKeepExactlyKUnitsPerRow) {
  auto x = torch::randn({64, 12});
  for (auto source : {CometRouting::Source::routing_network, CometRouting::Source::backbone}) {
    auto r = rig(routing(source));
    r.net->forward(x, torch::arange(64));
    expect_exactly_k_per_row(r.recorder->masks, 10);
  }
  for (bool pre : {true, false}) {
    // relu makes many post-activation ties at 0: the index rule still keeps exactly k.
    auto r = rig(std::make_shared<TopkCap>(std::vector<std::int64_t>{10, 10, 10}, pre), "relu");
    r.net->forward(x, torch::arange(64));
    expect_exactly_k_per_row(r.recorder->masks, 10);
  }
}

TEST(MaskPolicies, TopkRanksPreOrPostActivationValues) {
  // gelu is not monotone: a = -0.75 gives f(a) = -0.17, a = -3 gives -0.004; the pre-activation
  // ranking prefers -0.75, the post-activation ranking -3.
  TopkCap pre({1}, true), post({1}, false);
  auto a = torch::tensor({{-3.0f, -0.75f}});
  auto y = make_activation("gelu")(a);
  EXPECT_TRUE(torch::equal(pre.mask(0, a, a, y), torch::tensor({{0.0f, 1.0f}})));
  EXPECT_TRUE(torch::equal(post.mask(0, a, a, y), torch::tensor({{1.0f, 0.0f}})));
}

TEST(MaskPolicies, LayerwiseMasksMoveWithTrainingCometMasksDoNot) {
  auto x = torch::randn({16, 12});
  auto comet = rig(routing(CometRouting::Source::routing_network));
  auto layerwise = rig(routing(CometRouting::Source::backbone));
  comet.net->forward(x, torch::arange(16));
  layerwise.net->forward(x, torch::arange(16));
  const auto comet_before = comet.recorder->masks;
  const auto layerwise_before = layerwise.recorder->masks;
  sgd_steps(*comet.net, x, 5);
  sgd_steps(*layerwise.net, x, 5);
  comet.net->forward(x, torch::arange(16));
  layerwise.net->forward(x, torch::arange(16));
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(torch::equal(comet.recorder->masks[l], comet_before[l])) << "layer " << l;
  }
  // Layer 1 of layerwise routes x_0 itself (like COMET); deeper layers follow the backbone.
  EXPECT_TRUE(torch::equal(layerwise.recorder->masks[0], layerwise_before[0]));
  EXPECT_FALSE(torch::equal(layerwise.recorder->masks[1], layerwise_before[1]));
  EXPECT_FALSE(torch::equal(layerwise.recorder->masks[2], layerwise_before[2]));
}

TEST(MaskPolicies, DropoutDropsOneMinusPkInTrainingAndNothingInEvaluation) {
  torch::manual_seed(3);
  auto r = rig(std::make_shared<DropoutMask>(0.3));
  auto x = torch::randn({500, 12});
  r.net->train(true);
  r.net->forward(x, torch::arange(500));
  const double n = 500.0 * 40.0;
  const double sigma = std::sqrt(0.3 * 0.7 / n);
  for (const auto& m : r.recorder->masks) {
    const double kept = m.ne(0).to(torch::kFloat64).mean().item<double>();
    EXPECT_NEAR(kept, 0.3, 3 * sigma);
    // Survivors are scaled by 1 / p_k (inverted dropout), so the expectation is unchanged.
    EXPECT_NEAR(m.masked_select(m.ne(0)).mean().item<float>(), 1.0f / 0.3f, 1e-5);
  }
  r.net->train(false);
  auto out = r.net->forward(x, torch::arange(500));
  for (const auto& m : r.recorder->masks) EXPECT_FALSE(m.defined());
}

TEST(MaskPolicies, BernoulliMasksAreFixedPerExampleAndAbsentInEvaluation) {
  auto r = rig(std::make_shared<BernoulliMask>(99, 0.3));
  auto x = torch::randn({300, 12});
  auto ids = torch::arange(1000, 1300);
  r.net->train(true);
  r.net->forward(x, ids);
  const auto first = r.recorder->masks;
  // The same ids in another order, in a smaller batch, after other batches: the same masks.
  auto perm = torch::randperm(300);
  r.net->forward(torch::randn({7, 12}), torch::arange(7));
  r.net->forward(x.index_select(0, perm), ids.index_select(0, perm));
  const double sigma = std::sqrt(0.3 * 0.7 / (300.0 * 40.0));
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(torch::equal(r.recorder->masks[l], first[l].index_select(0, perm)));
    EXPECT_NEAR(first[l].mean().item<double>(), 0.3, 3 * sigma);
    EXPECT_FALSE(torch::equal(first[l][0], first[l][1]));  // ids differ, masks differ
  }
  EXPECT_FALSE(torch::equal(first[0], first[1]));  // and layers differ
  r.net->train(false);
  r.net->forward(x, ids);
  for (const auto& m : r.recorder->masks) EXPECT_FALSE(m.defined());
  // Another seed gives other masks.
  auto other = rig(std::make_shared<BernoulliMask>(100, 0.3));
  other.net->forward(x, ids);
  EXPECT_FALSE(torch::equal(other.recorder->masks[0], first[0]));
}

TEST(MaskPolicies, ExampleTiedKeepsGeneralisationUnitsAndEvaluatesWithThemOnly) {
  const std::int64_t k = 8;
  auto r = rig(std::make_shared<ExampleTiedMask>(5, 0.2, k));
  auto x = torch::randn({400, 12});
  auto ids = torch::arange(400);
  r.net->train(true);
  r.net->forward(x, ids);
  const auto first = r.recorder->masks;
  r.net->forward(x.narrow(0, 100, 50), ids.narrow(0, 100, 50));
  const double sigma = std::sqrt(0.2 * 0.8 / (400.0 * 32.0));
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(torch::equal(r.recorder->masks[l], first[l].narrow(0, 100, 50)));
    EXPECT_TRUE(first[l].narrow(1, 0, k).eq(1).all().item<bool>());
    EXPECT_NEAR(first[l].narrow(1, k, 32).mean().item<double>(), 0.2, 3 * sigma);
  }
  r.net->train(false);
  r.net->forward(x, ids);
  auto expected = torch::cat({torch::ones({400, k}), torch::zeros({400, 40 - k})}, 1);
  for (const auto& m : r.recorder->masks) EXPECT_TRUE(torch::equal(m, expected));
}

}  // namespace
}  // namespace comet::models
