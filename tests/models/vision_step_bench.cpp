// Timing harness for the vision models (not a test, not built by default): trains a ViT or a
// Mixer on random [batch, 1, 28, 28] data with Adam and reports milliseconds per step
// (forward + backward + Adam step), the figure docs/performance.md compares with
// /work/shared/bench/peer_vit.py. Usage:
//   vision_step_bench [vit|mixer] [comet|standard|...] [threads] [steps] [profile.json]
// The shapes are the peer's defaults: dim 64, depth 2, heads 4, dim_head 16, width 128,
// patch 4, batch 128, tanh, p_k 0.5, dropout 0.1, Adam lr 1e-3.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "comet/models/network.h"

int main(int argc, char** argv) {
  using comet::models::NetworkConfig;
  const std::string arch = argc > 1 ? argv[1] : "vit";
  const std::string model = argc > 2 ? argv[2] : "comet";
  const int threads = argc > 3 ? std::stoi(argv[3]) : 2;
  const int steps = argc > 4 ? std::stoi(argv[4]) : 50;
  const std::string profile = argc > 5 ? argv[5] : "";
  torch::set_num_threads(threads);
  torch::manual_seed(0);

  NetworkConfig c;
  c.arch = arch;
  c.model = model;
  c.image_shape = {1, 28, 28};
  c.input_dim = 784;
  c.output_dim = 10;
  c.dim = 64;
  c.depth = 2;
  c.heads = 4;
  c.dim_head = 16;
  c.width = 128;
  c.patch = 4;
  c.p_k = 0.5;
  c.activation = "tanh";
  auto net = comet::models::make_network(c, "cpu");
  net->set_training(true);
  torch::optim::Adam adam(net->trainable_parameters(), torch::optim::AdamOptions(1e-3));
  const std::int64_t batch = 128;
  auto data = torch::randn({8 * batch, 784});
  auto labels = torch::randint(10, {8 * batch});
  auto ids = torch::arange(batch);

  auto step = [&](int i) {
    const auto rows = torch::indexing::Slice((i % 8) * batch, (i % 8 + 1) * batch);
    auto loss = torch::nn::functional::cross_entropy(net->forward(data.index({rows}), ids),
                                                     labels.index({rows}));
    adam.zero_grad();
    loss.backward();
    adam.step();
  };
  for (int i = 0; i < 5; ++i) step(i);  // warm-up: allocator, OpenBLAS threads
  std::vector<double> ms;
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
  std::sort(ms.begin(), ms.end());
  double mean = 0;
  for (double m : ms) mean += m / static_cast<double>(ms.size());
  std::printf(
      "{\"arch\": \"%s\", \"model\": \"%s\", \"threads\": %d, \"steps\": %d, "
      "\"trainable_params\": %lld, \"ms_per_step_mean\": %.1f, \"ms_per_step_median\": %.1f}\n",
      arch.c_str(), model.c_str(), threads, steps,
      static_cast<long long>(net->trainable_parameter_count()), mean, ms[ms.size() / 2]);
}
