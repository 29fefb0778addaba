// The eleven models through make_network: their sizes in closed form, l1's penalty and the
// MoE's router, checked on numbers.

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "example_hash.h"
#include "mixture_of_experts.h"

#include "comet/models/network.h"

namespace comet::models {
namespace {

NetworkConfig config(const std::string& model, double p_k) {
  NetworkConfig c;
  c.model = model;
  c.input_dim = 20;
  c.output_dim = 5;
  c.width = 30;
  c.depth = 4;
  c.p_k = p_k;
  c.seed = 4;
  return c;
}

// Parameters of an MLP in -> n -> ... -> n -> out with `hidden` hidden layers, with biases.
std::int64_t mlp_count(std::int64_t in, std::int64_t n, std::int64_t out, std::int64_t hidden) {
  return (in * n + n) + (hidden - 1) * (n * n + n) + (n * out + out);
}

TEST(ModelFamily, TrainableParameterCountsAreClosedForm) {
  const auto full = mlp_count(20, 30, 5, 3);
  for (const char* same_as_standard :
       {"standard", "comet", "dropout", "topk", "layerwise", "bernoulli", "example_tied", "l1"}) {
    EXPECT_EQ(make_network(config(same_as_standard, 0.3), "cpu")->trainable_parameter_count(), full)
        << same_as_standard;
  }
  EXPECT_EQ(make_network(config("smaller", 0.3), "cpu")->trainable_parameter_count(),
            mlp_count(20, 9, 5, 3));
  // moe at p_k 0.3: floor(1/0.3) = 3 experts of width 9; router 20 -> 9 -> 3.
  const auto experts = 3 * mlp_count(20, 9, 5, 3);
  const auto router = (20 * 9 + 9) + (9 * 3 + 3);
  EXPECT_EQ(make_network(config("moe", 0.3), "cpu")->trainable_parameter_count(), experts + router);
  EXPECT_EQ(make_network(config("moe_fixed", 0.3), "cpu")->trainable_parameter_count(), experts);
  // norm adds a scale and a shift per hidden unit (per expert unit for the MoE).
  for (const char* norm : {"batch", "layer"}) {
    auto c = config("comet", 0.3);
    c.norm = norm;
    EXPECT_EQ(make_network(c, "cpu")->trainable_parameter_count(), full + 3 * 2 * 30) << norm;
    c.model = "moe";
    EXPECT_EQ(make_network(c, "cpu")->trainable_parameter_count(), experts + router + 3 * 2 * 3 * 9)
        << norm;
  }
}

TEST(ModelFamily, EveryModelTrainsAStepAndEvaluates) {
  auto x = torch::randn({8, 20});
  auto ids = torch::arange(8);
  for (const auto& name : model_names()) {
    for (const char* norm : {"none", "batch", "layer"}) {
      auto c = config(name, 0.5);
      c.norm = norm;
      auto net = make_network(c, "cpu");
      net->set_training(true);
      auto out = net->forward(x, ids);
      ASSERT_EQ(out.sizes(), (std::vector<std::int64_t>{8, 5})) << name;
      out.pow(2).sum().backward();
      net->set_training(false);
      EXPECT_TRUE(net->forward(x, ids).isfinite().all().item<bool>()) << name << " " << norm;
    }
  }
}

TEST(ModelFamily, PkOneMakesTheMaskedModelsEqualStandard) {
  auto x = torch::randn({16, 20});
  auto ids = torch::arange(16);
  auto standard = make_network(config("standard", 1.0), "cpu")->forward(x, ids);
  for (const char* name : {"comet", "layerwise", "topk", "smaller"}) {
    EXPECT_TRUE(torch::equal(make_network(config(name, 1.0), "cpu")->forward(x, ids), standard))
        << name;
  }
}

TEST(ModelFamily, L1PenaltyIsLambdaTimesSumOfAbsoluteWeightsAndItsGradientIsAdded) {
  auto c = config("l1", 0.5);
  c.l1_lambda = 0.01;
  auto net = make_network(c, "cpu");
  EXPECT_FALSE(make_network(config("standard", 0.5), "cpu")->penalty().defined());
  std::vector<torch::Tensor> weights;  // the four weight matrices; biases are not penalised
  for (auto& p : net->trainable_parameters()) {
    if (p.dim() == 2) weights.push_back(p);
  }
  ASSERT_EQ(weights.size(), 4u);
  {
    // Known weights: 20x30 of -0.5, 30x30 of 0.25 twice, 30x5 of 2.
    torch::NoGradGuard no_grad;
    weights[0].fill_(-0.5);
    weights[1].fill_(0.25);
    weights[2].fill_(0.25);
    weights[3].fill_(2.0);
  }
  const double sum_abs = 600 * 0.5 + 2 * 900 * 0.25 + 150 * 2.0;
  EXPECT_NEAR(net->penalty().item<double>(), 0.01 * sum_abs, 1e-5);
  // d(penalty)/dW = lambda * sign(W), added to the data gradient by backward().
  net->penalty().backward();
  EXPECT_TRUE(torch::equal(weights[0].grad(), torch::full_like(weights[0], -0.01f)));
  EXPECT_TRUE(torch::equal(weights[3].grad(), torch::full_like(weights[3], 0.01f)));
}

MixtureShape moe_shape() {
  MixtureShape s;
  s.input_dim = 6;
  s.output_dim = 3;
  s.experts = 4;
  s.expert_width = 5;
  s.depth = 3;
  s.router_width = 5;
  return s;
}

TEST(MixtureOfExperts, ShapesAndTheChosenExpertsOutputTimesItsGate) {
  auto gen = at::detail::createCPUGenerator(1), router_gen = at::detail::createCPUGenerator(2);
  MixtureOfExperts moe(moe_shape(), make_activation("tanh"), "none", true, true, gen, router_gen);
  ASSERT_EQ(moe.expert_weights().size(), 3u);
  EXPECT_EQ(moe.expert_weights()[0].sizes(), (std::vector<std::int64_t>{4, 5, 6}));
  EXPECT_EQ(moe.expert_weights()[1].sizes(), (std::vector<std::int64_t>{4, 5, 5}));
  EXPECT_EQ(moe.expert_weights()[2].sizes(), (std::vector<std::int64_t>{4, 3, 5}));
  EXPECT_EQ(moe.router_out()->weight.sizes(), (std::vector<std::int64_t>{4, 5}));

  auto x = torch::randn({10, 6});
  auto out = moe.forward(x);
  auto gate = moe.gate(x);
  for (std::int64_t b = 0; b < 10; ++b) {
    const auto e = gate[b].argmax().item<std::int64_t>();
    // Expert e by hand: two tanh layers and a linear output, its own weights.
    auto h = x[b].unsqueeze(0);
    for (std::size_t l = 0; l < 3; ++l) {
      h = torch::mm(h, moe.expert_weights()[l][e].t()) + moe.expert_biases()[l][e];
      if (l < 2) h = torch::tanh(h);
    }
    EXPECT_TRUE(torch::allclose(out[b], h.squeeze(0) * gate[b][e], 1e-5, 1e-6)) << b;
  }
}

// One SGD step; returns whether the router's weights moved.
bool router_moves(bool trainable, bool scaled) {
  auto gen = at::detail::createCPUGenerator(1), router_gen = at::detail::createCPUGenerator(2);
  MixtureOfExperts moe(moe_shape(), make_activation("tanh"), "none", trainable, scaled, gen,
                       router_gen);
  std::vector<torch::Tensor> trainable_params;
  for (auto& p : moe.parameters()) {
    if (p.requires_grad()) trainable_params.push_back(p);
  }
  torch::optim::SGD opt(trainable_params, torch::optim::SGDOptions(0.1));
  auto before = moe.router_hidden()->weight.clone();
  auto expert_before = moe.expert_weights()[0].clone();
  moe.forward(torch::randn({32, 6})).pow(2).sum().backward();
  opt.step();
  EXPECT_FALSE(torch::equal(moe.expert_weights()[0], expert_before));  // experts always learn
  return !torch::equal(moe.router_hidden()->weight, before);
}

TEST(MixtureOfExperts, RouterLearnsOnlyWithTheScaledGate) {
  EXPECT_TRUE(router_moves(/*trainable=*/true, /*scaled=*/true));
  EXPECT_FALSE(router_moves(/*trainable=*/true, /*scaled=*/false));  // the authors' code
  EXPECT_FALSE(router_moves(/*trainable=*/false, /*scaled=*/true));  // moe_fixed
}

TEST(MixtureOfExperts, ExpertCountIsFloorOfOneOverPk) {
  for (auto [p_k, experts, width] : {std::tuple{0.1, 10, 10}, {0.5, 2, 50}, {0.3, 3, 30}}) {
    auto c = config("moe_fixed", p_k);
    c.width = 100;
    const auto count = make_network(c, "cpu")->trainable_parameter_count();
    EXPECT_EQ(count, experts * mlp_count(20, width, 5, 3)) << p_k;
  }
}

TEST(ExampleHash, DeviceTensorsMatchTheHostReferenceBitForBit) {
  auto ids = torch::tensor({0L, 1L, 2L, 59999L, 1L << 40, -5L});
  for (std::int64_t layer : {0, 2}) {
    auto bits = example_hash_bits(0xDEADBEEFULL, layer, ids, 33);
    for (std::int64_t b = 0; b < ids.size(0); ++b) {
      for (std::int64_t u = 0; u < 33; ++u) {
        ASSERT_EQ(bits[b][u].item<std::int64_t>(),
                  example_hash_bits(0xDEADBEEFULL, layer, ids[b].item<std::int64_t>(), u))
            << b << " " << u;
      }
    }
  }
  auto many = example_hash_bits(1, 0, torch::arange(2000), 64).to(torch::kFloat64);
  EXPECT_GE(many.min().item<double>(), 0);
  EXPECT_LT(many.max().item<double>(), 1 << 24);
  // Uniform: mean (2^24 - 1) / 2 within 3 sigma over 128000 draws.
  const double sigma = (1 << 24) / std::sqrt(12.0 * 128000.0);
  EXPECT_NEAR(many.mean().item<double>(), ((1 << 24) - 1) / 2.0, 3 * sigma);
}

}  // namespace
}  // namespace comet::models
