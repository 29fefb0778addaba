// Timing harness for the vision models (not a test, not built by default): trains a ViT or a
// Mixer on random [batch, 1, 28, 28] data with Adam and reports milliseconds per step
// (forward + backward + Adam step), wall and process CPU time, the figures docs/performance.md
// compares with /work/shared/bench/peer_vit.py. Usage:
//   vision_step_bench [vit|mixer] [comet|standard|...|peer-comet|peer-standard] [threads]
//                     [steps] [profile.json]
// peer-*: peer_vit.py's modules op for op in LibTorch (peer_vit_ops.h) instead of comet's.
// The shapes are the peer's defaults: dim 64, depth 2, heads 4, dim_head 16, width 128,
// patch 4, batch 128, tanh, p_k 0.5, dropout 0.1, Adam lr 1e-3.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "peer_vit_config.h"
#include "peer_vit_ops.h"

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

  NetworkConfig c = comet::testing::peer_vit_config(arch, model, 0.5);
  std::unique_ptr<comet::models::Network> net;
  std::shared_ptr<comet::bench::PeerNet> peer;
  std::vector<torch::Tensor> parameters;
  std::int64_t count = 0;
  if (model.rfind("peer-", 0) == 0) {
    peer = std::make_shared<comet::bench::PeerNet>(arch == "vit", model == "peer-comet", c.dim,
                                                   c.depth, c.heads, c.dim_head, c.width, c.patch,
                                                   c.p_k);
    peer->train(true);
    for (auto& p : peer->parameters()) {
      if (p.requires_grad()) parameters.push_back(p);
    }
  } else {
    net = comet::models::make_network(c, "cpu");
    net->set_training(true);
    parameters = net->trainable_parameters();
  }
  for (auto& p : parameters) count += p.numel();
  torch::optim::Adam adam(parameters, torch::optim::AdamOptions(1e-3));
  const std::int64_t batch = 128;
  auto data = torch::randn({8 * batch, 784});
  auto labels = torch::randint(10, {8 * batch});
  auto ids = torch::arange(batch);

  auto step = [&](int i) {
    const auto rows = torch::indexing::Slice((i % 8) * batch, (i % 8 + 1) * batch);
    auto x = data.index({rows});
    auto logits = net ? net->forward(x, ids) : peer->forward(x);
    auto loss = torch::nn::functional::cross_entropy(logits, labels.index({rows}));
    adam.zero_grad();
    loss.backward();
    adam.step();
  };
  for (int i = 0; i < 5; ++i) step(i);  // warm-up: allocator, OpenBLAS threads
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
  double mean = 0;
  for (double m : ms) mean += m / static_cast<double>(ms.size());
  std::printf(
      "{\"arch\": \"%s\", \"model\": \"%s\", \"threads\": %d, \"steps\": %d, "
      "\"trainable_params\": %lld, \"ms_per_step_mean\": %.1f, \"ms_per_step_median\": %.1f, "
      "\"ms_per_step_min\": %.1f, \"cpu_ms_per_step\": %.1f}\n",
      arch.c_str(), model.c_str(), threads, steps, static_cast<long long>(count), mean,
      ms[ms.size() / 2], ms.front(), cpu_ms / steps);
}
