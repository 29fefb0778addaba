// arch gpt2: parameter counts against HF's GPT-2 sizes, the logits' shape, the causal mask,
// the chunked tied output loss against torch's cross_entropy, COMET per token, GPT-2's init,
// evaluation mode, training and checkpoints.

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "activation.h"
#include "gpt2_network.h"
#include "tied_output_loss.h"

#include "comet/models/network.h"

namespace comet::models {
namespace {

namespace F = torch::nn::functional;

// A GPT-2 small enough for tests: 2 layers, 32 hidden, 4 heads, block 16, vocab 97.
NetworkConfig tiny_config(const std::string& model = "standard", double p_k = 0.5) {
  NetworkConfig c;
  c.arch = "gpt2";
  c.model = model;
  c.p_k = p_k;
  c.activation = "gelu_new";
  c.dim = 32;
  c.depth = 2;
  c.heads = 4;
  c.width = 4 * c.dim;
  c.block_size = 16;
  c.vocab = 97;
  c.input_dim = c.block_size;
  c.output_dim = c.vocab;
  c.dropout = 0.1;
  c.seed = 11;
  return c;
}

// GPT-2's published sizes (HF's gpt2, gpt2-medium, gpt2-large): vocab 50257, block 1024.
NetworkConfig published_size(std::int64_t depth, std::int64_t dim, std::int64_t heads) {
  auto c = tiny_config();
  c.depth = depth;
  c.dim = dim;
  c.heads = heads;
  c.width = 4 * dim;
  c.block_size = 1024;
  c.vocab = 50257;
  c.input_dim = c.block_size;
  c.output_dim = c.vocab;
  return c;
}

torch::Tensor random_tokens(std::int64_t batch, std::int64_t t, std::int64_t vocab,
                            std::uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(vocab, {batch, t}, torch::kInt64);
}

double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(Gpt2Model, ClosedFormCountsAreHuggingFacesForTheThreePublishedSizes) {
  EXPECT_EQ(gpt2_parameter_count(published_size(12, 768, 12)), 124439808);
  EXPECT_EQ(gpt2_parameter_count(published_size(24, 1024, 16)), 354823168);
  EXPECT_EQ(gpt2_parameter_count(published_size(36, 1280, 20)), 774030080);
  // By hand for the tiny one: wte 97*32 + wpe 16*32 + 2 blocks of (4*32 LN + 32*96+96 +
  // 32*32+32 + 32*128+128 + 128*32+32) + ln_f 64 = 3104 + 512 + 2*12704 + 64.
  EXPECT_EQ(gpt2_parameter_count(tiny_config()), 29088);
}

TEST(Gpt2Model, BuiltModelsCountWhatTheClosedFormSays) {
  for (const char* model : {"standard", "comet", "topk", "dropout", "smaller"}) {
    const auto c = tiny_config(model, 0.25);
    EXPECT_EQ(make_network(c, "cpu")->trainable_parameter_count(), gpt2_parameter_count(c))
        << model;
  }
  // smaller: MLPs of floor(0.25 * 128) = 32 units.
  EXPECT_EQ(gpt2_parameter_count(tiny_config("smaller", 0.25)), 29088 - 2 * (2 * 32 * 96 + 96));
  // comet's routing matrices are buffers: the same count as standard.
  EXPECT_EQ(make_network(tiny_config("comet"), "cpu")->trainable_parameter_count(), 29088);
  // GPT-2 small itself (~0.5 GB of floats): 124,439,808, HF's count.
  EXPECT_EQ(make_network(published_size(12, 768, 12), "cpu")->trainable_parameter_count(),
            124439808);
}

TEST(Gpt2Model, LogitsAreBatchByTokensByVocabAndTheLossIsAScalar) {
  auto net = make_network(tiny_config(), "cpu");
  const auto tokens = random_tokens(3, 16, 97, 1);
  EXPECT_EQ(net->forward(tokens, torch::Tensor()).sizes(), (std::vector<std::int64_t>{3, 16, 97}));
  EXPECT_EQ(net->forward(tokens.narrow(1, 0, 5), torch::Tensor()).sizes(),
            (std::vector<std::int64_t>{3, 5, 97}));
  const auto loss = net->next_token_loss(tokens);
  EXPECT_EQ(loss.dim(), 0);
  // At GPT-2's init the logits are near zero: the loss is near log(vocab).
  EXPECT_NEAR(loss.item<double>(), std::log(97.0), 0.1);
}

TEST(Gpt2Model, ALaterTokenNeverChangesAnEarlierPositionsLogits) {
  for (const char* model : {"standard", "comet"}) {
    auto net = make_network(tiny_config(model), "cpu");
    net->set_training(false);
    const auto tokens = random_tokens(2, 16, 97, 2);
    const auto logits = net->forward(tokens, torch::Tensor());
    for (std::int64_t t : {0, 7, 14}) {
      auto changed = tokens.clone();
      changed.narrow(1, t + 1, 15 - t).copy_(random_tokens(2, 15 - t, 97, 100 + t));
      const auto other = net->forward(changed, torch::Tensor());
      EXPECT_TRUE(torch::equal(logits.narrow(1, 0, t + 1), other.narrow(1, 0, t + 1)))
          << model << " t " << t;
      // ... while the changed positions do move (the test could fail).
      EXPECT_GT(max_abs_difference(logits.narrow(1, t + 1, 15 - t), other.narrow(1, t + 1, 15 - t)),
                1e-4)
          << model << " t " << t;
    }
  }
}

// The chunked loss against cross_entropy on the full logits, value and both gradients.
void expect_tied_loss_matches_cross_entropy(torch::ScalarType dtype, std::int64_t chunk) {
  torch::manual_seed(3);
  const std::int64_t rows = 300, dim = 24, vocab = 1000;
  auto h = (torch::randn({rows, dim}) * 2).to(dtype).requires_grad_();
  auto w = (torch::randn({vocab, dim}) * 0.5).to(dtype).requires_grad_();
  const auto targets = torch::randint(vocab, {rows}, torch::kInt64);
  auto loss = tied_next_token_loss(h, w, targets, chunk);
  loss.backward();
  auto h_ref = h.detach().to(torch::kFloat32).requires_grad_();
  auto w_ref = w.detach().to(torch::kFloat32).requires_grad_();
  auto reference = F::cross_entropy(h_ref.mm(w_ref.t()), targets);
  reference.backward();
  EXPECT_NEAR(loss.item<double>(), reference.item<double>(), 1e-5 * reference.item<double>());
  EXPECT_LT(max_abs_difference(h.grad().to(torch::kFloat32), h_ref.grad()), 1e-5);
  EXPECT_LT(max_abs_difference(w.grad().to(torch::kFloat32), w_ref.grad()), 1e-5);
  EXPECT_GT(h_ref.grad().abs().max().item<double>(), 1e-3);  // gradients that are not all ~0
}

TEST(Gpt2Model, ChunkedTiedLossEqualsCrossEntropyOnTheFullLogits) {
  for (std::int64_t chunk : {1, 128, 300, 1000}) {
    expect_tied_loss_matches_cross_entropy(torch::kFloat32, chunk);  // the CPU float path
  }
  expect_tied_loss_matches_cross_entropy(torch::kFloat64, 128);  // the generic path
  // Without autograd (evaluation) the same value.
  torch::manual_seed(4);
  auto h = torch::randn({50, 8});
  auto w = torch::randn({40, 8});
  auto targets = torch::randint(40, {50}, torch::kInt64);
  torch::InferenceMode inference;
  EXPECT_NEAR(tied_next_token_loss(h, w, targets, 16).item<double>(),
              F::cross_entropy(h.mm(w.t()), targets).item<double>(), 1e-5);
}

TEST(Gpt2Model, NextTokenLossIsCrossEntropyOfShiftedLogitsWithGradients) {
  auto a = make_network(tiny_config("comet"), "cpu");
  auto b = make_network(tiny_config("comet"), "cpu");
  a->set_training(false);
  b->set_training(false);
  const auto tokens = random_tokens(4, 16, 97, 5);
  auto loss = a->next_token_loss(tokens);
  loss.backward();
  // HF's shift: logits at 0..T-2 against tokens 1..T-1.
  const auto logits = b->forward(tokens, torch::Tensor());
  auto reference = F::cross_entropy(logits.narrow(1, 0, 15).reshape({-1, 97}),
                                    tokens.narrow(1, 1, 15).reshape({-1}));
  reference.backward();
  EXPECT_NEAR(loss.item<double>(), reference.item<double>(), 1e-5);
  const auto pa = a->trainable_parameters(), pb = b->trainable_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_LT(max_abs_difference(pa[i].grad(), pb[i].grad()), 1e-5) << "parameter " << i;
  }
}

TEST(Gpt2Model, CometKeepingEveryUnitIsStandardAndAtHalfItIsNot) {
  const auto tokens = random_tokens(2, 16, 97, 6);
  auto standard = make_network(tiny_config("standard"), "cpu");
  auto comet_all = make_network(tiny_config("comet", 1.0), "cpu");
  auto comet_half = make_network(tiny_config("comet", 0.5), "cpu");
  for (auto* n : {standard.get(), comet_all.get(), comet_half.get()}) n->set_training(false);
  const auto reference = standard->forward(tokens, torch::Tensor());
  EXPECT_TRUE(torch::equal(comet_all->forward(tokens, torch::Tensor()), reference));
  EXPECT_GT(max_abs_difference(comet_half->forward(tokens, torch::Tensor()), reference), 1e-4);
}

TEST(Gpt2Model, InitIsGpt2s) {
  auto c = published_size(12, 768, 12);
  c.vocab = 5000;  // smaller embeddings; the blocks as GPT-2 small's
  c.output_dim = c.vocab;
  auto net = make_network(c, "cpu");
  const auto p = net->trainable_parameters();
  // Order: wte, wpe, then per block ln_1 (w, b), c_attn (w, b), c_proj (w, b), ln_2 (w, b),
  // c_fc (w, b), c_proj (w, b); ln_f (w, b).
  ASSERT_EQ(p.size(), 2u + 12u * 12u + 2u);
  EXPECT_NEAR(p[0].std().item<double>(), 0.02, 2e-4);  // wte
  EXPECT_NEAR(p[1].std().item<double>(), 0.02, 2e-4);  // wpe
  const double scaled = 0.02 / std::sqrt(24.0);
  EXPECT_NEAR(p[2 + 2].std().item<double>(), 0.02, 2e-4);     // c_attn
  EXPECT_NEAR(p[2 + 4].std().item<double>(), scaled, 5e-5);   // attention's c_proj
  EXPECT_NEAR(p[2 + 8].std().item<double>(), 0.02, 2e-4);     // c_fc
  EXPECT_NEAR(p[2 + 10].std().item<double>(), scaled, 5e-5);  // the MLP's c_proj
  EXPECT_NEAR(p[2 + 2].mean().item<double>(), 0.0, 1e-4);
  for (int i : {1, 3, 5, 7, 9, 11}) EXPECT_EQ(p[2 + i].abs().max().item<float>(), 0.0f) << i;
  EXPECT_TRUE(torch::equal(p[2], torch::ones({768})));       // ln_1 weight
  EXPECT_TRUE(torch::equal(p.back(), torch::zeros({768})));  // ln_f bias
}

TEST(Gpt2Model, EvaluationIsDeterministicAndTrainingDropsOut) {
  auto net = make_network(tiny_config("comet"), "cpu");
  const auto tokens = random_tokens(2, 16, 97, 7);
  net->set_training(false);
  torch::manual_seed(1);
  const auto a = net->forward(tokens, torch::Tensor());
  torch::manual_seed(2);
  EXPECT_TRUE(torch::equal(a, net->forward(tokens, torch::Tensor())));
  net->set_training(true);
  torch::manual_seed(1);
  const auto b = net->forward(tokens, torch::Tensor());
  torch::manual_seed(2);
  EXPECT_GT(max_abs_difference(b, net->forward(tokens, torch::Tensor())), 1e-4);
  torch::manual_seed(1);
  EXPECT_TRUE(torch::equal(b, net->forward(tokens, torch::Tensor())));  // the seed decides
}

TEST(Gpt2Model, AdamWOnARepeatedBlockLowersTheLoss) {
  for (const char* model : {"standard", "comet"}) {
    auto c = tiny_config(model);
    c.activation = "tanh";
    auto net = make_network(c, "cpu");
    net->set_training(true);
    torch::optim::AdamW adam(net->trainable_parameters(),
                             torch::optim::AdamWOptions(3e-3).weight_decay(0.1));
    const auto tokens = random_tokens(4, 16, 97, 8);
    double first = 0, last = 0;
    torch::manual_seed(9);
    for (int step = 0; step < 30; ++step) {
      adam.zero_grad();
      auto loss = net->next_token_loss(tokens);
      loss.backward();
      adam.step();
      (step == 0 ? first : last) = loss.item<double>();
    }
    EXPECT_LT(last, first - 1.0) << model << ": " << first << " -> " << last;
  }
}

TEST(Gpt2Model, CheckpointsRoundTripBitForBit) {
  auto a = make_network(tiny_config("comet"), "cpu");
  // Move the weights off their init first, so that a load that did nothing would show.
  torch::optim::AdamW adam(a->trainable_parameters(), torch::optim::AdamWOptions(1e-2));
  a->next_token_loss(random_tokens(2, 16, 97, 10)).backward();
  adam.step();
  std::stringstream bytes;
  {
    torch::serialize::OutputArchive out;
    a->save(out);
    out.save_to(bytes);
  }
  auto other_seed = tiny_config("comet");
  other_seed.seed = 12;  // other weights and other routing matrices
  auto b = make_network(other_seed, "cpu");
  const auto tokens = random_tokens(2, 16, 97, 11);
  a->set_training(false);
  b->set_training(false);
  EXPECT_FALSE(torch::equal(a->forward(tokens, torch::Tensor()), b->forward(tokens, {})));
  {
    torch::serialize::InputArchive in;
    in.load_from(bytes);
    b->load(in);
  }
  const auto pa = a->trainable_parameters(), pb = b->trainable_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << i;
  // The logits depend on the routing buffers too: equal only if those came back.
  EXPECT_TRUE(torch::equal(a->forward(tokens, torch::Tensor()), b->forward(tokens, {})));
}

TEST(Gpt2Model, GeluNewIsTheTanhApproximation) {
  const auto a = torch::linspace(-4, 4, 81, torch::kFloat64);
  const auto expected =
      0.5 * a * (1 + torch::tanh(std::sqrt(2.0 / M_PI) * (a + 0.044715 * a.pow(3))));
  EXPECT_LT(max_abs_difference(make_activation("gelu_new")(a), expected), 1e-12);
}

TEST(Gpt2Model, BadConfigsAreModelErrorsThatSayWhatIsAllowed) {
  auto expect_error = [](NetworkConfig c, const std::string& fragment) {
    try {
      make_network(c, "cpu");
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error(tiny_config("moe"),
               "model 'moe' is not defined per token; arch 'gpt2' allows: "
               "comet, standard, smaller, topk, dropout");
  auto c = tiny_config();
  c.heads = 5;
  expect_error(c, "dim 32 is not a multiple of heads 5");
  c = tiny_config();
  c.input_dim = 10;
  expect_error(c, "input_dim 10 must equal block_size 16");
  c = tiny_config();
  c.output_dim = 50;
  expect_error(c, "output_dim 50 must equal vocab 97");
  c = tiny_config();
  c.activation = "swish2";
  expect_error(c, "unknown activation 'swish2'");
  c = tiny_config();
  c.arch = "gpt3";
  expect_error(c, "unknown arch 'gpt3'; allowed: mlp, vit, mixer, gpt2");
  auto net = make_network(tiny_config(), "cpu");
  EXPECT_THROW(net->forward(random_tokens(1, 17, 97, 1), torch::Tensor()), ModelError);
  EXPECT_THROW(net->next_token_loss(random_tokens(1, 1, 97, 1)), ModelError);
}

}  // namespace
}  // namespace comet::models
