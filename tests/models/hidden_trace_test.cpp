// models::trace_hidden: the masks and masked activations the analyses of section 4.1 read are
// those of the forward pass (k ones per row, x_l = m_l * f(a_l), the same output).

#include <gtest/gtest.h>

#include "comet/models/network.h"

namespace comet::models {
namespace {

NetworkConfig trace_config(const std::string& model, double p_k) {
  NetworkConfig c;
  c.model = model;
  c.input_dim = 12;
  c.output_dim = 3;
  c.width = 25;
  c.depth = 4;
  c.p_k = p_k;
  c.seed = 5;
  return c;
}

TEST(HiddenTrace, CometMasksKeepFloorPkWidthUnitsAndMaskTheActivations) {
  auto net = make_network(trace_config("comet", 0.3), "cpu");
  net->set_training(false);
  const auto x = torch::randn({16, 12});
  const auto ids = torch::arange(16);
  std::vector<torch::Tensor> masks, activations;
  trace_hidden(*net, x, ids, masks, activations);
  ASSERT_EQ(masks.size(), 3u);
  ASSERT_EQ(activations.size(), 3u);
  for (std::size_t l = 0; l < masks.size(); ++l) {
    EXPECT_EQ(masks[l].sizes(), (std::vector<std::int64_t>{16, 25}));
    EXPECT_TRUE(torch::all(masks[l].sum(1) == 7).item<bool>());  // floor(0.3 * 25)
    EXPECT_TRUE(torch::all((masks[l] == 0) | (masks[l] == 1)).item<bool>());
    // Units off in the mask are zero in the activation; softplus keeps the others positive.
    EXPECT_TRUE(torch::all((activations[l] > 0) == (masks[l] == 1)).item<bool>());
  }
  // The traced masks are those of forward(): the same input gives the same masks again.
  std::vector<torch::Tensor> again, ignored;
  trace_hidden(*net, x, ids, again, ignored);
  for (std::size_t l = 0; l < masks.size(); ++l) EXPECT_TRUE(torch::equal(masks[l], again[l]));
}

TEST(HiddenTrace, PolicyWithoutMasksGivesAllOnes) {
  auto net = make_network(trace_config("standard", 0.3), "cpu");
  std::vector<torch::Tensor> masks, activations;
  trace_hidden(*net, torch::randn({4, 12}), torch::arange(4), masks, activations);
  ASSERT_EQ(masks.size(), 3u);
  for (const auto& m : masks) EXPECT_TRUE(torch::all(m == 1).item<bool>());
}

TEST(HiddenTrace, MixtureOfExpertsIsRefused) {
  auto net = make_network(trace_config("moe", 0.5), "cpu");
  std::vector<torch::Tensor> masks, activations;
  EXPECT_THROW(trace_hidden(*net, torch::randn({4, 12}), torch::arange(4), masks, activations),
               ModelError);
}

}  // namespace
}  // namespace comet::models
