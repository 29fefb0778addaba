// The hot path's two shortcuts against the plain one: the fused SGD step (hand-written backward
// with the update folded into the weight-gradient GEMMs) against autograd + torch::optim::SGD,
// and comet's per-example masks (input_masks) against the masks routed in the forward pass.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "comet/models/network.h"

namespace comet::models {
namespace {

NetworkConfig fused_config(const std::string& model, const std::string& activation) {
  NetworkConfig c;
  c.model = model;
  c.input_dim = 12;
  c.output_dim = 4;
  c.width = 24;
  c.depth = 4;
  c.p_k = 0.5;
  c.activation = activation;
  c.seed = 11;
  return c;
}

torch::Tensor cross_entropy_gradient(const torch::Tensor& out, const torch::Tensor& y,
                                     torch::Tensor& loss) {
  torch::AutoGradMode grad_mode(true);
  auto leaf = out.detach().requires_grad_(true);
  loss = torch::nn::functional::cross_entropy(leaf, y);
  loss.backward();
  return leaf.grad();
}

double max_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  }
  return worst;
}

// Three steps each way from the same initial weights (and, for dropout, the same global RNG
// state): the parameters agree to float rounding.
void expect_fused_matches_autograd(const std::string& model, const std::string& activation,
                                   double momentum = 0) {
  SCOPED_TRACE(model + " / " + activation + " / momentum " + std::to_string(momentum));
  const double lr = 0.05, weight_decay = 0.01;
  auto reference = make_network(fused_config(model, activation), "cpu");
  auto fused = make_network(fused_config(model, activation), "cpu");
  ASSERT_TRUE(fused->has_fused_sgd_step());
  auto params = reference->trainable_parameters();
  torch::optim::SGD sgd(params,
                        torch::optim::SGDOptions(lr).weight_decay(weight_decay).momentum(momentum));
  auto gen = at::detail::createCPUGenerator(3);
  std::vector<torch::Tensor> xs, ys;
  for (int s = 0; s < 3; ++s) {
    xs.push_back(torch::randn({16, 12}, gen));
    ys.push_back(torch::randint(0, 4, {16}, gen));
  }
  auto ids = torch::arange(16);
  reference->set_training(true);
  fused->set_training(true);
  torch::manual_seed(5);
  std::vector<double> reference_losses, fused_losses;
  for (int s = 0; s < 3; ++s) {
    auto loss = torch::nn::functional::cross_entropy(reference->forward(xs[s], ids), ys[s]);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    reference_losses.push_back(loss.item<double>());
  }
  torch::manual_seed(5);
  std::vector<torch::Tensor> buffers(params.size());
  SgdUpdate update{lr, weight_decay, momentum, momentum != 0 ? &buffers : nullptr};
  for (int s = 0; s < 3; ++s) {
    torch::Tensor loss;
    fused->sgd_step(
        xs[s], ids, nullptr,
        [&](const torch::Tensor& out) { return cross_entropy_gradient(out, ys[s], loss); }, update);
    fused_losses.push_back(loss.item<double>());
  }
  for (int s = 0; s < 3; ++s) EXPECT_NEAR(fused_losses[s], reference_losses[s], 1e-5) << s;
  EXPECT_LT(max_difference(fused->trainable_parameters(), params), 1e-5);
  // And they moved: a step that did nothing would also "agree".
  auto initial = make_network(fused_config(model, activation), "cpu");
  EXPECT_GT(max_difference(initial->trainable_parameters(), params), 1e-3);
}

TEST(FusedSgdStep, MatchesAutogradForEveryActivation) {
  for (const auto& activation : activation_names())
    expect_fused_matches_autograd("comet", activation);
}

TEST(FusedSgdStep, MatchesAutogradForEveryBackboneModel) {
  for (const char* model :
       {"standard", "smaller", "dropout", "topk", "layerwise", "bernoulli", "example_tied"}) {
    expect_fused_matches_autograd(model, "softplus");
  }
}

TEST(FusedSgdStep, MatchesAutogradWithMomentum) {
  for (const char* model : {"comet", "standard", "dropout"}) {
    expect_fused_matches_autograd(model, "tanh", 0.9);
  }
}

TEST(FusedSgdStep, IsOfferedOnlyWherePlainSgdIsTheWholeUpdate) {
  EXPECT_TRUE(make_network(fused_config("comet", "tanh"), "cpu")->has_fused_sgd_step());
  EXPECT_FALSE(make_network(fused_config("l1", "tanh"), "cpu")->has_fused_sgd_step());
  EXPECT_FALSE(make_network(fused_config("moe", "tanh"), "cpu")->has_fused_sgd_step());
  auto normed = fused_config("comet", "tanh");
  normed.norm = "layer";
  EXPECT_FALSE(make_network(normed, "cpu")->has_fused_sgd_step());
}

TEST(InputMasks, EqualTheRoutedMasksWhateverTheBatch) {
  auto net = make_network(fused_config("comet", "softplus"), "cpu");
  ASSERT_TRUE(net->masks_depend_only_on_input());
  auto gen = at::detail::createCPUGenerator(9);
  auto x = torch::randn({300, 12}, gen);
  const auto all = net->input_masks(x);  // one batch of 300
  ASSERT_EQ(all.size(), 3U);
  for (std::int64_t start = 0; start < 300; start += 32) {
    const auto len = std::min<std::int64_t>(32, 300 - start);
    std::vector<torch::Tensor> routed, activations;
    trace_hidden(*net, x.narrow(0, start, len), torch::arange(len), routed, activations);
    for (std::size_t l = 0; l < 3; ++l) {
      EXPECT_TRUE(torch::equal(all[l].narrow(0, start, len), routed[l].to(torch::kBool)))
          << "layer " << l << " rows " << start;
      // floor(0.5 * 24) = 12 units kept per example.
      EXPECT_TRUE(all[l].sum(1).eq(12).all().item<bool>());
    }
  }
  // Given those masks, the forward pass is the routed one, bit for bit.
  std::vector<torch::Tensor> rows;
  for (const auto& m : all) rows.push_back(m.narrow(0, 0, 32));
  auto ids = torch::arange(32);
  EXPECT_TRUE(torch::equal(net->forward(x.narrow(0, 0, 32), ids, &rows),
                           net->forward(x.narrow(0, 0, 32), ids)));
}

TEST(InputMasks, OnlyComet) {
  for (const char* model : {"standard", "layerwise", "topk", "bernoulli", "moe"}) {
    auto net = make_network(fused_config(model, "softplus"), "cpu");
    EXPECT_FALSE(net->masks_depend_only_on_input()) << model;
    EXPECT_TRUE(net->input_masks(torch::zeros({2, 12})).empty()) << model;
  }
}

}  // namespace
}  // namespace comet::models
