// Timing harness for arch gpt2 (not a test, not built by default): trains GPT-2 on random
// token blocks with AdamW (HF's groups: decay 0.1 on matrices and embeddings only), gradient
// clipping at 1.0, and reports the median time of a training step (forward + backward + clip +
// AdamW) after warm-up, and tokens per second, the figures docs/performance.md compares with
// /work/shared/bench/peer_gpt.py at the same shapes. Usage:
//   gpt2_step_bench [comet|standard|...] [threads] [steps] [profile.json]
// The shapes are issue 16's tiny CPU config: 2 layers, 128 hidden, 4 heads, MLP 512, block
// 128, batch 16, vocab 50257, tanh, p_k 0.5, dropout 0.1.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "comet/models/network.h"

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "comet";
  const int threads = argc > 2 ? std::stoi(argv[2]) : 2;
  const int steps = argc > 3 ? std::stoi(argv[3]) : 20;
  const std::string profile = argc > 4 ? argv[4] : "";
  torch::set_num_threads(threads);
  torch::manual_seed(0);

  comet::models::NetworkConfig c;
  c.arch = "gpt2";
  c.model = model;
  c.p_k = 0.5;
  c.activation = "tanh";
  c.dim = 128;
  c.depth = 2;
  c.heads = 4;
  c.width = 4 * c.dim;
  c.block_size = 128;
  c.vocab = 50257;
  c.input_dim = c.block_size;
  c.output_dim = c.vocab;
  c.dropout = 0.1;
  const std::int64_t batch = 16;

  auto net = comet::models::make_network(c, "cpu");
  net->set_training(true);
  const auto parameters = net->trainable_parameters();
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& p : parameters) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(5e-4).weight_decay(0.1)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(5e-4).weight_decay(0.0)));
  torch::optim::AdamW adamw(std::move(groups), torch::optim::AdamWOptions(5e-4));
  auto data = torch::randint(c.vocab, {8 * batch, c.block_size}, torch::kInt64);

  double last_loss = 0;
  auto step = [&](int i) {
    auto tokens = data.narrow(0, (i % 8) * batch, batch);
    adamw.zero_grad();
    auto loss = net->next_token_loss(tokens);
    loss.backward();
    torch::nn::utils::clip_grad_norm_(parameters, 1.0);
    adamw.step();
    last_loss = loss.item<double>();
  };
  for (int i = 0; i < 3; ++i) step(i);  // warm-up: allocator, OpenBLAS threads
  std::vector<double> ms;
  const auto cpu_start = std::clock();
  {
    std::unique_ptr<torch::autograd::profiler::RecordProfile> recording;
    if (!profile.empty()) {
      recording = std::make_unique<torch::autograd::profiler::RecordProfile>(profile);
    }
    for (int i = 0; i < steps; ++i) {
      const auto start = std::chrono::steady_clock::now();
      step(i);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
  }
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf(
      "{\"arch\": \"gpt2\", \"model\": \"%s\", \"threads\": %d, \"steps\": %d, "
      "\"trainable_params\": %lld, \"ms_per_step_median\": %.1f, \"ms_per_step_min\": %.1f, "
      "\"cpu_ms_per_step\": %.1f, \"tokens_per_second\": %.1f, \"last_loss\": %.4f}\n",
      model.c_str(), threads, steps, static_cast<long long>(net->trainable_parameter_count()),
      median, ms.front(), cpu_ms / steps,
      1000.0 * static_cast<double>(batch * c.block_size) / median, last_loss);
}
