// The mathematics of COMET (eqs. 3-8) and of the plain MLP, checked on values.

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "cap_mask.h"
#include "comet_routing.h"
#include "masked_mlp.h"

#include "comet/models/network.h"

namespace comet::models {
namespace {

NetworkConfig small_config(const std::string& model, double p_k) {
  NetworkConfig c;
  c.model = model;
  c.input_dim = 20;
  c.output_dim = 5;
  c.width = 30;
  c.depth = 4;
  c.p_k = p_k;
  c.activation = "softplus";
  c.seed = 11;
  return c;
}

TEST(KeptUnits, AbsorbsDecimalRounding) {
  EXPECT_EQ(kept_units(0.29, 100), 29);  // 0.29 * 100 == 28.999999999999996 in double
  EXPECT_EQ(kept_units(0.1, 100), 10);
  EXPECT_EQ(kept_units(0.5, 3), 1);
  EXPECT_EQ(kept_units(1.0, 7), 7);
  EXPECT_EQ(kept_units(0.001, 100), 0);
}

TEST(CometNetwork, PkOneEqualsStandardBitForBit) {
  auto comet = make_network(small_config("comet", 1.0), "cpu");
  auto standard = make_network(small_config("standard", 1.0), "cpu");
  auto x = torch::randn({16, 20});
  auto ids = torch::arange(16);
  EXPECT_TRUE(torch::equal(comet->forward(x, ids), standard->forward(x, ids)));
}

TEST(CometNetwork, ForwardFollowsEquationsFourToEight) {
  auto backbone_gen = at::detail::createCPUGenerator(1);
  auto routing_gen = at::detail::createCPUGenerator(2);
  const std::vector<std::int64_t> dims{6, 8, 8, 3};
  auto routing =
      std::make_shared<CometRouting>(std::vector<std::int64_t>{6, 8, 8}, 0.5, routing_gen);
  MaskedMlp net(dims, make_activation("tanh"), routing, backbone_gen);
  auto x = torch::randn({4, 6});
  auto out = net.forward(x, torch::arange(4));

  // By hand: c = V z, m = C_k(c), z = m * c, x_l = m * f(W x + b); a_L unmasked.
  auto z = x, h = x;
  for (int l = 0; l < 2; ++l) {
    auto c = torch::mm(z, routing->routing_weight(l).t());
    auto m = cap_mask(c, 4);
    z = m * c;
    auto layer = net.layers()[l];
    h = m * torch::tanh(layer->forward(h));
    EXPECT_TRUE(m.sum(1).eq(4).all().item<bool>());
  }
  auto output_layer = net.layers()[2];
  auto expected = output_layer->forward(h);
  EXPECT_TRUE(torch::equal(out, expected));
}

TEST(CometNetwork, SameInputSameMaskWhateverTheBatch) {
  auto net = make_network(small_config("comet", 0.3), "cpu");
  auto batch = torch::randn({32, 20});
  auto ids = torch::arange(32);
  auto all = net->forward(batch, ids);
  for (std::int64_t i : {0, 13, 31}) {
    auto alone = net->forward(batch.narrow(0, i, 1), ids.narrow(0, i, 1));
    EXPECT_TRUE(torch::allclose(alone, all.narrow(0, i, 1), 1e-6, 1e-6)) << "row " << i;
  }
}

TEST(CometNetwork, RoutingIsFixedAndMaskedUnitsGetNoGradient) {
  auto backbone_gen = at::detail::createCPUGenerator(3);
  auto routing_gen = at::detail::createCPUGenerator(4);
  auto routing =
      std::make_shared<CometRouting>(std::vector<std::int64_t>{10, 12, 12}, 0.25, routing_gen);
  MaskedMlp net({10, 12, 12, 4}, make_activation("softplus"), routing, backbone_gen);
  const auto v0 = routing->routing_weight(0).clone();
  const auto v1 = routing->routing_weight(1).clone();
  for (const auto& p : net.parameters()) {
    EXPECT_FALSE(p.is_same(routing->routing_weight(0)));  // V is a buffer, not a parameter
  }

  auto x = torch::randn({1, 10});
  torch::optim::SGD opt(net.parameters(), torch::optim::SGDOptions(0.5));
  auto first_out = net.forward(x, torch::zeros({1}, torch::kLong));
  first_out.sum().backward();
  // The mask of layer 1 for this single example, recomputed by hand.
  auto m1 = cap_mask(torch::mm(x, v0.t()), 3).squeeze(0);
  auto grad_rows = net.layers()[0]->weight.grad().abs().sum(1);
  for (std::int64_t u = 0; u < 12; ++u) {
    if (m1[u].item<float>() == 0) {
      EXPECT_EQ(grad_rows[u].item<float>(), 0.0f) << "masked unit " << u << " got a gradient";
      EXPECT_EQ(net.layers()[0]->bias.grad()[u].item<float>(), 0.0f);
    } else {
      EXPECT_GT(grad_rows[u].item<float>(), 0.0f) << "kept unit " << u << " got no gradient";
    }
  }
  // Output layer is never masked: every output unit's bias gets gradient 1 from sum().
  EXPECT_TRUE(torch::equal(net.layers()[2]->bias.grad(), torch::ones({4})));
  opt.step();
  EXPECT_TRUE(torch::equal(routing->routing_weight(0), v0));
  EXPECT_TRUE(torch::equal(routing->routing_weight(1), v1));
  // The same input still gets the same masks after training steps.
  auto m1_after = cap_mask(torch::mm(x, routing->routing_weight(0).t()), 3).squeeze(0);
  EXPECT_TRUE(torch::equal(m1, m1_after));
}

TEST(CometNetwork, TrainableParameterCountsAreClosedForm) {
  // 20 -> 30 -> 30 -> 30 -> 5 with biases; the routing network adds nothing trainable.
  const std::int64_t expected = (20 * 30 + 30) + 2 * (30 * 30 + 30) + (30 * 5 + 5);
  EXPECT_EQ(make_network(small_config("comet", 0.5), "cpu")->trainable_parameter_count(), expected);
  EXPECT_EQ(make_network(small_config("standard", 0.5), "cpu")->trainable_parameter_count(),
            expected);
}

TEST(CometNetwork, SeedDecidesTheInitialWeights) {
  auto x = torch::randn({3, 20});
  auto ids = torch::arange(3);
  auto a = make_network(small_config("comet", 0.5), "cpu")->forward(x, ids);
  auto b = make_network(small_config("comet", 0.5), "cpu")->forward(x, ids);
  auto other = small_config("comet", 0.5);
  other.seed = 12;
  auto c = make_network(other, "cpu")->forward(x, ids);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST(CometNetwork, BadNamesAndShapesAreModelErrors) {
  auto bad_model = small_config("nonesuch", 0.5);
  EXPECT_THROW(make_network(bad_model, "cpu"), ModelError);
  auto bad_act = small_config("comet", 0.5);
  bad_act.activation = "swish2";
  EXPECT_THROW(make_network(bad_act, "cpu"), ModelError);
  auto no_units = small_config("comet", 0.01);
  EXPECT_THROW(make_network(no_units, "cpu"), ModelError);
}

TEST(Activation, EveryNamedActivationBuildsAndLeakyReluHasSlopePointOne) {
  auto x = torch::tensor({-2.0f, 0.5f});
  for (const auto& name : activation_names()) {
    EXPECT_EQ(make_activation(name)(x).sizes(), x.sizes()) << name;
  }
  EXPECT_FLOAT_EQ(make_activation("leaky_relu")(x)[0].item<float>(), -0.2f);
}

}  // namespace
}  // namespace comet::models
