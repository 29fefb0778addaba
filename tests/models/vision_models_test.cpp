// The vision models (arch vit, mixer): parameter counts against lucidrains' code as the
// paper's base repository has it, shapes, COMET per token, attention, training, checkpoints.

#include <gtest/gtest.h>

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "attention_core.h"
#include "cap_mask.h"
#include "comet_routing.h"
#include "peer_vit_config.h"
#include "token_mlp.h"
#include "vision_parts.h"

#include "comet/models/network.h"

namespace comet::models {
namespace {

// The peer's ViT (/work/shared/bench/peer_vit.py defaults) on Fashion-MNIST's 1x28x28.
NetworkConfig vit_config(const std::string& model = "comet", double p_k = 0.5) {
  NetworkConfig c = comet::testing::peer_vit_config("vit", model, p_k);
  c.seed = 5;
  return c;
}

NetworkConfig mixer_config(const std::string& model = "comet", double p_k = 0.5) {
  auto c = vit_config(model, p_k);
  c.arch = "mixer";
  c.width = 32;  // dim * expansion_factor_token 0.5
  return c;
}

// lucidrains' ViT: patch embedding, pos (n + 1) dim, cls dim; per block LN, to_qkv (no bias),
// to_out (unless heads == 1 and dim_head == dim), LN, FeedForward; head LN + Linear.
std::int64_t vit_count(std::int64_t patch_dim, std::int64_t patches, std::int64_t dim,
                       std::int64_t depth, std::int64_t heads, std::int64_t dim_head,
                       std::int64_t width, std::int64_t classes) {
  const auto inner = heads * dim_head;
  const bool project_out = !(heads == 1 && dim_head == dim);
  const auto block = 2 * dim + dim * 3 * inner + (project_out ? inner * dim + dim : 0) + 2 * dim +
                     (dim * width + width) + (width * dim + dim);
  return patch_dim * dim + dim + (patches + 1) * dim + dim + depth * block + 2 * dim +
         dim * classes + classes;
}

// lucidrains' MLPMixer: embedding; per block LN, token FeedForward (Conv1d k=1 over the
// patches), LN, channel FeedForward; LN, mean, Linear.
std::int64_t mixer_count(std::int64_t patch_dim, std::int64_t patches, std::int64_t dim,
                         std::int64_t depth, std::int64_t token_width, std::int64_t width,
                         std::int64_t classes) {
  const auto block = 2 * dim + (patches * token_width + token_width) +
                     (token_width * patches + patches) + 2 * dim + (dim * width + width) +
                     (width * dim + dim);
  return patch_dim * dim + dim + depth * block + 2 * dim + dim * classes + classes;
}

TEST(VisionModels, ViTParameterCountsMatchTheReference) {
  // The peer's ViT: 71,690 (peer_vit.py prints the same for its module).
  EXPECT_EQ(make_network(vit_config(), "cpu")->trainable_parameter_count(), 71690);
  EXPECT_EQ(vit_count(16, 49, 64, 2, 4, 16, 128, 10), 71690);
  // Routing matrices are buffers: comet counts what standard counts.
  EXPECT_EQ(make_network(vit_config("standard"), "cpu")->trainable_parameter_count(), 71690);
  // smaller: every MLP floor(p_k width) wide.
  EXPECT_EQ(make_network(vit_config("smaller", 0.25), "cpu")->trainable_parameter_count(),
            vit_count(16, 49, 64, 2, 4, 16, 32, 10));
  // heads == 1, dim_head == dim: no to_out.
  auto single = vit_config("standard");
  single.heads = 1;
  single.dim_head = 64;
  EXPECT_EQ(make_network(single, "cpu")->trainable_parameter_count(),
            vit_count(16, 49, 64, 2, 1, 64, 128, 10));
  // The repository's CIFAR-10 ViT (dim 512, depth 6, heads 8, dim_head 64, mlp_dim 512,
  // patch 4 on 3x32x32): 9,523,722 (worked out by hand from the module list).
  auto cifar = vit_config("standard");
  cifar.image_shape = {3, 32, 32};
  cifar.input_dim = 3 * 32 * 32;
  cifar.dim = 512;
  cifar.depth = 6;
  cifar.heads = 8;
  cifar.dim_head = 64;
  cifar.width = 512;
  EXPECT_EQ(vit_count(48, 64, 512, 6, 8, 64, 512, 10), 9523722);
  EXPECT_EQ(make_network(cifar, "cpu")->trainable_parameter_count(), 9523722);
}

TEST(VisionModels, MixerParameterCountsMatchTheReference) {
  // Token hidden units default to 4 * 49 patches.
  EXPECT_EQ(make_network(mixer_config(), "cpu")->trainable_parameter_count(),
            mixer_count(16, 49, 64, 2, 196, 32, 10));
  EXPECT_EQ(make_network(mixer_config("standard"), "cpu")->trainable_parameter_count(),
            mixer_count(16, 49, 64, 2, 196, 32, 10));
  auto custom = mixer_config("smaller", 0.5);
  custom.token_width = 100;
  EXPECT_EQ(make_network(custom, "cpu")->trainable_parameter_count(),
            mixer_count(16, 49, 64, 2, 50, 16, 10));
  // The repository's CIFAR-10 Mixer (dim 512, depth 6, patch 4 on 3x32x32, expansion 4 and
  // 0.5): 1,819,530 (by hand from the module list).
  auto cifar = mixer_config("standard");
  cifar.image_shape = {3, 32, 32};
  cifar.input_dim = 3 * 32 * 32;
  cifar.dim = 512;
  cifar.depth = 6;
  cifar.width = 256;
  EXPECT_EQ(mixer_count(48, 64, 512, 6, 256, 256, 10), 1819530);
  EXPECT_EQ(make_network(cifar, "cpu")->trainable_parameter_count(), 1819530);
}

TEST(VisionModels, FlatAndImageInputsGiveTheSameLogits) {
  for (auto c : {vit_config(), mixer_config()}) {
    c.image_shape = {3, 8, 12};
    c.input_dim = 3 * 8 * 12;
    auto net = make_network(c, "cpu");
    net->set_training(false);
    auto images = torch::randn({5, 3, 8, 12});
    auto flat = net->forward(images.reshape({5, -1}), torch::arange(5));
    ASSERT_EQ(flat.sizes(), (std::vector<std::int64_t>{5, 10})) << c.arch;
    EXPECT_TRUE(torch::equal(flat, net->forward(images, torch::arange(5)))) << c.arch;
  }
}

TEST(VisionModels, PatchesFollowTheReferenceRearrange) {
  // 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)' on a 2x4x4 image with patch 2.
  auto x = torch::arange(32, torch::kFloat32).reshape({1, 2, 4, 4});
  auto p = image_patches(x, {2, 4, 4}, 2);
  ASSERT_EQ(p.sizes(), (std::vector<std::int64_t>{1, 4, 8}));
  // Patch 1 is rows 0-1, columns 2-3; its entries (p1, p2, c): x[c, p1, 2 + p2].
  const std::vector<float> expected{2, 18, 3, 19, 6, 22, 7, 23};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(p[0][1][i].item<float>(), expected[i]) << i;
}

TEST(VisionModels, CometAtPkOneIsStandardBitForBit) {
  for (auto arch : {"vit", "mixer"}) {
    auto c = arch == std::string("vit") ? vit_config("comet", 1.0) : mixer_config("comet", 1.0);
    auto s = c;
    s.model = "standard";
    auto comet = make_network(c, "cpu");
    auto standard = make_network(s, "cpu");
    auto x = torch::randn({6, 784});
    for (bool training : {false, true}) {
      comet->set_training(training);
      standard->set_training(training);
      torch::manual_seed(3);
      auto a = comet->forward(x, torch::arange(6));
      torch::manual_seed(3);
      auto b = standard->forward(x, torch::arange(6));
      EXPECT_TRUE(torch::equal(a, b)) << arch << " training " << training;
    }
  }
}

TEST(TokenMlp, EachTokensMaskIsTheCapOfItsRoutingProjection) {
  auto backbone_gen = at::detail::createCPUGenerator(1);
  auto routing_gen = at::detail::createCPUGenerator(2);
  auto routing =
      std::make_shared<CometRouting>(std::vector<std::int64_t>{24, 40}, 0.3, routing_gen);
  TokenMlp mlp(24, 40, make_activation("tanh"), routing, 0.1, backbone_gen);
  torch::manual_seed(8);
  auto x = torch::randn({300, 24});
  torch::Tensor mask;
  auto h = mlp.hidden(x, &mask);
  const auto& v = routing->routing_weight(0);
  EXPECT_TRUE(torch::equal(mask, cap_mask(torch::mm(x, v.t()), 12)));
  EXPECT_TRUE(torch::equal(mask.sum(1), torch::full({300}, 12.0f)));
  auto expected = mask * torch::tanh(torch::addmm(mlp.fc1()->bias, x, mlp.fc1()->weight.t()));
  EXPECT_TRUE(torch::allclose(h, expected, 0, 1e-6));

  // Gradients reach W1, b1 and x as through mask * tanh(W1 x + b1), never V.
  auto x_leaf = x.clone().requires_grad_(true);
  mlp.hidden(x_leaf, nullptr).pow(2).sum().backward();
  auto w = mlp.fc1()->weight.detach().clone().requires_grad_(true);
  auto b = mlp.fc1()->bias.detach().clone().requires_grad_(true);
  auto x_ref = x.clone().requires_grad_(true);
  (mask * torch::tanh(torch::addmm(b, x_ref, w.t()))).pow(2).sum().backward();
  // Summed over 300 tokens in another order: float rounding of entries up to ~30.
  EXPECT_TRUE(torch::allclose(mlp.fc1()->weight.grad(), w.grad(), 1e-5, 1e-4));
  EXPECT_TRUE(torch::allclose(mlp.fc1()->bias.grad(), b.grad(), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(x_leaf.grad(), x_ref.grad(), 1e-5, 1e-6));
  EXPECT_FALSE(v.requires_grad());
  EXPECT_FALSE(v.grad().defined());
}

TEST(Attention, RowsSumToOneAndMatchSoftmaxOfScaledScores) {
  torch::manual_seed(9);
  const std::int64_t b = 3, n = 7, heads = 2, d = 5;
  auto qkv = torch::randn({b * n, 3 * heads * d}, torch::requires_grad());
  auto [out, attention] = multi_head_attention(qkv, b, heads, 0.5);
  EXPECT_TRUE(torch::allclose(attention.sum(-1), torch::ones({b * heads, n})));
  // Reference: lucidrains' rearranges and matmuls in ATen.
  auto ref_qkv = qkv.detach().clone().requires_grad_(true);
  auto parts = ref_qkv.view({b, n, 3, heads, d}).permute({2, 0, 3, 1, 4});
  auto p = torch::softmax(torch::matmul(parts[0], parts[1].transpose(-1, -2)) * 0.5, -1);
  auto ref = torch::matmul(p, parts[2]).transpose(1, 2).reshape({b * n, heads * d});
  EXPECT_TRUE(torch::allclose(attention.view({b, heads, n, n}), p.detach(), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(out, ref, 1e-5, 1e-6));
  auto weights = torch::randn({b * n, heads * d});
  (out * weights).sum().backward();
  (ref * weights).sum().backward();
  EXPECT_TRUE(torch::allclose(qkv.grad(), ref_qkv.grad(), 1e-4, 1e-5));
}

TEST(VisionModels, TinyModelsOverfitOneBatch) {
  for (auto arch : {"vit", "mixer"}) {
    auto c = vit_config("comet", 0.5);
    c.arch = arch;
    c.image_shape = {1, 8, 8};
    c.input_dim = 64;
    c.output_dim = 4;
    c.dim = 16;
    c.depth = 1;
    c.heads = 2;
    c.dim_head = 8;
    c.width = 32;
    c.dropout = 0;
    c.emb_dropout = 0;
    auto net = make_network(c, "cpu");
    net->set_training(true);
    torch::manual_seed(0);
    auto x = torch::randn({16, 64});
    auto y = torch::randint(4, {16});
    torch::optim::Adam adam(net->trainable_parameters(), torch::optim::AdamOptions(1e-2));
    double loss = 0;
    for (int step = 0; step < 300 && !(loss < 0.05 && step > 0); ++step) {
      auto l = torch::nn::functional::cross_entropy(net->forward(x, torch::arange(16)), y);
      adam.zero_grad();
      l.backward();
      adam.step();
      loss = l.item<double>();
    }
    EXPECT_LT(loss, 0.05) << arch;
  }
}

TEST(VisionModels, SaveLoadRestoresEveryTensorRoutingIncluded) {
  for (auto c : {vit_config(), mixer_config()}) {
    auto net = make_network(c, "cpu");
    torch::serialize::OutputArchive out;
    net->save(out);
    std::stringstream stream;
    out.save_to(stream);
    auto other_config = c;
    other_config.seed = 99;  // different weights and routing
    auto other = make_network(other_config, "cpu");
    auto x = torch::randn({4, 784});
    net->set_training(false);
    other->set_training(false);
    ASSERT_FALSE(
        torch::equal(net->forward(x, torch::arange(4)), other->forward(x, torch::arange(4))));
    torch::serialize::InputArchive in;
    in.load_from(stream);
    other->load(in);
    EXPECT_TRUE(
        torch::equal(net->forward(x, torch::arange(4)), other->forward(x, torch::arange(4))))
        << c.arch;
  }
}

TEST(VisionModels, NetworkInterfaceForPerTokenMasks) {
  auto net = make_network(vit_config(), "cpu");
  EXPECT_FALSE(net->masks_depend_only_on_input());
  EXPECT_TRUE(net->input_masks(torch::randn({2, 784})).empty());
  EXPECT_FALSE(net->has_fused_sgd_step());
  EXPECT_FALSE(net->penalty().defined());
  EXPECT_EQ(net->config().arch, "vit");
  std::vector<at::Tensor> none, masks{torch::ones({2, 128})}, activations;
  EXPECT_EQ(net->forward(torch::randn({2, 784}), torch::arange(2), &none).size(1), 10);
  EXPECT_THROW(net->forward(torch::randn({2, 784}), torch::arange(2), &masks), ModelError);
  EXPECT_THROW(trace_hidden(*net, torch::randn({2, 784}), torch::arange(2), masks, activations),
               ModelError);
}

TEST(VisionModels, DropoutNoiseKeepsOneMinusPAndScales) {
  auto like = torch::empty({1000, 100});
  torch::manual_seed(4);
  auto noise = dropout_noise(like, 0.1, true);
  const double kept = noise.gt(0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(kept, 0.9, 3 * std::sqrt(0.09 / 1e5));
  EXPECT_FLOAT_EQ(noise.max().item<float>(), static_cast<float>(1 / 0.9));
  torch::manual_seed(4);
  EXPECT_TRUE(torch::equal(noise, dropout_noise(like, 0.1, true)));  // torch's seed decides
  EXPECT_FALSE(torch::equal(noise, dropout_noise(like, 0.1, true)));
  EXPECT_FALSE(dropout_noise(like, 0.1, false).defined());
  EXPECT_FALSE(dropout_noise(like, 0.0, true).defined());
}

TEST(VisionModels, BadModelsAndShapesAreModelErrors) {
  auto expect_error = [](NetworkConfig c, const std::string& fragment) {
    try {
      make_network(c, "cpu");
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  for (const char* model : {"moe", "moe_fixed", "layerwise", "bernoulli", "example_tied", "l1"}) {
    expect_error(vit_config(model), "model '" + std::string(model) +
                                        "' is not defined per token; arch 'vit' allows: comet, "
                                        "standard, smaller, topk, dropout");
  }
  expect_error(mixer_config("moe"), "arch 'mixer' allows");
  auto c = vit_config();
  c.arch = "cnn";
  expect_error(c, "unknown arch 'cnn'");
  c = vit_config();
  c.image_shape = {28, 28};
  expect_error(c, "image_shape");
  c.image_shape = {1, 0, 28};
  expect_error(c, "image_shape");
  c = vit_config();
  c.input_dim = 785;
  expect_error(c, "input_dim 785");
  c = vit_config();
  c.patch = 5;
  expect_error(c, "patch 5 must divide");
  for (auto field : {&NetworkConfig::dim, &NetworkConfig::heads, &NetworkConfig::dim_head,
                     &NetworkConfig::width, &NetworkConfig::depth}) {
    c = vit_config();
    c.*field = 0;
    expect_error(c, "must be >= 1");
  }
  c = vit_config();
  c.dropout = 1.0;
  expect_error(c, "dropout 1.0");
  c = vit_config();
  c.emb_dropout = -0.1;
  expect_error(c, "dropout -0.1");
  c = vit_config("comet", 0.001);
  expect_error(c, "keeps no unit");
  c = vit_config();
  c.activation = "swish";
  expect_error(c, "swish");
}

}  // namespace
}  // namespace comet::models
